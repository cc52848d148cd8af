// Package fetch is Herald's polite HTTP client. It fetches pages, feeds and
// sitemaps the way a careful archivist's crawler should:
//
//   - robots.txt is fetched once per origin, cached, and obeyed, including
//     Crawl-delay (ErrDisallowed); the robots.txt request is paced like
//     any other, so the first page after it waits the host's delay; a
//     host whose robots.txt fails (5xx, unreachable) is left alone for a
//     while, as RFC 9309 asks (ErrRobotsUnavailable, with the cause);
//   - requests to one host run one at a time, with a minimum delay between
//     the end of one and the start of the next, under a global concurrency
//     cap, for all goroutines sharing a Client;
//   - transient failures (5xx, 429, timeouts, connection errors) are retried
//     with exponential back-off and jitter, honouring Retry-After; a host
//     that keeps failing is paused (ErrHostPaused), and one that asks to
//     wait longer than MaxRetryWait, by Retry-After or by a Crawl-delay,
//     is held (ErrHostHeld) instead of waited for, while others go on;
//   - every attempt has dial, TLS, header and whole-attempt timeouts, a body
//     size cap (ErrTooLarge) and a redirect limit with loop detection; a
//     page that is only a meta refresh interstitial may be followed as a
//     redirect under the same rules (Request.Refresh);
//   - page fetches take only HTML (ErrNotHTML), found out from the headers
//     and the first bytes, without downloading the rest;
//   - loopback, private, link-local and similar addresses are refused when
//     dialling (ErrPrivateAddress) unless Options.AllowPrivate is set;
//   - conditional requests (ETag, Last-Modified) report NotModified;
//   - memory stays bounded over any number of hosts: robots.txt is
//     trusted for RobotsTTL (24h, as RFC 9309 allows), and per-host state
//     and robots.txt verdicts are kept for the MaxHosts most recently used
//     hosts, never forgetting one with a request in flight or a delay
//     still to run.
//
// A Response carries the body with its Content-Encoding (gzip, deflate,
// Brotli, zstd) undone, decoded as it is read so that MaxBodyBytes bounds a
// decompression bomb, and the request and response exactly as they crossed
// the connection (status line, headers as received, chunked framing,
// compressed body), which is what a WARC record needs; so does each
// redirect followed on the way (Hops, its body kept up to
// RedirectBodyBytes), so that an archive holds the whole chain. Only
// HTTP/1.1 is spoken, for that reason.
//
// The package does not decode charsets (the extractor does; DecodeCharset
// helps feed and sitemap readers), keep cookies, run scripts, store
// anything or log: results and failures are returned. Politeness is per
// Client, so one process should share one Client; several processes share
// one schedule per host through a HostGate (Options.Gate), and each
// origin's robots.txt through a RobotsStore (Options.Robots), which the
// caller provides.
package fetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// Client fetches politely. It is safe for concurrent use, and its pacing
// applies across all goroutines using it. Make one with New.
type Client struct {
	opts      Options
	agent     string // robots.txt product token, e.g. "herald"
	transport *http.Transport
	pacer     *pacer
	robots    robotsCache
}

// New returns a Client configured by opts (zero fields take defaults).
func New(opts Options) *Client {
	o := opts.withDefaults()
	d := newDialer(o)
	t := &http.Transport{
		Proxy:                  nil, // a proxy would dial for us and bypass the address guard
		DialContext:            d.dial,
		DialTLSContext:         d.dialTLS,
		ForceAttemptHTTP2:      false,
		TLSNextProto:           map[string]func(string, *tls.Conn) http.RoundTripper{},
		DisableCompression:     true, // we ask for and undo gzip, deflate, br and zstd ourselves, keeping the raw bytes
		ResponseHeaderTimeout:  o.HeaderTimeout,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
		MaxIdleConns:           o.MaxConcurrency * 2,
		MaxIdleConnsPerHost:    o.PerHost,
		IdleConnTimeout:        90 * time.Second,
	}
	agent, _, _ := strings.Cut(o.UserAgent, "/")
	agent, _, _ = strings.Cut(agent, " ")
	return &Client{
		opts:      o,
		agent:     strings.ToLower(agent),
		transport: t,
		pacer:     newPacer(o),
		robots:    robotsCache{max: o.MaxHosts, m: make(map[string]*robotsEntry)},
	}
}

// Close releases idle connections. Fetches in progress are not affected;
// the Client stays usable.
func (c *Client) Close() {
	c.transport.CloseIdleConnections()
}

// Request is one thing to fetch.
type Request struct {
	// URL is an absolute http or https URL.
	URL string
	// ETag and LastModified, from an earlier Response, make the request
	// conditional (If-None-Match, If-Modified-Since): an unchanged
	// resource answers 304 and Response.NotModified is set.
	ETag, LastModified string
	// Accept is the kind of document wanted; the zero value is a page.
	Accept Accept
	// Refresh, when set, is asked about a page (AcceptPage) whose HTML
	// sends the reader on with a meta refresh (<meta http-equiv="refresh"
	// content="0; url=...">) within MaxRefreshDelay: if it returns true
	// (the caller finds no article on the page, only an interstitial),
	// the refresh is followed as a redirect, with the same hop limit,
	// loop detection, robots.txt and address checks, and the page is kept
	// in Redirects and Hops (a Hop of Status 200 whose Location is the
	// refresh's URL). Nil: meta refreshes are not followed.
	Refresh func(page *Response) bool
}

// Response is a fetched document.
type Response struct {
	// URL is the final URL, after redirects.
	URL string
	// Status is the HTTP status code: 2xx, or 304 with NotModified.
	Status int
	// Header is the final response's header.
	Header http.Header
	// Body is the body with Content-Encoding (gzip, deflate, br, zstd)
	// undone; its charset is as sent. Empty for 304.
	Body []byte
	// ContentType is the Content-Type header, or the sniffed type when the
	// server sent none.
	ContentType string
	// NotModified is set for a 304 answer to a conditional request.
	NotModified bool
	// Redirects lists the URLs that answered with a redirect, in order,
	// starting with Request.URL; empty when there was none.
	Redirects []string
	// Hops are the redirect exchanges that led here, in order, one per
	// entry of Redirects, each as it crossed the connection, so that a
	// WARC can hold the whole chain and not only its last exchange.
	Hops []Hop

	// RawRequest is the final request exactly as sent: request line and
	// headers.
	RawRequest []byte
	// RawResponse is the final response exactly as received: status line,
	// headers, and the body as transferred (chunked framing and content
	// encoding intact). It is what a WARC response record holds.
	RawResponse []byte
	// RawTruncated says why RawResponse is short of the whole response,
	// in the words of WARC-Truncated (WARC 1.1): TruncatedLength when it
	// was cut at our own cap (MaxBodyBytes plus header room for a large
	// compressed body, RedirectBodyBytes for an error's body),
	// TruncatedTime when the attempt's time limit (Options.Timeout) cut
	// the body, TruncatedDisconnect when the connection broke or closed
	// mid-body, TruncatedUnspecified when the body's content coding ended
	// early on a transfer that looked whole. "" when it is whole.
	RawTruncated string
	// Cut is set when the body stopped before its end on every try (the
	// server closed or broke the connection mid-body, a compressed body
	// ended early): Body is what arrived. Only feed and sitemap fetches
	// (AcceptFeed, AcceptSitemap, AcceptSource) return a cut body, since
	// the entries before the cut are worth reading; other fetches fail
	// instead.
	Cut bool

	// FetchedAt is when the final request was sent.
	FetchedAt time.Time
	// Duration is how long the final request took, to the last body byte.
	Duration time.Duration
	// IP is the address of the server that answered the final request.
	IP string

	robots *robotstxt.RobotsData // a robots.txt fetch's 2xx body, parsed
}

// Why a raw response is kept in part (Response.RawTruncated): the values
// of WARC-Truncated in WARC 1.1.
const (
	TruncatedLength      = "length"      // past our own size cap
	TruncatedTime        = "time"        // past the attempt's time limit
	TruncatedDisconnect  = "disconnect"  // the connection broke or closed mid-body
	TruncatedUnspecified = "unspecified" // another reason (a content coding cut short)
)

// Hop is one redirect on the way to a Response: the exchange exactly as it
// crossed the connection. Its body is kept up to RedirectBodyBytes; a
// longer one is cut there and RawTruncated is TruncatedLength.
type Hop struct {
	// URL is the URL requested; Status (301, 302, 303, 307 or 308) and
	// Location are the answer, or 200 and the URL of the page's meta
	// refresh (Request.Refresh).
	URL      string
	Status   int
	Location string
	// RawRequest and RawResponse are as in Response.
	RawRequest   []byte
	RawResponse  []byte
	RawTruncated string
	// FetchedAt is when the request was sent; IP the server's address.
	FetchedAt time.Time
	IP        string
}

// RedirectBodyBytes caps the body of a redirect kept in Hop.RawResponse
// (as transferred). Redirect bodies are a line of HTML at most; a server
// sending more is not read further.
const RedirectBodyBytes = 64 << 10

// Fetch gets req.URL politely: robots.txt, pacing, retries, redirects and
// content checks as described in the package documentation. Errors wrap
// the package's sentinels, *StatusError or *ContentError, or the context's
// error when ctx ends.
func (c *Client) Fetch(ctx context.Context, req Request) (*Response, error) {
	u, err := parseTarget(req.URL)
	if err != nil {
		return nil, err
	}
	return c.follow(ctx, u, req, hopSpec{
		maxRedirects: c.opts.MaxRedirects,
		retries:      c.opts.Retries,
	})
}

// hopSpec says how follow treats one logical fetch.
type hopSpec struct {
	robots       bool          // this is the robots.txt fetch: no robots check, no retries, body truncated not refused
	origin       string        // for robots: the host key whose robots.txt this is
	crawlDelay   time.Duration // the hop's host's Crawl-delay from robots.txt; negative: not known
	share        *robotsShare  // for robots with a RobotsStore: see robotsShare
	maxRedirects int
	retries      int
}

// parseTarget parses and checks a URL to fetch.
func parseTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("fetch %q: %w: %v", raw, ErrInvalidURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("fetch %q: %w: scheme must be http or https", raw, ErrInvalidURL)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("fetch %q: %w: no host", raw, ErrInvalidURL)
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// follow fetches u, following redirects; each hop is checked against
// robots.txt and the address guard and paced on its own host.
func (c *Client) follow(ctx context.Context, u *url.URL, req Request, spec hopSpec) (*Response, error) {
	visited := make(map[string]bool)
	var redirects []string
	var hops []Hop
	for {
		key := u.String()
		if visited[key] {
			return nil, fmt.Errorf("fetch %s: %w after %d redirects", key, ErrRedirectLoop, len(redirects))
		}
		visited[key] = true
		if err := c.checkAddress(u); err != nil {
			return nil, err
		}
		hop := spec
		hop.crawlDelay = -1
		if !spec.robots && !c.opts.IgnoreRobots {
			d, err := c.checkRobots(ctx, u)
			if err != nil {
				return nil, err
			}
			hop.crawlDelay = d
		}
		res, err := c.withRetries(ctx, u, req, hop)
		if err != nil {
			var serr *StatusError
			if errors.As(err, &serr) && serr.Response != nil {
				serr.Response.Redirects, serr.Response.Hops = redirects, hops
			}
			return nil, err
		}
		var next *url.URL
		var loc string
		if isRedirect(res.Status) {
			loc = res.Header.Get("Location")
			if loc == "" {
				res.Redirects, res.Hops = redirects, hops
				return nil, &StatusError{URL: key, Code: res.Status, Response: res}
			}
			next, err = u.Parse(loc)
			if err != nil || (next.Scheme != "http" && next.Scheme != "https") || next.Hostname() == "" {
				return nil, fmt.Errorf("fetch %s: redirect to %q: %w", key, loc, ErrInvalidURL)
			}
			next.Fragment, next.RawFragment = "", ""
		} else if target, ok := c.refresh(req, res, u); ok {
			next, loc = target, target.String()
		}
		if next != nil {
			redirects = append(redirects, key)
			hops = append(hops, Hop{
				URL: key, Status: res.Status, Location: loc,
				RawRequest: res.RawRequest, RawResponse: res.RawResponse, RawTruncated: res.RawTruncated,
				FetchedAt: res.FetchedAt, IP: res.IP,
			})
			if len(redirects) > spec.maxRedirects {
				return nil, fmt.Errorf("fetch %s: %w (limit %d)", req.URL, ErrTooManyRedirects, spec.maxRedirects)
			}
			u = next
			continue
		}
		res.Redirects = redirects
		res.Hops = hops
		return res, nil
	}
}

// refresh says where a page's meta refresh leads, when req asks for
// such refreshes to be followed and finds this page is only a hop.
func (c *Client) refresh(req Request, res *Response, u *url.URL) (*url.URL, bool) {
	if req.Refresh == nil || req.Accept != AcceptPage || res.Status != http.StatusOK || res.NotModified {
		return nil, false
	}
	target, ok := metaRefresh(res.Body, u)
	if !ok || !req.Refresh(res) {
		return nil, false
	}
	return target, true
}

// checkAddress refuses a URL whose host is a non-public IP literal before
// anything is sent (names are checked on their resolved address when
// dialling).
func (c *Client) checkAddress(u *url.URL) error {
	if c.opts.AllowPrivate {
		return nil
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil && !IsPublic(ip) {
		return fmt.Errorf("fetch %s: %w", u, ErrPrivateAddress)
	}
	return nil
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// retryableStatus reports statuses worth another try.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return code >= 520 && code <= 530 // CDN-specific origin failures
}

// withRetries runs attempts on u until one gives a final answer: a
// non-retryable status, content, or an error that retrying cannot fix.
// Retries wait for Retry-After or an exponential back-off, and are paced
// like any request.
func (c *Client) withRetries(ctx context.Context, u *url.URL, req Request, spec hopSpec) (*Response, error) {
	retries := spec.retries
	if spec.robots {
		retries = 0
	}
	var failed error  // the failure the retry under way is for
	var cut *Response // the last try's body that stopped midway
	for n := 0; ; n++ {
		res, retryAfter, err := c.attempt(ctx, u, req, spec)
		if err != nil && res != nil && res.Cut {
			cut = res
		}
		var wait time.Duration
		switch {
		case err != nil && cut != nil && ctx.Err() == nil && (errors.Is(err, ErrHostPaused) || errors.Is(err, ErrHostHeld) || !transient(err) || n >= retries):
			// No try got the whole body: what arrived is returned,
			// marked, for the caller to read what it can of.
			return cut, nil
		case err != nil && failed != nil && (errors.Is(err, ErrHostPaused) || errors.Is(err, ErrHostHeld)):
			// The retry was refused without a request (these failures
			// paused the host, or it is held): the server's own answer
			// is what happened to this URL.
			return nil, failed
		case err != nil:
			if !transient(err) || n >= retries || ctx.Err() != nil {
				return nil, err
			}
			failed = err
			wait = backoff(c.opts.RetryBackoff, n)
		case retryableStatus(res.Status) && !spec.robots:
			serr := &StatusError{URL: u.String(), Code: res.Status, RetryAfter: retryAfter, Response: res}
			if n >= retries || retryAfter > c.opts.MaxRetryWait {
				return nil, serr
			}
			failed = serr
			wait = retryAfter
			if wait == 0 {
				wait = backoff(c.opts.RetryBackoff, n)
			}
		case res.Status >= 400 || (res.Status >= 300 && !isRedirect(res.Status) && res.Status != http.StatusNotModified) || res.Status < 200:
			return nil, &StatusError{URL: u.String(), Code: res.Status, RetryAfter: retryAfter, Response: res}
		default:
			return res, nil
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("fetch %s: waiting to retry: %w", u, err)
		}
	}
}

// transient reports errors a retry may fix: timeouts and connection
// failures, not refusals, cancellations or content decisions.
func transient(err error) bool {
	switch {
	case errors.Is(err, context.Canceled),
		errors.Is(err, ErrPrivateAddress), errors.Is(err, ErrHostPaused), errors.Is(err, ErrHostHeld), errors.Is(err, ErrGate), errors.Is(err, ErrInvalidURL),
		errors.Is(err, errUnsupportedEncoding), errors.Is(err, errRobotsShared),
		errors.Is(err, ErrNotHTML), errors.Is(err, ErrUnexpectedType), errors.Is(err, ErrTooLarge):
		return false
	}
	return true
}

// attempt makes one paced HTTP exchange and reads its body. For a 2xx it
// applies the content rules; other statuses come back with headers only
// (and Retry-After parsed) for withRetries and follow to judge.
func (c *Client) attempt(ctx context.Context, u *url.URL, req Request, spec hopSpec) (res *Response, retryAfter time.Duration, err error) {
	h := c.pacer.host(hostKey(u))
	defer c.pacer.done(h)
	if spec.crawlDelay >= 0 {
		h.useCrawlDelay(spec.crawlDelay)
	}
	release, err := c.pacer.acquire(ctx, h)
	if err != nil {
		return nil, 0, fmt.Errorf("fetch %s: %w", u, err)
	}
	var out outcome
	// held: this is the final answer of a robots.txt download shared
	// through a RobotsStore; the host is let go once the verdict is
	// stored (robotsShare).
	held := false
	defer func() {
		if held {
			spec.share.hold(func() { release(out) })
			return
		}
		release(out)
	}()
	onOrigin := spec.share != nil && hostKey(u) == spec.origin
	if onOrigin && spec.share.recheck {
		// The host is ours now, fleet-wide: a process that held it while
		// this one waited may have stored the file meanwhile.
		spec.share.recheck = false
		if rec, _ := spec.share.load(ctx); rec != nil {
			spec.share.found = rec
			out.unused = true
			return nil, 0, fmt.Errorf("fetch %s: %w", u, errRobotsShared)
		}
	}

	actx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()

	cp := &capture{}
	var (
		mu   sync.Mutex
		conn *recordingConn
		ip   string
	)
	trace := &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			mu.Lock()
			defer mu.Unlock()
			// The transport may retry on a fresh connection (an idle one
			// the server had closed); only the last try is the exchange.
			if conn != nil {
				conn.detach(cp)
				conn = nil
				cp.req.Reset()
				cp.resp.Reset()
				cp.truncated = false
			}
			if rc, ok := info.Conn.(*recordingConn); ok {
				rc.attach(cp)
				conn = rc
			}
			if addr, ok := info.Conn.RemoteAddr().(*net.TCPAddr); ok {
				ip = addr.IP.String()
			}
		},
	}
	defer func() {
		mu.Lock()
		if conn != nil {
			conn.detach(cp)
		}
		mu.Unlock()
	}()

	hreq, err := http.NewRequestWithContext(httptrace.WithClientTrace(actx, trace), http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, fmt.Errorf("fetch %s: %w: %v", u, ErrInvalidURL, err)
	}
	hreq.Header.Set("User-Agent", c.opts.UserAgent)
	hreq.Header.Set("Accept", req.Accept.header())
	hreq.Header.Set("Accept-Encoding", acceptEncoding)
	if spec.robots {
		hreq.Header.Set("Accept", "text/plain,*/*;q=0.5")
	} else {
		if req.ETag != "" {
			hreq.Header.Set("If-None-Match", req.ETag)
		}
		if req.LastModified != "" {
			hreq.Header.Set("If-Modified-Since", req.LastModified)
		}
	}

	start := time.Now()
	resp, err := c.transport.RoundTrip(hreq)
	if err != nil {
		err = c.attemptError(ctx, actx, u, err)
		out.failed = transient(err) && ctx.Err() == nil
		held = onOrigin
		return nil, 0, err
	}
	defer resp.Body.Close()
	held = onOrigin && !isRedirect(resp.StatusCode) // a redirect's next hop may need the host

	res = &Response{
		URL:         u.String(),
		Status:      resp.StatusCode,
		Header:      resp.Header,
		ContentType: resp.Header.Get("Content-Type"),
		FetchedAt:   start,
	}
	retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	out.retryAfter = retryAfter
	out.failed = retryableStatus(resp.StatusCode)

	limit := c.opts.MaxBodyBytes
	if req.Accept == AcceptSitemap || req.Accept == AcceptSource {
		limit = max(limit, c.opts.MaxSitemapBytes)
	}
	cut := "" // why the body was not read to its end (RawTruncated)
	switch {
	case resp.StatusCode == http.StatusNotModified:
		res.NotModified = true
	case resp.StatusCode < 200 || resp.StatusCode >= 300:
		// Redirects and errors: the body is not wanted, but a redirect's
		// is archived with it. Reading it lets the connection be reused;
		// past RedirectBodyBytes the rest is dropped with the connection.
		n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, RedirectBodyBytes+1))
		switch {
		case n > RedirectBodyBytes:
			cut = TruncatedLength
		case err != nil:
			// The archive must not keep as whole an error page whose
			// connection broke: it says why it is short.
			cut = c.cutReason(ctx, actx, u, err, true)
		}
	default:
		body, ct, err := c.readBody(resp, req.Accept, spec, limit)
		var stopped *bodyCut // not the bool cut above: the body's own error
		if errors.As(err, &stopped) && (req.Accept == AcceptFeed || req.Accept == AcceptSitemap || req.Accept == AcceptSource) && len(body) > 0 && ctx.Err() == nil {
			// Kept for withRetries, which returns it if no retry gets the
			// whole body: the entries before the cut can be read.
			res.Body, res.ContentType, res.Cut = body, ct, true
			err = c.attemptError(ctx, actx, u, stopped.err)
			out.failed = ctx.Err() == nil
			res.Duration = time.Since(start)
			c.finishRaw(res, &mu, &conn, cp, &ip, c.cutReason(ctx, actx, u, stopped.err, stopped.transfer))
			return res, retryAfter, err
		}
		if stopped != nil {
			err = stopped.err
		}
		if err != nil {
			err = c.attemptError(ctx, actx, u, err)
			var ce *ContentError
			if errors.As(err, &ce) {
				ce.URL, ce.Status = u.String(), resp.StatusCode
			} else {
				out.failed = transient(err) && ctx.Err() == nil
			}
			return nil, 0, err
		}
		res.Body, res.ContentType = body, ct
		if spec.robots {
			// Parsed here, before the host is released, so that the
			// release already paces the host by the Crawl-delay just
			// learnt: the first page request after robots.txt waits for
			// it, here and (through the gate's lease) in other processes.
			res.robots = parseRobots(body)
			if hostKey(u) == spec.origin {
				out.robots = true
				out.crawlDelay = res.robots.FindGroup(c.agent).CrawlDelay
			}
		}
	}
	res.Duration = time.Since(start)
	c.finishRaw(res, &mu, &conn, cp, &ip, cut)
	return res, retryAfter, nil
}

// cutReason says why a body stopped before its end (RawTruncated), from
// the error that stopped it: the attempt's time limit, the transfer
// itself failing (transfer: the connection broke or closed before the
// length it declared), or, on a transfer that looked whole, its content
// coding ending early.
func (c *Client) cutReason(ctx, actx context.Context, u *url.URL, err error, transfer bool) string {
	switch {
	case errors.Is(c.attemptError(ctx, actx, u, err), ErrTimeout):
		return TruncatedTime
	case transfer && ctx.Err() == nil:
		return TruncatedDisconnect
	}
	return TruncatedUnspecified
}

// finishRaw detaches the recording connection and fills in what it
// recorded of the exchange. cut says why the body was not read to its
// end, if it was not: TruncatedLength shortens a redirect's or error's
// body to RedirectBodyBytes. A raw response cut at our own cap first
// stays TruncatedLength.
func (c *Client) finishRaw(res *Response, mu *sync.Mutex, conn **recordingConn, cp *capture, ip *string, cut string) {
	mu.Lock()
	if *conn != nil {
		(*conn).detach(cp)
	}
	res.IP = *ip // under mu: the trace sets it
	mu.Unlock()
	res.RawRequest = cp.req.Bytes()
	res.RawResponse = cp.resp.Bytes()
	res.RawTruncated = ""
	if cp.truncated {
		res.RawTruncated = TruncatedLength
	}
	switch {
	case cut == TruncatedLength:
		res.RawResponse, res.RawTruncated = cutBody(res.RawResponse, RedirectBodyBytes), TruncatedLength
	case cut != "" && res.RawTruncated == "":
		res.RawTruncated = cut
	}
}

// cutBody shortens a raw response to its head and at most n bytes of the
// body as transferred. The connection may have delivered more than was
// read; those bytes are not part of what is kept.
func cutBody(raw []byte, n int) []byte {
	i := bytes.Index(raw, []byte("\r\n\r\n"))
	if i < 0 {
		return raw
	}
	if end := i + 4 + n; end < len(raw) {
		return raw[:end]
	}
	return raw
}

// readBody reads a 2xx body: undoes Content-Encoding, sniffs the first
// bytes, applies the content rules for kind, and reads the rest up to
// limit.
func (c *Client) readBody(resp *http.Response, kind Accept, spec hopSpec, limit int64) ([]byte, string, error) {
	declared := resp.Header.Get("Content-Type")
	encoding := resp.Header.Get("Content-Encoding")
	if spec.robots {
		limit = robotsMaxBytes
		kind = AcceptAny
	}
	if !spec.robots && (encoding == "" || strings.EqualFold(encoding, "identity")) && resp.ContentLength > limit {
		return nil, declared, &ContentError{ContentType: declared, Limit: limit, Err: ErrTooLarge}
	}
	if kind == AcceptPage && declared != "" && !isHTMLType(mediaType(declared)) && !isGenericType(mediaType(declared)) {
		// Plainly not HTML: do not download a byte of it.
		return nil, declared, &ContentError{ContentType: declared, Err: ErrNotHTML}
	}
	// tr tells a transfer that failed (the connection broke or closed
	// before the length it declared) from a content coding cut short.
	tr := &errReader{r: resp.Body}
	dr, err := decoder(encoding, tr)
	if err != nil {
		if errors.Is(err, io.EOF) { // empty body with a Content-Encoding
			return nil, declared, nil
		}
		return nil, declared, err
	}
	if closer, ok := dr.(io.Closer); ok {
		defer closer.Close()
	}
	head := make([]byte, sniffLen)
	// ReadFull says ErrUnexpectedEOF for a body shorter than the sniff
	// length, whole or not; the reader's own error tells a cut one.
	er := &errReader{r: dr}
	n, _ := io.ReadFull(er, head)
	head = head[:n]
	ct, rej := classify(kind, declared, head)
	if er.err != nil && er.err != io.EOF {
		if n == 0 || rej != nil {
			return nil, ct, fmt.Errorf("read body: %w", er.err)
		}
		return head, ct, &bodyCut{err: fmt.Errorf("read body: %w", er.err), transfer: tr.failed()}
	}
	if rej != nil {
		return nil, ct, &ContentError{ContentType: ct, Err: rej}
	}
	body := head
	if n == sniffLen {
		rest, err := io.ReadAll(io.LimitReader(dr, limit+1-int64(n)))
		body = append(body, rest...)
		if err != nil {
			if int64(len(body)) > limit {
				body = body[:limit]
			}
			return body, ct, &bodyCut{err: fmt.Errorf("read body: %w", err), transfer: tr.failed()}
		}
	}
	if int64(len(body)) > limit {
		if spec.robots {
			return body[:limit], ct, nil
		}
		return nil, ct, &ContentError{ContentType: ct, Limit: limit, Err: ErrTooLarge}
	}
	return body, ct, nil
}

// errReader keeps the first error its reader returned.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}

// failed reports whether the reader stopped on an error other than its
// end.
func (e *errReader) failed() bool { return e.err != nil && e.err != io.EOF }

// bodyCut is readBody's error when the body stopped before its end (the
// connection closed or broke mid-body, a compressed stream ended early):
// the bytes that arrived are returned with it. transfer says the
// transfer itself failed, not only the content coding.
type bodyCut struct {
	err      error
	transfer bool
}

func (e *bodyCut) Error() string { return e.err.Error() }
func (e *bodyCut) Unwrap() error { return e.err }

// attemptError wraps an error from one attempt: the caller's context
// error as is, our own deadline or a network timeout as ErrTimeout.
func (c *Client) attemptError(ctx, actx context.Context, u *url.URL, err error) error {
	var ce *ContentError
	switch {
	case errors.As(err, &ce):
		return err
	case ctx.Err() != nil:
		return fmt.Errorf("fetch %s: %w", u, ctx.Err())
	case errors.Is(err, ErrPrivateAddress):
		return fmt.Errorf("fetch %s: %w", u, ErrPrivateAddress)
	case actx.Err() != nil:
		return fmt.Errorf("fetch %s: %w (attempt limit %s)", u, ErrTimeout, c.opts.Timeout)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("fetch %s: %w: %v", u, ErrTimeout, err)
	}
	return fmt.Errorf("fetch %s: %w", u, err)
}

// maxRetryAfter clamps absurd Retry-After values, in seconds or as a
// date (MaxRetryWait decides whether to wait; this bounds how long a
// caller holds the host and defers its URLs).
const maxRetryAfter = 30 * 24 * time.Hour

func parseSeconds(v string) (time.Duration, error) {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, err
	}
	return time.Duration(min(n, uint64(maxRetryAfter/time.Second))) * time.Second, nil
}

func parseHTTPDate(v string) (time.Time, error) { return http.ParseTime(v) }
