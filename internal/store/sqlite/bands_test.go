package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// New band rows go straight into a small article_lsh; into a larger one
// they wait in article_lsh_recent and are merged once there are enough. Candidates must see both tables, count a
// row that is in both (an updated article's band, merged already, written
// again with its new text) once, and the merge must lose nothing.
func TestBandsRecentAndMerged(t *testing.T) {
	defer sqlite.SetLSHMerge(8, 9, 0)() // straight into article_lsh below 8 rows; merge at 9
	defer sqlite.SetLSHMergeStep(2)()   // in transactions of two rows
	ctx := context.Background()
	db := mustOpen(t)
	defer db.Close()
	with := func(id, text string, bands ...uint64) store.Entry {
		e := storetest.Fixture()[1] // a record alone in its cluster
		url := "https://bands.example/" + id
		e.Record.ID, e.Record.URL, e.Record.CanonicalURL, e.Record.ClusterID = id, url, url, ""
		e.Record.Text, e.Record.ContentHash = text, storetest.Hash(text)
		e.Bands = bands
		return e
	}
	rowsAre := func(stage string, rows, recent int64) {
		t.Helper()
		r, rr, cr, crr, err := sqlite.LSHRows(db)
		if err != nil {
			t.Fatal(err)
		}
		if r != cr || rr != crr {
			t.Errorf("%s: counters say %d + %d rows, the tables hold %d + %d", stage, r, rr, cr, crr)
		}
		if cr != rows || crr != recent {
			t.Errorf("%s: article_lsh %d rows, article_lsh_recent %d; want %d and %d", stage, cr, crr, rows, recent)
		}
	}
	cases := []struct {
		bands []uint64
		want  []string
	}{
		{[]uint64{1, 2}, []string{"a-new", "m1"}}, // two bands each, ties by id: m1's rows in both tables count once
		{[]uint64{3, 4}, []string{"m2"}},          // merged only
		{[]uint64{9}, []string{"m1"}},             // recent only
		{[]uint64{11}, nil},
	}
	// Each stage is checked outside a transaction and inside one that read
	// the candidates ahead (PrefetchCandidates).
	check := func(stage string) {
		t.Helper()
		tx, err := db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		var lists [][]uint64
		for _, c := range cases {
			lists = append(lists, c.bands)
		}
		if err := tx.(store.CandidatePrefetcher).PrefetchCandidates(ctx, lists); err != nil {
			t.Fatal(err)
		}
		for _, l := range []struct {
			name string
			store.Lookup
		}{{stage, db}, {stage + ", prefetched", tx}} {
			for _, c := range cases {
				cs, err := l.Candidates(ctx, c.bands, 10)
				if err != nil {
					t.Fatal(err)
				}
				if ids := ids(cs); !slices.Equal(ids, c.want) {
					t.Errorf("%s: Candidates(%v) = %v, want %v", l.name, c.bands, ids, c.want)
				}
			}
		}
	}

	storetest.Load(t, db, []store.Entry{with("m1", "First text of m1.", 1, 2), with("m2", "Text of m2.", 3, 4, 5, 6, 7, 8)})
	rowsAre("8 rows written", 8, 0) // straight into article_lsh
	storetest.Load(t, db, []store.Entry{with("a-new", "Text of a-new.", 1, 2)})
	storetest.Load(t, db, []store.Entry{with("m1", "Second text of m1.", 1, 2, 9)})
	rowsAre("5 more", 8, 5)
	check("recent and merged")

	storetest.Load(t, db, []store.Entry{with("x", "Text of x.", 12, 13, 14, 15)})
	rowsAre("merged", 15, 0) // m1's two repeated rows were there already
	check("all merged")
}

// An archive of schema version 10, its band rows all in article_lsh,
// gains article_lsh_recent and the row counters on open, and finds the
// same candidates.
func TestMigrateBandsRecent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, db, storetest.Fixture())
	candidates := func(db *sqlite.DB) []string {
		cs, err := db.Candidates(ctx, []uint64{1, 2, 3}, 10)
		if err != nil {
			t.Fatal(err)
		}
		return ids(cs)
	}
	before := candidates(db)
	if len(before) == 0 {
		t.Fatal("the fixture has no candidates to compare")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	// Back to version 10: every band row in article_lsh.
	for _, q := range []string{
		`INSERT OR IGNORE INTO article_lsh (key) SELECT key FROM article_lsh_recent`,
		`DROP TABLE article_lsh_recent`,
		`ALTER TABLE counters DROP COLUMN lsh_rows`,
		`ALTER TABLE counters DROP COLUMN lsh_recent`,
		`DELETE FROM schema_migrations WHERE version = 11`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var stored int64
	if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM article_lsh`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if db, err = sqlite.Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, recent, counted, countedRecent, err := sqlite.LSHRows(db)
	if err != nil {
		t.Fatal(err)
	}
	if rows != stored || counted != stored || recent != 0 || countedRecent != 0 {
		t.Errorf("after migration: counters %d + %d, tables %d + %d; want %d + 0", rows, recent, counted, countedRecent, stored)
	}
	if after := candidates(db); !slices.Equal(after, before) {
		t.Errorf("candidates after migration %v, before %v", after, before)
	}
}

func ids(cs []store.Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}
