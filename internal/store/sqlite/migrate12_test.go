package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// An archive with the short-text clusters of Herald before December 2026
// loses them in migration 0012: the keys rows and the full-text index's
// dup tokens agree with the clusters afterwards (collapsed searches
// count by them), and the index passes its integrity check against the
// articles.
func TestMigrateShortTextClusters(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// Texts compressed with the archive's dictionary, as in any archive
	// past a few MiB: the migration reads them back (herald_inflate)
	// before the archive is open for reading.
	sqlite.SetDictMinText(db, 1)
	entries := storetest.ShortClusters()
	storetest.Load(t, db, entries[:1])
	storetest.Load(t, db, entries[1:])
	collapsed := func(db *sqlite.DB, q string) int {
		t.Helper()
		res, err := db.Search(ctx, query.MustParse(q), store.SearchOptions{Collapse: true, Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	// The old state, as stored: four clusters among eight articles.
	if n := collapsed(db, "bulletin"); n != 4 {
		t.Fatalf("before the migration: %d clusters, want the old 4", n)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = 12`); err != nil {
		t.Fatal(err)
	}
	var dicts int
	if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM text_dicts`).Scan(&dicts); err != nil || dicts == 0 {
		t.Fatalf("%d text dictionaries (%v), want one", dicts, err)
	}
	raw.Close()

	sqlite.ForgetDicts() // as herald migrate, a new process, finds it
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	applied, err := db.Applied(ctx)
	if err != nil || len(applied) < 12 || applied[11] != "0012_short_text_clusters.sql" {
		t.Fatalf("applied %v (%v)", applied, err)
	}
	defer db.Close()
	storetest.CheckShortClustersRepaired(t, db)

	// The index matches the articles' text, dup tokens included.
	if err := sqlite.IndexIntegrity(db); err != nil {
		t.Errorf("full-text index after the migration: %v", err)
	}
	raw, err = sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// Only l1 and l2 are marked as sharing a cluster, in the keys and in
	// the index: x1, left alone when x2 left its cluster, is not.
	for _, q := range []string{`SELECT count(*) FROM article_keys WHERE cluster IS NOT NULL`,
		`SELECT count(*) FROM article_fts WHERE article_fts MATCH 'dup:x'`} {
		var n int
		if err := raw.QueryRowContext(ctx, q).Scan(&n); err != nil || n != 2 {
			t.Errorf("%s: %d (%v), want 2", q, n, err)
		}
	}
}
