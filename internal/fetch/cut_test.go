package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// cutServer serves body at path, declaring its full length but hanging up
// after the first n bytes, on the first cutTries requests (all of them if
// negative); later ones get the whole body.
func cutServer(t *testing.T, s *site, path, ctype, body string, n int, cutTries int64) *atomic.Int64 {
	t.Helper()
	var tries atomic.Int64
	s.handle(path, func(w http.ResponseWriter, r *http.Request) {
		try := tries.Add(1)
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		if cutTries >= 0 && try > cutTries {
			w.Write([]byte(body))
			return
		}
		w.Write([]byte(body[:n]))
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		conn.Close()
	})
	return &tries
}

// A feed or sitemap whose connection breaks mid-body on every try comes
// back with what arrived, marked Cut; a page fails; a retry that gets the
// whole body is not cut.
func TestBodyCutMidway(t *testing.T) {
	feed := `<?xml version="1.0"?><rss version="2.0"><channel>` + strings.Repeat("<item><link>https://e.example/a</link></item>", 40) + `</channel></rss>`
	// One site each: failures on one URL may pause its host.
	sites := map[string]*site{}
	for _, p := range []string{"/feed", "/small", "/page", "/once"} {
		sites[p] = newSite(t, nil)
		sites[p].robots("")
	}
	cutServer(t, sites["/feed"], "/feed", "application/rss+xml", feed, 1000, -1)
	cutServer(t, sites["/small"], "/small", "application/rss+xml", feed, 100, -1) // shorter than the sniff length
	cutServer(t, sites["/page"], "/page", "text/html", "<html><body>"+strings.Repeat("<p>x</p>", 300)+"</body></html>", 1000, -1)
	once := cutServer(t, sites["/once"], "/once", "application/xml", feed, 1000, 1)
	c := testClient(t, Options{Retries: 2})
	ctx := context.Background()

	for _, path := range []string{"/feed", "/small"} {
		resp, err := c.Fetch(ctx, Request{URL: sites[path].URL + path, Accept: AcceptFeed})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !resp.Cut || resp.RawTruncated != TruncatedDisconnect || !strings.HasPrefix(feed, string(resp.Body)) || len(resp.Body) == 0 || len(resp.Body) >= len(feed) {
			t.Errorf("%s: Cut %v RawTruncated %q, body %d bytes of %d", path, resp.Cut, resp.RawTruncated, len(resp.Body), len(feed))
		}
		if got := len(sites[path].hitsFor(path)); got < 2 {
			t.Errorf("%s: %d tries, want a retry (it may get the whole body)", path, got)
		}
	}
	if _, err := c.Fetch(ctx, Request{URL: sites["/page"].URL + "/page"}); err == nil || errors.Is(err, ErrTooLarge) {
		t.Errorf("page cut midway: %v, want a read error", err)
	}
	resp, err := c.Fetch(ctx, Request{URL: sites["/once"].URL + "/once", Accept: AcceptSitemap})
	if err != nil || resp.Cut || string(resp.Body) != feed || once.Load() != 2 {
		t.Errorf("cut once then whole: err %v, Cut %v, %d bytes, %d tries", err, resp != nil && resp.Cut, len(resp.Body), once.Load())
	}
}

// A gzip-encoded feed whose compressed stream stops early on a transfer
// that is whole (the length it declares arrives): the feed comes back cut,
// and its raw response is marked truncated for an unspecified reason, not
// as a disconnect, which it was not as far as HTTP can tell.
func TestBodyCutContentCoding(t *testing.T) {
	feed := `<?xml version="1.0"?><rss version="2.0"><channel>` + strings.Repeat("<item><link>https://e.example/a</link></item>", 400) + `</channel></rss>`
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write([]byte(feed))
	zw.Close()
	cut := zb.Bytes()[:zb.Len()/2]
	s := newSite(t, nil)
	s.robots("")
	s.handle("/feed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", fmt.Sprint(len(cut)))
		w.Write(cut)
	})
	c := testClient(t, Options{Retries: 1})
	resp, err := c.Fetch(context.Background(), Request{URL: s.URL + "/feed", Accept: AcceptFeed})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Cut || resp.RawTruncated != TruncatedUnspecified || !strings.HasPrefix(feed, string(resp.Body)) {
		t.Errorf("Cut %v, RawTruncated %q, body %d bytes; want a cut feed, truncated for an unspecified reason", resp.Cut, resp.RawTruncated, len(resp.Body))
	}
}
