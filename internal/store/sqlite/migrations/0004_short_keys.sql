-- Shorter index keys. Seen looks articles up by canonical URL (about 60
-- bytes) and ingest by content hash (32 bytes); the indexes hold a 64-bit
-- hash of the URL (herald_key, a function this package registers) and the
-- hash's first 8 bytes instead, and the queries compare the full values
-- on the rows they lead to. A third of the size of the two indexes.
DROP INDEX articles_canonical;
CREATE INDEX articles_canonical ON articles (herald_key(canonical_url));
DROP INDEX articles_hash;
CREATE INDEX articles_hash ON articles (substr(content_hash, 1, 8));
