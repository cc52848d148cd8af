package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

var _ store.StoryLister = (*DB)(nil)

// TopStories implements store.StoryLister: the matches grouped by
// cluster in one statement, then the first article of each story kept.
func (db *DB) TopStories(ctx context.Context, q *query.Query, n int) ([]store.Story, error) {
	if err := store.CheckN(n); err != nil {
		return nil, fmt.Errorf("top stories: %w", err)
	}
	w, err := db.translate(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("top stories: %w", err)
	}
	sqlq := `SELECT m.cluster_id, m.articles, m.sites, m.last, a.id, a.title, a.canonical_url, s.host, a.date, a.original_url
		FROM (SELECT a.cluster_id, count(*) AS articles, count(DISTINCT a.site_id) AS sites, max(a.date) AS last,
			min(a.date) AS first, (array_agg(a.n ORDER BY a.date, a.n))[1] AS first_n` + w.from() + `
			GROUP BY a.cluster_id HAVING count(*) > 1
			ORDER BY articles DESC, sites DESC, first, a.cluster_id LIMIT ` + w.next(1) + `) m
		JOIN articles a ON a.n = m.first_n JOIN sites s ON s.id = a.site_id
		ORDER BY m.articles DESC, m.sites DESC, m.first, m.cluster_id`
	rows, err := db.db.QueryContext(ctx, sqlq, append(w.args, n)...)
	if err != nil {
		return nil, fmt.Errorf("top stories %q: %w", q.String(), err)
	}
	defer rows.Close()
	out := []store.Story{}
	for rows.Next() {
		var s store.Story
		var last, first int64
		if err := rows.Scan(&s.Cluster, &s.Articles, &s.Sites, &last, &s.First.ID, &s.First.Title, &s.First.URL, &s.First.Site, &first, &s.First.OriginalURL); err != nil {
			return nil, fmt.Errorf("top stories %q: %w", q.String(), err)
		}
		s.Last, s.First.Date = time.Unix(last, 0).UTC(), time.Unix(first, 0).UTC()
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("top stories %q: %w", q.String(), err)
	}
	return out, nil
}
