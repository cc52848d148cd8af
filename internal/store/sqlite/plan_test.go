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
	q, args := candidatesSQL([]uint64{1, 2, 3}, 5)
	for _, tt := range []struct {
		sql   string
		args  []any
		index string
	}{
		{byHashSQL, []any{hashArg(hash)}, "articles_hash"},
		{`SELECT EXISTS (SELECT 1 FROM articles WHERE herald_key(canonical_url) = herald_key(?1) AND canonical_url = ?1)`,
			[]any{"https://example.com/a"}, "articles_canonical"},
		{selectForPut, []any{"id"}, "sqlite_autoindex_articles_1"},
		{q, args, "article_bands"},
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
