package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// keyFilter is what the day, site and facet caches (days.go) can answer
// of a query besides its words: its top-level after:, before:, site:,
// lang: and section: filters.
type keyFilter struct {
	from, until int32          // days: from <= day < until
	sites       map[int32]bool // nil: every site
	facets      map[int32]bool // nil: every facet
}

// keyFilterOf returns the keyFilter of w's top-level filters, and whether
// the caches and the full-text expression w.match together answer the
// query w translates: its conditions are all after:, before: (of whole
// days) and site: filters, and conditions of lang: and section: filters
// alone. Site names and facets are looked up through tx.
func keyFilterOf(ctx context.Context, tx querier, w *where) (keyFilter, bool, error) {
	f := keyFilter{from: math.MinInt32 + 1, until: math.MaxInt32} // noValue is never in range
	if w.otherCond {
		return f, false, nil
	}
	if len(w.facetNodes) > 0 {
		// filterExpr's conditions read a.language and a.section, which
		// the facets table has too.
		conds, args := make([]string, len(w.facetNodes)), []any(nil)
		for i, n := range w.facetNodes {
			c, a := w.sqlExpr(n)
			conds[i] = c
			args = append(args, a...)
		}
		ids, err := idSet(ctx, tx, `SELECT a.id FROM facets a WHERE `+strings.Join(conds, " AND "), args...)
		if err != nil {
			return f, false, err
		}
		f.facets = ids
	}
	for _, fl := range w.keyFilters {
		switch fl.Field {
		case query.After, query.Before:
			d := fl.Date.Unix()
			if d%86400 != 0 {
				return f, false, nil // not a whole day
			}
			if fl.Field == query.After {
				f.from = max(f.from, dayOf(d))
			} else {
				f.until = min(f.until, dayOf(d))
			}
		case query.Site:
			c, args := filterExpr(fl)
			ids, err := idSet(ctx, tx, `SELECT s.id FROM sites s WHERE `+strings.Replace(c, "a.site_id", "s.id", 1), args...)
			if err != nil {
				return f, false, err
			}
			if f.sites != nil { // site: filters AND together
				maps.DeleteFunc(ids, func(id int32, _ bool) bool { return !f.sites[id] })
			}
			f.sites = ids
		}
	}
	return f, true, nil
}

// idSet returns the ids that query sqlq gives.
func idSet(ctx context.Context, tx querier, sqlq string, args ...any) (map[int32]bool, error) {
	rows, err := tx.QueryContext(ctx, sqlq, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := map[int32]bool{}
	for rows.Next() {
		var id int32
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids[id] = true
	}
	return ids, rows.Err()
}

// countKeys counts the articles matching the full-text expression match
// (every article when it is empty) that pass c.f, as c says (by period,
// by site and period, by site), from the day, site and facet caches, in
// read transaction tx.
func (db *DB) countKeys(ctx context.Context, tx *sql.Tx, match string, c *keyCounter) error {
	if err := db.loadViews(ctx, tx, c); err != nil {
		return err
	}
	if match == "" {
		for n, day := range c.days.vals {
			if day != noValue {
				c.add(int64(n))
			}
		}
		return nil
	}
	token, done := lend(c)
	defer done()
	var rows int64
	return tx.QueryRowContext(ctx, `SELECT herald_nkeys(rowid, ?) FROM article_fts WHERE article_fts MATCH ?`, token, match).Scan(&rows)
}

// loadViews gives c the views of the caches it needs, as read
// transaction tx sees them.
func (db *DB) loadViews(ctx context.Context, tx *sql.Tx, c *keyCounter) error {
	days, err := db.days.current(ctx, tx)
	if err != nil {
		return fmt.Errorf("dates: %w", err)
	}
	c.days, c.counts, c.periods = days, map[int64]int64{}, map[int32]int32{}
	if c.split || c.sitesOnly || c.f.sites != nil {
		if c.sites, err = db.siteIDs.current(ctx, tx); err != nil {
			return fmt.Errorf("sites: %w", err)
		}
	}
	if c.f.facets != nil {
		if c.facets, err = db.facetIDs.current(ctx, tx); err != nil {
			return fmt.Errorf("facets: %w", err)
		}
	}
	switch c.linkField {
	case store.TopTag:
		c.links, err = db.tagLinks.current(ctx, tx)
	case store.TopAuthor:
		c.links, err = db.authorLinks.current(ctx, tx)
	}
	if err != nil {
		return fmt.Errorf("%ss: %w", c.linkField, err)
	}
	return nil
}

// siteHosts returns the host of every site id, read through q.
func siteHosts(ctx context.Context, q querier) (map[int32]string, error) {
	hosts := map[int32]string{}
	rows, err := q.QueryContext(ctx, `SELECT id, host FROM sites`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int32
		var host string
		if err := rows.Scan(&id, &host); err != nil {
			return nil, err
		}
		hosts[id] = host
	}
	return hosts, rows.Err()
}

// cachedCount counts q's matches into c (whose filter it sets) from the
// caches, in one read transaction, when they can answer q (see
// keyFilterOf); ok is false when they cannot. Counting by site, it also
// returns the host of every site id.
func (db *DB) cachedCount(ctx context.Context, w *where, c *keyCounter) (hosts map[int32]string, ok bool, err error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, false, err
	}
	defer tx.Rollback()
	if c.f, ok, err = keyFilterOf(ctx, tx, w); err != nil || !ok {
		return nil, false, err
	}
	if err := db.countKeys(ctx, tx, w.match, c); err != nil {
		return nil, false, err
	}
	if c.split || c.sitesOnly {
		if hosts, err = siteHosts(ctx, tx); err != nil {
			return nil, false, err
		}
	}
	return hosts, true, nil
}

// cachedTimeline answers Timeline from the caches when they can answer q
// (see keyFilterOf); ok is false when they cannot.
func (db *DB) cachedTimeline(ctx context.Context, w *where, opts store.TimelineOptions) (out []store.Bucket, ok bool, err error) {
	c := &keyCounter{split: opts.Split == store.TopSite, by: opts.By}
	hosts, ok, err := db.cachedCount(ctx, w, c)
	if err != nil || !ok {
		return nil, false, err
	}
	if !c.split {
		return dayBuckets(c.counts, opts.By), true, nil
	}
	out = make([]store.Bucket, 0, len(c.counts))
	for k, n := range c.counts {
		site, day := int32(k>>32), int32(uint32(k))
		out = append(out, store.Bucket{Start: time.Unix(int64(day)*86400, 0).UTC(), Key: hosts[site], Count: int(n)})
	}
	slices.SortFunc(out, func(a, b store.Bucket) int {
		return cmp.Or(a.Start.Compare(b.Start), strings.Compare(a.Key, b.Key))
	})
	return out, true, nil
}

// dayBuckets adds counts by day up into buckets of a day, week or month,
// in time order.
func dayBuckets(counts map[int64]int64, by store.Interval) []store.Bucket {
	days := make([]int64, 0, len(counts))
	for day := range counts {
		days = append(days, day)
	}
	slices.Sort(days)
	var out []store.Bucket
	for _, day := range days {
		start := by.Truncate(time.Unix(day*86400, 0))
		if n := len(out); n > 0 && out[n-1].Start.Equal(start) {
			out[n-1].Count += int(counts[day])
			continue
		}
		out = append(out, store.Bucket{Start: start, Count: int(counts[day])})
	}
	return out
}

// cachedTopSites answers Top by site from the caches when they can
// answer q (see keyFilterOf); ok is false when they cannot.
func (db *DB) cachedTopSites(ctx context.Context, w *where, n int) (out []store.Count, ok bool, err error) {
	c := &keyCounter{sitesOnly: true}
	hosts, ok, err := db.cachedCount(ctx, w, c)
	if err != nil || !ok {
		return nil, false, err
	}
	out = make([]store.Count, 0, len(c.counts))
	for site, count := range c.counts {
		out = append(out, store.Count{Key: hosts[int32(site)], Count: int(count)})
	}
	slices.SortFunc(out, func(a, b store.Count) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Key, b.Key))
	})
	return out[:min(n, len(out))], true, nil
}
