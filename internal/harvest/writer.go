package harvest

import (
	"errors"
	"fmt"
	"time"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/store"
)

// enqueueChunk bounds the links enqueued in one frontier transaction.
const enqueueChunk = 1000

// writer owns every store write of a run. It batches records: a batch is
// stored when it is full or when no event is waiting, so records are
// committed promptly when the harvest is slow and in bulk when it is fast.
func (r *run) writer() {
	var batch []event
	for {
		var ev event
		var ok bool
		select {
		case ev, ok = <-r.events:
		default:
			// Nothing waiting: commit what we have, then block.
			r.flush(batch)
			batch = batch[:0]
			ev, ok = <-r.events
		}
		if !ok {
			r.flush(batch)
			return
		}
		if ev.rec != nil && r.err == nil {
			r.count(ev)
			if len(ev.links) > 0 {
				r.enqueue(ev.links)
			}
			batch = append(batch, ev)
			if len(batch) >= r.opts.BatchSize {
				r.flush(batch)
				batch = batch[:0]
			}
			continue
		}
		r.handle(ev)
	}
}

// stop records the first storage failure and cancels the run; later
// events are then only counted off.
func (r *run) stop(err error) {
	if r.err == nil {
		r.err = err
		r.cancel(err)
	}
}

func (r *run) count(ev event) {
	r.sum.Polled += ev.polled
	r.sum.NotModified += ev.notModified
	r.sum.Fetched += ev.fetched
	r.sum.Bytes += ev.bytes
	r.prog.Fetched += ev.fetched + ev.polled
	r.prog.Extracted += ev.extracted
}

// handle applies an event that carries no record.
func (r *run) handle(ev event) {
	defer r.finished(ev)
	if ev.fatal != nil {
		r.stop(ev.fatal)
	}
	if r.err != nil {
		if ev.item != nil && ev.abandon && queueAway(r.err) {
			// The queue stopped the run, not the archive: the URLs it
			// held go back now, for the next run to claim.
			r.settle(ev)
		}
		return
	}
	r.count(ev)
	r.sum.Listings += ev.listings
	if ev.pollErr != "" {
		r.sum.PollErrors[ev.pollURL] = ev.pollErr
	}
	for u, msg := range ev.pollCut {
		r.sum.Cut[u] = msg
	}
	if len(ev.links) > 0 {
		r.enqueue(ev.links)
	}
	if kv := ev.validators; kv != nil {
		if k, ok := r.h.st.(store.ValidatorKeeper); ok {
			if err := k.KeepSitemapValidators(r.wctx, kv.url, kv.v); err != nil {
				r.stop(fmt.Errorf("harvest: %w", err))
				return
			}
		}
	}
	if ev.source != nil {
		if err := r.h.st.UpdateSource(r.wctx, ev.source); err != nil && !errors.Is(err, store.ErrNotFound) {
			r.stop(fmt.Errorf("harvest: %w", err)) // a removed source is no failure
			return
		}
	}
	if ev.fail != nil {
		if ev.fail.hostError && ev.host != "" {
			r.sum.ErrorsByHost[ev.host]++
			r.prog.Errors++
		}
	}
	if ev.item != nil {
		r.settle(ev)
	} else if ev.fail != nil || ev.skip != "" {
		r.skipped(firstOf(ev.skip, reasonOf(ev.fail)))
	}
	if ev.log != nil {
		if err := r.h.st.LogFetch(r.wctx, ev.log); err != nil {
			r.stop(fmt.Errorf("harvest: %w", err))
		}
	}
}

func reasonOf(f *failure) string {
	if f == nil {
		return ""
	}
	return f.reason
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (r *run) skipped(reason string) {
	r.sum.Skipped[reason]++
	r.prog.Skipped++
}

// settle moves a frontier item that gave no record to its next state.
func (r *run) settle(ev event) {
	it := ev.item
	var err error
	switch {
	case ev.abandon:
		// The run's end, not the URL's fault: the claim is not counted.
		err = r.h.st.Postpone(r.wctx, it.URL, time.Now(), ReasonInterrupted)
		r.sum.Deferred++
	case ev.fail != nil && ev.fail.transient && (ev.fail.unasked || r.triesLeft(it)):
		wait := r.opts.RetryAfter
		if !ev.fail.unasked {
			wait = retryWait(r.opts.RetryAfter, it.Attempts)
		}
		if ev.fail.retryAfter > 0 {
			wait = ev.fail.retryAfter
		}
		if ev.fail.unasked {
			// Nothing was asked of the URL (its host is held or paused):
			// it keeps its tries for when the host can be asked.
			err = r.h.st.Postpone(r.wctx, it.URL, time.Now().Add(wait), ev.fail.reason)
		} else {
			err = r.h.st.Retry(r.wctx, it.URL, time.Now().Add(wait), ev.fail.reason)
		}
		r.sum.Deferred++
		if r.named[it.URL] {
			r.sum.PollErrors[it.URL] = ev.fail.reason + " (queued to be tried again in a later run)"
		}
	case ev.fail != nil:
		err = r.h.st.Fail(r.wctx, it.URL, ev.fail.reason)
		r.skipped(ev.fail.reason)
		if r.named[it.URL] {
			r.sum.PollErrors[it.URL] = ev.fail.reason
		}
	default:
		err = r.h.st.Done(r.wctx, it.URL)
		if ev.skip != "" {
			r.skipped(ev.skip)
		}
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		r.stop(fmt.Errorf("harvest: %w", err))
	}
}

// triesLeft says whether a URL that failed transiently is tried again:
// while it has had fewer than MaxAttempts tries, or was queued less than
// RetryWindow ago (a site down for some hours loses none of its URLs). An
// item of unknown age (a job from a coordinator that did not say) has
// MaxAttempts alone.
func (r *run) triesLeft(it *store.FrontierItem) bool {
	if it.Attempts < r.opts.MaxAttempts {
		return true
	}
	return r.opts.RetryWindow > 0 && !it.Added.IsZero() && time.Since(it.Added) < r.opts.RetryWindow
}

// maxRetryWait caps the wait before a URL's next try (retryWait).
const maxRetryWait = 24 * time.Hour

// retryWait is the wait before the next try of a URL that failed
// transiently on its attempts-th try: base, doubled with each try after
// the first, up to a day.
func retryWait(base time.Duration, attempts int) time.Duration {
	d := base
	for i := 1; i < attempts && d < maxRetryWait; i++ {
		d *= 2
	}
	return min(d, maxRetryWait)
}

// finished counts off a finished item or poll and wakes the dispatcher.
func (r *run) finished(ev event) {
	if ev.item != nil || ev.pollDone {
		r.active.Add(-1)
	}
	r.prog.Pending = int(r.active.Load())
	if r.opts.Progress != nil {
		r.opts.Progress(r.prog)
	}
	r.signal()
}

// flush stores a batch of records in one transaction, then marks their
// frontier items done and logs their fetches: after a crash between the
// two, the items are fetched again and found unchanged.
func (r *run) flush(batch []event) {
	if len(batch) == 0 {
		return
	}
	defer func() {
		for _, ev := range batch {
			r.finished(ev)
		}
	}()
	if r.err != nil {
		return
	}
	recs := make([]*store.Record, len(batch))
	for i, ev := range batch {
		recs[i] = ev.rec
	}
	results, err := archive.Ingest(r.wctx, r.h.st, recs)
	if err != nil {
		r.stop(fmt.Errorf("harvest: %w", err))
		return
	}
	for i, res := range results {
		ev := batch[i]
		if res.Err != nil {
			r.skipped(ReasonBadRecord)
			if ev.log != nil {
				ev.log.Error = ReasonBadRecord
			}
		} else if res.Outcome == store.Withheld {
			r.skipped(ReasonWithheld)
			if ev.log != nil {
				ev.log.Error = ReasonWithheld
			}
		} else {
			switch res.Outcome {
			case store.New:
				r.sum.New++
			case store.Updated:
				r.sum.Updated++
			case store.Refreshed:
				r.sum.Refreshed++
			case store.Unchanged:
				r.sum.Unchanged++
			case store.Duplicate:
				r.sum.Duplicate++
			}
			r.prog.Stored++
			if ev.log != nil {
				ev.log.ArticleID = res.ID
			}
		}
		if ev.item != nil {
			if err := r.h.st.Done(r.wctx, ev.item.URL); err != nil && !errors.Is(err, store.ErrNotFound) {
				r.stop(fmt.Errorf("harvest: %w", err))
				return
			}
		}
		if ev.log != nil {
			if err := r.h.st.LogFetch(r.wctx, ev.log); err != nil {
				r.stop(fmt.Errorf("harvest: %w", err))
				return
			}
		}
	}
}

// enqueue adds links to the frontier under their canonical URL: a URL
// already seen is skipped, unless it failed before for a reason that
// revivable allows (it is queued again), or its sitemap lastmod says it
// changed since it was archived. One host's new URLs are spread over time
// by the harvest delay, so that claiming in not-before order interleaves
// hosts.
func (r *run) enqueue(links []link) {
	now := time.Now()
	pace := r.opts.pace()
	for len(links) > 0 && r.err == nil {
		chunk := links[:min(len(links), enqueueChunk)]
		links = links[len(chunk):]
		items := make([]store.FrontierItem, 0, len(chunk))
		batch := map[string]bool{}
		for _, l := range chunk {
			cu, err := canon.URL(l.url)
			if err != nil {
				r.skipped(ReasonInvalidURL)
				if l.explicit {
					r.sum.PollErrors[l.url] = ReasonInvalidURL
				}
				continue
			}
			if batch[cu] {
				r.skipped(ReasonSeen) // a variant listed beside its article
				continue
			}
			batch[cu] = true
			seen, err := r.h.st.Seen(r.wctx, cu)
			if err != nil {
				r.stop(fmt.Errorf("harvest: %w", err))
				return
			}
			if seen {
				host := hostOf(cu)
				nb := r.slot(host, now, pace)
				ok, err := r.h.st.Revive(r.wctx, cu, nb, revivable(l))
				if err != nil {
					r.stop(fmt.Errorf("harvest: %w", err))
					return
				}
				if ok {
					if l.explicit {
						r.named[cu] = true
					}
					if err := r.listedBeforeFetch(cu, l.lastmod); err != nil {
						r.stop(fmt.Errorf("harvest: %w", err))
						return
					}
					r.reserve(host, nb, pace)
					r.h.putHint(cu, l.hint)
					r.sum.Retried++
					r.prog.Queued++
					continue
				}
				switch r.changed(cu, l.lastmod) {
				case requeued:
					r.h.putHint(cu, l.hint)
				case unchanged:
					r.skipped(ReasonUnchanged)
				default:
					r.skipped(ReasonSeen)
				}
				continue
			}
			host := hostOf(cu)
			nb := r.slot(host, now, pace)
			r.reserve(host, nb, pace)
			if l.explicit {
				r.named[cu] = true
			}
			it := store.FrontierItem{URL: cu, Host: host, SourceID: l.sourceID, Depth: l.depth,
				NotBefore: nb, Added: now, Hint: l.hint.encode()}
			if lm := milli(l.lastmod); !lm.IsZero() {
				// Queued now, so fetched after this value was listed.
				it.Lastmod, it.LastmodFetched = lm, true
				r.h.remember(cu, lastmodSeen{lastmod: lm, fetched: true})
			}
			items = append(items, it)
		}
		if len(items) == 0 {
			continue
		}
		n, err := r.h.st.Enqueue(r.wctx, items)
		if err != nil {
			r.stop(fmt.Errorf("harvest: %w", err))
			return
		}
		r.sum.Queued += n
		r.prog.Queued += n
	}
	r.signal()
}

// slot is the not-before of a URL of host queued now: one host's URLs are
// spread over time by the harvest delay. It takes nothing: reserve does,
// for a URL that was queued.
func (r *run) slot(host string, now time.Time, pace time.Duration) time.Time {
	if pace <= 0 || r.worker {
		return now
	}
	if nb := r.nextSlot[host]; nb.After(now) {
		return nb
	}
	return now
}

// reserve takes host's slot nb for a URL queued, and makes the run wait
// for it.
func (r *run) reserve(host string, nb time.Time, pace time.Duration) {
	if pace > 0 && !r.worker {
		r.nextSlot[host] = nb.Add(pace)
	}
	if t := nb.UnixNano(); t > r.waitUntil.Load() {
		r.waitUntil.Store(t)
	}
}

// policyReasons are the failures that come from a run's settings or a
// site's current wishes rather than from the page: a private address
// refused without AllowPrivate, a robots.txt disallow (the rules change,
// and depend on the User-Agent). A URL that failed for one of them is
// tried again when a feed, sitemap or list names it again, so that a run
// with other settings fetches it; the refusal costs no request to the
// page. Other failures (a 404, not HTML, too large) stay failed, and the
// URL is skipped as seen, unless it is named explicitly (link.explicit).
var policyReasons = []string{ReasonPrivate, ReasonRobots}

// revivable is the failure reasons after which a seen URL is queued again
// when l names it: any for a URL named explicitly, else the policy ones.
func revivable(l link) []string {
	if l.explicit {
		return nil
	}
	return policyReasons
}

// maxClockSkew is how far in the future a sitemap's lastmod may be and
// still be believed: servers' clocks and time zones are off by that much.
// A lastmod further ahead says nothing and is ignored.
const maxClockSkew = 24 * time.Hour

// maxLastmods bounds the sitemap lastmods a Harvester holds in memory
// (see lastmodSeen). The archive keeps them too, with each frontier URL
// (store.LastmodKeeper): past the bound, and in a new process, they are
// read from there. Where the archive keeps none (a URL archived by an
// import, until a lastmod has it fetched), a lastmod in the future still
// waits until it is past (refetch).
const maxLastmods = 200_000

// lastmodSeen is what was seen of a URL's sitemap lastmod.
type lastmodSeen struct {
	lastmod time.Time // the value listed, to the millisecond (as kept)
	// fetched: the page was fetched, or queued to be, after this value
	// was listed (by the poll that first queued it, or fetched again for
	// it), or its archived copy is later than the value.
	fetched bool
}

// milli is t to the millisecond, as the archive keeps it, so that a
// value read back compares equal to the one listed again.
func milli(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.UnixMilli(t.UnixMilli()).UTC()
}

// remember holds what was seen of cu's lastmod in memory, within
// maxLastmods.
func (h *Harvester) remember(cu string, e lastmodSeen) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.lastmods[cu]; ok || len(h.lastmods) < maxLastmods {
		h.lastmods[cu] = e
	}
}

// recall returns what was seen of cu's lastmod: in memory, else as the
// archive's frontier keeps it; ok is false when neither knows.
func (r *run) recall(cu string) (e lastmodSeen, ok bool, err error) {
	r.h.mu.Lock()
	e, ok = r.h.lastmods[cu]
	r.h.mu.Unlock()
	if ok {
		return e, true, nil
	}
	if _, keeps := r.h.st.(store.LastmodKeeper); !keeps {
		return lastmodSeen{}, false, nil
	}
	items, err := r.h.st.FrontierItems(r.wctx, []string{cu})
	if err != nil || len(items) == 0 || items[0].Lastmod.IsZero() {
		return lastmodSeen{}, false, err
	}
	e = lastmodSeen{lastmod: items[0].Lastmod, fetched: items[0].LastmodFetched}
	r.h.remember(cu, e)
	return e, true, nil
}

// keep records what was seen of cu's lastmod, in memory and in the
// archive's frontier, and reports whether the frontier holds cu (a URL
// archived by an import may not be in it).
func (r *run) keep(cu string, e lastmodSeen) (bool, error) {
	r.h.remember(cu, e)
	k, ok := r.h.st.(store.LastmodKeeper)
	if !ok {
		return false, nil
	}
	return k.KeepLastmod(r.wctx, cu, e.lastmod, e.fetched)
}

// listedBeforeFetch records that cu, seen before and about to be queued
// again, is listed with lastmod: its fetch will come after.
func (r *run) listedBeforeFetch(cu string, lastmod time.Time) error {
	lm := milli(lastmod)
	if lm.IsZero() {
		return nil
	}
	_, err := r.keep(cu, lastmodSeen{lastmod: lm, fetched: true})
	return err
}

// refetch decides whether an archived page, fetched at fetchedAt, is
// fetched again for the sitemap lastmod seen at now, given what was seen
// of its lastmod before (prev, when known), and returns what is seen
// now. A lastmod later than now cannot be when the page changed — the
// site's clock or time zone is off — and a page refetched for a lastmod
// keeps its first fetch time when its text had not changed, so the
// archived fetch time alone would have it fetched at every poll. So:
//
//   - a lastmod seen listed before the page was fetched (the poll that
//     queued it, or an earlier refetch for it) asks for nothing;
//   - a lastmod other than the one an earlier poll saw says the page
//     changed since that poll, at the latest now: it is fetched again
//     unless the archived copy is later than that;
//   - a lastmod first seen on an archived page (one archived before
//     lastmods were kept, or by an import) is believed once it is past:
//     the page is fetched again if it is later than the archived copy.
//     Until then, the page waits: when the lastmod appeared is unknown,
//     and it may be the one the archived copy was fetched for.
//
// Once the page is fetched again for a lastmod, or found newer than it,
// that lastmod asks for nothing more. What was seen is kept in the
// archive's frontier, so runs one after another (from cron) decide as one
// long run would.
func refetch(prev lastmodSeen, known bool, lastmod, fetchedAt, now time.Time) (seen lastmodSeen, fetch bool) {
	if known && prev.lastmod.Equal(lastmod) && prev.fetched {
		return prev, false
	}
	by := lastmod
	if known && !prev.lastmod.Equal(lastmod) && by.After(now) {
		by = now
	}
	if by.After(now) {
		return lastmodSeen{lastmod: lastmod}, false
	}
	return lastmodSeen{lastmod: lastmod, fetched: true}, by.After(fetchedAt)
}

// What changed found about a seen URL.
const (
	notArchived = iota // seen in the frontier, not (yet) archived
	unchanged          // archived, and lastmod is not later
	requeued           // archived before lastmod: queued again
)

// changed finds whether a seen URL should be fetched again because its
// sitemap lastmod says it changed after the archived copy was fetched
// (refetch), and if so puts it back in the queue.
//
// The cheap checks come first: a sitemap re-lists most of its URLs poll
// after poll with the lastmod already acted on, and what was seen of it
// (in memory, else one frontier row) settles those without reading the
// archived record. Such a URL counts as unchanged whether or not it has
// an archived copy (it may be queued still, have failed, or not be an
// article): the record is read only for a lastmod not yet acted on.
func (r *run) changed(cu string, lastmod time.Time) int {
	// A lastmod in the future beyond clock skew says nothing: it would
	// be later than every fetch, and the page fetched again at every poll.
	now := time.Now()
	if lastmod.IsZero() || lastmod.After(now.Add(maxClockSkew)) {
		return notArchived
	}
	lastmod = milli(lastmod)
	prev, known, err := r.recall(cu)
	if err != nil {
		r.stop(fmt.Errorf("harvest: %w", err))
		return notArchived
	}
	if known && prev.lastmod.Equal(lastmod) && prev.fetched {
		return unchanged // refetch asks nothing for it, whatever the archive holds
	}
	rec, err := r.h.st.Get(r.wctx, canon.ID(cu))
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			r.stop(fmt.Errorf("harvest: %w", err))
		}
		return notArchived
	}
	seen, fetch := refetch(prev, known, lastmod, rec.FetchedAt, now)
	if !known || !seen.lastmod.Equal(prev.lastmod) || seen.fetched != prev.fetched {
		// A URL the frontier does not hold (archived by an import) gets
		// its lastmod when it is queued below, if it is.
		if _, err := r.keep(cu, seen); err != nil {
			r.stop(fmt.Errorf("harvest: %w", err))
			return notArchived
		}
	}
	if !fetch {
		return unchanged
	}
	err = r.h.st.Retry(r.wctx, cu, time.Now(), "changed (lastmod)")
	if errors.Is(err, store.ErrNotFound) {
		// Archived without passing through the frontier (an import).
		_, err = r.h.st.Enqueue(r.wctx, []store.FrontierItem{{URL: cu, Host: hostOf(cu), Added: time.Now(),
			Lastmod: seen.lastmod, LastmodFetched: seen.fetched}})
	}
	if err != nil {
		r.stop(fmt.Errorf("harvest: %w", err))
		return notArchived
	}
	r.sum.Requeued++
	return requeued
}
