package fetch

import (
	"container/list"
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
	maxWait    time.Duration // the longest Retry-After waited for in line (Options.MaxRetryWait)
	gate       HostGate      // nil: politeness is this process's alone
	maxHosts   int

	mu    sync.Mutex
	hosts map[string]*hostState
	lru   list.List // of *hostState, most recently used first
}

// hostState is the pacing state of one host:port. The pacer keeps at most
// maxHosts of them, forgetting the least recently used idle ones: a host
// is only forgotten when nobody holds its state (no request in flight or
// waiting for a slot, the delay or the gate) and its delay and pause have
// run out, so a forgotten host starts afresh exactly where it would have
// been allowed to anyway. Its Crawl-delay is set again from the cached
// robots.txt on the next request.
type hostState struct {
	key   string
	slots chan struct{}

	// Guarded by pacer.mu.
	elem  *list.Element
	users int // callers between pacer.host and pacer.done

	mu         sync.Mutex
	next       time.Time     // earliest start of the next request
	lastEnd    time.Time     // when the last request ended
	crawlDelay time.Duration // from robots.txt
	failures   int           // failed attempts in a row
	pausedTill time.Time
	// heldTill is the end of the longest Retry-After the host sent. next
	// is never earlier, so pacing alone would honour it; but a request
	// that would wait more than maxWait for it is refused (ErrHostHeld)
	// instead of sleeping, so that one host asking for an hour cannot
	// stall its caller (a one-shot harvest sat idle for the hour).
	heldTill time.Time
}

func newPacer(o Options) *pacer {
	return &pacer{
		global:     make(chan struct{}, o.MaxConcurrency),
		perHost:    o.PerHost,
		minDelay:   o.MinDelay,
		pauseAfter: o.PauseAfter,
		pauseFor:   o.PauseFor,
		maxWait:    o.MaxRetryWait,
		gate:       o.Gate,
		maxHosts:   o.MaxHosts,
		hosts:      make(map[string]*hostState),
	}
}

// evictScan bounds how many of the least recently used entries one
// insertion looks at to make room, so that a cache full of busy hosts
// costs O(1) per insertion (it then grows past its cap until they idle).
const evictScan = 16

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

// host returns the state of key, creating it if needed, and holds it:
// it is not forgotten until the matching done.
func (p *pacer) host(key string) *hostState {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := p.hosts[key]
	if h == nil {
		h = &hostState{key: key, slots: make(chan struct{}, p.perHost), users: 1}
		p.hosts[key] = h
		h.elem = p.lru.PushFront(h)
		p.evict()
		return h
	}
	p.lru.MoveToFront(h.elem)
	h.users++
	return h
}

// done lets go of a state returned by host, and forgets idle hosts if
// busy ones had pushed the count over the cap.
func (p *pacer) done(h *hostState) {
	p.mu.Lock()
	h.users--
	if len(p.hosts) > p.maxHosts {
		p.evict()
	}
	p.mu.Unlock()
}

// evict forgets idle hosts, least recently used first, while there are
// more than maxHosts. Called with p.mu held.
func (p *pacer) evict() {
	now := time.Now()
	e := p.lru.Back()
	for i := 0; len(p.hosts) > p.maxHosts && e != nil && i < evictScan; i++ {
		prev := e.Prev()
		if h := e.Value.(*hostState); h.idle(now) {
			p.lru.Remove(e)
			delete(p.hosts, h.key)
		}
		e = prev
	}
}

// idle reports whether h may be forgotten: nobody holds it and it asks
// nothing of the future (a delay or a pause still running). Called with
// pacer.mu held.
func (h *hostState) idle(now time.Time) bool {
	if h.users > 0 || len(h.slots) > 0 {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return !now.Before(h.next) && !now.Before(h.pausedTill)
}

// outcome is what an attempt tells the pacer when it releases its slot.
type outcome struct {
	failed     bool          // a transient failure: counts towards a pause
	retryAfter time.Duration // the server asked us to wait this long
	robots     bool          // this was the host's robots.txt, read: crawlDelay is its Crawl-delay
	crawlDelay time.Duration
	unused     bool // nothing was sent: the host's schedule and failures stay as they were
}

// acquire waits until a request to h may start: no pause, a free host
// slot, the host's delay elapsed, the host taken from the gate (when there
// is one), a free global slot. The returned release
// must be called exactly once, when the response body has been read. A
// host held by a Retry-After longer than maxWait is not waited for: the
// error is a *HeldError saying until when, as a gate's would be.
func (p *pacer) acquire(ctx context.Context, h *hostState) (release func(outcome), err error) {
	if err := h.checkPause(p.maxWait); err != nil {
		return nil, err
	}
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for {
		if err := h.checkPause(p.maxWait); err != nil {
			<-h.slots
			return nil, err
		}
		h.mu.Lock()
		next, crawlDelay := h.next, h.crawlDelay
		h.mu.Unlock()
		wait := time.Until(next)
		if wait <= 0 {
			break
		}
		if wait > p.longestWait() {
			// Only a Crawl-delay longer than maxWait (and than our own
			// delay) gets here: the host is held, as for a long
			// Retry-After, rather than waited for.
			<-h.slots
			return nil, &HeldError{Host: h.key, Until: next, CrawlDelay: crawlDelay}
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
			if ctx.Err() != nil || errors.Is(err, ErrHostHeld) || errors.Is(err, ErrHostPaused) {
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
			lease.Release(time.Now(), false)
		}
		<-h.slots
		return nil, ctx.Err()
	}
	var once sync.Once
	return func(o outcome) {
		once.Do(func() {
			next := p.release(h, o)
			if lease != nil {
				lease.Release(next, o.failed)
			}
			<-p.global
			<-h.slots
		})
	}, nil
}

// longestWait is the longest a request waits in line for its host's
// delay: MaxRetryWait, or the caller's own MinDelay when that is longer.
// A host whose Crawl-delay asks for more is held (HeldError) instead.
func (p *pacer) longestWait() time.Duration { return max(p.maxWait, p.minDelay) }

// afterRobots is the delay from a robots.txt request to the host's next
// request: the host's delay, but no more than longestWait, so that a
// Crawl-delay longer than that holds the host from its second page on
// and not from its first (a process that reads robots.txt anew at each
// run would otherwise never fetch a page of such a host).
func (p *pacer) afterRobots(crawlDelay time.Duration) time.Duration {
	return min(max(p.minDelay, crawlDelay), p.longestWait())
}

// release records an attempt's outcome and returns the earliest start of
// the host's next request.
func (p *pacer) release(h *hostState, o outcome) time.Time {
	if o.unused {
		return time.Time{}
	}
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if o.robots {
		h.crawlDelay = o.crawlDelay
	}
	h.lastEnd = now
	next := now.Add(max(p.minDelay, h.crawlDelay))
	if o.robots {
		next = now.Add(p.afterRobots(h.crawlDelay))
	}
	if o.retryAfter > 0 {
		next = later(next, now.Add(o.retryAfter))
		h.heldTill = later(h.heldTill, now.Add(o.retryAfter))
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

// checkPause refuses a request to a paused host, or to one whose
// Retry-After runs for longer than maxWait from now.
func (h *hostState) checkPause(maxWait time.Duration) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	if now.Before(h.pausedTill) {
		return fmt.Errorf("%s until %s: %w", h.key, h.pausedTill.Format(time.RFC3339), ErrHostPaused)
	}
	if h.heldTill.Sub(now) > maxWait {
		return &HeldError{Host: h.key, Until: h.heldTill}
	}
	return nil
}

// useCrawlDelay sets the host's Crawl-delay, as robots.txt says it is (a
// host state forgotten and made again has none until then).
func (h *hostState) useCrawlDelay(d time.Duration) {
	h.mu.Lock()
	h.crawlDelay = d
	h.mu.Unlock()
}

// setCrawlDelay sets the host's Crawl-delay and holds its next request
// to it, counted from the end of the last request (the robots.txt fetch
// that told it, usually), so the delay applies from the first page on
// (up to pacer.afterRobots).
func (p *pacer) setCrawlDelay(h *hostState, d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.crawlDelay = d
	if !h.lastEnd.IsZero() {
		h.next = later(h.next, h.lastEnd.Add(p.afterRobots(d)))
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
			return min(d, maxRetryAfter)
		}
	}
	return 0
}
