package dedupe

import "slices"

// Shingles is the set of a text's shingles as Sign sees them (the
// normalised text's ShingleWords-word shingles, each hashed with
// xxhash64), sorted and without repeats. It is what Similarity estimates
// the Jaccard similarity of; comparing two sets gives the exact value. A
// text of fewer than MinWords words has the empty set.
type Shingles []uint64

// ShingleSet returns the shingle set of text. It costs about what Sign
// costs, and holds 8 bytes per distinct shingle.
func ShingleSet(text string) Shingles {
	s := splitUnspaced(Normalize(text))
	if wordCount(s) < MinWords {
		return nil
	}
	out := make(Shingles, 0, wordCount(s))
	for h := range shingleHashes(s) {
		out = append(out, h)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Jaccard returns the exact Jaccard similarity of two shingle sets:
// shared shingles over all shingles. It is 0 when either set is empty,
// as Similarity is for the zero Signature.
func (s Shingles) Jaccard(o Shingles) float64 {
	if len(s) == 0 || len(o) == 0 {
		return 0
	}
	shared := 0
	for i, j := 0, 0; i < len(s) && j < len(o); {
		switch {
		case s[i] < o[j]:
			i++
		case s[i] > o[j]:
			j++
		default:
			shared++
			i++
			j++
		}
	}
	return float64(shared) / float64(len(s)+len(o)-shared)
}

// Jaccard returns the exact Jaccard similarity of the shingle sets of
// texts a and b (see Shingles).
func Jaccard(a, b string) float64 {
	return ShingleSet(a).Jaccard(ShingleSet(b))
}

// IsNearDuplicateText reports whether texts a and b are near-duplicates
// by their exact similarity: Jaccard(a, b) ≥ Threshold. A caller that has
// both texts (the archive confirming an LSH candidate) uses it instead of
// IsNearDuplicate, whose estimate misses about 6% of pairs at J = 0.85.
func IsNearDuplicateText(a, b string) bool {
	return Jaccard(a, b) >= Threshold
}
