// Package benchmark measures article extractors against the benchmark data
// in ../shared/bench: the ScrapingHub article-extraction set (body text,
// scored with shingle precision, recall and F1 exactly as the published
// benchmark table does) and Readability.js's regression fixtures (title,
// byline, language, publication date and site name), plus throughput and
// allocations.
//
// The package is a harness, not part of extraction: it reads the benchmark
// files, but it never fetches anything, never logs and never writes files;
// callers (herald bench, the extract package's tests, the comparison tool in
// the nested bench module) decide where data lives and what to print. It
// knows nothing about any particular extractor: an extractor is a Func.
//
// Speed measurements change runtime.GOMAXPROCS while they run (see
// MeasureSpeed), so they must not run concurrently with other work whose
// timing matters.
package benchmark

import (
	"cmp"
	"slices"
	"unicode"
	"unicode/utf8"
)

// The body score follows ../shared/bench/README.md ("Scoring the article
// body") to the letter:
//
//  1. words are maximal runs of Unicode letters, digits and underscore
//     ([\p{L}\p{N}_]+), case kept;
//  2. a body is the multiset of its overlapping 4-word shingles; a body of
//     one to three words is a single shingle of those words;
//  3. per page, tp = shingles shared (with multiplicity), fp = predicted but
//     not true, fn = true but not predicted, all three divided by their sum;
//  4. precision and recall are averaged over pages, a page whose prediction
//     has no shingle counting for recall only (and a page whose truth has no
//     shingle for precision only); F1 is the harmonic mean of the two
//     averages.
//
// The implementation is built for speed, because it runs in tests: a
// reference body's words are interned into small integers once, so a
// shingle is four integers rather than a joined string; the reference's
// shingles are kept sorted, and a prediction is scored by sorting its
// shingles and merging the two lists. A predicted word that the reference
// lacks cannot be part of a shared shingle, so it only counts towards fp.
// Interning makes the comparison exact: two shingles are equal exactly when
// their words are.

// shingleLen is the number of words in a shingle.
const shingleLen = 4

// shingle is up to four interned word ids; id 0 pads a short body's single
// shingle, so it can never equal a full one.
type shingle [shingleLen]uint32

func compareShingles(a, b shingle) int {
	for i := range a {
		if c := cmp.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

// Words calls fn for each word of s in order: each maximal run of Unicode
// letters, numbers and underscores (the regular expression [\p{L}\p{N}_]+).
// Invalid UTF-8 bytes separate words, as they do for Go's regexp package.
func Words(s string, fn func(word string)) {
	start := -1
	for i := 0; i < len(s); {
		c := s[i]
		var in bool
		size := 1
		if c < utf8.RuneSelf {
			in = c == '_' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			in = r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsNumber(r))
		}
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			fn(s[start:i])
			start = -1
		}
		i += size
	}
	if start >= 0 {
		fn(s[start:])
	}
}

// Reference is a true body prepared for scoring many predictions against
// it. It is immutable after NewReference and safe for concurrent use.
type Reference struct {
	vocab    map[string]uint32
	shingles []shingle // sorted
}

// NewReference prepares the true body text for scoring.
func NewReference(text string) *Reference {
	r := &Reference{vocab: make(map[string]uint32)}
	var ids []uint32
	Words(text, func(w string) {
		id, ok := r.vocab[w]
		if !ok {
			id = uint32(len(r.vocab) + 1)
			r.vocab[w] = id
		}
		ids = append(ids, id)
	})
	r.shingles = appendShingles(nil, ids)
	slices.SortFunc(r.shingles, compareShingles)
	return r
}

// Shingles is the number of shingles in the reference body.
func (r *Reference) Shingles() int { return len(r.shingles) }

// appendShingles appends the shingles of the word ids to dst. An id of 0
// marks a word unknown to the reference: shingles containing one are left
// out (they cannot match), so only the count of all shingles, which
// shingleCount gives, says how many the body has.
func appendShingles(dst []shingle, ids []uint32) []shingle {
	switch n := len(ids); {
	case n == 0:
		return dst
	case n < shingleLen:
		var s shingle
		copy(s[:], ids)
		if !slices.Contains(ids, 0) {
			dst = append(dst, s)
		}
		return dst
	}
	// unknown is the index of the last unknown word seen in the window.
	unknown := -1
	for i, id := range ids {
		if id == 0 {
			unknown = i
		}
		if start := i - shingleLen + 1; start >= 0 && unknown < start {
			dst = append(dst, shingle(ids[start:i+1]))
		}
	}
	return dst
}

// shingleCount is the number of shingles of a body of n words.
func shingleCount(n int) int {
	switch {
	case n == 0:
		return 0
	case n < shingleLen:
		return 1
	}
	return n - shingleLen + 1
}

// Counts are one page's shingle counts, normalised to sum to 1 (all zero
// when both bodies have no words).
type Counts struct {
	TP float64 `json:"tp"`
	FP float64 `json:"fp"`
	FN float64 `json:"fn"`
}

// Precision is tp/(tp+fp); ok is false when the prediction is empty.
func (c Counts) Precision() (p float64, ok bool) {
	if c.TP+c.FP == 0 {
		return 0, false
	}
	return c.TP / (c.TP + c.FP), true
}

// Recall is tp/(tp+fn); ok is false when the true body is empty.
func (c Counts) Recall() (r float64, ok bool) {
	if c.TP+c.FN == 0 {
		return 0, false
	}
	return c.TP / (c.TP + c.FN), true
}

// F1 is the page's harmonic mean of precision and recall (0 when either is
// 0 or undefined). Only per-page listings use it: the benchmark's F1 is not
// a mean of these.
func (c Counts) F1() float64 {
	p, _ := c.Precision()
	r, _ := c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Score compares a predicted body with the reference.
func (r *Reference) Score(pred string) Counts {
	var ids []uint32
	Words(pred, func(w string) { ids = append(ids, r.vocab[w]) })
	got := appendShingles(make([]shingle, 0, len(ids)), ids)
	slices.SortFunc(got, compareShingles)

	tp := 0
	for i, j := 0, 0; i < len(r.shingles) && j < len(got); {
		switch c := compareShingles(r.shingles[i], got[j]); {
		case c < 0:
			i++
		case c > 0:
			j++
		default:
			tp++
			i++
			j++
		}
	}
	fp := shingleCount(len(ids)) - tp
	fn := len(r.shingles) - tp
	sum := float64(tp + fp + fn)
	if sum == 0 {
		return Counts{}
	}
	return Counts{TP: float64(tp) / sum, FP: float64(fp) / sum, FN: float64(fn) / sum}
}

// PageScore is one page's body score.
type PageScore struct {
	ID string `json:"id"`
	// URL is the page's address, from the ground truth, for reading.
	URL    string `json:"url,omitempty"`
	Counts `json:"counts"`
	// Empty is true when the prediction has no words.
	Empty     bool    `json:"empty,omitempty"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// Error is the extractor's error for this page, if it failed.
	Error string `json:"error,omitempty"`
}

// BodyScore is the benchmark's body figure over a set of pages.
type BodyScore struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Pages     int     `json:"pages"`
	// Empty counts pages whose prediction has no words (including failed
	// extractions); Errors counts pages whose extraction failed.
	Empty  int `json:"empty"`
	Errors int `json:"errors"`
	// PerPage is in the order of the truth pages.
	PerPage []PageScore `json:"per_page,omitempty"`
}

// Truth is one page's true body, prepared for scoring.
type Truth struct {
	ID  string
	URL string
	Ref *Reference
}

// ScoreBodies scores predicted bodies (page id → text) against the truth
// pages. A page missing from pred counts as an empty prediction; errs (page
// id → error, may be nil) marks failed extractions in the per-page list.
func ScoreBodies(truth []Truth, pred map[string]string, errs map[string]error) BodyScore {
	s := BodyScore{Pages: len(truth), PerPage: make([]PageScore, 0, len(truth))}
	var sumP, sumR float64
	var nP, nR int
	for _, t := range truth {
		c := t.Ref.Score(pred[t.ID])
		ps := PageScore{ID: t.ID, URL: t.URL, Counts: c, F1: c.F1()}
		if err := errs[t.ID]; err != nil {
			ps.Error = err.Error()
			s.Errors++
		}
		if p, ok := c.Precision(); ok {
			ps.Precision = p
			sumP += p
			nP++
		} else {
			ps.Empty = true
			s.Empty++
		}
		if r, ok := c.Recall(); ok {
			ps.Recall = r
			sumR += r
			nR++
		}
		s.PerPage = append(s.PerPage, ps)
	}
	if nP > 0 {
		s.Precision = sumP / float64(nP)
	}
	if nR > 0 {
		s.Recall = sumR / float64(nR)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s
}

// Worst returns up to n pages with the lowest F1, worst first (ties by id).
func (s BodyScore) Worst(n int) []PageScore {
	w := slices.Clone(s.PerPage)
	slices.SortStableFunc(w, func(a, b PageScore) int {
		if c := cmp.Compare(a.F1, b.F1); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return w[:min(n, len(w))]
}
