package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/demo"
)

// TestChoiceFlagsAnyCase: the values of flags that take one of a fixed
// set of words are read in any case (--format JSONL is --format jsonl),
// across the commands; an unknown one is refused (exit 2) with the
// choices listed. Each of these used to be refused as unknown (import
// text's --encoding AUTO too; its encoding names already were read in
// any case).
func TestChoiceFlagsAnyCase(t *testing.T) {
	db, u, page := harbourArchive(t, "The city harbour reopened on Thursday after repairs to the breakwater.")
	dir := filepath.Dir(db)
	file := filepath.Join(dir, "page.html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	site := demoSite(t, demo.Options{})
	for _, tc := range []struct {
		args []string
		want string // in the output
	}{
		{[]string{"export", "--format", "JSONL"}, `"title":"Harbour reopens"`},
		{[]string{"export", "--format", " Csv "}, "Harbour reopens"},
		{[]string{"export", "--format", "WARC", "--out", filepath.Join(dir, "x.warc.gz")}, ""},
		{[]string{"timeline", "--by", "Month", "--split", "Site"}, "gazette.example"},
		{[]string{"search", "harbour", "--sort", "Date"}, "Harbour reopens"},
		{[]string{"search", "harbour", "--sort", "OLDEST"}, "Harbour reopens"},
		{[]string{"top", "--by", "Site"}, "gazette.example"},
		{[]string{"extract", "--format", "Markdown", "--url", u, file}, "# Harbour reopens"},
		{[]string{"source", "add", "https://gazette.example/feed.xml", "--kind", "Feed"}, ""},
		{[]string{"harvest", "--progress", "Never", "--allow-private", "--delay", "0", site + demo.Articles()[0].Path()}, ""},
		{[]string{"import", "--progress", "NEVER", "jsonl", filepath.Join(dir, "none.jsonl")}, ""},
	} {
		if tc.args[0] == "import" {
			os.WriteFile(tc.args[len(tc.args)-1], nil, 0o644)
		}
		out, stderr, code := herald(t, "", append([]string{"--db", db}, tc.args...)...)
		if code != 0 || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d\n%s%s", tc.args, code, out, stderr)
		}
	}
	// An empty corpus file is skipped; the flag is read.
	os.WriteFile(filepath.Join(dir, "none.txt"), nil, 0o644)
	for _, enc := range []string{"AUTO", "Windows-1251"} {
		if _, stderr, _ := herald(t, "", "--db", db, "import", "text", "--encoding", enc, filepath.Join(dir, "none.txt")); strings.Contains(stderr, "encoding") {
			t.Errorf("import text --encoding %s: %s", enc, stderr)
		}
	}
	if _, stderr, _ := herald(t, "", "bench", "extract", "--cores", "ALL", "--data", filepath.Join(dir, "none")); strings.Contains(stderr, "--cores") {
		t.Errorf("bench extract --cores ALL: %s", stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "--format", "xml"}, `unknown --format "xml" (want jsonl, csv, text or warc)`},
		{[]string{"timeline", "--by", "year"}, `unknown --by "year" (want day, week or month)`},
		{[]string{"timeline", "--split", "tag"}, `unknown --split "tag" (want site)`},
		{[]string{"search", "x", "--sort", "size"}, `unknown --sort "size" (want relevance, newest, date, oldest or archived)`},
		{[]string{"top", "--by", "tags"}, `unknown --by "tags" (want site, tag, author, lang, section or original)`},
		{[]string{"extract", "--format", "html", file}, `unknown --format "html" (want json, jsonl, text or markdown)`},
		{[]string{"source", "add", "https://gazette.example/x", "--kind", "blog"}, `unknown --kind "blog" (want feed, sitemap, site or list)`},
		{[]string{"harvest", "--progress", "sometimes", site}, `unknown --progress "sometimes" (want auto, always or never)`},
	} {
		out, stderr, code := herald(t, "", append([]string{"--db", db}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d\n%s%s\nwant exit 2 and %q", tc.args, code, out, stderr, tc.want)
		}
	}
}
