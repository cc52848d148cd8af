package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/herald-archive/herald/internal/dedupe"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// An archive whose imported records kept stray white space in their
// single-line fields (a section " World "), as Herald stored them before
// the archive tidied records, has them made one line in migration 0014
// when it is next opened; the full-text index still agrees with the
// articles.
func TestMigrateOneLineFields(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, db, storetest.UntidyLines())
	// The old state, as stored.
	if r, err := db.Get(ctx, "w1"); err != nil || r.Section != " World " {
		t.Fatalf("before the migration: %+v %v", r, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	// Such an archive had no facets either (migration 0017 builds them
	// from the tidied fields).
	if _, err := raw.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version IN (14, 17);
		DROP TABLE facets; DROP TABLE facet_blocks`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	applied, err := db.Applied(ctx)
	if err != nil || len(applied) < 14 || applied[13] != "0014_one_line_fields.sql" {
		t.Fatalf("applied %v (%v)", applied, err)
	}
	storetest.CheckLinesTidied(t, db)
	if err := sqlite.IndexIntegrity(db); err != nil {
		t.Errorf("full-text index after the migration: %v", err)
	}
	// The articles are written again as any others: a new version
	// leaves the index with the values it was indexed with.
	e := storetest.UntidyLines()[0]
	e.Record.Text += " Repairs are finished."
	e.Record.ContentHash = dedupe.ContentHash(e.Record.Text)
	storetest.Load(t, db, []store.Entry{e})
	if err := sqlite.IndexIntegrity(db); err != nil {
		t.Errorf("full-text index after a new version: %v", err)
	}
}
