-- LSH bands in an integer-keyed table (see bands.go): key is the band
-- hash folded to 35 bits (high and low bits exclusive-or'ed), shifted
-- left 28 bits, or'ed with the article's row number. SQLite has no
-- exclusive or: a ^ b = (a | b) & ~(a & b); bands are stored as signed
-- 64-bit integers, so the logical right shift masks off the sign copies.
CREATE TABLE article_lsh (key INTEGER PRIMARY KEY);
INSERT OR IGNORE INTO article_lsh (key)
	SELECT ((((band | ((band >> 35) & 536870911)) & ~(band & ((band >> 35) & 536870911))) & 34359738367) << 28) | n
	FROM article_bands ORDER BY 1;
DROP TABLE article_bands;
