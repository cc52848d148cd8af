package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// An archive from before articles recorded when they were written: its
// articles count as written when the migration ran, so a delta from
// before then holds them all and one from after it none, until they
// change.
func TestMigrateChanged(t *testing.T) {
	ctx := context.Background()
	path := archiveBefore(t, storetest.Fixture(), `DROP INDEX articles_changed; ALTER TABLE articles DROP COLUMN changed;
		ALTER TABLE counters DROP COLUMN changes_from; DELETE FROM schema_migrations WHERE name LIKE '%\_changed.sql' ESCAPE '\'`)

	db, stored, opened := openMigratingOne(t, path)
	since := func(from time.Time) []string {
		t.Helper()
		var ids []string
		if err := db.ScanChanged(ctx, &query.Query{}, from, func(r *store.Record) error {
			ids = append(ids, r.ID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	var all []string
	if err := db.Scan(ctx, &query.Query{}, func(r *store.Record) error {
		all = append(all, r.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := since(stored); len(all) < 5 || !slices.Equal(got, all) {
		t.Errorf("changed since before the migration: %v, want all %v", got, all)
	}
	if got := since(opened); len(got) != 0 {
		t.Errorf("changed since after the migration: %v, want none", got)
	}
	e := storetest.Fixture()[0]
	e.Record.Text += "\n\nA correction was added later."
	e.Record.ContentHash = storetest.Hash(e.Record.Text)
	if out := storetest.Load(t, db, []store.Entry{e}); out[0] != store.Updated {
		t.Fatalf("put %v", out)
	}
	if got := since(opened); !slices.Equal(got, []string{e.Record.ID}) {
		t.Errorf("changed since after the migration: %v, want %s", got, e.Record.ID)
	}
}

// archiveBefore makes an archive holding entries, closes it, and takes it
// back to before a migration with the statements undo (which must also
// delete the migration's row in schema_migrations); it returns its path,
// for a test to open it again, as an archive an older Herald made.
func archiveBefore(t *testing.T, entries []store.Entry, undo string) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, db, entries)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, undo); err != nil {
		t.Fatal(err)
	}
	return path
}

// openMigratingOne opens the archive at path, which must apply exactly one
// migration, and returns it (closed when the test ends) with a time
// before the migration ran and one after.
func openMigratingOne(t *testing.T, path string) (db *sqlite.DB, before, after time.Time) {
	t.Helper()
	before = time.Now()
	time.Sleep(20 * time.Millisecond)
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if m := db.Migrated(); len(m) != 1 {
		t.Fatalf("migrated %v, want the one", m)
	}
	time.Sleep(20 * time.Millisecond)
	return db, before, time.Now()
}
