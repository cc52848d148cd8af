package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	sqlite "modernc.org/sqlite"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// A search whose filters the caches answer (after:, before:, site:,
// lang:, section:; see keyFilterOf) finds its matches without reading
// an article row per match: the filters are checked in memory while the
// full-text index is walked (herald_pass), or over every row of the day
// cache when the query has no words. Ordering needs what the caches do
// not hold exactly (a date to the second, the article id that breaks
// ties), so the matches are ordered first by what they do hold (the
// bm25 score, or the day) and the exact keys are read only for the few
// that can still reach the page: every match whose coarse key is at
// least as good as the page's last one. The result is the one the SQL
// plans give (TestCachedSearch compares them), at a fraction of the
// cost when a filter keeps many articles: "election lang:de" on a
// million articles read 22,000 article rows to rank them, and a filter
// alone collapsed sorted all of its matches with window functions.

// registerPass registers herald_pass(n, token): 1 when article n passes
// the filter of the keyCounter lent under token, else 0.
func registerPass() error {
	return sqlite.RegisterScalarFunction("herald_pass", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		var c *keyCounter
		n, err := rowAndView("herald_pass", args, &c)
		if err != nil {
			return nil, err
		}
		_, _, pass, ok := c.admit(n)
		if !ok {
			return nil, fmt.Errorf("herald_pass: no article %d in the view", n)
		}
		if pass {
			return int64(1), nil
		}
		return int64(0), nil
	})
}

// useCachedSearch reports whether Search should try cachedSearch for w:
// not for words without filters ranked by relevance, or in date order
// not collapsed, which have plans of their own that read only the
// full-text index, nor for the newest or oldest of all articles, a walk
// of the date index.
func (db *DB) useCachedSearch(w *where, opts store.SearchOptions) bool {
	switch {
	case db.noCaches || w.driveFromArticles || w.otherCond:
		return false
	case w.match != "" && len(w.cond) == 0:
		return opts.Collapse && opts.Sort != query.SortRelevance
	}
	return len(w.cond) > 0 || opts.Collapse
}

// matchRow is a match of a cached search: its row number, its bm25 score
// (ranking by relevance) and its day.
type matchRow struct {
	n     int64
	score float64
	day   int32
}

// cachedSearch answers Search from the caches when they can answer w
// (see keyFilterOf); ok is false when they cannot.
func (db *DB) cachedSearch(ctx context.Context, q *query.Query, w *where, opts store.SearchOptions) (res *store.SearchResult, ok bool, err error) {
	var page []pageGroup
	total := 0
	ok, err = db.inCaches(ctx, w, func(tx *sql.Tx, f keyFilter) error {
		c := &keyCounter{f: f, collect: true}
		var matches []matchRow
		if opts.Sort == query.SortRelevance && w.match != "" {
			if matches, err = db.scoredMatches(ctx, tx, w.match, c); err != nil {
				return err
			}
		} else {
			if err := db.countKeys(ctx, tx, w.match, c); err != nil {
				return err
			}
			matches = make([]matchRow, len(c.passed))
			for i, n := range c.passed {
				matches[i] = matchRow{n: n, day: c.days.vals[n]}
			}
		}
		var marked map[int64]int64
		if opts.Collapse {
			view, err := db.clusters.current(ctx, tx)
			if err != nil {
				return err
			}
			marked = view.marked
		}
		page, total, err = pageOf(ctx, tx, matches, marked, opts)
		return err
	})
	if err != nil || !ok {
		return nil, false, err
	}
	res = &store.SearchResult{Hits: []store.Hit{}, Total: total}
	if w.match == "" && !opts.Collapse {
		// As the SQL plan counts filters alone: up to MaxTotal.
		res.Total, res.TotalCapped = min(total, store.MaxTotal), total > store.MaxTotal
	}
	ns := make([]any, len(page))
	byN := map[int64]int{}
	for i, g := range page {
		ns[i] = g.rep
		byN[g.rep] = i
		res.Hits = append(res.Hits, store.Hit{Score: -g.best, Duplicates: g.members - 1})
	}
	if err := db.fillHits(ctx, q, res, ns, byN); err != nil {
		return nil, false, err
	}
	return res, true, nil
}

// scoredMatches returns the matches of the full-text expression match
// that pass c's filter, with their bm25 scores, in read transaction tx.
func (db *DB) scoredMatches(ctx context.Context, tx *sql.Tx, match string, c *keyCounter) ([]matchRow, error) {
	if err := db.loadViews(ctx, tx, c); err != nil {
		return nil, err
	}
	token, done := lend(c)
	defer done()
	rows, err := tx.QueryContext(ctx, `SELECT rowid, `+bm25+` FROM article_fts
		WHERE article_fts MATCH ? AND herald_pass(rowid, ?)`, match, token)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []matchRow
	for rows.Next() {
		var m matchRow
		if err := rows.Scan(&m.n, &m.score); err != nil {
			return nil, err
		}
		m.day = c.days.vals[m.n] // herald_pass checked it is there
		out = append(out, m)
	}
	return out, rows.Err()
}

// hitGroup is a cluster among the matches (a match alone when not
// collapsing): how many matches it has, and the coarse key of its best
// ones and those ones (the contenders). The coarse key is what the
// caches know of a match's place in the order: its bm25 score (lower
// first) by relevance, its row number negated by archiving (exact and
// unique), else its day, negated when newest first; the exact order
// refines it.
type hitGroup struct {
	best    float64
	members int
	first   int64   // the first contender
	more    []int64 // the others
}

// pageGroup is a group that may reach the page, with the best of its
// contenders in the exact order (rep) and that one's exact key.
type pageGroup struct {
	hitGroup
	rep   int64
	exact exactKey
}

// contenders returns g's contenders.
func (g *hitGroup) contenders() []int64 { return append([]int64{g.first}, g.more...) }

// exactKey is a match's place in the order: the coarse key, then its date
// (for the date orders; its row number, negated, for SortArchived) and
// id, as orderBy orders.
type exactKey struct {
	score float64
	date  int64
	id    string
}

// pageOf groups matches by cluster (by the marked rows of the cluster
// cache; each match alone when marked is nil), orders the groups as
// orderBy orders their best members, and returns the page of opts and
// the number of groups. Exact keys are read through tx for the
// contenders of the groups that may reach the page only.
func pageOf(ctx context.Context, tx *sql.Tx, matches []matchRow, marked map[int64]int64, opts store.SearchOptions) ([]pageGroup, int, error) {
	coarse := func(m matchRow) float64 {
		switch opts.Sort {
		case query.SortRelevance:
			return m.score
		case query.SortOldest:
			return float64(m.day)
		case query.SortArchived:
			return -float64(m.n) // exact: row numbers below 2^53
		}
		return -float64(m.day)
	}
	groups := make([]hitGroup, 0, len(matches))
	at := map[int64]int{} // group of a shared cluster
	for _, m := range matches {
		k := coarse(m)
		cluster, shared := marked[m.n] // none when marked is nil
		i, seen := at[cluster]
		if !shared || !seen {
			if shared {
				at[cluster] = len(groups)
			}
			groups = append(groups, hitGroup{best: k, members: 1, first: m.n})
			continue
		}
		g := &groups[i]
		g.members++
		switch {
		case k < g.best:
			g.best, g.first, g.more = k, m.n, nil
		case k == g.best:
			g.more = append(g.more, m.n)
		}
	}
	need := opts.Offset + opts.Limit
	if len(groups) == 0 || opts.Offset >= len(groups) {
		return nil, len(groups), nil
	}
	// The groups whose coarse key is no worse than the need-th best.
	bound := nthBest(groups, need)
	var cands []pageGroup
	var ns []int64
	for _, g := range groups {
		if g.best <= bound {
			cands = append(cands, pageGroup{hitGroup: g})
			ns = append(append(ns, g.first), g.more...)
		}
	}
	var keys map[int64]exactKey
	if opts.Sort != query.SortArchived { // there the coarse key is exact
		var err error
		if keys, err = exactKeys(ctx, tx, ns); err != nil {
			return nil, 0, err
		}
	}
	// The exact key of a contender of group g, as orderBy orders: by
	// score and id, or by date and id.
	key := func(g *pageGroup, n int64) exactKey {
		k := keys[n]
		switch opts.Sort {
		case query.SortRelevance:
			k.score, k.date = g.best, 0
		case query.SortNewest:
			k.date = -k.date
		case query.SortArchived:
			k.date = -n // the row number, as orderBy orders
		}
		return k
	}
	before := func(a, b exactKey) int {
		return cmp.Or(cmp.Compare(a.score, b.score), cmp.Compare(a.date, b.date), strings.Compare(a.id, b.id))
	}
	for i := range cands {
		g := &cands[i]
		for j, n := range g.contenders() {
			k := key(g, n)
			if j == 0 || before(k, g.exact) < 0 {
				g.rep, g.exact = n, k
			}
		}
	}
	slices.SortFunc(cands, func(a, b pageGroup) int { return before(a.exact, b.exact) })
	if opts.Sort != query.SortRelevance {
		for i := range cands {
			cands[i].best = 0 // not a score
		}
	}
	return cands[opts.Offset:min(need, len(cands))], len(groups), nil
}

// nthBest returns the n-th lowest coarse key of groups (the highest
// when there are fewer), keeping the n lowest in a max-heap.
func nthBest(groups []hitGroup, n int) float64 {
	heap := make([]float64, 0, n)
	for _, g := range groups {
		v := g.best
		if len(heap) < n {
			heap = append(heap, v)
			for i := len(heap) - 1; i > 0 && heap[(i-1)/2] < heap[i]; i = (i - 1) / 2 {
				heap[i], heap[(i-1)/2] = heap[(i-1)/2], heap[i]
			}
			continue
		}
		if v >= heap[0] {
			continue
		}
		heap[0] = v
		for i := 0; ; {
			l, r, top := 2*i+1, 2*i+2, i
			if l < len(heap) && heap[l] > heap[top] {
				top = l
			}
			if r < len(heap) && heap[r] > heap[top] {
				top = r
			}
			if top == i {
				break
			}
			heap[i], heap[top] = heap[top], heap[i]
			i = top
		}
	}
	return heap[0]
}

// exactKeys reads the date and id of articles ns through tx.
func exactKeys(ctx context.Context, tx *sql.Tx, ns []int64) (map[int64]exactKey, error) {
	list, err := json.Marshal(ns)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT n, date, id FROM articles WHERE n IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := make(map[int64]exactKey, len(ns))
	for rows.Next() {
		var n int64
		var k exactKey
		if err := rows.Scan(&n, &k.date, &k.id); err != nil {
			return nil, err
		}
		keys[n] = k
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(keys) != len(ns) {
		return nil, fmt.Errorf("exact keys: %d of %d articles found", len(keys), len(ns))
	}
	return keys, nil
}
