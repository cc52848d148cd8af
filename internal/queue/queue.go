// Package queue is Herald's distributed work queue on NATS JetStream: the
// jobs that `herald worker` processes, the per-host politeness that the
// whole fleet shares, worker heartbeats and the status report.
//
//   - Jobs: one stream (HERALD_JOBS) with work-queue retention holds fetch
//     jobs (subject herald.jobs.fetch) and extract jobs
//     (herald.jobs.extract), each read by one durable pull consumer shared
//     by every worker, with explicit acks. A job is acked only after the
//     handler returned, which it does after committing its result to the
//     archive; a worker that dies holding a job stops sending progress and
//     the job is redelivered to another after AckWait. A job that fails
//     MaxDeliver times, or that is never acked in MaxDeliver deliveries
//     (it kills its workers), moves to the dead-letter stream (HERALD_DEAD)
//     where Dead lists it and Requeue puts it back.
//   - Politeness: Hosts is a fetch.HostGate on a key-value bucket
//     (herald_hosts) holding, per host, who holds it and when its next
//     request may start, changed only by compare-and-set on the entry's
//     revision. At most one request per host is in flight in the fleet, and
//     the next starts no earlier than the delay, Crawl-delay or Retry-After
//     of the last one allows.
//   - robots.txt: Robots is a fetch.RobotsStore on a key-value bucket
//     (herald_robots) holding each origin's robots.txt verdict, so that
//     the fleet downloads a host's robots.txt once per fetch.RobotsTTL and
//     every process obeys the same rules.
//   - Workers alive: Heartbeat puts a worker's counters in a bucket whose
//     entries expire (herald_workers).
//
// Job payloads are opaque bytes here (internal/harvest defines them), with
// a kind and a key (the URL, or file@offset) for deduplication, logs and
// the dead-letter list. The package does not fetch, extract or store
// anything, and does not log.
package queue

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/herald-archive/herald/internal/fetch"
)

// Names of the JetStream resources. They are fixed so that every process
// of a fleet finds them.
const (
	StreamJobs    = "HERALD_JOBS"
	StreamDead    = "HERALD_DEAD"
	BucketHosts   = "herald_hosts"
	BucketWorkers = "herald_workers"
	BucketRobots  = "herald_robots"
	subjectJobs   = "herald.jobs."
	subjectDead   = "herald.dead."
)

// Kind is the kind of a job.
type Kind string

// The job kinds, each with its subject and consumer.
const (
	// Fetch: fetch, capture, extract and store one frontier URL.
	Fetch Kind = "fetch"
	// Extract: extract and store one WARC record named by file and offset.
	Extract Kind = "extract"
)

// Kinds lists every job kind.
var Kinds = []Kind{Fetch, Extract}

func (k Kind) subject() string  { return subjectJobs + string(k) }
func (k Kind) consumer() string { return "herald-" + string(k) }

// Defaults applied to zero Options fields.
const (
	DefaultAckWait       = 30 * time.Second
	DefaultMaxDeliver    = 5
	DefaultMaxAckPending = 1000
	DefaultHeartbeat     = 5 * time.Second
)

// Options configure a Client. The zero value is ready to use.
type Options struct {
	// Name names the connection (seen in the server's monitoring).
	Name string
	// AckWait is how long a delivered job may go without an ack or a
	// progress report before it is delivered again. A running handler
	// reports progress every AckWait/3, so only a dead or stuck worker
	// loses its jobs. Default 30s.
	AckWait time.Duration
	// MaxDeliver is how many times a job is tried before it is
	// dead-lettered. Default 5.
	MaxDeliver int
	// MaxAckPending caps the jobs of one kind delivered and not yet acked
	// across the whole fleet (the per-worker cap is WorkOptions.Concurrency).
	// Default 1000.
	MaxAckPending int
	// Replicas is the stream and bucket replication in a NATS cluster.
	// Default 1.
	Replicas int
	// ConnectTimeout bounds connecting to the server. Default 5s.
	ConnectTimeout time.Duration
	// ConfigureConsumers applies AckWait, MaxDeliver and MaxAckPending to
	// the job consumers, which are shared by the fleet: workers set it.
	// Other clients (coordinators, status) only create the consumers when
	// they are missing, so that they never change the fleet's settings.
	ConfigureConsumers bool
}

func (o Options) withDefaults() Options {
	if o.AckWait <= 0 {
		o.AckWait = DefaultAckWait
	}
	if o.MaxDeliver <= 0 {
		o.MaxDeliver = DefaultMaxDeliver
	}
	if o.MaxAckPending <= 0 {
		o.MaxAckPending = DefaultMaxAckPending
	}
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 5 * time.Second
	}
	if o.Name == "" {
		o.Name = "herald"
	}
	return o
}

// Client is a connection to the fleet's JetStream. It is safe for
// concurrent use.
type Client struct {
	opts    Options
	nc      *nats.Conn
	js      jetstream.JetStream
	jobs    jetstream.Stream
	dead    jetstream.Stream
	hosts   jetstream.KeyValue
	workers jetstream.KeyValue
	robots  jetstream.KeyValue

	// back is closed, and replaced, each time the connection comes back
	// after a disconnection.
	backMu sync.Mutex
	back   chan struct{}
}

// reconnected returns a channel closed when the connection next comes
// back after a disconnection.
func (c *Client) reconnected() <-chan struct{} {
	c.backMu.Lock()
	defer c.backMu.Unlock()
	return c.back
}

func (c *Client) onReconnect(*nats.Conn) {
	c.backMu.Lock()
	defer c.backMu.Unlock()
	close(c.back)
	c.back = make(chan struct{})
}

// Connect connects to the NATS server at url and makes sure the streams,
// consumers and buckets exist (creating them, or updating their settings
// to opts). It fails with a clear error when the server cannot be reached
// or has no JetStream.
func Connect(ctx context.Context, url string, opts Options) (*Client, error) {
	o := opts.withDefaults()
	nc, err := nats.Connect(url, nats.Name(o.Name), nats.Timeout(o.ConnectTimeout),
		nats.MaxReconnects(-1), nats.RetryOnFailedConnect(false))
	if errors.Is(err, nats.ErrNoServers) {
		return nil, fmt.Errorf("connect to nats %s: %w (is nats-server running there, with JetStream: nats-server -js? docs/distributed.md)", url, err)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to nats %s: %w", url, err)
	}
	c := &Client{opts: o, nc: nc, back: make(chan struct{})}
	nc.SetReconnectHandler(c.onReconnect)
	if err := c.setup(ctx); err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats %s: %w", url, err)
	}
	return c, nil
}

func (c *Client) setup(ctx context.Context) error {
	js, err := jetstream.New(c.nc)
	if err != nil {
		return err
	}
	c.js = js
	sctx, cancel := context.WithTimeout(ctx, setupTime)
	defer cancel()
	c.jobs, err = ensureStream(sctx, js, jetstream.StreamConfig{
		Name:        StreamJobs,
		Description: "Herald jobs (fetch, extract); work-queue retention",
		Subjects:    []string{subjectJobs + ">"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Replicas:    c.opts.Replicas,
		Duplicates:  2 * time.Minute,
	})
	if err != nil {
		if errors.Is(err, jetstream.ErrJetStreamNotEnabled) || errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) {
			return fmt.Errorf("JetStream is not enabled on this server (start nats-server with -js): %w", err)
		}
		return fmt.Errorf("stream %s: %w", StreamJobs, err)
	}
	c.dead, err = ensureStream(sctx, js, jetstream.StreamConfig{
		Name:        StreamDead,
		Description: "Herald jobs that failed every delivery; herald queue requeue puts them back",
		Subjects:    []string{subjectDead + ">"},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		Replicas:    c.opts.Replicas,
	})
	if err != nil {
		return fmt.Errorf("stream %s: %w", StreamDead, err)
	}
	for _, k := range Kinds {
		if !c.opts.ConfigureConsumers {
			if _, err := retryAPI(sctx, func(ctx context.Context) (jetstream.Consumer, error) {
				return c.jobs.Consumer(ctx, k.consumer())
			}); err == nil {
				continue
			}
		}
		cfg := jetstream.ConsumerConfig{
			Durable:       k.consumer(),
			Description:   "Herald workers: " + string(k) + " jobs",
			FilterSubject: k.subject(),
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       c.opts.AckWait,
			// One delivery more than the handler is given: a job whose
			// MaxDeliver-th delivery was never answered (its worker died)
			// comes once more, only to be dead-lettered.
			MaxDeliver:    c.opts.MaxDeliver + 1,
			MaxAckPending: c.opts.MaxAckPending,
			MaxWaiting:    4096,
		}
		_, err := retryAPI(sctx, func(ctx context.Context) (jetstream.Consumer, error) {
			return c.jobs.CreateOrUpdateConsumer(ctx, cfg)
		})
		if err != nil {
			return fmt.Errorf("consumer %s: %w", k.consumer(), err)
		}
	}
	c.hosts, err = ensureKeyValue(sctx, js, jetstream.KeyValueConfig{
		Bucket:      BucketHosts,
		Description: "Herald per-host politeness: holder and next allowed request time",
		History:     1,
		Storage:     jetstream.FileStorage,
		Replicas:    c.opts.Replicas,
	})
	if err != nil {
		return fmt.Errorf("bucket %s: %w", BucketHosts, err)
	}
	c.workers, err = ensureKeyValue(sctx, js, jetstream.KeyValueConfig{
		Bucket:      BucketWorkers,
		Description: "Herald workers alive (heartbeats expire)",
		History:     1,
		TTL:         3 * DefaultHeartbeat,
		Storage:     jetstream.MemoryStorage,
		Replicas:    c.opts.Replicas,
	})
	if err != nil {
		return fmt.Errorf("bucket %s: %w", BucketWorkers, err)
	}
	c.robots, err = ensureKeyValue(sctx, js, jetstream.KeyValueConfig{
		Bucket:      BucketRobots,
		Description: "Herald robots.txt per origin, fetched once for the fleet",
		History:     1,
		TTL:         fetch.DefaultRobotsTTL,
		Storage:     jetstream.FileStorage,
		Replicas:    c.opts.Replicas,
	})
	if err != nil {
		return fmt.Errorf("bucket %s: %w", BucketRobots, err)
	}
	return nil
}

// setupTime bounds a client's setup (its streams, consumers and buckets),
// and apiTry one try of a JetStream API request within it.
var (
	setupTime = 30 * time.Second
	apiTry    = 5 * time.Second
)

// retryAPI runs the JetStream API requests of fn, giving them apiTry, and
// runs them again when they get no answer in time while ctx has time
// left. nats-server can leave a request unanswered when processes of a
// fleet create the same stream at once (nats-io/nats.go issue 949: the
// stream exists, the loser's request times out), and answers late under
// load; either way, asking again finds the stream. fn must be safe to run
// again: every caller reads before it creates.
func retryAPI[T any](ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		tctx, cancel := context.WithTimeout(ctx, apiTry)
		v, err := fn(tctx)
		cancel()
		if err == nil || ctx.Err() != nil || !(errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout)) {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, err
		case <-time.After(wait):
		}
	}
}

// ensureStream returns the stream cfg names, creating it when it is
// missing and updating it only when its configuration differs from cfg.
// Every process of a fleet runs this as it starts: rewriting an unchanged
// stream each time would race with other processes' consumers for nothing
// (nats-server updates a stream's store while consumers are created on it).
func ensureStream(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	return retryAPI(ctx, func(ctx context.Context) (jetstream.Stream, error) { return ensureStreamOnce(ctx, js, cfg) })
}

func ensureStreamOnce(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	st, err := js.Stream(ctx, cfg.Name)
	switch {
	case errors.Is(err, jetstream.ErrStreamNotFound):
		st, err = js.CreateStream(ctx, cfg)
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			return js.Stream(ctx, cfg.Name) // another process created it first
		}
		return st, err
	case err != nil:
		return nil, err
	}
	have := st.CachedInfo().Config
	if slices.Equal(have.Subjects, cfg.Subjects) && have.Retention == cfg.Retention && have.Storage == cfg.Storage &&
		have.Replicas == max(cfg.Replicas, 1) && have.Duplicates == cfg.Duplicates && have.Description == cfg.Description {
		return st, nil
	}
	return js.UpdateStream(ctx, cfg)
}

// ensureKeyValue returns the bucket cfg names, creating it when it is
// missing. An existing bucket is used as it is (its settings are fixed at
// creation).
func ensureKeyValue(ctx context.Context, js jetstream.JetStream, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	return retryAPI(ctx, func(ctx context.Context) (jetstream.KeyValue, error) { return ensureKeyValueOnce(ctx, js, cfg) })
}

func ensureKeyValueOnce(ctx context.Context, js jetstream.JetStream, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, cfg.Bucket)
	if !errors.Is(err, jetstream.ErrBucketNotFound) {
		return kv, err
	}
	kv, err = js.CreateKeyValue(ctx, cfg)
	if errors.Is(err, jetstream.ErrBucketExists) {
		return js.KeyValue(ctx, cfg.Bucket)
	}
	return kv, err
}

// Close drains and closes the connection.
func (c *Client) Close() {
	if err := c.nc.Drain(); err != nil {
		c.nc.Close()
	}
	// Drain is asynchronous; wait a little for it so that acks and
	// heartbeats already sent are flushed.
	for i := 0; i < 100 && !c.nc.IsClosed(); i++ {
		time.Sleep(10 * time.Millisecond)
	}
}

// Options returns the settings in force.
func (c *Client) Options() Options { return c.opts }

// Job is one unit of work: its kind, a key that identifies it (the URL, or
// file@offset) and the payload its handler reads.
type Job struct {
	Kind Kind
	Key  string
	Data []byte
	// ID, when set, deduplicates publishing: a second job with the same ID
	// within two minutes is dropped by the server. Empty: Kind and Key.
	ID string
}

// Message headers.
const (
	hdrKey        = "Herald-Key"
	hdrKind       = "Herald-Kind"
	hdrError      = "Herald-Error"
	hdrDeliveries = "Herald-Deliveries"
	hdrFailedAt   = "Herald-Failed-At"
)

// Publish adds jobs to the stream, waiting for the server to store each.
// Publishing the same job twice within the dedup window stores it once.
// It outlasts an outage of the server as PublishWait does.
func (c *Client) Publish(ctx context.Context, jobs ...Job) error {
	return c.PublishWait(ctx, nil, jobs...)
}

// PublishWait is Publish telling onWait (when set) when it starts waiting
// for the server (an error wrapping ErrServerAway) and when it stops
// (nil). Jobs whose publishing fails while the server does not answer (the
// connection dropped before their acks came: a restart, a network cut) are
// published again once it does, until ctx ends; their ids make a job that
// the server did store be stored once, if the outage is shorter than the
// two-minute dedup window (longer, and such a job may be queued twice: a
// worker finds its article unchanged). A failure while the server answers
// is tried once more, then returned.
func (c *Client) PublishWait(ctx context.Context, onWait func(error), jobs ...Job) error {
	again := true // one more try while the server answers
	for {
		failed, err := c.publish(ctx, jobs)
		if err == nil || ctx.Err() != nil {
			return err
		}
		jobs = failed
		if c.serverReady(ctx) == nil {
			if !again {
				return err
			}
			again = false
			continue
		}
		if werr := c.waitServer(ctx, onWait); werr != nil {
			return err
		}
	}
}

// publish sends jobs and waits for their acks. It returns the jobs that
// failed, with the first failure.
func (c *Client) publish(ctx context.Context, jobs []Job) ([]Job, error) {
	futures := make([]jetstream.PubAckFuture, 0, len(jobs))
	for i, j := range jobs {
		id := j.ID
		if id == "" {
			id = string(j.Kind) + ":" + j.Key
		}
		m := nats.NewMsg(j.Kind.subject())
		m.Data = j.Data
		m.Header.Set(hdrKey, j.Key)
		f, err := c.js.PublishMsgAsync(m, jetstream.WithMsgID(id))
		if err != nil {
			// Those sent so far may fail too: wait for them below.
			failed, _ := c.acks(ctx, jobs[:i], futures)
			return append(failed, jobs[i:]...), fmt.Errorf("publish %s job %s: %w", j.Kind, j.Key, err)
		}
		futures = append(futures, f)
	}
	return c.acks(ctx, jobs, futures)
}

// acks waits for the acks of jobs, published as futures.
func (c *Client) acks(ctx context.Context, jobs []Job, futures []jetstream.PubAckFuture) ([]Job, error) {
	var failed []Job
	var first error
	for i, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			failed = append(failed, jobs[i])
			if first == nil {
				first = fmt.Errorf("publish %s job %s: %w", jobs[i].Kind, jobs[i].Key, err)
			}
		case <-ctx.Done():
			return append(failed, jobs[i:]...), fmt.Errorf("publish: %w", ctx.Err())
		}
	}
	return failed, first
}

// waitServer waits until the server answers (see serverReady), telling
// onWait when it starts and stops, and asking again after 1s, 2s, 4s …
// (at most MaxReadyWait apart) and at once when the connection comes
// back. It fails only when ctx ends.
func (c *Client) waitServer(ctx context.Context, onWait func(error)) error {
	err := c.serverReady(ctx)
	if err == nil {
		return nil
	}
	if onWait != nil {
		onWait(err)
		defer onWait(nil)
	}
	if !c.retryUntil(ctx, nil, c.serverReady) {
		return ctx.Err()
	}
	return nil
}

// retryUntil calls check after 1s, 2s, 4s … (at most MaxReadyWait
// apart), and at once when the connection to the server comes back,
// until it succeeds (true), or until stop is closed or ctx ends (false).
// A nil stop never closes.
func (c *Client) retryUntil(ctx context.Context, stop <-chan struct{}, check func(context.Context) error) bool {
	wait := time.Second
	for {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
			wait = min(2*wait, MaxReadyWait)
		case <-c.reconnected():
			t.Stop()
			wait = time.Second // JetStream may need a moment more
		case <-stop:
			t.Stop()
			return false
		case <-ctx.Done():
			t.Stop()
			return false
		}
		if check(ctx) == nil {
			return true
		}
	}
}
