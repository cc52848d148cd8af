package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// putEach stores each entry in a transaction of its own: one more
// full-text index segment per commit, before FTS5's automerge.
func putEach(t *testing.T, db *sqlite.DB, entries []store.Entry) {
	t.Helper()
	for _, e := range entries {
		storetest.Load(t, db, []store.Entry{e})
	}
}

func generated(seed int64, n int) []store.Entry {
	g := storetest.NewGenerator(seed)
	es := make([]store.Entry, n)
	for i := range es {
		es[i] = g.Next()
	}
	return es
}

// answers is what a few searches return (totals and hit ids), to compare
// before and after merging segments.
func answers(t *testing.T, db *sqlite.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{"government", `"prime minister"`, "city -council", "elect*", "market OR harvest"} {
		for _, collapse := range []bool{false, true} {
			res, err := db.Search(context.Background(), query.MustParse(q), store.SearchOptions{Limit: 50, Collapse: collapse})
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %v: %d", q, collapse, res.Total)
			for _, h := range res.Hits {
				fmt.Fprintf(&b, " %s/%d/%.4f", h.Record.ID, h.Duplicates, h.Score)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func segments(t *testing.T, db *sqlite.DB) map[int64]int64 {
	t.Helper()
	m, err := sqlite.Segments(db)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := db.IndexSegments(context.Background()); err != nil || n != len(m) {
		t.Fatalf("IndexSegments = %d, %v; want %d", n, err, len(m))
	}
	return m
}

// An archive written in many transactions has several index segments;
// Tidy merges them (with no segment dominating, into one), in several
// steps, and every search answers as before.
func TestTidyMergesSegments(t *testing.T) {
	defer sqlite.SetTidyPages(sqlite.SetTidyPages(1))
	ctx := context.Background()
	db := mustOpen(t)
	defer db.Close()
	putEach(t, db, generated(1, 14))
	if n := len(segments(t, db)); n < 3 {
		t.Fatalf("%d segments after 14 transactions; the test wants several", n)
	}
	before := answers(t, db)
	if err := db.Tidy(ctx); err != nil {
		t.Fatal(err)
	}
	if got := segments(t, db); len(got) != 1 {
		t.Errorf("segments after Tidy: %v, want one", got)
	}
	if after := answers(t, db); after != before {
		t.Errorf("searches changed by Tidy:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if err := sqlite.IndexIntegrity(db); err != nil {
		t.Errorf("index after Tidy: %v", err)
	}
	// Nothing left to merge: Tidy returns, and changes nothing.
	if err := db.Tidy(ctx); err != nil {
		t.Fatal(err)
	}
	if got := segments(t, db); len(got) != 1 {
		t.Errorf("segments after a second Tidy: %v", got)
	}
}

// Optimize after an import much smaller than the archive merges the new
// segments only: the large one is not rewritten (its segment id stays).
// Without a dominant segment it merges everything into one.
func TestOptimizeSparesTheDominantSegment(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	defer db.Close()
	es := generated(2, 150)
	for i := 0; i < 140; i += 7 {
		storetest.Load(t, db, es[i:i+7]) // twenty transactions of seven
	}
	if n := len(segments(t, db)); n < 3 {
		t.Fatalf("%d segments after twenty transactions; the test wants several", n)
	}
	if err := db.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	merged := segments(t, db)
	if len(merged) != 1 {
		t.Fatalf("segments after optimizing: %v, want one", merged)
	}
	big := slices.Collect(maps.Keys(merged))[0]

	putEach(t, db, es[140:])
	n := len(segments(t, db))
	if n < 4 {
		t.Fatalf("%d segments after ten more transactions; the test wants several", n)
	}
	before := answers(t, db)
	if err := db.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	got := segments(t, db)
	if _, ok := got[big]; !ok || got[big] != merged[big] || len(got) > 3 {
		t.Errorf("segments after Optimize: %v (from %d); want segment %d (size %d) untouched and the small ones merged into one or two", got, n, big, merged[big])
	}
	if after := answers(t, db); after != before {
		t.Errorf("searches changed by Optimize:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if err := sqlite.IndexIntegrity(db); err != nil {
		t.Errorf("index after Optimize: %v", err)
	}
}

// A cancelled Tidy stops between steps with the context's error; the
// index stays whole and a later Tidy finishes the job.
func TestTidyCancelled(t *testing.T) {
	defer sqlite.SetTidyPages(sqlite.SetTidyPages(1))
	db := mustOpen(t)
	defer db.Close()
	putEach(t, db, generated(3, 14))
	n := len(segments(t, db))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.Tidy(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Tidy with a cancelled context: %v", err)
	}
	if got := len(segments(t, db)); got != n {
		t.Errorf("a cancelled Tidy went from %d segments to %d", n, got)
	}
	if err := sqlite.IndexIntegrity(db); err != nil {
		t.Errorf("index after a cancelled Tidy: %v", err)
	}
	if err := db.Tidy(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := segments(t, db); len(got) != 1 {
		t.Errorf("segments after Tidy: %v", got)
	}
}

// An empty archive has no segment: Tidy and Optimize have nothing to do.
func TestTidyEmpty(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	defer db.Close()
	for _, f := range []func(context.Context) error{db.Tidy, db.Optimize} {
		if err := f(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := segments(t, db); len(got) != 0 {
		t.Errorf("segments of an empty archive: %v", got)
	}
}

// MergeIndex merges every segment into one, the dominant one included,
// in several steps, and every search answers as before.
func TestMergeIndex(t *testing.T) {
	defer sqlite.SetTidyPages(sqlite.SetTidyPages(2))
	ctx := context.Background()
	db := mustOpen(t)
	defer db.Close()
	es := generated(4, 110)
	storetest.Load(t, db, es[:100])
	putEach(t, db, es[100:])
	if n := len(segments(t, db)); n < 3 {
		t.Fatalf("%d segments; the test wants several", n)
	}
	before := answers(t, db)
	if err := db.MergeIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if got := segments(t, db); len(got) != 1 {
		t.Errorf("segments after MergeIndex: %v, want one", got)
	}
	if after := answers(t, db); after != before {
		t.Errorf("searches changed by MergeIndex:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if err := sqlite.IndexIntegrity(db); err != nil {
		t.Errorf("index after MergeIndex: %v", err)
	}
}

// A merge runs in short transactions: articles written meanwhile (a
// harvest beside herald optimize) are stored between its steps, before
// it ends, and the index ends whole and in one segment.
func TestMergeIndexLetsWritersIn(t *testing.T) {
	defer sqlite.SetTidyPages(sqlite.SetTidyPages(1))
	ctx := context.Background()
	db := mustOpen(t)
	defer db.Close()
	es := generated(9, 130)
	putEach(t, db, es[:110])
	// The index as it stands, read while the merge may be changing it.
	index := func() string {
		m, err := sqlite.Segments(db)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(m)
	}
	before := index()
	merged := make(chan error, 1)
	go func() { merged <- db.MergeIndex(ctx) }()
	// Write once the merge has committed a step (the index changed).
	for index() == before {
		select {
		case err := <-merged:
			t.Fatalf("the merge ended (%v) before any step was seen", err)
		default:
		}
	}
	var during int // writes committed while the merge was still running
	for _, e := range es[110:] {
		storetest.Load(t, db, []store.Entry{e})
		select {
		case err := <-merged:
			merged <- err
		default:
			during++
		}
	}
	if err := <-merged; err != nil {
		t.Fatal(err)
	}
	if during == 0 {
		t.Error("no write committed while the merge ran: it held the writer throughout")
	}
	if err := db.MergeIndex(ctx); err != nil { // the segments the writes added
		t.Fatal(err)
	}
	if got := segments(t, db); len(got) != 1 {
		t.Errorf("segments: %v, want one", got)
	}
	for _, e := range es[100:] {
		if _, err := db.Get(ctx, e.Record.ID); err != nil {
			t.Errorf("%s: %v", e.Record.ID, err)
		}
	}
	if err := sqlite.IndexIntegrity(db); err != nil {
		t.Errorf("index: %v", err)
	}
}

// A new archive hands back the pages its index merges free: after
// MergeIndex the file has no free pages and is smaller than before, in
// several release steps, and every search answers as before.
func TestMergeReleasesFreePages(t *testing.T) {
	defer sqlite.SetTidyPages(sqlite.SetTidyPages(1))
	defer sqlite.SetReleasePages(sqlite.SetReleasePages(3))
	ctx := context.Background()
	db := mustOpen(t)
	defer db.Close()
	putEach(t, db, generated(1, 150))
	p0, err := sqlite.Pages(db)
	if err != nil {
		t.Fatal(err)
	}
	if p0.AutoVacuum != 2 || p0.Size != 16384 {
		t.Fatalf("new archive: auto_vacuum %d, page size %d; want 2 (incremental) and 16384", p0.AutoVacuum, p0.Size)
	}
	if p0.Free < 4 {
		t.Fatalf("%d free pages after 150 transactions; the test wants some, for several release steps", p0.Free)
	}
	before := answers(t, db)
	if err := db.MergeIndex(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := sqlite.Pages(db)
	if err != nil {
		t.Fatal(err)
	}
	if p.Free != 0 || p.Count >= p0.Count {
		t.Errorf("after MergeIndex: %d pages, %d free; before: %d pages; want no free pages and a smaller file", p.Count, p.Free, p0.Count)
	}
	if after := answers(t, db); after != before {
		t.Errorf("searches changed by MergeIndex:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if err := sqlite.IndexIntegrity(db); err != nil {
		t.Errorf("index after MergeIndex: %v", err)
	}
	if err := sqlite.IntegrityCheck(db); err != nil {
		t.Errorf("file after MergeIndex: %v", err)
	}
}
