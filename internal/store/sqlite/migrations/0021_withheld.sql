-- Articles the archive keeps out (herald delete --withhold): deleted for
-- good, their id is not archived again, by a harvest or an import, until
-- released. id is the article id (derived from the canonical URL), url
-- the canonical URL (Seen reports it as seen, so harvests skip it), at
-- when it was withheld (Unix milliseconds), reason what the user gave.
CREATE TABLE withheld (
	id     TEXT PRIMARY KEY,
	url    TEXT NOT NULL,
	at     INTEGER NOT NULL,
	reason TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX withheld_url ON withheld (url);
