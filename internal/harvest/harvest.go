// Package harvest wires Herald's stages into a harvester: sources (feeds,
// sitemaps, sites, URL lists) are polled, the article URLs they list go to
// the frontier, frontier URLs are fetched politely, every response is
// captured to WARC, pages are extracted and stored through archive.Ingest.
//
//	source ─► poll ─► frontier ─► fetch ─► capture ─► extract ─► archive.Ingest
//
// # Persistence and resuming
//
// The frontier lives in the archive (store.Frontier), keyed by canonical
// URL (canon.URL), so it is also the seen-set: a URL variant (tracking
// parameters, AMP, print) of something queued, fetched or archived is not
// fetched again. A run starts by putting back whatever a killed process
// left in flight (a coordinator's run does not: its in-flight URLs are
// the workers'). A frontier URL is marked done only after its article is
// committed, so a crash at any moment loses nothing, and archive.Ingest is
// idempotent, so a URL fetched twice is never stored twice.
//
// Feeds, sitemaps and site seed pages are not frontier URLs: they are
// polled on their source's schedule with conditional requests (ETag,
// Last-Modified). A sitemap entry whose lastmod is later than the archived
// copy is put back in the frontier; one that is not is skipped. A lastmod
// in the future (a site's clock or time zone off) is not when the page
// changed: a page fetched after the poll that first listed that lastmod
// is not fetched again for it, a lastmod first seen on an archived page
// waits until it is past, and one more than a day ahead is ignored
// (refetch). The last lastmod seen for each URL is kept with it in the
// frontier (store.LastmodKeeper), so a harvest run from cron, a new
// process each time, decides as one long run would.
//
// # Ownership
//
// A run has one goroutine that claims frontier URLs and hands them to one
// goroutine per host (so one host's URLs are fetched one at a time), one
// goroutine per source poll, and a single writer goroutine that owns every
// store write: it enqueues links, batches records into archive.Ingest,
// marks frontier URLs and appends the fetch log. The run waits for all of
// them before it returns. Per-URL failures (a 404, robots, not HTML) are
// recorded as data and the run goes on; a storage failure or the end of
// the context stops it, after committing what was already fetched and
// putting unfinished URLs back in the queue.
//
// # Several processes
//
// With Options.Dispatcher set, a run is a coordinator: it polls and fills
// the frontier as above, but hands each claimed URL to the Dispatcher (at
// most one per host per delay) instead of fetching it, and ends when the
// workers have finished every URL in flight. Workers call Process, the
// same page step a host lane runs, which commits the article and moves the
// frontier item on before it returns, so the job can be acknowledged;
// ProcessCapture is the same for a WARC record named by a CaptureJob. With
// Options.Gate set, every request waits for its host in a gate shared by
// all the processes (internal/queue keeps one in NATS), so per-host pacing,
// Crawl-delay and Retry-After hold for the fleet.
//
// # What it does not do
//
// It does not decide politeness (internal/fetch does: robots.txt, per-host
// delay, retries; a fetch.HostGate extends it across processes), parse
// documents (extract, feed, sitemap, discover), deduplicate
// (internal/archive) or transport jobs (internal/queue, wired by
// cmd/herald).
package harvest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/fetch"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// maxHints bounds the feed and sitemap metadata held in memory: hints of
// URLs requeued in this run and of jobs being processed. A new URL's hint
// is stored with it in the frontier (store.FrontierItem.Hint) instead.
const maxHints = 200_000

// Harvester harvests into one archive. Its methods must not run
// concurrently with each other (one run at a time); Close releases it.
type Harvester struct {
	st     store.Store
	opts   Options
	client *fetch.Client
	warc   *warc.Writer  // nil: captures are not kept
	cpu    chan struct{} // extraction slots of Process calls

	requeueOnce sync.Once
	requeueErr  error

	mu    sync.Mutex
	hints map[string]*hint // canonical URL → fresher fallback metadata than the frontier's (see maxHints)
	// held maps hosts that asked (Retry-After, Crawl-delay) to be left
	// alone for longer than the fetcher waits to when they may be asked
	// again; their URLs are deferred without a request, in this run and
	// later ones.
	held map[string]hostHold
	// lastmods are the sitemap lastmods seen by this process's polls or
	// read from the archive, by canonical URL (see refetch; at most
	// maxLastmods): a cache of what the frontier keeps.
	lastmods map[string]lastmodSeen
}

// New returns a Harvester writing to st. It creates opts.WARCDir if needed.
func New(st store.Store, opts Options) (*Harvester, error) {
	o := opts.withDefaults()
	h := &Harvester{
		st:       st,
		opts:     o,
		cpu:      make(chan struct{}, o.ExtractWorkers),
		hints:    map[string]*hint{},
		held:     map[string]hostHold{},
		lastmods: map[string]lastmodSeen{},
	}
	h.client = fetch.New(fetch.Options{
		UserAgent:      o.UserAgent,
		MinDelay:       o.Delay,
		MaxConcurrency: o.Concurrency,
		AllowPrivate:   o.AllowPrivate,
		Timeout:        o.Timeout,
		MaxBodyBytes:   o.MaxBodyBytes,
		RetryBackoff:   o.RetryBackoff,
		Gate:           o.Gate,
		Robots:         o.Robots,
		OnRobots:       h.captureRobots,
	})
	if o.WARCDir != "" {
		w, err := warc.NewWriter(o.WARCDir, warc.WriterOptions{})
		if err != nil {
			return nil, fmt.Errorf("harvest: %w", err)
		}
		h.warc = w
	}
	return h, nil
}

// Close closes the WARC file being written.
func (h *Harvester) Close() error {
	h.client.Close()
	if h.warc != nil {
		if err := h.warc.Close(); err != nil {
			return fmt.Errorf("harvest: close warc: %w", err)
		}
	}
	return nil
}

// tidy mends the archive's indexes after a run that stored articles,
// when the store can (store.Tidier): each article a harvest stores is a
// small transaction, and SQLite's full-text index gains a segment with
// each. It is cheap when there is little to merge. A failure is logged and
// does not fail the run, whose articles are stored.
func (h *Harvester) tidy(ctx context.Context) {
	t, ok := h.st.(store.Tidier)
	if !ok {
		return
	}
	if err := t.Tidy(ctx); err != nil && ctx.Err() == nil {
		h.opts.Logger.Warn("tidying the archive's indexes", "err", err)
	}
}

// requeue puts back the URLs a killed process left in flight, once per
// Harvester.
func (h *Harvester) requeue(ctx context.Context) error {
	h.requeueOnce.Do(func() {
		n, err := h.st.RequeueInFlight(ctx)
		if err != nil {
			h.requeueErr = fmt.Errorf("harvest: %w", err)
			return
		}
		if n > 0 {
			h.opts.Logger.Info("resuming: URLs left in flight put back in the queue", "urls", n)
		}
	})
	return h.requeueErr
}

// RunDue polls every source that is due (not paused, next poll not in the
// future, or its last poll refused for a private address that this run
// allows) once, fetches what they list and whatever else the frontier
// holds that is ready, and returns when nothing is left to do now.
func (h *Harvester) RunDue(ctx context.Context) (*Summary, error) {
	srcs, err := h.st.ListSources(ctx)
	if err != nil {
		return nil, fmt.Errorf("harvest: %w", err)
	}
	now := time.Now()
	var seeds []seed
	for _, s := range srcs {
		if s.Due(now) || refusedHere(s, &h.opts) {
			seeds = append(seeds, seed{src: s, url: s.URL, kind: s.Kind})
		}
	}
	return h.execute(ctx, seeds, nil, srcs)
}

// Harvest harvests the given URLs once, without making them sources. Each
// URL's kind is found from its content: a feed or sitemap has its entries
// fetched; an HTML page is a site seed (an article is stored, a listing
// page is crawled). The frontier's other ready URLs are fetched too.
//
// The URLs are queued in the frontier before anything is fetched, marked
// to be polled as seeds (JobHint.Detect), so that an interrupted harvest,
// even a killed one, continues with those not done yet the next time any
// harvest runs; a URL queued or done before is queued again. A URL that
// is not a valid http(s) URL is polled as it is, to be reported. With a
// Dispatcher this process polls them (workers cannot poll), claiming them
// from the frontier like any other URL.
func (h *Harvester) Harvest(ctx context.Context, urls []string) (*Summary, error) {
	release, err := h.lock(ctx) // before queueing: a refused harvest changes nothing
	if err != nil {
		return nil, err
	}
	defer release()
	seeds := make([]seed, 0, len(urls))
	now := time.Now()
	for _, u := range urls {
		cu, err := canon.URL(u)
		if err != nil {
			seeds = append(seeds, seed{url: u})
			continue
		}
		x := &hint{detect: true}
		err = h.st.Retry(ctx, cu, now, "harvest again")
		if errors.Is(err, store.ErrNotFound) {
			_, err = h.st.Enqueue(ctx, []store.FrontierItem{{URL: cu, Host: hostOf(cu), NotBefore: now, Added: now, Hint: x.encode()}})
		}
		if err != nil {
			return nil, fmt.Errorf("harvest: %w", err)
		}
		h.putHint(cu, x) // also for a URL queued before, whose stored hint says nothing of it
	}
	srcs, err := h.st.ListSources(ctx)
	if err != nil {
		return nil, fmt.Errorf("harvest: %w", err)
	}
	return h.executeLocked(ctx, seeds, nil, srcs)
}

// HarvestPages queues the given page URLs (a URL list) and fetches them
// with the frontier's other ready URLs. URLs already seen (fetched, or
// waiting in the queue) are skipped, but a URL that failed for good in an
// earlier run, whatever the reason, is queued again: the user asks for it
// by name, perhaps with other settings (AllowPrivate).
func (h *Harvester) HarvestPages(ctx context.Context, urls []string, source string) (*Summary, error) {
	srcs, err := h.st.ListSources(ctx)
	if err != nil {
		return nil, fmt.Errorf("harvest: %w", err)
	}
	links := make([]link, 0, len(urls))
	for _, u := range urls {
		links = append(links, link{url: u, hint: &hint{source: source}, explicit: true})
	}
	return h.execute(ctx, nil, links, srcs)
}

// Watch runs due sources and the frontier again and again, sleeping until
// the next source is due (checking the frontier at least every minute),
// until ctx ends. It returns the counts of all runs; the end of ctx is a
// normal end, not an error. after, when set, is called with each run's
// summary.
//
// A run stopped by the fleet's queue (its host gate failed, or handing
// URLs to the Dispatcher did: a NATS server restarting, say) puts its
// URLs back as any stopped run does; Watch logs it and runs again after
// 1s, 2s, 4s … (at most a minute), rather than end. Other failures (the
// archive's) end it.
func (h *Harvester) Watch(ctx context.Context, after func(*Summary)) (*Summary, error) {
	total := newSummary()
	pause := time.Duration(0) // after a run the queue stopped
	for {
		sum, err := h.RunDue(ctx)
		if sum != nil {
			total.Add(sum)
			if after != nil {
				after(sum)
			}
		}
		if ctx.Err() != nil {
			return &total, nil
		}
		var wait time.Duration
		switch {
		case err != nil && queueAway(err):
			pause = min(max(2*pause, time.Second), time.Minute)
			wait = pause
			h.opts.Logger.Warn("queue unavailable: run stopped, its URLs put back; trying again", "in", wait, "err", err)
		case err != nil:
			return &total, err
		default:
			pause = 0
			if wait, err = h.nextDue(ctx); err != nil {
				if ctx.Err() != nil {
					return &total, nil
				}
				return &total, err
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return &total, nil
		case <-t.C:
		}
	}
}

// queueAway says whether a run stopped because the fleet's queue failed
// it: its host gate, or its Dispatcher.
func queueAway(err error) bool {
	return errors.Is(err, fetch.ErrGate) || errors.Is(err, ErrDispatch)
}

// nextDue is how long to sleep before the next source is due, at most a
// minute (the frontier may hold URLs deferred by a Retry-After).
func (h *Harvester) nextDue(ctx context.Context) (time.Duration, error) {
	srcs, err := h.st.ListSources(ctx)
	if err != nil {
		return 0, fmt.Errorf("harvest: %w", err)
	}
	wait := time.Minute
	now := time.Now()
	for _, s := range srcs {
		if s.Paused {
			continue
		}
		wait = min(wait, max(s.NextPoll.Sub(now), 0))
	}
	return max(wait, 10*time.Millisecond), nil
}

// hint is what a feed or sitemap said about a URL: fallbacks for fields
// extraction leaves empty, and the source the URL came from.
type hint struct {
	source      string
	title       string
	description string
	authors     []string
	tags        []string
	language    string
	published   time.Time
	// detect: a URL given to Harvest, polled as a seed (see JobHint).
	detect bool
	// pages: the pagination links followed to reach this listing page.
	pages int
	// item: listed as an entry of a feed or a news sitemap, which lists
	// articles (a plain sitemap lists every page of a site).
	item bool
}

// listsItem reports whether x says a feed or news sitemap listed its URL
// (a nil hint does not).
func (x *hint) listsItem() bool { return x != nil && x.item }

func (h *Harvester) putHint(canonical string, x *hint) {
	if x == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.hints) < maxHints {
		h.hints[canonical] = x
	}
}

// isSeed reports whether a frontier item is a URL given to Harvest, to be
// polled as a seed (hint.detect), without taking its hint.
func (h *Harvester) isSeed(it store.FrontierItem) bool {
	h.mu.Lock()
	x := h.hints[it.URL]
	h.mu.Unlock()
	if x == nil {
		x = storedHint(it.Hint)
	}
	return x != nil && x.detect
}

func (h *Harvester) takeHint(canonical string) *hint {
	h.mu.Lock()
	defer h.mu.Unlock()
	x := h.hints[canonical]
	delete(h.hints, canonical)
	return x
}

// capturePath is the path stored in a record for a WARC file: relative to
// CaptureBase when possible, else absolute.
func (h *Harvester) capturePath(file string) string {
	return capturePath(h.warc.Dir(), file, h.opts.CaptureBase)
}

// capturePath is the path stored in a record for the WARC file file of
// the folder dir: relative to base when it is under it, else absolute.
func capturePath(dir, file, base string) string {
	p := filepath.Join(dir, file)
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if base == "" {
		return p
	}
	base, err := filepath.Abs(base)
	if err != nil {
		return p
	}
	rel, err := filepath.Rel(base, p)
	if err != nil || strings.HasPrefix(rel, "..") {
		return p
	}
	return rel
}

// hostOf returns the lower-case host:port of a URL, "" when it has none.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}
