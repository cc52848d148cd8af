package harvest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
)

// Job is a frontier URL handed to another process to fetch: the payload of
// a fetch job in the distributed queue. It carries what the process that
// claimed the URL knew and the worker does not: the source and its kind
// (record provenance, site-crawl scope), the depth, the claim's attempt
// count and the feed's or sitemap's fallback metadata.
type Job struct {
	// URL is the canonical URL, the frontier's key.
	URL  string `json:"url"`
	Host string `json:"host"`
	// SourceID, Source and SourceKind name the source the URL came from
	// (0 and "" for an ad hoc harvest).
	SourceID   int64  `json:"source_id,omitempty"`
	Source     string `json:"source,omitempty"`
	SourceKind string `json:"source_kind,omitempty"`
	// Depth is the links followed from the source; a page at depth >= 1
	// that is a listing has its links followed within the crawl scope.
	Depth int `json:"depth"`
	// Attempts counts claims of the URL, this one included.
	Attempts int `json:"attempts"`
	// Added is when the URL was queued (Options.RetryWindow); zero when
	// not known.
	Added time.Time `json:"added,omitzero"`
	Hint  *JobHint  `json:"hint,omitempty"`
}

// JobHint is what a feed or sitemap said about a URL: fallbacks for the
// fields extraction leaves empty.
type JobHint struct {
	Source      string    `json:"source,omitempty"`
	Title       string    `json:"title,omitempty"`
	Description string    `json:"description,omitempty"`
	Authors     []string  `json:"authors,omitempty"`
	Tags        []string  `json:"tags,omitempty"`
	Language    string    `json:"language,omitempty"`
	Published   time.Time `json:"published,omitzero"`
	// Detect marks a URL given to Harvest: what it is (a feed, a sitemap,
	// a page) is found from its content, as for a seed. A coordinator
	// polls such a URL itself rather than dispatch it (workers cannot
	// poll).
	Detect bool `json:"detect,omitempty"`
	// Pages counts the pagination links followed to reach a listing page
	// of a site crawl (see maxPaginationPages).
	Pages int `json:"pages,omitempty"`
	// Item marks an entry of a feed or a news sitemap: an article, however
	// short its text or its URL.
	Item bool `json:"item,omitempty"`
}

func (x *hint) export() *JobHint {
	return &JobHint{Source: x.source, Title: x.title, Description: x.description, Authors: x.authors,
		Tags: x.tags, Language: x.language, Published: x.published, Detect: x.detect, Pages: x.pages, Item: x.item}
}

func (j *JobHint) internal() *hint {
	return &hint{source: j.Source, title: j.Title, description: j.Description, authors: j.Authors,
		tags: j.Tags, language: j.Language, published: j.Published, detect: j.Detect, pages: j.Pages, item: j.Item}
}

// encode is x as the frontier keeps it (store.FrontierItem.Hint): the
// JSON of its JobHint; nil when there is nothing to keep.
func (x *hint) encode() json.RawMessage {
	if x == nil {
		return nil
	}
	b, err := json.Marshal(x.export())
	if err != nil || string(b) == "{}" { // every JobHint field is omitted when empty
		return nil // err: strings, string lists and a time cannot fail
	}
	return b
}

// storedHint decodes a frontier item's hint; nil when it has none or it
// cannot be read (a hint is a fallback: losing one loses no data).
func storedHint(raw json.RawMessage) *hint {
	if len(raw) == 0 {
		return nil
	}
	var j JobHint
	if json.Unmarshal(raw, &j) != nil {
		return nil
	}
	return j.internal()
}

// itemHint is the hint for a claimed frontier item: a fresher one held in
// memory (a sitemap's changed page requeued in this run, or a job's),
// which it takes, else the one stored with the item. held says which.
func (h *Harvester) itemHint(it store.FrontierItem) (x *hint, held bool) {
	if x := h.takeHint(it.URL); x != nil {
		return x, true
	}
	return storedHint(it.Hint), false
}

// ErrDispatch is wrapped by the error of a run that stopped because its
// Dispatcher failed.
var ErrDispatch = errors.New("dispatch")

// Dispatcher is the seam between claiming frontier URLs and fetching them.
// Without one (Options.Dispatcher nil) a run fetches what it claims itself,
// one lane per host, in process. With one, the run is a coordinator: it
// polls sources and fills the frontier as usual, and hands each claimed URL
// to Dispatch (at most one per host per Options.Delay), to be fetched by
// workers calling Harvester.Process, the same page step the in-process
// lanes run. The frontier stays the seen-set and the record of what is
// done: a worker marks the URL done, failed or deferred after committing.
type Dispatcher interface {
	// Dispatch hands jobs over durably (a published job is not lost if
	// this process dies). An error stops the run.
	Dispatch(ctx context.Context, jobs []Job) error
}

// IdleDispatcher is a Dispatcher that can tell whether any job it handed
// over is still waiting or held by a worker. A coordinator whose frontier
// holds URLs in flight while its Dispatcher is idle knows that their jobs
// were lost (a queue purged, or a server restarted without its store) and
// puts them back to dispatch again, instead of waiting for them for ever.
// Idle must not say true while a job is held by a worker: a worker commits
// a URL's state before its job leaves the queue.
type IdleDispatcher interface {
	Dispatcher
	Idle(ctx context.Context) (bool, error)
}

// Process fetches, captures, extracts and stores one job's URL, and moves
// its frontier item on (done, failed, deferred), as a run's host lane does
// for a URL it claimed; links of a listing page within a site crawl are
// added to the frontier, for the coordinator to dispatch. It is safe to
// call from many goroutines at once, and idempotent: a job processed twice
// (redelivered after a crash) stores its article once.
//
// It returns the job's counts, and an error when the job should be tried
// again: a storage failure, or the end of ctx before the result was
// committed (the frontier item is then left in flight for the retry).
func (h *Harvester) Process(ctx context.Context, j Job) (*Summary, error) {
	start := time.Now()
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r := &run{
		h:        h,
		opts:     h.opts,
		ctx:      rctx,
		cancel:   cancel,
		wctx:     context.WithoutCancel(ctx),
		sources:  map[int64]*store.Source{},
		cpu:      h.cpu,
		sum:      newSummary(),
		nextSlot: map[string]time.Time{},
		worker:   true,
	}
	if j.SourceID != 0 && j.Source != "" {
		r.sources[j.SourceID] = &store.Source{ID: j.SourceID, URL: j.Source, Kind: j.SourceKind}
	}
	if j.Hint != nil {
		h.putHint(j.URL, j.Hint.internal())
	}
	defer h.takeHint(j.URL) // a long-lived worker keeps no hints
	it := store.FrontierItem{URL: j.URL, Host: j.Host, SourceID: j.SourceID, Depth: j.Depth, Attempts: j.Attempts, Added: j.Added, State: store.InFlight}
	if it.Host == "" {
		it.Host = hostOf(j.URL)
	}
	ev := r.page(it)
	switch {
	case ev.abandon:
		err := context.Cause(rctx)
		if err == nil {
			err = context.Canceled
		}
		return &r.sum, fmt.Errorf("harvest %s: %w", j.URL, err)
	case ev.rec != nil:
		r.count(ev)
		if len(ev.links) > 0 {
			r.enqueue(ev.links)
		}
		r.flush([]event{ev})
	default:
		r.handle(ev)
	}
	r.sum.Duration = archive.Millis(time.Since(start))
	if r.err != nil {
		return &r.sum, r.err
	}
	return &r.sum, nil
}

// job turns a claimed frontier item into a Job.
func (r *run) job(it store.FrontierItem) Job {
	j := Job{URL: it.URL, Host: it.Host, SourceID: it.SourceID, Depth: it.Depth, Attempts: it.Attempts, Added: it.Added}
	if s := r.sources[it.SourceID]; s != nil {
		j.Source, j.SourceKind = s.URL, s.Kind
	}
	if x, _ := r.h.itemHint(it); x != nil {
		j.Hint = x.export()
	}
	return j
}

// dispatchRemote is dispatch for a coordinator: it claims ready frontier
// URLs, releases each host's URLs to the Dispatcher at most one per delay
// (so that workers find their host free rather than wait for it), and
// returns when no poll is running, nothing is claimed or held back, and
// the workers have finished every URL in flight.
func (r *run) dispatchRemote() {
	pace := r.opts.pace()
	tick := 50 * time.Millisecond
	if pace > 0 {
		tick = min(max(pace/4, 5*time.Millisecond), 250*time.Millisecond)
	}
	type hostQueue struct {
		items []store.FrontierItem
		next  time.Time
	}
	held := map[string]*hostQueue{}
	nheld, claimed := 0, 0
	lastLook := false // the frontier had nothing in flight at the last count
	timer := time.NewTimer(tick)
	defer timer.Stop()
	putBack := func() {
		for _, q := range held {
			for _, it := range q.items {
				r.send(event{item: &it, abandon: true})
			}
		}
	}
	for {
		if r.ctx.Err() != nil {
			putBack()
			return
		}
		now := time.Now()
		var jobs []Job
		var sent []store.FrontierItem
		var paced []*hostQueue
		for _, q := range held {
			// One URL per host per delay; all of them when there is none.
			for len(q.items) > 0 && !now.Before(q.next) {
				jobs = append(jobs, r.job(q.items[0]))
				sent = append(sent, q.items[0])
				q.items = q.items[1:]
				if pace > 0 {
					paced = append(paced, q)
					break
				}
			}
		}
		if len(jobs) > 0 {
			err := r.opts.Dispatcher.Dispatch(r.ctx, jobs)
			// The delay counts from when the jobs were handed over, not
			// from the look above: building and publishing a batch takes
			// time (much of it on a loaded machine), and counted from
			// before it, the next job for a host could go out less than
			// the delay after this one.
			next := time.Now().Add(pace)
			for _, q := range paced {
				q.next = next
			}
			if err != nil {
				if r.ctx.Err() == nil {
					r.send(event{fatal: fmt.Errorf("harvest: %w: %w", ErrDispatch, err)})
				}
				for _, it := range sent {
					r.send(event{item: &it, abandon: true})
				}
				putBack()
				return
			}
			nheld -= len(jobs)
			r.active.Add(-int64(len(jobs)))
			r.sum.Dispatched += len(jobs)
		}

		active := r.active.Load() // polls running, URLs held back
		n := r.window() - nheld
		if r.opts.MaxPages > 0 {
			n = min(n, r.opts.MaxPages-claimed)
		}
		got := 0
		if n > 0 {
			items, err := r.h.st.Claim(r.ctx, now, n)
			if err != nil {
				if r.ctx.Err() == nil {
					r.cancel(fmt.Errorf("harvest: %w", err))
					r.send(event{fatal: fmt.Errorf("harvest: %w", err)})
				}
				putBack()
				return
			}
			got = len(items)
			claimed += got
			for _, it := range items {
				r.active.Add(1)
				if r.h.isSeed(it) {
					// Workers cannot poll: a URL given to Harvest is
					// polled here. Seeds do not count against MaxPages.
					claimed--
					r.pollWG.Add(1)
					go func() {
						defer r.pollWG.Done()
						if ev, ok := r.withheldItem(it); ok {
							r.send(ev)
							return
						}
						r.send(r.seedItem(it))
					}()
					continue
				}
				nheld++
				q := held[it.Host]
				if q == nil {
					q = &hostQueue{} // kept when empty: it remembers the host's next slot
					held[it.Host] = q
				}
				q.items = append(q.items, it)
			}
		}
		if got > 0 {
			lastLook = false
			continue // publish what became due, claim more
		}
		if active == 0 && nheld == 0 && time.Now().UnixNano() >= r.waitUntil.Load() {
			counts, err := r.h.st.FrontierCounts(r.ctx)
			if err != nil {
				if r.ctx.Err() == nil {
					r.send(event{fatal: fmt.Errorf("harvest: %w", err)})
				}
				return
			}
			capped := r.opts.MaxPages > 0 && claimed >= r.opts.MaxPages
			if capped || counts[store.InFlight] == 0 && lastLook {
				return
			}
			if counts[store.InFlight] == 0 {
				// A worker may have put a URL back (deferred it) after
				// the claim above found nothing and before the count:
				// claim once more before ending.
				lastLook = true
				continue
			}
			if n := r.putBackLost(); n > 0 {
				lastLook = false
				continue // claim them again
			}
		}
		lastLook = false
		timer.Reset(tick)
		select {
		case <-r.ctx.Done():
		case <-r.wake:
		case <-timer.C:
		}
	}
}

// reportNamed adds to a coordinator's Summary.PollErrors the URLs of a URL
// list that the workers could not harvest, as a run's own host lanes do
// (settle): a worker records how a URL ended in the frontier, not in this
// run's summary, so the coordinator reads it there once the workers are
// done. A URL failed for good is reported with its reason; one put back
// for a later try (a 5xx, a Retry-After) with its reason and that it is
// queued again. Called after the writer has finished, which owned named.
func (r *run) reportNamed() {
	urls := make([]string, 0, len(r.named))
	for u := range r.named {
		if _, ok := r.sum.PollErrors[u]; !ok {
			urls = append(urls, u)
		}
	}
	if len(urls) == 0 {
		return
	}
	items, err := r.h.st.FrontierItems(r.wctx, urls)
	if err != nil {
		r.err = fmt.Errorf("harvest: %w", err)
		return
	}
	for _, it := range items {
		switch {
		case it.State == store.Failed:
			r.sum.PollErrors[it.URL] = it.Reason
		case it.State == store.Queued && it.Reason != "" && it.Reason != ReasonInterrupted &&
			(it.Attempts > 0 || slices.Contains(unaskedReasons, it.Reason)):
			r.sum.PollErrors[it.URL] = it.Reason + " (queued to be tried again in a later run)"
		}
	}
}

// putBackLost puts back in the queue the frontier's in-flight URLs when
// the Dispatcher says no job is left (see IdleDispatcher), and returns
// how many. It is called when this run holds no URL itself and the
// frontier counted some in flight: those can only be the workers', and
// with no job left no worker will finish them. A URL a worker finished
// between the count and the check is done, not in flight, and stays so.
func (r *run) putBackLost() int {
	d, ok := r.opts.Dispatcher.(IdleDispatcher)
	if !ok {
		return 0
	}
	idle, err := d.Idle(r.ctx)
	if err != nil || !idle {
		return 0 // a queue that cannot say is waited for, as before
	}
	n, err := r.h.st.RequeueInFlight(r.wctx)
	if err != nil {
		if r.ctx.Err() == nil {
			r.send(event{fatal: fmt.Errorf("harvest: %w", err)})
		}
		return 0
	}
	if n > 0 {
		r.opts.Logger.Warn("URLs in flight had no job left in the queue (lost); put back to be dispatched again", "urls", n)
	}
	return n
}
