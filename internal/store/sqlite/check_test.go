package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// TestCheckStorage: CheckStorage finds a sound archive sound, and
// reports the damage when a page of it is overwritten on disk.
func TestCheckStorage(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	g := storetest.NewGenerator(1)
	var entries []store.Entry
	for range 300 {
		entries = append(entries, g.Next())
	}
	storetest.Load(t, db, entries)
	if p, err := db.CheckStorage(ctx); err != nil || len(p) != 0 {
		t.Fatalf("sound archive: %v, %v", p, err)
	}
	if p, err := db.CheckIndex(ctx); err != nil || len(p) != 0 {
		t.Fatalf("sound index: %v, %v", p, err)
	}
	db.Close()

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	if len(raw) < 40*page {
		t.Fatalf("archive of %d bytes: too small to damage a page in its middle", len(raw))
	}
	at := len(raw) / page / 2 * page
	for i := at + 100; i < at+page-100; i++ {
		raw[i] = byte(i * 7)
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := db.CheckStorage(ctx)
	t.Logf("damaged: %q, %v", p, err)
	if err != nil || len(p) == 0 {
		t.Errorf("damaged archive: problems %q, error %v; want problems", p, err)
	}
}
