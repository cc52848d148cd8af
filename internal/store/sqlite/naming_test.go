package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlschema"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// FirstNaming answers from what PrefetchNaming read as the statement
// does, through a transaction's inserts (earlier, later and tied dates,
// URLs not read ahead) and after the writes that make it read again
// (a refresh, a new version, a move into a cluster).
func TestNamingPrefetch(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	originals := []string{"https://wire.example/a", "https://wire.example/b", "https://wire.example/c", "https://other.example/d"}
	rng := rand.New(rand.NewPCG(1, 2))
	n := 0
	record := func(original string) store.Entry {
		n++
		text := fmt.Sprintf("Copy %d of a wire story, told again in other words.", n)
		url := fmt.Sprintf("https://copy%d.example/story", n)
		return store.Entry{Record: &store.Record{ID: fmt.Sprintf("c%03d", n*37%1000), Article: article.Article{
			URL: url, CanonicalURL: url, OriginalURL: original, Text: text, WordCount: article.CountWords(text),
			Published: time.Date(2024, 1, 1+rng.IntN(3), 0, 0, 0, 0, time.UTC),
		}, ContentHash: storetest.Hash(text), FetchedAt: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)}}
	}
	// Some copies archived before.
	var before []store.Entry
	for i := range 6 {
		before = append(before, record(originals[i%3]))
	}
	storetest.Load(t, db, before)

	stx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stx.Rollback()
	wt := stx.(*tx)
	urls := append([]string{"https://nothing.example/x", ""}, originals[:3]...)
	if err := wt.PrefetchNaming(ctx, urls); err != nil {
		t.Fatal(err)
	}
	check := func(step string) {
		t.Helper()
		for _, u := range append(urls, originals[3]) {
			got, gotOK, err := wt.FirstNaming(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			want, wantOK, err := sqlschema.FirstNaming(ctx, wt.tx, "?", u)
			if err != nil {
				t.Fatal(err)
			}
			if got != want || gotOK != wantOK {
				t.Errorf("%s: FirstNaming(%q) = %v %v, the statement says %v %v", step, u, got, gotOK, want, wantOK)
			}
		}
	}
	check("read ahead")
	for i := range 30 {
		e := record(originals[rng.IntN(len(originals))])
		if i%5 == 0 {
			e.Record.ClusterID = before[0].Record.ID // a duplicate
		}
		if _, err := stx.Put(ctx, e); err != nil {
			t.Fatal(err)
		}
		check(fmt.Sprintf("insert %d", i))
	}
	if wt.naming == nil {
		t.Fatal("inserts dropped the answers read ahead")
	}
	// A refresh that changes an archived copy's original: read again.
	moved := *before[0].Record
	moved.OriginalURL, moved.Title = originals[2], "Now a copy of c"
	if out, err := stx.Put(ctx, store.Entry{Record: &moved}); err != nil || out != store.Refreshed {
		t.Fatalf("refresh: %v %v", out, err)
	}
	if wt.naming != nil {
		t.Error("a refresh left the answers read ahead in place")
	}
	check("after a refresh")
}
