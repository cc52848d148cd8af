package fetch

import (
	"crypto/tls"
	"runtime/debug"
	"time"
)

// Defaults applied to zero Options fields.
const (
	DefaultMinDelay        = time.Second
	DefaultMaxConcurrency  = 8
	DefaultPerHost         = 1
	DefaultDialTimeout     = 10 * time.Second
	DefaultTLSTimeout      = 10 * time.Second
	DefaultHeaderTimeout   = 20 * time.Second
	DefaultTimeout         = 60 * time.Second
	DefaultMaxBodyBytes    = 16 << 20
	DefaultMaxSitemapBytes = 50 << 20
	DefaultMaxRedirects    = 10
	DefaultRetries         = 3
	DefaultRetryBackoff    = time.Second
	DefaultMaxRetryWait    = 2 * time.Minute
	DefaultPauseAfter      = 5
	DefaultPauseFor        = 10 * time.Minute
	DefaultRobotsTTL       = 24 * time.Hour
	DefaultRobotsErrorTTL  = 10 * time.Minute
	DefaultMaxHosts        = 100_000
	defaultMaxBackoff      = time.Minute
	robotsMaxBytes         = 512 << 10
	robotsMaxRedirects     = 5
	maxResponseHeaderBytes = 1 << 20
)

// Options configures a Client. The zero value is ready to use: every zero
// field means "the default" written beside it. Where a field can also be
// switched off, a negative value does that, and the field says so; there is
// no other way to turn anything off. Durations that cannot be switched off
// (timeouts, TTLs, back-offs) treat a negative value as zero.
type Options struct {
	// UserAgent is sent with every request and names Herald and a contact
	// URL. Default: DefaultUserAgent(). Its first product token ("Herald")
	// selects the robots.txt group.
	UserAgent string

	// MinDelay is the least time between the end of one request to a host
	// and the start of the next. A robots.txt Crawl-delay raises it for
	// that host. Default 1s; negative: no delay (tests, owned hosts).
	MinDelay time.Duration
	// MaxConcurrency caps requests in flight across all hosts. Default 8.
	MaxConcurrency int
	// PerHost caps requests in flight to one host (host:port). Default 1.
	PerHost int

	// DialTimeout bounds the TCP connect. Default 10s.
	DialTimeout time.Duration
	// TLSTimeout bounds the TLS handshake. Default 10s.
	TLSTimeout time.Duration
	// HeaderTimeout bounds the wait for response headers once the request
	// is sent. Default 20s.
	HeaderTimeout time.Duration
	// Timeout bounds one attempt from dial to the last body byte, so a
	// server trickling its body cannot hold a worker. Default 60s.
	Timeout time.Duration

	// MaxBodyBytes caps a response body after content decoding; reading
	// stops at the cap and Fetch returns ErrTooLarge. Default 16 MiB.
	MaxBodyBytes int64
	// MaxSitemapBytes caps the body of a sitemap (AcceptSitemap, and
	// AcceptSource, which may turn out to be one) in the
	// same way, when larger than MaxBodyBytes: a sitemap may be 50 MiB
	// uncompressed by its protocol, and a plain 50,000-URL one with image
	// or news tags is more than a page's cap. (Feeds keep MaxBodyBytes:
	// the feed parser builds a tree several times their size.) Default
	// 50 MiB.
	MaxSitemapBytes int64
	// MaxRedirects caps redirects followed per Fetch. Default 10; negative:
	// follow none (a redirect then fails with ErrTooManyRedirects).
	MaxRedirects int

	// Retries is how many times an attempt that failed transiently (5xx,
	// 429, timeout, connection error) is repeated. Default 3; negative:
	// none.
	Retries int
	// RetryBackoff is the first back-off; it doubles on each retry, with
	// jitter, up to a minute. Retry-After, when sent, is used instead.
	// Default 1s.
	RetryBackoff time.Duration
	// MaxRetryWait caps how long Fetch waits for a Retry-After. A server
	// asking for longer gets no retry: Fetch returns the *StatusError with
	// its RetryAfter so the caller can requeue, and later fetches from the
	// host fail at once with a *HeldError (ErrHostHeld) until the wait
	// is down to MaxRetryWait, rather than sleep through it. A robots.txt
	// Crawl-delay longer than MaxRetryWait (and MinDelay) holds the host
	// the same way between two requests (the first page after robots.txt
	// waits at most MaxRetryWait). Default 2m.
	MaxRetryWait time.Duration

	// PauseAfter is how many failed attempts in a row pause a host.
	// Default 5; negative: never pause.
	PauseAfter int
	// PauseFor is how long a failing host is paused; Fetch to it returns
	// ErrHostPaused meanwhile. Default 10m.
	PauseFor time.Duration

	// AllowPrivate lets requests reach loopback, private, link-local,
	// unspecified and multicast addresses. Default false: such addresses
	// are refused with ErrPrivateAddress, checked on the resolved IP when
	// dialling so DNS cannot be used to get around it.
	AllowPrivate bool

	// IgnoreRobots disables robots.txt. Default false: robots.txt is
	// fetched, cached and obeyed for every host.
	IgnoreRobots bool
	// RobotsTTL is how long a fetched robots.txt is trusted. Default 24h,
	// the most RFC 9309 lets a crawler use a cached copy.
	RobotsTTL time.Duration
	// RobotsErrorTTL is how long a host whose robots.txt answered 5xx or
	// could not be reached stays disallowed before robots.txt is tried
	// again. Default 10m.
	RobotsErrorTTL time.Duration

	// Robots, when set, shares robots.txt verdicts with other processes
	// (see RobotsStore): one stored and not expired is used instead of
	// downloading the file, and one downloaded is stored. Under a Gate,
	// the store is asked again once the host is taken, so that processes
	// missing it at once download it once. Default nil: each Client
	// downloads and caches its own.
	Robots RobotsStore

	// MaxHosts caps the hosts whose pacing state, and the origins whose
	// robots.txt, are kept in memory; the least recently used are
	// forgotten first (a robots.txt is then fetched again when needed).
	// A host with a request in flight or waiting, or whose delay,
	// Crawl-delay, Retry-After or pause has not run out, is never
	// forgotten, so pacing holds whatever the cap; the cap is exceeded
	// while more hosts than that are busy. Default 100,000; the memory
	// that takes is mostly the parsed robots.txt files, a few KiB each
	// as a rule.
	MaxHosts int

	// Gate, when set, is asked for each host before every request and told
	// when the host's next request may start, so that several processes
	// share one per-host schedule (see HostGate). Default nil: pacing is
	// per Client.
	Gate HostGate

	// OnRobots, when set, is given each robots.txt exchange the client
	// makes, whatever its status (a 404 says "everything allowed" as
	// surely as a file says what is not), with the redirects that led to
	// it in Hops, so that a crawl's archive can hold the rules it obeyed.
	// It is called on the goroutine that needed the file, before the page
	// request; it must not call the Client.
	OnRobots func(*Response)

	// TLSConfig, when set, is cloned for TLS connections (private CAs,
	// tests). Default: the system roots.
	TLSConfig *tls.Config
}

// DefaultUserAgent is the User-Agent used when Options.UserAgent is empty:
// "Herald/<version> (+https://github.com/herald-archive/herald)", where the
// version is the module version the binary was built from, or "dev".
func DefaultUserAgent() string {
	v := "dev"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return "Herald/" + v + " (+https://github.com/herald-archive/herald)"
}

// withDefaults returns o with zero fields replaced by their defaults and
// "off" (negative) values normalised: MinDelay 0, MaxRedirects 0,
// Retries 0, PauseAfter 0 all mean off afterwards.
func (o Options) withDefaults() Options {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent()
	}
	o.MinDelay = durOr(o.MinDelay, DefaultMinDelay)
	if o.MaxConcurrency <= 0 {
		o.MaxConcurrency = DefaultMaxConcurrency
	}
	if o.PerHost <= 0 {
		o.PerHost = DefaultPerHost
	}
	o.DialTimeout = posOr(o.DialTimeout, DefaultDialTimeout)
	o.TLSTimeout = posOr(o.TLSTimeout, DefaultTLSTimeout)
	o.HeaderTimeout = posOr(o.HeaderTimeout, DefaultHeaderTimeout)
	o.Timeout = posOr(o.Timeout, DefaultTimeout)
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxSitemapBytes <= 0 {
		o.MaxSitemapBytes = DefaultMaxSitemapBytes
	}
	o.MaxRedirects = intOr(o.MaxRedirects, DefaultMaxRedirects)
	o.Retries = intOr(o.Retries, DefaultRetries)
	o.RetryBackoff = posOr(o.RetryBackoff, DefaultRetryBackoff)
	o.MaxRetryWait = posOr(o.MaxRetryWait, DefaultMaxRetryWait)
	o.PauseAfter = intOr(o.PauseAfter, DefaultPauseAfter)
	o.PauseFor = posOr(o.PauseFor, DefaultPauseFor)
	o.RobotsTTL = posOr(o.RobotsTTL, DefaultRobotsTTL)
	o.RobotsErrorTTL = posOr(o.RobotsErrorTTL, DefaultRobotsErrorTTL)
	if o.MaxHosts <= 0 {
		o.MaxHosts = DefaultMaxHosts
	}
	return o
}

// posOr maps zero and negative to def.
func posOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// durOr maps zero to def and negative to zero ("off").
func durOr(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// intOr maps zero to def and negative to zero ("off").
func intOr(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return 0
	}
	return n
}
