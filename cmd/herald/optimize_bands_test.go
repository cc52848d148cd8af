package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// herald optimize deletes the LSH band rows that herald delete left
// behind in archives before it deleted them with the article (rows whose
// row number no article has), in both band tables, keeps the counters
// true and the archived articles' rows, says how many it dropped, and
// finds none the second time.
func TestOptimizeDropsDeletedBandRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, db, storetest.Fixture())
	db.Close()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// The counters and the tables' rows.
	lsh := func() (rows, recent, countedRows, countedRecent int64) {
		t.Helper()
		if err := raw.QueryRowContext(ctx, `SELECT lsh_rows, lsh_recent, (SELECT count(*) FROM article_lsh),
			(SELECT count(*) FROM article_lsh_recent) FROM counters`).Scan(&rows, &recent, &countedRows, &countedRecent); err != nil {
			t.Fatal(err)
		}
		return
	}
	rows0, recent0, _, _ := lsh()
	if rows0 == 0 {
		t.Fatal("the fixture has no band rows; the test wants some")
	}
	// The rows of deleted articles 5000 and 5001 (the key's low 28 bits),
	// counted as the writes counted them; one in the last key range.
	if _, err := raw.ExecContext(ctx, `INSERT INTO article_lsh (key) VALUES ((7 << 28) | 5000), ((34359738367 << 28) | 5000);
		INSERT INTO article_lsh_recent (key) VALUES ((7 << 28) | 5001);
		UPDATE counters SET lsh_rows = lsh_rows + 2, lsh_recent = lsh_recent + 1`); err != nil {
		t.Fatal(err)
	}

	out, stderr, code := herald(t, "", "--db", path, "optimize")
	if code != 0 || !strings.Contains(out, "a.db: dropped 3 LSH band rows of deleted articles\n") {
		t.Errorf("optimize: exit %d\n%s%s\nwant the 3 band rows of deleted articles dropped", code, out, stderr)
	}
	if rows, recent, crows, crecent := lsh(); rows != rows0 || recent != recent0 || crows != rows0 || crecent != recent0 {
		t.Errorf("after optimize: counters %d + %d, tables %d + %d; want the archived articles' %d + %d",
			rows, recent, crows, crecent, rows0, recent0)
	}
	out, stderr, code = herald(t, "", "--db", path, "optimize")
	if code != 0 || strings.Contains(out, "band rows") {
		t.Errorf("optimize again: exit %d\n%s%s\nwant nothing more dropped, and not said", code, out, stderr)
	}
}
