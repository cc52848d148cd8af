-- No foreign key checks on the per-article link tables. Each checked row
-- costs a lookup (and a share lock) of the article or dictionary row it
-- points at: an article writes about 25 such rows (21 band hashes, its
-- authors and tags), and the checks were a large part of an ingest's
-- server time. The rows are written only by the write transactions, with
-- the row number they have just inserted or locked and dictionary ids
-- they have just read or created, so the references hold by
-- construction (the SQLite backend argues the same, with its checks off
-- in article transactions). Articles are never deleted, so the cascades
-- had nothing to do.
ALTER TABLE article_bands DROP CONSTRAINT article_bands_n_fkey;
ALTER TABLE article_authors DROP CONSTRAINT article_authors_n_fkey;
ALTER TABLE article_authors DROP CONSTRAINT article_authors_author_id_fkey;
ALTER TABLE article_tags DROP CONSTRAINT article_tags_n_fkey;
ALTER TABLE article_tags DROP CONSTRAINT article_tags_tag_id_fkey;

-- Texts and search vectors are compressed with lz4 where the server has
-- it (PostgreSQL 14 and later, built with lz4, as Debian's is): several
-- times faster to compress and read back than the default pglz, for a
-- few per cent more space. Elsewhere they stay pglz.
DO $$
BEGIN
	ALTER TABLE articles ALTER COLUMN text SET COMPRESSION lz4, ALTER COLUMN tsv SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
	RAISE NOTICE 'lz4 compression not available: %', SQLERRM;
END
$$;
