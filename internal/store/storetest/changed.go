package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/store"
)

// testScanChanged: ScanChanged keeps the articles written at or after a
// time — stored, given a new version, refreshed or moved to another
// cluster — in Scan's order, with the query's other conditions; an
// unchanged put does not count.
func testScanChanged(t *testing.T, st store.Store) {
	cs, ok := st.(store.ChangeScanner)
	if !ok {
		t.Skip("not a ChangeScanner")
	}
	ctx := context.Background()
	mk := func(i int, text string) store.Entry {
		site := []string{"one.example", "two.example", "three.example", "four.example"}[i]
		return store.Entry{Record: &store.Record{ID: fmt.Sprintf("ch%d", i), Article: article.Article{
			URL: "https://" + site + "/story", CanonicalURL: "https://" + site + "/story", Title: "Story " + site,
			Published: date(fmt.Sprintf("2024-05-0%dT10:00:00Z", i+1)), Text: text, WordCount: article.CountWords(text),
		}, ContentHash: Hash(text), FetchedAt: date("2024-05-09T00:00:00Z")}}
	}
	texts := []string{
		"The ferry timetable changes on Monday for the winter months, the operator said.",
		"A new bakery opened in the old post office, with queues down the street by noon.",
		"The council approved the cycle lane after a long debate about parking spaces.",
		"Lighthouse keepers gathered for their annual meeting on the northern island.",
	}
	clock := func() time.Time { return mark(t, cs) }
	before := clock()
	var entries []store.Entry
	for i, text := range texts {
		entries = append(entries, mk(i, text))
	}
	// Others, so that a delta of two is a small part of the archive
	// (which a backend may read another way, see sqlite.ScanChanged).
	g := NewGenerator(3)
	for range 30 {
		entries = append(entries, g.Next())
	}
	Load(t, st, entries)
	since := func(from time.Time, q string) []string {
		t.Helper()
		var ids []string
		if err := cs.ScanChanged(ctx, mustParse(t, q), from, func(r *store.Record) error {
			ids = append(ids, r.ID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if got := since(before.Add(-time.Minute), "site:example"); !slices.Equal(got, []string{"ch0", "ch1", "ch2", "ch3"}) {
		t.Errorf("everything on *.example stored since a minute ago: %v", got)
	}
	if got := since(before.Add(-time.Minute), ""); len(got) != len(entries) {
		t.Errorf("everything stored since a minute ago: %d articles, want %d", len(got), len(entries))
	}
	if got := since(clock().Add(time.Hour), ""); len(got) != 0 {
		t.Errorf("changed in an hour: %v", got)
	}

	mark := clock()
	if got := since(mark, ""); len(got) != 0 {
		t.Fatalf("nothing written since the mark, got %v", got)
	}
	changed := mk(1, texts[1]+" It sold out of bread by two.") // a new version
	refreshed := mk(2, texts[2])
	refreshed.Record.Title = "Council approves the cycle lane" // new metadata
	same := mk(0, texts[0])                                    // unchanged
	outs := Load(t, st, []store.Entry{changed, refreshed, same})
	if !slices.Equal(outs, []store.Outcome{store.Updated, store.Refreshed, store.Unchanged}) {
		t.Fatalf("outcomes %v", outs)
	}
	if got := since(mark, ""); !slices.Equal(got, []string{"ch1", "ch2"}) {
		t.Errorf("changed since the mark: %v, want ch1 ch2", got)
	}
	if got := since(mark, "site:three.example"); !slices.Equal(got, []string{"ch2"}) {
		t.Errorf("changed since the mark on three.example: %v", got)
	}
	if got := since(mark, "bakery"); !slices.Equal(got, []string{"ch1"}) {
		t.Errorf("changed since the mark with bakery: %v", got)
	}

	// Moved to another cluster.
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if m, ok := tx.(store.ClusterMover); ok {
		moved := clock()
		if err := m.JoinCluster(ctx, "ch3", "ch0"); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if got := since(moved, ""); !slices.Equal(got, []string{"ch3"}) {
			t.Errorf("changed since the move: %v, want ch3", got)
		}
	}
}

// mark reads the time on the clock cs stamps writes by (the database
// server's), with a pause either side, so that writes fall clearly on
// one side of it.
func mark(t *testing.T, cs store.ChangeScanner) time.Time {
	t.Helper()
	time.Sleep(20 * time.Millisecond)
	now, err := cs.ChangeClock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	return now
}
