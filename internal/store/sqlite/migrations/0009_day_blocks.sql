-- The UTC day of every article, by row number, as timelines keep it in
-- memory (see dayCache): 4096 rows a block, each a little-endian 32-bit
-- day number (-2147483648 where there is no article). A process loads
-- them in one read of 4 bytes an article, where reading article_keys
-- took a row an article (0.3 s for a million). Write transactions keep
-- them in step with article_keys.date. Filling them needs Herald's
-- herald_day_block aggregate.
CREATE TABLE day_blocks (block INTEGER PRIMARY KEY, days BLOB NOT NULL);
INSERT INTO day_blocks (block, days)
	SELECT n >> 12, herald_day_block(n, date) FROM article_keys GROUP BY n >> 12;
