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

// mustOpen opens a fresh archive in a temporary folder.
func mustOpen(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "herald.db"))
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return mustOpen(t) })
}

// Words with filters have two plans (walk the word's matches, or probe
// the filtered articles); the small fixture would always walk. Run the
// suite with probing forced too.
func TestConformanceProbing(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db := mustOpen(t)
		sqlite.SetProbeRatio(db, 0)
		return db
	})
}

func TestMigrationsRecordedAndIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, db, storetest.Fixture()[:2])
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = sqlite.Open(ctx, path) // reopening applies nothing twice
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if again, err := db.Migrate(ctx); err != nil || len(again) != 0 {
		t.Fatalf("second Migrate applied %v, %v", again, err)
	}
	applied, err := db.Applied(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := sqlite.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != len(ms) || applied[0] != "0001_init.sql" {
		t.Errorf("applied = %v, want the %d embedded migrations", applied, len(ms))
	}
	if _, err := db.Get(ctx, "a1"); err != nil {
		t.Errorf("data lost across reopen: %v", err)
	}
}

func TestOpenBadPath(t *testing.T) {
	if _, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "missing", "dir", "h.db")); err == nil {
		t.Error("Open in a missing folder succeeded")
	}
}

func TestPragmas(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for pragma, want := range map[string]string{"journal_mode": "wal", "page_size": "16384"} {
		var got string
		if err := raw.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %s, want %s", pragma, got, want)
		}
	}
}

func TestOptimizeAndCheckpoint(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	defer db.Close()
	storetest.Load(t, db, storetest.Fixture())
	if err := db.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := db.Search(ctx, query.MustParse("harbour"), store.SearchOptions{})
	if err != nil || res.Total != 3 {
		t.Errorf("search after optimize: %v, %v", res, err)
	}
}

// With the text dictionary made at the first commit, texts written later
// are stored as zstd frames and the earlier ones stay deflated: both
// must read back and search alike.
func TestConformanceDictionary(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db := mustOpen(t)
		sqlite.SetDictMinText(db, 1)
		return db
	})
}

func TestTextDictionary(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	sqlite.SetDictMinText(db, 1)
	fx := storetest.Fixture()
	storetest.Load(t, db, fx[:4]) // deflated; the dictionary is made at commit
	storetest.Load(t, db, fx[4:]) // with the dictionary
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var dicts, zstd, total int
	if err := raw.QueryRow(`SELECT (SELECT count(*) FROM text_dicts),
		(SELECT count(*) FROM articles WHERE substr(text, 1, 4) = x'28b52ffd'), (SELECT count(*) FROM articles)`).Scan(&dicts, &zstd, &total); err != nil {
		t.Fatal(err)
	}
	if dicts != 1 || zstd != len(fx)-4 || total != len(fx) {
		t.Errorf("%d dictionaries, %d of %d texts with one; want 1 and %d", dicts, zstd, total, len(fx)-4)
	}
	// A fresh process (a new registry would do; a reopened archive
	// loads its dictionary) reads both forms.
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, e := range fx {
		got, err := db.Get(ctx, e.Record.ID)
		if err != nil || got.Text != e.Record.Text {
			t.Errorf("Get(%s) = %v, %v", e.Record.ID, got, err)
		}
	}
}
