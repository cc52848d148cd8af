-- The last sitemap lastmod the harvester saw listed for a URL (Unix
-- milliseconds, 0 for none) and whether the page was fetched, or queued
-- to be, after that value was listed (1) or not yet (0). Kept with the
-- URL so that a harvest run from cron, a new process each time, decides
-- whether a lastmod says the page changed as one long run would; before
-- this, each process started with nothing remembered. URLs queued before
-- this migration have none.
ALTER TABLE frontier ADD COLUMN lastmod INTEGER NOT NULL DEFAULT 0;
ALTER TABLE frontier ADD COLUMN lastmod_fetched INTEGER NOT NULL DEFAULT 0;
