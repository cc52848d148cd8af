package fetch_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

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
	for _, p := range []string{"/gz", "/plain"} {
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
		if p == "/gz" && rec.HTTPHeader.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: headers not as received: %v", p, rec.HTTPHeader)
		}
		if rec.TargetURI != srv.URL+p || rec.Header.Get("WARC-IP-Address") != "127.0.0.1" {
			t.Errorf("%s: uri %s ip %s", p, rec.TargetURI, rec.Header.Get("WARC-IP-Address"))
		}
	}
}
