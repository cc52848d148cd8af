// Package dedupe computes the fingerprints the archive uses to recognise
// the same article text: an exact content hash of the normalised text, and
// a MinHash signature with locality-sensitive hashing (LSH) bands for
// near-duplicates such as syndicated and lightly edited copies.
//
// # Exact duplicates
//
// Normalize folds away differences that do not change what an article
// says: Unicode compatibility forms (NFKC), case, punctuation, and
// whitespace. ContentHash is the SHA-256 of the normalised text, so a copy
// that differs only in spacing, quotes or dashes has the same hash.
//
// # Near-duplicates
//
// Sign takes the normalised text's words and forms shingles of
// ShingleWords (4) consecutive words. The shingle size is fixed for all
// texts: signatures are only comparable when they use the same shingles, so
// a size that changed with a text's length would make a text and its
// lightly edited copy incomparable when they fall on either side of the
// length boundary. Four words is a compromise: one edited word breaks four
// shingles, so a 60-word brief with one edit keeps Jaccard similarity near
// 0.87 (five-word shingles: 0.84), while stock phrases shared by unrelated
// articles on one topic rarely span four words. In scripts written
// without spaces (Chinese, Japanese) each character is a word, as
// article.CountWords counts it: a shingle is four characters, about a
// two-word phrase, and a news brief of a few sentences is signed.
//
// Texts with fewer than MinWords (20) words get the zero Signature, which
// has no bands and is similar to nothing, not even to itself: such texts
// are too short for shingles to say anything. Their ContentHash still
// tells an unchanged text from an edited one, but the archive does not
// match them across articles by it either: equal short texts (empty
// bodies, paywall stubs) say nothing about two pages being one article.
//
// The signature holds NumHashes (128) values, computed by one-permutation
// hashing with optimal densification (Shrivastava, ICML 2017) rather than
// 128 independent hash functions: each shingle is hashed once with
// xxhash64; the top 7 bits of the hash pick one of 128 bins and the low 32
// bits are its value; each bin keeps the least value that fell into it;
// a bin that no shingle fell into takes the value of the first filled bin
// along a probe sequence of its own, fixed for all texts. As with classic
// MinHash, two signatures agree at a position with probability equal to
// the Jaccard similarity J of the two shingle sets, so Similarity, the
// fraction of agreeing positions, estimates J; it costs one hash per
// shingle instead of 128 (about three times faster for an 800-word
// article, where normalising the text now dominates). On generated texts
// (TestStatistics) the estimate is unbiased and its error is what 128
// independent samples give, sqrt(J(1-J)/128), about 0.03 at J = 0.85, for
// 60- and 400-word texts alike; for the shortest texts (about 20
// shingles) it is somewhat larger (0.047 against 0.041 at J ≈ 0.7).
// Values are 32 bits: half the storage of 64, and a chance collision
// between two different minima (2^-32) is far below the estimator's noise.
//
// # LSH bands and the S-curve
//
// Bands splits the first NumBands×BandRows = 21×6 = 126 values into 21 bands of
// 6 rows and hashes each band. Two texts become candidates when at least
// one band hash is equal, which for Jaccard similarity s happens with
// probability
//
//	P(s) = 1 - (1 - s^6)^21
//
//	s      0.2     0.3    0.4    0.5    0.6    0.7    0.8     0.85      0.9
//	P(s)   0.0013  0.015  0.083  0.28   0.63   0.93   0.9983  0.99995   >0.99999
//
// So pairs at or above Threshold (0.8) are missed by the bands with
// probability under 0.2%, and pairs that merely share a topic (s ≤ 0.3)
// are rarely even compared. With 128 values no band shape does better on
// both ends: 16 bands of 8 rows miss 5.3% of pairs at 0.8, 32 bands of 4
// rows make 87% of pairs at 0.5 candidates. Candidates are confirmed with
// IsNearDuplicate, so a pair at s = 0.5 that becomes a candidate costs one
// comparison and is not merged (its estimated similarity reaches 0.8 with
// probability about 10^-12; at s = 0.7 about 0.5%).
//
// The decision IsNearDuplicate is Similarity ≥ Threshold on the estimate,
// so its own error dominates near the threshold: a pair with true J = 0.85
// is missed about 6% of the time, one with J = 0.9 about 0.04% of the time
// (binomial tails of 128 draws; the estimate must reach 103 of 128).
//
// A caller that has both texts confirms a candidate exactly instead:
// ShingleSet gives a text's shingle set (the same shingles Sign hashes)
// and Shingles.Jaccard, or IsNearDuplicateText, the true similarity, at
// about the cost of signing both texts. Then only the bands can miss a
// pair (0.005% at J = 0.85), and nothing below Threshold is ever merged.
// The archive confirms its candidates this way (TestStatistics measures
// both decisions).
//
// # What it does not do
//
// The package does not store anything, cluster articles or decide which
// copy is the original: it only fingerprints texts and compares
// fingerprints. It sees only the text it is given, so callers decide
// whether to include the title. It does no stemming, stop-word removal or
// language-specific processing; words are runs of letters, digits, marks
// and currency signs.
package dedupe

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns text in the form that ContentHash and Sign compare:
// NFKC-normalised, lower-cased, with apostrophes and invisible format
// characters (soft hyphens, zero-width spaces) removed, every other
// punctuation mark, symbol (except currency signs), control character and
// run of whitespace replaced by a single space, and no leading or trailing
// space. Words are then separated by exactly one space. Removing
// apostrophes keeps "don't" and "dont" equal; turning other punctuation
// into spaces keeps "well-known" and "well known" equal.
func Normalize(text string) string {
	s := normalizeOnce(text)
	// Dropping a character can bring a base letter and a combining mark
	// together, and lower-casing can leave a string NFKC would change;
	// repeat (a bounded number of times) so that Normalize is idempotent.
	for range 3 {
		if norm.NFKC.IsNormalString(s) {
			break
		}
		s = normalizeOnce(s)
	}
	return s
}

func normalizeOnce(text string) string {
	s := norm.NFKC.String(text)
	var b strings.Builder
	b.Grow(len(s))
	gap := false
	for _, r := range s {
		if r < utf8.RuneSelf { // fast path for ASCII
			c := byte(r)
			switch {
			case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			case c >= 'A' && c <= 'Z':
				c += 'a' - 'A'
			case c == '\'':
				continue
			case c == '$':
				// a currency sign: part of a word
			default:
				gap = true
				continue
			}
			if gap && b.Len() > 0 {
				b.WriteByte(' ')
			}
			gap = false
			b.WriteByte(c)
			continue
		}
		switch {
		case isApostrophe(r) || unicode.Is(unicode.Cf, r):
			continue
		case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) || unicode.Is(unicode.Sc, r):
			if gap && b.Len() > 0 {
				b.WriteByte(' ')
			}
			gap = false
			b.WriteRune(unicode.ToLower(r))
		default:
			gap = true
		}
	}
	return b.String()
}

func isApostrophe(r rune) bool {
	return r == '\'' || r == '’' || r == 'ʼ' || r == '‘'
}

// ContentHash returns the hex-encoded SHA-256 of Normalize(text): two texts
// that differ only in case, whitespace, punctuation or Unicode
// compatibility forms have the same hash.
func ContentHash(text string) string {
	sum := sha256.Sum256([]byte(Normalize(text)))
	return hex.EncodeToString(sum[:])
}
