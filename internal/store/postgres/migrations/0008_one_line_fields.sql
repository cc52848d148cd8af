-- Herald before December 2026 stored the single-line fields of imported
-- records as they came: a section " World ", a title broken over two
-- lines. The archive tidies every record it is given now (internal/archive,
-- tidy); this gives the articles already stored the same shape. Title,
-- description, site name and section have each run of white space (line
-- breaks, tabs, no-break and other Unicode spaces: the class below is
-- what Go's unicode.IsSpace calls space) made one space, and their ends
-- trimmed, as archive.oneLine does.
--
-- Only the rows that change are written; PostgreSQL computes their
-- generated columns (stems) again. The search vector (tsv) needs no
-- work: it holds the words of the fields and their places in word order,
-- which white space does not change. The lists (authors, tags) and the
-- earlier versions of articles (article_versions) are left as they are.
UPDATE articles a SET title = o.title, description = o.description, site_name = o.site_name, section = o.section
	FROM (SELECT n,
		btrim(regexp_replace(title, '[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+', ' ', 'g'), ' ') AS title,
		btrim(regexp_replace(description, '[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+', ' ', 'g'), ' ') AS description,
		btrim(regexp_replace(site_name, '[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+', ' ', 'g'), ' ') AS site_name,
		btrim(regexp_replace(section, '[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+', ' ', 'g'), ' ') AS section
		FROM articles) o
	WHERE a.n = o.n AND (a.title <> o.title OR a.description <> o.description
		OR a.site_name <> o.site_name OR a.section <> o.section);
