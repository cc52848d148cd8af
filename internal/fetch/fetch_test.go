package fetch

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

const page = `<!doctype html><html><head><title>Harbour reopens</title></head><body><p>The harbour reopened.</p></body></html>`

func TestFetchPage(t *testing.T) {
	s := newSite(t, nil)
	s.html("/news/1", page)
	c := testClient(t, Options{})

	res, err := c.Fetch(context.Background(), Request{URL: s.URL + "/news/1#frag"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 200 || string(res.Body) != page || res.URL != s.URL+"/news/1" {
		t.Errorf("got status %d url %s body %q", res.Status, res.URL, res.Body)
	}
	if res.ContentType != "text/html; charset=utf-8" || res.NotModified || len(res.Redirects) != 0 {
		t.Errorf("got content type %q, not modified %v, redirects %v", res.ContentType, res.NotModified, res.Redirects)
	}
	if res.IP != "127.0.0.1" || res.FetchedAt.IsZero() || res.Duration <= 0 {
		t.Errorf("got ip %q fetched at %v duration %v", res.IP, res.FetchedAt, res.Duration)
	}
	hits := s.hitsFor("/news/1")
	if len(hits) != 1 {
		t.Fatalf("server saw %d requests, want 1", len(hits))
	}
	if ua := hits[0].header.Get("User-Agent"); !strings.HasPrefix(ua, "Herald/") || !strings.Contains(ua, "+https://github.com/herald-archive/herald") {
		t.Errorf("User-Agent %q", ua)
	}
	if a := hits[0].header.Get("Accept"); !strings.HasPrefix(a, "text/html") {
		t.Errorf("Accept %q", a)
	}

	// The raw capture is the exchange as it crossed the wire.
	if !bytes.HasPrefix(res.RawRequest, []byte("GET /news/1 HTTP/1.1\r\n")) || !bytes.HasSuffix(res.RawRequest, []byte("\r\n\r\n")) {
		t.Errorf("raw request %q", res.RawRequest)
	}
	checkRawResponse(t, res.RawResponse, page)
}

// checkRawResponse parses raw as one HTTP response and checks that its
// decoded body is want and nothing follows it.
func checkRawResponse(t *testing.T, raw []byte, want string) *http.Response {
	t.Helper()
	br := bufio.NewReader(bytes.NewReader(raw))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("raw response does not parse: %v\n%q", err, raw)
	}
	var body io.Reader = resp.Body
	switch resp.Header.Get("Content-Encoding") {
	case "gzip":
		body, err = gzip.NewReader(resp.Body)
	}
	if err != nil {
		t.Fatal(err)
	}
	got := mustRead(t, body)
	if string(got) != want {
		t.Errorf("raw response body %q, want %q", got, want)
	}
	if rest, _ := io.ReadAll(br); len(rest) != 0 {
		t.Errorf("raw response has %d trailing bytes: %q", len(rest), rest)
	}
	return resp
}

func mustRead(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRawCaptureKeepAliveAndChunked(t *testing.T) {
	s := newSite(t, nil)
	for i := range 3 {
		s.handle(fmt.Sprintf("/p%d", i), func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			// Flushing before the end makes the server use chunked encoding.
			fmt.Fprintf(w, "<p>part one of %d</p>", i)
			w.(http.Flusher).Flush()
			fmt.Fprintf(w, "<p>part two of %d</p>", i)
		})
	}
	c := testClient(t, Options{})
	for i := range 3 {
		res, err := c.Fetch(context.Background(), Request{URL: fmt.Sprintf("%s/p%d", s.URL, i)})
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("<p>part one of %d</p><p>part two of %d</p>", i, i)
		if string(res.Body) != want {
			t.Errorf("body %q, want %q", res.Body, want)
		}
		if !bytes.Contains(res.RawResponse, []byte("Transfer-Encoding: chunked\r\n")) {
			t.Errorf("raw response lost its chunked framing: %q", res.RawResponse)
		}
		checkRawResponse(t, res.RawResponse, want)
		if !bytes.HasPrefix(res.RawRequest, fmt.Appendf(nil, "GET /p%d HTTP/1.1\r\n", i)) {
			t.Errorf("raw request %q", res.RawRequest)
		}
	}
}

func TestContentEncoding(t *testing.T) {
	compress := map[string]func(io.Writer) io.WriteCloser{
		"gzip":         func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) },
		"deflate":      func(w io.Writer) io.WriteCloser { return zlib.NewWriter(w) },
		"deflate-raw":  func(w io.Writer) io.WriteCloser { fw, _ := flate.NewWriter(w, 5); return fw },
		"identity":     nil,
		"gzip-empty":   func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) },
		"x-gzip-large": func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) },
		"br":           func(w io.Writer) io.WriteCloser { return brotli.NewWriter(w) },
		"br-large":     func(w io.Writer) io.WriteCloser { return brotli.NewWriterLevel(w, brotli.BestCompression) },
		"br-empty":     func(w io.Writer) io.WriteCloser { return brotli.NewWriter(w) },
		"zstd":         newZstdWriter,
		"zstd-large":   newZstdWriter,
		"zstd-empty":   newZstdWriter,
	}
	wires := map[string][]byte{}
	s := newSite(t, nil)
	bodies := map[string]string{}
	for name, mk := range compress {
		body := page
		switch name {
		case "gzip-empty", "br-empty", "zstd-empty":
			body = ""
		case "x-gzip-large", "br-large", "zstd-large":
			body = strings.Repeat(page, 2000)
		}
		bodies[name] = body
		var wire bytes.Buffer
		enc := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "-raw"), "-empty"), "-large")
		if mk != nil {
			zw := mk(&wire)
			zw.Write([]byte(body))
			zw.Close()
		} else {
			wire.WriteString(body)
		}
		wires[name] = wire.Bytes()
		s.handle("/"+name, func(w http.ResponseWriter, r *http.Request) {
			if ae := r.Header.Get("Accept-Encoding"); ae != "gzip, deflate, br, zstd" {
				t.Errorf("Accept-Encoding %q", ae)
			}
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", enc)
			w.Write(wire.Bytes())
		})
	}
	c := testClient(t, Options{})
	for name := range compress {
		t.Run(name, func(t *testing.T) {
			res, err := c.Fetch(context.Background(), Request{URL: s.URL + "/" + name})
			if err != nil {
				t.Fatal(err)
			}
			if string(res.Body) != bodies[name] {
				t.Errorf("decoded body has %d bytes, want %d", len(res.Body), len(bodies[name]))
			}
			if name == "gzip" {
				// The raw capture keeps the body as transferred.
				checkRawResponse(t, res.RawResponse, bodies[name])
				if bytes.Contains(res.RawResponse, []byte("harbour reopened")) {
					t.Error("raw response holds the decoded body, want the gzip bytes")
				}
			}
			// The raw capture holds the encoded bytes exactly as sent
			// (chunked framing aside, which http.ReadResponse removes).
			resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(res.RawResponse)), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := mustRead(t, resp.Body); !bytes.Equal(got, wires[name]) {
				t.Errorf("raw body has %d bytes, not the %d encoded bytes sent", len(got), len(wires[name]))
			}
		})
	}
}

func newZstdWriter(w io.Writer) io.WriteCloser {
	zw, err := zstd.NewWriter(w)
	if err != nil {
		panic(err)
	}
	return zw
}

func TestEmptyPage(t *testing.T) {
	s := newSite(t, nil)
	s.html("/empty", "")
	c := testClient(t, Options{})
	res, err := c.Fetch(context.Background(), Request{URL: s.URL + "/empty"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 200 || len(res.Body) != 0 {
		t.Errorf("status %d body %q", res.Status, res.Body)
	}
}

func TestConditionalGet(t *testing.T) {
	const etag = `"v1"`
	const lastMod = "Tue, 24 Nov 2026 10:00:00 GMT"
	s := newSite(t, nil)
	s.handle("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		if r.Header.Get("If-None-Match") == etag || r.Header.Get("If-Modified-Since") == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(`<rss version="2.0"><channel><title>t</title></channel></rss>`))
	})
	c := testClient(t, Options{})
	ctx := context.Background()

	first, err := c.Fetch(ctx, Request{URL: s.URL + "/feed.xml", Accept: AcceptFeed})
	if err != nil {
		t.Fatal(err)
	}
	if first.NotModified || len(first.Body) == 0 {
		t.Fatalf("first fetch: not modified %v, %d bytes", first.NotModified, len(first.Body))
	}
	for _, tc := range []struct {
		name string
		req  Request
	}{
		{"etag", Request{URL: s.URL + "/feed.xml", Accept: AcceptFeed, ETag: first.Header.Get("ETag")}},
		{"last-modified", Request{URL: s.URL + "/feed.xml", Accept: AcceptFeed, LastModified: first.Header.Get("Last-Modified")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.Fetch(ctx, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if !res.NotModified || res.Status != http.StatusNotModified || len(res.Body) != 0 {
				t.Errorf("not modified %v status %d body %d bytes", res.NotModified, res.Status, len(res.Body))
			}
			if !bytes.HasPrefix(res.RawResponse, []byte("HTTP/1.1 304 ")) {
				t.Errorf("raw response %q", res.RawResponse)
			}
		})
	}
}

func TestContentTypes(t *testing.T) {
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0x00, 0xff, 0x10}, 400)...)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0x01}, 600)...)
	rss := []byte(`<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>`)
	tests := []struct {
		name     string
		declared string // "-" sends no Content-Type at all
		body     []byte
		accept   Accept
		want     error
	}{
		{"html", "text/html", []byte(page), AcceptPage, nil},
		{"xhtml", "application/xhtml+xml", []byte(page), AcceptPage, nil},
		{"html without type", "-", []byte(page), AcceptPage, nil},
		{"html as octet-stream", "application/octet-stream", []byte(page), AcceptPage, nil},
		{"pdf", "application/pdf", pdf, AcceptPage, ErrNotHTML},
		{"pdf labelled html", "text/html", pdf, AcceptPage, ErrNotHTML},
		{"pdf without type", "-", pdf, AcceptPage, ErrNotHTML},
		{"image", "image/png", png, AcceptPage, ErrNotHTML},
		{"json page", "application/json", []byte(`{"a":1}`), AcceptPage, ErrNotHTML},
		{"plain text page", "text/plain", []byte("just words"), AcceptPage, ErrNotHTML},
		{"rss feed", "application/rss+xml", rss, AcceptFeed, nil},
		{"feed labelled html", "text/html", rss, AcceptFeed, nil},
		{"json feed", "application/feed+json", []byte(`{"version":"https://jsonfeed.org/version/1.1"}`), AcceptFeed, nil},
		{"image as feed", "image/png", png, AcceptFeed, ErrUnexpectedType},
		{"gzip sitemap", "application/x-gzip", []byte("\x1f\x8b\x08\x00rest"), AcceptSitemap, nil},
		{"pdf as sitemap", "-", pdf, AcceptSitemap, ErrUnexpectedType},
		{"pdf as any", "application/pdf", pdf, AcceptAny, nil},
	}
	s := newSite(t, nil)
	for i, tc := range tests {
		s.handle(fmt.Sprintf("/c%d", i), func(w http.ResponseWriter, r *http.Request) {
			if tc.declared == "-" {
				w.Header()["Content-Type"] = nil // stop net/http sniffing one for us
			} else {
				w.Header().Set("Content-Type", tc.declared)
			}
			w.Write(tc.body)
		})
	}
	c := testClient(t, Options{})
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.Fetch(context.Background(), Request{URL: fmt.Sprintf("%s/c%d", s.URL, i), Accept: tc.accept})
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.want != nil {
				var ce *ContentError
				if !errors.As(err, &ce) || ce.ContentType == "" || ce.Status != 200 {
					t.Errorf("error %#v lacks content type or status", err)
				}
				return
			}
			if !bytes.Equal(res.Body, tc.body) {
				t.Errorf("body %d bytes, want %d", len(res.Body), len(tc.body))
			}
		})
	}
}

// TestNotHTMLStopsEarly serves a PDF whose body never ends: only a fetch
// that stops after the headers or the first bytes can return ErrNotHTML
// rather than a timeout.
func TestNotHTMLStopsEarly(t *testing.T) {
	s := newSite(t, nil)
	endless := func(ct string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ct)
			w.Write([]byte("%PDF-1.7\n" + strings.Repeat("x", 4096)))
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}
	}
	s.handle("/declared.pdf", endless("application/pdf"))
	s.handle("/sniffed.pdf", endless("text/html"))
	c := testClient(t, Options{Timeout: 5 * time.Second, Retries: -1})
	for _, p := range []string{"/declared.pdf", "/sniffed.pdf"} {
		_, err := c.Fetch(context.Background(), Request{URL: s.URL + p})
		if !errors.Is(err, ErrNotHTML) {
			t.Errorf("%s: err = %v, want ErrNotHTML", p, err)
		}
	}
}

func TestTooLarge(t *testing.T) {
	const limit = 64 << 10
	big := strings.Repeat("<p>filler</p>", 3*limit/13)
	s := newSite(t, nil)
	s.handle("/with-length", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", fmt.Sprint(len(big)))
		w.Write([]byte(big))
	})
	s.handle("/chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for i := 0; i < len(big) && r.Context().Err() == nil; i += 4096 {
			w.Write([]byte(big[i:min(i+4096, len(big))]))
			w.(http.Flusher).Flush()
		}
	})
	s.handle("/gzip-bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zw.Write([]byte(strings.Repeat(" ", 8*limit)))
		zw.Close()
	})
	// Brotli and zstd bombs: a few KiB on the wire that decode to 256
	// times the limit.
	bomb := func(enc string, mk func(io.Writer) io.WriteCloser) http.HandlerFunc {
		var wire bytes.Buffer
		zw := mk(&wire)
		chunk := []byte(strings.Repeat(" ", 1<<20))
		for range 256 * limit / len(chunk) {
			zw.Write(chunk)
		}
		zw.Close()
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", enc)
			w.Write(wire.Bytes())
		}
	}
	s.handle("/br-bomb", bomb("br", func(w io.Writer) io.WriteCloser { return brotli.NewWriterLevel(w, 1) }))
	s.handle("/zstd-bomb", bomb("zstd", newZstdWriter))
	s.html("/at-limit", strings.Repeat("a", limit))
	c := testClient(t, Options{MaxBodyBytes: limit})
	for _, p := range []string{"/with-length", "/chunked", "/gzip-bomb", "/br-bomb", "/zstd-bomb"} {
		_, err := c.Fetch(context.Background(), Request{URL: s.URL + p})
		var ce *ContentError
		if !errors.Is(err, ErrTooLarge) || !errors.As(err, &ce) || ce.Limit != limit {
			t.Errorf("%s: err = %v, want ErrTooLarge with limit", p, err)
		}
	}
	res, err := c.Fetch(context.Background(), Request{URL: s.URL + "/at-limit"})
	if err != nil || len(res.Body) != limit {
		t.Errorf("a body of exactly the limit: err %v", err)
	}
}

func TestTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(page))
	}))
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	c := testClient(t, Options{TLSConfig: &tls.Config{RootCAs: roots}})
	res, err := c.Fetch(context.Background(), Request{URL: srv.URL + "/secure"})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Body) != page {
		t.Errorf("body %q", res.Body)
	}
	// The capture is the plaintext HTTP inside TLS.
	checkRawResponse(t, res.RawResponse, page)
}

func TestInvalidURL(t *testing.T) {
	c := testClient(t, Options{})
	for _, u := range []string{"ftp://example.com/", "mailto:a@b", "/relative", "http://", "http://%zz"} {
		if _, err := c.Fetch(context.Background(), Request{URL: u}); !errors.Is(err, ErrInvalidURL) {
			t.Errorf("%q: err = %v, want ErrInvalidURL", u, err)
		}
	}
}

func TestDecodeCharset(t *testing.T) {
	cp1251 := []byte{0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2} // "Привет"
	tests := []struct {
		name, ct string
		body     []byte
		want     string
	}{
		{"utf-8 declared", "text/html; charset=utf-8", []byte("Привет"), "Привет"},
		{"windows-1251 in header", "text/html; charset=windows-1251", cp1251, "Привет"},
		{"windows-1251 in meta", "text/html", append([]byte(`<meta charset="windows-1251"><p>`), cp1251...), `<meta charset="windows-1251"><p>Привет`},
		{"xml declaration", "application/xml", append([]byte(`<?xml version="1.0" encoding="windows-1251"?><t>`), cp1251...), `<?xml version="1.0" encoding="windows-1251"?><t>Привет`},
		{"undeclared utf-8", "", []byte("Привет"), "Привет"},
		{"empty", "text/html", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeCharset(tc.body, tc.ct)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestZstdWindowRefused: a zstd frame asking for a window over RFC 9659's
// 8 MiB is refused, not allocated.
func TestZstdWindowRefused(t *testing.T) {
	// A frame written by hand (an encoder shrinks the window to fit a
	// small input): magic, a descriptor without content size, a window
	// descriptor of 2^(10+16) = 64 MiB, and one raw last block.
	var wire bytes.Buffer
	wire.Write([]byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 16 << 3})
	bh := 1 | len(page)<<3
	wire.Write([]byte{byte(bh), byte(bh >> 8), byte(bh >> 16)})
	wire.WriteString(page)
	if dec, err := zstd.NewReader(bytes.NewReader(wire.Bytes())); err != nil {
		t.Fatal(err)
	} else if got, err := io.ReadAll(dec); err != nil || string(got) != page {
		t.Fatalf("the hand-made frame does not decode without a limit: %v", err)
	}
	s := newSite(t, nil)
	s.handle("/p", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "zstd")
		w.Write(wire.Bytes())
	})
	c := testClient(t, Options{Retries: -1})
	if res, err := c.Fetch(context.Background(), Request{URL: s.URL + "/p"}); err == nil {
		t.Fatalf("decoded %d bytes, want the window refused", len(res.Body))
	} else if !strings.Contains(err.Error(), "window") {
		t.Errorf("err = %v, want a window size error", err)
	}
}
