-- Herald before December 2026 stored the single-line fields of imported
-- records as they came: a section " World ", a title broken over two
-- lines. The archive tidies every record it is given now (internal/archive,
-- tidy); this gives the articles already stored the same shape. Title,
-- description, site name and section have each run of white space (line
-- breaks, tabs, no-break and other Unicode spaces: what Go's
-- unicode.IsSpace calls space) made one space, and their ends trimmed, by
-- herald_one_line, a function of this package (compress.go). It once did
-- that with 27 nested replace() calls a field: on a million articles, on
-- a busy 2-core machine, 20-33 s with English titles and 28-44 s with
-- Cyrillic ones, where the function takes 4 and 6-10 s.
--
-- Only the rows that change are written. The full-text index needs no
-- work: it holds the words of title and description and their places
-- in word order, which white space does not change. The lists (authors,
-- tags) and the earlier versions of articles (article_versions) are left
-- as they are.
CREATE TEMP VIEW one_line AS SELECT n,
	herald_one_line(title) AS title,
	herald_one_line(description) AS description,
	herald_one_line(site_name) AS site_name,
	herald_one_line(section) AS section
	FROM articles;
UPDATE articles SET title = o.title, description = o.description, site_name = o.site_name, section = o.section
	FROM one_line o
	WHERE o.n = articles.n AND (o.title <> articles.title OR o.description <> articles.description
		OR o.site_name <> articles.site_name OR o.section <> articles.section);
DROP VIEW one_line;
