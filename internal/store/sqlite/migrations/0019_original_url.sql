-- original_url: the canonical URL a page declares on another site (the
-- article a syndicated copy says it republishes), which canonical_url
-- does not follow. Articles stored before are re-extracted to fill it
-- (herald reextract).
ALTER TABLE articles ADD COLUMN original_url TEXT NOT NULL DEFAULT '';
-- original: filters read the few articles that name an original.
CREATE INDEX articles_original ON articles (original_url) WHERE original_url <> '';
