package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/store"
)

// testWithhold checks store.Withholder and store.WithheldLister: a
// withheld id is not archived again (Put writes nothing and says
// Withheld), in the transaction that withheld it and after; its URL is
// seen, so harvests skip it; an id can be withheld before it is ever
// archived; withholding again keeps the first record; IsWithheld says so
// (store.WithheldChecker); released, the id is archived again.
func testWithhold(t *testing.T, st store.Store) {
	ctx := context.Background()
	mk := func(id, text string) store.Entry {
		return store.Entry{Record: &store.Record{ID: id, Article: article.Article{
			URL: "https://kept.example/" + id, CanonicalURL: "https://kept.example/" + id, Title: "Kept " + id,
			Published: date("2024-02-01T08:00:00Z"), Text: text, WordCount: article.CountWords(text),
		}, ContentHash: Hash(text), ClusterID: id, FetchedAt: date("2024-02-02T00:00:00Z")}}
	}
	Load(t, st, []store.Entry{mk("w0", "A story the subject asked the archive to take down."), mk("w1", "A story that stays.")})
	lister, ok := st.(store.WithheldLister)
	if !ok {
		t.Skip("not a WithheldLister")
	}
	begin := func() store.Tx {
		t.Helper()
		tx, err := st.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tx.Rollback() })
		return tx
	}
	tx := begin()
	w, d := tx.(store.Withholder), tx.(store.Deleter)
	if err := w.Withhold(ctx, store.WithheldArticle{URL: "https://kept.example/x"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Withhold without an id = %v, want ErrInvalid", err)
	}
	for _, wa := range []store.WithheldArticle{
		{ID: "w0", URL: "https://kept.example/w0", At: date("2024-03-01T00:00:00Z"), Reason: "takedown request 17"},
		{ID: "w9", URL: "https://kept.example/w9", At: date("2024-03-02T00:00:00Z")}, // never archived
		{ID: "w0", URL: "https://kept.example/w0", At: date("2024-03-03T00:00:00Z"), Reason: "again"},
	} {
		if err := w.Withhold(ctx, wa); err != nil {
			t.Fatalf("Withhold %s: %v", wa.ID, err)
		}
	}
	if err := d.Delete(ctx, "w0"); err != nil {
		t.Fatal(err)
	}
	// In the same transaction.
	if out, err := tx.Put(ctx, mk("w0", "A story the subject asked the archive to take down.")); err != nil || out != store.Withheld {
		t.Errorf("Put of a withheld id in its transaction = %v, %v; want withheld", out, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	for _, id := range []string{"w0", "w9"} {
		if out := put(t, st, mk(id, "Any text at all, "+id+".")); out != store.Withheld {
			t.Errorf("Put(%s) after withholding = %v, want withheld", id, out)
		}
		if _, err := st.Get(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get(%s) = %v, want ErrNotFound", id, err)
		}
		if seen, err := st.Seen(ctx, "https://kept.example/"+id); err != nil || !seen {
			t.Errorf("Seen(%s) = %v, %v; want true (harvests skip it)", id, seen, err)
		}
	}
	if c, ok := st.(store.WithheldChecker); ok {
		for id, want := range map[string]bool{"w0": true, "w9": true, "w1": false, "nope": false} {
			if got, err := c.IsWithheld(ctx, id); err != nil || got != want {
				t.Errorf("IsWithheld(%s) = %v, %v; want %v", id, got, err, want)
			}
		}
	}
	if out := put(t, st, mk("w1", "A story that stays, updated.")); out != store.Updated {
		t.Errorf("Put of another article = %v, want updated", out)
	}
	list, err := lister.ListWithheld(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "w0" || list[0].Reason != "takedown request 17" || !list[0].At.Equal(date("2024-03-01T00:00:00Z")) ||
		list[1].ID != "w9" || list[1].URL != "https://kept.example/w9" {
		t.Errorf("ListWithheld = %+v", list)
	}

	n, err := lister.Release(ctx, []string{"w0", "nope"})
	if err != nil || n != 1 {
		t.Errorf("Release = %d, %v; want 1", n, err)
	}
	if out := put(t, st, mk("w0", "A story the subject asked the archive to take down.")); out != store.New {
		t.Errorf("Put after release = %v, want new", out)
	}
	if list, err := lister.ListWithheld(ctx); err != nil || len(list) != 1 || list[0].ID != "w9" {
		t.Errorf("ListWithheld after release = %+v, %v", list, err)
	}
	if s, err := st.Stats(ctx); err != nil || s.Withheld != 1 || s.Articles != 2 {
		t.Errorf("Stats after release: %+v, %v; want 1 withheld, 2 articles", s, err)
	}
}
