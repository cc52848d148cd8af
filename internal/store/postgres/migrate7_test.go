package postgres_test

import (
	"context"
	"testing"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// An archive whose search vectors were built before Chinese and Japanese
// characters were words of their own (a whole run of them one word) has
// them built again in migration 0007 (steps.go) when it is next opened:
// its articles with such characters are found by their words, the others
// as before.
func TestMigrateCJKTokens(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, db, storetest.Fixture())
	storetest.LoadCJK(t, db)
	raw := postgres.RawDB(db)
	// The old state: vectors as the old tokenizer made them.
	rows, err := raw.QueryContext(ctx, `SELECT n, title, description, authors, tags, text FROM articles`)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		n   int64
		vec string
	}
	var old []row
	for rows.Next() {
		var n int64
		var title, desc, authors, tags, text string
		if err := rows.Scan(&n, &title, &desc, &authors, &tags, &text); err != nil {
			t.Fatal(err)
		}
		old = append(old, row{n, postgres.RunVector(title, desc, authors, tags, text)})
	}
	rows.Close()
	for _, r := range old {
		if _, err := raw.ExecContext(ctx, `UPDATE articles SET tsv = $2::tsvector WHERE n = $1`, r.n, r.vec); err != nil {
			t.Fatal(err)
		}
	}
	count := func(q string) int {
		t.Helper()
		res, err := db.Search(ctx, query.MustParse(q), store.SearchOptions{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	if n := count(`地铁`); n != 0 {
		t.Fatalf("old state: 地铁 matches %d", n)
	}
	db = rerunMigration(t, db, dsn, 7)
	storetest.CheckCJKSearch(t, db)
	if n := count("harbour"); n != 3 {
		t.Errorf("harbour: %d matches after the migration, want 3", n)
	}
	storetest.CJKWrites(t, db)
}
