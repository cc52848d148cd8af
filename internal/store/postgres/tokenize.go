package postgres

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/herald-archive/herald/article"
)

// Tokenising. Search must match exactly what the SQLite backend matches,
// so texts and queries are split into words here, in Go, the way SQLite's
// FTS5 tokenizer "unicode61 remove_diacritics 2" splits them (the table in
// unicode61.go is generated from SQLite itself and checked against it by a
// test), and PostgreSQL receives ready-made lexemes: a tsvector literal
// for each article and a tsquery literal for each query. PostgreSQL's own
// parser (to_tsvector) is never used: it keeps URLs, e-mail addresses and
// hyphenated words as units and does not remove diacritics, so it would
// match differently.

type foldRange struct {
	lo, hi rune
	kind   uint8 // 0 separator, 1 removed, 2 kept (plus delta)
	delta  int32
}

// foldRune returns what r becomes in a token: ok is false for a
// separator, and out is -1 for a removed diacritic.
func foldRune(r rune) (out rune, ok bool) {
	if r < 0x80 {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			return r, true
		case 'A' <= r && r <= 'Z':
			return r + 32, true
		}
		return 0, false
	}
	i := sort.Search(len(unicode61), func(i int) bool { return unicode61[i].hi >= r })
	if i == len(unicode61) || unicode61[i].lo > r {
		return 0, false
	}
	switch f := unicode61[i]; f.kind {
	case 1:
		return -1, true
	case 2:
		return r + f.delta, true
	}
	return 0, false
}

// token is one word of a text: its folded form and where it was found
// (byte offsets into the text).
type token struct {
	word       string
	start, end int
}

// tokens splits s into folded words. Words folding to nothing (a lone
// diacritic) are dropped, as FTS5 drops them. A Han or kana character
// (article.Unspaced) is a word of its own, as the SQLite backend indexes
// it (it gives FTS5 each such character between spaces, see
// sqlite.FTSText): Chinese and Japanese are written without spaces, and
// a query word of such characters becomes the phrase of its characters.
func tokens(s string) []token { return tokenize(s, true) }

// tokenize is tokens; without split, a run of Han and kana characters is
// one word, as before migration 0007 (for its test).
func tokenize(s string, split bool) []token {
	var out []token
	var b strings.Builder
	start := -1
	flush := func(end int) {
		if start >= 0 && b.Len() > 0 {
			out = append(out, token{word: b.String(), start: start, end: end})
		}
		b.Reset()
		start = -1
	}
	for i, r := range s {
		f, ok := foldRune(r)
		if r == utf8.RuneError || !ok {
			flush(i)
			continue
		}
		if split && r >= 0x2E80 && article.Unspaced(r) {
			flush(i)
			if f >= 0 {
				out = append(out, token{word: string(f), start: i, end: i + utf8.RuneLen(r)})
			}
			continue
		}
		if start < 0 {
			start = i
		}
		if f >= 0 {
			b.WriteRune(f)
		}
	}
	flush(len(s))
	return out
}

// words returns the folded words of s.
func words(s string) []string { return wordsOf(tokens(s)) }

func wordsOf(ts []token) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.word
	}
	return out
}

// PostgreSQL's limits on a tsvector: positions run from 1 to 16383 (later
// ones are stored as 16383), a lexeme keeps at most 256 positions, and a
// lexeme is shorter than 2 KiB. Phrases are matched by position, so a
// phrase whose words sit beyond those limits (in an article of more than
// 16,000 words, or after a word's 256th occurrence) may be missed where
// SQLite finds it; news articles stay well inside them.
const (
	maxPos        = 16383
	maxPositions  = 256
	maxLexemeSize = 2046
)

// The fields of the search vector, in position order, and their weights
// (ts_rank's D, C, B, A). Each field starts one position after the last
// word of the one before, so a phrase never spans two fields, as it
// cannot span two FTS5 columns.
type field struct {
	text   string
	weight byte
}

// vector is the tsvector literal of the searchable fields of an article:
// title (A), description (B), authors (C, one per line), tags (B) and text
// (D), with positions.
func vector(title, description, authors, tags, text string) string {
	return buildVector(words, title, description, authors, tags, text)
}

// buildVector is vector with the words of each field as words gives them.
func buildVector(words func(string) []string, title, description, authors, tags, text string) string {
	fields := [...]field{{title, 'A'}, {description, 'B'}, {authors, 'C'}, {tags, 'B'}, {text, 'D'}}
	type occ struct {
		pos    []int
		weight []byte
	}
	lex := map[string]*occ{}
	var order []string
	pos := 0
	for _, f := range fields {
		for _, w := range words(f.text) {
			pos++
			if len(w) > maxLexemeSize {
				continue // PostgreSQL refuses it; no query word can be that long either
			}
			o := lex[w]
			if o == nil {
				o = &occ{}
				lex[w] = o
				order = append(order, w)
			}
			if len(o.pos) < maxPositions {
				o.pos = append(o.pos, min(pos, maxPos))
				o.weight = append(o.weight, f.weight)
			}
		}
		pos++ // the gap between fields
	}
	sort.Strings(order)
	var b strings.Builder
	for i, w := range order {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteLexeme(w))
		o := lex[w]
		last := -1
		sep := byte(':')
		for j, p := range o.pos {
			if p == last {
				continue // clamped positions collapse
			}
			last = p
			b.WriteByte(sep)
			sep = ','
			b.WriteString(strconv.Itoa(p))
			if o.weight[j] != 'D' {
				b.WriteByte(o.weight[j])
			}
		}
	}
	return b.String()
}

// quoteLexeme quotes a lexeme for a tsvector or tsquery literal. Folded
// words hold only letters, digits and marks, but quoting keeps any lexeme
// literal.
func quoteLexeme(w string) string {
	var b strings.Builder
	b.Grow(len(w) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(w); i++ {
		switch c := w[i]; c {
		case '\'':
			b.WriteString("''")
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// Words returns the words of s as the search index holds them: split and
// folded as SQLite's FTS5 unicode61 tokenizer (remove_diacritics 2) does.
// It is exported for the cross-backend tests that check it against SQLite.
func Words(s string) []string { return words(s) }
