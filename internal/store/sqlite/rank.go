package sqlite

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// When filters leave only a few articles, Search probes the full-text
// index article by article (see where.driveFromArticles). FTS5's bm25()
// would then recount the documents holding each word once per probe,
// which costs more than walking the word's matches, so this plan ranks in
// Go instead: the same field weights and length normalisation as bm25,
// without the rarity of each word (IDF), which the probes cannot see
// cheaply. Only relevance ordering comes here; date orders stay in SQL.

// Field weights, as in the bm25 call, and typical field lengths in words
// for length normalisation.
var (
	fieldWeights = [5]float64{10, 3, 1, 2, 3}
	fieldAvgLen  = [5]float64{10, 30, 500, 2, 4}
)

const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

type ranked struct {
	n           int64
	id, cluster string
	date        int64
	score       float64
	members     int
}

// rankProbed scores the articles matching w (at most maxProbes of them,
// which the caller checked), collapses clusters when asked, and returns the
// page and the total.
//
// It reads the filtered articles with their texts, which ranking needs
// anyway, and asks the full-text index only about those that may match
// (see mayMatch): a probe of the index costs a seek in each of its
// segments, several times more than reading and checking a text.
func (db *DB) rankProbed(ctx context.Context, q *query.Query, w *where, opts store.SearchOptions) ([]ranked, int, error) {
	cond := "1"
	if len(w.cond) > 0 {
		cond = strings.Join(w.cond, " AND ")
	}
	rows, err := db.r.QueryContext(ctx, `SELECT a.n, a.id, a.cluster_id, a.date, a.title, a.description,
		a.text, a.authors, a.tags FROM articles a WHERE `+cond, w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	type candidate struct {
		ranked
		fields [5]string
	}
	var cands []candidate
	for rows.Next() {
		var c candidate
		var raw []byte
		f := &c.fields
		if err := rows.Scan(&c.n, &c.id, &c.cluster, &c.date, &f[0], &f[1], &raw, &f[3], &f[4]); err != nil {
			return nil, 0, err
		}
		if f[2], err = inflate(raw); err != nil {
			return nil, 0, err
		}
		if mayMatch(w.text, f[:]) {
			cands = append(cands, c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	matched := map[int64]bool{}
	for lo := 0; lo < len(cands); lo += probeChunk {
		chunk := cands[lo:min(lo+probeChunk, len(cands))]
		args := []any{w.match}
		for _, c := range chunk {
			args = append(args, c.n)
		}
		rows, err := db.r.QueryContext(ctx, `SELECT rowid FROM article_fts WHERE article_fts MATCH ? AND rowid IN (?`+
			strings.Repeat(", ?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, 0, err
		}
		for rows.Next() {
			var n int64
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return nil, 0, err
			}
			matched[n] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, 0, err
		}
	}
	hl := newHighlighter(q)
	var all []ranked
	for _, c := range cands {
		if !matched[c.n] {
			continue
		}
		r := c.ranked
		if hl != nil {
			for i, f := range c.fields {
				r.score += fieldWeights[i] * hl.termScore(f, fieldAvgLen[i])
			}
		}
		all = append(all, r)
	}
	slices.SortFunc(all, func(a, b ranked) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	if opts.Collapse {
		// The best of each cluster (first in order), counting the others.
		first := map[string]int{}
		var kept []ranked
		for _, r := range all {
			if i, ok := first[r.cluster]; ok {
				kept[i].members++
				continue
			}
			first[r.cluster] = len(kept)
			kept = append(kept, r)
		}
		all = kept
	}
	total := len(all)
	lo := min(opts.Offset, total)
	hi := min(lo+opts.Limit, total)
	return all[lo:hi], total, nil
}

// probeChunk is how many row numbers one probing statement asks about.
const probeChunk = 500

// mayMatch reports whether an article with the searchable fields (title,
// description, text, authors, tags) may match the full-text conjuncts
// nodes; false only when it certainly does not. It is exact in one
// direction only, and only for texts it can read like the tokenizer
// does: in a text of ASCII letters and digits (other characters being
// punctuation, symbols or spaces), a word of the query that the index
// holds for the text is there as a substring, ignoring ASCII case. A text
// with other letters or marks (which the tokenizer may fold to ASCII:
// é is e) may match. Exclusions are not checked.
func mayMatch(nodes []query.Node, fields []string) bool {
	var b strings.Builder
	for _, f := range fields {
		for i := 0; i < len(f); i++ {
			if f[i] >= utf8.RuneSelf {
				for _, r := range f[i:] {
					if r >= utf8.RuneSelf && !unicode.IsPunct(r) && !unicode.IsSymbol(r) && !unicode.IsSpace(r) {
						return true
					}
				}
				break
			}
		}
	}
	for _, f := range fields {
		b.Grow(len(f) + 1)
	}
	for _, f := range fields {
		for i := 0; i < len(f); i++ {
			c := f[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
		}
		b.WriteByte('\n')
	}
	doc := b.String()
	for _, n := range nodes {
		if !nodeMayMatch(n, doc) {
			return false
		}
	}
	return true
}

// nodeMayMatch is mayMatch for one node, on the ASCII-lower-cased fields
// joined in doc.
func nodeMayMatch(n query.Node, doc string) bool {
	has := func(text string) bool {
		if !isASCII(text) {
			return true
		}
		for _, t := range tokens(text) {
			if !strings.Contains(doc, strings.ToLower(text[t.start:t.end])) {
				return false
			}
		}
		return true
	}
	switch n := n.(type) {
	case *query.Word:
		return has(n.Text)
	case *query.Phrase:
		return has(n.Text)
	case *query.And:
		for _, c := range n.Nodes {
			if !nodeMayMatch(c, doc) {
				return false
			}
		}
		return true
	case *query.Or:
		for _, c := range n.Nodes {
			if nodeMayMatch(c, doc) {
				return true
			}
		}
		return false
	}
	return true // exclusions, and anything else
}

// termScore is the saturated, length-normalised frequency of the query's
// words in one field.
func (h *highlighter) termScore(field string, avgLen float64) float64 {
	toks := tokens(field)
	tf := 0
	for _, t := range toks {
		if h.match(field[t.start:t.end]) {
			tf++
		}
	}
	if tf == 0 {
		return 0
	}
	norm := bm25K1 * (1 - bm25B + bm25B*float64(len(toks))/avgLen)
	return float64(tf) * (bm25K1 + 1) / (float64(tf) + norm)
}
