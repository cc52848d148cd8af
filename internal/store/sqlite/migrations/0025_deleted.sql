-- deleted_articles records each article herald delete removed (also
-- DELETE /api/articles/{id} and the web form): its id, its canonical URL
-- and when, in unix milliseconds of the writer's clock (the clock of
-- articles.changed), so that herald deleted --since can tell a copy kept
-- up to date by deltas what to drop. One row an id: deleted again, it
-- takes the later time. An article archived again after its deletion
-- keeps its row, and is not listed as deleted while the archive holds
-- it (no statement is added to the write of an article). Deletions
-- before this migration are not known: counters.deletions_from says
-- when the archive began recording them.
CREATE TABLE deleted_articles (
	id            TEXT PRIMARY KEY,
	canonical_url TEXT NOT NULL,
	deleted       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX deleted_articles_deleted ON deleted_articles (deleted);
ALTER TABLE counters ADD COLUMN deletions_from INTEGER NOT NULL DEFAULT 0;
UPDATE counters SET deletions_from = CAST(unixepoch('subsec') * 1000 AS INTEGER);
