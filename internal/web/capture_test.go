package web

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// TestCaptureNotInThisArchive: a capture reference that names a file of
// the capture folder where another record lies at its offset (a record
// imported from another archive's JSON lines, whose WARC file of the same
// name here holds something else) is not served: 404, "capture not in
// this archive". It used to serve whatever record lay there, another
// page's response under this article's name. A reference without a
// record id is checked by the record's target URI instead.
func TestCaptureNotInThisArchive(t *testing.T) {
	ctx := context.Background()
	f := newArchive(t)
	h := testServer(f, Options{})
	harbour, err := f.db.Get(ctx, f.harbour)
	if err != nil || harbour.Capture == nil {
		t.Fatalf("harbour %+v %v", harbour, err)
	}
	if res, body := do(t, h, "GET", "/api/articles/"+f.harbour+"/capture", nil); res.StatusCode != 200 {
		t.Fatalf("the harbour's own capture: %d %s", res.StatusCode, clip(body))
	}
	for _, tc := range []struct {
		url      string
		recordID string
	}{
		{"https://elsewhere.example/imported-with-id", "<urn:uuid:00000000-0000-0000-0000-000000000001>"},
		{"https://elsewhere.example/imported-without-id", ""},
	} {
		text := "Imported from another archive: " + tc.url
		res, err := archive.Ingest(ctx, f.db, []*store.Record{{
			Article: article.Article{URL: tc.url, Title: "Imported", Text: text},
			Capture: &store.Capture{File: harbour.Capture.File, Offset: harbour.Capture.Offset, RecordID: tc.recordID},
		}})
		if err != nil || res[0].Err != nil {
			t.Fatal(err, res)
		}
		got, body := do(t, h, "GET", "/api/articles/"+res[0].ID+"/capture", nil)
		if got.StatusCode != 404 || !strings.Contains(body, "capture not in this archive") || strings.Contains(body, "Harbour reopens") {
			t.Errorf("capture of %s (record id %q): %d %s\nwant 404, capture not in this archive", tc.url, tc.recordID, got.StatusCode, clip(body))
		}
	}
}

// TestCaptureServedInItsCharset: a raw capture is served as text in the
// character set its response declares (its Content-Type header, or the
// page's <meta charset>), so that a page captured in Latin-1 or
// windows-1251 reads as it did; the bytes are unchanged. It was always
// served as UTF-8, and such a page showed mojibake. A capture that
// declares nothing, or a compressed body, stays UTF-8.
func TestCaptureServedInItsCharset(t *testing.T) {
	ctx := context.Background()
	f := newArchive(t)
	h := testServer(f, Options{})
	ww, err := warc.NewWriter(filepath.Join(f.dir, "captures"), warc.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	latin1 := "<html><head><title>Caf\xe9</title></head><body><p>Le caf\xe9 du march\xe9 a rouvert.</p></body></html>"
	cyrillic := "<html><head><meta charset=\"windows-1251\"><title>\xc3\xe0\xe2\xe0\xed\xfc</title></head><body><p>\xc3\xe0\xe2\xe0\xed\xfc \xee\xf2\xea\xf0\xfb\xeb\xe0\xf1\xfc.</p></body></html>"
	cases := []struct {
		name, header, body, want string
	}{
		{"latin1", "Content-Type: text/html; charset=ISO-8859-1\r\n", latin1, "text/plain; charset=windows-1252"},
		{"meta", "Content-Type: text/html\r\n", cyrillic, "text/plain; charset=windows-1251"},
		{"undeclared", "Content-Type: text/html\r\n", "<html><body><p>Plain words.</p></body></html>", "text/plain; charset=utf-8"},
		{"hostile", "Content-Type: text/html; charset=\"utf-8; sandbox\"\r\n", "<p>x</p>", "text/plain; charset=utf-8"},
		{"gzip", "Content-Type: text/html; charset=windows-1251\r\nContent-Encoding: gzip\r\n", "\x1f\x8b\x08\x00binary", "text/plain; charset=utf-8"},
		// Declared past the first 1024 bytes: shown in the charset the
		// extractor read the page in.
		{"late meta", "Content-Type: text/html\r\n", "<!-- " + strings.Repeat("a long comment ", 80) + " -->" + cyrillic, "text/plain; charset=windows-1251"},
		// A charset whose WHATWG name is "replacement", no browser's label.
		{"replacement", "Content-Type: text/html; charset=iso-2022-kr\r\n", "<p>x</p>", "text/plain; charset=utf-8"},
	}
	refs := make([]warc.Ref, len(cases))
	for i, tc := range cases {
		refs[i], err = ww.WriteExchange(ctx, warc.Exchange{
			TargetURI:   "https://charset.example/" + url.PathEscape(tc.name),
			RequestRaw:  []byte("GET /" + url.PathEscape(tc.name) + " HTTP/1.1\r\nHost: charset.example\r\n\r\n"),
			ResponseRaw: []byte(fmt.Sprintf("HTTP/1.1 200 OK\r\n%sContent-Length: %d\r\n\r\n%s", tc.header, len(tc.body), tc.body)),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := ww.Close(); err != nil {
		t.Fatal(err)
	}
	for i, tc := range cases {
		u, ref := "https://charset.example/"+url.PathEscape(tc.name), refs[i]
		res, err := archive.Ingest(ctx, f.db, []*store.Record{{
			Article: article.Article{URL: u, Title: tc.name, Text: "Captured in a charset of its own: " + tc.name},
			Capture: &store.Capture{File: filepath.Join("captures", ref.File), Offset: ref.Offset, RecordID: ref.RecordID},
		}})
		if err != nil || res[0].Err != nil {
			t.Fatal(err, res)
		}
		got, body := do(t, h, "GET", "/api/articles/"+res[0].ID+"/capture", nil)
		if got.StatusCode != 200 || !strings.HasSuffix(body, tc.body) {
			t.Errorf("%s: %d %q, want the capture as stored", tc.name, got.StatusCode, clip(body))
			continue
		}
		if ct := got.Header.Get("Content-Type"); ct != tc.want {
			t.Errorf("%s: Content-Type %q, want %q", tc.name, ct, tc.want)
		}
	}
}
