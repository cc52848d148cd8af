-- capture_chain: where a capture's redirect chain starts in its WARC file
-- (store.Capture.ChainOffset): the redirects that led to the response lie
-- from there up to capture_offset. Equal to capture_offset for a capture
-- reached without redirects; 0 where it is not known, as for every
-- capture stored before this migration (herald export looks for their
-- chains right before the response instead).
ALTER TABLE articles ADD COLUMN capture_chain INTEGER NOT NULL DEFAULT 0;
