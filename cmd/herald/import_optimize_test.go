package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/store/sqlite"
)

// A bulk import (optimizeAfter stored records or more) ends by
// optimizing the archive's indexes; a smaller one, or one that stores
// nothing new, does not.
func TestImportOptimizesAfterBulk(t *testing.T) {
	defer func(n int) { optimizeAfter = n }(optimizeAfter)
	optimizeAfter = 20
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	small, bulk := filepath.Join(dir, "small.jsonl"), filepath.Join(dir, "bulk.jsonl")
	lines := strings.SplitAfter(archiveLines(30), "\n")
	os.WriteFile(small, []byte(strings.Join(lines[:5], "")), 0o644)
	os.WriteFile(bulk, []byte(strings.Join(lines, "")), 0o644)

	for _, tt := range []struct {
		file     string
		optimize bool
	}{
		{small, false}, // 5 new
		{bulk, true},   // 25 new
		{bulk, false},  // nothing new
	} {
		_, stderr, code := herald(t, "", "--db", db, "import", "jsonl", tt.file)
		if code != 0 {
			t.Fatalf("import %s: exit %d: %s", tt.file, code, stderr)
		}
		if got := strings.Contains(stderr, "optimizing"); got != tt.optimize {
			t.Errorf("import %s: optimized %v, want %v:\n%s", filepath.Base(tt.file), got, tt.optimize, stderr)
		}
	}
	out, _, code := herald(t, "", "--db", db, "search", "--json", "harbour")
	if code != 0 || !strings.Contains(out, `"total": 30`) && !strings.Contains(out, `"total":30`) {
		t.Errorf("search after the optimized import: exit %d\n%.300s", code, out)
	}
}

// Imports too small to optimize after still merge the full-text index
// segments they add (store.Tidier): two imports of five records leave one
// segment, not two.
func TestImportTidiesAfterSmall(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	lines := strings.SplitAfter(archiveLines(10), "\n")
	for i, part := range [][]string{lines[:5], lines[5:10]} {
		f := filepath.Join(dir, fmt.Sprintf("part%d.jsonl", i))
		os.WriteFile(f, []byte(strings.Join(part, "")), 0o644)
		if _, stderr, code := herald(t, "", "--db", db, "import", "jsonl", f); code != 0 {
			t.Fatalf("import %s: exit %d: %s", f, code, stderr)
		}
	}
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, err := st.IndexSegments(context.Background()); err != nil || n != 1 {
		t.Errorf("full-text index segments after two small imports: %d, %v; want 1", n, err)
	}
}
