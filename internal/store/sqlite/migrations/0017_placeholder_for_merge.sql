-- Placeholder, no schema change. Number 0017 belongs to a migration on
-- another branch; this file only keeps this branch's migrations in
-- sequence (0018_sitemap_validators.sql follows it). Delete it when the
-- branches are merged, keeping the other branch's 0017.
SELECT 1;
