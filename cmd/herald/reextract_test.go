package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/warc"
)

// TestReextractSoft404: an archived article whose capture is a "page
// not found" template answered with 200 (stored before Herald skipped
// soft 404s) is listed by herald reextract as a soft 404 and counted in
// its summary; it is kept as stored, and it is no failure: exit status 0,
// where it used to be reported as an article that could not be
// re-extracted (exit 1).
func TestReextractSoft404(t *testing.T) {
	const u = "https://gazette.example/news/2026/05/04/ferry-timetable.html"
	page := `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Page not found – The Harbour Gazette</title></head>
<body><main><h1>Oops! That page can’t be found.</h1><p>It looks like nothing was found at this location. Maybe try a search?</p></main></body></html>`
	const text = "It looks like nothing was found at this location. Maybe try a search?"
	db := capturedArchive(t, u, page, article.Article{URL: u, Title: "Oops! That page can’t be found.", Text: text})

	for _, args := range [][]string{{"reextract", "--dry-run"}, {"reextract"}} {
		out, stderr, code := herald(t, "", append([]string{"--db", db}, args...)...)
		if code != 0 || !strings.Contains(out, u+": soft 404 (kept as stored)") ||
			!strings.Contains(out, "problems none; 1 judged a soft 404 now, kept as stored") {
			t.Errorf("%v: exit %d\n%s%s\nwant exit 0, the article listed as a soft 404 and counted", args, code, out, stderr)
		}
	}
	out, stderr, code := herald(t, "", "--db", db, "reextract", "--json")
	var change struct {
		URL     string `json:"url"`
		Soft404 bool   `json:"soft_404"`
		Problem string `json:"problem"`
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &change) != nil || change.URL != u || !change.Soft404 || change.Problem != "" ||
		!strings.Contains(lines[1], `"soft_404":1`) {
		t.Errorf("--json: exit %d\n%s%s", code, out, stderr)
	}
	if n, _ := archiveStats(t, db); n != 1 {
		t.Errorf("the archive holds %d articles after reextract, want the 1 kept", n)
	}
	out, _, _ = herald(t, "", "--db", db, "search", "--json", "nothing found location")
	if !strings.Contains(out, `"`+u+`"`) {
		t.Errorf("the kept article is not found by its text any more:\n%s", out)
	}
}

// harbourArchive is capturedArchive of one page, "Harbour reopens", at
// u, archived with text (an older extraction of it, say).
func harbourArchive(t *testing.T, text string) (db, u, page string) {
	t.Helper()
	u = "https://gazette.example/news/2026/05/04/harbour-reopens.html"
	page = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Harbour reopens</title></head>
<body><article><h1>Harbour reopens</h1><p>` + strings.Repeat("The city harbour reopened on Thursday after three weeks of repairs to the storm-damaged breakwater. ", 6) + `</p></article></body></html>`
	return capturedArchive(t, u, page, article.Article{URL: u, Title: "Harbour reopens", Text: text}), u, page
}

// capturedArchive makes an archive (returned as its path) holding one
// record, stored as rec, whose WARC capture is page answered with 200 at
// URL u.
func capturedArchive(t *testing.T, u, page string, rec article.Article) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "old.db")
	w, err := warc.NewWriter(filepath.Join(dir, "old.db.warc"), warc.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	ref, err := w.WriteExchange(ctx, warc.Exchange{TargetURI: u, Date: day,
		ResponseRaw: fmt.Appendf(nil, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s", len(page), page)})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := archive.Ingest(ctx, st, []*store.Record{{
		Article:   rec,
		FetchedAt: day,
		Capture:   &store.Capture{File: filepath.Join("old.db.warc", ref.File), Offset: ref.Offset, RecordID: ref.RecordID},
	}}); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestReextractNotArticleKept: an archived article whose capture today's
// extractor judges not an article (a short page on a URL not shaped like
// an article's: a section front an older Herald stored) is listed and
// counted as such, kept as stored, and no failure (exit status 0), as a
// soft 404 is: both are judgements of the current rules about a page
// that was read, not a capture that could not be, and nothing archived is
// removed or called broken on a guess.
func TestReextractNotArticleKept(t *testing.T) {
	const u = "https://gazette.example/harbour"
	page := `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Harbour – The Harbour Gazette</title></head>
<body><main><h1>Harbour</h1><p>The latest from the quays, the ferries and the fish market.</p></main></body></html>`
	const text = "The latest from the quays, the ferries and the fish market."
	db := capturedArchive(t, u, page, article.Article{URL: u, Title: "Harbour", Text: text})

	for _, args := range [][]string{{"reextract", "--dry-run"}, {"reextract"}} {
		out, stderr, code := herald(t, "", append([]string{"--db", db}, args...)...)
		if code != 0 || !strings.Contains(out, u+": not an article now (kept as stored)") ||
			!strings.Contains(out, "problems none; 1 judged not an article now, kept as stored") ||
			!strings.Contains(out, ": 1 article in ") {
			t.Errorf("%v: exit %d\n%s%s\nwant exit 0, the article listed as not an article and counted", args, code, out, stderr)
		}
	}
	out, stderr, code := herald(t, "", "--db", db, "reextract", "--json")
	var change struct {
		URL        string `json:"url"`
		NotArticle bool   `json:"not_article"`
		Problem    string `json:"problem"`
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &change) != nil || change.URL != u || !change.NotArticle || change.Problem != "" ||
		!strings.Contains(lines[1], `"not_article":1`) || !strings.Contains(lines[1], `"problems":{}`) {
		t.Errorf("--json: exit %d\n%s%s", code, out, stderr)
	}
	out, _, _ = herald(t, "", "--db", db, "search", "--json", "quays ferries")
	if n, _ := archiveStats(t, db); n != 1 || !strings.Contains(out, `"`+u+`"`) {
		t.Errorf("the archive holds %d articles after reextract, want the 1 kept as it was:\n%s", n, out)
	}
}
