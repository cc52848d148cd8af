-- Search vectors are stored out of line and uncompressed. Ranking reads
-- the vectors of thousands of matches per query, and a vector (positions
-- and weights of distinct words) barely compresses: pglz gives up on most
-- of them, and lz4 (migration 0002) made them 15% smaller but ranking 40%
-- slower on 100k articles, for the decompression.
ALTER TABLE articles ALTER COLUMN tsv SET STORAGE EXTERNAL;
