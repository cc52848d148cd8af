package main

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"html"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"github.com/herald-archive/herald/internal/demo"
	"github.com/herald-archive/herald/internal/warc"
)

// encodingSite serves the demo site, its feed at /feed.xml?c=CODING in
// that content coding (deflate as zlib, "flate" as a bare deflate stream
// under the name deflate, br, zstd).
func encodingSite(t *testing.T) string {
	t.Helper()
	h := demo.Handler(demo.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := r.URL.Query().Get("c")
		if r.URL.Path != "/feed.xml" || c == "" {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		var b bytes.Buffer
		name := c
		switch c {
		case "deflate":
			zw := zlib.NewWriter(&b)
			zw.Write(body)
			zw.Close()
		case "flate":
			name = "deflate"
			zw, _ := flate.NewWriter(&b, 6)
			zw.Write(body)
			zw.Close()
		case "br":
			bw := brotli.NewWriterLevel(&b, 5)
			bw.Write(body)
			bw.Close()
		case "zstd":
			zw, _ := zstd.NewWriter(nil)
			b.Write(zw.EncodeAll(body, nil))
			zw.Close()
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Encoding", name)
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(b.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// herald delete --erase-captures on a harvest of feeds a server sent in
// deflate (zlib and bare), br and zstd coding: each capture is redacted
// in place, not erased whole: its body, still in its coding, decodes to
// the feed with the deleted article's item blanked and the others kept,
// at the same offset with the same record id and true digests; herald
// check --fixity finds the archive sound.
func TestDeleteRedactsEncodedFeedsCommand(t *testing.T) {
	site := encodingSite(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	codings := []string{"deflate", "flate", "br", "zstd"}
	var feeds []string
	for _, c := range codings {
		feeds = append(feeds, site+"/feed.xml?c="+c)
	}
	harvestJSON(t, db, feeds...)
	files, _ := filepath.Glob(db + ".warc/*.warc.gz")
	if len(files) != 1 {
		t.Fatalf("warc files %v", files)
	}
	arts := demo.Articles()
	gone, kept := arts[0], arts[1]
	docs := func() map[string]*warc.Record {
		return responsesOf(t, files[0], func(u string) bool { return strings.Contains(u, "/feed.xml?c=") })
	}
	before := docs()
	if len(before) != len(codings) {
		t.Fatalf("%d feed captures, want %d", len(before), len(codings))
	}
	for u, rec := range before {
		if rec.HTTPHeader.Get("Content-Encoding") == "" || !strings.Contains(string(rec.Payload), html.EscapeString(gone.Title)) {
			t.Fatalf("%s: the harvest's capture is not encoded, or does not list the article", u)
		}
	}

	out, stderr, code := herald(t, "", "--db", db, "delete", "--url", site+gone.Path(), "--yes", "--erase-captures")
	// The four feeds, and the two pages whose related lists link to it.
	if code != 0 || !strings.Contains(out, "; feeds, sitemaps and pages naming them: 6 captures redacted (6 entries and links blanked)\n") {
		t.Fatalf("delete: exit %d\n%s%s", code, out, stderr)
	}
	after := docs()
	for u, rec := range after {
		old := before[u]
		if rec.RecordID != old.RecordID || rec.Offset != old.Offset || rec.Header.Get(warc.RedactedField) != "1 entry" {
			t.Errorf("%s: record %s at %d (%s %q), was %s at %d", u, rec.RecordID, rec.Offset, warc.RedactedField,
				rec.Header.Get(warc.RedactedField), old.RecordID, old.Offset)
		}
		if ce := rec.HTTPHeader.Get("Content-Encoding"); ce != old.HTTPHeader.Get("Content-Encoding") || rec.PayloadErr != nil {
			t.Errorf("%s: Content-Encoding %q, was %q; %v", u, ce, old.HTTPHeader.Get("Content-Encoding"), rec.PayloadErr)
		}
		p := string(rec.Payload)
		if strings.Contains(p, html.EscapeString(gone.Title)) || strings.Contains(p, gone.Path()) || !strings.Contains(p, html.EscapeString(kept.Title)) {
			t.Errorf("%s after the delete:\n%s", u, p)
		}
		if len(rec.Payload) != len(old.Payload) {
			t.Errorf("%s: payload of %d bytes, was %d", u, len(rec.Payload), len(old.Payload))
		}
	}
	out, stderr, code = herald(t, "", "--db", db, "check", "--fixity")
	if code != 0 || !strings.Contains(out, "captures         sound") {
		t.Errorf("check --fixity: exit %d\n%s%s", code, out, stderr)
	}
}
