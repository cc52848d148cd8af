package queue

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/herald-archive/herald/internal/fetch"
)

// Defaults applied to zero HostsOptions fields.
const (
	DefaultLeaseTTL    = 30 * time.Second
	DefaultMaxHostWait = 30 * time.Second
)

// HostsOptions configure a Hosts gate.
type HostsOptions struct {
	// Holder names this process in the bucket (worker id); required.
	Holder string
	// LeaseTTL is how long a host stays held by a process that stopped
	// renewing its lease (it died mid-request); a live holder renews every
	// TTL/3. Default 30s.
	LeaseTTL time.Duration
	// MaxWait is the longest Acquire waits for a host's next allowed time;
	// a host held for longer (a long Retry-After) is refused with a
	// *fetch.HeldError, so the URL can be deferred instead of holding a
	// worker. Default 30s.
	MaxWait time.Duration
	// PauseAfter is how many failed requests in a row to a host, by any
	// holder, pause it for the whole fleet (what fetch.Options.PauseAfter
	// does in one process); PauseFor is for how long. Acquire refuses a
	// paused host with an error wrapping fetch.ErrHostPaused. Defaults
	// fetch.DefaultPauseAfter and fetch.DefaultPauseFor; PauseAfter < 0:
	// never.
	PauseAfter int
	PauseFor   time.Duration
	// Metrics, when set, counts waits.
	Metrics *Metrics
}

// Hosts is the fleet's per-host politeness, a fetch.HostGate: each host's
// entry in the herald_hosts bucket says which process holds the host (one
// request in flight) and until when its lease runs, and when the next
// request may start. Every change is a compare-and-set on the entry's
// revision, so two processes can never both take a host: the loser of a
// race reads the entry again and waits.
type Hosts struct {
	kv   jetstream.KeyValue
	opts HostsOptions
	m    *Metrics
}

var _ fetch.HostGate = (*Hosts)(nil)

// Hosts returns the fleet's host gate, holding hosts as opts.Holder.
func (c *Client) Hosts(opts HostsOptions) *Hosts {
	if opts.LeaseTTL <= 0 {
		opts.LeaseTTL = DefaultLeaseTTL
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = DefaultMaxHostWait
	}
	if opts.PauseAfter == 0 {
		opts.PauseAfter = fetch.DefaultPauseAfter
	}
	if opts.PauseFor <= 0 {
		opts.PauseFor = fetch.DefaultPauseFor
	}
	m := opts.Metrics
	if m == nil {
		m = NewMetrics()
	}
	return &Hosts{kv: c.hosts, opts: opts, m: m}
}

// hostEntry is a host's value in the bucket.
type hostEntry struct {
	Host string `json:"host"`
	// Holder is the process with a request in flight, "" when none.
	Holder     string    `json:"holder,omitempty"`
	LeaseUntil time.Time `json:"lease_until,omitzero"`
	// Next is the earliest start of the host's next request.
	Next time.Time `json:"next,omitzero"`
	// Failures counts the failed requests in a row, whoever sent them;
	// PausedUntil is set when they paused the host.
	Failures    int       `json:"failures,omitempty"`
	PausedUntil time.Time `json:"paused_until,omitzero"`
}

// hostBucketKey maps a host:port to a key the bucket accepts.
func hostBucketKey(host string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(host))
}

// Acquire implements fetch.HostGate.
func (g *Hosts) Acquire(ctx context.Context, host string) (fetch.HostLease, error) {
	key := hostBucketKey(host)
	waited := time.Duration(0)
	start := time.Now()
	defer func() {
		if waited > 0 {
			g.m.hostWaits.Add(1)
			g.m.hostWait.add(time.Since(start))
		}
	}()
	for {
		var cur hostEntry
		var rev uint64
		e, err := g.kv.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return nil, fmt.Errorf("host %s: %w", host, err)
		default:
			if err := json.Unmarshal(e.Value(), &cur); err != nil {
				return nil, fmt.Errorf("host %s: bad entry: %w", host, err)
			}
			rev = e.Revision()
		}
		now := time.Now()
		if now.Before(cur.PausedUntil) {
			g.m.hostHeld.Add(1)
			return nil, fmt.Errorf("%s until %s (failing, paused for the fleet): %w", host,
				cur.PausedUntil.UTC().Format(time.RFC3339), fetch.ErrHostPaused)
		}
		var wait time.Duration
		switch {
		case cur.Holder != "" && now.Before(cur.LeaseUntil):
			// Someone's request is in flight; it will release soon.
			wait = 20*time.Millisecond + rand.N(30*time.Millisecond)
		case now.Before(cur.Next):
			if cur.Next.Sub(now) > g.opts.MaxWait {
				g.m.hostHeld.Add(1)
				return nil, &fetch.HeldError{Host: host, Until: cur.Next}
			}
			wait = cur.Next.Sub(now)
		}
		if wait > 0 {
			waited += wait
			if err := sleepCtx(ctx, wait); err != nil {
				return nil, err
			}
			continue
		}
		next := hostEntry{Host: host, Holder: g.opts.Holder, LeaseUntil: now.Add(g.opts.LeaseTTL), Next: cur.Next,
			Failures: cur.Failures}
		data, _ := json.Marshal(next)
		if rev == 0 {
			rev, err = g.kv.Create(ctx, key, data)
		} else {
			rev, err = g.kv.Update(ctx, key, data, rev)
		}
		if errors.Is(err, jetstream.ErrKeyExists) {
			g.m.hostConflicts.Add(1)
			continue // lost the race: read again
		}
		if err != nil {
			return nil, fmt.Errorf("host %s: %w", host, err)
		}
		l := &lease{g: g, key: key, entry: next, rev: rev, stop: make(chan struct{})}
		l.renewing.Add(1)
		go l.renew()
		return l, nil
	}
}

// lease is a host held by this process.
type lease struct {
	g   *Hosts
	key string

	mu       sync.Mutex
	entry    hostEntry
	rev      uint64
	lost     bool
	stop     chan struct{}
	renewing sync.WaitGroup
}

// renew extends the lease every TTL/3 until it is released.
func (l *lease) renew() {
	defer l.renewing.Done()
	t := time.NewTicker(l.g.opts.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		l.mu.Lock()
		e := l.entry
		e.LeaseUntil = time.Now().Add(l.g.opts.LeaseTTL)
		data, _ := json.Marshal(e)
		ctx, cancel := context.WithTimeout(context.Background(), l.g.opts.LeaseTTL/3)
		rev, err := l.g.kv.Update(ctx, l.key, data, l.rev)
		cancel()
		if err == nil {
			l.entry, l.rev = e, rev
		} else if errors.Is(err, jetstream.ErrKeyExists) {
			l.lost = true // taken over after the lease ran out
		}
		lost := l.lost
		l.mu.Unlock()
		if lost {
			return
		}
	}
}

// Release implements fetch.HostLease: the host is free, its next request
// not before next. A failed request adds to the host's failures in a row
// (a success clears them); the PauseAfter-th pauses the host for
// PauseFor. The count is in the entry, changed by compare-and-set like
// the rest, so it is the fleet's.
func (l *lease) Release(next time.Time, failed bool) {
	close(l.stop)
	l.renewing.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost {
		l.g.m.hostLost.Add(1)
		return
	}
	e := hostEntry{Host: l.entry.Host, Next: next}
	if next.IsZero() {
		// Nothing was sent (fetch.HostLease): only the hold ends.
		e.Failures = l.entry.Failures
	}
	if e.Next.Before(l.entry.Next) {
		e.Next = l.entry.Next
	}
	if failed {
		e.Failures = l.entry.Failures + 1
		if po := l.g.opts; po.PauseAfter > 0 && e.Failures >= po.PauseAfter {
			e.PausedUntil = time.Now().Add(po.PauseFor)
			e.Next = later(e.Next, e.PausedUntil) // status lists it as any held host
			e.Failures = 0
		}
	}
	data, _ := json.Marshal(e)
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := l.g.kv.Update(ctx, l.key, data, l.rev)
		cancel()
		if err == nil || errors.Is(err, jetstream.ErrKeyExists) {
			return
		}
		// A transient failure: the lease would otherwise hold the host
		// until it runs out.
		time.Sleep(50 * time.Millisecond)
	}
}

// HostState is a host's entry as Status reports it.
type HostState struct {
	Host string `json:"host"`
	// Holder is the worker with a request in flight to the host.
	Holder     string    `json:"holder,omitempty"`
	LeaseUntil time.Time `json:"lease_until,omitzero"`
	// Next is when the next request may start; Held says it is further
	// off than workers wait (a Retry-After).
	Next time.Time `json:"next_allowed,omitzero"`
	Held bool      `json:"held"`
	// PausedUntil is set while the host is paused after failing
	// (HostsOptions.PauseAfter).
	PausedUntil time.Time `json:"paused_until,omitzero"`
}

// HostStates returns the hosts' entries, at most limit (<= 0: all).
func (c *Client) HostStates(ctx context.Context, limit int) ([]HostState, error) {
	lister, err := c.hosts.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("hosts: %w", err)
	}
	defer lister.Stop()
	now := time.Now()
	var out []HostState
	for key := range lister.Keys() {
		if limit > 0 && len(out) >= limit {
			break
		}
		e, err := c.hosts.Get(ctx, key)
		if err != nil {
			continue // removed meanwhile
		}
		var h hostEntry
		if json.Unmarshal(e.Value(), &h) != nil {
			continue
		}
		s := HostState{Host: h.Host, Next: h.Next, Held: h.Next.Sub(now) > DefaultMaxHostWait}
		if now.Before(h.PausedUntil) {
			s.PausedUntil = h.PausedUntil
		}
		if h.Holder != "" && now.Before(h.LeaseUntil) {
			s.Holder, s.LeaseUntil = h.Holder, h.LeaseUntil
		}
		out = append(out, s)
	}
	return out, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
