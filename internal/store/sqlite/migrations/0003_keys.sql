-- Herald archive schema, version 3: narrow keys for walking matches,
-- near-duplicate clusters visible to the full-text index, compact content
-- hashes.
--
-- article_keys holds, per article, what timelines, collapsing and Top(site)
-- need for each match: a rowid table keyed by articles.n is about a third
-- of the size of the covering index it replaces (articles_n_date), and a
-- seek by rowid is cheaper than a seek in an index. cluster is NULL for an
-- article alone in its cluster, else the n of the cluster's first stored
-- member; the write transactions keep it.
CREATE TABLE article_keys (
	n       INTEGER PRIMARY KEY,
	date    INTEGER NOT NULL,
	site_id INTEGER NOT NULL,
	cluster INTEGER
);
INSERT INTO article_keys (n, date, site_id, cluster)
	SELECT a.n, a.date, a.site_id, m.first FROM articles a
	LEFT JOIN (SELECT cluster_id, min(n) AS first FROM articles GROUP BY cluster_id HAVING count(*) > 1) m
		ON m.cluster_id = a.cluster_id;
DROP INDEX articles_n_date;

-- Content hashes made by dedupe.ContentHash (64 lower-case hex digits) are
-- kept as their 32 bytes; any other hash stays text. The store converts
-- both ways.
UPDATE articles SET content_hash = unhex(content_hash)
	WHERE length(content_hash) = 64 AND content_hash NOT GLOB '*[^0-9a-f]*';

-- The zstd dictionaries texts are compressed with (see compress.go); id
-- is the dictionary's zstd id, seq the order they were made in.
CREATE TABLE text_dicts (
	seq  INTEGER PRIMARY KEY,
	id   INTEGER NOT NULL UNIQUE,
	dict BLOB NOT NULL
);

-- url is stored empty when it equals canonical_url (most articles).
UPDATE articles SET url = '' WHERE url = canonical_url;

-- The full-text index gains a column, dup, holding the token "x" for the
-- members of clusters with more than one article and nothing for the
-- others. Search restricts the user's words to the five text columns;
-- counting the clusters among a word's matches then walks the word's
-- matches in the index alone and looks up the clusters of the few marked
-- ones (see countClusters). The index is rebuilt from the articles.
DROP TABLE article_fts;
DROP VIEW article_text;
CREATE VIEW article_text AS
	SELECT a.n, a.title, a.description, herald_inflate(a.text) AS text, a.authors, a.tags,
		CASE WHEN k.cluster IS NULL THEN '' ELSE 'x' END AS dup
	FROM articles a JOIN article_keys k ON k.n = a.n;
CREATE VIRTUAL TABLE article_fts USING fts5 (
	title, description, text, authors, tags, dup,
	content = 'article_text', content_rowid = 'n',
	tokenize = 'unicode61 remove_diacritics 2'
);
-- FTS5 gathers new terms in memory and writes them out as a new index
-- segment when that buffer passes hashsize (1 MiB by default) and at
-- commit. A bulk batch of a few thousand articles would make several small
-- segments, each merged again later; 64 MiB lets a batch become one.
INSERT INTO article_fts (article_fts, rank) VALUES ('hashsize', 67108864);
INSERT INTO article_fts (article_fts) VALUES ('rebuild');
