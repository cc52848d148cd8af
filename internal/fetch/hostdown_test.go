package fetch

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// closedURL returns the base URL of a loopback port nothing listens on,
// so that connecting to it is refused.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// A host that refuses connections is reported as unreachable, with the
// network error, and not as a robots.txt refusal: the error used to be
// "disallowed by robots.txt: robots.txt unavailable", whatever the cause.
// It stays unreachable for RobotsErrorTTL, with the same cause.
func TestRobotsUnreachableNamesTheCause(t *testing.T) {
	base := closedURL(t)
	c := testClient(t, Options{})
	for _, path := range []string{"/x", "/y"} {
		_, err := c.Fetch(context.Background(), Request{URL: base + path})
		if !errors.Is(err, ErrRobotsUnavailable) {
			t.Fatalf("%s: err = %v, want ErrRobotsUnavailable", path, err)
		}
		if errors.Is(err, ErrDisallowed) {
			t.Errorf("%s: a host that is down matches ErrDisallowed: %v", path, err)
		}
		var re *RobotsUnavailableError
		if !errors.As(err, &re) || re.Status != 0 || re.Err == nil {
			t.Fatalf("%s: err = %#v, want a *RobotsUnavailableError with the network error", path, err)
		}
		if msg := err.Error(); !strings.Contains(msg, "connection refused") || !strings.Contains(msg, "unreachable") ||
			strings.Contains(msg, "disallowed") {
			t.Errorf("%s: message %q should say the host is unreachable and why", path, msg)
		}
	}
}

// A robots.txt answering 5xx keeps the host's pages unfetched (RFC 9309),
// reported as the host being unavailable with the status robots.txt gave,
// not as a refusal by robots.txt and not as the page's own status.
func TestRobots5xxIsTheHostNotARule(t *testing.T) {
	s := newSite(t, nil)
	s.handle("/robots.txt", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	s.html("/news/1", page)
	c := testClient(t, Options{})
	_, err := c.Fetch(context.Background(), Request{URL: s.URL + "/news/1"})
	var re *RobotsUnavailableError
	if !errors.As(err, &re) || re.Status != http.StatusBadGateway || !errors.Is(err, ErrRobotsUnavailable) {
		t.Fatalf("err = %v, want a *RobotsUnavailableError with status 502", err)
	}
	var se *StatusError
	if errors.Is(err, ErrDisallowed) || errors.As(err, &se) {
		t.Errorf("err %v matches ErrDisallowed or *StatusError", err)
	}
	if !strings.Contains(err.Error(), "502") {
		t.Errorf("message %q does not give robots.txt's status", err)
	}
	if n := len(s.pageHits()); n != 0 {
		t.Errorf("server saw %d page requests, want none", n)
	}
	// Sitemaps says the same.
	if _, err := c.Sitemaps(context.Background(), s.URL); !errors.As(err, &re) || re.Status != http.StatusBadGateway {
		t.Errorf("Sitemaps: %v", err)
	}
}

// A host whose Retry-After is longer than MaxRetryWait is held: the next
// fetch from it fails at once with a *HeldError, nothing sent, instead of
// sleeping through the hour (a one-shot harvest sat idle for it, its other
// URLs never fetched); other hosts go on. The hold lasts as long as the
// server asked.
func TestLongRetryAfterHoldsTheHost(t *testing.T) {
	busy := newSite(t, nil)
	busy.handle("/later", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	busy.html("/next", page)
	other := newSite(t, nil)
	other.html("/page", page)
	c := testClient(t, Options{})
	// The old client slept here until the hour was up; the deadline only
	// keeps this test from waiting that long.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	asked := time.Now()
	_, err := c.Fetch(ctx, Request{URL: busy.URL + "/later"})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusServiceUnavailable || se.RetryAfter != time.Hour {
		t.Fatalf("err = %v, want 503 with RetryAfter 1h", err)
	}
	_, err = c.Fetch(ctx, Request{URL: busy.URL + "/next"})
	var he *HeldError
	if !errors.As(err, &he) || !errors.Is(err, ErrHostHeld) {
		t.Fatalf("err = %v, want a *HeldError", err)
	}
	if he.Until.Before(asked.Add(time.Hour)) {
		t.Errorf("held until %s, sooner than the hour asked for from %s", he.Until, asked)
	}
	if n := len(busy.hitsFor("/next")); n != 0 {
		t.Errorf("the held host was sent %d requests", n)
	}
	if _, err := c.Fetch(ctx, Request{URL: other.URL + "/page"}); err != nil {
		t.Errorf("another host: %v", err)
	}
}
