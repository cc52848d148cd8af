package queue

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func publishN(t *testing.T, c *Client, kind Kind, n int) {
	t.Helper()
	jobs := make([]Job, n)
	for i := range jobs {
		jobs[i] = Job{Kind: kind, Key: fmt.Sprintf("job-%d", i), Data: []byte(fmt.Sprint(i))}
	}
	if err := c.Publish(context.Background(), jobs...); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds or 20s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWorkEachJobOnceAndBounded: two workers share the jobs, each job is
// acked once, a duplicate publish is dropped, and no worker runs more
// than its concurrency at once.
func TestWorkEachJobOnceAndBounded(t *testing.T) {
	url := startServer(t)
	c := connect(t, url, Options{})
	publishN(t, c, Fetch, 40)
	publishN(t, c, Fetch, 40) // same ids: deduplicated by the server

	var mu sync.Mutex
	seen := map[string]int{}
	var running, peak atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		w := connect(t, url, Options{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := w.Work(ctx, WorkOptions{Concurrency: 3}, func(ctx context.Context, d *Delivery) error {
				n := running.Add(1)
				defer running.Add(-1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				time.Sleep(2 * time.Millisecond)
				mu.Lock()
				seen[d.Key]++
				mu.Unlock()
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	waitFor(t, "40 jobs", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 40 })
	waitFor(t, "an empty queue", func() bool { ok, _ := c.Idle(context.Background()); return ok })
	cancel()
	wg.Wait()
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s handled %d times", k, n)
		}
	}
	if p := peak.Load(); p > 6 {
		t.Errorf("%d handlers at once, want at most 2×3", p)
	}
}

// TestWorkRedeliveryAfterDeath: a worker that takes a job and dies
// without answering loses it to another worker after AckWait.
func TestWorkRedeliveryAfterDeath(t *testing.T) {
	url := startServer(t)
	opts := Options{AckWait: 500 * time.Millisecond}
	c := connect(t, url, opts)
	publishN(t, c, Extract, 1)

	dying, err := Connect(context.Background(), url, opts)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go dying.Work(ctx, WorkOptions{DrainTimeout: time.Hour}, func(ctx context.Context, d *Delivery) error {
		close(got)
		dying.nc.Close() // the process is gone: no ack, no progress
		<-ctx.Done()
		return ctx.Err()
	})
	<-got

	w := connect(t, url, opts)
	var attempt atomic.Int64
	wctx, wcancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Work(wctx, WorkOptions{}, func(ctx context.Context, d *Delivery) error {
			attempt.Store(int64(d.Attempt))
			return nil
		})
	}()
	waitFor(t, "the redelivered job", func() bool { return attempt.Load() != 0 })
	if a := attempt.Load(); a != 2 {
		t.Errorf("redelivered as attempt %d, want 2", a)
	}
	wcancel()
	cancel()
	<-done
}

// TestWorkDeadLetterAndRequeue: a job that always fails is tried
// MaxDeliver times, lands in the dead-letter stream with its error, and
// Requeue puts it back to be processed.
func TestWorkDeadLetterAndRequeue(t *testing.T) {
	url := startServer(t)
	c := connect(t, url, Options{MaxDeliver: 2})
	publishN(t, c, Fetch, 2)

	var fail atomic.Bool
	fail.Store(true)
	var mu sync.Mutex
	attempts := map[string]int{}
	ok := map[string]bool{}
	var dead []string
	failures := map[string]int{} // OnFail calls
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Work(ctx, WorkOptions{OnDead: func(_ context.Context, d *Delivery, reason string) {
			mu.Lock()
			dead = append(dead, d.Key+": "+reason)
			mu.Unlock()
		}, OnFail: func(d *Delivery, err error) {
			mu.Lock()
			failures[d.Key]++
			mu.Unlock()
		}}, func(ctx context.Context, d *Delivery) error {
			mu.Lock()
			defer mu.Unlock()
			attempts[d.Key]++
			if d.Key == "job-1" {
				return fmt.Errorf("bad page: %w", ErrPermanent)
			}
			if fail.Load() {
				return errors.New("store down")
			}
			ok[d.Key] = true
			return nil
		})
	}()
	waitFor(t, "two dead letters", func() bool {
		_, n, err := c.Dead(context.Background(), 0)
		return err == nil && n == 2
	})
	jobs, _, err := c.Dead(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if failures["job-0"] != 2 || failures["job-1"] != 1 {
		t.Errorf("OnFail calls %v, want job-0 twice (its tries) and job-1 once (permanent)", failures)
	}
	mu.Unlock()
	mu.Lock()
	if attempts["job-0"] != 2 || attempts["job-1"] != 1 {
		t.Errorf("attempts %v, want job-0 tried MaxDeliver (2) times, job-1 once (permanent)", attempts)
	}
	mu.Unlock()
	for _, j := range jobs {
		if j.Kind != Fetch || j.Error == "" || j.Deliveries < 1 {
			t.Errorf("dead letter %+v", j)
		}
	}
	fail.Store(false)
	var retry DeadJob
	for _, j := range jobs {
		if j.Key == "job-0" {
			retry = j
		}
	}
	n, err := c.Requeue(context.Background(), []uint64{retry.Seq})
	if err != nil || n != 1 {
		t.Fatalf("requeue: %d, %v", n, err)
	}
	waitFor(t, "the requeued job", func() bool { mu.Lock(); defer mu.Unlock(); return ok["job-0"] })
	if _, left, _ := c.Dead(context.Background(), 0); left != 1 {
		t.Errorf("%d dead letters left, want 1", left)
	}
	if _, err := c.Requeue(context.Background(), []uint64{999}); err == nil {
		t.Error("requeue of an unknown seq: no error")
	}
	cancel()
	<-done
}

// TestConnectErrors: no server, or a server without JetStream, is a clear
// error.
func TestConnectErrors(t *testing.T) {
	_, err := Connect(context.Background(), "nats://127.0.0.1:1", Options{ConnectTimeout: 500 * time.Millisecond})
	if err == nil {
		t.Fatal("connected to nothing")
	}
}

// TestWorkDrain: when its context ends, Work stops taking jobs, lets a
// running handler finish (its job is acked), cuts short one that outlasts
// DrainTimeout (its job goes back at once to another worker) and returns.
func TestWorkDrain(t *testing.T) {
	url := startServer(t)
	c := connect(t, url, Options{})
	publishN(t, c, Fetch, 2)

	started := make(chan string, 2)
	ctx, cancel := context.WithCancel(context.Background())
	var finished atomic.Bool
	done := make(chan error, 1)
	go func() {
		done <- c.Work(ctx, WorkOptions{Concurrency: 2, DrainTimeout: 300 * time.Millisecond}, func(hctx context.Context, d *Delivery) error {
			started <- d.Key
			if d.Key == "job-0" {
				time.Sleep(100 * time.Millisecond) // finishes within the drain
				finished.Store(true)
				return nil
			}
			<-hctx.Done() // outlasts the drain
			return hctx.Err()
		})
	}()
	<-started
	<-started
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Work did not return after the drain timeout")
	}
	if !finished.Load() {
		t.Error("the running handler was not let finish")
	}
	// Only the cut-short job is left, ready for another worker now.
	switch d := nextDelivery(t, url, 5*time.Second); {
	case d == nil:
		t.Fatal("the drained job was not redelivered promptly")
	case d.Key != "job-1" || d.Attempt != 2:
		t.Errorf("got %s attempt %d, want job-1 again", d.Key, d.Attempt)
	}
	waitFor(t, "an empty queue", func() bool { ok, _ := c.Idle(context.Background()); return ok })
}

// TestWorkArchiveAway: while what the handlers need is away (Ready
// fails), a failing job is kept and run again once it is back, without
// using up its tries: an outage longer than the tries' back-offs sends no
// job to the dead letters, and each job is delivered once. A drain puts a
// waiting job back at once, not after the drain timeout.
func TestWorkArchiveAway(t *testing.T) {
	url := startServer(t)
	c := connect(t, url, Options{MaxDeliver: 2})
	publishN(t, c, Fetch, 4)

	var down atomic.Bool
	down.Store(true)
	var readyCalls, waiting atomic.Int64
	var mu sync.Mutex
	ok := map[string]int{}
	attempts := map[string][]int{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- c.Work(ctx, WorkOptions{Concurrency: 4, DrainTimeout: time.Hour,
			Ready: func(context.Context) error {
				readyCalls.Add(1)
				if down.Load() {
					return errors.New("archive unreachable")
				}
				return nil
			},
			OnUnready: func(d *Delivery, err error) {
				if err != nil {
					waiting.Add(1)
				} else {
					waiting.Add(-1)
				}
			},
			OnFail: func(d *Delivery, err error) {
				t.Errorf("OnFail(%s, %v) while the archive was away: the failure is not the job's", d.Key, err)
			},
		}, func(ctx context.Context, d *Delivery) error {
			mu.Lock()
			defer mu.Unlock()
			attempts[d.Key] = append(attempts[d.Key], d.Attempt)
			if down.Load() {
				return errors.New("store: connection refused")
			}
			ok[d.Key]++
			return nil
		})
	}()
	// Away for more than two tries' back-off (1s) would last: each of the
	// four jobs has been checked three times (at 0, 1 and 3s).
	waitFor(t, "the jobs to wait for the archive", func() bool { return readyCalls.Load() >= 12 })
	if _, n, err := c.Dead(context.Background(), 0); err != nil || n != 0 {
		t.Fatalf("%d dead letters while the archive was away (%v), want none", n, err)
	}
	down.Store(false)
	waitFor(t, "the four jobs", func() bool { mu.Lock(); defer mu.Unlock(); return len(ok) == 4 })
	waitFor(t, "an empty queue", func() bool { ok, _ := c.Idle(context.Background()); return ok })
	mu.Lock()
	deliveredOnce(t, attempts, ok, "a job waiting for the archive must keep its delivery")
	mu.Unlock()
	if _, n, _ := c.Dead(context.Background(), 0); n != 0 {
		t.Errorf("%d dead letters, want none", n)
	}

	// Away again: a job waiting for it goes back at once on a drain.
	down.Store(true)
	publishN(t, c, Extract, 1)
	waitFor(t, "a job waiting", func() bool { return waiting.Load() == 1 })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Work did not return on a drain while a job waited for the archive")
	}
	if waiting.Load() != 0 {
		t.Errorf("%d jobs still waiting after the drain", waiting.Load())
	}
	// Put back: another worker gets it now.
	switch d := nextDelivery(t, url, 10*time.Second); {
	case d == nil:
		st, _ := c.Status(context.Background())
		t.Fatalf("the job that waited for the archive was not put back on the drain: %+v", st.Queues)
	case d.Kind != Extract:
		t.Errorf("got a %s job, want the extract job back", d.Kind)
	}
}

// TestWorkHandlerPanics: a job whose handler panics (a poison page) goes
// to the dead letters at once, saying where it panicked, and the worker
// lives on: the other jobs are done, once each, none redelivered.
func TestWorkHandlerPanics(t *testing.T) {
	url := startServer(t)
	c := connect(t, url, Options{})
	publishN(t, c, Fetch, 5)

	var mu sync.Mutex
	done := map[string][]int{}
	var dead []string
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() {
		stopped <- c.Work(ctx, WorkOptions{Concurrency: 2, OnDead: func(_ context.Context, d *Delivery, reason string) {
			mu.Lock()
			dead = append(dead, d.Key+": "+reason)
			mu.Unlock()
		}}, func(ctx context.Context, d *Delivery) error {
			if d.Key == "job-2" {
				var m map[string]int
				m["poison"]++ // a nil map: panics
			}
			mu.Lock()
			done[d.Key] = append(done[d.Key], d.Attempt)
			mu.Unlock()
			return nil
		})
	}()
	waitFor(t, "four jobs done and one dead", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(done) == 4 && len(dead) == 1
	})
	waitFor(t, "an empty queue", func() bool { ok, _ := c.Idle(context.Background()); return ok })
	cancel()
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for k, as := range done {
		if len(as) != 1 || as[0] != 1 {
			t.Errorf("%s delivered %v, want once", k, as)
		}
	}
	if !strings.HasPrefix(dead[0], "job-2: handler panicked at ") || !strings.Contains(dead[0], "work_test.go:") || !strings.Contains(dead[0], "nil map") {
		t.Errorf("dead letter %q, want job-2 with where and why it panicked", dead[0])
	}
	jobs, _, err := c.Dead(context.Background(), 0)
	if err != nil || len(jobs) != 1 || jobs[0].Deliveries != 1 {
		t.Errorf("dead letters %+v, %v: want job-2 after one delivery", jobs, err)
	}
}

// TestWorkMaxDeliverOfTheFleet: --max-deliver is the fleet's, set on the
// shared consumer by the last worker to start. A worker started earlier
// with a higher one dead-letters a failing job at the fleet's value,
// rather than nak it after the server's last delivery, which left the job
// in the stream for ever, in no dead-letter list, and its coordinator
// waiting for it.
func TestWorkMaxDeliverOfTheFleet(t *testing.T) {
	url := startServer(t)
	early := connect(t, url, Options{MaxDeliver: 5, ConfigureConsumers: true})
	connect(t, url, Options{MaxDeliver: 2, ConfigureConsumers: true}) // started later
	publishN(t, early, Fetch, 1)
	var tries atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- early.Work(ctx, WorkOptions{}, func(ctx context.Context, d *Delivery) error {
			tries.Add(1)
			return errors.New("bad page")
		})
	}()
	waitFor(t, "the job in the dead letters", func() bool {
		_, n, err := early.Dead(context.Background(), 0)
		return err == nil && n == 1
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := tries.Load(); n != 2 {
		t.Errorf("tried %d times, want the fleet's 2", n)
	}
	if ok, _ := early.Idle(context.Background()); !ok {
		t.Error("the job is still in the stream")
	}
}
