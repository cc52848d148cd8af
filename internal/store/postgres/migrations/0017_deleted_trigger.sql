-- A trigger records each deleted article in deleted_articles (0016), in
-- place of a statement of the Go code: a worker of an older Herald still
-- running during an upgrade records its deletions too, and so does a
-- DELETE an administrator runs by hand. Articles leave the table only
-- when deleted (herald delete, the API, the web form), so every row the
-- trigger sees is a deletion. The time is on the clock of
-- articles.changed; an article deleted again takes the later time. The
-- canonical URL is the article's own URL when it has none.
--
-- The table is named in the trigger's own schema (TG_TABLE_SCHEMA), not
-- found through the deleting session's search_path: one database may
-- hold several archives, one a schema, and a DELETE run from another
-- schema must not record its deletion in that schema's archive.
CREATE FUNCTION herald_article_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('INSERT INTO %I.deleted_articles (id, canonical_url, deleted) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET canonical_url = excluded.canonical_url, deleted = excluded.deleted', TG_TABLE_SCHEMA)
	USING OLD.id, coalesce(nullif(OLD.canonical_url, ''), OLD.url), (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
	RETURN OLD;
END
$$;
CREATE TRIGGER articles_deleted AFTER DELETE ON articles
	FOR EACH ROW EXECUTE FUNCTION herald_article_deleted();
