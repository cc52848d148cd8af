-- The language and section of every article, by row number, in blocks of
-- 4096 rows as day_blocks and site_blocks hold days and sites (migrations
-- 0009 and 0015): lang: and section: filters are then answered in memory
-- (see blockCache) instead of reading an article row a match. A facet is
-- one (language, section) pair, as stored; an archive holds a few hundred
-- at most, and a filter is evaluated once over them. Write transactions
-- add facets and keep facet_blocks in step with the articles. Filling
-- them needs Herald's herald_id_block aggregate.
CREATE TABLE facets (
	id       INTEGER PRIMARY KEY,
	language TEXT NOT NULL,
	section  TEXT NOT NULL,
	UNIQUE (language, section)
);
INSERT INTO facets (language, section)
	SELECT DISTINCT language, section FROM articles INDEXED BY articles_filters ORDER BY language, section;
CREATE TABLE facet_blocks (block INTEGER PRIMARY KEY, facets BLOB NOT NULL);
INSERT INTO facet_blocks (block, facets)
	SELECT a.n >> 12, herald_id_block(a.n, f.id)
	FROM articles a INDEXED BY articles_filters JOIN facets f ON f.language = a.language AND f.section = a.section
	GROUP BY a.n >> 12;
