package main

import (
	"context"
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
