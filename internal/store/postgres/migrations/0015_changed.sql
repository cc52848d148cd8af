-- changed is when the archive last wrote the article's record (a new
-- article, a new version, refreshed metadata, a new cluster), in unix
-- milliseconds of the server's clock: herald export --changed-since
-- reads it, for exports that bring a copy of the archive up to date.
-- Articles stored before this migration keep 0, and count as changed when
-- it ran (counters.changes_from): a delta from before then holds them all.
--
-- A trigger stamps every row written, rather than each statement of the
-- Go code: a worker of an older Herald still writing to the archive
-- during an upgrade stamps its articles too, and so will any later
-- statement (a later migration rewriting articles makes them all
-- changed: a delta then holds more, never less).
ALTER TABLE articles ADD COLUMN changed bigint NOT NULL DEFAULT 0;
CREATE INDEX articles_changed ON articles (changed);
ALTER TABLE counters ADD COLUMN changes_from bigint NOT NULL DEFAULT 0;
UPDATE counters SET changes_from = (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
CREATE FUNCTION herald_article_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.changed := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
	RETURN NEW;
END
$$;
CREATE TRIGGER articles_changed BEFORE INSERT OR UPDATE ON articles
	FOR EACH ROW EXECUTE FUNCTION herald_article_changed();
