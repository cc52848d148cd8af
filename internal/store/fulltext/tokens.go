// Package fulltext is how Herald splits text into the words its full-text
// indexes hold, in Go, exactly as SQLite's FTS5 tokenizer "unicode61
// remove_diacritics 2" does (the table in unicode61.go is generated from
// SQLite itself and checked against it, see internal/store/crossbackend),
// with each Han or kana character a word of its own (article.Unspaced).
// Both backends use it: the PostgreSQL backend builds its search vectors
// and queries from these words, and both mark matched words in snippets
// (Highlighter) and score them in Go with them, so that what is marked is
// what matched.
package fulltext

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/herald-archive/herald/article"
)

type foldRange struct {
	lo, hi rune
	kind   uint8 // 0 separator, 1 removed, 2 kept (plus delta)
	delta  int32
}

// Fold returns what r becomes in a word: ok is false for a separator, and
// out is -1 for a removed diacritic.
func Fold(r rune) (out rune, ok bool) {
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

// Token is one word of a text: its folded form and where it was found
// (byte offsets into the text).
type Token struct {
	Word       string
	Start, End int
}

// Tokens splits s into folded words. Words folding to nothing (a lone
// diacritic) are dropped, as FTS5 drops them. A Han or kana character is a
// word of its own, as both backends index it: Chinese and Japanese are
// written without spaces, and a query word of such characters is the
// phrase of its characters.
func Tokens(s string) []Token { return Tokenize(s, true) }

// Tokenize is Tokens; without split, a run of Han and kana characters is
// one word, as the indexes held it before December 2026 (for the tests of
// the migrations that re-index it).
func Tokenize(s string, split bool) []Token {
	out := make([]Token, 0, len(s)/6+1) // about one word in six bytes of prose
	var b strings.Builder
	start := -1
	same := true // the word so far is its own fold: a slice of s will do
	flush := func(end int) {
		if start >= 0 {
			switch {
			case same && end > start:
				out = append(out, Token{Word: s[start:end], Start: start, End: end})
			case !same && b.Len() > 0:
				out = append(out, Token{Word: b.String(), Start: start, End: end})
			}
		}
		b.Reset()
		start, same = -1, true
	}
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		f, ok := Fold(r)
		switch {
		case r == utf8.RuneError || !ok:
			flush(i)
		case split && r >= 0x2E80 && article.Unspaced(r):
			flush(i)
			if f >= 0 {
				out = append(out, Token{Word: string(f), Start: i, End: i + size})
			}
		default:
			if start < 0 {
				start = i
			}
			if same && f != r {
				// From here on the word is built: copy what came before.
				same = false
				b.WriteString(s[start:i])
			}
			if !same && f >= 0 {
				b.WriteRune(f)
			}
		}
		i += size
	}
	flush(len(s))
	return out
}

// Words returns the folded words of s.
func Words(s string) []string {
	ts := Tokens(s)
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Word
	}
	return out
}

// AuthorKey is the form in which an author's name and an author: filter's
// value are compared: its words as the full-text index folds them (case
// and diacritics ignored; apostrophes, hyphens and other punctuation
// separating words, so that O'Brien and O’Brien are both "o brien"),
// joined by single spaces. The text is lower-cased as Go lower-cases it
// first, as the stored names are (their norm): unicode61 leaves the case
// of some scripts (Cherokee, Georgian Mtavruli, Osage, Adlam…) alone, so
// without it a name typed in capitals would not find its stored, lower
// case, self. Both backends match author: filters with it
// (AuthorMatches).
func AuthorKey(s string) string { return strings.Join(Words(strings.ToLower(s)), " ") }

// AuthorMatches reports whether an author: filter whose AuthorKey is
// filter matches an author whose AuthorKey is name: when the filter's
// words are a run of whole words of the name. A filter without words
// matches no one.
func AuthorMatches(name, filter string) bool {
	return filter != "" && strings.Contains(" "+name+" ", " "+filter+" ")
}
