package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// BenchmarkAuthorFilter: a search with an author: filter on an archive
// of 200,000 authors (few of them with articles), the cost of matching
// the filter against every author's name.
func BenchmarkAuthorFilter(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "a.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	g := storetest.NewGenerator(3)
	var entries []store.Entry
	for range 300 {
		entries = append(entries, g.Next())
	}
	storetest.Load(b, db, entries)
	db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		b.Fatal(err)
	}
	tx, _ := raw.Begin()
	st, _ := tx.Prepare(`INSERT INTO authors (name, norm) VALUES (?, ?)`)
	for i := range 200_000 {
		name := fmt.Sprintf("Writer Númber%d Of-Staff", i)
		if _, err := st.Exec(name, fmt.Sprintf("writer númber%d of-staff", i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	raw.Close()
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	q, err := query.Parse(`author:"number12345 of"`)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := db.Search(ctx, q, store.SearchOptions{Limit: 10}); err != nil {
			b.Fatal(err)
		}
	}
}
