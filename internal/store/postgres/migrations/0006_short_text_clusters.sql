-- Herald before December 2026 matched every text by its content hash,
-- however short: the empty texts of an import, or paywall stubs, became
-- clusters of "duplicates", hidden behind one of them in collapsed
-- searches. Only a text of dedupe.MinWords words or more identifies its
-- article now (archive.identifies). This migration's work is done in Go,
-- where the words are counted as dedupe counts them: see
-- unclusterShortTexts in steps.go, run in this migration's transaction.
SELECT 1;
