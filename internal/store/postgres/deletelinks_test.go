package postgres_test

import (
	"context"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/dedupe"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// TestDeleteDropsLinkRows: deleting an article deletes its LSH band rows
// (of its text and of its earlier version) and its author and tag links.
// They stayed, since migration 0002 dropped the foreign keys whose
// cascades deleted them (articles were never deleted then): space for
// nothing, and the links were counted in herald top author and top tag.
func TestDeleteDropsLinkRows(t *testing.T) {
	ctx := context.Background()
	db := pgtest.Open(t)
	defer db.Close()
	mk := func(text string) store.Entry {
		_, sig := dedupe.Fingerprint(text)
		return store.Entry{Record: &store.Record{ID: "gone", Article: article.Article{
			URL: "https://light.example/gone", CanonicalURL: "https://light.example/gone", Title: "Lighthouse",
			Text: text, WordCount: article.CountWords(text), Authors: []string{"Ghost Writer"}, Tags: []string{"ghosts"},
		}, ContentHash: storetest.Hash(text)}, Bands: sig.Bands()}
	}
	storetest.Load(t, db, []store.Entry{mk("Earlier: the lighthouse keeper said the lamp would be switched off in the spring, " +
		"after more than a century of guiding the ferries and fishing boats past the rocks of the northern breakwater.")})
	storetest.Load(t, db, []store.Entry{mk(storetest.DeletedText)})
	raw := postgres.RawDB(db)
	var n int64
	if err := raw.QueryRowContext(ctx, `SELECT n FROM articles WHERE id = 'gone'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	count := func() (bands, links int) {
		t.Helper()
		if err := raw.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM article_bands WHERE n = $1),
			(SELECT count(*) FROM article_authors WHERE n = $1) + (SELECT count(*) FROM article_tags WHERE n = $1)`, n).Scan(&bands, &links); err != nil {
			t.Fatal(err)
		}
		return bands, links
	}
	if b, l := count(); b == 0 || l != 2 {
		t.Fatalf("before the delete: %d band rows and %d links, want some and 2", b, l)
	}
	if err := storetest.DeleteIDs(t, db, "gone"); err != nil {
		t.Fatal(err)
	}
	if b, l := count(); b != 0 || l != 0 {
		t.Errorf("after the delete: %d band rows and %d author and tag links of row %d, want none", b, l, n)
	}
}
