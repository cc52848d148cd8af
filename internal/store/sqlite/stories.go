package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

var _ store.StoryLister = (*DB)(nil)

// TopStories implements store.StoryLister. It finds the matches that
// share a cluster (article_keys marks them with the cluster's first row
// number; a few per cent of the articles): for words, dates and sites
// from the caches (cached.go, clusters.go) while walking the full-text
// matches, else from the narrow key rows of the matches. It reads their
// key rows, counts them per cluster here, and reads article rows only for
// the stories it returns.
func (db *DB) TopStories(ctx context.Context, q *query.Query, n int) ([]store.Story, error) {
	if err := store.CheckN(n); err != nil {
		return nil, fmt.Errorf("top stories: %w", err)
	}
	stories, err := db.topStories(ctx, q, n)
	if err != nil {
		return nil, fmt.Errorf("top stories %q: %w", q.String(), err)
	}
	return stories, nil
}

// storyCount is a cluster's count among a query's matches.
type storyCount struct {
	cluster     int64 // row number of its first stored article
	articles    int
	sites       map[int64]bool
	first, last int64   // dates
	firstNs     []int64 // the matches dated first (the first archived of them is the story's first)
}

func (db *DB) topStories(ctx context.Context, q *query.Query, n int) ([]store.Story, error) {
	w, err := db.translate(ctx, q)
	if err != nil {
		return nil, err
	}
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	sqlq, args := `SELECT n, date, site_id, cluster FROM article_keys WHERE cluster IS NOT NULL`, []any(nil)
	f, cached, err := keyFilterOf(ctx, tx, w)
	if err != nil {
		return nil, err
	}
	switch {
	case cached && !w.empty() && !db.noCaches:
		view, err := db.clusters.current(ctx, tx)
		if err != nil {
			return nil, err
		}
		c := &keyCounter{f: f, marked: view.marked}
		if err := db.countKeys(ctx, tx, w.match, c); err != nil {
			return nil, err
		}
		ns, err := json.Marshal(c.inClusters)
		if err != nil {
			return nil, err
		}
		sqlq = `SELECT n, date, site_id, cluster FROM article_keys WHERE n IN (SELECT value FROM json_each(?))`
		args = []any{string(ns)}
	case !w.empty():
		var from string
		from, args = w.keysFrom()
		sqlq = `SELECT m.n, m.date, m.site_id, ck.cluster FROM (SELECT a.n, a.date, a.site_id` + from + `) m
			JOIN article_keys ck ON ck.n = m.n WHERE ck.cluster IS NOT NULL`
	}
	rows, err := tx.QueryContext(ctx, sqlq, args...)
	if err != nil {
		return nil, err
	}
	counts := map[int64]*storyCount{}
	for rows.Next() {
		var an, date, site, cluster int64
		if err := rows.Scan(&an, &date, &site, &cluster); err != nil {
			rows.Close()
			return nil, err
		}
		c := counts[cluster]
		if c == nil {
			c = &storyCount{cluster: cluster, sites: map[int64]bool{}, first: date, last: date}
			counts[cluster] = c
		}
		c.articles++
		c.sites[site] = true
		switch {
		case date < c.first:
			c.first, c.firstNs = date, []int64{an}
		case date == c.first:
			c.firstNs = append(c.firstNs, an)
		}
		c.last = max(c.last, date)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var cands []*storyCount
	for _, c := range counts {
		if c.articles > 1 {
			cands = append(cands, c)
		}
	}
	// Order by what is known without reading articles; the cluster id
	// breaks the remaining ties, so keep every candidate tied with the
	// last one kept.
	before := func(a, b *storyCount) int {
		return store.StoryOrder(store.Story{Articles: a.articles, Sites: len(a.sites), First: store.StoryArticle{Date: time.Unix(a.first, 0)}},
			store.Story{Articles: b.articles, Sites: len(b.sites), First: store.StoryArticle{Date: time.Unix(b.first, 0)}})
	}
	slices.SortFunc(cands, before)
	keep := min(n, len(cands))
	for keep < len(cands) && before(cands[keep-1], cands[keep]) == 0 {
		keep++
	}
	stories := make([]store.Story, 0, keep)
	for _, c := range cands[:keep] {
		s := store.Story{Articles: c.articles, Sites: len(c.sites), Last: time.Unix(c.last, 0).UTC()}
		if err := tx.QueryRowContext(ctx, `SELECT cluster_id FROM articles WHERE n = ?`, c.cluster).Scan(&s.Cluster); err != nil {
			return nil, fmt.Errorf("cluster of row %d: %w", c.cluster, err)
		}
		ns, err := json.Marshal(c.firstNs)
		if err != nil {
			return nil, err
		}
		var date int64
		err = tx.QueryRowContext(ctx, `SELECT a.id, a.title, a.canonical_url, s.host, a.date, a.original_url FROM articles a
			JOIN sites s ON s.id = a.site_id WHERE a.n IN (SELECT value FROM json_each(?)) ORDER BY a.n LIMIT 1`, string(ns)).
			Scan(&s.First.ID, &s.First.Title, &s.First.URL, &s.First.Site, &date, &s.First.OriginalURL)
		if err != nil {
			return nil, fmt.Errorf("first article of cluster %s: %w", s.Cluster, err)
		}
		s.First.Date = time.Unix(date, 0).UTC()
		stories = append(stories, s)
	}
	return store.SortStories(stories, n), nil
}
