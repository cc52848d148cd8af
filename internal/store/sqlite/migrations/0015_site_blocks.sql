-- The site id of every article, by row number, in blocks of 4096 rows as
-- day_blocks holds their days (migration 0009): timelines split by site
-- and site: filters count from them in memory (see blockCache) instead
-- of reading a key row a match. Write transactions keep them in step
-- with article_keys.site_id. Filling them needs Herald's
-- herald_site_block aggregate.
CREATE TABLE site_blocks (block INTEGER PRIMARY KEY, sites BLOB NOT NULL);
INSERT INTO site_blocks (block, sites)
	SELECT n >> 12, herald_site_block(n, site_id) FROM article_keys GROUP BY n >> 12;
