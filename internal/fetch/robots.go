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
	key := robotsKey(u)
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
//
// With a RobotsStore (Options.Robots), a verdict another process stored
// is used instead, and a verdict downloaded here is stored for the others.
func (c *Client) loadRobots(ctx context.Context, u *url.URL, e *robotsEntry) {
	var share *robotsShare
	if c.opts.Robots != nil {
		share = &robotsShare{store: c.opts.Robots, origin: robotsKey(u)}
		defer share.done()
		rec, err := share.load(ctx)
		if rec != nil {
			c.applyRobots(u, e, rec, nil)
			return
		}
		// A store that failed is not asked again for this download.
		share.recheck = err == nil
	}
	robotsURL := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	res, err := c.follow(ctx, robotsURL, Request{Accept: AcceptAny}, hopSpec{
		robots:       true,
		origin:       hostKey(u),
		maxRedirects: robotsMaxRedirects,
		share:        share,
	})
	if share != nil && share.found != nil {
		c.applyRobots(u, e, share.found, nil)
		return
	}
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
	rec := &RobotsRecord{Fetched: now}
	var data *robotstxt.RobotsData // the file, parsed already when downloaded
	switch {
	case ctx.Err() != nil:
		e.err = ctx.Err()
		return
	case errors.Is(err, ErrPrivateAddress), errors.Is(err, ErrHostPaused), errors.Is(err, ErrHostHeld), errors.Is(err, ErrGate):
		e.err = err
		return
	case errors.Is(err, ErrTooManyRedirects), errors.Is(err, ErrRedirectLoop):
		rec.Outcome = RobotsMissing
	default:
		status := 0
		var serr *StatusError
		switch {
		case errors.As(err, &serr):
			status = serr.Code
		case err != nil:
			rec.Outcome = RobotsUnavailable
			rec.Cause, rec.Timeout = err.Error(), errors.Is(err, ErrTimeout)
			e.cause = err
		default:
			status, rec.Body, data = res.Status, res.Body, res.robots
		}
		switch {
		case rec.Outcome != "":
		case status >= 500 || status == http.StatusTooManyRequests:
			rec.Outcome, rec.Status = RobotsUnavailable, status
		case status >= 400:
			rec.Outcome = RobotsMissing
		default:
			rec.Outcome = RobotsFound
		}
	}
	rec.Expires = now.Add(c.opts.RobotsTTL)
	if rec.Outcome == RobotsUnavailable {
		rec.Expires = now.Add(c.opts.RobotsErrorTTL)
	}
	c.applyRobots(u, e, rec, data)
	if share != nil {
		// Stored before the host is let go (share.done): under a
		// HostGate, the next process to take the host finds it.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
		_ = share.store.StoreRobots(sctx, share.origin, rec) // not stored: others download it too
		cancel()
	}
}

// applyRobots sets e from rec, a verdict downloaded here (data is then
// the file already parsed) or read from the RobotsStore, and applies its
// Crawl-delay to the host.
func (c *Client) applyRobots(u *url.URL, e *robotsEntry, rec *RobotsRecord, data *robotstxt.RobotsData) {
	e.expires = rec.Expires
	switch rec.Outcome {
	case RobotsUnavailable:
		e.unavailable, e.status = true, rec.Status
		if e.cause == nil && rec.Status == 0 {
			e.cause = &storedCause{msg: rec.Cause, timeout: rec.Timeout}
		}
		return
	case RobotsMissing:
		e.data, _ = robotstxt.FromStatusAndBytes(http.StatusNotFound, nil)
	default:
		if data == nil {
			data = parseRobots(rec.Body)
		}
		e.data = data
	}
	// The robots.txt request counts as a request to the host: the next
	// one waits the Crawl-delay (or MinDelay) from its end. The release of
	// that request did this already when robots.txt came from the host
	// itself; this covers a robots.txt redirected elsewhere, a file that
	// no longer sets a delay, and one another process downloaded (whose
	// release told the HostGate).
	e.crawlDelay = e.data.FindGroup(c.agent).CrawlDelay
	h := c.pacer.host(hostKey(u))
	c.pacer.setCrawlDelay(h, e.crawlDelay)
	c.pacer.done(h)
}

// robotsKey is the robots cache's and the RobotsStore's key for u's
// origin: scheme://host:port.
func robotsKey(u *url.URL) string { return u.Scheme + "://" + hostKey(u) }

// storedCause is why another process could not reach a host's
// robots.txt, as its RobotsRecord says.
type storedCause struct {
	msg     string
	timeout bool
}

func (c *storedCause) Error() string { return c.msg }

// Is lets a timeout seen by another process match ErrTimeout, as the
// process's own would.
func (c *storedCause) Is(target error) bool { return c.timeout && target == ErrTimeout }

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
