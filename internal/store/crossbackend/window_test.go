package crossbackend

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// TestRankWindow checks the plans for a word with more matches than
// store.RankWindow: only the most recently archived RankWindow matches
// are ranked, totals count them all, and collapsing counts every cluster.
// The articles score alike on both backends (the same fields), so ties
// break by archiving order and the pages must be identical.
func TestRankWindow(t *testing.T) {
	ctx := context.Background()
	lite, pg := openBoth(t)
	n := store.RankWindow + 700
	var entries []store.Entry
	for i := range n {
		id := fmt.Sprintf("w%05d", i)
		r := &store.Record{ID: id, Article: article.Article{
			URL: "https://window.example/" + id, CanonicalURL: "https://window.example/" + id,
			Title: "Harbour notes", Text: "The harbour was calm today.",
			Published: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i%97) * time.Hour),
		}, ContentHash: storetest.Hash(id), FetchedAt: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)}
		if i%3 != 0 {
			r.ClusterID = fmt.Sprintf("w%05d", i-i%3) // clusters of three
		}
		entries = append(entries, store.Entry{Record: r})
	}
	storetest.Load(t, lite, entries)
	for _, e := range entries {
		e.Record.Version = 0
		if e.Record.ClusterID == e.Record.ID {
			e.Record.ClusterID = ""
		}
	}
	storetest.Load(t, pg, entries)
	q, err := store.ParseQuery("harbour")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []store.SearchOptions{
		{Limit: 1000},
		{Limit: 1000, Offset: store.RankWindow - 300},
		{Limit: 50, Offset: store.RankWindow + 10},
		{Collapse: true, Limit: 1000},
		{Collapse: true, Limit: 1000, Offset: 1500},
	} {
		a, err1 := lite.Search(ctx, q, o)
		b, err2 := pg.Search(ctx, q, o)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		ids := func(r *store.SearchResult) []string {
			var out []string
			for _, h := range r.Hits {
				out = append(out, fmt.Sprintf("%s+%d", h.Record.ID, h.Duplicates))
			}
			return out
		}
		want := n
		if o.Collapse {
			want = (n + 2) / 3
		}
		if a.Total != want {
			t.Errorf("Search(harbour, %+v): sqlite total %d, want %d", o, a.Total, want)
		}
		if wantHits := min(o.Limit, max(0, min(store.RankWindow, want)-o.Offset)); !o.Collapse && len(a.Hits) != wantHits {
			t.Errorf("Search(harbour, %+v): %d hits, want %d (the rank window)", o, len(a.Hits), wantHits)
		}
		if a.Total != b.Total || a.TotalCapped != b.TotalCapped || !slices.Equal(ids(a), ids(b)) {
			t.Errorf("Search(harbour, %+v): sqlite total %d, %d hits from %v; postgres total %d, %d hits from %v",
				o, a.Total, len(a.Hits), first(ids(a)), b.Total, len(b.Hits), first(ids(b)))
		}
	}
}

func first(s []string) []string { return s[:min(3, len(s))] }
