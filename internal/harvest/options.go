package harvest

import (
	"log/slog"

	"github.com/herald-archive/herald/internal/fetch"
	"runtime"
	"time"
)

// Defaults applied to zero Options fields.
const (
	DefaultConcurrency = 8
	DefaultDelay       = time.Second
	DefaultMaxDepth    = 2
	DefaultBatchSize   = 64
	DefaultInterval    = time.Hour
	DefaultRetryAfter  = 10 * time.Minute
	DefaultMaxAttempts = 3
	DefaultRetryWindow = 24 * time.Hour
)

// Options configure a Harvester. The zero value is ready to use: every zero
// field means the default written beside it.
type Options struct {
	// Concurrency caps fetches in flight across all hosts. Default 8.
	// Requests to one host always go one at a time.
	Concurrency int
	// Delay is the least time between two requests to one host (a
	// robots.txt Crawl-delay raises it). Default 1s; negative: no delay,
	// for tests and benchmarks against hosts you own.
	Delay time.Duration
	// UserAgent names Herald and a contact URL. Default
	// fetch.DefaultUserAgent().
	UserAgent string
	// AllowPrivate lets fetches reach loopback, private and link-local
	// addresses. Default false: such URLs are refused and recorded as
	// skipped ("private address"), so a harvest cannot be pointed at the
	// network it runs in.
	AllowPrivate bool
	// Timeout bounds one fetch attempt from dial to the last body byte.
	// Default: fetch.DefaultTimeout.
	Timeout time.Duration
	// MaxBodyBytes caps a response body. Default: fetch.DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// RetryBackoff is the fetcher's first back-off between retries of a
	// transient failure (5xx, 429, timeouts). Default:
	// fetch.DefaultRetryBackoff.
	RetryBackoff time.Duration

	// MaxPages caps the frontier pages fetched in one run (feeds, sitemaps
	// and site seeds do not count). What is left stays queued for the next
	// run. Default 0: no cap.
	MaxPages int
	// MaxDepth is how many links a site crawl follows from its seed page.
	// Default 2.
	MaxDepth int

	// WARCDir is where captures are written (WARC/1.1, gzip per record).
	// Empty: nothing is captured and records carry no capture reference.
	WARCDir string
	// CaptureBase, when set, is the folder that stored capture paths are
	// made relative to (normally the archive's folder), so an archive and
	// its WARC folder can be moved together. Empty: absolute paths.
	CaptureBase string

	// BatchSize is the most records stored in one archive transaction.
	// Default 64.
	BatchSize int
	// Interval is the re-poll interval of sources that set none. Default 1h.
	Interval time.Duration
	// RetryAfter is how long a URL that failed transiently (after the
	// fetcher's own retries) waits in the frontier before it is tried
	// again, unless the server said otherwise; the wait doubles with each
	// try, up to a day. Default 10m.
	RetryAfter time.Duration
	// MaxAttempts is how many runs may try a URL before it is failed for
	// good. A run that asked nothing of the URL (its host held by a
	// Retry-After or Crawl-delay, or paused, or the run interrupted) does
	// not count. Default 3.
	MaxAttempts int
	// RetryWindow is how long after it was queued a URL that fails
	// transiently (a server error, a timeout, a host down) is tried again
	// whatever MaxAttempts says, so that a site's outage of some hours
	// loses none of the URLs queued meanwhile. Default 24h; negative:
	// none, MaxAttempts alone decides.
	RetryWindow time.Duration
	// ExtractWorkers caps extractions running at once. Default
	// GOMAXPROCS.
	ExtractWorkers int

	// Dispatcher, when set, makes runs coordinators: claimed frontier URLs
	// are handed to it instead of fetched here (see Dispatcher). Default
	// nil: everything runs in this process.
	Dispatcher Dispatcher
	// Gate, when set, shares per-host politeness with other processes
	// (fetch.HostGate): every request waits for its host in the gate.
	// Default nil: politeness is this process's alone.
	Gate fetch.HostGate
	// Robots, when set, shares robots.txt with other processes
	// (fetch.RobotsStore): a file another process downloaded is used
	// rather than downloaded again (and is not captured again: the WARC
	// of the process that downloaded it holds it). Default nil: each
	// process downloads and caches its own.
	Robots fetch.RobotsStore

	// Holder says what runs the harvests, for the error another process
	// gets while one holds the archive's harvest lock. Default "herald
	// harvest".
	Holder string

	// Logger receives one line per source poll and per failed URL (debug).
	// Default: discard.
	Logger *slog.Logger
	// Progress, when set, is called from one goroutine (never
	// concurrently) each time the counts change. It must be quick.
	Progress func(Progress)
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	switch {
	case o.Delay == 0:
		o.Delay = DefaultDelay
	case o.Delay < 0:
		o.Delay = -1 // normalised "off"; fetch treats negative as no delay
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if o.Holder == "" {
		o.Holder = "herald harvest"
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = DefaultRetryAfter
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.RetryWindow == 0 {
		o.RetryWindow = DefaultRetryWindow
	}
	if o.ExtractWorkers <= 0 {
		o.ExtractWorkers = runtime.GOMAXPROCS(0)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// pace is the delay used to spread one host's queued URLs over time.
func (o Options) pace() time.Duration {
	if o.Delay < 0 {
		return 0
	}
	return o.Delay
}
