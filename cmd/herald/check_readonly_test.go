package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// check --index verifies the full-text index of an archive this process
// may not write (a file of mode 0444; a read-only folder and file, where
// the system allows making them so), as it does one it may: FTS5's check
// is a write statement, so it runs on a copy of the index; it used to
// report "a check could not run". A damaged index is still found, and the
// archive is left as it was.
func TestCheckIndexReadOnly(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(archiveLines(12)), 0o644)
	archiveIn := func(name string) string {
		t.Helper()
		sub := filepath.Join(dir, name)
		os.Mkdir(sub, 0o755)
		path := filepath.Join(sub, "a.db")
		if _, stderr, code := herald(t, "", "--db", path, "import", "jsonl", in); code != 0 {
			t.Fatalf("import: %s", stderr)
		}
		return path
	}
	check := func(path string, wantCode int, want string) {
		t.Helper()
		before, _ := os.ReadFile(path)
		out, stderr, code := herald(t, "", "--db", path, "check", "--index")
		if code != wantCode || !strings.Contains(out, "full-text index  "+want) {
			t.Errorf("%s: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit %d and %q", path, code, out, stderr, wantCode, want)
		}
		if after, _ := os.ReadFile(path); string(after) != string(before) {
			t.Errorf("%s: the archive changed", path)
		}
	}

	sound := archiveIn("mode")
	if err := os.Chmod(sound, 0o444); err != nil {
		t.Fatal(err)
	}
	check(sound, 0, "matches the texts")

	// A title changed behind the index's back: the index no longer
	// matches the texts.
	damaged := archiveIn("damaged")
	raw, err := sql.Open("sqlite", damaged)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE articles SET title = 'Quite another headline' WHERE n = (SELECT min(n) FROM articles)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	os.Chmod(damaged, 0o444)
	check(damaged, 1, "1 problem")

	t.Run("read-only folder", func(t *testing.T) {
		path := archiveIn("folder")
		readOnlyFolder(t, path)
		check(path, 0, "matches the texts")
	})
}
