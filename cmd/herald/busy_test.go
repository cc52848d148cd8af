package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/store/sqlite"
)

// TestBusyArchiveNamesHolder: a write that finds the archive's write lock
// held past the busy timeout (here by a herald check --index, which holds
// it for minutes on a large archive) fails with a message that names the
// holder and says nothing was written, not SQLite's "database is locked";
// run again once the holder has ended, it does its work. A harvest is
// refused at once, naming the same holder. The test waits out the 10 s
// busy timeout once.
func TestBusyArchiveNamesHolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	first := filepath.Join(dir, "first.jsonl")
	second := filepath.Join(dir, "second.jsonl")
	line := `{"url":"https://news.example.org/%s","title":"Story %s","text":"Story %s has enough words to be kept as an article in the archive, and a few more."}` + "\n"
	if err := os.WriteFile(first, []byte(fmt.Sprintf(line, "a", "a", "a")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(second, []byte(fmt.Sprintf(line, "b", "b", "b")), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, stderr, code := herald(t, "", "--db", db, "import", "jsonl", first); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, stderr)
	}

	// What herald check --index holds while it runs: the harvest lock,
	// then the write lock.
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	release, err := st.LockHarvest(ctx, "herald check --index")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	holder := fmt.Sprintf("herald check --index (process %d)", os.Getpid())
	_, stderr, code := herald(t, "", "--db", db, "harvest", "https://news.example.org/c")
	if code != 2 || !strings.Contains(stderr, "another process is harvesting or checking this archive: "+holder+" holds") {
		t.Errorf("harvest beside the check: exit %d\n%s", code, stderr)
	}
	_, stderr, code = herald(t, "", "--db", db, "import", "jsonl", second)
	want := "the archive is busy: " + holder + " has held its write lock for over 10 s; nothing was written"
	if code != 2 || !strings.Contains(stderr, want) || strings.Contains(stderr, "SQLITE_BUSY") {
		t.Errorf("import beside the check: exit %d, want 2 and %q\n%s", code, want, stderr)
	}

	conn.ExecContext(ctx, "ROLLBACK")
	conn.Close()
	release()
	if out, stderr, code := herald(t, "", "--db", db, "import", "jsonl", second); code != 0 || !strings.Contains(out+stderr, "1 new,") {
		t.Errorf("import after the check: exit %d\n%s%s", code, out, stderr)
	}
	out, _, _ := herald(t, "", "--db", db, "stats")
	if !regexp.MustCompile(`articles\s+2\n`).MatchString(out) {
		t.Errorf("after both imports:\n%s", out)
	}
}
