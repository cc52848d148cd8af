-- The band rows of deleted articles, once article_lsh is large, are not
-- deleted from it at once: their keys are listed here, lookups leave them
-- out, and the next merge of article_lsh_recent deletes them in key order
-- (see bands.go). Deleted at once, the twenty-odd rows of each deleted
-- article fell on as many pages of article_lsh: deleting 2,154 articles
-- of a million rewrote 17,000 of its 19,000 pages, twice over, half of
-- the 1.07 GB the delete wrote. counters.lsh_gone is its row count.
CREATE TABLE article_lsh_gone (key INTEGER PRIMARY KEY);
ALTER TABLE counters ADD COLUMN lsh_gone INTEGER NOT NULL DEFAULT 0;
