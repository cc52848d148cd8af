package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Tests of herald import warc and herald reextract on WARC files that are
// awkward in one way or another: written here, by hand, the way other
// tools write them.

var warcWords = strings.Fields(`harbour council ferry storm breakwater fishermen winter repairs
budget mayor river bridge school teachers festival market drought flood tunnel library
nurses police court minister union strike factory vineyard coast mountain village bakery
theatre orchestra stadium league season survey railway station election museum`)

// warcArticle is the HTML of a distinct article: its words come from a
// generator seeded by n, so no two are near-duplicates.
func warcArticle(n int) string {
	return htmlArticle(42, n, "en", "Story", warcWords)
}

// htmlArticle is the HTML of an article in language lang, headed title
// and n, of four paragraphs of 40 words drawn from words by a generator
// seeded by seed and n.
func htmlArticle(seed uint64, n int, lang, title string, words []string) string {
	rng := rand.New(rand.NewPCG(seed, uint64(n)+1))
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html lang="%s"><head><meta charset="utf-8"><title>%s %d</title></head><body><article><h1>%s %d</h1>`, lang, title, n, title, n)
	for range 4 {
		b.WriteString("<p>")
		for w := range 40 {
			if w > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		b.WriteString(".</p>")
	}
	b.WriteString("</article></body></html>")
	return b.String()
}

func warcArticleURL(n int) string {
	return fmt.Sprintf("https://gazette.example/news/2026/05/04/story-%d.html", n)
}

// warcRec is one uncompressed WARC/1.0 record.
func warcRec(typ, uri, contentType string, block []byte) []byte {
	var b bytes.Buffer
	b.WriteString("WARC/1.0\r\n")
	fmt.Fprintf(&b, "WARC-Type: %s\r\n", typ)
	if uri != "" {
		fmt.Fprintf(&b, "WARC-Target-URI: %s\r\n", uri)
	}
	b.WriteString("WARC-Date: 2026-05-04T10:00:00Z\r\n")
	fmt.Fprintf(&b, "WARC-Record-ID: <urn:uuid:%08x-0000-4000-8000-%012x>\r\n", rand.Uint32(), rand.Uint64()>>16)
	fmt.Fprintf(&b, "Content-Type: %s\r\n", contentType)
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(block))
	b.Write(block)
	b.WriteString("\r\n\r\n")
	return b.Bytes()
}

// warcResponse is a response record holding an HTTP 200 with an HTML body;
// msgtype is the Content-Type's parameter as written.
func warcResponse(uri, msgtype, body string) []byte {
	msg := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	return warcRec("response", uri, "application/http; msgtype="+msgtype, []byte(msg))
}

// warcPages is a warcinfo record, then a request and a response for each
// of the articles first … first+n-1.
func warcPages(first, n int) [][]byte {
	recs := [][]byte{warcRec("warcinfo", "", "application/warc-fields", []byte("software: by hand\r\n"))}
	for i := first; i < first+n; i++ {
		recs = append(recs,
			warcRec("request", warcArticleURL(i), "application/http; msgtype=request", []byte("GET / HTTP/1.1\r\nHost: gazette.example\r\n\r\n")),
			warcResponse(warcArticleURL(i), "response", warcArticle(i)))
	}
	return recs
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// perRecordGzip compresses each record as its own gzip member, as the
// WARC standard recommends; wholeGzip the file as one stream.
func perRecordGzip(t *testing.T, recs [][]byte) []byte {
	var out []byte
	for _, r := range recs {
		out = append(out, gzipped(t, r)...)
	}
	return out
}

func wholeGzip(t *testing.T, recs [][]byte) []byte {
	return gzipped(t, bytes.Join(recs, nil))
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Reextract cannot read the captures of a deleted WARC file: it names
// each article, the file and the reason (the first ones one by one, the
// rest counted), still re-extracts the others, and exits 1.
func TestReextractUnreadableCaptures(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	gone := writeFile(t, dir, "gone.warc.gz", perRecordGzip(t, warcPages(0, listedProblems+4)))
	kept := writeFile(t, dir, "kept.warc.gz", perRecordGzip(t, warcPages(100, 2)))
	if out, stderr, code := herald(t, "", "--db", db, "import", "warc", gone, kept); code != 0 || !strings.Contains(out, fmt.Sprintf("%d new", listedProblems+6)) {
		t.Fatalf("import: exit %d\n%s%s", code, out, stderr)
	}
	if out, stderr, code := herald(t, "", "--db", db, "reextract"); code != 0 || !strings.Contains(out, fmt.Sprintf("%d the same", listedProblems+6)) {
		t.Fatalf("reextract with every capture there: exit %d\n%s%s", code, out, stderr)
	}

	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := herald(t, "", "--db", db, "reextract")
	if code != 1 {
		t.Errorf("exit %d, want 1 when captures cannot be read", code)
	}
	if want := fmt.Sprintf("herald: %d articles could not be re-extracted (see above)", listedProblems+4); !strings.Contains(stderr, want) {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
	// The first ones one by one, with the file, the offset and the reason.
	if n := strings.Count(out, ": capture unreadable: read warc record "+gone+"@"); n != listedProblems {
		t.Errorf("%d articles listed, want %d:\n%s", n, listedProblems, out)
	}
	if n := strings.Count(out, "no such file or directory"); n != listedProblems+1 {
		t.Errorf("reason given %d times, want %d:\n%s", n, listedProblems+1, out)
	}
	// The rest counted under the file and the reason.
	if want := "… and 4 articles more, counted by problem:\n       4  capture unreadable: read warc record " + gone + ": no such file or directory\n"; !strings.Contains(out, want) {
		t.Errorf("no summary of the rest %q:\n%s", want, out)
	}
	// The other file's articles are re-extracted all the same.
	if !strings.Contains(out, "2 the same") || !strings.Contains(out, fmt.Sprintf("capture unreadable %d", listedProblems+4)) {
		t.Errorf("summary:\n%s", out)
	}

	// JSON lines give every article, and the same exit status.
	out, _, code = herald(t, "", "--db", db, "reextract", "--json")
	if code != 1 || strings.Count(out, `"problem":"capture unreadable: read warc record `) != listedProblems+4 {
		t.Errorf("--json: exit %d\n%s", code, out)
	}
	// A query that leaves the missing file out succeeds.
	if out, stderr, code = herald(t, "", "--db", db, "reextract", "story 100"); code != 0 || !strings.Contains(out, "1 the same") {
		t.Errorf("reextract of a kept article: exit %d\n%s%s", code, out, stderr)
	}
}

// A WARC file gzipped as one stream imports, but its records have no
// offsets of their own: import says that its articles keep no capture
// reference, and how to keep them. Reextract then counts them as
// without a capture, which is no failure.
func TestImportWholeFileGzipWARC(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	whole := writeFile(t, dir, "whole.warc.gz", wholeGzip(t, warcPages(0, 3)))
	out, stderr, code := herald(t, "", "--db", db, "import", "warc", whole)
	if code != 0 || !strings.Contains(out, "3 new") {
		t.Fatalf("import: exit %d\n%s%s", code, out, stderr)
	}
	if want := "herald: " + whole + " is one gzip stream, not a gzip member per record: 3 articles imported without capture references, so herald reextract cannot rebuild them from it; recompress it with one gzip member per record (e.g. warcio recompress) to keep them\n"; stderr != want {
		t.Errorf("stderr %q\nwant %q", stderr, want)
	}
	if !strings.Contains(out, "; 3 articles without capture references (see above)") {
		t.Errorf("summary: %s", out)
	}
	out, stderr, code = herald(t, "", "--db", db, "reextract")
	if code != 0 || !strings.Contains(out, "problems no capture 3") {
		t.Errorf("reextract: exit %d\n%s%s", code, out, stderr)
	}

	// JSON gives the count too; an import that writes nothing new loses
	// nothing and says nothing.
	out, stderr, code = herald(t, "", "--db", filepath.Join(dir, "second.db"), "import", "warc", "--json", whole)
	var sum struct {
		New       int `json:"new"`
		NoCapture int `json:"without_capture"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil || code != 0 || sum.New != 3 || sum.NoCapture != 3 {
		t.Errorf("--json: exit %d, %+v, %v\n%s%s", code, sum, err, out, stderr)
	}
	if out, stderr, _ = herald(t, "", "--db", db, "import", "warc", whole); stderr != "" || strings.Contains(out, "without capture") {
		t.Errorf("import again: %s%s", out, stderr)
	}

	// A stream whose first record is a page: that one keeps its
	// reference (offset 0 reads it), so of two articles one is without.
	first := writeFile(t, dir, "first.warc.gz", wholeGzip(t, warcPages(10, 2)[2:]))
	if _, stderr, code = herald(t, "", "--db", db, "import", "warc", first); code != 0 || !strings.Contains(stderr, ": 1 article imported without capture references") {
		t.Errorf("first record a page: exit %d %s", code, stderr)
	}

	// The same records, one gzip member each: no warning, and reextract
	// reads them back.
	per := writeFile(t, dir, "per.warc.gz", perRecordGzip(t, warcPages(20, 3)))
	if out, stderr, code = herald(t, "", "--db", db, "import", "warc", per); code != 0 || stderr != "" || strings.Contains(out, "without capture") {
		t.Errorf("per-record gzip: exit %d\n%s%s", code, out, stderr)
	}
	if out, _, code = herald(t, "", "--db", db, "reextract", "story 21"); code != 0 || !strings.Contains(out, "1 the same") {
		t.Errorf("reextract of a per-record article: exit %d\n%s", code, out)
	}

	if out, _, _ = herald(t, "", "import", "warc", "--help"); !strings.Contains(out, "gzipped as one stream") || !strings.Contains(out, "no capture reference") {
		t.Errorf("help does not explain the limit:\n%s", out)
	}
}

// A response whose Content-Type quotes its msgtype ("response" in quotes,
// which media types allow) is an HTTP response like any other.
func TestImportWARCQuotedMsgtype(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "quoted.warc", bytes.Join([][]byte{
		warcResponse(warcArticleURL(1), "response", warcArticle(1)),
		warcResponse(warcArticleURL(2), `"response"`, warcArticle(2)),
		warcResponse(warcArticleURL(3), `"Response"`, warcArticle(3)),
	}, nil))
	out, stderr, code := herald(t, "", "--db", filepath.Join(dir, "herald.db"), "import", "warc", path)
	if code != 0 || !strings.Contains(out, "read 3 pages") || !strings.Contains(out, "3 new") {
		t.Errorf("exit %d\n%s%s", code, out, stderr)
	}
}

// A file that is not a WARC file at all is named as such, skipped and
// counted, and the exit status is 1; the other files are imported.
func TestImportNotWARC(t *testing.T) {
	dir := t.TempDir()
	page := []byte("<!DOCTYPE html>\n<html><body><p>Just a page.</p></body></html>\n")
	html := writeFile(t, dir, "page.html", page)
	oneLine := writeFile(t, dir, "one-line.html", []byte("<html>no newline</html>"))
	gz := writeFile(t, dir, "page.html.gz", gzipped(t, page))
	good := writeFile(t, dir, "good.warc.gz", perRecordGzip(t, warcPages(0, 2)))
	out, stderr, code := herald(t, "", "--db", filepath.Join(dir, "herald.db"), "import", "warc", html, good, oneLine, gz)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{
		"herald: " + html + ` is not a WARC file: it does not start with WARC/1.0 or WARC/1.1 (it starts "<!DOCTYPE html>")` + "\n",
		"herald: " + oneLine + ` is not a WARC file: it does not start with WARC/1.0 or WARC/1.1 (it starts "<html>no newline</html>")` + "\n",
		"herald: " + gz + ` is not a WARC file: its gzip content does not start with WARC/1.0 or WARC/1.1`,
		"herald: 3 files skipped (see above)\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "truncated") || strings.Contains(stderr, "damaged") {
		t.Errorf("not a WARC file reported as damage:\n%s", stderr)
	}
	if !strings.Contains(out, "2 new") || !strings.Contains(out, "0 damaged records") {
		t.Errorf("summary: %s", out)
	}
}

// Problems past the listed ones are counted without the record's offset,
// so the articles of one file count together.
func TestProblemGroup(t *testing.T) {
	for in, want := range map[string]string{
		"capture unreadable: read warc record /a/x.warc.gz@1234: no such file or directory":                                    "capture unreadable: read warc record /a/x.warc.gz: no such file or directory",
		"capture unreadable: read warc record /a/x.warc.gz@99: warc record at offset 99: corrupt record: gzip: invalid header": "capture unreadable: read warc record /a/x.warc.gz: corrupt record: gzip: invalid header",
		"capture not in this archive: record <urn:uuid:1> at offset 7 of a.warc, want <urn:uuid:2>":                            "capture not in this archive: another record at the stored offset (a reference from another archive, or the file was replaced)",
		"capture not in this archive: the record at offset 7 of a.warc is for https://a.example/":                              "capture not in this archive: another record at the stored offset (a reference from another archive, or the file was replaced)",
		"not article": "not article",
		"no capture":  "no capture",
	} {
		if got := problemGroup(in); got != want {
			t.Errorf("problemGroup(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every record of a file is accounted for: a resource record holding
// HTML (as wget writes pages) is imported as a page, its URL from
// WARC-Target-URI, and the records that are not pages are counted by
// type.
func TestImportWARCResourceAndSkippedRecords(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "wget.warc", bytes.Join([][]byte{
		warcRec("warcinfo", "", "application/warc-fields", []byte("software: Wget/1.21\r\n")),
		warcRec("request", warcArticleURL(1), "application/http; msgtype=request", []byte("GET / HTTP/1.1\r\n\r\n")),
		warcRec("resource", warcArticleURL(1), "text/html; charset=utf-8", []byte(warcArticle(1))),
		warcRec("resource", "https://gazette.example/logo.png", "image/png", []byte("\x89PNG\r\n")),
		warcRec("metadata", warcArticleURL(1), "application/warc-fields", []byte("via: x\r\n")),
		warcRec("response", "dns:gazette.example", "text/dns", []byte("20260504100000\ngazette.example. 60 IN A 192.0.2.1\n")),
		warcResponse(warcArticleURL(2), `"response"`, warcArticle(2)),
	}, nil))
	db := filepath.Join(dir, "herald.db")
	out, stderr, code := herald(t, "", "--db", db, "import", "warc", path)
	if code != 0 || !strings.Contains(out, "2 new") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	for _, want := range []string{"metadata records 1", "not html 1", "request records 1", "response not http 1", "warcinfo records 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q: %s", want, out)
		}
	}
	out, _, _ = herald(t, "", "--db", db, "search", "--json", "story 1")
	if !strings.Contains(out, warcArticleURL(1)) {
		t.Errorf("the resource's article is not filed under its WARC-Target-URI:\n%s", out)
	}
	// It is read back from its record like any capture.
	if out, stderr, code = herald(t, "", "--db", db, "reextract"); code != 0 || !strings.Contains(out, "2 the same") {
		t.Errorf("reextract: exit %d\n%s%s", code, out, stderr)
	}
}
