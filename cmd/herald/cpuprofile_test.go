package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// --cpuprofile writes a profile of any command (a gzip stream, what go
// tool pprof reads), even one that fails; a path that cannot be written
// is refused before the command runs.
func TestCPUProfileFlag(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(archiveLines(5)), 0o644)
	prof := filepath.Join(dir, "import.prof")
	if _, stderr, code := herald(t, "", "--db", filepath.Join(dir, "a.db"), "--cpuprofile", prof, "import", "jsonl", in); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	failed := filepath.Join(dir, "failed.prof")
	if _, _, code := herald(t, "", "--db", filepath.Join(dir, "a.db"), "search", "--cpuprofile", failed, "site:"); code == 0 {
		t.Fatal("a malformed query exited 0")
	}
	for _, p := range []string{prof, failed} {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
			t.Errorf("%s: %d bytes, %v; want a gzip-compressed profile", filepath.Base(p), len(b), err)
		}
	}
	bad := filepath.Join(dir, "no", "such", "dir", "x.prof")
	_, stderr, code := herald(t, "", "--db", filepath.Join(dir, "b.db"), "--cpuprofile", bad, "stats")
	if want := "herald: --cpuprofile " + bad + ": no such file or directory\n"; code != 2 || stderr != want {
		t.Errorf("unwritable profile path: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "b.db")); err == nil {
		t.Error("the command ran despite the bad --cpuprofile")
	}
}
