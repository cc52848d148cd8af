-- Rows of deleted articles. Migration 0002 dropped the foreign keys (and
-- their ON DELETE CASCADE) of article_bands, article_authors and
-- article_tags when articles were never deleted; herald delete then left
-- a deleted article's rows in them (they are deleted with it now), and
-- herald top author and top tag counted the links. Row numbers are never
-- taken again, so every row whose article is gone is one of those.
DELETE FROM article_bands b WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.n = b.n);
DELETE FROM article_authors l WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.n = l.n);
DELETE FROM article_tags l WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.n = l.n);
