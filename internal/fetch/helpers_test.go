package fetch

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hit is one request as the test server saw it.
type hit struct {
	path       string
	start, end time.Time
	header     http.Header
}

// site is a loopback test server that records every request when it
// arrives, with the server-side times it started and finished (end is zero
// while it runs), and how many ran at once.
type site struct {
	*httptest.Server
	mux *http.ServeMux

	mu          sync.Mutex
	hits        []hit
	inFlight    int
	maxInFlight int
}

// global counts requests in flight across several sites.
type gauge struct {
	cur, max atomic.Int64
}

func (g *gauge) inc() {
	n := g.cur.Add(1)
	for {
		m := g.max.Load()
		if n <= m || g.max.CompareAndSwap(m, n) {
			return
		}
	}
}

func (g *gauge) dec() { g.cur.Add(-1) }

func newSite(t *testing.T, g *gauge) *site {
	t.Helper()
	s := &site{mux: http.NewServeMux()}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		i := len(s.hits)
		s.hits = append(s.hits, hit{path: r.URL.RequestURI(), start: time.Now(), header: r.Header.Clone()})
		s.inFlight++
		s.maxInFlight = max(s.maxInFlight, s.inFlight)
		s.mu.Unlock()
		if g != nil {
			g.inc()
			defer g.dec()
		}
		s.mux.ServeHTTP(w, r)
		s.mu.Lock()
		s.inFlight--
		s.hits[i].end = time.Now()
		s.mu.Unlock()
	}))
	t.Cleanup(s.Close)
	return s
}

// handle registers a handler for pattern.
func (s *site) handle(pattern string, f http.HandlerFunc) { s.mux.HandleFunc(pattern, f) }

// robots serves body as /robots.txt.
func (s *site) robots(body string) {
	s.handle("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(body))
	})
}

// html serves body as text/html at pattern.
func (s *site) html(pattern, body string) {
	s.handle(pattern, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(body))
	})
}

// peak returns the most requests the site ran at once.
func (s *site) peak() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

// hitsFor returns the recorded requests for path, by start time.
func (s *site) hitsFor(path string) []hit {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []hit
	for _, h := range s.hits {
		if path == "" || h.path == path {
			out = append(out, h)
		}
	}
	slices.SortFunc(out, func(a, b hit) int { return a.start.Compare(b.start) })
	return out
}

// pageHits returns every recorded request but robots files, by start.
func (s *site) pageHits() []hit {
	var out []hit
	for _, h := range s.hitsFor("") {
		if !strings.Contains(h.path, "robots") {
			out = append(out, h)
		}
	}
	return out
}

// testClient is a Client for loopback tests: private addresses allowed,
// no pacing delay and quick retries unless o says otherwise.
func testClient(t *testing.T, o Options) *Client {
	t.Helper()
	o.AllowPrivate = true
	if o.MinDelay == 0 {
		o.MinDelay = -1
	}
	if o.RetryBackoff == 0 {
		o.RetryBackoff = 5 * time.Millisecond
	}
	c := New(o)
	t.Cleanup(c.Close)
	return c
}
