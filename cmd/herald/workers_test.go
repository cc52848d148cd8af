package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestWorkersFlagBounded: herald reextract and herald import warc refuse
// a --workers beyond maxWorkers (100000 started as many goroutines, each
// with its extractor, before a single record was read) and a negative
// one, with exit status 2 and one line naming the flag and the range,
// before the archive is opened.
func TestWorkersFlagBounded(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	warcFile := filepath.Join(dir, "in.warc")
	if err := os.WriteFile(warcFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		n    int
	}{
		{[]string{"reextract", "--workers", "100000"}, 100000},
		{[]string{"reextract", "--workers", fmt.Sprint(maxWorkers + 1)}, maxWorkers + 1},
		{[]string{"reextract", "--workers", "-1"}, -1},
		{[]string{"import", "warc", "--workers", "100000", warcFile}, 100000},
		{[]string{"import", "warc", "--workers", "-3", warcFile}, -3},
	} {
		_, stderr, code := herald(t, "", append([]string{"--db", db}, tc.args...)...)
		want := fmt.Sprintf("herald: --workers %d: want 1 to %d (0, the default: one per CPU)\n", tc.n, maxWorkers)
		if code != 2 || stderr != want {
			t.Errorf("%v: exit %d, stderr %q\nwant exit 2 and %q", tc.args, code, stderr, want)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a refused command created the archive")
	}
	// The bound itself is accepted.
	if _, stderr, code := herald(t, "", "--db", db, "import", "warc", "--workers", fmt.Sprint(maxWorkers), warcFile); code != 0 {
		t.Fatalf("import warc --workers %d: exit %d, %s", maxWorkers, code, stderr)
	}
	_, stderr, code := herald(t, "", "--db", db, "reextract", "--workers", fmt.Sprint(maxWorkers))
	if code != 0 {
		t.Errorf("--workers %d: exit %d, %s", maxWorkers, code, stderr)
	}
}
