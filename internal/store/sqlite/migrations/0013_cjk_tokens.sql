-- Chinese and Japanese words become searchable: the full-text index holds
-- each Han or kana character as a token of its own (see cjk.go), where
-- FTS5's unicode61 tokenizer made a whole run of them, up to the next
-- punctuation, one token. The view the index reads its values from gives
-- them through herald_fts, which puts a space on each side of every such
-- character (the write path indexes the same values, FTSText); a value
-- without one is unchanged, so only the articles with a Han or kana
-- character in a searchable column are indexed again. Finding them takes
-- one pass over the texts; each of them leaves the index with the values
-- it was indexed with (the old view's, inline here) and comes back with
-- the new view's.
CREATE TEMP TABLE cjk (n INTEGER PRIMARY KEY);
INSERT INTO cjk
	SELECT n FROM articles
	WHERE herald_unspaced(title) OR herald_unspaced(description) OR herald_unspaced(authors)
		OR herald_unspaced(tags) OR herald_unspaced(herald_inflate(text));
INSERT INTO article_fts (article_fts, rowid, title, description, text, authors, tags, dup)
	SELECT 'delete', a.n, a.title, a.description, herald_inflate(a.text), a.authors, a.tags,
		CASE WHEN k.cluster IS NULL THEN '' ELSE 'x' END
	FROM cjk c JOIN articles a ON a.n = c.n JOIN article_keys k ON k.n = a.n;
DROP VIEW article_text;
CREATE VIEW article_text AS
	SELECT a.n, herald_fts(a.title) AS title, herald_fts(a.description) AS description,
		herald_fts(herald_inflate(a.text)) AS text, herald_fts(a.authors) AS authors,
		herald_fts(a.tags) AS tags,
		CASE WHEN k.cluster IS NULL THEN '' ELSE 'x' END AS dup
	FROM articles a JOIN article_keys k ON k.n = a.n;
INSERT INTO article_fts (rowid, title, description, text, authors, tags, dup)
	SELECT t.n, t.title, t.description, t.text, t.authors, t.tags, t.dup
	FROM cjk c JOIN article_text t ON t.n = c.n;
DROP TABLE cjk;
