package sqlite

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	unorm "golang.org/x/text/unicode/norm"

	"github.com/herald-archive/herald/article"
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
	// seqs are the query's words and phrases of several tokens with a
	// Han or kana character among them (地铁, "Apple发布"): they are
	// marked where the whole sequence is, not each character wherever it
	// is (地 of 地方), since those characters are common.
	seqs []tokenSeq
}

// tokenSeq is a sequence of folded tokens; with prefix, the last one is a
// prefix.
type tokenSeq struct {
	words  []string
	prefix bool
}

// add adds the tokens toks of text, a query word or phrase, to h.
func (h *highlighter) add(text string, toks []token, prefix bool) {
	if len(toks) > 1 && slices.ContainsFunc(toks, func(t token) bool {
		r, _ := utf8.DecodeRuneInString(text[t.start:])
		return article.Unspaced(r)
	}) {
		sq := tokenSeq{prefix: prefix}
		for _, t := range toks {
			sq.words = append(sq.words, fold(text[t.start:t.end]))
		}
		h.seqs = append(h.seqs, sq)
		return
	}
	for i, t := range toks {
		if prefix && i == len(toks)-1 {
			h.prefixes = append(h.prefixes, fold(text[t.start:t.end]))
		} else {
			h.words[fold(text[t.start:t.end])] = true
		}
	}
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
			h.add(n.Text, tokens(n.Text), n.Prefix)
		case *query.Phrase:
			if neg {
				return
			}
			h.add(n.Text, tokens(n.Text), false)
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

// hits reports which of the tokens toks of text the query marks.
func (h *highlighter) hits(text string, toks []token) []bool {
	hit := make([]bool, len(toks))
	for i, t := range toks {
		hit[i] = h.match(text[t.start:t.end])
	}
	if len(h.seqs) == 0 {
		return hit
	}
	folded := make([]string, len(toks))
	word := func(i int) string {
		if folded[i] == "" {
			folded[i] = fold(text[toks[i].start:toks[i].end])
		}
		return folded[i]
	}
	for _, sq := range h.seqs {
		n := len(sq.words)
	next:
		for i := 0; i+n <= len(toks); i++ {
			for k, w := range sq.words {
				if got := word(i + k); got != w && !(sq.prefix && k == n-1 && strings.HasPrefix(got, w)) {
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

// tokens splits s into FTS-like tokens (byte offsets). A Han or kana
// character is a token of its own, as the index holds it (see FTSText).
func tokens(s string) []token {
	out := make([]token, 0, len(s)/6+1) // about one word in six bytes of prose
	start := -1
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if r >= 0x2E80 && article.Unspaced(r) {
			if start >= 0 {
				out = append(out, token{start, i})
				start = -1
			}
			if isTokenRune(r) {
				out = append(out, token{i, i + size})
			}
		} else if isTokenRune(r) {
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

// fold lower-cases w and removes its diacritics. A Han or kana character
// is its own fold: unicode61 leaves them as they are, where decomposing
// would take the voicing mark off a kana (が would be か).
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
	if r, size := utf8.DecodeRuneInString(w); size == len(w) && article.Unspaced(r) {
		return w
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
	hit := h.hits(text, toks)
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
			// Marked tokens with nothing between them (Chinese or
			// Japanese characters) are marked as one.
			if i == from || !hit[i-1] || toks[i-1].end != t.start {
				b.WriteString(store.HighlightStart)
			}
			b.WriteString(text[t.start:t.end])
			if i+1 == to || !hit[i+1] || toks[i+1].start != t.end {
				b.WriteString(store.HighlightEnd)
			}
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
