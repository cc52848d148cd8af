package harvest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/herald-archive/herald/extract"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/fetch"
)

// Summary is what a run did. Its maps are never nil.
type Summary struct {
	// Polled counts feed, sitemap and URL-list documents fetched (304
	// answers included); NotModified those that answered 304.
	Polled      int `json:"polled"`
	NotModified int `json:"not_modified"`
	// Fetched counts pages fetched (an HTTP response with a body).
	Fetched int `json:"fetched"`
	// Listings counts pages that were not articles and whose links a site
	// crawl followed.
	Listings int `json:"listings"`
	// Bytes is the body bytes of everything fetched.
	Bytes int64 `json:"bytes"`
	// Queued counts URLs added to the frontier; Requeued URLs put back
	// because a sitemap says they changed.
	Queued   int `json:"queued"`
	Requeued int `json:"requeued"`
	// Retried counts URLs that had failed for good in an earlier run and
	// were queued again: named again in a URL list, or listed again after
	// a refusal that other settings may lift (private address, robots).
	Retried int `json:"retried"`
	// New, Updated, Refreshed, Unchanged and Duplicate are the archive's
	// verdicts on the articles stored (see store.Outcome); an article the
	// archive withholds is skipped (ReasonWithheld).
	New       int `json:"new"`
	Updated   int `json:"updated"`
	Refreshed int `json:"refreshed"`
	Unchanged int `json:"unchanged"`
	Duplicate int `json:"duplicate"`
	// Skipped counts URLs not fetched or not stored, by reason: "seen",
	// "robots", "not html", "too large", "timeout", "http 404", "not
	// article", … (see Reason* constants).
	Skipped map[string]int `json:"skipped"`
	// Dispatched counts URLs handed to workers (Options.Dispatcher).
	Dispatched int `json:"dispatched,omitempty"`
	// Deferred counts URLs put back in the frontier to be tried again later
	// (a transient failure, a Retry-After, an interrupted run).
	Deferred int `json:"deferred"`
	// ErrorsByHost counts failed fetches (HTTP errors, timeouts, connection
	// failures) per host; policy skips (robots, not HTML) are not errors.
	ErrorsByHost map[string]int `json:"errors_by_host"`
	// PollErrors maps the feeds, sitemaps and pages polled that failed
	// (could not be fetched or read) to why, and the URLs of a URL list
	// (HarvestPages) that could not be fetched in this run, under their
	// canonical URL. A poll's message names each of its sitemaps that
	// failed (up to a few) and says when they are read again at the
	// next poll. Sources also keep theirs in LastError.
	PollErrors map[string]string `json:"poll_errors,omitempty"`
	// Cut maps the feeds and sitemaps that were cut off mid-document (the
	// connection broke mid-body, or the document stops mid-way) to what
	// was read of them: the entries before the cut were queued, and the
	// next poll reads the document whole again (its source's validators
	// are dropped and its LastPolled kept). Sources also keep it in
	// LastError.
	Cut map[string]string `json:"cut,omitempty"`
	// Waiting is the number of URLs left in the queue when the run ended
	// (deferred for a retry, beyond MaxPages, not yet due), and NextDue
	// the earliest time one of them may be fetched: the next harvest
	// after it fetches them. NextDue is zero when none waits, or when one
	// may be fetched at once.
	Waiting int       `json:"waiting"`
	NextDue time.Time `json:"next_due,omitzero"`
	// Duration is the run's wall time.
	Duration archive.Millis `json:"duration_ms"`
}

func newSummary() Summary {
	return Summary{Skipped: map[string]int{}, ErrorsByHost: map[string]int{}, PollErrors: map[string]string{}, Cut: map[string]string{}}
}

// Stored is the number of articles the archive accepted (new, updated,
// duplicate or unchanged).
func (s *Summary) Stored() int { return s.New + s.Updated + s.Refreshed + s.Unchanged + s.Duplicate }

// Errors is the number of failed fetches over all hosts.
func (s *Summary) Errors() int {
	n := 0
	for _, v := range s.ErrorsByHost {
		n += v
	}
	return n
}

// Add adds the counts of o to s (Duration too).
func (s *Summary) Add(o *Summary) {
	s.Polled += o.Polled
	s.NotModified += o.NotModified
	s.Fetched += o.Fetched
	s.Listings += o.Listings
	s.Bytes += o.Bytes
	s.Queued += o.Queued
	s.Requeued += o.Requeued
	s.Retried += o.Retried
	s.New += o.New
	s.Updated += o.Updated
	s.Refreshed += o.Refreshed
	s.Unchanged += o.Unchanged
	s.Duplicate += o.Duplicate
	s.Deferred += o.Deferred
	s.Dispatched += o.Dispatched
	if s.Skipped == nil {
		s.Skipped = map[string]int{}
	}
	if s.ErrorsByHost == nil {
		s.ErrorsByHost = map[string]int{}
	}
	for k, v := range o.Skipped {
		s.Skipped[k] += v
	}
	for k, v := range o.ErrorsByHost {
		s.ErrorsByHost[k] += v
	}
	for k, v := range o.PollErrors {
		if s.PollErrors == nil {
			s.PollErrors = map[string]string{}
		}
		s.PollErrors[k] = v
	}
	for k, v := range o.Cut {
		if s.Cut == nil {
			s.Cut = map[string]string{}
		}
		s.Cut[k] = v
	}
	s.Waiting, s.NextDue = o.Waiting, o.NextDue // the queue as the later run left it
	s.Duration += o.Duration
}

// Progress is a snapshot of a run's counts for progress displays.
type Progress struct {
	// Fetched counts pages and documents fetched so far; Extracted the
	// pages extraction has run on; Stored the articles written.
	Fetched, Extracted, Stored int
	// Pending is the URLs claimed from the frontier and not yet finished.
	Pending int
	// Queued is the URLs added to the frontier in this run.
	Queued int
	// Skipped and Errors count URLs skipped and failed fetches.
	Skipped, Errors int
}

// Skip and failure reasons, as recorded in Summary.Skipped, the fetch log's
// Error and the frontier's Reason. HTTP statuses are "http NNN".
const (
	ReasonSeen = "seen"
	// ReasonWithheld: the archive withholds the article (herald delete
	// --withhold), so it was not stored.
	ReasonWithheld   = "withheld"
	ReasonOutOfScope = "out of scope"
	// ReasonUnchanged: a URL listed again with a sitemap lastmod that
	// asks for no fetch: not later than the archived copy, or the one
	// it was already queued or fetched for (archived or not).
	ReasonUnchanged    = "unchanged (lastmod)"
	ReasonRobots       = "robots"
	ReasonRobotsDown   = "robots unavailable"
	ReasonNotHTML      = "not html"
	ReasonBadType      = "unexpected type"
	ReasonTooLarge     = "too large"
	ReasonEmpty        = "empty"
	ReasonTimeout      = "timeout"
	ReasonPrivate      = "private address"
	ReasonHostPaused   = "host paused"
	ReasonRedirectLoop = "redirect loop"
	ReasonRedirects    = "too many redirects"
	ReasonInvalidURL   = "invalid url"
	ReasonConnection   = "connection error"
	ReasonNotArticle   = "not article"
	// ReasonSoft404: a page answered with 200 that only says it is not
	// there ("Page not found", "Seite nicht gefunden"; see isSoft404).
	ReasonSoft404     = "soft 404"
	ReasonBadRecord   = "invalid record"
	ReasonInterrupted = "interrupted"
	ReasonNotFeed     = "not a feed or sitemap"
	ReasonHeld        = "host asked to wait (Retry-After)"
	ReasonCrawlDelay  = "host asked to wait (Crawl-delay)"
	// ReasonCrashed: extraction panicked on the page, a bug in Herald
	// (logged with the stack); the URL fails and its capture is kept.
	ReasonCrashed = "extraction crashed"
)

// unaskedReasons are the failures of a claim that sent nothing for the
// URL (failure.unasked): the frontier keeps the URL queued without
// counting the claim.
var unaskedReasons = []string{ReasonHeld, ReasonCrawlDelay, ReasonHostPaused}

// failure is a classified fetch or extraction error.
type failure struct {
	reason string
	status int
	// transient: trying again later may work.
	transient bool
	// hostError: counts in ErrorsByHost (not a policy decision).
	hostError bool
	// unasked: nothing was sent for the URL (its host is held or
	// paused), so the try does not count against Options.MaxAttempts.
	unasked    bool
	retryAfter time.Duration
}

// classify turns a fetch or extract error into a reason. The context's own
// errors are not classified: callers check ctx first.
func classify(err error) failure {
	var se *fetch.StatusError
	var he *fetch.HeldError
	switch {
	case errors.As(err, &se):
		f := failure{reason: fmt.Sprintf("http %d", se.Code), status: se.Code, hostError: true, retryAfter: se.RetryAfter}
		f.transient = se.Code == http.StatusTooManyRequests || se.Code >= 500
		return f
	case errors.Is(err, fetch.ErrRobotsUnavailable):
		return failure{reason: ReasonRobotsDown, transient: true, hostError: true}
	case errors.Is(err, fetch.ErrDisallowed):
		return failure{reason: ReasonRobots}
	case errors.Is(err, fetch.ErrNotHTML), errors.Is(err, extract.ErrNotHTML):
		return failure{reason: ReasonNotHTML}
	case errors.Is(err, fetch.ErrUnexpectedType):
		return failure{reason: ReasonBadType}
	case errors.Is(err, fetch.ErrTooLarge), errors.Is(err, extract.ErrTooLarge):
		return failure{reason: ReasonTooLarge}
	case errors.Is(err, extract.ErrEmpty):
		return failure{reason: ReasonEmpty}
	case errors.Is(err, fetch.ErrPrivateAddress):
		return failure{reason: ReasonPrivate}
	case errors.As(err, &he):
		f := failure{reason: ReasonHeld, transient: true, unasked: true, retryAfter: time.Until(he.Until)}
		if he.CrawlDelay > 0 {
			f.reason = ReasonCrawlDelay
		}
		return f
	case errors.Is(err, fetch.ErrHostPaused):
		return failure{reason: ReasonHostPaused, transient: true, unasked: true}
	case errors.Is(err, fetch.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return failure{reason: ReasonTimeout, transient: true, hostError: true}
	case errors.Is(err, fetch.ErrRedirectLoop):
		return failure{reason: ReasonRedirectLoop, hostError: true}
	case errors.Is(err, fetch.ErrTooManyRedirects):
		return failure{reason: ReasonRedirects, hostError: true}
	case errors.Is(err, fetch.ErrInvalidURL):
		return failure{reason: ReasonInvalidURL}
	}
	return failure{reason: ReasonConnection, transient: true, hostError: true}
}
