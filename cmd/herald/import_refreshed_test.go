package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An import that changes only an article's metadata says so: it used to
// count such records nowhere ("imported 0 records").
func TestImportCountsRefreshed(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	line := func(title string) string {
		return `{"url":"https://paper.example/x","title":"` + title + `","published":"2024-05-01T00:00:00Z","text":"A story the paper ran in May, with quotes from the people concerned and a long second paragraph."}` + "\n"
	}
	for i, title := range []string{"First title", "Corrected title"} {
		f := filepath.Join(dir, "in.jsonl")
		if err := os.WriteFile(f, []byte(line(title)), 0o644); err != nil {
			t.Fatal(err)
		}
		_, stderr, code := herald(t, "", "--db", db, "import", "jsonl", f)
		want := "imported 1 record: 1 new"
		if i == 1 {
			want = "imported 1 record: 0 new, 0 duplicates (clustered), 0 updated, 1 refreshed (metadata only), 0 unchanged"
		}
		if code != 0 || !strings.Contains(stderr, want) {
			t.Errorf("import %d: exit %d %q, want %q", i, code, stderr, want)
		}
	}
}
