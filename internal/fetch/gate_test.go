package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// recordingGate is an in-process HostGate: one holder per host, and it
// records what each release said about the host's next request.
type recordingGate struct {
	mu       sync.Mutex
	fail     error
	held     map[string]time.Time
	acquired []string
	nexts    []time.Duration // next allowed minus release time
	failed   []bool          // what each release said of its request
	paused   map[string]error
}

type recordingLease struct {
	g    *recordingGate
	host string
}

func (g *recordingGate) Acquire(ctx context.Context, host string) (HostLease, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fail != nil {
		return nil, g.fail
	}
	if err := g.paused[host]; err != nil {
		return nil, err
	}
	if until, ok := g.held[host]; ok && time.Until(until) > time.Minute {
		return nil, &HeldError{Host: host, Until: until}
	}
	g.acquired = append(g.acquired, host)
	return &recordingLease{g: g, host: host}, nil
}

func (l *recordingLease) Release(next time.Time, failed bool) {
	l.g.mu.Lock()
	defer l.g.mu.Unlock()
	l.g.nexts = append(l.g.nexts, time.Until(next))
	l.g.failed = append(l.g.failed, failed)
	if l.g.held == nil {
		l.g.held = map[string]time.Time{}
	}
	l.g.held[l.host] = next
}

// TestGate: every request, robots.txt included, goes through the gate and
// tells it the delay; a Retry-After longer than the client waits is passed
// on, and another client's requests to the held host are refused with a
// HeldError without a request; a failing gate is ErrGate, not retried, and
// nothing is sent.
func TestGate(t *testing.T) {
	s := newSite(t, nil)
	s.robots("User-agent: *\nAllow: /\n")
	s.html("/a.html", "<html><body><p>a</p></body></html>")
	s.handle("/busy.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "later", http.StatusTooManyRequests)
	})
	g := &recordingGate{}
	c := testClient(t, Options{Gate: g, MinDelay: 300 * time.Millisecond})
	if _, err := c.Fetch(context.Background(), Request{URL: s.URL + "/a.html"}); err != nil {
		t.Fatal(err)
	}
	if len(g.acquired) != 2 {
		t.Fatalf("gate acquired %v, want robots.txt and the page", g.acquired)
	}
	for _, d := range g.nexts {
		if d < 250*time.Millisecond || d > 300*time.Millisecond {
			t.Errorf("release said next in %s, want the 300ms delay", d)
		}
	}
	_, err := c.Fetch(context.Background(), Request{URL: s.URL + "/busy.html"})
	var se *StatusError
	if !errors.As(err, &se) || se.RetryAfter != time.Hour {
		t.Fatalf("busy: %v", err)
	}
	if d := g.nexts[len(g.nexts)-1]; d < 59*time.Minute {
		t.Errorf("release after a Retry-After of 1h said next in %s", d)
	}
	// Another client on the same gate (another worker): this one's own
	// pacer would sleep for the hour itself.
	c2 := testClient(t, Options{Gate: g})
	before := len(s.hitsFor(""))
	_, err = c2.Fetch(context.Background(), Request{URL: s.URL + "/a.html"})
	var he *HeldError
	if !errors.As(err, &he) || !errors.Is(err, ErrHostHeld) {
		t.Errorf("held host: %v, want a HeldError", err)
	}
	g.mu.Lock()
	g.held, g.fail = nil, errors.New("bucket unreachable")
	g.mu.Unlock()
	_, err = c2.Fetch(context.Background(), Request{URL: s.URL + "/a.html"})
	if !errors.Is(err, ErrGate) {
		t.Errorf("failing gate: %v, want ErrGate", err)
	}
	if n := len(s.hitsFor("")); n != before {
		t.Errorf("%d requests sent while the gate refused", n-before)
	}
}

// TestGateCountsFailures: each release tells the gate whether its request
// failed (a 5xx, retried or not), so that a gate shared by a fleet can
// pause a failing host for all of it; and a host the gate paused is
// refused with ErrHostPaused (not ErrGate: the gate works), nothing sent.
func TestGateCountsFailures(t *testing.T) {
	s := newSite(t, nil)
	s.robots("User-agent: *\nAllow: /\n")
	s.html("/a.html", "<html><body><p>a</p></body></html>")
	s.handle("/down.html", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	g := &recordingGate{}
	c := testClient(t, Options{Gate: g, MinDelay: -1, Retries: 1, RetryBackoff: time.Millisecond})
	if _, err := c.Fetch(context.Background(), Request{URL: s.URL + "/a.html"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Fetch(context.Background(), Request{URL: s.URL + "/down.html"}); err == nil {
		t.Fatal("down.html: no error")
	}
	g.mu.Lock()
	got := append([]bool(nil), g.failed...)
	g.mu.Unlock()
	// robots.txt, a.html, then down.html and its retry.
	if want := []bool{false, false, true, true}; !slices.Equal(got, want) {
		t.Errorf("releases said failed %v, want %v", got, want)
	}

	g.mu.Lock()
	host := g.acquired[0]
	g.paused = map[string]error{host: fmt.Errorf("%s: %w", host, ErrHostPaused)}
	g.mu.Unlock()
	before := len(s.hitsFor(""))
	_, err := c.Fetch(context.Background(), Request{URL: s.URL + "/a.html"})
	if !errors.Is(err, ErrHostPaused) || errors.Is(err, ErrGate) {
		t.Errorf("host paused by the gate: %v, want ErrHostPaused and not ErrGate", err)
	}
	if n := len(s.hitsFor("")); n != before {
		t.Errorf("%d requests sent to a paused host", n-before)
	}
}
