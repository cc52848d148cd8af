package dedupe

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
)

// vocabulary returns n distinct pseudo-words built from syllables.
func vocabulary(rng *rand.Rand, n int) []string {
	syl := []string{"ka", "lo", "mir", "te", "dan", "su", "re", "vo", "pa", "li", "no", "gar", "es", "tu", "bri", "ma", "ol", "zen", "hu", "fi"}
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		var b strings.Builder
		for range 1 + rng.IntN(3) {
			b.WriteString(syl[rng.IntN(len(syl))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// jaccard is the exact Jaccard similarity of two word lists' shingle sets.
func jaccard(a, b []string) float64 {
	set := func(w []string) map[uint64]struct{} {
		m := make(map[uint64]struct{}, len(w))
		for i := 0; i+ShingleWords <= len(w); i++ {
			m[xxhash.Sum64String(strings.Join(w[i:i+ShingleWords], " "))] = struct{}{}
		}
		return m
	}
	sa, sb := set(a), set(b)
	inter := 0
	for s := range sa {
		if _, ok := sb[s]; ok {
			inter++
		}
	}
	return float64(inter) / float64(len(sa)+len(sb)-inter)
}

type bucketStats struct {
	pairs, candidates, duplicates int
	// exact counts the candidates confirmed by the exact Jaccard of the
	// texts, as the archive decides.
	exact               int
	sumJ, sumSim, sumSq float64
}

// sample draws text pairs whose exact Jaccard similarity lies in [lo, hi],
// made by replacing between minEdits and maxEdits random words of a
// 400-word text, until it has n pairs.
func sample(t *testing.T, rng *rand.Rand, vocab []string, lo, hi float64, minEdits, maxEdits, n int) bucketStats {
	return sampleLen(t, rng, vocab, 400, lo, hi, minEdits, maxEdits, n)
}

func sampleLen(t *testing.T, rng *rand.Rand, vocab []string, words int, lo, hi float64, minEdits, maxEdits, n int) bucketStats {
	t.Helper()
	var st bucketStats
	tries := 0
	defer func() { t.Logf("[%.2f, %.2f]: %d tries for %d pairs", lo, hi, tries, n) }()
	for ; st.pairs < n; tries++ {
		if tries > 50*n {
			t.Fatalf("only %d pairs in [%.2f, %.2f] after %d tries", st.pairs, lo, hi, tries)
		}
		a := make([]string, words)
		for i := range a {
			a[i] = vocab[rng.IntN(len(vocab))]
		}
		b := append([]string(nil), a...)
		for range minEdits + rng.IntN(maxEdits-minEdits+1) {
			b[rng.IntN(len(b))] = vocab[rng.IntN(len(vocab))]
		}
		j := jaccard(a, b)
		if j < lo || j > hi {
			continue
		}
		sa, sb := Sign(strings.Join(a, " ")), Sign(strings.Join(b, " "))
		st.pairs++
		st.sumJ += j
		sim := Similarity(sa, sb)
		st.sumSim += sim
		st.sumSq += (sim - j) * (sim - j)
		ta, tb := strings.Join(a, " "), strings.Join(b, " ")
		if got := Jaccard(ta, tb); math.Abs(got-j) > 1e-9 {
			t.Fatalf("Jaccard = %.6f, want the exact %.6f", got, j)
		}
		if shareBand(sa, sb) {
			st.candidates++
			if IsNearDuplicateText(ta, tb) {
				st.exact++
			}
		}
		if IsNearDuplicate(sa, sb) {
			st.duplicates++
		}
	}
	return st
}

// TestStatistics checks the estimator and the LSH S-curve on generated
// texts with known Jaccard similarity. The generator is seeded, so the
// test is deterministic; the bounds leave room around the theoretical
// rates given in the package documentation.
func TestStatistics(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 60
	}
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := vocabulary(rng, 5000)

	high := sample(t, rng, vocab, 0.84, 0.86, 7, 9, n)
	mid := sample(t, rng, vocab, 0.45, 0.55, 33, 42, n)
	low := sample(t, rng, vocab, 0.25, 0.35, 58, 75, n)
	short := sampleLen(t, rng, vocab, 60, 0.82, 0.88, 1, 2, n)
	for name, st := range map[string]bucketStats{"J≈0.85": high, "J≈0.5": mid, "J≈0.3": low, "60 words, J≈0.85": short} {
		t.Logf("%s: %d pairs, mean J %.3f, mean estimate %.3f, rms error %.3f, candidates %.1f%%, near-duplicates %.1f%% (estimate) %.1f%% (exact)",
			name, st.pairs, st.sumJ/float64(st.pairs), st.sumSim/float64(st.pairs), math.Sqrt(st.sumSq/float64(st.pairs)),
			100*float64(st.candidates)/float64(st.pairs), 100*float64(st.duplicates)/float64(st.pairs), 100*float64(st.exact)/float64(st.pairs))
		// The estimator is unbiased: the mean estimate over n pairs is
		// within a few standard errors (0.045/sqrt(n)) of the mean J.
		if d := math.Abs(st.sumSim-st.sumJ) / float64(st.pairs); d > 4*0.045/math.Sqrt(float64(st.pairs)) {
			t.Errorf("%s: mean estimate is off by %.4f", name, d)
		}
	}
	// At J≈0.85 the bands miss a pair with probability 5e-5 and the
	// decision about 6%.
	if miss := high.pairs - high.candidates; miss > high.pairs/100 {
		t.Errorf("J≈0.85: %d of %d pairs were not LSH candidates, want ≤ 1%%", miss, high.pairs)
	}
	if fn := high.pairs - high.duplicates; fn > high.pairs*12/100 {
		t.Errorf("J≈0.85: %d of %d pairs were not near-duplicates, want ≤ 12%%", fn, high.pairs)
	}
	// Confirming candidates by the exact similarity of the texts loses only
	// what the bands miss.
	if high.exact != high.candidates {
		t.Errorf("J≈0.85: %d of %d candidates confirmed exactly, want all", high.exact, high.candidates)
	}
	if mid.exact != 0 || low.exact != 0 {
		t.Errorf("exact confirmation merged pairs at J≈0.5 (%d) or J≈0.3 (%d)", mid.exact, low.exact)
	}
	// At J≈0.5, 28% become candidates and none is confirmed.
	if mid.duplicates != 0 {
		t.Errorf("J≈0.5: %d pairs judged near-duplicates", mid.duplicates)
	}
	if mid.candidates > mid.pairs*45/100 {
		t.Errorf("J≈0.5: %d of %d pairs were candidates, want ≤ 45%%", mid.candidates, mid.pairs)
	}
	// At J≈0.3, 1.5% become candidates.
	if low.duplicates != 0 || low.candidates > low.pairs*6/100 {
		t.Errorf("J≈0.3: %d candidates and %d near-duplicates of %d pairs", low.candidates, low.duplicates, low.pairs)
	}
}
