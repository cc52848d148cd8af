package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --progress always reports each stored batch of --batch records (on a
// terminal, auto does it on one line rewritten in place); never and auto
// off a terminal are silent; anything else is refused before the archive
// is opened.
func TestImportProgress(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(archiveLines(25)), 0o644)

	_, stderr, code := herald(t, "", "--db", filepath.Join(dir, "a.db"), "import", "--progress", "always", "--batch", "10", "jsonl", in)
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
	// Without --batch, one batch holds them all.
	_, stderr, code = herald(t, "", "--db", filepath.Join(dir, "one.db"), "import", "--progress", "always", "jsonl", in)
	if got := strings.Count(stderr, "stored "); code != 0 || got != 1 || !strings.Contains(stderr, "stored 25 records") {
		t.Errorf("default batch: exit %d, %d progress lines:\n%s", code, got, stderr)
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

// --batch takes 1 to 50000 records for every import and for reextract;
// anything else is refused, before the archive is opened, with what is
// wanted. Text imports batch as JSON lines do.
func TestBatchFlag(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	for _, cmd := range [][]string{{"import", "jsonl", "in.jsonl"}, {"import", "text", "in.txt"}, {"import", "warc", "in.warc"}, {"reextract"}} {
		for _, tc := range []struct{ value, msg string }{
			{"0", "--batch 0: want 1 to 50000"},
			{"-5", "--batch -5: want 1 to 50000"},
			{"50001", "--batch 50001: want 1 to 50000"},
			{"ten", `--batch "ten": want a whole number`},
		} {
			args := append([]string{"--db", missing}, cmd[0], "--batch", tc.value)
			args = append(args, cmd[1:]...)
			out, stderr, code := herald(t, "", args...)
			if code != 2 || out != "" || !strings.Contains(stderr, tc.msg) {
				t.Errorf("%v --batch %s: exit %d, %q; want exit 2 and %q", cmd, tc.value, code, stderr, tc.msg)
			}
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("a refused command created the archive")
	}

	var files []string
	for i := range 5 {
		f := filepath.Join(dir, fmt.Sprintf("%d.txt", i))
		os.WriteFile(f, fmt.Appendf(nil, " date 2024-03-0%d https://text.example/story-%d\nStory %d\n\nThe text of story %d, which is long enough to keep.\n", i+1, i, i, i), 0o644)
		files = append(files, f)
	}
	_, stderr, code := herald(t, "", append([]string{"--db", filepath.Join(dir, "t.db"), "import", "--progress", "always", "--batch", "2", "text"}, files...)...)
	var got []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "stored ") {
			got = append(got, strings.Fields(l)[1])
		}
	}
	if code != 0 || strings.Join(got, " ") != "2 4 5" {
		t.Errorf("text --batch 2: exit %d, progress %v, want 2 4 5:\n%s", code, got, stderr)
	}
}
