package benchmark

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// wordRE is the README's word definition, for checking Words.
var wordRE = regexp.MustCompile(`[\p{L}\p{N}_]+`)

func words(s string) []string {
	var w []string
	Words(s, func(x string) { w = append(w, x) })
	return w
}

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  ,.; ", nil},
		{"Hello, world!", []string{"Hello", "world"}},
		{"don't stop", []string{"don", "t", "stop"}},
		{"snake_case 3.14", []string{"snake_case", "3", "14"}},
		{"Привет мир", []string{"Привет", "мир"}},
		{"café naïve", []string{"café", "naïve"}},
		{"東京は晴れ", []string{"東京は晴れ"}},
		{"x²½ ٣", []string{"x²½", "٣"}}, // \p{N} includes No and Nd in other scripts
		{"a\xffb", []string{"a", "b"}},  // invalid UTF-8 separates
		{"tab\tnew\nline", []string{"tab", "new", "line"}},
		{"émoji😀here", []string{"émoji", "here"}},
	}
	for _, tt := range tests {
		if got := words(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Words(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestWordsMatchesRegexp checks the hand-written tokenizer against the
// README's definition on random mixed-script strings.
func TestWordsMatchesRegexp(t *testing.T) {
	re := wordRE
	alphabet := []rune("ab Z_09 .,'-\t\néß Жж 日本 ٣² \u00a0\u200b😀\ufffd")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		r := make([]rune, rng.IntN(40))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		s := string(r)
		if rng.IntN(10) == 0 {
			s += "\xc3" // truncated sequence
		}
		if got, want := words(s), re.FindAllString(s, -1); !slices.Equal(got, want) {
			t.Fatalf("Words(%q) = %q, regexp gives %q", s, got, want)
		}
	}
}

// naiveCounts is the README's method written as plainly as possible: joined
// strings in maps. The fast scorer must agree with it exactly.
func naiveCounts(truth, pred string) (tp, fp, fn float64) {
	re := wordRE
	sh := func(s string) map[string]float64 {
		w := re.FindAllString(s, -1)
		m := map[string]float64{}
		if len(w) == 0 {
			return m
		}
		if len(w) < 4 {
			m[strings.Join(w, " ")]++
			return m
		}
		for i := 0; i+4 <= len(w); i++ {
			m[strings.Join(w[i:i+4], " ")]++
		}
		return m
	}
	a, b := sh(truth), sh(pred)
	for k, x := range a {
		tp += min(x, b[k])
		fn += max(0, x-b[k])
	}
	for k, y := range b {
		fp += max(0, y-a[k])
	}
	if s := tp + fp + fn; s > 0 {
		tp, fp, fn = tp/s, fp/s, fn/s
	}
	return tp, fp, fn
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestReferenceScore(t *testing.T) {
	tests := []struct {
		name, truth, pred string
		tp, fp, fn        float64
	}{
		{"identical", "one two three four five", "one two three four five", 1, 0, 0},
		{"punctuation and spacing ignored", "one two three four five", "One? no: one, two... three four five!", 2.0 / 4, 2.0 / 4, 0},
		{"empty prediction", "one two three four", "", 0, 0, 1},
		{"both empty", "", "", 0, 0, 0},
		{"empty truth", "", "a b c d", 0, 1, 0},
		{"extra sentence", "a b c d e", "a b c d e f g", 2.0 / 4, 2.0 / 4, 0},
		{"missing tail", "a b c d e f g", "a b c d e", 2.0 / 4, 0, 2.0 / 4},
		{"case kept", "A b c d", "a b c d", 0, 0.5, 0.5},
		{"multiset: repeated shingle counted once per copy", "x y z w x y z w", "x y z w", 1.0 / 5, 0, 4.0 / 5},
		{"multiset: repeated in prediction", "x y z w", "x y z w x y z w", 1.0 / 5, 4.0 / 5, 0},
		{"short bodies are one shingle", "hello world", "hello world", 1, 0, 0},
		{"short vs long never match", "a b c", "a b c d", 0, 0.5, 0.5},
		{"unknown word breaks shingles", "a b c d e f", "a b c X d e f", 0, 4.0 / 7, 3.0 / 7},
		{"short prediction with unknown word", "a b", "a q", 0, 0.5, 0.5},
		{"a dot still separates words", "the issue. Kremlin said", "the issue.Kremlin said", 1, 0, 0},
		{"glued paragraphs lose shingles", "end of the issue Kremlin spokesman said", "end of the issueKremlin spokesman said", 0, 3.0 / 7, 4.0 / 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewReference(tt.truth).Score(tt.pred)
			if !near(c.TP, tt.tp) || !near(c.FP, tt.fp) || !near(c.FN, tt.fn) {
				t.Errorf("got tp=%v fp=%v fn=%v, want %v %v %v", c.TP, c.FP, c.FN, tt.tp, tt.fp, tt.fn)
			}
			tp, fp, fn := naiveCounts(tt.truth, tt.pred)
			if !near(c.TP, tp) || !near(c.FP, fp) || !near(c.FN, fn) {
				t.Errorf("naive method gives tp=%v fp=%v fn=%v, fast gives %+v", tp, fp, fn, c)
			}
		})
	}
}

// TestReferenceScoreRandom compares the fast scorer with the naive one on
// random bodies over a small vocabulary, so shingles repeat and overlap.
func TestReferenceScoreRandom(t *testing.T) {
	vocab := strings.Fields("the a cat sat on mat Ж 日本 x_1 2024 dog")
	rng := rand.New(rand.NewPCG(3, 4))
	body := func() string {
		w := make([]string, rng.IntN(30))
		for i := range w {
			w[i] = vocab[rng.IntN(len(vocab))]
		}
		return strings.Join(w, " ")
	}
	n := 3000
	if raceEnabled {
		n = 300
	}
	for range n {
		truth, pred := body(), body()
		if rng.IntN(3) == 0 { // often a near copy
			pred = truth + " " + body()
		}
		c := NewReference(truth).Score(pred)
		tp, fp, fn := naiveCounts(truth, pred)
		if !near(c.TP, tp) || !near(c.FP, fp) || !near(c.FN, fn) {
			t.Fatalf("truth %q pred %q: fast %+v, naive %v %v %v", truth, pred, c, tp, fp, fn)
		}
	}
}

func TestScoreBodies(t *testing.T) {
	truth := []Truth{
		{ID: "p1", Ref: NewReference("a b c d e")},       // perfect: P=1 R=1
		{ID: "p2", Ref: NewReference("a b c d e f g")},   // half: P=1 R=0.5
		{ID: "p3", Ref: NewReference("one two three x")}, // empty prediction: recall 0 only
	}
	pred := map[string]string{"p1": "a b c d e", "p2": "a b c d e"}
	s := ScoreBodies(truth, pred, map[string]error{"p3": os.ErrNotExist})
	// P averages over p1, p2 only; R over all three.
	wantP, wantR := 1.0, (1+0.5+0)/3.0
	wantF := 2 * wantP * wantR / (wantP + wantR)
	if !near(s.Precision, wantP) || !near(s.Recall, wantR) || !near(s.F1, wantF) {
		t.Errorf("P/R/F1 = %v/%v/%v, want %v/%v/%v", s.Precision, s.Recall, s.F1, wantP, wantR, wantF)
	}
	if s.Pages != 3 || s.Empty != 1 || s.Errors != 1 {
		t.Errorf("pages/empty/errors = %d/%d/%d, want 3/1/1", s.Pages, s.Empty, s.Errors)
	}
	w := s.Worst(2)
	if len(w) != 2 || w[0].ID != "p3" || w[1].ID != "p2" || w[0].Error == "" || !w[0].Empty {
		t.Errorf("Worst(2) = %+v", w)
	}
	if len(s.Worst(10)) != 3 {
		t.Errorf("Worst(10) should return all 3 pages")
	}
}

// TestPublishedFigures is the scorer's proof: scoring the published
// predictions must give the published figures to three decimals.
func TestPublishedFigures(t *testing.T) {
	dir := filepath.Join(testDataDir(t), "scrapinghub")
	truth, err := LoadTruth(dir)
	if errors.Is(err, ErrNoData) {
		t.Skipf("benchmark data absent: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	for tool, want := range map[string]float64{
		"trafilatura":    0.958,
		"go_trafilatura": 0.960,
		"readability_js": 0.947,
		"AutoExtract":    0.970,
	} {
		pred, err := LoadPredictions(filepath.Join(dir, "output", tool+".json"))
		if err != nil {
			t.Fatal(err)
		}
		s := ScoreBodies(truth, pred, nil)
		if math.Round(s.F1*1000)/1000 != want {
			t.Errorf("%s: F1 = %.4f, published %.3f", tool, s.F1, want)
		}
		t.Logf("%s: F1=%.4f P=%.4f R=%.4f", tool, s.F1, s.Precision, s.Recall)
		if s.Pages != 181 {
			t.Errorf("%s: %d pages, want 181", tool, s.Pages)
		}
	}
}

func BenchmarkScoreBodies(b *testing.B) {
	dir := filepath.Join(testDataDir(b), "scrapinghub")
	truth, err := LoadTruth(dir)
	if errors.Is(err, ErrNoData) {
		b.Skipf("benchmark data absent: %v", err)
	}
	if err != nil {
		b.Fatal(err)
	}
	pred, err := LoadPredictions(filepath.Join(dir, "output", "trafilatura.json"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ScoreBodies(truth, pred, nil)
	}
}

// TestPublishedPagesMatchNaive scores every page of four published
// prediction files (of differing quality, so partial matches abound) with
// both the fast scorer and the plain method.
func TestPublishedPagesMatchNaive(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("slow with -short or -race: the plain scorer over 724 pages")
	}
	dir := filepath.Join(testDataDir(t), "scrapinghub")
	gt, err := readGroundTruth(dir)
	if errors.Is(err, ErrNoData) {
		t.Skipf("benchmark data absent: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"newspaper", "justext", "go_readability", "Diffbot"} {
		f := filepath.Join(dir, "output", tool+".json")
		pred, err := LoadPredictions(f)
		if err != nil {
			t.Fatal(err)
		}
		for id, g := range gt {
			c := NewReference(g.ArticleBody).Score(pred[id])
			tp, fp, fn := naiveCounts(g.ArticleBody, pred[id])
			if !near(c.TP, tp) || !near(c.FP, fp) || !near(c.FN, fn) {
				t.Errorf("%s page %s: fast %+v, plain %v %v %v", filepath.Base(f), id, c, tp, fp, fn)
			}
		}
	}
}
