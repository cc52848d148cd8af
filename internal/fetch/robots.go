package fetch

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// robotsCache holds one robots.txt verdict per origin (scheme, host,
// port), for at most max origins: the least recently used loaded
// verdicts are forgotten first, and an expired one whenever it is met.
// Concurrent callers wanting the same origin share one download: the
// first loads it in its own goroutine, the others wait for it.
type robotsCache struct {
	mu  sync.Mutex
	max int
	m   map[string]*robotsEntry
	lru list.List // of *robotsEntry, most recently used first
}

// get returns the entry for key, marking it used. Called with mu held.
func (rc *robotsCache) get(key string) *robotsEntry {
	e := rc.m[key]
	if e != nil {
		rc.lru.MoveToFront(e.elem)
	}
	return e
}

// put adds e under key, replacing any entry, and makes room. Called with
// mu held.
func (rc *robotsCache) put(key string, e *robotsEntry) {
	rc.remove(key, rc.m[key])
	e.key = key
	rc.m[key] = e
	e.elem = rc.lru.PushFront(e)
	// Forget verdicts, least recently used first; one still loading has
	// callers waiting on it and is left alone.
	el := rc.lru.Back()
	for i := 0; len(rc.m) > rc.max && el != nil && i < evictScan; i++ {
		prev := el.Prev()
		if old := el.Value.(*robotsEntry); old.loaded() {
			rc.remove(old.key, old)
		}
		el = prev
	}
}

// remove drops e if it is still the entry for key. Called with mu held.
func (rc *robotsCache) remove(key string, e *robotsEntry) {
	if e == nil || rc.m[key] != e {
		return
	}
	delete(rc.m, key)
	rc.lru.Remove(e.elem)
}

type robotsEntry struct {
	key   string        // guarded by robotsCache.mu
	elem  *list.Element // guarded by robotsCache.mu
	ready chan struct{} // closed once the fields below are set

	data        *robotstxt.RobotsData // nil when unavailable or err != nil
	crawlDelay  time.Duration         // data's Crawl-delay for our agent
	unavailable bool                  // 5xx or unreachable: disallow all
	status      int                   // unavailable: the 5xx or 429 robots.txt answered, or 0
	cause       error                 // unavailable without a status: why robots.txt could not be fetched
	expires     time.Time
	err         error // no verdict (cancelled, private address); not cached
}

// unavailableError says why an unavailable entry disallows its host, so
// that every URL refused meanwhile names the real cause (a refused
// connection, an unknown host) rather than a robots.txt rule.
func (e *robotsEntry) unavailableError(host string) *RobotsUnavailableError {
	return &RobotsUnavailableError{Host: host, Status: e.status, Err: e.cause, Until: e.expires}
}

func (e *robotsEntry) loaded() bool {
	select {
	case <-e.ready:
		return true
	default:
		return false
	}
}

// robotsFor returns the current verdict for u's origin, downloading
// robots.txt when it is missing or expired.
func (c *Client) robotsFor(ctx context.Context, u *url.URL) (*robotsEntry, error) {
	key := u.Scheme + "://" + hostKey(u)
	for {
		c.robots.mu.Lock()
		e := c.robots.get(key)
		if e != nil && e.loaded() && time.Now().After(e.expires) {
			c.robots.remove(key, e)
			e = nil
		}
		if e == nil {
			e = &robotsEntry{ready: make(chan struct{})}
			c.robots.put(key, e)
			c.robots.mu.Unlock()
			c.loadRobots(ctx, u, e)
			close(e.ready)
			if e.err != nil {
				c.robots.mu.Lock()
				c.robots.remove(key, e)
				c.robots.mu.Unlock()
				return nil, e.err
			}
			return e, nil
		}
		c.robots.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if e.err == nil {
			return e, nil
		}
		// The loader got no verdict. If that was its own cancellation, try
		// again with ours; anything else applies to us too.
		if !errors.Is(e.err, context.Canceled) && !errors.Is(e.err, context.DeadlineExceeded) {
			return nil, e.err
		}
	}
}

// loadRobots downloads and parses robots.txt for u's origin into e,
// following RFC 9309: up to five redirects, 2xx parsed, 4xx (and too many
// redirects) allow everything, 5xx, 429 or an unreachable server disallow
// everything for RobotsErrorTTL. The status or the network error is kept:
// a host that is down is reported as down, with the reason, and not as a
// robots.txt refusal. Its crawl-delay is applied to the host, counted from
// the end of the robots.txt request.
func (c *Client) loadRobots(ctx context.Context, u *url.URL, e *robotsEntry) {
	robotsURL := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	res, err := c.follow(ctx, robotsURL, Request{Accept: AcceptAny}, hopSpec{
		robots:       true,
		origin:       hostKey(u),
		maxRedirects: robotsMaxRedirects,
	})
	if c.opts.OnRobots != nil {
		var serr *StatusError
		switch {
		case res != nil:
			c.opts.OnRobots(res)
		case errors.As(err, &serr) && serr.Response != nil:
			c.opts.OnRobots(serr.Response)
		}
	}
	now := time.Now()
	switch {
	case ctx.Err() != nil:
		e.err = ctx.Err()
		return
	case errors.Is(err, ErrPrivateAddress), errors.Is(err, ErrHostPaused), errors.Is(err, ErrHostHeld), errors.Is(err, ErrGate):
		e.err = err
		return
	case errors.Is(err, ErrTooManyRedirects), errors.Is(err, ErrRedirectLoop):
		e.data, _ = robotstxt.FromStatusAndBytes(http.StatusNotFound, nil)
		e.expires = now.Add(c.opts.RobotsTTL)
		return
	}
	status := 0
	var body []byte
	var serr *StatusError
	switch {
	case errors.As(err, &serr):
		status = serr.Code
	case err != nil:
		e.unavailable = true
		e.cause = err
		e.expires = now.Add(c.opts.RobotsErrorTTL)
		return
	default:
		status, body = res.Status, res.Body
		e.data = res.robots
	}
	switch {
	case status >= 500 || status == http.StatusTooManyRequests:
		e.unavailable = true
		e.status = status
		e.expires = now.Add(c.opts.RobotsErrorTTL)
		return
	case status >= 400:
		e.data, _ = robotstxt.FromStatusAndBytes(http.StatusNotFound, nil)
	case e.data == nil:
		e.data = parseRobots(body)
	}
	e.expires = now.Add(c.opts.RobotsTTL)
	// The robots.txt request counts as a request to the host: the next
	// one waits the Crawl-delay (or MinDelay) from its end. The release of
	// that request did this already when robots.txt came from the host
	// itself; this covers a robots.txt redirected elsewhere, and a file
	// that no longer sets a delay.
	e.crawlDelay = e.data.FindGroup(c.agent).CrawlDelay
	h := c.pacer.host(hostKey(u))
	c.pacer.setCrawlDelay(h, e.crawlDelay)
	c.pacer.done(h)
}

// parseRobots parses a robots.txt body. The parser rejects a whole file
// for one bad line (a rule before any User-agent, a malformed
// Crawl-delay); such lines are dropped and the rest is used, as RFC 9309
// asks crawlers to use what they can.
func parseRobots(body []byte) *robotstxt.RobotsData {
	if d, err := robotstxt.FromBytes(body); err == nil {
		return d
	}
	var kept bytes.Buffer
	seenAgent := false
	for line := range bytes.Lines(body) {
		text := string(line)
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		key, val, _ := strings.Cut(text, ":")
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		switch key {
		case "user-agent":
			seenAgent = true
		case "allow", "disallow":
			if !seenAgent {
				continue
			}
		case "crawl-delay", "crawldelay":
			f, err := strconv.ParseFloat(val, 64)
			if !seenAgent || err != nil || f < 0 {
				continue
			}
		}
		kept.Write(line)
		if !bytes.HasSuffix(line, []byte("\n")) {
			kept.WriteByte('\n')
		}
	}
	if d, err := robotstxt.FromBytes(kept.Bytes()); err == nil {
		return d
	}
	// Still unparsable: treat it like a missing file, as a browser would
	// treat garbage in place of robots.txt.
	d, _ := robotstxt.FromStatusAndBytes(http.StatusNotFound, nil)
	return d
}

// checkRobots returns an error wrapping ErrDisallowed when robots.txt
// forbids u to our agent, a *RobotsUnavailableError while the host's
// robots.txt cannot be read, else the Crawl-delay it sets for us.
func (c *Client) checkRobots(ctx context.Context, u *url.URL) (time.Duration, error) {
	e, err := c.robotsFor(ctx, u)
	if err != nil {
		return 0, fmt.Errorf("robots.txt for %s: %w", u.Host, err)
	}
	if e.unavailable {
		return 0, fmt.Errorf("fetch %s: %w", u, e.unavailableError(hostKey(u)))
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	if !e.data.FindGroup(c.agent).Test(path) {
		return 0, fmt.Errorf("fetch %s: %w", u, ErrDisallowed)
	}
	return e.crawlDelay, nil
}

// Sitemaps returns the Sitemap: URLs that robots.txt lists for the origin
// of site (a URL such as "https://example.com/" or any URL on that site).
// It uses the same cached robots.txt as Fetch, downloading it if needed.
func (c *Client) Sitemaps(ctx context.Context, site string) ([]string, error) {
	u, err := parseTarget(site)
	if err != nil {
		return nil, err
	}
	e, err := c.robotsFor(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("sitemaps for %s: %w", u.Host, err)
	}
	if e.unavailable {
		return nil, fmt.Errorf("sitemaps for %s: %w", u.Host, e.unavailableError(hostKey(u)))
	}
	return append([]string(nil), e.data.Sitemaps...), nil
}
