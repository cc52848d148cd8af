package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The lookups made for every ingested article must use their indexes;
// a full scan would pass every other test and be slow on a large archive.
func TestLookupPlans(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	hash := strings.Repeat("ab", 32)
	q := candidatesSQL(2)
	args := []any{bandKey(1), bandKey(1) | rowMask, bandKey(2), bandKey(2) | rowMask}
	for _, tt := range []struct {
		sql   string
		args  []any
		index string
	}{
		{byHashSQL, []any{hashArg(hash)}, "articles_hash"},
		{`SELECT EXISTS (SELECT 1 FROM articles WHERE herald_key(canonical_url) = herald_key(?1) AND canonical_url = ?1)`,
			[]any{"https://example.com/a"}, "articles_canonical"},
		{selectForPut, []any{"id"}, "sqlite_autoindex_articles_1"},
		{q, args, "INTEGER PRIMARY KEY (rowid>? AND rowid<?)"},
		{prefetchSQL, []any{"[1, 2]", rowMask}, "SEARCH l USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"},
	} {
		rows, err := db.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+tt.sql, tt.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "; "); !strings.Contains(p, tt.index) || strings.Contains(p, "SCAN articles") {
			t.Errorf("plan of %.60s…: %s; want %s", tt.sql, p, tt.index)
		}
	}
}

// Migration 0006 folds the stored band hashes in SQL as bandKey does in Go.
func TestBandKeyFoldInSQL(t *testing.T) {
	const fold = `((((band | ((band >> 35) & 536870911)) & ~(band & ((band >> 35) & 536870911))) & 34359738367) << 28) | n`
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ms[5].SQL, fold) {
		t.Fatalf("%s does not fold as this test checks", ms[5].Name)
	}
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, b := range []uint64{0, 1, 3, 1 << 35, 1<<35 - 1, 1 << 63, 1<<64 - 1, 0x9e3779b97f4a7c15, 0x0123456789abcdef} {
		var got int64
		if err := db.r.QueryRowContext(ctx, `SELECT `+fold+` FROM (SELECT ? AS band, 12345 AS n)`, int64(b)).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if want := bandKey(b) | 12345; got != want {
			t.Errorf("band %#x: SQL %#x, Go %#x", b, got, want)
		}
	}
}
