package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// herald recluster lists the lone articles that join a cluster, stores
// nothing with --dry-run, finds nothing the second time, prints JSON
// lines with --json, and refuses bad input before opening the archive.
func TestReclusterCommand(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "old.db")
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	text := "The ferry operator raised fares by a tenth from June, blaming fuel costs, and spared season tickets until the autumn, when the new timetable starts."
	var entries []store.Entry
	for i, url := range []string{"https://one.example/fares", "https://two.example/fares", "https://three.example/other"} {
		body := text
		if i == 2 {
			body = "A different story about the library opening on Sundays from next month, with longer hours in winter for students."
		}
		e, err := archive.Prepare(&store.Record{Article: article.Article{URL: url, Title: "Fares", Text: body,
			Published: time.Date(2024, 5, i+1, 0, 0, 0, 0, time.UTC)}}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e) // each alone, as an older Herald might have left them
	}
	storetest.Load(t, st, entries)
	st.Close()
	two := entries[1].Record.ID

	out, stderr, code := herald(t, "", "--db", db, "recluster", "--dry-run")
	if code != 0 || !strings.Contains(out, two+"  https://two.example/fares: joins cluster "+entries[0].Record.ID) ||
		!strings.Contains(out, "recluster: 3 articles in") || !strings.Contains(out, "3 alone in their cluster, 1 would join (dry run) another cluster") {
		t.Errorf("--dry-run: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = herald(t, "", "--db", db, "recluster", "--json", "ferry")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var j archive.Joined
	var sum archive.ReclusterSummary
	if code != 0 || len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &j) != nil || json.Unmarshal([]byte(lines[1]), &sum) != nil ||
		j.ID != two || sum.Joined != 1 || sum.Articles != 2 {
		t.Errorf("--json: exit %d\n%s%s", code, out, stderr)
	}
	out, _, code = herald(t, "", "--db", db, "recluster")
	if code != 0 || !strings.Contains(out, "0 joined another cluster") {
		t.Errorf("second run: exit %d\n%s", code, out)
	}
	missing := filepath.Join(t.TempDir(), "missing.db")
	for _, args := range [][]string{{"--batch", "0"}, {`"unclosed`}, {"x"}} {
		if _, stderr, code := herald(t, "", append([]string{"--db", missing, "recluster"}, args...)...); code != 2 || stderr == "" {
			t.Errorf("recluster %v: exit %d, %q; want a clear refusal", args, code, stderr)
		}
	}
}
