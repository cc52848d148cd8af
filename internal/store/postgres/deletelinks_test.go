package postgres_test

import (
	"context"
	"maps"
	"net/url"
	"testing"
	"time"

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

// TestDeletedByHandRecorded: an article deleted by a statement other than
// Herald's own (an administrator's DELETE, or a worker of a Herald from
// before the recording, during an upgrade) is recorded for herald deleted
// all the same, by migration 0017's trigger: under its canonical URL, or
// its own URL when it has none. It is recorded in its own archive, even
// when the DELETE runs with another archive's schema first in its
// search_path, and with none at all.
func TestDeletedByHandRecorded(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	other := pgtest.Open(t) // another archive, in another schema of the database
	defer other.Close()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	mk := func(id, url, canonical, text string) store.Entry {
		_, sig := dedupe.Fingerprint(text)
		return store.Entry{Record: &store.Record{ID: id, Article: article.Article{
			URL: url, CanonicalURL: canonical, Title: "Harbour " + id,
			Text: text, WordCount: article.CountWords(text),
		}, ContentHash: storetest.Hash(text)}, Bands: sig.Bands()}
	}
	storetest.Load(t, db, []store.Entry{
		mk("a", "https://harbour.example/a?utm_source=x", "https://harbour.example/a", "The harbour master said the new quay would open to ferries in the spring, after two winters of storms delayed the work."),
		mk("b", "https://harbour.example/b", "", "Fishermen at the northern breakwater asked the council for a second crane, saying the old one broke down twice this month."),
	})
	clock, err := db.ChangeClock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// From the other archive's connection (its schema first), then with
	// no schema of Herald's in the path.
	if _, err := postgres.RawDB(other).ExecContext(ctx, `DELETE FROM `+schema+`.articles WHERE id = 'a'`); err != nil {
		t.Fatal(err)
	}
	conn, err := postgres.RawDB(other).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{`SET search_path = public`, `DELETE FROM ` + schema + `.articles WHERE id = 'b'`, `RESET search_path`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	deleted := func(st *postgres.DB) map[string]string {
		t.Helper()
		got := map[string]string{}
		if err := st.ScanDeleted(ctx, clock.Add(-time.Second), func(d store.Deletion) error {
			got[d.ID] = d.CanonicalURL
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got, want := deleted(db), map[string]string{"a": "https://harbour.example/a", "b": "https://harbour.example/b"}; !maps.Equal(got, want) {
		t.Errorf("deletions recorded after a DELETE by hand: %v, want %v", got, want)
	}
	if got := deleted(other); len(got) != 0 {
		t.Errorf("the other archive records deletions it did not make: %v", got)
	}
}
