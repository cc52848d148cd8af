package queue

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrPermanent marks a handler error that no retry can fix: the job goes
// to the dead-letter stream at once instead of being tried MaxDeliver
// times.
var ErrPermanent = errors.New("permanent failure")

// ErrServerAway wraps the error that WorkOptions.OnUnready receives when
// jobs wait for the NATS server rather than for WorkOptions.Ready.
var ErrServerAway = errors.New("nats server unavailable")

// Delivery is a job as a handler receives it.
type Delivery struct {
	Job
	// Attempt counts deliveries: 1 the first time, more after a failure,
	// a timeout or a worker that died holding it.
	Attempt int
}

// Handler processes one job. It returns nil once the job's result is
// committed (the job is then acked and leaves the stream); an error puts
// the job back to be tried again after a back-off, or dead-letters it
// (ErrPermanent, or the last delivery). A handler must stop promptly when
// ctx ends: the job is then put back for another worker.
type Handler func(ctx context.Context, d *Delivery) error

// Defaults applied to zero WorkOptions fields.
const (
	DefaultConcurrency  = 4
	DefaultDrainTimeout = 30 * time.Second
)

// WorkOptions configure Work. The zero value is ready to use.
type WorkOptions struct {
	// Kinds are the job kinds taken. Default: all.
	Kinds []Kind
	// Concurrency caps the jobs this worker holds at once, over all
	// kinds: it pulls a job only when a slot is free, so no job waits in
	// a local buffer while its AckWait runs. Default 4.
	Concurrency int
	// DrainTimeout is how long running handlers may go on after ctx ends
	// before their context is cancelled (their jobs are then put back).
	// Default 30s.
	DrainTimeout time.Duration
	// OnDead, when set, is called before a job is moved to the
	// dead-letter stream, with why (the frontier marks its URL failed).
	OnDead func(ctx context.Context, d *Delivery, reason string)
	// Ready, when set, says whether what every handler needs (the
	// archive) is there. When a handler fails and Ready fails too, the
	// failure is not the job's: rather than count a try against the job
	// (an archive down for a minute would otherwise send every job it
	// meets to the dead letters), the worker keeps the job, reporting
	// progress, asks Ready again after 1s, 2s, 4s … (at most
	// MaxReadyWait apart) and runs the handler again once it succeeds.
	// Jobs held so fill the worker's slots, so it pulls no more until
	// the archive is back. On a drain, held jobs are put back at once.
	//
	// The NATS server is checked the same way first, Ready or not: a job
	// whose handler fails while the server does not answer waits for it
	// (its host gate and its answer both need it), and runs again as
	// soon as the connection is back.
	Ready func(ctx context.Context) error
	// OnUnready, when set, is called with the error when a job starts
	// waiting (wrapping ErrServerAway when it waits for the NATS server,
	// else Ready's), and with nil when it stops (everything answers, or
	// the worker drains): for the worker's log.
	OnUnready func(d *Delivery, err error)
	// OnFail, when set, is called when a handler's failure counts
	// against its job (the job is tried again later, or dead-lettered):
	// not when the job waits for the server or for Ready, nor on a
	// drain. A worker logs failures here rather than in its handler, so
	// that an outage is one line (OnUnready), not one per job it meets.
	OnFail func(d *Delivery, err error)
	// Metrics, when set, counts jobs.
	Metrics *Metrics
}

// MaxReadyWait is the longest wait between two Ready checks of a held job.
const MaxReadyWait = 30 * time.Second

// Work pulls jobs and runs h on each, at most opts.Concurrency at once,
// until ctx ends. It then stops pulling, lets running handlers finish (at
// most DrainTimeout; what is cut short is put back in the queue) and
// returns nil. It returns early only when the connection fails.
func (c *Client) Work(ctx context.Context, opts WorkOptions, h Handler) error {
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.DrainTimeout <= 0 {
		opts.DrainTimeout = DefaultDrainTimeout
	}
	kinds := opts.Kinds
	if len(kinds) == 0 {
		kinds = Kinds
	}
	m := opts.Metrics
	if m == nil {
		m = NewMetrics()
	}
	cons := make([]jetstream.Consumer, len(kinds))
	for i, k := range kinds {
		cc, err := c.jobs.Consumer(ctx, k.consumer())
		if err != nil {
			if ctx.Err() != nil {
				return nil // stopped before it started
			}
			return fmt.Errorf("consumer %s: %w", k.consumer(), err)
		}
		cons[i] = cc
	}

	// Handlers run on a context that outlives ctx by the drain timeout.
	hctx, hcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer hcancel()
	sem := make(chan struct{}, opts.Concurrency)
	var handlers, loops sync.WaitGroup
	errc := make(chan error, len(kinds))
	// pulled closes once no pull of this worker is waiting for a job:
	// only then do jobs that wait for Ready go back, or a pull still
	// waiting could take one straight back, spending its deliveries.
	pulled := make(chan struct{})
	for i, k := range kinds {
		loops.Add(1)
		go func() {
			defer loops.Done()
			if err := c.pull(ctx, k, cons[i], sem, &handlers, func(msg jetstream.Msg) {
				c.handle(hctx, pulled, k, cons[i], msg, h, opts, m)
			}); err != nil {
				errc <- err
			}
		}()
	}
	loops.Wait()
	close(pulled)
	done := make(chan struct{})
	go func() {
		handlers.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(opts.DrainTimeout):
		hcancel()
		<-done
	}
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}

// pull takes one job at a time whenever a slot is free and starts its
// handler, until ctx ends.
func (c *Client) pull(ctx context.Context, k Kind, cons jetstream.Consumer, sem chan struct{}, handlers *sync.WaitGroup, run func(jetstream.Msg)) error {
	failures := 0
	for {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		if ctx.Err() != nil {
			<-sem
			return nil
		}
		msg, err := cons.Next(jetstream.FetchMaxWait(time.Second))
		if err != nil {
			<-sem
			if errors.Is(err, nats.ErrTimeout) || errors.Is(err, jetstream.ErrNoMessages) {
				failures = 0
				continue
			}
			if c.nc.IsClosed() {
				return fmt.Errorf("pull %s jobs: %w", k, nats.ErrConnectionClosed)
			}
			// A server restart or leader change: back off and go on.
			failures++
			if err := sleepCtx(ctx, time.Duration(min(failures, 20))*100*time.Millisecond); err != nil {
				return nil
			}
			continue
		}
		failures = 0
		handlers.Add(1)
		go func() {
			defer handlers.Done()
			defer func() { <-sem }()
			run(msg)
		}()
	}
}

// handle runs one job and answers the server: ack, nak with a back-off,
// or dead-letter. draining closes when the worker has stopped taking jobs.
func (c *Client) handle(ctx context.Context, draining <-chan struct{}, k Kind, cons jetstream.Consumer, msg jetstream.Msg, h Handler, opts WorkOptions, m *Metrics) {
	attempt := 1
	if md, err := msg.Metadata(); err == nil {
		attempt = int(md.NumDelivered)
	}
	d := &Delivery{Job: Job{Kind: k, Key: msg.Headers().Get(hdrKey), Data: msg.Data()}, Attempt: attempt}
	km := m.kind(k)
	km.received.Add(1)
	if attempt > 1 {
		km.redelivered.Add(1)
	}
	if attempt > 1 && attempt > c.maxDeliver(ctx, cons) {
		c.deadLetter(ctx, msg, d, fmt.Sprintf("not acknowledged in %d deliveries (its workers died or timed out)", attempt-1), opts, km)
		return
	}
	km.inFlight.Add(1)
	defer km.inFlight.Add(-1)

	// Progress reports keep the job ours while the handler runs (a fetch
	// may wait for its host); a worker that dies stops sending them.
	stop := make(chan struct{})
	var progress sync.WaitGroup
	progress.Add(1)
	go func() {
		defer progress.Done()
		t := time.NewTicker(c.opts.AckWait / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				_ = msg.InProgress() // a lost report only risks a redelivery
			}
		}
	}()
	start := time.Now()
	err := runHandler(ctx, h, d)
	drained := false
	for err != nil && ctx.Err() == nil && !errors.Is(err, ErrPermanent) {
		waited, ok := c.waitReady(ctx, draining, d, opts)
		if !ok {
			drained = true // stopped while the server or the archive was away
			break
		}
		if !waited {
			break // everything answers: the failure is the job's
		}
		// Back: say at once that the job is still ours, before the
		// server's AckWait (restarted with it) gives it to another.
		_ = msg.InProgress()
		err = runHandler(ctx, h, d)
	}
	close(stop)
	progress.Wait()
	km.seconds.add(time.Since(start))

	switch {
	case drained:
		_ = msg.Nak() // not the job's failure: another worker takes it now
		km.naked.Add(1)
	case err == nil:
		if aerr := msg.Ack(); aerr != nil {
			km.ackErrors.Add(1) // redelivered later; the handler is idempotent
		}
		km.acked.Add(1)
	case ctx.Err() != nil:
		_ = msg.Nak() // drained: another worker takes it now
		km.naked.Add(1)
	case errors.Is(err, ErrPermanent) || attempt >= c.maxDeliver(ctx, cons):
		km.failed.Add(1)
		if opts.OnFail != nil {
			opts.OnFail(d, err)
		}
		c.deadLetter(ctx, msg, d, err.Error(), opts, km)
	default:
		km.failed.Add(1)
		if opts.OnFail != nil {
			opts.OnFail(d, err)
		}
		_ = msg.NakWithDelay(retryDelay(attempt))
		km.naked.Add(1)
	}
}

// maxDeliver is the tries a job of cons is given, as the fleet's consumer
// says now (one delivery less than its MaxDeliver, see setup): another
// worker may have started with another --max-deliver since this one did,
// and a job nak'd after the consumer's last delivery would stay in the
// stream for ever, neither tried nor dead-lettered. It asks the server,
// which a worker does only for a failed or redelivered job; when the
// server cannot say, this client's own setting holds.
func (c *Client) maxDeliver(ctx context.Context, cons jetstream.Consumer) int {
	ictx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	info, err := cons.Info(ictx)
	if err != nil || info.Config.MaxDeliver < 2 {
		return c.opts.MaxDeliver
	}
	return info.Config.MaxDeliver - 1
}

// runHandler runs h on d. A handler that panics fails the job for good
// (ErrPermanent: it goes to the dead letters with the panic and where it
// happened) instead of killing the worker, and with it the other jobs it
// holds, and then each worker the job is delivered to next.
func runHandler(ctx context.Context, h Handler, d *Delivery) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("handler panicked at %s: %v: %w", panicSite(), v, ErrPermanent)
		}
	}()
	return h(ctx, d)
}

// panicSite is where the panic being recovered was raised: the first
// frame of the panicking goroutine's stack outside the runtime, as
// "function (file:line)".
func panicSite() string {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "runtime.") && f.Function != "" {
			return fmt.Sprintf("%s (%s:%d)", f.Function, filepath.Base(f.File), f.Line)
		}
		if !more {
			return "an unknown place"
		}
	}
}

// ready returns the check that tells a job's failure from an outage:
// first the NATS server (see serverReady), then opts.Ready.
func (c *Client) ready(opts WorkOptions) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := c.serverReady(ctx); err != nil {
			return err
		}
		if opts.Ready != nil {
			return opts.Ready(ctx)
		}
		return nil
	}
}

// serverReady says whether the NATS server answers JetStream requests
// (an error wrapping ErrServerAway when not). While it does not, a job
// cannot be answered, its host gate cannot be read and no other job can
// be pulled, so a handler failure is taken for the outage's, not the
// job's: a server restarted, a network cut or a cluster without a leader
// would otherwise cost every job in flight a try each time.
func (c *Client) serverReady(ctx context.Context) error {
	if !c.nc.IsConnected() {
		return fmt.Errorf("%w: connection %s", ErrServerAway, c.nc.Status())
	}
	ictx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := c.js.AccountInfo(ictx); err != nil {
		return fmt.Errorf("%w: %w", ErrServerAway, err)
	}
	return nil
}

// waitReady is called after a job's handler failed. When ready succeeds
// at once it returns waited false: the failure is the job's. Otherwise
// it waits until ready succeeds (waited and ok true), or until the
// worker drains or its handlers' context ends (ok false), telling
// opts.OnUnready (when set) when it starts and stops waiting. It asks
// again after 1s, 2s, 4s … (at most MaxReadyWait apart), and at once
// when the connection to the server comes back.
func (c *Client) waitReady(ctx context.Context, draining <-chan struct{}, d *Delivery, opts WorkOptions) (waited, ok bool) {
	ready := c.ready(opts)
	err := ready(ctx)
	if err == nil {
		return false, true
	}
	if opts.OnUnready != nil {
		opts.OnUnready(d, err)
		defer opts.OnUnready(d, nil)
	}
	return true, c.retryUntil(ctx, draining, ready)
}

// retryDelay is the back-off before a failed job's next delivery.
func retryDelay(attempt int) time.Duration {
	return min(time.Duration(attempt)*time.Duration(attempt)*time.Second, time.Minute)
}

// deadLetter copies a job to the dead-letter stream and removes it from
// the work queue. If the copy cannot be stored the job is put back
// instead, so nothing is lost.
func (c *Client) deadLetter(ctx context.Context, msg jetstream.Msg, d *Delivery, reason string, opts WorkOptions, km *kindMetrics) {
	if opts.OnDead != nil {
		opts.OnDead(ctx, d, reason)
	}
	dm := nats.NewMsg(subjectDead + string(d.Kind))
	dm.Data = d.Data
	dm.Header.Set(hdrKey, d.Key)
	dm.Header.Set(hdrKind, string(d.Kind))
	dm.Header.Set(hdrError, oneLine(reason))
	dm.Header.Set(hdrDeliveries, strconv.Itoa(d.Attempt))
	dm.Header.Set(hdrFailedAt, time.Now().UTC().Format(time.RFC3339Nano))
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := c.js.PublishMsg(pctx, dm); err != nil {
		_ = msg.NakWithDelay(retryDelay(d.Attempt))
		return
	}
	_ = msg.TermWithReason("dead-lettered")
	km.dead.Add(1)
}

func oneLine(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	if len(b) > 1000 {
		b = b[:1000]
	}
	return string(b)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
