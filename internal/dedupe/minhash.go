package dedupe

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"iter"
	"strings"

	"github.com/cespare/xxhash/v2"

	"github.com/herald-archive/herald/article"
)

// The signature's shape. Changing any of these, or the hash functions,
// makes stored signatures incomparable with new ones: bump
// signatureVersion when doing so.
const (
	// NumHashes is the number of MinHash values in a Signature.
	NumHashes = 128
	// ShingleWords is the number of consecutive words in a shingle.
	ShingleWords = 4
	// MinWords is the fewest words a text needs for a non-zero Signature.
	MinWords = 20
	// NumBands is the number of LSH bands Bands returns.
	NumBands = 21
	// BandRows is the number of signature values in each band.
	BandRows = 6
	// Threshold is the estimated Jaccard similarity at or above which two
	// texts are near-duplicates.
	Threshold = 0.8
)

// signatureVersion is the first byte of an encoded non-zero signature.
const signatureVersion = 1

// encodedLen is the length of an encoded non-zero signature.
const encodedLen = 1 + 4*NumHashes

// Signature is the MinHash signature of a text: for each of NumHashes
// bins, the least hash value of the text's shingles that fell into it (or
// the value it borrowed, see the package documentation). The zero
// Signature stands for a text too short to sign; it matches nothing.
type Signature [NumHashes]uint32

// probe returns the bin that an empty bin borrows from on its attempt-th
// try: a fixed pseudo-random sequence (SplitMix64 of bin and attempt), the
// same for every text, as optimal densification requires.
func probe(bin, attempt int) int {
	z := uint64(bin)<<32 | uint64(attempt) + 0x68657261_6c640001 // "herald"
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	z ^= z >> 31
	return int(z >> (64 - binBits))
}

// maxProbes bounds the probe sequence. Every bin's sequence reaches every
// other bin well within it (TestProbeCoversBins), so the bound never cuts
// a search short; it only makes termination evident.
const maxProbes = 1 << 12

// binBits is log2(NumHashes): the bits of a shingle's hash that pick its bin.
const binBits = 7

// Sign returns the MinHash signature of text's word shingles, or the zero
// Signature when the normalised text has fewer than MinWords words.
func Sign(text string) Signature {
	return signNormalized(Normalize(text))
}

// Signable reports whether text has at least MinWords words once
// normalised: whether Sign gives it a non-zero Signature, and so whether
// the archive matches it against other articles at all (by content hash
// or as a near duplicate).
func Signable(text string) bool {
	return wordCount(splitUnspaced(Normalize(text))) >= MinWords
}

// splitUnspaced returns the normalised text s with each character of a
// script written without spaces (article.Unspaced: Chinese, Japanese) as
// a word of its own, as article.CountWords counts them: shingles of such
// a text are then runs of ShingleWords characters, as a phrase of a few
// words, rather than of whole sentences. A text without such characters
// is returned as it is (its signature is what it was before they were
// split).
func splitUnspaced(s string) string {
	i := 0
	for i < len(s) && s[i] < 0xE2 { // every Unspaced rune starts with a byte ≥ 0xE2
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	b.WriteString(s[:i])
	split := false // the last rune written was Unspaced
	for _, r := range s[i:] {
		switch {
		case r == ' ':
			split = false
		case article.Unspaced(r):
			if b.Len() > 0 && !strings.HasSuffix(b.String(), " ") {
				b.WriteByte(' ')
			}
			split = true
		case split:
			b.WriteByte(' ')
			split = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// signNormalized signs a text already in Normalize's form: words separated
// by single spaces.
func signNormalized(s string) Signature {
	var sig Signature
	s = splitUnspaced(s)
	if wordCount(s) < MinWords {
		return sig
	}
	var filled [NumHashes]bool
	for h := range shingleHashes(s) {
		bin, v := h>>(64-binBits), uint32(h)
		if !filled[bin] || v < sig[bin] {
			sig[bin], filled[bin] = v, true
		}
	}
	// Optimal densification: an empty bin takes the value of the first
	// filled bin along its own probe sequence.
	var dense Signature
	for b := range dense {
		if filled[b] {
			dense[b] = sig[b]
			continue
		}
		for attempt := range maxProbes {
			if j := probe(b, attempt); filled[j] {
				dense[b] = sig[j]
				break
			}
		}
	}
	return dense
}

// shingleHashes yields the xxhash64 of each ShingleWords-word shingle of a
// normalised text (words separated by single spaces), in order; Sign and
// ShingleSet both read shingles through it, so they see the same set.
func shingleHashes(s string) iter.Seq[uint64] {
	return func(yield func(uint64) bool) {
		// starts holds the offsets of the last ShingleWords word starts.
		var starts [ShingleWords]int
		n, start := 0, 0
		for i := 0; i <= len(s); i++ {
			if i < len(s) && s[i] != ' ' {
				continue
			}
			starts[n%ShingleWords] = start
			n++
			start = i + 1
			if n < ShingleWords {
				continue
			}
			// starts[n%ShingleWords] is the oldest of the last ShingleWords.
			if !yield(xxhash.Sum64String(s[starts[n%ShingleWords]:i])) {
				return
			}
		}
	}
}

// wordCount counts the words of a normalised text.
func wordCount(s string) int {
	if s == "" {
		return 0
	}
	n := 1
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			n++
		}
	}
	return n
}

// IsZero reports whether s is the zero Signature of a text too short to
// sign.
func (s *Signature) IsZero() bool {
	return *s == Signature{}
}

// Similarity returns the estimated Jaccard similarity of the shingle sets
// behind a and b: the fraction of positions where they agree. It is 0 when
// either is the zero Signature.
func Similarity(a, b Signature) float64 {
	if a.IsZero() || b.IsZero() {
		return 0
	}
	eq := 0
	for i := range a {
		if a[i] == b[i] {
			eq++
		}
	}
	return float64(eq) / NumHashes
}

// IsNearDuplicate reports whether the texts behind a and b are
// near-duplicates: Similarity(a, b) ≥ Threshold. It is false when either
// is the zero Signature.
func IsNearDuplicate(a, b Signature) bool {
	return Similarity(a, b) >= Threshold
}

// Bands returns the NumBands LSH band hashes of s, for finding candidate
// near-duplicates by exact match: two signatures that share any band hash
// (at the same index) are candidates. Band i hashes the band number with
// rows i*BandRows to (i+1)*BandRows-1, so equal rows in different bands
// give different hashes and all bands can share one index. The zero
// Signature has no bands (nil).
func (s Signature) Bands() []uint64 {
	if s.IsZero() {
		return nil
	}
	out := make([]uint64, NumBands)
	var buf [1 + 4*BandRows]byte
	for b := range out {
		buf[0] = byte(b)
		for r := range BandRows {
			binary.LittleEndian.PutUint32(buf[1+4*r:], s[b*BandRows+r])
		}
		out[b] = xxhash.Sum64(buf[:])
	}
	return out
}

// MarshalBinary encodes s for storage: nothing for the zero Signature,
// otherwise a version byte followed by the NumHashes values as
// little-endian uint32s (513 bytes).
func (s Signature) MarshalBinary() ([]byte, error) {
	if s.IsZero() {
		return []byte{}, nil
	}
	out := make([]byte, encodedLen)
	out[0] = signatureVersion
	for i, v := range s {
		binary.LittleEndian.PutUint32(out[1+4*i:], v)
	}
	return out, nil
}

// UnmarshalBinary decodes what MarshalBinary encoded. Empty data decodes
// to the zero Signature; data of another length or version is an error and
// leaves s unchanged.
func (s *Signature) UnmarshalBinary(data []byte) error {
	if len(data) == 0 {
		*s = Signature{}
		return nil
	}
	if len(data) != encodedLen {
		return fmt.Errorf("decode signature: %d bytes, want 0 or %d", len(data), encodedLen)
	}
	if data[0] != signatureVersion {
		return fmt.Errorf("decode signature: version %d, want %d", data[0], signatureVersion)
	}
	for i := range s {
		s[i] = binary.LittleEndian.Uint32(data[1+4*i:])
	}
	return nil
}

// Fingerprint returns ContentHash(text) and Sign(text), normalising the
// text once: callers that need both save a third of the work.
func Fingerprint(text string) (hash string, sig Signature) {
	n := Normalize(text)
	sum := sha256.Sum256([]byte(n))
	return hex.EncodeToString(sum[:]), signNormalized(n)
}
