package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/store"
)

// testScanDeleted: each deletion is recorded with the article's id and
// canonical URL, on the clock of ScanChanged; ScanDeleted lists those at
// or after a time, in order of deletion, without the articles archived
// again since, and with an article deleted twice once, at its later time.
// A deletion rolled back, or of an unknown id, is not recorded.
func testScanDeleted(t *testing.T, st store.Store) {
	ds, ok := st.(store.DeletionScanner)
	if !ok {
		t.Skip("not a DeletionScanner")
	}
	cs, ok := st.(store.ChangeScanner)
	if !ok {
		t.Fatal("a DeletionScanner without the ChangeScanner's clock")
	}
	ctx := context.Background()
	mk := func(i int) store.Entry {
		text := fmt.Sprintf("Article %d of the deletion test: the harbour board met on day %d to discuss the new pier.", i, i)
		u := fmt.Sprintf("https://del.example/story-%d", i)
		return store.Entry{Record: &store.Record{ID: fmt.Sprintf("del%d", i), Article: article.Article{
			URL: u + "?utm_source=feed", CanonicalURL: u, Title: fmt.Sprintf("Story %d", i),
			Published: date(fmt.Sprintf("2024-06-0%dT10:00:00Z", i+1)), Text: text, WordCount: article.CountWords(text),
		}, ContentHash: Hash(text), FetchedAt: date("2024-06-09T00:00:00Z")}}
	}
	var entries []store.Entry
	for i := range 5 {
		entries = append(entries, mk(i))
	}
	Load(t, st, entries)
	clock := func() time.Time { return mark(t, cs) }
	del := func(commit bool, ids ...string) {
		t.Helper()
		if err := deleteIn(t, st, commit, ids...); err != nil {
			t.Fatal(err)
		}
	}
	list := func(since time.Time) (ids []string, got []store.Deletion) {
		t.Helper()
		if err := ds.ScanDeleted(ctx, since, func(d store.Deletion) error {
			ids, got = append(ids, d.ID), append(got, d)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return ids, got
	}

	before := clock()
	from, err := ds.DeletionsFrom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !from.Equal(time.UnixMilli(0)) {
		t.Errorf("deletions recorded from %v, want the Unix epoch: a new archive has recorded them all", from)
	}
	if ids, _ := list(before.Add(-time.Hour)); len(ids) != 0 {
		t.Fatalf("deleted before any deletion: %v", ids)
	}
	del(true, "del0", "del1")
	del(false, "del4") // rolled back
	mark := clock()
	del(true, "del2")
	after := clock()

	ids, got := list(before)
	if !slices.Equal(ids, []string{"del0", "del1", "del2"}) {
		t.Errorf("deleted since before: %v, want del0 del1 del2 (in order of deletion)", ids)
	}
	ids, got = list(mark)
	if !slices.Equal(ids, []string{"del2"}) {
		t.Fatalf("deleted since the mark: %v, want del2", ids)
	}
	d := got[0]
	if d.CanonicalURL != "https://del.example/story-2" {
		t.Errorf("deletion's URL %q, want the canonical one", d.CanonicalURL)
	}
	if d.Deleted.Before(mark.Truncate(time.Millisecond)) || d.Deleted.After(after) {
		t.Errorf("deleted at %v, want between %v and %v", d.Deleted, mark, after)
	}
	if ids, _ := list(d.Deleted); !slices.Equal(ids, []string{"del2"}) {
		t.Errorf("deleted since its own time: %v, want del2 (at or after)", ids)
	}
	if ids, _ := list(d.Deleted.Add(time.Millisecond)); len(ids) != 0 {
		t.Errorf("deleted since a millisecond after its time: %v", ids)
	}
	if ids, _ := list(clock().Add(time.Hour)); len(ids) != 0 {
		t.Errorf("deleted in an hour: %v", ids)
	}

	// Unknown: not found, and not recorded.
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.(store.Deleter).Delete(ctx, "nosuch"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete of an unknown id: %v, want ErrNotFound", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	// Archived again: no longer deleted. Deleted again: its later time.
	Load(t, st, []store.Entry{mk(1)})
	if ids, _ := list(before); !slices.Equal(ids, []string{"del0", "del2"}) {
		t.Errorf("deleted since before, del1 archived again: %v, want del0 del2", ids)
	}
	again := clock()
	del(true, "del1")
	if ids, _ := list(before); !slices.Equal(ids, []string{"del0", "del2", "del1"}) {
		t.Errorf("deleted since before, del1 deleted again: %v, want del0 del2 del1", ids)
	}
	if ids, _ := list(again); !slices.Equal(ids, []string{"del1"}) {
		t.Errorf("deleted since del1 was deleted again: %v", ids)
	}
}
