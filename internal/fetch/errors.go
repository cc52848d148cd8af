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
	// ErrRobotsUnavailable: the host's robots.txt answered 5xx or 429, or
	// the host could not be reached (refused connection, unknown name,
	// timeout). As RFC 9309 asks, nothing is fetched from the host for a
	// while (Options.RobotsErrorTTL); but that is the host failing, not
	// a rule, so these errors do not match ErrDisallowed. They are
	// *RobotsUnavailableError, which says why.
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

// RobotsUnavailableError is the error for a URL whose host's robots.txt
// could not be read: the server answered Status (5xx or 429), or no answer
// came because of Err. The host is then left alone until Until, when
// robots.txt is asked for again (RFC 9309 has a crawler assume
// everything disallowed meanwhile). It matches ErrRobotsUnavailable and,
// for a network failure, that failure (ErrTimeout, a *net.OpError …); not
// ErrDisallowed, and not a *StatusError, which would pass the robots.txt
// status off as the page's.
type RobotsUnavailableError struct {
	// Host is the host (host:port) whose robots.txt failed.
	Host string
	// Status is the HTTP status robots.txt answered with; 0 when there
	// was no answer.
	Status int
	// Err is why there was no answer; nil when Status is set.
	Err error
	// Until is when robots.txt will be asked for again.
	Until time.Time
}

func (e *RobotsUnavailableError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("host %s unavailable: robots.txt answered http status %d %s (nothing fetched from the host until %s)",
			e.Host, e.Status, http.StatusText(e.Status), e.Until.Format(time.RFC3339))
	}
	return fmt.Sprintf("host %s unreachable: %v", e.Host, e.Err)
}

// Unwrap makes the error match ErrRobotsUnavailable and the network
// failure behind it.
func (e *RobotsUnavailableError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrRobotsUnavailable}
	}
	return []error{ErrRobotsUnavailable, e.Err}
}
