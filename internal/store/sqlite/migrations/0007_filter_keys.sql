-- A covering index for queries of filters alone: counting the articles of
-- a date range in a language or section (lang:en after:2024-06-01) reads
-- this index instead of an article row per match. About 28 bytes an
-- article.
CREATE INDEX articles_filters ON articles (date, language, section, site_id);
