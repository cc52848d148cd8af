package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// windowArchive writes an archive where one word (lighthouse) matches
// more articles than relevance ranking considers (store.RankWindow), and
// returns its path and how many match.
func windowArchive(t *testing.T) (string, int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	n := store.RankWindow + 30
	var entries []store.Entry
	for i := range n {
		entries = append(entries, store.Entry{Record: &store.Record{
			ID: fmt.Sprintf("w%05d", i), ContentHash: fmt.Sprintf("hash-w%05d", i),
			Article: article.Article{
				URL: fmt.Sprintf("https://window.example/a/%d", i), Title: fmt.Sprintf("Report %d", i),
				Published: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
				Text:      fmt.Sprintf("The lighthouse keeper wrote entry %d.", i),
			}}})
	}
	storetest.Load(t, db, entries)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path, n
}

// TestSearchPastTheRankWindow checks that a page past the matches that
// relevance ranking considers says which page is the last and how to
// page further, rather than naming a last page that has no hits.
func TestSearchPastTheRankWindow(t *testing.T) {
	db, n := windowArchive(t)
	last := store.RankWindow / 20
	stdout, _, code := herald(t, "", "--db", db, "search", "--limit", "20", "--page", fmt.Sprint(last), "lighthouse")
	if code != 0 || !strings.Contains(stdout, fmt.Sprintf("showing %d–%d.", store.RankWindow-19, store.RankWindow)) {
		t.Errorf("last page: exit %d, %q", code, firstLine(stdout))
	}
	stdout, _, code = herald(t, "", "--db", db, "search", "--limit", "20", "--page", fmt.Sprint(last+1), "lighthouse")
	want := fmt.Sprintf("%d stories match; page %d is past the last (%d)", n, last+1, last)
	if code != 0 || !strings.Contains(stdout, want) || !strings.Contains(stdout, "--sort date") {
		t.Errorf("past the window: exit %d, %q; want %q and a hint to sort by date", code, stdout, want)
	}
	// Sorted by date, every match can be paged to.
	stdout, _, code = herald(t, "", "--db", db, "search", "--limit", "20", "--page", fmt.Sprint(last+1), "--sort", "date", "lighthouse")
	if code != 0 || !strings.Contains(stdout, fmt.Sprintf("showing %d–%d.", store.RankWindow+1, store.RankWindow+20)) {
		t.Errorf("by date past the window: exit %d, %q", code, firstLine(stdout))
	}
}

// firstLine is s up to its first newline.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// TestSearchCountSaysWhat checks that the count herald search prints names
// what it counts: stories (near-duplicate clusters) when copies are
// collapsed, as the search page says, articles with --all-copies, and a
// lower bound when counting stopped at store.MaxTotal.
func TestSearchCountSaysWhat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	var entries []store.Entry
	for i, cluster := range []string{"", "c0", ""} {
		entries = append(entries, store.Entry{Record: &store.Record{
			ID: fmt.Sprintf("c%d", i), ContentHash: fmt.Sprintf("hash-c%d", i), ClusterID: cluster,
			Article: article.Article{URL: fmt.Sprintf("https://copies.example/%d", i), Title: fmt.Sprintf("Ferry %d", i),
				Published: time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC), Text: "The ferry sails at noon."}}})
	}
	storetest.Load(t, db, entries)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"search", "ferry"}, "2 stories match; showing 1–2."},
		{[]string{"search", "--all-copies", "ferry"}, "3 articles match; showing 1–3."},
		{[]string{"search", "--page", "3", "--limit", "1", "ferry"}, "2 stories match; page 3 is past the last (2)."},
	} {
		stdout, stderr, code := herald(t, "", append([]string{"--db", path}, tc.args...)...)
		if code != 0 || firstLine(stdout) != tc.want {
			t.Errorf("%v: exit %d, %q %q; want %q", tc.args, code, firstLine(stdout), stderr, tc.want)
		}
	}

	var b strings.Builder
	w := bufio.NewWriter(&b)
	res := &store.SearchResult{Total: store.MaxTotal, TotalCapped: true, Hits: []store.Hit{{Record: &store.Record{ID: "x"}}}}
	printHits(w, res, store.SearchOptions{Limit: 10, Sort: query.SortNewest}, false)
	w.Flush()
	if want := fmt.Sprintf("At least %d articles match; showing 1–1.", store.MaxTotal); firstLine(b.String()) != want {
		t.Errorf("capped count: %q, want %q", firstLine(b.String()), want)
	}
}

// failingWriter fails every write, as standard output does on a full disk.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestOutputWriteErrorsFail checks that a command whose output cannot be
// written (a full disk, a closed pipe) says so and exits non-zero rather
// than leaving a truncated result behind a zero exit.
func TestOutputWriteErrorsFail(t *testing.T) {
	db, _ := windowArchive(t)
	for _, args := range [][]string{
		{"search", "lighthouse"}, {"search", "--json", "lighthouse"},
		{"timeline", "lighthouse"}, {"timeline", "--json", "lighthouse"}, {"timeline", "--csv", "lighthouse"},
		{"top", "lighthouse"}, {"top", "--json", "lighthouse"},
		{"stories", "lighthouse"}, {"stories", "--json", "lighthouse"},
		{"reextract", "--dry-run", "lighthouse"}, {"reextract", "--dry-run", "--json", "lighthouse"},
		{"recluster", "--dry-run", "lighthouse"}, {"recluster", "--dry-run", "--json", "lighthouse"},
		{"delete", "--dry-run", "lighthouse"}, {"delete", "--dry-run", "--json", "lighthouse"},
		{"withheld", "list"},
	} {
		var errb bytes.Buffer
		code := run(context.Background(), append([]string{"--db", db}, args...), strings.NewReader(""), failingWriter{}, &errb)
		if code == 0 || !strings.Contains(errb.String(), "no space left on device") {
			t.Errorf("%v: exit %d, stderr %q; want a failure naming the write error", args, code, errb.String())
		}
	}
}

// TestSearchShowsTheArchiveDay: an article published late in the
// evening west of UTC is listed under the day the archive files it under
// (the UTC day), the day that after:/before:, timelines and the text
// export give it, not its publisher's local day. It was listed under the
// day before, so a hit found by after:2026-03-02 said 2026-03-01.
func TestSearchShowsTheArchiveDay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, db, []store.Entry{{Record: &store.Record{
		ID: "late0001", ContentHash: "hash-late",
		Article: article.Article{
			URL: "https://quay.example/storm", Title: "Storm floods the quay",
			Published: time.Date(2026, 3, 1, 23, 30, 0, 0, time.FixedZone("", -5*3600)),
			Text:      "Storm damage closed the harbour quay on Sunday night.",
		}}}})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	stdout, _, code := herald(t, "", "--db", path, "search", "after:2026-03-02 before:2026-03-03")
	if code != 0 || !strings.Contains(stdout, "Storm floods the quay") {
		t.Fatalf("exit %d, %q: want the article found on 2 March (UTC)", code, stdout)
	}
	if !strings.Contains(stdout, "2026-03-02") || strings.Contains(stdout, "2026-03-01") {
		t.Errorf("hit listed as %q, want the day 2026-03-02 that the filter found it on", stdout)
	}
}

// A search whose after: day is not before its before: day (the two
// swapped, a typo) can match nothing: it says why rather than only "No
// articles match".
func TestSearchEmptyDateRangeSaysWhy(t *testing.T) {
	db, _ := windowArchive(t)
	stdout, _, code := herald(t, "", "--db", db, "search", "lighthouse after:2024-03-01 before:2024-01-01")
	want := "No articles match: after:2024-03-01 is not before before:2024-01-01, so no day is in the range."
	if code != 0 || !strings.Contains(stdout, want) {
		t.Errorf("exit %d, %q; want %q", code, stdout, want)
	}
	// A range that only matches nothing says no more.
	stdout, _, _ = herald(t, "", "--db", db, "search", "lighthouse after:2030-01-01 before:2030-02-01")
	if strings.TrimSpace(stdout) != "No articles match." {
		t.Errorf("an empty range of days: %q", stdout)
	}
}
