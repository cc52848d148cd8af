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
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

// keyFilter is what the day, site, facet and link caches (days.go,
// links.go) can answer of a query besides its words: its top-level
// after:, before:, site:, lang:, section:, tag: and author: filters.
type keyFilter struct {
	from, until int32          // days: from <= day < until
	sites       map[int32]bool // nil: every site
	// tests are the conditions of lang:, section:, tag: and author:
	// filters, each of which an article must pass.
	tests []*rowTest
	// the caches the tests read
	facets, tags, authors bool
}

// rowTest is a condition made of lang:, section:, tag: and author:
// filters, as the caches answer it for one article: its facet is in a
// set (op 'f'), one of its tags or authors is ('t', 'a'), or the
// negation, conjunction or disjunction of other tests ('!', '&', '|').
type rowTest struct {
	op   byte
	set  map[int32]bool
	kids []*rowTest
}

// pass reports whether article n passes t, by the views of c.
func (t *rowTest) pass(c *keyCounter, n int64) bool {
	switch t.op {
	case 'f':
		return t.set[c.facets.vals[n]]
	case 't', 'a':
		v := c.tagView
		if t.op == 'a' {
			v = c.authorView
		}
		for _, id := range v.of(n) {
			if t.set[id] {
				return true
			}
		}
		return false
	case '!':
		return !t.kids[0].pass(c, n)
	case '&':
		for _, k := range t.kids {
			if !k.pass(c, n) {
				return false
			}
		}
		return true
	}
	for _, k := range t.kids { // '|'
		if k.pass(c, n) {
			return true
		}
	}
	return false
}

// rowTestOf compiles node n (made of lang:, section:, tag: and author:
// filters alone) into a rowTest, reading the sets through tx and noting
// in f the caches it needs. A part made of lang: and section: filters
// alone is one set of facets, evaluated over the facets table.
func rowTestOf(ctx context.Context, tx querier, w *where, n query.Node, f *keyFilter) (*rowTest, error) {
	if onlyFilters(n, query.Lang, query.Section) {
		// filterExpr's conditions read a.language and a.section, which
		// the facets table has too.
		c, args := w.sqlExpr(n)
		set, err := idSet(ctx, tx, `SELECT a.id FROM facets a WHERE `+c, args...)
		f.facets = true
		return &rowTest{op: 'f', set: set}, err
	}
	t := &rowTest{}
	var kids []query.Node
	switch n := n.(type) {
	case *query.Filter: // tag: or author:
		if n.Field == query.Author {
			t.op, t.set = 'a', map[int32]bool{}
			for _, id := range w.authorIDs[n.Value] {
				t.set[int32(id)] = true
			}
			f.authors = true
			return t, nil
		}
		q, args := w.linkIDs(n)
		set, err := idSet(ctx, tx, q, args...)
		t.op, t.set = 't', set
		f.tags, f.authors = f.tags || t.op == 't', f.authors || t.op == 'a'
		return t, err
	case *query.Not:
		t.op, kids = '!', []query.Node{n.Node}
	case *query.And:
		t.op, kids = '&', n.Nodes
	case *query.Or:
		t.op, kids = '|', n.Nodes
	default:
		return nil, fmt.Errorf("no row test for %T", n)
	}
	for _, k := range kids {
		kt, err := rowTestOf(ctx, tx, w, k, f)
		if err != nil {
			return nil, err
		}
		t.kids = append(t.kids, kt)
	}
	return t, nil
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
	for _, n := range w.rowNodes {
		t, err := rowTestOf(ctx, tx, w, n, &f)
		if err != nil {
			return f, false, err
		}
		f.tests = append(f.tests, t)
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
			c, args := w.filterExpr(fl)
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
	if sw := store.SharedWorkOf(ctx); sw != nil {
		// Reads that belong together (store.WithSharedWork) walk the
		// full-text index once and count from the list of matches. A
		// match that c's views lack was archived after they were read:
		// it is left out, as it would be by a walk in tx.
		ns, err := sw.Do(ctx, db.sharedMatchesKey(match), func() (any, error) {
			return db.matchRows(ctx, tx, match, c.days)
		})
		if err != nil {
			return err
		}
		for _, n := range ns.([]int64) {
			c.add(n)
		}
		return nil
	}
	return walkKeys(ctx, tx, match, c)
}

// sharedMatchesKey is the key of the matches of match in store.SharedWork.
func (db *DB) sharedMatchesKey(match string) string {
	return fmt.Sprintf("sqlite %p matches %s", db, match)
}

// walkKeys counts the matches of the full-text expression match into c,
// walking the index in read transaction tx.
func walkKeys(ctx context.Context, tx *sql.Tx, match string, c *keyCounter) error {
	token, done := lend(c)
	defer done()
	var rows int64
	return tx.QueryRowContext(ctx, `SELECT herald_nkeys(rowid, ?) FROM article_fts WHERE article_fts MATCH ?`, token, match).Scan(&rows)
}

// matchRows returns the row numbers of the articles matching the
// full-text expression match, in read transaction tx whose day view is
// days.
func (db *DB) matchRows(ctx context.Context, tx *sql.Tx, match string, days *blockView) ([]int64, error) {
	all := &keyCounter{f: keyFilter{from: math.MinInt32 + 1, until: math.MaxInt32}, collect: true, days: days}
	if err := walkKeys(ctx, tx, match, all); err != nil {
		return nil, err
	}
	return all.passed, nil
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
	if c.f.facets || c.byFacet {
		if c.facets, err = db.facetIDs.current(ctx, tx); err != nil {
			return fmt.Errorf("facets: %w", err)
		}
	}
	if c.f.tags || c.linkField == store.TopTag {
		if c.tagView, err = db.tagLinks.current(ctx, tx); err != nil {
			return fmt.Errorf("tags: %w", err)
		}
	}
	if c.f.authors || c.linkField == store.TopAuthor {
		if c.authorView, err = db.authorLinks.current(ctx, tx); err != nil {
			return fmt.Errorf("authors: %w", err)
		}
	}
	switch c.linkField {
	case store.TopTag:
		c.links = c.tagView
	case store.TopAuthor:
		c.links = c.authorView
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

// inCaches runs fn in one read transaction with the keyFilter of w's
// filters, when the caches can answer w (see keyFilterOf); ok is false,
// and fn is not run, when they cannot.
func (db *DB) inCaches(ctx context.Context, w *where, fn func(tx *sql.Tx, f keyFilter) error) (ok bool, err error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	f, ok, err := keyFilterOf(ctx, tx, w)
	if err != nil || !ok {
		return false, err
	}
	return true, fn(tx, f)
}

// countedInCaches counts w's matches into c (whose filter it sets) from
// the caches and then runs then, in one read transaction, when the
// caches can answer w; ok is false when they cannot.
func (db *DB) countedInCaches(ctx context.Context, w *where, c *keyCounter, then func(tx *sql.Tx) error) (ok bool, err error) {
	return db.inCaches(ctx, w, func(tx *sql.Tx, f keyFilter) error {
		c.f = f
		if err := db.countKeys(ctx, tx, w.match, c); err != nil {
			return err
		}
		return then(tx)
	})
}

// cachedCount counts q's matches into c (whose filter it sets) from the
// caches, in one read transaction, when they can answer q (see
// keyFilterOf); ok is false when they cannot. Counting by site, it also
// returns the host of every site id.
func (db *DB) cachedCount(ctx context.Context, w *where, c *keyCounter) (hosts map[int32]string, ok bool, err error) {
	ok, err = db.countedInCaches(ctx, w, c, func(tx *sql.Tx) (err error) {
		if c.split || c.sitesOnly {
			hosts, err = siteHosts(ctx, tx)
		}
		return err
	})
	return hosts, ok && err == nil, err
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

// originalsSQL reads the row number and original URL of every article
// that names one, through the partial index articles_original.
const originalsSQL = `SELECT o.n, o.original_url FROM articles o WHERE o.original_url <> ''`

// cachedTopOriginals answers Top by original from the caches when they
// can answer q (see keyFilterOf); ok is false when they cannot. The
// walk collects the matches, and the few articles that name an original
// are each tested against them.
func (db *DB) cachedTopOriginals(ctx context.Context, w *where, n int) (out []store.Count, ok bool, err error) {
	c := &keyCounter{collect: true}
	ok, err = db.countedInCaches(ctx, w, c, func(tx *sql.Tx) error {
		matched := make([]bool, len(c.days.vals))
		for _, n := range c.passed {
			matched[n] = true
		}
		out, err = sqlschema.TopOriginals(ctx, tx, originalsSQL, nil, n, func(n int64) bool {
			return n >= 0 && n < int64(len(matched)) && matched[n]
		})
		return err
	})
	return out, ok && err == nil, err
}

// cachedTopFacets answers Top by language or section from the caches when
// they can answer q (see keyFilterOf); ok is false when they cannot.
// Articles are counted by facet, then the facets by their language or
// section.
func (db *DB) cachedTopFacets(ctx context.Context, w *where, field store.TopField, n int) (out []store.Count, ok bool, err error) {
	c := &keyCounter{byFacet: true}
	counts := map[string]int{}
	ok, err = db.countedInCaches(ctx, w, c, func(tx *sql.Tx) error {
		col := map[store.TopField]string{store.TopLang: "language", store.TopSection: "section"}[field]
		rows, err := tx.QueryContext(ctx, `SELECT id, `+col+` FROM facets`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			if k := c.counts[id]; k > 0 && name != "" {
				counts[name] += int(k)
			}
		}
		return rows.Err()
	})
	if err != nil || !ok {
		return nil, false, err
	}
	out = make([]store.Count, 0, len(counts))
	for name, k := range counts {
		out = append(out, store.Count{Key: name, Count: k})
	}
	slices.SortFunc(out, func(a, b store.Count) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Key, b.Key))
	})
	return out[:min(n, len(out))], true, nil
}
