package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/web"
)

// wireStoryArchive imports one wire story carried by three sites
// (stored first on wire.example, dated earliest on copy.example, last on
// late.example) and a story of its own on own.example, and returns the
// archive's path.
func wireStoryArchive(t *testing.T) string {
	t.Helper()
	wire := "Fishing boats stayed in the harbour for a third day as the storm kept the ferry terminal closed " +
		"and the coastguard warned crews about waves higher than the outer breakwater, officials said on Tuesday."
	var b strings.Builder
	for _, r := range []struct{ site, day, text, original string }{
		{"wire.example", "2024-03-05", wire, ""},                                      // stored first, dated second
		{"copy.example", "2024-03-04", wire, "https://agency.example/original-story"}, // the earliest copy, of an original not archived
		{"late.example", "2024-03-07", wire, ""},
		{"own.example", "2024-03-06", "The council approved a night bus from the port to the hospital, every half hour from January, the mayor said on Monday evening after a long debate.", ""},
	} {
		rec := map[string]any{"url": "https://" + r.site + "/story.html", "title": "Story on " + r.site,
			"published": r.day + "T09:00:00Z", "language": "en", "text": r.text}
		if r.original != "" {
			rec["original_url"] = r.original
		}
		j, _ := json.Marshal(rec)
		b.Write(j)
		b.WriteByte('\n')
	}
	db := filepath.Join(t.TempDir(), "a.db")
	if _, stderr, code := herald(t, b.String(), "--db", db, "import", "jsonl", "-"); code != 0 || !strings.Contains(stderr, "2 duplicates") {
		t.Fatalf("import: exit %d\n%s", code, stderr)
	}
	return db
}

// herald export --collapse writes one article per near-duplicate
// cluster, the earliest dated, in every format; the API does the same.
func TestExportCollapse(t *testing.T) {
	db := wireStoryArchive(t)
	dir := filepath.Dir(db)
	out, stderr, code := herald(t, "", "--db", db, "export", "--collapse", "--format", "csv")
	if code != 0 || strings.Count(out, "\n") != 3 || !strings.Contains(out, "copy.example") || !strings.Contains(out, "own.example") ||
		strings.Contains(out, "wire.example") || !strings.Contains(stderr, "exported 2 articles; 2 near-duplicate copies left out") {
		t.Errorf("export --collapse: exit %d\n%s%s", code, out, stderr)
	}
	// Only the matching copies count: without copy.example, wire.example is the earliest.
	out, _, _ = herald(t, "", "--db", db, "export", "--collapse", "harbour -site:copy.example")
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, "wire.example") {
		t.Errorf("export --collapse with a query:\n%s", out)
	}
	tdir := filepath.Join(dir, "corpus")
	if _, stderr, code := herald(t, "", "--db", db, "export", "--collapse", "--format", "text", "--out", tdir); code != 0 {
		t.Fatalf("text export: %s", stderr)
	}
	if files, _ := filepath.Glob(filepath.Join(tdir, "*.txt")); len(files) != 2 {
		t.Errorf("text export --collapse wrote %v", files)
	}
	if out, _, _ := herald(t, "", "--db", db, "export"); strings.Count(out, "\n") != 4 {
		t.Errorf("export without --collapse:\n%s", out)
	}

	// The timeline of stories counts the cluster once, on its earliest
	// copy's day; with shares, of all the stories of that day.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"harbour"}, "2024-03-04 1/0 2024-03-05 1/0 2024-03-07 1/0"},
		{[]string{"harbour", "--collapse"}, "2024-03-04 1/0"},
		{[]string{"harbour", "--collapse", "--share"}, "2024-03-04 1/1 2024-03-06 0/1"}, // own.example: a story, no match
		{[]string{"--collapse"}, "2024-03-04 1/0 2024-03-06 1/0"},
	} {
		out, stderr, code := herald(t, "", append([]string{"--db", db, "timeline", "--json"}, tc.args...)...)
		var res web.TimelineResponse
		if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
			t.Fatalf("timeline %v: exit %d %s", tc.args, code, stderr)
		}
		var got []string
		for _, b := range res.Buckets {
			got = append(got, fmt.Sprintf("%s %d/%d", b.Start.Format("2006-01-02"), b.Count, b.Of))
		}
		if strings.Join(got, " ") != tc.want || res.Collapse != slices.Contains(tc.args, "--collapse") {
			t.Errorf("timeline %v: %v (collapse %v), want %s", tc.args, got, res.Collapse, tc.want)
		}
	}
}
