-- capture_chain: where a capture's redirect chain starts in its WARC file
-- (store.Capture.ChainOffset; SQLite migration 0023). Equal to
-- capture_offset for a capture reached without redirects; 0 where it is
-- not known, as for every capture stored before this migration.
ALTER TABLE articles ADD COLUMN capture_chain bigint NOT NULL DEFAULT 0;
