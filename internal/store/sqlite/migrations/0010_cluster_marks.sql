-- Readers keep, per archive, the cluster of every article that shares one
-- (a few per cent of them), to count a phrase's clusters in one walk of
-- its matches (see clusters.go). They load it through this index, and a
-- write transaction that marks a stored article as a cluster member (its
-- cluster gains a second article) bumps clusters_version so that they
-- load it again. New rows need no bump: row numbers only grow.
CREATE INDEX article_keys_marked ON article_keys (n, cluster) WHERE cluster IS NOT NULL;
ALTER TABLE counters ADD COLUMN clusters_version INTEGER NOT NULL DEFAULT 0;
