package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/fetch"
)

// TestHostsOneOwnerAndDelay has several clients (as several workers
// would) take one host many times at once: the critical sections never
// overlap and each starts no earlier than the delay after the previous
// one ended.
func TestHostsOneOwnerAndDelay(t *testing.T) {
	url := startServer(t)
	const workers, rounds = 4, 6
	const delay = 60 * time.Millisecond
	type span struct{ start, end time.Time }
	var mu sync.Mutex
	var spans []span
	var wg sync.WaitGroup
	for w := range workers {
		c := connect(t, url, Options{})
		g := c.Hosts(HostsOptions{Holder: fmt.Sprintf("w%d", w)})
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				l, err := g.Acquire(context.Background(), "example.org:80")
				if err != nil {
					t.Error(err)
					return
				}
				s := span{start: time.Now()}
				time.Sleep(5 * time.Millisecond) // the request
				s.end = time.Now()
				mu.Lock()
				spans = append(spans, s)
				mu.Unlock()
				l.Release(s.end.Add(delay), false)
			}
		}()
	}
	wg.Wait()
	if len(spans) != workers*rounds {
		t.Fatalf("%d requests, want %d", len(spans), workers*rounds)
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start.Before(spans[j].start) })
	for i := 1; i < len(spans); i++ {
		if gap := spans[i].start.Sub(spans[i-1].end); gap < delay {
			t.Errorf("request %d started %s after the previous ended, want >= %s", i, gap, delay)
		}
	}
}

// TestHostsHeldAndDeadHolder: a host released with a far next time is
// refused with a HeldError; a holder that dies without releasing blocks
// the host only until its lease runs out.
func TestHostsHeldAndDeadHolder(t *testing.T) {
	url := startServer(t)
	c := connect(t, url, Options{})
	a := c.Hosts(HostsOptions{Holder: "a", MaxWait: time.Second})
	l, err := a.Acquire(context.Background(), "held.example:443")
	if err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(time.Hour)
	l.Release(until, false)
	_, err = a.Acquire(context.Background(), "held.example:443")
	var he *fetch.HeldError
	if !errors.As(err, &he) || !errors.Is(err, fetch.ErrHostHeld) || he.Until.Sub(until).Abs() > time.Millisecond {
		t.Fatalf("held host: err %v, want HeldError until %s", err, until)
	}
	st, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Hosts) != 1 || !st.Hosts[0].Held || st.Hosts[0].Host != "held.example:443" {
		t.Errorf("status hosts %+v, want held.example:443 held", st.Hosts)
	}

	// A holder whose process died: its lease is never renewed.
	dead := c.Hosts(HostsOptions{Holder: "dead", LeaseTTL: 300 * time.Millisecond})
	dl, err := dead.Acquire(context.Background(), "orphan.example:80")
	if err != nil {
		t.Fatal(err)
	}
	dl.(*lease).abandon() // stop renewing without releasing, as SIGKILL would
	// The lease's end on the wall clock, as the bucket keeps it.
	leaseEnd := dl.(*lease).entry.LeaseUntil.Round(0)
	b := c.Hosts(HostsOptions{Holder: "b"})
	bl, err := b.Acquire(context.Background(), "orphan.example:80")
	if err != nil {
		t.Fatal(err)
	}
	// Measured against the lease itself, not from when b started asking:
	// on a loaded machine b may start late, when the lease has nearly run.
	if now := time.Now().Round(0); now.Before(leaseEnd) {
		t.Errorf("took the host %s before the dead holder's lease ran out", leaseEnd.Sub(now))
	}
	bl.Release(time.Now(), false)
}

// TestHostsLeaseRenewed: a request longer than the lease TTL keeps its
// host, because the lease is renewed.
//
// The TTL leaves room for a loaded machine: a renewal every TTL/3 must
// reach the server before the lease runs out, and under the race
// detector on two busy cores a 150 ms TTL (a renewal given 50 ms) let
// the lease lapse now and then, b taking the host. The request lasts
// several TTLs, so a lease that is not renewed still runs out in it.
func TestHostsLeaseRenewed(t *testing.T) {
	url := startServer(t)
	c := connect(t, url, Options{})
	const ttl = 600 * time.Millisecond
	a := c.Hosts(HostsOptions{Holder: "a", LeaseTTL: ttl})
	b := c.Hosts(HostsOptions{Holder: "b"})
	l, err := a.Acquire(context.Background(), "slow.example:80")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*ttl)
	defer cancel()
	if _, err := b.Acquire(ctx, "slow.example:80"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second holder during a renewed lease: err %v, want to wait until its context ends", err)
	}
	l.Release(time.Now(), false)
	bl, err := b.Acquire(context.Background(), "slow.example:80")
	if err != nil {
		t.Fatal(err)
	}
	bl.Release(time.Now(), false)
}

// abandon stops renewing without releasing, as a killed process would.
func (l *lease) abandon() {
	close(l.stop)
	l.renewing.Wait()
}

// TestHostsStatusCountsEvery: a status reads at most maxStatusHosts host
// entries, but says how many hosts the fleet knows, not how many it read
// (it said 10000 for any fleet that had met more).
func TestHostsStatusCountsEvery(t *testing.T) {
	url := startServer(t)
	c := connect(t, url, Options{})
	g := c.Hosts(HostsOptions{Holder: "w1"})
	for i := range 5 {
		l, err := g.Acquire(context.Background(), fmt.Sprintf("host%d.example:443", i))
		if err != nil {
			t.Fatal(err)
		}
		l.Release(time.Now().Add(time.Hour), false) // paced: listed
	}
	old := maxStatusHosts
	maxStatusHosts = 3
	t.Cleanup(func() { maxStatusHosts = old })
	s, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.HostsKnown != 5 || s.HostsRead != 3 || len(s.Hosts) != 3 {
		t.Errorf("status: %d hosts known, %d read, %d listed; want 5, 3 and 3", s.HostsKnown, s.HostsRead, len(s.Hosts))
	}
}

// TestHostsPauseFleetWide: failed requests to a host count in its entry,
// whichever worker sent them, and the PauseAfter-th in a row pauses the
// host for every worker (fetch.ErrHostPaused, listed in the status);
// a success in between starts the count again.
func TestHostsPauseFleetWide(t *testing.T) {
	url := startServer(t)
	opts := HostsOptions{PauseAfter: 3, PauseFor: time.Hour}
	var gates []*Hosts
	for w := range 2 {
		o := opts
		o.Holder = fmt.Sprintf("w%d", w)
		gates = append(gates, connect(t, url, Options{}).Hosts(o))
	}
	ctx := context.Background()
	const host = "down.example:443"
	try := func(w int, failed bool) error {
		t.Helper()
		l, err := gates[w].Acquire(ctx, host)
		if err != nil {
			return err
		}
		l.Release(time.Now(), failed)
		return nil
	}
	// Two failures, a success, two failures: never three in a row.
	for i, failed := range []bool{true, true, false, true, true} {
		if err := try(i%2, failed); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	// The third in a row, by the other worker.
	if err := try(1, true); err != nil {
		t.Fatal(err)
	}
	for w := range gates {
		err := try(w, false)
		if !errors.Is(err, fetch.ErrHostPaused) {
			t.Errorf("worker %d after three failures in a row across the fleet: %v, want ErrHostPaused", w, err)
		}
	}
	c := connect(t, url, Options{})
	hs, err := c.HostStates(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 1 || time.Until(hs[0].PausedUntil) < 59*time.Minute {
		t.Errorf("host states %+v, want %s paused for the hour", hs, host)
	}
	// Other hosts are not affected.
	if l, err := gates[0].Acquire(ctx, "up.example:443"); err != nil {
		t.Errorf("another host: %v", err)
	} else {
		l.Release(time.Now(), false)
	}
}

// TestHostsReleasedUnused: a host released with a zero next time
// (nothing was sent after all: a robots.txt another worker stored
// meanwhile) is free again, and keeps its next allowed time and its
// failures in a row, as if it had not been taken.
func TestHostsReleasedUnused(t *testing.T) {
	url := startServer(t)
	g := connect(t, url, Options{}).Hosts(HostsOptions{Holder: "w", PauseAfter: 2, PauseFor: time.Hour})
	ctx := context.Background()
	const host = "flaky.example:443"
	entry := func() hostEntry {
		t.Helper()
		e, err := g.kv.Get(ctx, hostBucketKey(host))
		if err != nil {
			t.Fatal(err)
		}
		var cur hostEntry
		if err := json.Unmarshal(e.Value(), &cur); err != nil {
			t.Fatal(err)
		}
		return cur
	}
	take := func() fetch.HostLease {
		t.Helper()
		l, err := g.Acquire(ctx, host)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	next := time.Now().Add(-time.Minute).Round(0)
	take().Release(next, true) // one failure
	take().Release(time.Time{}, false)
	if e := entry(); e.Holder != "" || e.Failures != 1 || !e.Next.Equal(next) {
		t.Errorf("after a lease released unused: %+v, want free, 1 failure and next %s as before", e, next)
	}
	take().Release(time.Now(), true) // the second in a row
	if _, err := g.Acquire(ctx, host); !errors.Is(err, fetch.ErrHostPaused) {
		t.Errorf("after a failure, a lease released unused and a failure: %v, want ErrHostPaused (the unused lease must not clear the count)", err)
	}
}
