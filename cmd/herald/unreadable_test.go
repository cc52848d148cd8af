package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/warc"
)

// TestImportWARCNamesUnreadable: herald import warc names each page whose
// HTTP body could not be read (here cut short of its Content-Length, as
// a crawler's size cap leaves it, WARC-Truncated), with its offset and
// URL, where before the summary only counted an "unreadable payload";
// the exit status stays 0.
func TestImportWARCNamesUnreadable(t *testing.T) {
	dir := t.TempDir()
	w, err := warc.NewWriter(filepath.Join(dir, "crawl"), warc.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	body := "<html><body><article><p>" + strings.Repeat("The harbour reopened after the storm. ", 30) + "</p></article></body></html>"
	ref, err := w.WriteExchange(context.Background(), warc.Exchange{
		TargetURI: "https://cut.example/news/story.html", Truncated: "length",
		ResponseRaw: []byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 90000\r\n\r\n" + body),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "crawl", filepath.Base(ref.File))
	_, stderr, code := herald(t, "", "--db", filepath.Join(dir, "h.db"), "import", "warc", file)
	if code != 0 {
		t.Errorf("exit %d, want 0: %s", code, stderr)
	}
	for _, want := range []string{
		"herald: " + file + ": skipped the record at offset ",
		"(https://cut.example/news/story.html): unreadable payload: ",
		"(the record is marked WARC-Truncated: length)",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// TestImportWARCTellsDigestMismatch: herald import warc names a page
// record whose block does not match its WARC-Block-Digest, imports its
// article all the same, and says so in its summary, where before it said
// nothing and check --fixity later found the capture damaged.
func TestImportWARCTellsDigestMismatch(t *testing.T) {
	dir := t.TempDir()
	body := "<html><body><article><p>" + strings.Repeat("The harbour reopened after the storm. ", 30) + "</p></article></body></html>"
	block := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	rec := "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n" +
		"WARC-Date: 2026-05-04T10:00:00Z\r\nWARC-Target-URI: https://bits.example/news/story.html\r\n" +
		"Content-Type: application/http; msgtype=response\r\nWARC-Block-Digest: sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n\r\n%s\r\n\r\n", len(block), block)
	file := filepath.Join(dir, "bits.warc")
	if err := os.WriteFile(file, []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "h.db")
	out, stderr, code := herald(t, "", "--db", db, "import", "warc", file)
	if code != 0 {
		t.Errorf("exit %d, want 0: %s", code, stderr)
	}
	if want := "herald: " + file + ": the record at offset 0 (https://bits.example/news/story.html) is damaged (block digest "; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	if !strings.Contains(out, "1 new") || !strings.Contains(out, "1 page record not matching its digest, imported (see above)") {
		t.Errorf("summary: %s", out)
	}
	if !strings.Contains(stderr, "its article is imported") {
		t.Errorf("stderr does not say the article is imported:\n%s", stderr)
	}

	// With --nats the record is only queued: the line says so, and so
	// does the summary, which said nothing of it before.
	out, stderr, code = herald(t, "", "--db", db, "import", "warc", "--nats", startNATS(t), file)
	if code != 0 {
		t.Errorf("--nats: exit %d, want 0: %s", code, stderr)
	}
	if want := "herald: " + file + ": the record at offset 0 (https://bits.example/news/story.html) is damaged (block digest "; !strings.Contains(stderr, want) {
		t.Errorf("--nats: stderr lacks %q:\n%s", want, stderr)
	}
	if strings.Contains(stderr, "imported") || !strings.Contains(stderr, "it is queued all the same") {
		t.Errorf("--nats: the line should say the record is queued, not imported:\n%s", stderr)
	}
	if !strings.Contains(out, "queued 1 extract jobs") || !strings.Contains(out, "1 page record not matching its digest, queued (see above)") {
		t.Errorf("--nats summary: %s", out)
	}
}

// TestImportWARCCapsRecordLines: a WARC file with many page records that
// do not match their digest names the first listedProblems of them one
// by one and then counts the rest in one line after the file, where
// before it printed a line for every record, thousands for a badly
// damaged file; so with --nats.
func TestImportWARCCapsRecordLines(t *testing.T) {
	dir := t.TempDir()
	n := listedProblems + 5
	var file strings.Builder
	for i := range n {
		body := fmt.Sprintf("<html><body><article><h1>Story %d</h1><p>%s</p></article></body></html>", i, strings.Repeat(fmt.Sprintf("The harbour reopened after storm number %d. ", i), 30))
		block := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		fmt.Fprintf(&file, "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-%012d>\r\n"+
			"WARC-Date: 2026-05-04T10:00:00Z\r\nWARC-Target-URI: https://bits.example/news/story-%d.html\r\n"+
			"Content-Type: application/http; msgtype=response\r\nWARC-Block-Digest: sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n"+
			"Content-Length: %d\r\n\r\n%s\r\n\r\n", i, i, len(block), block)
	}
	name := filepath.Join(dir, "bits.warc")
	if err := os.WriteFile(name, []byte(file.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "h.db")
	for _, nats := range []bool{false, true} {
		args := []string{"--db", db, "import", "warc", name}
		if nats {
			args = append(args, "--nats", startNATS(t))
		}
		_, stderr, code := herald(t, "", args...)
		if code != 0 {
			t.Errorf("--nats %v: exit %d, want 0: %s", nats, code, stderr)
		}
		if got := strings.Count(stderr, ") is damaged (block digest "); got != listedProblems {
			t.Errorf("--nats %v: %d records named, want %d:\n%s", nats, got, listedProblems, stderr)
		}
		if want := "herald: " + name + ": … and 5 more records not matching their WARC-Block-Digest\n"; !strings.Contains(stderr, want) {
			t.Errorf("--nats %v: stderr lacks %q:\n%s", nats, want, stderr)
		}
	}
}
