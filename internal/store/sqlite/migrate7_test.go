package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// An archive at schema version 6 gains the covering filter index of
// migration 0007 on open and answers as before.
func TestMigrateFilterIndex(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, db, storetest.Fixture())
	queries := []string{"", "lang:en", "after:2021-06-01", "lang:en after:2021-06-01 before:2023-01-01",
		"section:world", "-lang:en", "harbour", "harbour sort:date", "harbour site:com after:2020-01-01"}
	answers := func(db *sqlite.DB) []any {
		var out []any
		for _, qs := range queries {
			for _, opts := range []store.SearchOptions{{}, {Sort: query.SortOldest}, {Collapse: true}} {
				res, err := db.Search(ctx, query.MustParse(qs), opts)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, h := range res.Hits {
					ids = append(ids, h.Record.ID)
				}
				out = append(out, qs, res.Total, res.TotalCapped, ids)
			}
		}
		return out
	}
	exec := func(q string) {
		t.Helper()
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		raw, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// The schema of version 6, answering without the index (recorded as
	// applied, so that Open leaves it out).
	exec(`DROP INDEX articles_filters`)
	if db, err = sqlite.Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	before := answers(db)
	exec(`DELETE FROM schema_migrations WHERE version = 7`)
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	applied, err := db.Applied(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) < 7 || applied[6] != "0007_filter_keys.sql" {
		t.Fatalf("applied %v", applied)
	}
	var n int
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'articles_filters'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("articles_filters: %d, %v", n, err)
	}
	if after := answers(db); !reflect.DeepEqual(before, after) {
		t.Errorf("answers changed across the migration:\n%v\n%v", before, after)
	}
}
