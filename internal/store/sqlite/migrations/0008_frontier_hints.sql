-- What the feed or sitemap that listed a URL said about it (title, date,
-- authors, tags, language, description; JSON written by the harvester),
-- kept with the URL in the frontier: a URL retried in a later run, or
-- handed to a worker that defers it, keeps its fallback metadata. Empty
-- when there was none. Items queued before this migration have none.
ALTER TABLE frontier ADD COLUMN hint TEXT NOT NULL DEFAULT '';
