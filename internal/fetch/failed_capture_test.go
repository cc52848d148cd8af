package fetch_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/fetch"
)

// A fetch that ends in an error status keeps the exchange in its
// StatusError, with the redirects that led there, and every robots.txt
// exchange, found or not, reaches Options.OnRobots: an archive can hold
// what the server answered and the rules the crawl obeyed.
func TestFailedAndRobotsExchanges(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("User-agent: *\nDisallow: /private/\n"))
	})
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/gone", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusGone)
		w.Write([]byte("<html><body>This story was removed.</body></html>"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	// A second origin whose robots.txt is missing.
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte("no such file"))
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>ok</body></html>"))
	}))
	defer bare.Close()

	var mu sync.Mutex
	var robots []*fetch.Response
	c := fetch.New(fetch.Options{MinDelay: -1, AllowPrivate: true, RetryBackoff: time.Millisecond,
		OnRobots: func(r *fetch.Response) {
			mu.Lock()
			robots = append(robots, r)
			mu.Unlock()
		}})
	defer c.Close()
	ctx := context.Background()

	_, err := c.Fetch(ctx, fetch.Request{URL: srv.URL + "/old"})
	var serr *fetch.StatusError
	if !errors.As(err, &serr) || serr.Code != http.StatusGone {
		t.Fatalf("fetch of a removed page: %v, want a 410 StatusError", err)
	}
	r := serr.Response
	switch {
	case r == nil:
		t.Fatal("StatusError without its exchange")
	case r.Status != http.StatusGone || r.URL != srv.URL+"/gone":
		t.Errorf("exchange %d %s, want 410 %s/gone", r.Status, r.URL, srv.URL)
	case !bytes.HasPrefix(r.RawResponse, []byte("HTTP/1.1 410")) || !bytes.Contains(r.RawResponse, []byte("This story was removed.")):
		t.Errorf("raw response %q, want the 410 with its body", r.RawResponse)
	case !bytes.HasPrefix(r.RawRequest, []byte("GET /gone HTTP/1.1")):
		t.Errorf("raw request %q", r.RawRequest)
	case len(r.Hops) != 1 || r.Hops[0].Status != http.StatusMovedPermanently || r.Hops[0].URL != srv.URL+"/old":
		t.Errorf("hops %+v, want the 301 from /old", r.Hops)
	}
	if _, err := c.Fetch(ctx, fetch.Request{URL: bare.URL + "/page"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(robots) != 2 {
		t.Fatalf("OnRobots called %d times, want once per origin", len(robots))
	}
	if r := robots[0]; r.URL != srv.URL+"/robots.txt" || r.Status != 200 || !bytes.Contains(r.RawResponse, []byte("Disallow: /private/")) {
		t.Errorf("first robots.txt exchange %s %d %q", r.URL, r.Status, r.RawResponse)
	}
	if r := robots[1]; r.URL != bare.URL+"/robots.txt" || r.Status != 404 || !bytes.Contains(r.RawResponse, []byte("no such file")) {
		t.Errorf("missing robots.txt exchange %s %d %q", r.URL, r.Status, r.RawResponse)
	}
}
