package article

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
)

func TestCountWords(t *testing.T) {
	cases := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"one", 1},
		{"don't stop", 2},
		{"the U.S. economy grew 3.5 per cent", 7},
		{"well-known end.", 2},
		{"  spaced\n\nout  ", 2},
		{"Город утвердил план", 3},
		{"— dash — only", 2},
		{"trailing joiner- next", 3},
		{"a-b-c", 1},
		// Each Han or kana character is a word; Hangul words are spaced.
		{"央行今天宣布降息。", 8},
		{"東京は晴れ", 5},
		{"Apple发布了新iPhone", 6},
		{"サッカーW杯", 6}, // the prolonged sound mark ー counts as kana
		{"서울 시장 선거", 3},
	}
	for _, c := range cases {
		if got := CountWords(c.in); got != c.want {
			t.Errorf("CountWords(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestParagraphs(t *testing.T) {
	a := Article{Text: "First.\n\n  Second.  \n\n\n\nThird."}
	if got, want := a.Paragraphs(), []string{"First.", "Second.", "Third."}; !reflect.DeepEqual(got, want) {
		t.Errorf("Paragraphs = %q, want %q", got, want)
	}
	if got := (&Article{Text: " \n "}).Paragraphs(); got != nil {
		t.Errorf("blank text gave %q", got)
	}
}

func TestJSONFieldsAndZeroValues(t *testing.T) {
	b, err := json.Marshal(Article{})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); got != `{"text":"","word_count":0}` {
		t.Errorf("zero article = %s", got)
	}
	free := false
	zone := time.FixedZone("", 3*3600)
	a := Article{Title: "T", Published: time.Date(2022, 2, 8, 10, 30, 0, 0, zone), IsAccessibleForFree: &free, Authors: []string{"A"}}
	b, _ = json.Marshal(a)
	for _, want := range []string{`"published":"2022-02-08T10:30:00+03:00"`, `"is_accessible_for_free":false`, `"authors":["A"]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
}

// countWordsByRune is CountWords as its documentation defines it, rune by
// rune, for checking the byte-wise fast path against.
func countWordsByRune(s string) int {
	n, in := 0, false
	for _, r := range s {
		switch {
		case Unspaced(r):
			n, in = n+1, false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if !in {
				n++
			}
			in = true
		case in && (r == '\'' || r == '’' || r == '-' || r == '.' || r == '_'):
		default:
			in = false
		}
	}
	return n
}

func FuzzCountWords(f *testing.F) {
	for _, s := range []string{"", "The U.S. economy grew 3.5 per cent.", "Apple发布了新iPhone", "Город — план", "a\xffb", "@[`{/:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := CountWords(s), countWordsByRune(s); got != want {
			t.Errorf("CountWords(%q) = %d, by rune %d", s, got, want)
		}
	})
}

func BenchmarkCountWords(b *testing.B) {
	text := strings.Repeat("The harbour authority said on Monday that the outer breakwater would be rebuilt. ", 40)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		CountWords(text)
	}
}
