-- New LSH band rows go to a small table first and are merged into
-- article_lsh in key order now and then (see bands.go): a batch of
-- articles writes about twenty rows each at random places of the band
-- table, so written straight into article_lsh every batch rewrote nearly
-- all of its pages (300 MiB on a million articles). counters keeps both
-- tables' row counts, which decide when to merge.
CREATE TABLE article_lsh_recent (key INTEGER PRIMARY KEY);
ALTER TABLE counters ADD COLUMN lsh_rows INTEGER NOT NULL DEFAULT 0;
ALTER TABLE counters ADD COLUMN lsh_recent INTEGER NOT NULL DEFAULT 0;
UPDATE counters SET lsh_rows = (SELECT count(*) FROM article_lsh);
