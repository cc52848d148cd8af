-- The HTTP validators (ETag, Last-Modified) of the sitemaps a poll reads
-- that are not a source's own URL (the children of a sitemap index, the
-- sitemaps a site's robots.txt names), so that the next poll, a new
-- process or not, asks for them conditionally as it does for a source's
-- own URL (sources.etag, sources.last_modified). kept is when they were
-- last written (Unix milliseconds).
CREATE TABLE sitemap_validators (
	url           text PRIMARY KEY,
	etag          text NOT NULL DEFAULT '',
	last_modified text NOT NULL DEFAULT '',
	kept          bigint NOT NULL DEFAULT 0
);
