package fetch

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

// TestLongCrawlDelayHolds: a robots.txt Crawl-delay longer than the Client
// waits in line (MaxRetryWait) holds the host, as a long Retry-After does,
// instead of having the caller sleep through it: a one-shot harvest of a
// site asking for an hour between requests sat an hour before its first
// page. The first page after robots.txt waits at most MaxRetryWait; the
// next request is refused with a *HeldError until the delay has run out,
// and nothing is sent meanwhile.
func TestLongCrawlDelayHolds(t *testing.T) {
	s := newSite(t, nil)
	s.robots("User-agent: *\nCrawl-delay: 3600\n")
	s.html("/a", page)
	s.html("/b", page)
	c := testClient(t, Options{MinDelay: 10 * time.Millisecond, MaxRetryWait: 50 * time.Millisecond})
	// A guard, not a timing assertion: without the hold the Fetch sleeps
	// for the hour.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Fetch(ctx, Request{URL: s.URL + "/a"}); err != nil {
		t.Fatalf("first page after robots.txt: %v", err)
	}
	start := time.Now()
	_, err := c.Fetch(ctx, Request{URL: s.URL + "/b"})
	var he *HeldError
	if !errors.As(err, &he) || !errors.Is(err, ErrHostHeld) {
		t.Fatalf("second page: err = %v, want a *HeldError", err)
	}
	if d := he.Until.Sub(start); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("held until %v from now, want the Crawl-delay's hour", d)
	}
	if he.CrawlDelay != time.Hour {
		t.Errorf("HeldError.CrawlDelay = %v, want 1h", he.CrawlDelay)
	}
	if got := s.pageHits(); len(got) != 1 {
		t.Errorf("server saw %d page requests, want only /a", len(got))
	}
}

// TestLongMinDelayStillWaits: a per-host delay the caller chose
// (MinDelay) is waited for whatever its length; only a host's own
// Crawl-delay beyond MaxRetryWait holds it.
func TestLongMinDelayStillWaits(t *testing.T) {
	s := newSite(t, nil)
	s.html("/a", page)
	s.html("/b", page)
	c := testClient(t, Options{MinDelay: 150 * time.Millisecond, MaxRetryWait: 10 * time.Millisecond})
	for _, p := range []string{"/a", "/b"} {
		if _, err := c.Fetch(context.Background(), Request{URL: s.URL + p}); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	checkGaps(t, s.hitsFor(""), 150*time.Millisecond)
}

// TestRetryRefusedReportsTheFailure: when a retry is refused without a
// request (the failures paused the host), Fetch reports the server's own
// failure, not the pause: the caller must know the URL was asked and
// failed (a harvest counts that try), and a 503 says more than "paused".
func TestRetryRefusedReportsTheFailure(t *testing.T) {
	s := newSite(t, nil)
	s.handle("/down", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	c := testClient(t, Options{Retries: 3, PauseAfter: 2, PauseFor: time.Hour})
	_, err := c.Fetch(context.Background(), Request{URL: s.URL + "/down"})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusServiceUnavailable || errors.Is(err, ErrHostPaused) {
		t.Fatalf("err = %v, want the 503 that paused the host", err)
	}
	if n := len(s.hitsFor("/down")); n != 2 {
		t.Errorf("server saw %d requests, want 2 (then the host is paused)", n)
	}
	// The next URL of the paused host is refused without a request.
	if _, err := c.Fetch(context.Background(), Request{URL: s.URL + "/down"}); !errors.Is(err, ErrHostPaused) {
		t.Errorf("next fetch: err = %v, want ErrHostPaused", err)
	}
}
