-- The last sitemap lastmod the harvester saw listed for a URL (Unix
-- milliseconds, 0 for none) and whether the page was fetched, or queued
-- to be, after that value was listed. Kept with the URL so that a
-- harvest run from cron, a new process each time, decides whether a
-- lastmod says the page changed as one long run would; before this, each
-- process started with nothing remembered. URLs queued before this
-- migration have none. Adding columns with constant defaults does not
-- rewrite the table.
ALTER TABLE frontier ADD COLUMN lastmod bigint NOT NULL DEFAULT 0;
ALTER TABLE frontier ADD COLUMN lastmod_fetched boolean NOT NULL DEFAULT false;
