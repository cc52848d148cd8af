-- Readers keep, per archive, the cluster of every article that shares one
-- (a few per cent of them), to count a phrase's clusters in one walk of
-- its matches (see clusters.go), and load it through this index.
CREATE INDEX article_keys_marked ON article_keys (n, cluster) WHERE cluster IS NOT NULL;
