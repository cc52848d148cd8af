package sqlite

import (
	"strings"
	"unicode"
	"unicode/utf8"

	unorm "golang.org/x/text/unicode/norm"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// Snippets are cut in Go from the page's texts rather than with FTS5's
// snippet(), which would walk every match of the query again (a common
// word on a large archive has hundreds of thousands). The tokenizer below
// follows FTS5's unicode61 with remove_diacritics: runs of letters, digits
// and marks, lower-cased, diacritics removed.

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
			toks := tokens(n.Text)
			for i, t := range toks {
				if n.Prefix && i == len(toks)-1 {
					h.prefixes = append(h.prefixes, fold(n.Text[t.start:t.end]))
				} else {
					h.words[fold(n.Text[t.start:t.end])] = true
				}
			}
		case *query.Phrase:
			if neg {
				return
			}
			for _, t := range tokens(n.Text) {
				h.words[fold(n.Text[t.start:t.end])] = true
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

func (h *highlighter) match(word string) bool {
	f := fold(word)
	if h.words[f] {
		return true
	}
	for _, p := range h.prefixes {
		if strings.HasPrefix(f, p) {
			return true
		}
	}
	return false
}

type token struct{ start, end int }

func isTokenRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.M, r)
}

// tokens splits s into FTS-like tokens (byte offsets).
func tokens(s string) []token {
	out := make([]token, 0, len(s)/6+1) // about one word in six bytes of prose
	start := -1
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if isTokenRune(r) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			out = append(out, token{start, i})
			start = -1
		}
		i += size
	}
	if start >= 0 {
		out = append(out, token{start, len(s)})
	}
	return out
}

// fold lower-cases w and removes its diacritics.
func fold(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(w)
	}
	d := unorm.NFD.String(strings.ToLower(w))
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, d)
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
		hit[i] = h.match(text[t.start:t.end])
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
	// Start a few words before the first match in the window.
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
		// Keep the punctuation that closes the last word ("wall." ).
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
