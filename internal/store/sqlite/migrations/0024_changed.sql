-- changed is when the archive last wrote the article's record (a new
-- article, a new version, refreshed metadata, a new cluster), in unix
-- milliseconds of the writer's clock: herald export --changed-since reads
-- it, for exports that bring a copy of the archive up to date. Articles
-- stored before this migration keep 0, and count as changed when it ran
-- (counters.changes_from): a delta from before then holds them all.
ALTER TABLE articles ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX articles_changed ON articles (changed);
ALTER TABLE counters ADD COLUMN changes_from INTEGER NOT NULL DEFAULT 0;
UPDATE counters SET changes_from = CAST(unixepoch('subsec') * 1000 AS INTEGER);
