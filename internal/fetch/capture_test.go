package fetch_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/base32"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	gowarc "github.com/nlnwa/gowarc/v3"

	"github.com/herald-archive/herald/internal/fetch"
	"github.com/herald-archive/herald/internal/warc"
)

// TestCaptureToWARC checks that what Fetch captures makes a faithful WARC
// record: written and read back, the payload equals the body Fetch
// returned, for a chunked gzip response and a plain one.
func TestCaptureToWARC(t *testing.T) {
	page := []byte("<!doctype html><title>Harbour</title><p>" + strings.Repeat("The harbour reopened. ", 500) + "</p>")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gz":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			zw.Write(page[:100])
			zw.Flush()
			w.(http.Flusher).Flush() // forces chunked transfer coding
			zw.Write(page[100:])
			zw.Close()
		case "/plain":
			w.Header().Set("Content-Type", "text/html")
			w.Write(page)
		case "/br":
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "br")
			bw := brotli.NewWriter(w)
			bw.Write(page)
			bw.Close()
		case "/zstd":
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "zstd")
			zw, _ := zstd.NewWriter(w)
			zw.Write(page)
			zw.Close()
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	c := fetch.New(fetch.Options{AllowPrivate: true, MinDelay: -1})
	defer c.Close()
	dir := t.TempDir()
	ww, err := warc.NewWriter(dir, warc.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ww.Close()
	ctx := context.Background()
	for _, p := range []string{"/gz", "/plain", "/br", "/zstd"} {
		res, err := c.Fetch(ctx, fetch.Request{URL: srv.URL + p})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(res.Body, page) {
			t.Fatalf("%s: fetched body differs", p)
		}
		ref, err := ww.WriteExchange(ctx, warc.Exchange{
			TargetURI:   res.URL,
			Date:        res.FetchedAt,
			IP:          res.IP,
			RequestRaw:  res.RawRequest,
			ResponseRaw: res.RawResponse,
			Truncated:   res.RawTruncated,
		})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := warc.ReadAt(filepath.Join(dir, ref.File), ref.Offset)
		if err != nil {
			t.Fatal(err)
		}
		if rec.PayloadErr != nil || !bytes.Equal(rec.Payload, res.Body) || rec.HTTPStatus != 200 {
			t.Errorf("%s: WARC payload %d bytes (err %v), want the %d fetched", p, len(rec.Payload), rec.PayloadErr, len(res.Body))
		}
		if enc := map[string]string{"/gz": "gzip", "/plain": "", "/br": "br", "/zstd": "zstd"}[p]; rec.HTTPHeader.Get("Content-Encoding") != enc {
			t.Errorf("%s: headers not as received: %v", p, rec.HTTPHeader)
		}
		if rec.TargetURI != srv.URL+p || rec.Header.Get("WARC-IP-Address") != "127.0.0.1" {
			t.Errorf("%s: uri %s ip %s", p, rec.TargetURI, rec.Header.Get("WARC-IP-Address"))
		}
	}
}

// TestRedirectChainToWARC follows A →301→ B →302→ C →200 and writes the
// chain as Herald does: one request and one response record per hop, in
// order, each response with its own target URI, date and status, exact
// lengths and digests, read back with this package's reader and with
// gowarc. A redirect with an oversized body is kept truncated.
func TestRedirectChainToWARC(t *testing.T) {
	page := []byte("<!doctype html><title>Harbour</title><p>" + strings.Repeat("The harbour reopened. ", 200) + "</p>")
	bigBody := bytes.Repeat([]byte("moved "), 20<<10) // 120 KiB, over RedirectBodyBytes
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/a":
			http.Redirect(w, r, "/b", http.StatusMovedPermanently)
		case "/b":
			w.Header().Set("Location", "/c")
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusFound)
			w.Write([]byte("<a href=/c>here</a>"))
		case "/c":
			// A Content-Length, not chunked: gowarc digests a chunked body
			// with its framing, where WARC (and this package) take the
			// entity body with the transfer coding removed.
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Length", strconv.Itoa(len(page)))
			w.Write(page)
		case "/big":
			w.Header().Set("Location", "/c")
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusTemporaryRedirect)
			w.Write(bigBody)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	c := fetch.New(fetch.Options{AllowPrivate: true, MinDelay: -1})
	defer c.Close()
	ctx := context.Background()
	res, err := c.Fetch(ctx, fetch.Request{URL: srv.URL + "/a"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hops) != 2 || res.Hops[0].Status != 301 || res.Hops[1].Status != 302 || res.Hops[1].Location != "/c" {
		t.Fatalf("hops %+v", res.Hops)
	}
	big, err := c.Fetch(ctx, fetch.Request{URL: srv.URL + "/big"})
	if err != nil {
		t.Fatal(err)
	}
	if len(big.Hops) != 1 || big.Hops[0].RawTruncated != fetch.TruncatedLength || len(big.Hops[0].RawResponse) > fetch.RedirectBodyBytes+1024 {
		t.Fatalf("big redirect: %d hops, truncated %q, %d raw bytes", len(big.Hops), big.Hops[0].RawTruncated, len(big.Hops[0].RawResponse))
	}

	dir := t.TempDir()
	ww, err := warc.NewWriter(dir, warc.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	exchanges := func(res *fetch.Response) []warc.Exchange {
		var exs []warc.Exchange
		for _, h := range res.Hops {
			exs = append(exs, warc.Exchange{TargetURI: h.URL, Date: h.FetchedAt, IP: h.IP,
				RequestRaw: h.RawRequest, ResponseRaw: h.RawResponse, Truncated: h.RawTruncated})
		}
		return append(exs, warc.Exchange{TargetURI: res.URL, Date: res.FetchedAt, IP: res.IP,
			RequestRaw: res.RawRequest, ResponseRaw: res.RawResponse, Truncated: res.RawTruncated})
	}
	refs, err := ww.WriteExchanges(ctx, exchanges(res))
	if err != nil {
		t.Fatal(err)
	}
	bigRefs, err := ww.WriteExchanges(ctx, exchanges(big))
	if err != nil {
		t.Fatal(err)
	}
	if err := ww.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}

	// Our reader: every record in order, exact payloads.
	type want struct {
		typ, uri string
		status   int
		payload  []byte // nil: not checked
	}
	wants := []want{
		{"warcinfo", "", 0, nil},
		{"response", srv.URL + "/a", 301, nil},
		{"request", srv.URL + "/a", 0, nil},
		{"response", srv.URL + "/b", 302, []byte("<a href=/c>here</a>")},
		{"request", srv.URL + "/b", 0, nil},
		{"response", srv.URL + "/c", 200, page},
		{"request", srv.URL + "/c", 0, nil},
		{"response", srv.URL + "/big", 307, nil},
		{"request", srv.URL + "/big", 0, nil},
		{"response", srv.URL + "/c", 200, page},
		{"request", srv.URL + "/c", 0, nil},
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := warc.NewReader(f)
	var prevDate time.Time
	byID := map[string]*warc.Record{}
	for i, w := range wants {
		rec, err := rd.Next()
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		byID[rec.RecordID] = rec
		if rec.Type != w.typ || rec.TargetURI != w.uri || rec.HTTPStatus != w.status {
			t.Errorf("record %d: %s %s %d, want %s %s %d", i, rec.Type, rec.TargetURI, rec.HTTPStatus, w.typ, w.uri, w.status)
		}
		if err := rec.CheckBlockDigest(); err != nil {
			t.Errorf("record %d: %v", i, err)
		}
		if rec.Type == "response" {
			if rec.Date.Before(prevDate) {
				t.Errorf("record %d: date %v before the previous hop's %v", i, rec.Date, prevDate)
			}
			prevDate = rec.Date
			truncated := rec.Header.Get("WARC-Truncated") != ""
			if truncated != (w.uri == srv.URL+"/big") {
				t.Errorf("record %d: WARC-Truncated %q", i, rec.Header.Get("WARC-Truncated"))
			}
			if !truncated {
				if rec.PayloadErr != nil {
					t.Errorf("record %d: %v", i, rec.PayloadErr)
				}
				if got, want := rec.Header.Get("WARC-Payload-Digest"), sha1Base32(rec.Payload); got != want {
					t.Errorf("record %d: payload digest %s, want %s", i, got, want)
				}
			}
			if w.payload != nil && !bytes.Equal(rec.Payload, w.payload) {
				t.Errorf("record %d: payload %d bytes, want %d", i, len(rec.Payload), len(w.payload))
			}
		}
		if rec.Type == "request" {
			resp := byID[rec.Header.Get("WARC-Concurrent-To")]
			if resp == nil || resp.Header.Get("WARC-Concurrent-To") != rec.RecordID || resp.TargetURI != rec.TargetURI {
				t.Errorf("record %d: request not linked to its response", i)
			}
		}
	}
	if _, err := rd.Next(); err != io.EOF {
		t.Errorf("after the last record: %v", err)
	}
	// The refs point at each hop's response record; the last at the 200.
	for i, ref := range refs {
		rec, err := warc.ReadAt(files[0], ref.Offset)
		if err != nil || rec.RecordID != ref.RecordID || rec.HTTPStatus != []int{301, 302, 200}[i] {
			t.Errorf("ref %d: %v %v", i, rec, err)
		}
	}
	if rec, err := warc.ReadAt(files[0], bigRefs[1].Offset); err != nil || rec.HTTPStatus != 200 {
		t.Errorf("big chain's final ref: %v", err)
	}

	// gowarc, with its default validation: lengths and digests.
	gr, err := gowarc.NewWarcFileReader(files[0], 0)
	if err != nil {
		t.Fatal(err)
	}
	defer gr.Close()
	n := 0
	for {
		rec, err := gr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("gowarc record %d: %v", n, err)
		}
		if len(rec.Validation) != 0 {
			t.Errorf("gowarc record %d: %v", n, rec.Validation)
		}
		if _, err := rec.WarcRecord.ValidateDigest(); err != nil {
			t.Errorf("gowarc record %d digest: %v", n, err)
		}
		ours := byID[rec.WarcRecord.RecordId()]
		if ours != nil {
			raw, err := rec.WarcRecord.Block().RawBytes()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(raw)
			if !bytes.Equal(b, ours.Block) {
				t.Errorf("gowarc record %d: %d block bytes, ours %d", n, len(b), len(ours.Block))
			}
		}
		rec.Close()
		n++
	}
	if n != len(wants) {
		t.Errorf("gowarc read %d records, want %d", n, len(wants))
	}
}

func sha1Base32(b []byte) string {
	s := sha1.Sum(b)
	return "sha1:" + base32.StdEncoding.EncodeToString(s[:])
}
