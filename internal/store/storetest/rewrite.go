package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/store"
)

// testRewrite checks Put's rewrites (Entry.IfVersion), which herald
// reextract stores its records with: a rewrite of the version stored is
// stored as an ordinary Put's (Updated, Refreshed, Unchanged); one of an
// article deleted since it was read is not stored again (Gone) — an
// ordinary Put would bring a deleted article back — and one of an
// article stored at another version since is left alone (Superseded),
// in the deleting transaction and after.
func testRewrite(t *testing.T, st store.Store) {
	ctx := context.Background()
	mk := func(id, title, text string, ifVersion int) store.Entry {
		return store.Entry{Record: &store.Record{ID: id, Article: article.Article{
			URL: "https://again.example/" + id, CanonicalURL: "https://again.example/" + id, Title: title,
			Published: date("2024-05-01T08:00:00Z"), Text: text, WordCount: article.CountWords(text),
		}, ContentHash: Hash(text), ClusterID: id, FetchedAt: date("2024-05-02T00:00:00Z")}, IfVersion: ifVersion}
	}
	Load(t, st, []store.Entry{
		mk("r0", "Tide tables", "The tide tables for May are out.", 0),
		mk("r1", "Dredging", "The harbour will be dredged in June.", 0),
		mk("r2", "Quay", "The east quay closes for repairs.", 0),
	})
	get := func(id string) (*store.Record, error) {
		t.Helper()
		return st.Get(ctx, id)
	}
	for _, tc := range []struct {
		e    store.Entry
		want store.Outcome
	}{
		{mk("r0", "Tide tables", "The tide tables for May are out.", 1), store.Unchanged},
		{mk("r0", "Tide tables for May", "The tide tables for May are out.", 1), store.Refreshed},
		{mk("r0", "Tide tables for May", "The tide tables for May and June are out.", 1), store.Updated},
		{mk("r0", "Tide tables (old)", "The tide tables for May are out, read before the update.", 1), store.Superseded},
		{mk("r9", "Never archived", "A rewrite of an article that was never archived.", 1), store.Gone},
	} {
		if out := put(t, st, tc.e); out != tc.want {
			t.Errorf("rewrite of %s at version %d (%q) = %v, want %v", tc.e.Record.ID, tc.e.IfVersion, tc.e.Record.Title, out, tc.want)
		}
	}
	if r, err := get("r0"); err != nil || r.Version != 2 || r.Title != "Tide tables for May" || r.Text != "The tide tables for May and June are out." {
		t.Errorf("r0 after its rewrites = %+v, %v; want version 2, the superseded rewrite not stored", r, err)
	}
	if _, err := get("r9"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get r9 after a rewrite of it = %v, want ErrNotFound", err)
	}

	// Deleted in the rewriting transaction, then in one before it.
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	d, ok := tx.(store.Deleter)
	if !ok {
		t.Skip("not a Deleter")
	}
	if err := d.Delete(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	if out, err := tx.Put(ctx, mk("r1", "Dredging", "The harbour will be dredged in July.", 1)); err != nil || out != store.Gone {
		t.Errorf("rewrite of an article deleted in its transaction = %v, %v; want gone", out, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	tx, err = st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := tx.(store.Deleter).Delete(ctx, "r2"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if out := put(t, st, mk("r2", "Quay", "The east quay closes for repairs in winter.", 1)); out != store.Gone {
		t.Errorf("rewrite of a deleted article = %v, want gone", out)
	}
	for _, id := range []string{"r1", "r2"} {
		if r, err := get(id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get %s after delete and rewrite = %+v, %v; want ErrNotFound (not brought back)", id, r, err)
		}
	}
	res, err := st.Search(ctx, mustParse(t, "quay OR dredged"), store.SearchOptions{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 0 {
		t.Errorf("search finds %d deleted articles after their rewrites", len(res.Hits))
	}
}
