package harvest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
)

// seed is something polled at the start of a run: a source, or a URL given
// for an ad hoc harvest (src nil, kind "" to be detected).
type seed struct {
	src  *store.Source
	url  string
	kind string
}

// link is a URL found by a poll or a page, on its way to the frontier.
type link struct {
	url      string
	depth    int
	sourceID int64
	// lastmod is the sitemap's lastmod: a seen URL changed after its
	// archived copy is queued again.
	lastmod time.Time
	hint    *hint
	// explicit: the user named this URL (a URL list); if it failed
	// before, whatever the reason, it is tried again.
	explicit bool
}

// event is what a poll or a host lane hands to the writer. One event
// finishes at most one frontier item or one poll.
type event struct {
	// item is the frontier URL this event finishes; nil for polls.
	item *store.FrontierItem
	// pollDone finishes a poll.
	pollDone bool
	// source, when set, is saved (poll bookkeeping).
	source *store.Source

	links []link
	rec   *store.Record
	log   *store.Fetch

	// skip is why the URL gave no article ("" when rec is set or the page
	// was a listing whose links were followed).
	skip string
	// fail is a fetch failure; with a transient one the item is retried.
	fail *failure
	// host is the URL's host, for ErrorsByHost.
	host string
	// pollErr is why a poll failed, with pollURL its URL.
	pollErr, pollURL string
	// validators, when set, are a child sitemap's to keep in the archive.
	validators *keptValidators
	// pollCut, on a poll's final event, says which of its documents
	// were cut off mid-document (Summary.Cut).
	pollCut map[string]string
	// seedFail, on a poll's final event, is why fetching the seed's own
	// URL failed (already counted and logged by its own event).
	seedFail *failure
	// abandon puts the item back in the queue (the run is ending).
	abandon bool
	// fatal is a storage failure: the run stops.
	fatal error

	polled, notModified, fetched, extracted, listings int
	bytes                                             int64
}

// keptValidators are the validators to keep for a child sitemap's URL
// (store.ValidatorKeeper); the zero value forgets them.
type keptValidators struct {
	url string
	v   store.Validators
}

// run is one harvest run. execute owns every goroutine it starts and waits
// for all of them.
type run struct {
	h    *Harvester
	opts Options

	ctx    context.Context // ends: stop fetching
	cancel context.CancelCauseFunc
	// wctx is for writes: it outlives ctx so that what was fetched before
	// an interruption is still committed and unfinished URLs put back.
	wctx context.Context

	sources map[int64]*store.Source

	events chan event
	wake   chan struct{}
	// active counts claimed frontier items and running polls not yet
	// finished by the writer.
	active atomic.Int64
	// waitUntil (unix nanos) is the latest not-before the writer gave a URL
	// queued in this run; the run waits for those.
	waitUntil atomic.Int64
	cpu       chan struct{} // extraction slots

	laneMu sync.Mutex
	lanes  map[string]*lane
	laneWG sync.WaitGroup
	pollWG sync.WaitGroup

	// worker: a Harvester.Process call, not a run; links found are
	// queued for now, since the coordinator paces their dispatch.
	worker bool

	// Owned by the writer goroutine.
	sum      Summary
	prog     Progress
	err      error
	nextSlot map[string]time.Time // host → next not-before handed out
	// named holds the canonical URLs of a URL list (link.explicit) queued
	// in this run: their failures are reported in Summary.PollErrors.
	named map[string]bool
}

// lane holds one host's claimed URLs; one goroutine at a time drains it.
type lane struct {
	queue   []store.FrontierItem
	running bool
}

// lock takes the archive's harvest lock (store.HarvestLocker) for a run;
// a store without one runs unlocked.
func (h *Harvester) lock(ctx context.Context) (release func(), err error) {
	l, ok := h.st.(store.HarvestLocker)
	if !ok {
		return func() {}, nil
	}
	release, err = l.LockHarvest(ctx, h.opts.Holder)
	if err != nil {
		return nil, fmt.Errorf("harvest: %w", err)
	}
	return release, nil
}

// ErrHarvestRunning is store.ErrHarvestRunning: another process is
// harvesting the archive.
var ErrHarvestRunning = store.ErrHarvestRunning

// execute runs a harvest under the archive's harvest lock.
func (h *Harvester) execute(ctx context.Context, seeds []seed, pages []link, srcs []*store.Source) (*Summary, error) {
	release, err := h.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return h.executeLocked(ctx, seeds, pages, srcs)
}

// executeLocked is execute for a caller that holds the lock already.
func (h *Harvester) executeLocked(ctx context.Context, seeds []seed, pages []link, srcs []*store.Source) (*Summary, error) {
	start := time.Now()
	if h.opts.Dispatcher == nil {
		// With a Dispatcher, in-flight URLs are the workers'.
		if err := h.requeue(ctx); err != nil {
			return nil, err
		}
	}
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r := &run{
		h:        h,
		opts:     h.opts,
		ctx:      rctx,
		cancel:   cancel,
		wctx:     context.WithoutCancel(ctx),
		sources:  map[int64]*store.Source{},
		events:   make(chan event, 4*h.opts.Concurrency),
		wake:     make(chan struct{}, 1),
		cpu:      make(chan struct{}, h.opts.ExtractWorkers),
		lanes:    map[string]*lane{},
		sum:      newSummary(),
		nextSlot: map[string]time.Time{},
		named:    map[string]bool{},
	}
	for _, s := range srcs {
		r.sources[s.ID] = s
	}

	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		r.writer()
	}()

	if len(pages) > 0 {
		r.active.Add(1)
		r.pollWG.Add(1)
		go func() {
			defer r.pollWG.Done()
			r.send(event{links: pages, pollDone: true})
		}()
	}
	for _, s := range seeds {
		r.active.Add(1)
		r.pollWG.Add(1)
		go func() {
			defer r.pollWG.Done()
			r.poll(s)
		}()
	}

	if r.opts.Dispatcher != nil {
		r.dispatchRemote()
	} else {
		r.dispatch()
	}

	r.pollWG.Wait()
	r.laneWG.Wait()
	close(r.events)
	<-writerDone
	if r.err == nil && ctx.Err() == nil && r.sum.New+r.sum.Updated+r.sum.Duplicate > 0 {
		h.tidy(ctx)
	}

	if r.err == nil && r.opts.Dispatcher != nil {
		r.reportNamed()
	}
	if r.err == nil {
		n, next, err := h.st.Waiting(r.wctx)
		if err != nil {
			r.err = fmt.Errorf("harvest: %w", err)
		}
		r.sum.Waiting, r.sum.NextDue = n, next
	}
	r.sum.Duration = archive.Millis(time.Since(start))
	if r.err != nil {
		return &r.sum, r.err
	}
	if err := ctx.Err(); err != nil {
		return &r.sum, fmt.Errorf("harvest: %w", err)
	}
	return &r.sum, nil
}

// send hands an event to the writer, which always drains its channel.
func (r *run) send(ev event) { r.events <- ev }

func (r *run) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// window is how many frontier URLs a run holds claimed at once.
func (r *run) window() int { return max(64, 4*r.opts.Concurrency) }

// dispatch claims ready frontier URLs and hands them to host lanes until
// nothing is left to do now, the page cap is reached or the run is
// cancelled.
func (r *run) dispatch() {
	claimed := 0
	tick := 50 * time.Millisecond
	if p := r.opts.pace(); p > 0 {
		tick = min(max(p/4, 5*time.Millisecond), 250*time.Millisecond)
	}
	timer := time.NewTimer(tick)
	defer timer.Stop()
	for {
		if r.ctx.Err() != nil {
			return
		}
		// Read before claiming: when nothing was active then, every URL
		// that finished work queued is in the frontier already, so a
		// claim that finds nothing means the run is over.
		active := r.active.Load()
		n := r.window() - int(active)
		if r.opts.MaxPages > 0 {
			n = min(n, r.opts.MaxPages-claimed)
		}
		got := 0
		if n > 0 {
			items, err := r.h.st.Claim(r.ctx, time.Now(), n)
			if err != nil {
				if r.ctx.Err() == nil {
					r.cancel(fmt.Errorf("harvest: %w", err))
					r.send(event{fatal: fmt.Errorf("harvest: %w", err)})
				}
				return
			}
			got = len(items)
			claimed += got
			for _, it := range items {
				if r.h.isSeed(it) {
					claimed-- // seeds do not count against MaxPages
				}
				r.active.Add(1)
				r.dispatchItem(it)
			}
		}
		if got > 0 && got == n {
			continue // there may be more ready
		}
		if got == 0 && active == 0 {
			capped := r.opts.MaxPages > 0 && claimed >= r.opts.MaxPages
			if capped || time.Now().UnixNano() >= r.waitUntil.Load() {
				return
			}
		}
		timer.Reset(tick)
		select {
		case <-r.ctx.Done():
			return
		case <-r.wake:
		case <-timer.C:
		}
	}
}

func (r *run) dispatchItem(it store.FrontierItem) {
	key := it.Host
	r.laneMu.Lock()
	defer r.laneMu.Unlock()
	l := r.lanes[key]
	if l == nil {
		l = &lane{}
		r.lanes[key] = l
	}
	l.queue = append(l.queue, it)
	if l.running {
		return
	}
	l.running = true
	r.laneWG.Add(1)
	go func() {
		defer r.laneWG.Done()
		r.drainLane(key, l)
	}()
}

// drainLane fetches one host's URLs one after another until its queue is
// empty.
func (r *run) drainLane(key string, l *lane) {
	for {
		r.laneMu.Lock()
		if len(l.queue) == 0 {
			l.running = false
			delete(r.lanes, key)
			r.laneMu.Unlock()
			return
		}
		it := l.queue[0]
		l.queue = l.queue[1:]
		r.laneMu.Unlock()
		if r.ctx.Err() != nil {
			r.send(event{item: &it, abandon: true})
			continue
		}
		r.send(r.page(it))
	}
}
