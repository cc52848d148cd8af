-- The tags and the authors of every article, by row number, in blocks of
-- 4096 rows as day_blocks holds their days (migration 0009): the top tags
-- and authors of a query are then counted in memory (see linkCache)
-- instead of looking up the links of every match. A block lists, for
-- each of its rows that has links, in row order: the row's place in the
-- block, how many ids it has and the ids, each a uvarint. Write
-- transactions keep them in step with article_tags and article_authors.
-- Filling them needs Herald's herald_link_block aggregate.
CREATE TABLE tag_blocks (block INTEGER PRIMARY KEY, tags BLOB NOT NULL);
INSERT INTO tag_blocks (block, tags)
	SELECT n >> 12, herald_link_block(n, tag_id) FROM article_tags GROUP BY n >> 12;
CREATE TABLE author_blocks (block INTEGER PRIMARY KEY, authors BLOB NOT NULL);
INSERT INTO author_blocks (block, authors)
	SELECT n >> 12, herald_link_block(n, author_id) FROM article_authors GROUP BY n >> 12;
