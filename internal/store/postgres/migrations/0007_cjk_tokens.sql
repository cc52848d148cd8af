-- Chinese and Japanese words become searchable: each Han or kana
-- character is a word of its own in the search vector (tokens in
-- tokenize.go), where a whole run of them up to the next punctuation was
-- one, as SQLite's FTS5 unicode61 tokenizer made it. Queries are split
-- the same way, so a word of such characters is the phrase of its
-- characters. This migration's work is done in Go, where the vectors are
-- built: see revectorUnspaced in steps.go, run in this migration's
-- transaction, which rebuilds the vectors of the articles with such a
-- character and only those.
SELECT 1;
