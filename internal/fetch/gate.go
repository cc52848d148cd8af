package fetch

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// HostGate extends a Client's per-host politeness beyond one process: when
// Options.Gate is set, every request (robots.txt, retries and redirect hops
// included) first takes the host from the gate and gives it back when the
// response has been read, saying when the next request to the host may
// start. A gate shared by several processes (internal/queue keeps one in a
// NATS key-value bucket) makes the per-host delay, Crawl-delay and
// Retry-After hold for all of them together.
//
// The Client's own pacing still applies inside the process; the gate only
// adds the fleet-wide rule.
type HostGate interface {
	// Acquire waits until this process may send one request to host (a
	// lower-case host:port) and holds the host until the lease is
	// released. It returns the context's error when ctx ends, an error
	// wrapping ErrHostHeld (a *HeldError) when the host asked to be left
	// alone for longer than the gate is willing to wait, or one wrapping
	// ErrHostPaused when the gate paused the host after failures.
	Acquire(ctx context.Context, host string) (HostLease, error)
}

// HostLease is a host held through a HostGate.
type HostLease interface {
	// Release gives the host back; next is the earliest time the next
	// request to it may start (the end of this one plus the delay, or
	// later for a Retry-After). failed says that the request failed in a
	// way that counts towards pausing the host (a 5xx, a timeout, a
	// refused connection: what Options.PauseAfter counts), so that a gate
	// shared by a fleet can pause a failing host for all of it. It is
	// called exactly once. A zero next says that nothing was sent after
	// all (a robots.txt another process stored while this one waited for
	// the host, see RobotsStore): the host's schedule and its count of
	// failures stay as they were.
	Release(next time.Time, failed bool)
}

// ErrHostHeld: a host asked (Retry-After, or a robots.txt Crawl-delay)
// not to be asked again before a time further off than the Client waits
// in line (Options.MaxRetryWait) or than a HostGate waits. Nothing was
// sent; errors wrapping it are *HeldError, which says until when, so that
// the caller can defer the host's URLs and go on with other hosts.
var ErrHostHeld = errors.New("host held")

// ErrGate: the HostGate itself failed (its server is unreachable, say), so
// nothing was sent. It says nothing about the URL; callers should retry
// the work later rather than record the URL as failed.
var ErrGate = errors.New("host gate unavailable")

// HeldError is the error for a held host, from the Client or a HostGate.
type HeldError struct {
	Host  string
	Until time.Time
	// CrawlDelay is set when the host is held by its robots.txt
	// Crawl-delay (longer than the Client waits in line) rather than by a
	// Retry-After.
	CrawlDelay time.Duration
}

func (e *HeldError) Error() string {
	why := "Retry-After"
	if e.CrawlDelay > 0 {
		why = fmt.Sprintf("robots.txt Crawl-delay %s", e.CrawlDelay)
	}
	return fmt.Sprintf("%s: %v (%s) until %s", e.Host, ErrHostHeld, why, e.Until.UTC().Format(time.RFC3339))
}

func (e *HeldError) Unwrap() error { return ErrHostHeld }
