package fulltext

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/herald-archive/herald/article"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// Snippets are cut in Go from the page's texts, in both backends: FTS5's
// snippet() would walk every match of the query again (a common word on a
// large archive has hundreds of thousands), and PostgreSQL's ts_headline
// would parse each text again with its own parser, which splits words
// differently from the search vector. A snippet is about snippetWords
// words around the densest run of matches.

// Highlighter marks the words of a query in a text.
type Highlighter struct {
	words    map[string]bool
	prefixes []string
	// seqs are the query's words and phrases of several tokens with a
	// Han or kana character among them (地铁, "Apple发布"): they are
	// marked where the whole sequence is, not each character wherever it
	// is (地 of 地方), since those characters are common.
	seqs []tokenSeq
}

// tokenSeq is a sequence of folded words; with prefix, the last one is a
// prefix.
type tokenSeq struct {
	words  []string
	prefix bool
}

// add adds the words ws of a query word or phrase to h.
func (h *Highlighter) add(ws []string, prefix bool) {
	if len(ws) > 1 && slices.ContainsFunc(ws, func(w string) bool {
		r, _ := utf8.DecodeRuneInString(w)
		return article.Unspaced(r)
	}) {
		h.seqs = append(h.seqs, tokenSeq{words: ws, prefix: prefix})
		return
	}
	for i, w := range ws {
		if prefix && i == len(ws)-1 {
			h.prefixes = append(h.prefixes, w)
		} else {
			h.words[w] = true
		}
	}
}

// NewHighlighter collects the positive words and phrases of q; nil when
// there are none.
func NewHighlighter(q *query.Query) *Highlighter {
	h := &Highlighter{words: map[string]bool{}}
	var walk func(query.Node, bool)
	walk = func(n query.Node, neg bool) {
		switch n := n.(type) {
		case *query.Word:
			if neg {
				return
			}
			h.add(Words(n.Text), n.Prefix)
		case *query.Phrase:
			if neg {
				return
			}
			h.add(Words(n.Text), false)
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
	if len(h.words) == 0 && len(h.prefixes) == 0 && len(h.seqs) == 0 {
		return nil
	}
	return h
}

// Hits reports which of the tokens toks the query marks.
func (h *Highlighter) Hits(toks []Token) []bool {
	hit := make([]bool, len(toks))
	for i, t := range toks {
		hit[i] = h.match(t.Word)
	}
	for _, sq := range h.seqs {
		n := len(sq.words)
	next:
		for i := 0; i+n <= len(toks); i++ {
			for k, w := range sq.words {
				if got := toks[i+k].Word; got != w && !(sq.prefix && k == n-1 && strings.HasPrefix(got, w)) {
					continue next
				}
			}
			for k := range n {
				hit[i+k] = true
			}
		}
	}
	return hit
}

// match reports whether a folded word is one of the query's.
func (h *Highlighter) match(w string) bool {
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
func (h *Highlighter) snippet(text string) (string, bool) {
	toks := Tokens(text)
	if len(toks) == 0 {
		return "", false
	}
	hit := h.Hits(toks)
	best, bestAt, run := 0, 0, 0
	for i := range toks {
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
	pos := toks[from].Start
	for i := from; i < to; i++ {
		t := toks[i]
		b.WriteString(collapse(text[pos:t.Start], i == from))
		if hit[i] {
			// Marked tokens with nothing between them (Chinese or
			// Japanese characters) are marked as one.
			if i == from || !hit[i-1] || toks[i-1].End != t.Start {
				b.WriteString(store.HighlightStart)
			}
			b.WriteString(text[t.Start:t.End])
			if i+1 == to || !hit[i+1] || toks[i+1].Start != t.End {
				b.WriteString(store.HighlightEnd)
			}
		} else {
			b.WriteString(text[t.Start:t.End])
		}
		pos = t.End
	}
	if to < len(toks) {
		tail := text[pos:toks[to].Start]
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

// Snippet is a hit's snippet: one of the text with highlights, else one of
// the description, else the description as it is, else the start of the
// text. h may be nil (a query without words).
func Snippet(h *Highlighter, text, desc string) string {
	if h != nil {
		if s, ok := h.snippet(text); ok {
			return s
		}
		if s, ok := h.snippet(desc); ok {
			return s
		}
	}
	if desc = strings.Join(strings.Fields(desc), " "); desc != "" {
		return desc
	}
	text = strings.Join(strings.Fields(text), " ")
	if r := []rune(text); len(r) > 200 {
		return string(r[:200]) + "…"
	}
	return text
}
