package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --progress always reports each stored batch (on a terminal, auto does
// it on one line rewritten in place); never and auto off a terminal are
// silent; anything else is refused before the archive is opened.
func TestImportProgress(t *testing.T) {
	defer func(n int) { importBatch = n }(importBatch)
	importBatch = 10
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(archiveLines(25)), 0o644)

	_, stderr, code := herald(t, "", "--db", filepath.Join(dir, "a.db"), "import", "--progress", "always", "jsonl", in)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "stored ") {
			got = append(got, strings.Fields(l)[1])
		}
	}
	if strings.Join(got, " ") != "10 20 25" {
		t.Errorf("progress lines for %v records, want 10 20 25:\n%s", got, stderr)
	}
	for _, mode := range []string{"never", "auto"} {
		_, stderr, code := herald(t, "", "--db", filepath.Join(dir, mode+".db"), "import", "--progress", mode, "jsonl", in)
		if code != 0 || strings.Contains(stderr, "stored ") {
			t.Errorf("--progress %s: exit %d:\n%s", mode, code, stderr)
		}
	}
	bad := filepath.Join(dir, "bad.db")
	_, stderr, code = herald(t, "", "--db", bad, "import", "--progress", "sometimes", "jsonl", in)
	if code == 0 || !strings.Contains(stderr, `unknown --progress "sometimes"`) {
		t.Errorf("bad --progress: exit %d:\n%s", code, stderr)
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("a refused import created the archive")
	}
}
