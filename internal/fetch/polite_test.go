package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRobots(t *testing.T) {
	tests := []struct {
		name   string
		robots func(s *site)
		path   string
		want   error
	}{
		{"no robots.txt", func(s *site) {}, "/news/1", nil},
		{"allowed", func(s *site) { s.robots("User-agent: *\nDisallow: /private/\n") }, "/news/1", nil},
		{"disallowed", func(s *site) { s.robots("User-agent: *\nDisallow: /news/\n") }, "/news/1", ErrDisallowed},
		{"disallowed query", func(s *site) { s.robots("User-agent: *\nDisallow: /*?print=\n") }, "/news/1?print=1", ErrDisallowed},
		{"our group wins", func(s *site) {
			s.robots("User-agent: *\nDisallow: /\n\nUser-agent: Herald\nDisallow: /private/\n")
		}, "/news/1", nil},
		{"our group disallows", func(s *site) {
			s.robots("User-agent: *\nAllow: /\n\nUser-agent: herald\nDisallow: /news\n")
		}, "/news/1", ErrDisallowed},
		{"4xx allows all", func(s *site) {
			s.handle("/robots.txt", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) })
		}, "/news/1", nil},
		{"5xx disallows all", func(s *site) {
			s.handle("/robots.txt", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
		}, "/news/1", ErrRobotsUnavailable},
		{"redirected robots.txt", func(s *site) {
			s.handle("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/real-robots.txt", http.StatusMovedPermanently)
			})
			s.handle("/real-robots.txt", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("User-agent: *\nDisallow: /news\n")) })
		}, "/news/1", ErrDisallowed},
		{"rule before user-agent is dropped, rest kept", func(s *site) {
			s.robots("Disallow: /junk\nUser-agent: *\nCrawl-delay: soon\nDisallow: /news\n")
		}, "/news/1", ErrDisallowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t, nil)
			tc.robots(s)
			s.html("/news/1", page)
			c := testClient(t, Options{})
			_, err := c.Fetch(context.Background(), Request{URL: s.URL + tc.path})
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if errors.Is(tc.want, ErrRobotsUnavailable) && errors.Is(err, ErrDisallowed) {
				t.Errorf("an unavailable robots.txt is the host failing, not a rule; it matches ErrDisallowed: %v", err)
			}
			if n := len(s.pageHits()); (tc.want == nil) != (n > 0) {
				t.Errorf("server saw %d page requests", n)
			}
		})
	}
}

// TestRobotsFetchedOnce sends many concurrent fetches to a new host: they
// must share one robots.txt download.
func TestRobotsFetchedOnce(t *testing.T) {
	s := newSite(t, nil)
	s.robots("User-agent: *\nDisallow: /no\nSitemap: /sitemap.xml\nSitemap: https://cdn.example/news.xml\n")
	for i := range 8 {
		s.html(fmt.Sprintf("/p%d", i), page)
	}
	c := testClient(t, Options{})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if _, err := c.Fetch(context.Background(), Request{URL: fmt.Sprintf("%s/p%d", s.URL, i)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	sm, err := c.Sitemaps(context.Background(), s.URL+"/any/page")
	if err != nil {
		t.Fatal(err)
	}
	if len(sm) != 2 || sm[1] != "https://cdn.example/news.xml" {
		t.Errorf("sitemaps %q", sm)
	}
	if n := len(s.hitsFor("/robots.txt")); n != 1 {
		t.Errorf("robots.txt fetched %d times, want 1", n)
	}
}

// TestPerHostPacing sends concurrent fetches to one host and checks, from
// the server's side, that they never overlapped and that each started at
// least MinDelay after the previous one ended.
func TestPerHostPacing(t *testing.T) {
	const delay = 100 * time.Millisecond
	s := newSite(t, nil)
	s.handle("/p/", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(10 * time.Millisecond)
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(page))
	})
	c := testClient(t, Options{MinDelay: delay})
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			if _, err := c.Fetch(context.Background(), Request{URL: fmt.Sprintf("%s/p/%d", s.URL, i)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	checkGaps(t, s.hitsFor(""), delay)
	if n := s.peak(); n != 1 {
		t.Errorf("server saw %d requests at once, want 1", n)
	}
}

// checkGaps asserts hits (in start order) never overlap and are at least
// 0.8·gap apart, end to start, as measured by the server.
func checkGaps(t *testing.T, hits []hit, gap time.Duration) {
	t.Helper()
	for i := 1; i < len(hits); i++ {
		if d := hits[i].start.Sub(hits[i-1].end); d < gap*8/10 {
			t.Errorf("request %d (%s) started %v after request %d (%s) ended, want ≥ %v", i, hits[i].path, d, i-1, hits[i-1].path, gap)
		}
	}
}

func TestCrawlDelay(t *testing.T) {
	s := newSite(t, nil)
	s.robots("User-agent: *\nCrawl-delay: 0.15\n")
	s.html("/a", page)
	s.html("/b", page)
	s.html("/c", page)
	c := testClient(t, Options{MinDelay: 10 * time.Millisecond})
	for _, p := range []string{"/a", "/b", "/c"} {
		if _, err := c.Fetch(context.Background(), Request{URL: s.URL + p}); err != nil {
			t.Fatal(err)
		}
	}
	// The robots.txt fetch counts: the first page waits the crawl delay
	// after it, as the others do after each other.
	checkGaps(t, s.hitsFor(""), 150*time.Millisecond)
}

// TestPacingAfterRobots checks, from the server's request log, that the
// first page request to a new host waits the host's delay after the
// robots.txt request: the Crawl-delay robots.txt sets, or MinDelay when it
// sets none, in process and through a HostGate's lease.
func TestPacingAfterRobots(t *testing.T) {
	tests := []struct {
		name     string
		robots   string
		minDelay time.Duration
		gap      time.Duration
	}{
		{"crawl-delay", "User-agent: *\nCrawl-delay: 0.3\nDisallow: /private/\n", 20 * time.Millisecond, 300 * time.Millisecond},
		{"crawl-delay for herald", "User-agent: *\nDisallow:\n\nUser-agent: herald\nCrawl-delay: 0.25\n", 20 * time.Millisecond, 250 * time.Millisecond},
		{"per-host delay", "User-agent: *\nDisallow: /private/\n", 200 * time.Millisecond, 200 * time.Millisecond},
		{"no robots.txt", "", 200 * time.Millisecond, 200 * time.Millisecond},
	}
	for _, tc := range tests {
		for _, gated := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s gate=%v", tc.name, gated), func(t *testing.T) {
				s := newSite(t, nil)
				if tc.robots != "" {
					s.robots(tc.robots)
				}
				s.html("/a", page)
				o := Options{MinDelay: tc.minDelay}
				g := &recordingGate{}
				if gated {
					o.Gate = g
				}
				c := testClient(t, o)
				if _, err := c.Fetch(context.Background(), Request{URL: s.URL + "/a"}); err != nil {
					t.Fatal(err)
				}
				hits := s.hitsFor("")
				if len(hits) != 2 || hits[0].path != "/robots.txt" {
					t.Fatalf("requests %v", hits)
				}
				checkGaps(t, hits, tc.gap)
				if gated {
					// The robots.txt lease already says when the page may go,
					// so other processes sharing the gate wait too.
					g.mu.Lock()
					defer g.mu.Unlock()
					if len(g.nexts) != 2 || g.nexts[0] < tc.gap*8/10 {
						t.Errorf("gate told next in %v, want ≥ %v after robots.txt", g.nexts, tc.gap)
					}
				}
			})
		}
	}
}

// TestGlobalConcurrency fetches from several hosts at once and checks that
// no more than MaxConcurrency requests were ever in flight across them.
func TestGlobalConcurrency(t *testing.T) {
	const limit = 2
	var g gauge
	var sites []*site
	for range 5 {
		s := newSite(t, &g)
		s.handle("/slow/", func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(100 * time.Millisecond)
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(page))
		})
		sites = append(sites, s)
	}
	c := testClient(t, Options{MaxConcurrency: limit})
	var wg sync.WaitGroup
	for _, s := range sites {
		for i := range 2 {
			wg.Go(func() {
				if _, err := c.Fetch(context.Background(), Request{URL: fmt.Sprintf("%s/slow/%d", s.URL, i)}); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	if got := g.max.Load(); got > limit || got < 2 {
		t.Errorf("at most %d requests were in flight across hosts, want %d", got, limit)
	}
	for i, s := range sites {
		if n := s.peak(); n > 1 {
			t.Errorf("site %d saw %d requests at once", i, n)
		}
	}
}

func TestHostPause(t *testing.T) {
	bad := newSite(t, nil)
	bad.handle("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
	})
	good := newSite(t, nil)
	good.html("/ok", page)
	c := testClient(t, Options{Retries: -1, PauseAfter: 3, PauseFor: time.Hour})
	ctx := context.Background()
	for i := range 3 {
		_, err := c.Fetch(ctx, Request{URL: fmt.Sprintf("%s/p%d", bad.URL, i)})
		var se *StatusError
		if !errors.As(err, &se) || se.Code != 500 {
			t.Fatalf("fetch %d: err = %v, want status 500", i, err)
		}
	}
	if _, err := c.Fetch(ctx, Request{URL: bad.URL + "/p9"}); !errors.Is(err, ErrHostPaused) {
		t.Fatalf("err = %v, want ErrHostPaused", err)
	}
	if n := len(bad.pageHits()); n != 3 {
		t.Errorf("paused host saw %d page requests, want 3", n)
	}
	if _, err := c.Fetch(ctx, Request{URL: good.URL + "/ok"}); err != nil {
		t.Errorf("another host: %v", err)
	}
}

func TestStatusAndRetries(t *testing.T) {
	tests := []struct {
		name     string
		statuses []int // answers in order; the last repeats
		retries  int
		wantCode int // 0: success
		wantHits int
	}{
		{"404 is not retried", []int{404}, 3, 404, 1},
		{"410 is not retried", []int{410}, 3, 410, 1},
		{"500 then OK", []int{500, 500, 200}, 3, 0, 3},
		{"503 exhausts retries", []int{503}, 2, 503, 3},
		{"no retries", []int{502, 200}, -1, 502, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t, nil)
			var mu sync.Mutex
			n := 0
			s.handle("/p", func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				code := tc.statuses[min(n, len(tc.statuses)-1)]
				n++
				mu.Unlock()
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(code)
				w.Write([]byte(page))
			})
			c := testClient(t, Options{Retries: tc.retries})
			res, err := c.Fetch(context.Background(), Request{URL: s.URL + "/p"})
			if tc.wantCode == 0 {
				if err != nil || string(res.Body) != page {
					t.Fatalf("err = %v", err)
				}
			} else {
				var se *StatusError
				if !errors.As(err, &se) || se.Code != tc.wantCode || se.URL != s.URL+"/p" {
					t.Fatalf("err = %v, want status %d", err, tc.wantCode)
				}
			}
			if got := len(s.hitsFor("/p")); got != tc.wantHits {
				t.Errorf("server saw %d requests, want %d", got, tc.wantHits)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	s := newSite(t, nil)
	var mu sync.Mutex
	n := 0
	s.handle("/busy", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		n++
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(page))
	})
	s.handle("/later", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c := testClient(t, Options{RetryBackoff: time.Millisecond})
	if _, err := c.Fetch(context.Background(), Request{URL: s.URL + "/busy"}); err != nil {
		t.Fatal(err)
	}
	checkGaps(t, s.hitsFor("/busy"), time.Second)

	// A server asking for longer than MaxRetryWait gets no retry; the
	// caller learns how long it asked for.
	_, err := c.Fetch(context.Background(), Request{URL: s.URL + "/later"})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 503 || se.RetryAfter != time.Hour {
		t.Fatalf("err = %v, want 503 with RetryAfter 1h", err)
	}
	if got := len(s.hitsFor("/later")); got != 1 {
		t.Errorf("server saw %d requests, want 1", got)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"120", 2 * time.Minute},
		{" 5 ", 5 * time.Second},
		{"-5", 0},
		{"soon", 0},
		{"Wed, 25 Nov 2026 13:01:30 GMT", 90 * time.Second},
		{"Wednesday, 25-Nov-26 13:00:10 GMT", 10 * time.Second},
		{"Wed, 25 Nov 2026 12:00:00 GMT", 0},
		{"99999999999999", 30 * 24 * time.Hour},
		// A date decades ahead (a broken clock, a typo) is clamped as the
		// seconds are: it once deferred a URL to 2094.
		{"Sun, 06 Nov 2094 08:49:37 GMT", 30 * 24 * time.Hour},
	}
	for _, tc := range tests {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	base := 100 * time.Millisecond
	for n, want := range []time.Duration{base, 2 * base, 4 * base, 8 * base} {
		for range 20 {
			if d := backoff(base, n); d < want/2 || d > want {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", n, d, want/2, want)
			}
		}
	}
	if d := backoff(time.Second, 30); d > time.Minute {
		t.Errorf("backoff not capped: %v", d)
	}
}

func TestRedirects(t *testing.T) {
	s := newSite(t, nil)
	s.robots("User-agent: *\nDisallow: /secret\n")
	redirect := func(to string, code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", to)
			w.WriteHeader(code)
		}
	}
	s.handle("/r1", redirect("/r2", http.StatusMovedPermanently))
	s.handle("/r2", redirect("r3?x=1", http.StatusFound)) // relative
	s.handle("/r3", redirect(s.URL+"/final", http.StatusTemporaryRedirect))
	s.html("/final", page)
	s.handle("/loop-a", redirect("/loop-b", http.StatusFound))
	s.handle("/loop-b", redirect("/loop-a", http.StatusFound))
	s.handle("/to-secret", redirect("/secret", http.StatusFound))
	s.handle("/to-ftp", redirect("ftp://example.com/", http.StatusFound))
	s.handle("/no-location", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusFound) })

	c := testClient(t, Options{})
	ctx := context.Background()
	res, err := c.Fetch(ctx, Request{URL: s.URL + "/r1"})
	if err != nil {
		t.Fatal(err)
	}
	wantChain := []string{s.URL + "/r1", s.URL + "/r2", s.URL + "/r3?x=1"}
	if res.URL != s.URL+"/final" || strings.Join(res.Redirects, " ") != strings.Join(wantChain, " ") {
		t.Errorf("final %s via %q", res.URL, res.Redirects)
	}

	tests := []struct {
		path string
		opts Options
		want error
	}{
		{"/loop-a", Options{}, ErrRedirectLoop},
		{"/r1", Options{MaxRedirects: 2}, ErrTooManyRedirects},
		{"/r1", Options{MaxRedirects: -1}, ErrTooManyRedirects},
		{"/to-secret", Options{}, ErrDisallowed},
		{"/to-ftp", Options{}, ErrInvalidURL},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			_, err := testClient(t, tc.opts).Fetch(ctx, Request{URL: s.URL + tc.path})
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	var se *StatusError
	if _, err := c.Fetch(ctx, Request{URL: s.URL + "/no-location"}); !errors.As(err, &se) || se.Code != 302 {
		t.Errorf("redirect without Location: err = %v", err)
	}
	if n := len(s.hitsFor("/secret")); n != 0 {
		t.Errorf("disallowed redirect target was fetched %d times", n)
	}
}

// TestSlowBody serves a body one byte at a time, forever: the attempt
// timeout must end it.
func TestSlowBody(t *testing.T) {
	s := newSite(t, nil)
	s.handle("/trickle", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", "100000")
		w.WriteHeader(http.StatusOK)
		for range 500 { // bounded: 10s at most even if the client never leaves
			if _, err := w.Write([]byte("x")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	s.handle("/no-headers", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	c := testClient(t, Options{Timeout: 300 * time.Millisecond, HeaderTimeout: 200 * time.Millisecond, Retries: 1})
	for _, p := range []string{"/trickle", "/no-headers"} {
		_, err := c.Fetch(context.Background(), Request{URL: s.URL + p})
		if !errors.Is(err, ErrTimeout) {
			t.Errorf("%s: err = %v, want ErrTimeout", p, err)
		}
		if n := len(s.hitsFor(p)); n != 2 {
			t.Errorf("%s: server saw %d requests, want 2 (one retry)", p, n)
		}
	}
}

func TestPrivateAddressRefused(t *testing.T) {
	s := newSite(t, nil)
	s.html("/p", page)
	c := New(Options{MinDelay: -1}) // AllowPrivate false
	defer c.Close()
	port := s.URL[strings.LastIndex(s.URL, ":")+1:]
	for _, u := range []string{
		s.URL + "/p",                      // IP literal, refused before dialling
		"http://localhost:" + port + "/p", // a name: refused when dialling the resolved address
		"http://[::ffff:127.0.0.1]:" + port + "/p",
	} {
		_, err := c.Fetch(context.Background(), Request{URL: u})
		if !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("%s: err = %v, want ErrPrivateAddress", u, err)
		}
	}
	if n := len(s.hitsFor("")); n != 0 {
		t.Errorf("server saw %d requests, want none", n)
	}
	if _, err := c.Sitemaps(context.Background(), "http://localhost:"+port); !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("sitemaps: err = %v, want ErrPrivateAddress", err)
	}
}

func TestIsPublic(t *testing.T) {
	tests := map[string]bool{
		"8.8.8.8":              true,
		"93.184.216.34":        true,
		"2606:4700::1111":      true,
		"64:ff9b::808:808":     true, // NAT64 of 8.8.8.8
		"127.0.0.1":            false,
		"127.5.6.7":            false,
		"10.1.2.3":             false,
		"172.16.0.1":           false,
		"192.168.1.1":          false,
		"169.254.169.254":      false, // cloud metadata
		"100.64.0.1":           false,
		"0.0.0.0":              false,
		"224.0.0.1":            false,
		"255.255.255.255":      false,
		"::1":                  false,
		"::":                   false,
		"fe80::1":              false,
		"fc00::1":              false,
		"ff02::1":              false,
		"::ffff:10.0.0.1":      false,
		"64:ff9b::a00:1":       false, // NAT64 of 10.0.0.1
		"2002:a00:1::":         false, // 6to4 of 10.0.0.1
		"::ffff:93.184.216.34": true,
		"2001:db8::1":          false, // documentation
		"2001:0:4136:e378::1":  false, // Teredo
	}
	for s, want := range tests {
		if got := IsPublic(netip.MustParseAddr(s)); got != want {
			t.Errorf("IsPublic(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestContextCancelWhilePaced(t *testing.T) {
	s := newSite(t, nil)
	s.html("/a", page)
	s.html("/b", page)
	c := testClient(t, Options{MinDelay: time.Hour, IgnoreRobots: true})
	if _, err := c.Fetch(context.Background(), Request{URL: s.URL + "/a"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Fetch(ctx, Request{URL: s.URL + "/b"}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// hostCount returns how many hosts' pacing states and robots.txt verdicts
// c keeps, checking the LRU lists agree with the maps.
func hostCount(t *testing.T, c *Client) (hosts, robots int) {
	t.Helper()
	c.pacer.mu.Lock()
	hosts = len(c.pacer.hosts)
	if c.pacer.lru.Len() != hosts {
		t.Errorf("pacer: %d hosts, %d in the LRU list", hosts, c.pacer.lru.Len())
	}
	c.pacer.mu.Unlock()
	c.robots.mu.Lock()
	robots = len(c.robots.m)
	if c.robots.lru.Len() != robots {
		t.Errorf("robots: %d entries, %d in the LRU list", robots, c.robots.lru.Len())
	}
	c.robots.mu.Unlock()
	return hosts, robots
}

// TestHostCacheBounded: with MaxHosts 2, idle hosts are forgotten least
// recently used first, pacing states and robots.txt verdicts alike; a
// forgotten origin's robots.txt is fetched again.
func TestHostCacheBounded(t *testing.T) {
	var sites []*site
	for range 4 {
		s := newSite(t, nil)
		s.robots("User-agent: *\nDisallow: /private/\n")
		s.html("/a", page)
		sites = append(sites, s)
	}
	c := testClient(t, Options{MaxHosts: 2})
	for _, s := range sites {
		if _, err := c.Fetch(context.Background(), Request{URL: s.URL + "/a"}); err != nil {
			t.Fatal(err)
		}
		if h, r := hostCount(t, c); h > 2 || r > 2 {
			t.Errorf("%d host states and %d robots.txt kept, want at most 2", h, r)
		}
	}
	// The last two are still known; the first was forgotten.
	for i, s := range []*site{sites[3], sites[2], sites[0]} {
		if _, err := c.Fetch(context.Background(), Request{URL: s.URL + "/a"}); err != nil {
			t.Fatal(err)
		}
		want := 1
		if i == 2 {
			want = 2
		}
		if n := len(s.hitsFor("/robots.txt")); n != want {
			t.Errorf("site %d: robots.txt fetched %d times, want %d", i, n, want)
		}
	}
}

// TestHostCacheKeepsPendingDelays: a host whose delay has not run out is
// not forgotten however small the cap, so its next request still waits;
// once idle it is, and a Crawl-delay from a robots.txt still cached is
// applied again to the host's new state.
func TestHostCacheKeepsPendingDelays(t *testing.T) {
	const delay = 300 * time.Millisecond
	a, b := newSite(t, nil), newSite(t, nil)
	a.robots("User-agent: *\nCrawl-delay: 0.3\n")
	b.robots("User-agent: *\nDisallow: /private/\n")
	for _, s := range []*site{a, b} {
		s.html("/1", page)
		s.html("/2", page)
		s.html("/3", page)
	}
	c := testClient(t, Options{MaxHosts: 1, MinDelay: 20 * time.Millisecond})
	c.robots.max = 10 // so that a host state can be forgotten while its robots.txt is not
	ctx := context.Background()
	fetch := func(s *site, path string) {
		t.Helper()
		if _, err := c.Fetch(ctx, Request{URL: s.URL + path}); err != nil {
			t.Fatal(err)
		}
	}
	fetch(a, "/1")
	fetch(b, "/1") // a's Crawl-delay is running: a is kept
	if h, _ := hostCount(t, c); h != 2 {
		t.Errorf("%d host states, want 2 (a busy host is not forgotten)", h)
	}
	fetch(a, "/2")
	checkGaps(t, a.hitsFor(""), delay)

	// Let a go idle and b push a's state out (a's robots.txt stays in the
	// larger robots cache).
	time.Sleep(delay + 50*time.Millisecond)
	fetch(b, "/2")
	c.pacer.mu.Lock()
	_, kept := c.pacer.hosts[hostKey(mustParse(t, a.URL))]
	c.pacer.mu.Unlock()
	if kept {
		t.Fatal("idle host a not forgotten")
	}
	fetch(a, "/3")
	fetch(a, "/1")
	if n := len(a.hitsFor("/robots.txt")); n != 1 {
		t.Errorf("a's robots.txt fetched %d times, want 1 (still cached)", n)
	}
	hits := a.pageHits()
	checkGaps(t, hits[len(hits)-2:], delay)
}

// TestRobotsExpiry: a cached robots.txt is used for RobotsTTL, then
// fetched again, and the new file applies.
func TestRobotsExpiry(t *testing.T) {
	s := newSite(t, nil)
	var mu sync.Mutex
	body := "User-agent: *\nDisallow: /private/\n"
	s.handle("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Write([]byte(body))
	})
	s.html("/news", page)
	c := testClient(t, Options{RobotsTTL: 200 * time.Millisecond})
	ctx := context.Background()
	if _, err := c.Fetch(ctx, Request{URL: s.URL + "/news"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	body = "User-agent: *\nDisallow: /news\n"
	mu.Unlock()
	if _, err := c.Fetch(ctx, Request{URL: s.URL + "/news"}); err != nil {
		t.Fatalf("within the TTL: %v", err)
	}
	time.Sleep(250 * time.Millisecond)
	if _, err := c.Fetch(ctx, Request{URL: s.URL + "/news"}); !errors.Is(err, ErrDisallowed) {
		t.Fatalf("after the TTL: %v, want the new robots.txt's ErrDisallowed", err)
	}
	if n := len(s.hitsFor("/robots.txt")); n != 2 {
		t.Errorf("robots.txt fetched %d times, want 2", n)
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
