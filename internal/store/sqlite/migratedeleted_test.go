package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// An archive from before deletions were recorded: the migration starts
// recording them, says from when (deletions before are not known), and
// keeps the articles; a deletion after it is listed.
func TestMigrateDeleted(t *testing.T) {
	ctx := context.Background()
	fixture := storetest.Fixture()
	path := archiveBefore(t, fixture, `DROP TABLE deleted_articles; ALTER TABLE counters DROP COLUMN deletions_from;
		DELETE FROM schema_migrations WHERE name LIKE '%\_deleted.sql' ESCAPE '\'`)

	db, before, opened := openMigratingOne(t, path)
	from, err := db.DeletionsFrom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if from.Before(before.Truncate(time.Millisecond)) || from.After(opened) {
		t.Errorf("deletions recorded from %v, want when the migration ran, between %v and %v", from, before, opened)
	}
	id := fixture[0].Record.ID
	if err := storetest.DeleteIDs(t, db, id); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := db.ScanDeleted(ctx, before, func(d store.Deletion) error {
		got = append(got, d.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != id {
		t.Errorf("deleted since before the migration: %v, want %s", got, id)
	}
}
