package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Errors callers branch on with errors.Is. A harvest records most of them
// as the reason a URL was skipped; only a cancelled context should stop it.
var (
	// ErrDisallowed: robots.txt does not allow this URL for our agent.
	ErrDisallowed = errors.New("disallowed by robots.txt")
	// ErrRobotsUnavailable: the host's robots.txt answered 5xx or could not
	// be reached, so the host is treated as disallowed for a while
	// (Options.RobotsErrorTTL). Errors wrapping it also match
	// ErrDisallowed.
	ErrRobotsUnavailable = errors.New("robots.txt unavailable")
	// ErrNotHTML: a page fetch (AcceptPage) got something other than HTML.
	// The body was not downloaded past what sniffing needed.
	ErrNotHTML = errors.New("not html")
	// ErrUnexpectedType: a feed or sitemap fetch got a binary type (image,
	// PDF, video, ...) that cannot be a feed or sitemap.
	ErrUnexpectedType = errors.New("unexpected content type")
	// ErrTooLarge: the body exceeds Options.MaxBodyBytes. Reading stopped
	// at the cap.
	ErrTooLarge = errors.New("body too large")
	// ErrPrivateAddress: the URL's host is, or resolves to, a loopback,
	// private, link-local, unspecified or multicast address and
	// Options.AllowPrivate is false. Nothing was sent to it.
	ErrPrivateAddress = errors.New("private address refused")
	// ErrHostPaused: the host failed Options.PauseAfter times in a row and
	// is paused for Options.PauseFor; nothing was sent.
	ErrHostPaused = errors.New("host paused after repeated failures")
	// ErrTimeout: an attempt ran out of time (dial, TLS, headers or the
	// whole-attempt Timeout) after all retries.
	ErrTimeout = errors.New("timeout")
	// ErrTooManyRedirects: more than Options.MaxRedirects redirects.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrRedirectLoop: a redirect led back to a URL already visited in
	// this Fetch.
	ErrRedirectLoop = errors.New("redirect loop")
	// ErrInvalidURL: the URL cannot be fetched (unparsable, not http or
	// https, no host).
	ErrInvalidURL = errors.New("invalid url")
)

// StatusError is an HTTP status Fetch does not turn into a Response: 4xx
// (other than 304) at once, 5xx and 429 after retries, a 3xx without a
// usable Location.
type StatusError struct {
	// URL is the URL that answered with Code.
	URL string
	// Code is the HTTP status code.
	Code int
	// RetryAfter is the server's Retry-After, when it sent one.
	RetryAfter time.Duration
	// Response is the answer as received: its raw request and response
	// (the body up to RedirectBodyBytes, RawTruncated beyond) and the
	// redirects that led to it in Hops, for an archive that keeps failed
	// fetches too. Body is empty. nil for a StatusError made without an
	// exchange.
	Response *Response
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("fetch %s: http status %d %s", e.URL, e.Code, http.StatusText(e.Code))
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// ContentError reports a response that arrived but was not taken: its Err
// is ErrNotHTML, ErrUnexpectedType or ErrTooLarge. It carries what a
// caller may want to record about the skipped URL.
type ContentError struct {
	// URL is the final URL (after redirects).
	URL string
	// Status is the HTTP status code.
	Status int
	// ContentType is the declared Content-Type, or the sniffed one when
	// none was declared.
	ContentType string
	// Limit is Options.MaxBodyBytes for ErrTooLarge.
	Limit int64
	// Err is the sentinel.
	Err error
}

func (e *ContentError) Error() string {
	if errors.Is(e.Err, ErrTooLarge) {
		return fmt.Sprintf("fetch %s: %v (limit %d bytes)", e.URL, e.Err, e.Limit)
	}
	return fmt.Sprintf("fetch %s: %v (content type %q)", e.URL, e.Err, e.ContentType)
}

func (e *ContentError) Unwrap() error { return e.Err }
