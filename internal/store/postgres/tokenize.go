package postgres

import (
	"sort"
	"strconv"
	"strings"

	"github.com/herald-archive/herald/internal/store/fulltext"
)

// Tokenising. Search must match exactly what the SQLite backend matches,
// so texts and queries are split into words here, in Go, the way SQLite's
// FTS5 tokenizer "unicode61 remove_diacritics 2" splits them (package
// fulltext), and PostgreSQL receives ready-made lexemes: a tsvector literal
// for each article and a tsquery literal for each query. PostgreSQL's own
// parser (to_tsvector) is never used: it keeps URLs, e-mail addresses and
// hyphenated words as units and does not remove diacritics, so it would
// match differently.

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
	return buildVector(fulltext.Words, title, description, authors, tags, text)
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
