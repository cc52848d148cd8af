package sqlite

import (
	"cmp"
	"context"
	"slices"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/fulltext"
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
func (db *DB) rankProbed(ctx context.Context, q *query.Query, w *where, opts store.SearchOptions) ([]ranked, int, error) {
	from, args := w.from()
	rows, err := db.r.QueryContext(ctx, `SELECT a.n, a.id, a.cluster_id, a.date, a.title, a.description,
		a.text, a.authors, a.tags`+from, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	hl := fulltext.NewHighlighter(q)
	var all []ranked
	for rows.Next() {
		var r ranked
		var title, desc, authors, tags string
		var raw []byte
		if err := rows.Scan(&r.n, &r.id, &r.cluster, &r.date, &title, &desc, &raw, &authors, &tags); err != nil {
			return nil, 0, err
		}
		text, err := inflate(raw)
		if err != nil {
			return nil, 0, err
		}
		if hl != nil {
			for i, f := range [5]string{title, desc, text, authors, tags} {
				r.score += fieldWeights[i] * termScore(hl, f, fieldAvgLen[i])
			}
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
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

// termScore is the saturated, length-normalised frequency of the words of
// h's query in one field.
func termScore(h *fulltext.Highlighter, field string, avgLen float64) float64 {
	toks := fulltext.Tokens(field)
	tf := 0
	for _, hit := range h.Hits(toks) {
		if hit {
			tf++
		}
	}
	if tf == 0 {
		return 0
	}
	norm := bm25K1 * (1 - bm25B + bm25B*float64(len(toks))/avgLen)
	return float64(tf) * (bm25K1 + 1) / (float64(tf) + norm)
}
