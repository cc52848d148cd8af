package archive_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// TestDelete: Delete removes what the query matches, every copy, in
// batches; an interrupted run leaves whole batches deleted and the rest
// as it was, and a second run finishes; each deleted article says how
// many copies of it stay; an unknown id deletes nothing.
func TestDelete(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st := b.open(t)
			var recs []*store.Record
			for i := range 5 {
				recs = append(recs, rec(fmt.Sprintf("https://wrong.example/%d", i), fmt.Sprintf("Page %d of a site harvested by mistake, about nothing in particular.", i)))
			}
			recs = append(recs, rec("https://one.example/budget", story), rec("https://two.example/budget", story))
			if _, err := archive.Ingest(ctx, st, recs); err != nil {
				t.Fatal(err)
			}
			parse := func(s string) *query.Query {
				q, err := store.ParseQuery(s)
				if err != nil {
					t.Fatal(err)
				}
				return q
			}
			count := func(s string) int {
				n := 0
				if err := st.Scan(ctx, parse(s), func(*store.Record) error { n++; return nil }); err != nil {
					t.Fatal(err)
				}
				return n
			}

			if _, err := archive.Delete(ctx, st, nil, []string{recs[5].ID, "nope"}, archive.DeleteOptions{}); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unknown id: %v", err)
			}
			if n := count(""); n != 7 {
				t.Fatalf("after a refused delete, %d articles, want 7", n)
			}

			// Interrupted after the first batch of two.
			cctx, cancel := context.WithCancel(ctx)
			var reported []string
			sum, err := archive.Delete(cctx, st, parse("site:wrong.example"), nil, archive.DeleteOptions{BatchSize: 2, Report: func(d archive.Deleted) {
				reported = append(reported, d.ID)
				cancel()
			}})
			if !errors.Is(err, context.Canceled) || sum == nil || sum.Matched != 5 || sum.Deleted != 2 || len(reported) != 2 {
				t.Fatalf("interrupted: %+v, %v, reported %v; want 5 matched, 2 deleted and reported, context canceled", sum, err, reported)
			}
			if n := count("site:wrong.example"); n != 3 {
				t.Errorf("after the interruption, %d articles of wrong.example, want 3", n)
			}
			sum, err = archive.Delete(ctx, st, parse("site:wrong.example"), nil, archive.DeleteOptions{BatchSize: 2})
			if err != nil || sum.Matched != 3 || sum.Deleted != 3 {
				t.Errorf("second run: %+v, %v", sum, err)
			}
			if n := count(""); n != 2 {
				t.Errorf("%d articles left, want the story's 2 copies", n)
			}

			var ds []archive.Deleted
			if _, err := archive.Delete(ctx, st, nil, []string{recs[5].ID}, archive.DeleteOptions{DryRun: true, Report: func(d archive.Deleted) { ds = append(ds, d) }}); err != nil {
				t.Fatal(err)
			}
			if len(ds) != 1 || ds[0].Copies != 1 || ds[0].URL != "https://one.example/budget" {
				t.Errorf("dry run of one copy reported %+v, want one.example with 1 copy staying", ds)
			}
			if n := count(""); n != 2 {
				t.Errorf("a dry run deleted: %d articles left", n)
			}
		})
	}
}

// TestWithhold: URLs the archive does not hold are withheld in one go;
// with one it holds among them, none is, and the error names it.
func TestWithhold(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st := b.open(t)
			held := rec("https://held.example/story", story)
			if _, err := archive.Ingest(ctx, st, []*store.Record{held}); err != nil {
				t.Fatal(err)
			}
			lister := st.(store.WithheldLister)
			free := store.WithheldArticle{ID: "00000000000000aa", URL: "https://free.example/story", Reason: "court order"}
			err := archive.Withhold(ctx, st, []store.WithheldArticle{free, {ID: held.ID, URL: held.CanonicalURL}})
			var he *archive.HeldError
			if !errors.As(err, &he) || he.URL != "https://held.example/story" {
				t.Fatalf("withholding an archived URL: %v, want a HeldError naming it", err)
			}
			if list, err := lister.ListWithheld(ctx); err != nil || len(list) != 0 {
				t.Errorf("after the refusal, withheld %+v, %v; want none", list, err)
			}
			if err := archive.Withhold(ctx, st, []store.WithheldArticle{free}); err != nil {
				t.Fatal(err)
			}
			if list, err := lister.ListWithheld(ctx); err != nil || len(list) != 1 || list[0].Reason != "court order" {
				t.Errorf("withheld %+v, %v", list, err)
			}
		})
	}
}

// TestDeleteStorageOrder: where the store says in which order it keeps
// articles (SQLite, by row number), Delete deletes and reports them in
// that order, not in the query's, so that each batch
// rewrites the pages of neighbouring articles; a dry run lists them in
// the same order.
func TestDeleteStorageOrder(t *testing.T) {
	ctx := context.Background()
	st := mustOpen(t)
	var want []string
	for i, day := range []int{3, 1, 4, 2, 5} {
		r := rec(fmt.Sprintf("https://order.example/%d", i), fmt.Sprintf("Page %d of a site harvested by mistake, about nothing in particular at all.", i))
		r.Published = time.Date(2024, 5, day, 12, 0, 0, 0, time.UTC)
		if _, err := archive.Ingest(ctx, st, []*store.Record{r}); err != nil {
			t.Fatal(err)
		}
		want = append(want, r.ID)
	}
	q, err := store.ParseQuery("site:order.example")
	if err != nil {
		t.Fatal(err)
	}
	for _, dry := range []bool{true, false} {
		var got []string
		_, err := archive.Delete(ctx, st, q, nil, archive.DeleteOptions{DryRun: dry, BatchSize: 2, Report: func(d archive.Deleted) { got = append(got, d.ID) }})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("dry run %v: reported %v, want the order they were stored in, %v", dry, got, want)
		}
	}
}
