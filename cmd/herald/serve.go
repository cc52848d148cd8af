package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/harvest"
	"github.com/herald-archive/herald/internal/harvest/jobs"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/web"
)

// minTokenLen is the shortest admin token accepted: the token is the only
// thing between the network and the archive's sources.
const minTokenLen = 16

type serveFlags struct {
	addr         string
	adminToken   string
	captures     string
	allowPrivate bool
	quiet        bool
	// Harvests started through the API (admin token only).
	noHarvest bool
	warcDir   string
	delay     time.Duration
	userAgent string
	// mergeAfter is how long the full-text index must stay unchanged in
	// several segments before the server merges it (0: never).
	mergeAfter time.Duration
}

func newServeCmd(e *env) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the archive over HTTP: web pages and a JSON API",
		Long: `Serve starts Herald's web interface and JSON API (docs/api.md) on the
archive named by --db.

The server is read-only unless an admin token is given with --admin-token or
$HERALD_ADMIN_TOKEN (prefer the variable: command lines are visible to other
users). With a token, API clients add, pause, resume and remove sources with
"Authorization: Bearer <token>", and the sources page offers the same after
signing in with the token. Source URLs on loopback or private networks are
refused unless --allow-private is given.

With a token, POST /api/harvest also starts a harvest now (of given URLs, or
of the due sources), run by this process one at a time with the same
politeness as herald harvest; --no-harvest turns that off. Captures go to
--warc-dir (default: the archive path + .warc).

On SQLite the server merges the full-text index into one segment once it
has stayed in several for --merge-after (default 10m) without a new one:
each harvest leaves a few, and searches with selective filters cost half as
much again on two as on one. The merge runs in short steps, like herald
optimize, so harvests and searches go on meanwhile.

Raw captures are read from the WARC files the archive points at, relative
to --captures (default: the archive's folder), for the capture endpoint and
GET /api/export?format=warc; files outside that folder are not read. A
delete that erases the article's captures (the API's erase_captures, the
article page's form) looks for them, and for the feeds and sitemaps that
list it, where herald delete --erase-captures does (capture paths relative
to --captures, the archive path + .warc), and in --warc-dir too.

The server stops gracefully on SIGINT or SIGTERM.`,
		Example: `  herald serve
  HERALD_ADMIN_TOKEN=$(openssl rand -hex 16) herald serve --addr 0.0.0.0:8080
  herald serve --db /data/news.db --addr 127.0.0.1:9000`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd, e, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	fl.StringVar(&f.adminToken, "admin-token", os.Getenv("HERALD_ADMIN_TOKEN"), "token that allows changes (also $HERALD_ADMIN_TOKEN); none: read-only")
	fl.StringVar(&f.captures, "captures", "", "folder that capture file names are relative to (default: the archive's folder)")
	fl.BoolVar(&f.allowPrivate, "allow-private", false, "accept source URLs on loopback and private networks")
	fl.BoolVar(&f.quiet, "quiet", false, "log only warnings and errors, not every request")
	fl.BoolVar(&f.noHarvest, "no-harvest", false, "do not run harvests started through the API (POST /api/harvest answers 501)")
	fl.StringVar(&f.warcDir, "warc-dir", "", "folder for the WARC captures of API harvests (default: the archive path + .warc)")
	fl.DurationVar(&f.delay, "delay", harvest.DefaultDelay, "least time between requests to one host in API harvests; 0 for none, only for your own sites")
	fl.DurationVar(&f.mergeAfter, "merge-after", 10*time.Minute, "merge the full-text index once it has stayed this long in several segments (SQLite); 0: never")
	fl.StringVar(&f.userAgent, "user-agent", "", "User-Agent of API harvests (default Herald/<version> (+https://github.com/herald-archive/herald))")
	return cmd
}

func runServe(cmd *cobra.Command, e *env, f serveFlags) error {
	ctx := cmd.Context()
	if f.mergeAfter < 0 {
		return fmt.Errorf("--merge-after %s: want a duration of 0 (never) or more", f.mergeAfter)
	}
	if err := politeFlag("--delay", f.delay); err != nil {
		return err
	}
	if f.adminToken != "" && len(f.adminToken) < minTokenLen {
		return fmt.Errorf("admin token too short: use at least %d characters (e.g. openssl rand -hex 16)", minTokenLen)
	}
	if err := folderFlag("--captures", f.captures, true); err != nil {
		return err
	}
	if err := folderFlag("--warc-dir", f.warcDir, false); err != nil {
		return err
	}
	db, err := openArchive(ctx, e, false)
	if err != nil {
		return err
	}
	defer db.Close()
	captures := f.captures
	if captures == "" {
		captures = filepath.Dir(archiveFiles(e.db))
	}
	level := slog.LevelInfo
	if f.quiet {
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	// Fill the archive's caches in the background, so that the first
	// user's timeline or search does not wait for them; this and the
	// merges below stop before the archive closes.
	if w, ok := db.(store.Warmer); ok {
		defer inBackground(ctx, func(ctx context.Context) {
			t := time.Now()
			if err := w.Warm(ctx); err != nil {
				if ctx.Err() == nil {
					log.Warn("warming the archive's caches", "err", err)
				}
				return
			}
			log.Debug("archive caches warmed", "took", time.Since(t).Round(time.Millisecond))
		})()
	}
	if m, ok := db.(indexMerger); ok && f.mergeAfter > 0 {
		defer inBackground(ctx, func(ctx context.Context) { mergeWhenIdle(ctx, m, f.mergeAfter, log) })()
	}
	var harvests *jobs.Queue
	if f.adminToken != "" && !f.noHarvest {
		hf := harvestFlags{warcDir: f.warcDir, delay: f.delay, userAgent: f.userAgent, allowPrivate: f.allowPrivate,
			concurrency: harvest.DefaultConcurrency, depth: harvest.DefaultMaxDepth}
		opts := harvestOptions(hf, archiveFiles(e.db), log.With("component", "harvest"))
		opts.Holder = "a harvest of herald serve"
		h, err := harvest.New(db, opts)
		if err != nil {
			return err
		}
		defer h.Close()
		harvests = jobs.New(ctx, h, jobs.Options{})
		defer harvests.Close() // before h.Close and db.Close: deferred later, runs first
	}
	srv := web.New(db, web.Options{
		AdminToken:   f.adminToken,
		AllowPrivate: f.allowPrivate,
		Logger:       log,
		CaptureDir:   captures,
		Erasure:      captureErasure(e.db, captures, f.warcDir),
		ArchiveName:  warcArchiveName(e.db),
		Harvests:     harvests,
	})
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("--addr %s: %w", f.addr, listenReason(err))
	}
	mode := "read-only"
	switch {
	case harvests != nil:
		mode = "admin token set; harvests through the API"
	case f.adminToken != "":
		mode = "admin token set"
	}
	fmt.Fprintf(e.stdout, "Serving %s (%s) at http://%s/\n", archiveName(e.db), mode, ln.Addr())
	if err := web.Run(ctx, ln, srv, log); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "Stopped.")
	return nil
}

// inBackground runs fn in a goroutine; the function it returns cancels
// fn's context and waits for fn to return.
func inBackground(ctx context.Context, fn func(context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(ctx)
	}()
	return func() { cancel(); <-done }
}

// mergeWhenIdle merges m's full-text index into one segment whenever it
// has been in the same several segments for idle, checking ten times per
// idle, until ctx ends. Every write transaction adds a segment, so a count
// that stays the same means no writes, or so few that merging meanwhile
// makes them wait a step at most. A failed merge is logged and tried again
// after another idle period.
func mergeWhenIdle(ctx context.Context, m indexMerger, idle time.Duration, log *slog.Logger) {
	tick := time.NewTicker(max(idle/10, 10*time.Millisecond))
	defer tick.Stop()
	last, since := -1, time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		n, err := m.IndexSegments(ctx)
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("counting full-text index segments", "err", err)
			}
			continue
		}
		if n != last {
			last, since = n, time.Now()
			continue
		}
		if n <= 1 || time.Since(since) < idle {
			continue
		}
		t := time.Now()
		if err := m.MergeIndex(ctx); err != nil {
			if ctx.Err() == nil {
				log.Warn("merging the full-text index", "err", err)
			}
			since = time.Now()
			continue
		}
		log.Info("full-text index merged", "segments", n, "took", time.Since(t).Round(time.Millisecond))
		last, since = -1, time.Now()
	}
}

// listenReason is why net.Listen failed, for a message that names the
// address already: without the "listen tcp: address …:" it repeats
// ("missing port in address", "bind: address already in use").
func listenReason(err error) error {
	if oe := (*net.OpError)(nil); errors.As(err, &oe) {
		err = oe.Err
	}
	if ae := (*net.AddrError)(nil); errors.As(err, &ae) {
		return errors.New(ae.Err)
	}
	return err
}
