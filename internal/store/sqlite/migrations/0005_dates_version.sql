-- Bumped by a write transaction that changes the date of a stored article
-- (a new version or refreshed metadata), so that readers caching dates by
-- row number (timelines, see days.go) know to load them again. New rows
-- need no bump: row numbers only grow.
ALTER TABLE counters ADD COLUMN dates_version INTEGER NOT NULL DEFAULT 0;
