-- Herald archive schema, version 1.
--
-- articles holds the current version of each article, keyed by id (from the
-- canonical URL); n is the internal row number that the full-text index and
-- the side tables point at. Text is stored once, deflate-compressed
-- (raw RFC 1951) in articles.text; herald_inflate(), a function this
-- package registers, reads it back, and the view article_text shows the
-- searchable columns in plain text. article_fts is an external-content
-- FTS5 index over that view. Times of the record are RFC 3339 strings (zone kept as
-- declared); date is the unix second the archive files the article under
-- (published, else fetched_at) and carries the range filters, date sorting
-- and timelines.
--
-- article_fts is maintained by the Go code, not by triggers: FTS5 flushes
-- its pending terms to a new segment at every statement savepoint, and a
-- trigger on articles would open one per inserted row, so a batch would
-- write thousands of tiny segments. Instead a write transaction indexes
-- the rows it inserted in one statement just before it commits.

CREATE TABLE sites (
	id   INTEGER PRIMARY KEY,
	host TEXT NOT NULL UNIQUE
);

CREATE TABLE articles (
	n                 INTEGER PRIMARY KEY,
	id                TEXT NOT NULL UNIQUE,
	url               TEXT NOT NULL,
	canonical_url     TEXT NOT NULL,
	site_id           INTEGER NOT NULL REFERENCES sites (id),
	date              INTEGER NOT NULL,
	published         TEXT NOT NULL DEFAULT '',
	modified          TEXT NOT NULL DEFAULT '',
	fetched_at        TEXT NOT NULL DEFAULT '',
	title             TEXT NOT NULL DEFAULT '',
	description       TEXT NOT NULL DEFAULT '',
	authors           TEXT NOT NULL DEFAULT '', -- one per line
	tags              TEXT NOT NULL DEFAULT '', -- one per line
	site_name         TEXT NOT NULL DEFAULT '',
	section           TEXT NOT NULL DEFAULT '',
	language          TEXT NOT NULL DEFAULT '',
	image             TEXT NOT NULL DEFAULT '',
	free              INTEGER,                  -- NULL when not declared
	word_count        INTEGER NOT NULL DEFAULT 0,
	source            TEXT NOT NULL DEFAULT '',
	capture_file      TEXT NOT NULL DEFAULT '',
	capture_offset    INTEGER NOT NULL DEFAULT 0,
	capture_record    TEXT NOT NULL DEFAULT '',
	extractor_version TEXT NOT NULL DEFAULT '',
	content_hash      TEXT NOT NULL,
	cluster_id        TEXT NOT NULL,
	version           INTEGER NOT NULL DEFAULT 1,
	text              BLOB NOT NULL DEFAULT x'' -- deflated; last, so the short columns come first in the row
);

CREATE INDEX articles_date ON articles (date, id);
CREATE INDEX articles_site ON articles (site_id, date);
CREATE INDEX articles_cluster ON articles (cluster_id);
CREATE INDEX articles_hash ON articles (content_hash);
CREATE INDEX articles_canonical ON articles (canonical_url);

CREATE VIEW article_text AS
	SELECT n, title, description, herald_inflate(text) AS text, authors, tags FROM articles;

CREATE VIRTUAL TABLE article_fts USING fts5 (
	title, description, text, authors, tags,
	content = 'article_text', content_rowid = 'n',
	tokenize = 'unicode61 remove_diacritics 2'
);

-- Running totals that would otherwise need a scan of every text, kept by
-- the write transactions.
CREATE TABLE counters (
	one        INTEGER PRIMARY KEY CHECK (one = 1),
	text_bytes INTEGER NOT NULL
);
INSERT INTO counters (one, text_bytes) VALUES (1, 0);

-- Earlier versions of an article, as their JSON record, deflated.
CREATE TABLE article_versions (
	article_n INTEGER NOT NULL REFERENCES articles (n) ON DELETE CASCADE,
	version   INTEGER NOT NULL,
	record    BLOB NOT NULL,
	PRIMARY KEY (article_n, version)
);

-- Authors and tags: dictionaries plus links, for author:/tag: and Top.
-- norm is the lower-cased name with single spaces.
CREATE TABLE authors (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	norm TEXT NOT NULL UNIQUE
);
CREATE TABLE article_authors (
	n         INTEGER NOT NULL REFERENCES articles (n) ON DELETE CASCADE,
	author_id INTEGER NOT NULL REFERENCES authors (id),
	PRIMARY KEY (n, author_id)
) WITHOUT ROWID;
CREATE INDEX article_authors_author ON article_authors (author_id, n);

CREATE TABLE tags (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	norm TEXT NOT NULL UNIQUE
);
CREATE TABLE article_tags (
	n      INTEGER NOT NULL REFERENCES articles (n) ON DELETE CASCADE,
	tag_id INTEGER NOT NULL REFERENCES tags (id),
	PRIMARY KEY (n, tag_id)
) WITHOUT ROWID;
CREATE INDEX article_tags_tag ON article_tags (tag_id, n);

-- LSH band hashes (uint64 stored bit for bit as int64) for near-duplicate
-- candidates. The signatures themselves are not stored: the archive
-- recomputes a candidate's from its text. An updated article's earlier
-- bands stay; they can only add a candidate that the comparison rejects.
CREATE TABLE article_bands (
	band INTEGER NOT NULL,
	n    INTEGER NOT NULL REFERENCES articles (n) ON DELETE CASCADE,
	PRIMARY KEY (band, n)
) WITHOUT ROWID;

-- Harvesting. Times here are unix milliseconds, 0 when unset.
CREATE TABLE sources (
	id            INTEGER PRIMARY KEY,
	url           TEXT NOT NULL UNIQUE,
	kind          TEXT NOT NULL,
	interval_ms   INTEGER NOT NULL DEFAULT 0,
	paused        INTEGER NOT NULL DEFAULT 0,
	added         INTEGER NOT NULL,
	last_polled   INTEGER NOT NULL DEFAULT 0,
	next_poll     INTEGER NOT NULL DEFAULT 0,
	last_error    TEXT NOT NULL DEFAULT '',
	etag          TEXT NOT NULL DEFAULT '',
	last_modified TEXT NOT NULL DEFAULT ''
);

CREATE TABLE fetches (
	id          INTEGER PRIMARY KEY,
	source_id   INTEGER REFERENCES sources (id) ON DELETE CASCADE,
	url         TEXT NOT NULL,
	at          INTEGER NOT NULL,
	status      INTEGER NOT NULL DEFAULT 0,
	duration_ms INTEGER NOT NULL DEFAULT 0,
	bytes       INTEGER NOT NULL DEFAULT 0,
	error       TEXT NOT NULL DEFAULT '',
	article_id  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX fetches_source ON fetches (source_id, id);

CREATE TABLE frontier (
	seq        INTEGER PRIMARY KEY,
	url        TEXT NOT NULL UNIQUE,
	host       TEXT NOT NULL DEFAULT '',
	source_id  INTEGER,
	depth      INTEGER NOT NULL DEFAULT 0,
	state      TEXT NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	reason     TEXT NOT NULL DEFAULT '',
	not_before INTEGER NOT NULL DEFAULT 0,
	added      INTEGER NOT NULL
);
CREATE INDEX frontier_queue ON frontier (state, not_before, seq);
