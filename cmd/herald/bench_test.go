package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// writeBenchData writes a two-page ScrapingHub set and a one-case
// Readability set, made up for the test.
func writeBenchData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	mustWrite := func(path string, data []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gz := func(s string) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(s))
		zw.Close()
		return b.Bytes()
	}
	body := "The harbour reopened on Thursday after three weeks of repairs to the breakwater."
	page := `<!doctype html><html lang="en"><head><title>Harbour reopens</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Harbour reopens</h1><p>` + body + `</p>
<p>Officials said the breakwater had been rebuilt to withstand stronger storms this winter.</p></article>
<footer>Copyright Example Gazette</footer></body></html>`
	mustWrite(filepath.Join(dir, "scrapinghub", "html", "aaa.html.gz"), gz(page))
	mustWrite(filepath.Join(dir, "scrapinghub", "html", "bbb.html.gz"), gz("<html><body><p>nothing to see</p></body></html>"))
	gt, _ := json.Marshal(map[string]map[string]string{
		"aaa": {"articleBody": body + "\nOfficials said the breakwater had been rebuilt to withstand stronger storms this winter.", "url": "https://gazette.example.org/2021/06/03/harbour.html"},
		"bbb": {"articleBody": "A body the page does not have at all, four words or more.", "url": "https://gazette.example.org/b.html"},
	})
	mustWrite(filepath.Join(dir, "scrapinghub", "ground-truth.json"), gt)
	mustWrite(filepath.Join(dir, "readability", "case-1", "source.html"), []byte(page))
	mustWrite(filepath.Join(dir, "readability", "case-1", "expected-metadata.json"), []byte(`{"title": "Harbour reopens", "byline": null, "lang": "en", "siteName": null, "publishedTime": null}`))
	return dir
}

func TestBenchExtractJSON(t *testing.T) {
	dir := writeBenchData(t)
	jsonl := filepath.Join(t.TempDir(), "out.jsonl")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bench", "extract", "--data", dir, "--runs", "1", "--cores", "1", "--json", "--worst", "1", "--jsonl", jsonl}, nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, stderr.String())
	}
	var rep benchReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, stdout.String())
	}
	if rep.ScrapingHub == nil || rep.ScrapingHub.Pages != 2 || rep.ScrapingHub.PerPage != nil {
		t.Fatalf("scrapinghub = %+v", rep.ScrapingHub)
	}
	// Page bbb cannot be found at all, so its recall is 0 and it is the worst.
	if len(rep.Worst) != 1 || rep.Worst[0].ID != "bbb" || rep.Worst[0].Recall != 0 {
		t.Errorf("worst = %+v", rep.Worst)
	}
	if rep.Readability == nil || rep.Readability.Cases != 1 || rep.Readability.Disagreements != nil {
		t.Errorf("readability = %+v", rep.Readability)
	}
	if rep.OneCore == nil || rep.OneCore.Pages != 2 || rep.OneCore.Workers != 1 || rep.AllCores != nil {
		t.Errorf("speed = %+v / %+v", rep.OneCore, rep.AllCores)
	}

	b, err := os.ReadFile(jsonl)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 {
		t.Fatalf("jsonl has %d lines, want 2", len(lines))
	}
	var rec struct{ Input, Text string }
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Input != "aaa.html.gz" {
		t.Errorf("first jsonl input = %q", rec.Input)
	}
}

func TestBenchExtractText(t *testing.T) {
	dir := writeBenchData(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bench", "extract", "--data", dir, "--runs", "1", "-v"}, nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"ScrapingHub bodies (2 pages): F1 ", "Readability metadata (1 cases", "title", "1 core (GOMAXPROCS=1):", "cores (a worker each):", "peak heap per page", "Worst 2 ScrapingHub pages"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestBenchExtractErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "extract", "--data", filepath.Join(t.TempDir(), "missing")}, "benchmark data not found"},
		{[]string{"bench", "extract", "--data", t.TempDir()}, "benchmark data not found"},
		{[]string{"bench", "extract", "--cores", "3"}, "unknown --cores"},
		{[]string{"bench", "extract", "--runs", "-1"}, "must not be negative"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tt.args, nil, &stdout, &stderr)
		if code == 0 || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want non-zero and %q", tt.args, code, stderr.String(), tt.want)
		}
	}
}

// bench archive builds a small archive and reports every figure; it warms
// the caches first unless --cold, and refuses to overwrite or to reuse
// what is not there.
func TestBenchArchiveSmall(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	out, stderr, code := herald(t, "", "--db", db, "bench", "archive", "--articles", "300", "--queries", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, line := range []string{"ingest ", "size ", "warm caches ", "search: one word ", "search: phrase ", "search: word + site + dates ", "timeline: ", "export jsonl "} {
		if !strings.Contains(out, "\n"+line) {
			t.Errorf("no %q line in\n%s", line, out)
		}
	}
	if !regexp.MustCompile(`\narticles +300 \(`).MatchString(out) {
		t.Errorf("article count missing:\n%s", out)
	}
	out, stderr, code = herald(t, "", "--db", db, "bench", "archive", "--reuse", "--cold", "--queries", "2")
	if code != 0 || strings.Contains(out, "warm caches") || !strings.Contains(out, "search: phrase ") {
		t.Errorf("--reuse --cold: exit %d, %s\n%s", code, stderr, out)
	}
	if _, stderr, code := herald(t, "", "--db", db, "bench", "archive", "--articles", "10"); code == 0 || !strings.Contains(stderr, "exists") {
		t.Errorf("over an existing archive: exit %d, %q", code, stderr)
	}
	if _, stderr, code := herald(t, "", "--db", db+".missing", "bench", "archive", "--reuse"); code == 0 || !strings.Contains(stderr, "no archive") {
		t.Errorf("--reuse of nothing: exit %d, %q", code, stderr)
	}
	// The search lines say the page asked for, not hits found; an empty
	// archive has no text to measure the size against ("896 KiB for 1 B
	// of text: 917504.000× the raw text").
	if !strings.Contains(out, "(2 queries, pages of 20, collapsed)") {
		t.Errorf("search lines do not say the page size:\n%s", out)
	}
	empty := filepath.Join(t.TempDir(), "empty.db")
	if _, stderr, code := herald(t, "", "--db", empty, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	out, stderr, code = herald(t, "", "--db", empty, "bench", "archive", "--reuse", "--queries", "1")
	if code != 0 || !regexp.MustCompile(`\nsize +[0-9.]+ KiB, no text\n`).MatchString(out) || strings.Contains(out, "×") {
		t.Errorf("an empty archive: exit %d, %s\n%s", code, stderr, out)
	}
}
