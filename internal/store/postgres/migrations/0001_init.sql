-- Herald archive schema for PostgreSQL, version 1: the same records as the
-- SQLite backend's schema, laid out for PostgreSQL.
--
-- Text columns that are compared or sorted (ids, hosts, names, hashes) use
-- the "C" collation: byte order, as SQLite compares them, so that ties and
-- Top lists come out in the same order on both backends whatever the
-- database's locale.
--
-- articles holds the current version of each article. n is the internal
-- row number (insertion order, like SQLite's rowid): the side tables point
-- at it and relevance ties on a query of words alone break by it. date is
-- the unix second the archive files the article under (published, else
-- fetched_at): range filters, date sorting, timelines. Record times are
-- RFC 3339 text, so the declared zone is kept as it was. tsv is the search
-- vector, built by the Go code from title, description, authors, tags and
-- text with the same tokenisation as SQLite's FTS5 (see tokenize.go).
--
-- Partitioning by month: see docs/ARCHITECTURE.md. Every query that
-- touches articles goes through n or id, and every write knows the date,
-- so a later migration can turn articles into a table partitioned by
-- range of date (primary key (n, date)) with id uniqueness kept in a
-- small article_ids (id, n, date) table, without changing the queries
-- that read.

CREATE TABLE sites (
	id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	host text COLLATE "C" NOT NULL UNIQUE
);

CREATE TABLE articles (
	n                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id                text COLLATE "C" NOT NULL UNIQUE,
	url               text NOT NULL,
	canonical_url     text COLLATE "C" NOT NULL,
	site_id           bigint NOT NULL REFERENCES sites (id),
	date              bigint NOT NULL,
	published         text NOT NULL DEFAULT '',
	modified          text NOT NULL DEFAULT '',
	fetched_at        text NOT NULL DEFAULT '',
	title             text NOT NULL DEFAULT '',
	description       text NOT NULL DEFAULT '',
	authors           text NOT NULL DEFAULT '', -- one per line
	tags              text NOT NULL DEFAULT '', -- one per line
	site_name         text NOT NULL DEFAULT '',
	section           text COLLATE "C" NOT NULL DEFAULT '',
	language          text COLLATE "C" NOT NULL DEFAULT '',
	image             text NOT NULL DEFAULT '',
	free              boolean,                  -- NULL when not declared
	word_count        integer NOT NULL DEFAULT 0,
	source            text NOT NULL DEFAULT '',
	capture_file      text NOT NULL DEFAULT '',
	capture_offset    bigint NOT NULL DEFAULT 0,
	capture_record    text NOT NULL DEFAULT '',
	extractor_version text NOT NULL DEFAULT '',
	content_hash      text COLLATE "C" NOT NULL,
	cluster_id        text COLLATE "C" NOT NULL,
	version           integer NOT NULL DEFAULT 1,
	text_bytes        bigint NOT NULL DEFAULT 0,
	text              text NOT NULL DEFAULT '',
	tsv               tsvector NOT NULL
);

CREATE INDEX articles_date ON articles (date, id);
CREATE INDEX articles_site ON articles (site_id, date);
CREATE INDEX articles_cluster ON articles (cluster_id);
CREATE INDEX articles_hash ON articles (content_hash);
CREATE INDEX articles_canonical ON articles (canonical_url);
CREATE INDEX articles_tsv ON articles USING gin (tsv);

-- Running totals that would otherwise need a scan of every article; the
-- write transactions add to them just before they commit.
CREATE TABLE counters (
	one        integer PRIMARY KEY CHECK (one = 1),
	text_bytes bigint NOT NULL
);
INSERT INTO counters (one, text_bytes) VALUES (1, 0);

-- Earlier versions of an article, as their JSON record.
CREATE TABLE article_versions (
	article_n bigint NOT NULL REFERENCES articles (n) ON DELETE CASCADE,
	version   integer NOT NULL,
	record    text NOT NULL,
	PRIMARY KEY (article_n, version)
);

-- Authors and tags: dictionaries plus links, for author:/tag: and Top.
-- norm is the lower-cased name with single spaces; name the spelling first
-- stored.
CREATE TABLE authors (
	id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name text COLLATE "C" NOT NULL,
	norm text COLLATE "C" NOT NULL UNIQUE
);
CREATE TABLE article_authors (
	n         bigint NOT NULL REFERENCES articles (n) ON DELETE CASCADE,
	author_id bigint NOT NULL REFERENCES authors (id),
	PRIMARY KEY (n, author_id)
);
CREATE INDEX article_authors_author ON article_authors (author_id, n);

CREATE TABLE tags (
	id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name text COLLATE "C" NOT NULL,
	norm text COLLATE "C" NOT NULL UNIQUE
);
CREATE TABLE article_tags (
	n      bigint NOT NULL REFERENCES articles (n) ON DELETE CASCADE,
	tag_id bigint NOT NULL REFERENCES tags (id),
	PRIMARY KEY (n, tag_id)
);
CREATE INDEX article_tags_tag ON article_tags (tag_id, n);

-- LSH band hashes (uint64 stored bit for bit as bigint) for near-duplicate
-- candidates. An updated article's earlier bands stay; they can only add a
-- candidate that the archive's comparison rejects.
CREATE TABLE article_bands (
	band bigint NOT NULL,
	n    bigint NOT NULL REFERENCES articles (n) ON DELETE CASCADE,
	PRIMARY KEY (band, n)
);

-- Harvesting. Times here are unix milliseconds, 0 when unset.
CREATE TABLE sources (
	id            bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	url           text NOT NULL UNIQUE,
	kind          text NOT NULL,
	interval_ms   bigint NOT NULL DEFAULT 0,
	paused        boolean NOT NULL DEFAULT false,
	added         bigint NOT NULL,
	last_polled   bigint NOT NULL DEFAULT 0,
	next_poll     bigint NOT NULL DEFAULT 0,
	last_error    text NOT NULL DEFAULT '',
	etag          text NOT NULL DEFAULT '',
	last_modified text NOT NULL DEFAULT ''
);

CREATE TABLE fetches (
	id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	source_id   bigint REFERENCES sources (id) ON DELETE CASCADE,
	url         text NOT NULL,
	at          bigint NOT NULL,
	status      integer NOT NULL DEFAULT 0,
	duration_ms bigint NOT NULL DEFAULT 0,
	bytes       bigint NOT NULL DEFAULT 0,
	error       text NOT NULL DEFAULT '',
	article_id  text NOT NULL DEFAULT ''
);
CREATE INDEX fetches_source ON fetches (source_id, id);

-- The frontier is a queue that several workers may claim from at once
-- (FOR UPDATE SKIP LOCKED).
CREATE TABLE frontier (
	seq        bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	url        text NOT NULL UNIQUE,
	host       text NOT NULL DEFAULT '',
	source_id  bigint,
	depth      integer NOT NULL DEFAULT 0,
	state      text NOT NULL,
	attempts   integer NOT NULL DEFAULT 0,
	reason     text NOT NULL DEFAULT '',
	not_before bigint NOT NULL DEFAULT 0,
	added      bigint NOT NULL
);
CREATE INDEX frontier_queue ON frontier (state, not_before, seq);
