package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// herald optimize merges an archive's full-text index into one segment
// and says from how many; searches find the same articles after it. A
// missing archive is an error, not a new empty one.
func TestOptimizeCommand(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	g := storetest.NewGenerator(5)
	for range 6 { // six transactions, six segments
		storetest.Load(t, db, []store.Entry{g.Next(), g.Next()})
	}
	before, err := db.IndexSegments(ctx)
	if err != nil || before < 2 {
		t.Fatalf("%d segments before (%v); the test wants several", before, err)
	}
	db.Close()
	search := func() string {
		out, stderr, code := herald(t, "", "--db", path, "search", "--json", "--limit", "50", "government OR election")
		if code != 0 {
			t.Fatalf("search: exit %d: %s", code, stderr)
		}
		return out
	}
	found := search()
	stats := func() string {
		out, stderr, code := herald(t, "", "--db", path, "stats")
		if code != 0 {
			t.Fatalf("stats: exit %d: %s", code, stderr)
		}
		return out
	}
	if got, want := stats(), fmt.Sprintf("%d segments (herald optimize", before); !strings.Contains(got, want) {
		t.Errorf("stats before optimize: want %q in\n%s", want, got)
	}

	out, stderr, code := herald(t, "", "--db", path, "optimize")
	if code != 0 {
		t.Fatalf("optimize: exit %d: %s", code, stderr)
	}
	m := regexp.MustCompile(`merged from (\d+) segments into 1 `).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("optimize said %q", out)
	}
	if n, _ := strconv.Atoi(m[1]); n != before {
		t.Errorf("optimize said it merged %s segments; there were %d", m[1], before)
	}
	if got := search(); got != found {
		t.Errorf("search after optimize differs:\nbefore %.300s\nafter %.300s", found, got)
	}
	if got := stats(); !strings.Contains(got, "one segment") {
		t.Errorf("stats after optimize:\n%s", got)
	}

	// Again: nothing left to merge, and it says so.
	if out, stderr, code := herald(t, "", "--db", path, "optimize"); code != 0 || !strings.Contains(out, "in one piece already and the file has no free pages: nothing to do") {
		t.Errorf("optimize again: exit %d, %q %s", code, out, stderr)
	}
	if _, stderr, code := herald(t, "", "--db", filepath.Join(t.TempDir(), "none.db"), "optimize"); code == 0 {
		t.Errorf("optimize of a missing archive: exit 0 (%s)", stderr)
	}
}

// freePagesArchive makes an archive at path whose full-text index is one
// segment and whose file holds about 3 MiB of free pages (a table
// dropped); legacy makes it as Herald made archives before incremental
// auto-vacuum (auto_vacuum 0), where only a rewrite frees pages.
func freePagesArchive(t *testing.T, path string, legacy bool) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	g := storetest.NewGenerator(7)
	storetest.Load(t, db, []store.Entry{g.Next(), g.Next(), g.Next()})
	if n, err := db.IndexSegments(ctx); err != nil || n != 1 {
		t.Fatalf("%d segments (%v); the test wants one", n, err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var stmts []string
	if legacy {
		stmts = append(stmts, "PRAGMA auto_vacuum = 0", "VACUUM")
	}
	stmts = append(stmts,
		"CREATE TABLE junk (b BLOB)",
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 200) INSERT INTO junk SELECT randomblob(16000) FROM n",
		"DROP TABLE junk")
	for _, s := range stmts {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	var mode, free int
	raw.QueryRow("PRAGMA auto_vacuum").Scan(&mode)
	raw.QueryRow("PRAGMA freelist_count").Scan(&free)
	if (mode == 0) != legacy || free < 150 {
		t.Fatalf("auto_vacuum %d, %d free pages", mode, free)
	}
}

// herald optimize on an archive whose index is one segment says what it
// did with the free pages: released them (and the file is smaller), or,
// on an archive made before incremental auto-vacuum, that they stay and
// how to get a compact copy.
func TestOptimizeReportsFreePages(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.db")
	freePagesArchive(t, path, false)
	size := func() int64 {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	before := size()
	out, stderr, code := herald(t, "", "--db", path, "optimize")
	want := regexp.MustCompile(`^` + regexp.QuoteMeta(path) + `: the full-text index is in one piece already; released 3\.\d MiB of free pages, the file is now \d+\.\d [KM]iB\n$`)
	if code != 0 || !want.MatchString(out) {
		t.Errorf("optimize: exit %d, %q %s", code, out, stderr)
	}
	if after := size(); after > before-3<<20 {
		t.Errorf("file %d bytes after optimize, %d before", after, before)
	}
	out, stderr, code = herald(t, "", "--db", path, "optimize")
	if want := path + ": the full-text index is in one piece already and the file has no free pages: nothing to do\n"; code != 0 || out != want {
		t.Errorf("optimize again: exit %d, %q, want %q %s", code, out, want, stderr)
	}

	old := filepath.Join(dir, "old.db")
	freePagesArchive(t, old, true)
	for range 2 { // nothing changes, so it says the same again
		out, stderr, code = herald(t, "", "--db", old, "optimize")
		want := regexp.MustCompile(`^` + regexp.QuoteMeta(old) + `: the full-text index is in one piece already; nothing to merge\n` +
			regexp.QuoteMeta(old) + `: 3\.\d MiB of free pages stay in the file, which was made before Herald archives released free pages \(auto_vacuum off\); only a rewrite can release them\.\n` +
			`  herald migrate-archive --from ` + regexp.QuoteMeta(old) + ` --to ` + regexp.QuoteMeta(filepath.Join(dir, "old-compact.db")) +
			` writes a compact copy, which releases them as new archives do; use it in place of this one\.\n$`)
		if code != 0 || !want.MatchString(out) {
			t.Errorf("optimize of an old archive: exit %d, %q %s", code, out, stderr)
		}
	}
}
