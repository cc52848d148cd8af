-- Herald before December 2026 matched every text by its content hash,
-- however short: the empty texts of an import, or paywall stubs, became
-- clusters of "duplicates", hidden behind one of them in collapsed
-- searches. Only a text of dedupe.MinWords words or more identifies its
-- article now (archive.identifies). This takes the articles whose text
-- does not out of their clusters, and then any article left alone in a
-- cluster: each gets its own cluster again, its keys row loses its mark,
-- and its full-text row its dup token (deleted with the values it was
-- indexed with, then indexed again). Only marked articles are read (the
-- partial index article_keys_marked), a few per cent of an archive.
CREATE TEMP TABLE unmark (n INTEGER PRIMARY KEY);
INSERT INTO unmark
	SELECT k.n FROM article_keys k JOIN articles a ON a.n = k.n
	WHERE k.cluster IS NOT NULL AND NOT herald_signable(herald_inflate(a.text));
INSERT INTO unmark
	SELECT k.n FROM article_keys k
	WHERE k.cluster IS NOT NULL AND k.n NOT IN unmark AND k.cluster IN (
		SELECT cluster FROM article_keys
		WHERE cluster IS NOT NULL AND n NOT IN unmark GROUP BY cluster HAVING count(*) = 1);
INSERT INTO article_fts (article_fts, rowid, title, description, text, authors, tags, dup)
	SELECT 'delete', n, title, description, text, authors, tags, dup FROM article_text WHERE n IN unmark;
UPDATE article_keys SET cluster = NULL WHERE n IN unmark;
UPDATE articles SET cluster_id = id WHERE n IN unmark;
INSERT INTO article_fts (rowid, title, description, text, authors, tags, dup)
	SELECT n, title, description, text, authors, tags, dup FROM article_text WHERE n IN unmark;
DROP TABLE unmark;
