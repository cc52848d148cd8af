package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/harvest"
	"github.com/herald-archive/herald/internal/queue"
	"github.com/herald-archive/herald/internal/store"
)

// natsFlags are the queue settings shared by herald worker, harvest
// --nats, import warc --nats, status and queue.
type natsFlags struct {
	url        string
	ackWait    time.Duration
	maxDeliver int
}

func addNATSFlags(cmd *cobra.Command, f *natsFlags, required bool) {
	help := "NATS server with JetStream, e.g. nats://127.0.0.1:4222 (also $HERALD_NATS)"
	if !required {
		help = "enqueue the work on this NATS JetStream server for herald worker processes instead of doing it here (also $HERALD_NATS)"
	}
	cmd.Flags().StringVar(&f.url, "nats", "", help)
}

// addConsumerFlags defines the job consumers' settings, which workers
// apply for the whole fleet.
func addConsumerFlags(cmd *cobra.Command, f *natsFlags) {
	fl := cmd.Flags()
	fl.DurationVar(&f.ackWait, "ack-wait", queue.DefaultAckWait, "a job not acknowledged or reported in progress for this long goes to another worker (a fleet-wide setting: give every worker the same)")
	fl.IntVar(&f.maxDeliver, "max-deliver", queue.DefaultMaxDeliver, "tries of a job before it moves to the dead letters (fleet-wide, like --ack-wait)")
}

// natsURL returns the --nats URL (or $HERALD_NATS), checked.
func (f natsFlags) natsURL(required bool) (string, error) {
	u := f.url
	if u == "" {
		u = os.Getenv("HERALD_NATS")
	}
	if u == "" {
		if required {
			return "", errors.New("no NATS server: give --nats nats://HOST:PORT or set HERALD_NATS")
		}
		return "", nil
	}
	for _, part := range strings.Split(u, ",") {
		p, err := url.Parse(strings.TrimSpace(part))
		if err != nil || p.Host == "" {
			return "", fmt.Errorf("--nats %q: want nats://HOST:PORT", part)
		}
		switch p.Scheme {
		case "nats", "tls", "ws", "wss":
		default:
			return "", fmt.Errorf("--nats %q: scheme must be nats, tls, ws or wss", part)
		}
	}
	return u, nil
}

func (f natsFlags) connect(ctx context.Context, name string, required bool) (*queue.Client, error) {
	u, err := f.natsURL(required)
	if err != nil || u == "" {
		return nil, err
	}
	configure := f.maxDeliver != 0 // a worker, which has the consumer flags (checked by runWorker)
	return queue.Connect(ctx, u, queue.Options{Name: name, AckWait: f.ackWait, MaxDeliver: f.maxDeliver, ConfigureConsumers: configure})
}

// explicitDB reports whether the archive was named by --db or $HERALD_DB
// rather than defaulted: a fleet must not each write its own herald.db.
func explicitDB(cmd *cobra.Command) bool {
	if fl := cmd.Flag("db"); fl != nil && fl.Changed {
		return true
	}
	return os.Getenv("HERALD_DB") != ""
}

type workerFlags struct {
	nats         natsFlags
	warcDir      string
	concurrency  int
	metricsAddr  string
	delay        time.Duration
	userAgent    string
	allowPrivate bool
	timeout      time.Duration
	leaseTTL     time.Duration
	drainTimeout time.Duration
	id           string
	verbose      bool
}

func newWorkerCmd(e *env) *cobra.Command {
	var f workerFlags
	cmd := &cobra.Command{
		Use:   "worker --nats URL --db DSN",
		Short: "Process fetch and extract jobs from NATS JetStream into a shared archive",
		Long: `Worker takes jobs from the fleet's JetStream queue: fetch jobs (from herald
harvest --nats) are fetched, captured to WARC, extracted and stored; extract
jobs (from herald import warc --nats) are read from their WARC file and
stored. A job is acknowledged only after its result is committed, so the
jobs of a worker that dies go to another one; storing is idempotent, so
nothing is stored twice.

Politeness holds across the fleet: every request waits for its host in a
shared key-value bucket, so all workers together send at most one request
at a time to a host, no sooner than --delay (or its robots.txt Crawl-delay,
or its Retry-After) after the last; a host's robots.txt is fetched once for
the fleet and kept in another bucket for the others.

SIGTERM or Ctrl-C drains: no new jobs are taken, running ones finish (or go
back to the queue after --drain-timeout), and the worker exits 0.`,
		Example: `  herald worker --nats nats://queue:4222 --db postgres://herald@db/herald --warc-dir /shared/warc
  herald worker --nats nats://127.0.0.1:4222 --db herald.db --concurrency 16 --metrics-addr :9100`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWorker(cmd, e, f)
		},
	}
	addNATSFlags(cmd, &f.nats, true)
	addConsumerFlags(cmd, &f.nats)
	fl := cmd.Flags()
	fl.StringVar(&f.warcDir, "warc-dir", "", "folder for WARC captures, shared by the fleet or per worker (default: the archive path + .warc)")
	fl.IntVar(&f.concurrency, "concurrency", 8, "jobs processed at once by this worker, 1 to 1024")
	fl.StringVar(&f.metricsAddr, "metrics-addr", "", "serve Prometheus metrics at http://ADDR/metrics, e.g. :9100")
	fl.DurationVar(&f.delay, "delay", harvest.DefaultDelay, "least time between requests to one host, across the fleet; 0 for none, only for your own sites")
	fl.StringVar(&f.userAgent, "user-agent", "", "User-Agent sent (default Herald/<version> (+https://github.com/herald-archive/herald))")
	fl.BoolVar(&f.allowPrivate, "allow-private", false, "allow fetching URLs on loopback and private networks")
	fl.DurationVar(&f.timeout, "timeout", 0, "limit for one fetch, connect to last byte (default 60s)")
	fl.DurationVar(&f.leaseTTL, "lease-ttl", queue.DefaultLeaseTTL, "how long a host stays held by a worker that died mid-request")
	fl.DurationVar(&f.drainTimeout, "drain-timeout", queue.DefaultDrainTimeout, "on SIGTERM, how long running jobs may finish before they go back to the queue")
	fl.StringVar(&f.id, "id", "", "worker name in herald status (default HOSTNAME-PID)")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "log each job")
	return cmd
}

// workerCounts are the worker's own counters beside the queue's.
type workerCounts struct {
	fetched, bytes, captures                         atomic.Int64
	stored, newArticles, updated, duplicate, skipped atomic.Int64
}

func runWorker(cmd *cobra.Command, e *env, f workerFlags) error {
	ctx := cmd.Context()
	if _, err := f.nats.natsURL(true); err != nil {
		return err
	}
	if !explicitDB(cmd) {
		return errors.New("worker writes to the fleet's shared archive: give --db DSN (or set HERALD_DB)")
	}
	if f.nats.maxDeliver < 1 {
		return fmt.Errorf("--max-deliver %d: want 1 or more", f.nats.maxDeliver)
	}
	if f.nats.ackWait < time.Second {
		return fmt.Errorf("--ack-wait %s: want 1s or more", f.nats.ackWait)
	}
	// The queue takes 0 or less for its default: refused rather than
	// read as "no time".
	if f.drainTimeout <= 0 {
		return fmt.Errorf("--drain-timeout %s: want more than 0", f.drainTimeout)
	}
	if f.leaseTTL <= 0 {
		return fmt.Errorf("--lease-ttl %s: want more than 0", f.leaseTTL)
	}
	if f.concurrency < 1 || f.concurrency > maxConcurrency {
		return concurrencyError(f.concurrency)
	}
	if err := politeFlag("--delay", f.delay); err != nil {
		return err
	}
	if err := folderFlag("--warc-dir", f.warcDir, false); err != nil {
		return err
	}
	if err := timeoutFlag(f.timeout); err != nil {
		return err
	}
	var ln net.Listener
	if f.metricsAddr != "" {
		var err error
		if ln, err = net.Listen("tcp", f.metricsAddr); err != nil {
			return fmt.Errorf("--metrics-addr %s: %w", f.metricsAddr, listenReason(err))
		}
		defer ln.Close()
	}
	id := f.id
	host, _ := os.Hostname()
	if id == "" {
		id = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	level := slog.LevelWarn
	if f.verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level})).With("worker", id)

	qc, err := f.nats.connect(ctx, "herald worker "+id, true)
	if err != nil {
		return err
	}
	defer qc.Close()
	db, err := openArchive(ctx, e, true)
	if err != nil {
		return err
	}
	defer db.Close()

	metrics := queue.NewMetrics()
	warcDir := f.warcDir
	if warcDir == "" {
		warcDir = archiveFiles(e.db) + ".warc"
	}
	delay := f.delay
	if delay == 0 {
		delay = -1
	}
	h, err := harvest.New(db, harvest.Options{
		Concurrency:  f.concurrency,
		Delay:        delay,
		UserAgent:    f.userAgent,
		AllowPrivate: f.allowPrivate,
		Timeout:      f.timeout,
		WARCDir:      warcDir,
		CaptureBase:  filepath.Dir(archiveFiles(e.db)),
		Gate:         qc.Hosts(queue.HostsOptions{Holder: id, LeaseTTL: f.leaseTTL, Metrics: metrics}),
		Robots:       qc.Robots(),
		Logger:       logger,
	})
	if err != nil {
		return err
	}
	defer h.Close()

	var counts workerCounts
	started := time.Now().UTC()
	if ln != nil {
		srv := &http.Server{Handler: metricsHandler(metrics, &counts), ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln) // ends when the listener closes
		defer srv.Close()
	}
	hbCtx, hbStop := context.WithCancel(context.WithoutCancel(ctx))
	hbDone := make(chan struct{})
	var lastAcked atomic.Int64
	var lastBeat atomic.Int64
	lastBeat.Store(time.Now().UnixNano())
	go func() {
		defer close(hbDone)
		qc.Heartbeat(hbCtx, 0, func() queue.WorkerInfo {
			t := metrics.Totals()
			now := time.Now()
			dt := time.Duration(now.UnixNano() - lastBeat.Swap(now.UnixNano())).Seconds()
			rate := 0.0
			if dt > 0 {
				rate = float64(t.Acked-lastAcked.Swap(t.Acked)) / dt
			}
			return queue.WorkerInfo{ID: id, Hostname: host, PID: os.Getpid(), Started: started, Concurrency: f.concurrency,
				InFlight: t.InFlight, Acked: t.Acked, Failed: t.Failed, Dead: t.Dead, Redelivered: t.Redelivered,
				Rate: rate, Draining: ctx.Err() != nil}
		})
	}()

	fmt.Fprintf(e.stderr, "herald worker %s: taking jobs from %s (concurrency %d)\n", id, f.nats.url, f.concurrency)
	handler := func(jctx context.Context, d *queue.Delivery) error {
		switch d.Kind {
		case queue.Fetch:
			var j harvest.Job
			if err := json.Unmarshal(d.Data, &j); err != nil || j.URL == "" {
				return fmt.Errorf("fetch job %s: malformed payload: %w", d.Key, queue.ErrPermanent)
			}
			sum, err := h.Process(jctx, j)
			if sum != nil {
				counts.fetched.Add(int64(sum.Fetched))
				counts.bytes.Add(sum.Bytes)
				counts.stored.Add(int64(sum.Stored()))
				counts.newArticles.Add(int64(sum.New))
				counts.updated.Add(int64(sum.Updated))
				counts.duplicate.Add(int64(sum.Duplicate))
				counts.skipped.Add(int64(harvestSkippedTotal(sum)))
			}
			if err != nil {
				return err // logged by OnFail, unless an outage is to blame
			}
			logger.Info("fetch job done", "url", j.URL, "attempt", d.Attempt, "new", sum.New, "skipped", harvestSkippedTotal(sum))
			return nil
		case queue.Extract:
			var j harvest.CaptureJob
			if err := json.Unmarshal(d.Data, &j); err != nil || j.File == "" {
				return fmt.Errorf("extract job %s: malformed payload: %w", d.Key, queue.ErrPermanent)
			}
			out, skip, err := harvest.ProcessCapture(jctx, db, j)
			if errors.Is(err, harvest.ErrCaptureMissing) {
				return fmt.Errorf("%w: %w", err, queue.ErrPermanent)
			}
			if err != nil {
				return err
			}
			counts.captures.Add(1)
			if skip != "" {
				counts.skipped.Add(1)
			} else {
				counts.stored.Add(1)
				switch out {
				case store.New:
					counts.newArticles.Add(1)
				case store.Updated:
					counts.updated.Add(1)
				case store.Duplicate:
					counts.duplicate.Add(1)
				}
			}
			return nil
		}
		return fmt.Errorf("job %s: unknown kind %q: %w", d.Key, d.Kind, queue.ErrPermanent)
	}
	onDead := func(dctx context.Context, d *queue.Delivery, reason string) {
		logger.Warn("job dead-lettered", "kind", d.Kind, "key", d.Key, "reason", reason)
		if d.Kind != queue.Fetch {
			return
		}
		var j harvest.Job
		if json.Unmarshal(d.Data, &j) == nil && j.URL != "" {
			// The coordinator waits for in-flight URLs; this one is over.
			if err := db.Fail(context.WithoutCancel(dctx), j.URL, "dead letter: "+reason); err != nil && !errors.Is(err, store.ErrNotFound) {
				logger.Warn("mark dead-lettered URL failed", "url", j.URL, "err", err)
			}
		}
	}
	wopts := queue.WorkOptions{Concurrency: f.concurrency, DrainTimeout: f.drainTimeout, Metrics: metrics, OnDead: onDead}
	if p, ok := db.(store.Pinger); ok {
		// An archive that is down (a PostgreSQL restart or failover) is no
		// job's fault: jobs wait for it instead of using up their tries.
		wopts.Ready = func(rctx context.Context) error {
			pctx, cancel := context.WithTimeout(rctx, 10*time.Second)
			defer cancel()
			return p.Ping(pctx)
		}
	}
	wopts.OnFail = func(d *queue.Delivery, err error) {
		what := "url"
		if d.Kind == queue.Extract {
			what = "capture"
		}
		logger.Warn(string(d.Kind)+" job failed", what, d.Key, "attempt", d.Attempt, "err", err)
	}
	// The queue holds jobs the same way while the NATS server is away.
	// An outage is logged once when it starts and once when it ends, with
	// how long it lasted and how many jobs waited, however many jobs met it.
	var (
		awayMu    sync.Mutex
		away      int       // jobs waiting for the server or the archive
		awayPeak  int       // the most at once, in this outage
		awaySince time.Time // when the first began to wait
		gone      string    // what it waits for
	)
	wopts.OnUnready = func(d *queue.Delivery, err error) {
		awayMu.Lock()
		defer awayMu.Unlock()
		if err != nil {
			away++
			awayPeak = max(awayPeak, away)
			if away == 1 {
				awayPeak, awaySince = 1, time.Now()
				gone = "archive"
				if errors.Is(err, queue.ErrServerAway) {
					gone = "NATS server"
				}
				logger.Warn(gone+" unavailable: jobs wait for it (their tries are not counted)", "err", err)
			}
			return
		}
		if away--; away == 0 {
			logger.Warn(gone+" available again: jobs go on", "away", time.Since(awaySince).Round(time.Millisecond), "jobs", awayPeak)
		}
	}
	werr := qc.Work(ctx, wopts, handler)
	hbStop()
	<-hbDone
	t := metrics.Totals()
	fmt.Fprintf(e.stderr, "herald worker %s: stopped after %d jobs (%d failed attempts, %d dead-lettered, %d redelivered to it); %d pages fetched, %d articles stored (%d new)\n",
		id, t.Acked, t.Failed, t.Dead, t.Redelivered, counts.fetched.Load(), counts.stored.Load(), counts.newArticles.Load())
	return werr
}

// metricsHandler serves the Prometheus text exposition of a worker.
func metricsHandler(m *queue.Metrics, c *workerCounts) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		if err := m.WritePrometheus(w); err != nil {
			return
		}
		writeWorkerCounts(w, c)
	})
	return mux
}

func writeWorkerCounts(w io.Writer, c *workerCounts) {
	for _, s := range []struct {
		name, help string
		v          int64
	}{
		{"herald_pages_fetched_total", "Pages fetched by fetch jobs.", c.fetched.Load()},
		{"herald_fetched_bytes_total", "Body bytes of the pages fetched.", c.bytes.Load()},
		{"herald_captures_read_total", "WARC records read by extract jobs.", c.captures.Load()},
		{"herald_articles_stored_total", "Articles the archive accepted (new, updated, duplicate or unchanged).", c.stored.Load()},
		{"herald_articles_new_total", "New articles stored.", c.newArticles.Load()},
		{"herald_articles_updated_total", "Articles stored as a new version.", c.updated.Load()},
		{"herald_articles_duplicate_total", "Articles stored as near-duplicates of an archived one.", c.duplicate.Load()},
		{"herald_pages_skipped_total", "Pages or records that gave no article (robots, not html, http errors, not article, ...).", c.skipped.Load()},
	} {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", s.name, s.help, s.name, s.name, s.v)
	}
}
