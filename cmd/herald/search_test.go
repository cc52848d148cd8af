package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
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
	want := fmt.Sprintf("%d articles match; page %d is past the last (%d)", n, last+1, last)
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
