package fetch

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"time"
)

// pacer owns politeness across every goroutine using one Client: a global
// cap on requests in flight and, per host, a cap on requests in flight, a
// minimum gap between the end of one request and the start of the next,
// and a pause after repeated failures.
type pacer struct {
	global     chan struct{}
	perHost    int
	minDelay   time.Duration
	pauseAfter int
	pauseFor   time.Duration
	gate       HostGate // nil: politeness is this process's alone

	mu    sync.Mutex
	hosts map[string]*hostState
}

// hostState is the pacing state of one host:port. Entries are never
// removed: they are small, and a harvest meets thousands of hosts, not
// millions.
type hostState struct {
	key   string
	slots chan struct{}

	mu         sync.Mutex
	next       time.Time     // earliest start of the next request
	lastEnd    time.Time     // when the last request ended
	crawlDelay time.Duration // from robots.txt
	failures   int           // failed attempts in a row
	pausedTill time.Time
}

func newPacer(o Options) *pacer {
	return &pacer{
		global:     make(chan struct{}, o.MaxConcurrency),
		perHost:    o.PerHost,
		minDelay:   o.MinDelay,
		pauseAfter: o.PauseAfter,
		pauseFor:   o.PauseFor,
		gate:       o.Gate,
		hosts:      make(map[string]*hostState),
	}
}

// hostKey is the pacing key of u: lower-case host and port, the port
// filled in from the scheme.
func hostKey(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

func (p *pacer) host(key string) *hostState {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := p.hosts[key]
	if h == nil {
		h = &hostState{key: key, slots: make(chan struct{}, p.perHost)}
		p.hosts[key] = h
	}
	return h
}

// outcome is what an attempt tells the pacer when it releases its slot.
type outcome struct {
	failed     bool          // a transient failure: counts towards a pause
	retryAfter time.Duration // the server asked us to wait this long
	robots     bool          // this was the host's robots.txt, read: crawlDelay is its Crawl-delay
	crawlDelay time.Duration
}

// acquire waits until a request to h may start: no pause, a free host
// slot, the host's delay elapsed, the host taken from the gate (when there
// is one), a free global slot. The returned release
// must be called exactly once, when the response body has been read.
func (p *pacer) acquire(ctx context.Context, h *hostState) (release func(outcome), err error) {
	if err := h.checkPause(); err != nil {
		return nil, err
	}
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for {
		if err := h.checkPause(); err != nil {
			<-h.slots
			return nil, err
		}
		h.mu.Lock()
		wait := time.Until(h.next)
		h.mu.Unlock()
		if wait <= 0 {
			break
		}
		if err := sleep(ctx, wait); err != nil {
			<-h.slots
			return nil, err
		}
	}
	var lease HostLease
	if p.gate != nil {
		l, err := p.gate.Acquire(ctx, h.key)
		if err != nil {
			<-h.slots
			if ctx.Err() != nil || errors.Is(err, ErrHostHeld) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %w", ErrGate, err)
		}
		lease = l
	}
	select {
	case p.global <- struct{}{}:
	case <-ctx.Done():
		if lease != nil {
			lease.Release(time.Now())
		}
		<-h.slots
		return nil, ctx.Err()
	}
	var once sync.Once
	return func(o outcome) {
		once.Do(func() {
			next := p.release(h, o)
			if lease != nil {
				lease.Release(next)
			}
			<-p.global
			<-h.slots
		})
	}, nil
}

// release records an attempt's outcome and returns the earliest start of
// the host's next request.
func (p *pacer) release(h *hostState, o outcome) time.Time {
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if o.robots {
		h.crawlDelay = o.crawlDelay
	}
	h.lastEnd = now
	next := now.Add(max(p.minDelay, h.crawlDelay))
	if o.retryAfter > 0 {
		next = later(next, now.Add(o.retryAfter))
	}
	h.next = later(h.next, next)
	if !o.failed {
		h.failures = 0
		return next
	}
	h.failures++
	if p.pauseAfter > 0 && h.failures >= p.pauseAfter {
		h.pausedTill = now.Add(p.pauseFor)
		h.failures = 0
	}
	return next
}

func (h *hostState) checkPause() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if time.Now().Before(h.pausedTill) {
		return fmt.Errorf("%s until %s: %w", h.key, h.pausedTill.Format(time.RFC3339), ErrHostPaused)
	}
	return nil
}

// setCrawlDelay sets the host's Crawl-delay and holds its next request
// to it, counted from the end of the last request (the robots.txt fetch
// that told it, usually), so the delay applies from the first page on.
func (h *hostState) setCrawlDelay(d, minDelay time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.crawlDelay = d
	if !h.lastEnd.IsZero() {
		h.next = later(h.next, h.lastEnd.Add(max(minDelay, d)))
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// backoff is the wait before retry number n (0-based): base·2ⁿ capped at
// a minute, with "equal jitter" (a uniform draw from its upper half) so
// callers that failed together do not retry together.
func backoff(base time.Duration, n int) time.Duration {
	d := base
	for i := 0; i < n && d < defaultMaxBackoff; i++ {
		d *= 2
	}
	d = min(d, defaultMaxBackoff)
	half := d / 2
	return half + rand.N(half+1)
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an
// HTTP-date. It returns 0 when the value is missing, unparsable or in the
// past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := parseSeconds(v); err == nil {
		return n
	}
	if t, err := parseHTTPDate(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
