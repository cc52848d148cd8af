package postgres

import (
	"strings"
	"unicode"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// Snippets are cut in Go from the page's texts (ts_headline would parse
// each text again with PostgreSQL's own parser, which splits words
// differently from the search vector). The rules are the SQLite
// backend's: about snippetWords words around the densest run of matches.

// highlighter marks the words of a query in a text.
type highlighter struct {
	words    map[string]bool
	prefixes []string
}

// newHighlighter collects the positive words and phrases of q; nil when
// there are none.
func newHighlighter(q *query.Query) *highlighter {
	h := &highlighter{words: map[string]bool{}}
	var walk func(query.Node, bool)
	walk = func(n query.Node, neg bool) {
		switch n := n.(type) {
		case *query.Word:
			if neg {
				return
			}
			ws := words(n.Text)
			for i, w := range ws {
				if n.Prefix && i == len(ws)-1 {
					h.prefixes = append(h.prefixes, w)
				} else {
					h.words[w] = true
				}
			}
		case *query.Phrase:
			if neg {
				return
			}
			for _, w := range words(n.Text) {
				h.words[w] = true
			}
		case *query.Not:
			walk(n.Node, !neg)
		case *query.And:
			for _, c := range n.Nodes {
				walk(c, neg)
			}
		case *query.Or:
			for _, c := range n.Nodes {
				walk(c, neg)
			}
		}
	}
	if q.Root != nil {
		walk(q.Root, false)
	}
	if len(h.words) == 0 && len(h.prefixes) == 0 {
		return nil
	}
	return h
}

// match reports whether a folded word is one of the query's.
func (h *highlighter) match(w string) bool {
	if h.words[w] {
		return true
	}
	for _, p := range h.prefixes {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// snippetWords is the length of a snippet in words.
const snippetWords = 30

// snippet returns about snippetWords words of text around the densest run
// of matches, with each match between store.HighlightStart and
// store.HighlightEnd, and whether anything matched. Whitespace is
// collapsed to single spaces.
func (h *highlighter) snippet(text string) (string, bool) {
	toks := tokens(text)
	if len(toks) == 0 {
		return "", false
	}
	hit := make([]bool, len(toks))
	best, bestAt, run := 0, 0, 0
	for i, t := range toks {
		hit[i] = h.match(t.word)
		if hit[i] {
			run++
		}
		if i >= snippetWords && hit[i-snippetWords] {
			run--
		}
		if run > best {
			best, bestAt = run, max(0, i-snippetWords+1)
		}
	}
	if best == 0 {
		return "", false
	}
	for bestAt < len(toks) && !hit[bestAt] {
		bestAt++
	}
	from := max(0, bestAt-5)
	to := min(len(toks), from+snippetWords)
	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	pos := toks[from].start
	for i := from; i < to; i++ {
		t := toks[i]
		b.WriteString(collapse(text[pos:t.start], i == from))
		if hit[i] {
			b.WriteString(store.HighlightStart)
			b.WriteString(text[t.start:t.end])
			b.WriteString(store.HighlightEnd)
		} else {
			b.WriteString(text[t.start:t.end])
		}
		pos = t.end
	}
	if to < len(toks) {
		tail := text[pos:toks[to].start]
		if i := strings.IndexFunc(tail, unicode.IsSpace); i >= 0 {
			tail = tail[:i]
		}
		b.WriteString(tail)
		b.WriteString(" …")
	} else {
		b.WriteString(collapse(text[pos:], false))
	}
	return strings.TrimSpace(b.String()), true
}

// collapse turns runs of whitespace into one space; at the start of a
// snippet it keeps only what follows the last space (an opening quote).
func collapse(s string, first bool) string {
	if first {
		if i := strings.LastIndexFunc(s, unicode.IsSpace); i >= 0 {
			s = s[i+1:]
		}
		return s
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}
