-- Language-aware ranking. Matching stays on tsv, the unstemmed vector
-- with SQLite's tokenisation, so that both backends find the same
-- articles for the same query. Ranking uses a second vector, stems, built
-- by PostgreSQL with the text search configuration of the article's
-- language (english, russian, german, ...): a query for "election" then
-- scores an article by its "elections" and "elected" too, and one for
-- "выборы" by "выборов". Which articles match, and every date order, are
-- unchanged.
--
-- ts_config is the configuration, from the primary subtag of the
-- article's language, among those this server has; NULL when the language
-- is unknown or has none, and then stems is NULL too and the article
-- ranks on tsv, as before. Both are generated columns: every write path
-- (Put, refresh, restore) keeps them right without knowing of them, and
-- this migration fills them for the articles already stored (it rewrites
-- the table, under a lock, once; see the toast target above).
--
-- stems weighs fields as tsv does: title A, description and tags B,
-- authors C (names are not stemmed), text D.
-- Rows narrow enough to walk: a search or timeline reads the heap row of
-- every match (GIN gives no row number, date or cluster), and a row that
-- keeps its compressed text inline is about 1 KB. With a toast target of
-- 128 bytes the text goes out of line too (still compressed), the rows
-- come to about 400 bytes, and a common word's matches span 2.6 times
-- fewer pages. The rewrite below applies it to the rows already stored.
ALTER TABLE articles SET (toast_tuple_target = 128);

DO $$
DECLARE
	langs text[] := ARRAY[
		'ar', 'arabic', 'hy', 'armenian', 'eu', 'basque', 'ca', 'catalan',
		'da', 'danish', 'nl', 'dutch', 'en', 'english', 'fi', 'finnish',
		'fr', 'french', 'de', 'german', 'el', 'greek', 'hi', 'hindi',
		'hu', 'hungarian', 'id', 'indonesian', 'ga', 'irish', 'it', 'italian',
		'lt', 'lithuanian', 'ne', 'nepali', 'no', 'norwegian', 'nb', 'norwegian',
		'nn', 'norwegian', 'pt', 'portuguese', 'ro', 'romanian', 'ru', 'russian',
		'sr', 'serbian', 'es', 'spanish', 'sv', 'swedish', 'ta', 'tamil',
		'tr', 'turkish', 'yi', 'yiddish'];
	cases text := '';
	cfg text;
	i int;
BEGIN
	FOR i IN 1 .. array_length(langs, 1) BY 2 LOOP
		IF EXISTS (SELECT 1 FROM pg_catalog.pg_ts_config c
				JOIN pg_catalog.pg_namespace s ON s.oid = c.cfgnamespace
				WHERE s.nspname = 'pg_catalog' AND c.cfgname = langs[i + 1]) THEN
			cases := cases || format(' WHEN %L THEN %L::regconfig', langs[i], 'pg_catalog.' || langs[i + 1]);
		END IF;
	END LOOP;
	IF cases = '' THEN
		cfg := 'NULL::regconfig';
	ELSE
		cfg := '(CASE lower(split_part(language, ''-'', 1))' || cases || ' END)';
	END IF;
	EXECUTE 'ALTER TABLE articles ADD COLUMN ts_config regconfig GENERATED ALWAYS AS (' || cfg || ') STORED, '
		|| 'ADD COLUMN stems tsvector GENERATED ALWAYS AS (CASE WHEN ' || cfg || ' IS NULL THEN NULL ELSE '
		|| 'setweight(to_tsvector(' || cfg || ', title), ''A'') || '
		|| 'setweight(to_tsvector(' || cfg || ', description || '' '' || tags), ''B'') || '
		|| 'setweight(to_tsvector(''pg_catalog.simple''::regconfig, authors), ''C'') || '
		|| 'to_tsvector(' || cfg || ', text) END) STORED';
END
$$;

-- Out of line and uncompressed, as tsv (migration 0003): ranking reads
-- the vectors of up to RankWindow matches a query.
ALTER TABLE articles ALTER COLUMN stems SET STORAGE EXTERNAL;

-- herald_rank scores a match: ts_rank with the field weights {D text,
-- C authors, B description and tags, A title} (the proportions of the
-- SQLite backend's bm25 weights 1, 2, 3 and 10) and normalisation 1,
-- which divides by 1 + the logarithm of the article's length. An article
-- with stems is scored on them, with the query put through its
-- language's configuration; one without stems, or whose stemmed query
-- scores nothing (a query of that language's stop words alone, say), on
-- tsv with the query as it is. One expression, so that the planner
-- inlines it into the query that ranks.
CREATE FUNCTION herald_rank(stems tsvector, tsv tsvector, cfg regconfig, q tsquery) RETURNS real
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN stems IS NULL THEN ts_rank('{0.1, 0.2, 0.3, 1.0}', tsv, q, 1)
		ELSE coalesce(nullif(ts_rank('{0.1, 0.2, 0.3, 1.0}', stems, to_tsquery(cfg, q::text), 1), 0),
			ts_rank('{0.1, 0.2, 0.3, 1.0}', tsv, q, 1)) END
$$;
