package main

import (
	"context"
	"fmt"
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
	if out, stderr, code := herald(t, "", "--db", path, "optimize"); code != 0 || !strings.Contains(out, "nothing to merge") {
		t.Errorf("optimize again: exit %d, %q %s", code, out, stderr)
	}
	if _, stderr, code := herald(t, "", "--db", filepath.Join(t.TempDir(), "none.db"), "optimize"); code == 0 {
		t.Errorf("optimize of a missing archive: exit 0 (%s)", stderr)
	}
}
