-- Herald before December 2026 stored the single-line fields of imported
-- records as they came: a section " World ", a title broken over two
-- lines. The archive tidies every record it is given now (internal/archive,
-- tidy); this gives the articles already stored the same shape. Title,
-- description, site name and section have each run of white space (line
-- breaks, tabs, no-break and other Unicode spaces: what Go's
-- unicode.IsSpace calls space) made one space, and their ends trimmed,
-- as archive.oneLine does. The runs are collapsed by marking each space
-- with char(1) and removing every mark that a space follows: stored
-- fields hold no control characters (the archive strips them), so no
-- mark is left over or taken for text.
--
-- Only the rows that may change are worked on, and only those that do
-- are written. A field can change only if it holds a character outside
-- printable ASCII (every kind of white space but the space is one), a
-- doubled space, or a space at an end; the view skips the other rows
-- before the 27 replace() calls a field. On a million articles with
-- English (ASCII) titles and descriptions that took the migration from
-- 23 s to 5 s on a busy 2-core machine; where every title holds letters
-- outside ASCII (Cyrillic) every row is worked on, as before (22-28 s).
-- The full-text index needs no
-- work: it holds the words of title and description and their places
-- in word order, which white space does not change. The lists (authors,
-- tags) and the earlier versions of articles (article_versions) are left
-- as they are.
CREATE TEMP VIEW one_line AS SELECT n,
	trim(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(title, char(9), ' '), char(10), ' '), char(11), ' '), char(12), ' '), char(13), ' '), char(133), ' '), char(160), ' '), char(5760), ' '), char(8192), ' '), char(8193), ' '), char(8194), ' '), char(8195), ' '), char(8196), ' '), char(8197), ' '), char(8198), ' '), char(8199), ' '), char(8200), ' '), char(8201), ' '), char(8202), ' '), char(8232), ' '), char(8233), ' '), char(8239), ' '), char(8287), ' '), char(12288), ' '), ' ', ' ' || char(1)), char(1) || ' ', ''), char(1), ''), ' ') AS title,
	trim(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(description, char(9), ' '), char(10), ' '), char(11), ' '), char(12), ' '), char(13), ' '), char(133), ' '), char(160), ' '), char(5760), ' '), char(8192), ' '), char(8193), ' '), char(8194), ' '), char(8195), ' '), char(8196), ' '), char(8197), ' '), char(8198), ' '), char(8199), ' '), char(8200), ' '), char(8201), ' '), char(8202), ' '), char(8232), ' '), char(8233), ' '), char(8239), ' '), char(8287), ' '), char(12288), ' '), ' ', ' ' || char(1)), char(1) || ' ', ''), char(1), ''), ' ') AS description,
	trim(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(site_name, char(9), ' '), char(10), ' '), char(11), ' '), char(12), ' '), char(13), ' '), char(133), ' '), char(160), ' '), char(5760), ' '), char(8192), ' '), char(8193), ' '), char(8194), ' '), char(8195), ' '), char(8196), ' '), char(8197), ' '), char(8198), ' '), char(8199), ' '), char(8200), ' '), char(8201), ' '), char(8202), ' '), char(8232), ' '), char(8233), ' '), char(8239), ' '), char(8287), ' '), char(12288), ' '), ' ', ' ' || char(1)), char(1) || ' ', ''), char(1), ''), ' ') AS site_name,
	trim(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(section, char(9), ' '), char(10), ' '), char(11), ' '), char(12), ' '), char(13), ' '), char(133), ' '), char(160), ' '), char(5760), ' '), char(8192), ' '), char(8193), ' '), char(8194), ' '), char(8195), ' '), char(8196), ' '), char(8197), ' '), char(8198), ' '), char(8199), ' '), char(8200), ' '), char(8201), ' '), char(8202), ' '), char(8232), ' '), char(8233), ' '), char(8239), ' '), char(8287), ' '), char(12288), ' '), ' ', ' ' || char(1)), char(1) || ' ', ''), char(1), ''), ' ') AS section
	FROM articles
	WHERE instr(title, '  ') OR title <> trim(title, ' ') OR title GLOB '*[^ -~]*'
		OR instr(description, '  ') OR description <> trim(description, ' ') OR description GLOB '*[^ -~]*'
		OR instr(site_name, '  ') OR site_name <> trim(site_name, ' ') OR site_name GLOB '*[^ -~]*'
		OR instr(section, '  ') OR section <> trim(section, ' ') OR section GLOB '*[^ -~]*';
UPDATE articles SET title = o.title, description = o.description, site_name = o.site_name, section = o.section
	FROM one_line o
	WHERE o.n = articles.n AND (o.title <> articles.title OR o.description <> articles.description
		OR o.site_name <> articles.site_name OR o.section <> articles.section);
DROP VIEW one_line;
