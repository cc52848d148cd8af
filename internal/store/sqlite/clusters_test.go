package sqlite_test

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"testing"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// clustersOf counts the distinct clusters among every match of q, from
// an uncollapsed search: what a collapsed search's Total must be.
func clustersOf(t *testing.T, db *sqlite.DB, q string) int {
	t.Helper()
	res, err := db.Search(context.Background(), query.MustParse(q), store.SearchOptions{Limit: store.MaxLimit, Sort: query.SortNewest})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total > store.MaxLimit {
		t.Fatalf("%s: %d matches, more than a page", q, res.Total)
	}
	seen := map[string]bool{}
	for _, h := range res.Hits {
		seen[h.Record.ClusterID] = true
	}
	return len(seen)
}

func collapsedTotal(t *testing.T, db *sqlite.DB, q string) int {
	t.Helper()
	res, err := db.Search(context.Background(), query.MustParse(q), store.SearchOptions{Limit: 5, Collapse: true})
	if err != nil {
		t.Fatal(err)
	}
	return res.Total
}

// copyOf is a syndicated copy of e on another URL, in e's cluster (as
// the archive's deduplication would put it).
func copyOf(e store.Entry, i int) store.Entry {
	r := *e.Record
	r.URL = fmt.Sprintf("https://copies.example.org/%d.html", i)
	r.CanonicalURL, r.ID = r.URL, fmt.Sprintf("copy%012d", i)
	if r.ClusterID == "" {
		r.ClusterID = e.Record.ID
	}
	return store.Entry{Record: &r, Bands: e.Bands}
}

// A collapsed search counts clusters by one of three plans: from its rank
// window when that holds every match, in one walk of the matches with the
// cached clusters of marked articles, or in SQL (unmarked matches, then
// the clusters of marked ones) for words too common for the walk. All
// three give the number of distinct clusters among the matches.
func TestCollapsedCountPlans(t *testing.T) {
	db := mustOpen(t)
	defer db.Close()
	es := generated(7, 400)
	for i := 0; i < 60; i++ { // clusters of two, and some of three
		es = append(es, copyOf(es[i*5%300], i))
	}
	storetest.Load(t, db, es)
	queries := []string{"government", "city council", `"city council"`, `"prime minister"`, "elect*",
		"police OR court", "market -energy", "harvest", "nosuchword"}
	want := map[string]int{}
	for _, q := range queries {
		want[q] = clustersOf(t, db, q)
	}
	if want["government"] < 20 {
		t.Fatalf("government: %d clusters; the test wants a common word", want["government"])
	}
	for _, plan := range []struct {
		name                   string
		rankWindow, oneWalkMax int
	}{
		{"window", store.RankWindow, store.MaxTotal},
		{"one walk", 3, store.MaxTotal},
		{"one walk, then SQL when the walk finds more than predicted", 3, 4},
		{"SQL", 3, 0},
	} {
		sqlite.SetCountPlan(db, plan.rankWindow, plan.oneWalkMax)
		for _, q := range queries {
			if got := collapsedTotal(t, db, q); got != want[q] {
				t.Errorf("%s: %s: collapsed total %d, want %d clusters", plan.name, q, got, want[q])
			}
		}
	}
}

// The cached clusters follow the archive: when a new article joins a
// stored one's cluster (marking the stored one), by this handle or by
// another process, the next count sees one cluster, not two.
func TestCollapsedCountSeesNewClusters(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	other, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	es := generated(8, 60)
	storetest.Load(t, db, es[:50])
	count := func() (got, want int) {
		return collapsedTotal(t, db, "government"), clustersOf(t, db, "government")
	}
	// Two articles with the word, alone in their clusters.
	res, err := db.Search(ctx, query.MustParse("government"), store.SearchOptions{Limit: store.MaxLimit, Collapse: true})
	if err != nil {
		t.Fatal(err)
	}
	var with []int
	for _, h := range res.Hits {
		for i, e := range es[:50] {
			if h.Duplicates == 0 && e.Record.ID == h.Record.ID {
				with = append(with, i)
			}
		}
	}
	if len(with) < 2 {
		t.Fatalf("%d articles alone in their clusters have the word; the test wants two", len(with))
	}
	sqlite.SetCountPlan(db, 1, store.MaxTotal) // the one-walk plan
	if got, want := count(); got != want {
		t.Fatalf("before: %d, want %d", got, want)
	}
	for i, writer := range []*sqlite.DB{db, other} {
		storetest.Load(t, writer, []store.Entry{copyOf(es[with[i]], i)})
		got, want := count()
		if got != want {
			t.Errorf("after a copy stored by handle %d: collapsed total %d, want %d", i, got, want)
		}
		// New articles alone in their clusters come in through the
		// rows above the cache's highest.
		storetest.Load(t, writer, es[50+5*i:55+5*i])
		if got, want := count(); got != want {
			t.Errorf("after new articles stored by handle %d: collapsed total %d, want %d", i, got, want)
		}
	}
}

// Collapsed searches that rank and count at once take two reader
// connections each; many of them together, more than the pool holds,
// with a writer storing meanwhile, all finish (a full pool only delays
// them) and count what they see.
func TestCollapsedSearchesTogether(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	defer db.Close()
	es := generated(10, 300)
	storetest.Load(t, db, es[:200])
	sqlite.SetCountPlan(db, 3, store.MaxTotal) // rank and count at once
	want := collapsedTotal(t, db, "government")
	done := make(chan error, 9)
	for g := range 8 {
		go func() {
			for i := range 8 {
				q := []string{"government", `"city council"`, "market OR energy"}[(g+i)%3]
				res, err := db.Search(ctx, query.MustParse(q), store.SearchOptions{Limit: 5, Collapse: true})
				if err == nil && q == "government" && res.Total < want {
					err = fmt.Errorf("government: %d clusters, fewer than the %d stored before", res.Total, want)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	go func() {
		for _, e := range es[200:] {
			tx, err := db.Begin(ctx)
			if err == nil {
				_, err = tx.Put(ctx, e)
				if err == nil {
					err = tx.Commit()
				} else {
					tx.Rollback()
				}
			}
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for range 9 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if got, want := collapsedTotal(t, db, "government"), clustersOf(t, db, "government"); got != want {
		t.Errorf("after: %d, want %d", got, want)
	}
}

// The cluster cache loads the marked rows as one "n cluster n cluster …"
// list; a list it cannot read is an error, never a wrong count.
func TestParseMarks(t *testing.T) {
	got := map[int64]int64{}
	if err := sqlite.ParseMarks("12 7 13 7 40 39", got); err != nil {
		t.Fatal(err)
	}
	want := map[int64]int64{12: 7, 13: 7, 7: 7, 40: 39, 39: 39}
	if !maps.Equal(got, want) {
		t.Errorf("parsed %v, want %v", got, want)
	}
	if err := sqlite.ParseMarks("", got); err != nil || len(got) != len(want) {
		t.Errorf("empty list: %v, %v", err, got)
	}
	for _, bad := range []string{"12", "12 7 13", "12  7", "12 7 ", " 12 7", "12 x", "12,7", "-1 7", "1234567890123456789 7"} {
		if err := sqlite.ParseMarks(bad, map[int64]int64{}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// Warm loads the caches the first timeline and the first collapsed
// search would, on an empty archive as on one with articles.
func TestWarm(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	defer db.Close()
	if err := db.Warm(ctx); err != nil {
		t.Fatalf("empty archive: %v", err)
	}
	storetest.Load(t, db, storetest.Fixture())
	if dates, clusters := sqlite.Warmed(db); dates != 0 || clusters != 0 {
		t.Fatalf("caches loaded before any read: %d, %d", dates, clusters)
	}
	if err := db.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	n := int64(len(storetest.Fixture()))
	if dates, clusters := sqlite.Warmed(db); dates != n || clusters != n {
		t.Errorf("after Warm the caches hold %d and %d articles, want %d", dates, clusters, n)
	}
}
