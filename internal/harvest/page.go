package harvest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/herald-archive/herald/extract"
	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/fetch"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// extractPage is extract.Extract; tests replace it to find out what a
// page that crashes the extractor does to a harvest.
var extractPage = extract.Extract

// errCrashed is what extractSafely returns for a page that crashed the
// extractor.
var errCrashed = errors.New(ReasonCrashed)

// extractSafely is extractPage for pages read from WARC files (herald
// import warc, a fleet's extract jobs, herald reextract): a crash of the
// extractor, a bug in Herald, is logged with the page's URL and stack and
// returned as errCrashed, so that one page cannot stop an import of
// millions of records.
func extractSafely(body []byte, opts extract.Options) (res *extract.Result, err error) {
	defer func() {
		if crashed(recover(), slog.Default(), opts.URL) {
			res, err = nil, errCrashed
		}
	}()
	return extractPage(body, opts)
}

// crashed reports whether v, what recover returned, is a crash, and logs
// it to log with the page's URL and the stack. Call it in the deferred
// function itself, where recover works.
func crashed(v any, log *slog.Logger, url string) bool {
	if v == nil {
		return false
	}
	log.Error("extraction crashed on a page; please report it with its capture", "url", url,
		"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	return true
}

// crawl says whether and how a page's links are followed.
type crawl struct {
	// follow: the page belongs to a site crawl; when it is a listing, its
	// links within scope are queued at depth+1.
	follow bool
	depth  int
	// scope is the seed URL whose site bounds the crawl.
	scope    string
	sourceID int64
	// pages is the pagination links followed to reach the page.
	pages int
}

// page fetches, captures and extracts one frontier URL.
func (r *run) page(it store.FrontierItem) event {
	ev := event{item: &it, host: it.Host}
	if hold, ok := r.h.heldUntil(it.Host); ok {
		// Asking now would only be refused by the fetcher until the
		// host's Retry-After or Crawl-delay has run out; try then.
		ev.fail = &failure{reason: hold.reason, transient: true, unasked: true, retryAfter: time.Until(hold.until)}
		return ev
	}
	if ev, ok := r.withheldItem(it); ok {
		return ev
	}
	x, held := r.h.itemHint(it)
	if x != nil && x.detect && !r.worker {
		return r.seedItem(it)
	}
	keep := func() { // for the next try; a stored hint stays stored
		if held {
			r.h.putHint(it.URL, x)
		}
	}
	resp, lg, f := r.fetch(fetch.Request{URL: it.URL, Refresh: r.onlyHop}, it.SourceID)
	if resp == nil && f == nil {
		keep()
		return event{item: &it, abandon: true}
	}
	ev.log = lg
	if f != nil {
		if f.retryAfter > fetch.DefaultMaxRetryWait {
			r.h.hold(it.Host, hostHold{until: time.Now().Add(f.retryAfter), reason: heldReason(f)})
		}
		keep()
		ev.fail = f
		return ev
	}
	ev.fetched = 1
	ev.bytes = int64(len(resp.Body))
	c := crawl{follow: it.Depth >= 1, depth: it.Depth, scope: it.URL, sourceID: it.SourceID}
	if x != nil {
		c.pages = x.pages
	}
	if s := r.sources[it.SourceID]; s != nil && s.Kind == store.KindSite {
		c.scope = s.URL
	}
	r.processPage(&ev, resp, c, x)
	return ev
}

// withheldItem finishes, unfetched, a frontier item whose URL the archive
// withholds (a takedown: herald delete --withhold, herald withheld add),
// and reports whether it did. Whatever queued it (a URL named to harvest,
// a URL list, a sitemap's newer lastmod, a URL that failed before), a
// withheld page is not asked for: its response would be captured in the
// WARC files again, after --erase-captures erased it. The item is done,
// counted as withheld.
func (r *run) withheldItem(it store.FrontierItem) (event, bool) {
	c, ok := r.h.st.(store.WithheldChecker)
	if !ok {
		return event{}, false
	}
	withheld, err := c.IsWithheld(r.ctx, canon.ID(it.URL))
	switch {
	case err != nil && r.ctx.Err() != nil:
		return event{item: &it, abandon: true}, true
	case err != nil:
		return event{item: &it, fatal: fmt.Errorf("harvest: %w", err)}, true
	case !withheld:
		return event{}, false
	}
	r.h.takeHint(it.URL)
	return event{item: &it, host: it.Host, skip: ReasonWithheld}, true
}

// seedItem polls a frontier item that is a URL given to Harvest (see
// JobHint.Detect) as a seed. Its final event finishes the item too, or
// puts it back when the run was interrupted before the poll could finish,
// or defers it when fetching it failed for now.
func (r *run) seedItem(it store.FrontierItem) event {
	r.h.takeHint(it.URL) // detect is all it says
	ev := r.pollEvent(seed{url: it.URL})
	ev.item = &it
	ev.abandon = r.ctx.Err() != nil
	if f := ev.seedFail; f != nil && f.transient && !ev.abandon {
		// A server error, a timeout, a host that asked to wait: try the
		// seed again later, as any frontier URL.
		again := *f
		again.hostError = false // counted when the fetch failed
		ev.fail = &again
	}
	return ev
}

// hostHold is until when a host asked not to be asked again, and why
// (ReasonHeld or ReasonCrawlDelay).
type hostHold struct {
	until  time.Time
	reason string
}

// heldReason is the reason recorded for the URLs of a host held after f:
// a held host's own reason, else a Retry-After's.
func heldReason(f *failure) string {
	if f.reason == ReasonCrawlDelay {
		return ReasonCrawlDelay
	}
	return ReasonHeld
}

// heldUntil says whether a host asked not to be asked again for a while.
func (h *Harvester) heldUntil(host string) (hostHold, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	hold, ok := h.held[host]
	if ok && !time.Now().Before(hold.until) {
		delete(h.held, host) // a long-lived worker meets many hosts
		return hold, false
	}
	return hold, ok
}

func (h *Harvester) hold(host string, hold hostHold) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if hold.until.After(h.held[host].until) {
		h.held[host] = hold
	}
}

// fetch gets one document and prepares its fetch log entry. A nil response
// with a nil failure means the run was cancelled.
func (r *run) fetch(req fetch.Request, sourceID int64) (*fetch.Response, *store.Fetch, *failure) {
	start := time.Now()
	resp, err := r.h.client.Fetch(r.ctx, req)
	lg := &store.Fetch{SourceID: sourceID, URL: req.URL, At: start.UTC(), Duration: time.Since(start)}
	if err != nil {
		if r.ctx.Err() != nil {
			return nil, nil, nil
		}
		if errors.Is(err, fetch.ErrGate) {
			// Not the URL's fault: stop, and let the work be retried.
			err = fmt.Errorf("harvest: %w", err)
			r.cancel(err)
			if !r.worker {
				r.send(event{fatal: err})
			}
			return nil, nil, nil
		}
		f := classify(err)
		lg.Status, lg.Error = f.status, f.reason
		var serr *fetch.StatusError
		if errors.As(err, &serr) && serr.Response != nil {
			// The archive keeps what the server answered, 404s and 500s
			// included: that a page was gone at a time is evidence too.
			if _, err := r.h.capture(r.ctx, serr.Response); err != nil && r.ctx.Err() == nil {
				r.opts.Logger.Warn("capture of a failed fetch", "url", req.URL, "err", err)
			}
		}
		r.opts.Logger.Debug("fetch failed", "url", req.URL, "reason", f.reason, "err", err)
		return nil, lg, &f
	}
	lg.Status = resp.Status
	lg.Bytes = int64(len(resp.Body))
	return resp, lg, nil
}

// captureRobots writes a robots.txt exchange (fetch.Options.OnRobots) to
// WARC, so that the archive holds the rules the crawl obeyed. A failure
// is logged: the page fetch goes on.
func (h *Harvester) captureRobots(resp *fetch.Response) {
	if _, err := h.capture(context.Background(), resp); err != nil {
		h.opts.Logger.Warn("capture of robots.txt", "url", resp.URL, "err", err)
	}
}

// capture writes a response to WARC, after the redirects that led to it
// (one exchange per hop, in order, so the archive holds the whole chain);
// the returned capture is the final response's, with where its chain
// starts (the first hop's response, or the final response itself when
// there was none). nil when captures are off or the response has no raw
// bytes.
func (h *Harvester) capture(ctx context.Context, resp *fetch.Response) (*store.Capture, error) {
	if h.warc == nil || len(resp.RawResponse) == 0 {
		return nil, nil
	}
	refs, err := h.warc.WriteExchanges(ctx, exchanges(resp))
	if err != nil {
		return nil, fmt.Errorf("harvest: capture %s: %w", resp.URL, err)
	}
	ref := refs[len(refs)-1]
	return &store.Capture{File: h.capturePath(ref.File), Offset: ref.Offset, RecordID: ref.RecordID, ChainOffset: refs[0].Offset}, nil
}

// exchanges are a response's WARC exchanges: one per redirect hop, in
// order, then the response itself.
func exchanges(resp *fetch.Response) []warc.Exchange {
	exs := make([]warc.Exchange, 0, len(resp.Hops)+1)
	for _, hop := range resp.Hops {
		if len(hop.RawResponse) == 0 {
			continue
		}
		exs = append(exs, warc.Exchange{
			TargetURI:   hop.URL,
			Date:        hop.FetchedAt,
			IP:          hop.IP,
			RequestRaw:  hop.RawRequest,
			ResponseRaw: hop.RawResponse,
			Truncated:   hop.RawTruncated,
		})
	}
	return append(exs, warc.Exchange{
		TargetURI:   resp.URL,
		Date:        resp.FetchedAt,
		IP:          resp.IP,
		RequestRaw:  resp.RawRequest,
		ResponseRaw: resp.RawResponse,
		Truncated:   resp.RawTruncated,
	})
}

// processPage captures and extracts a fetched page and fills in ev: a
// record for an article, links for a listing page of a site crawl, or a
// skip reason.
func (r *run) processPage(ev *event, resp *fetch.Response, c crawl, x *hint) {
	capt, err := r.h.capture(r.ctx, resp)
	if err != nil {
		if r.ctx.Err() != nil {
			ev.abandon = ev.item != nil
			ev.log = nil
			return
		}
		ev.fatal = err
		return
	}
	select {
	case r.cpu <- struct{}{}:
	case <-r.ctx.Done():
		ev.abandon = ev.item != nil
		ev.log = nil
		return
	}
	var res *extract.Result
	var article, soft404, crash bool
	var links []link
	func() {
		defer func() { <-r.cpu }()
		// A page that crashes the extractor is a bug to fix, not a reason
		// to stop the harvest (or, in a fleet, to kill worker after
		// worker that is handed the page): the URL fails with
		// ReasonCrashed, its capture kept to reproduce it.
		defer func() { crash = crashed(recover(), r.opts.Logger, resp.URL) }()
		res, err = extractPage(resp.Body, extract.Options{
			URL:             resp.URL,
			ContentType:     resp.ContentType,
			ContentLanguage: resp.Header.Get("Content-Language"),
			FetchedAt:       resp.FetchedAt,
		})
		article = err == nil && isArticle(res, resp.URL, x.listsItem())
		soft404 = article && isSoft404(res)
		if err == nil && !article && c.follow && c.depth < r.opts.MaxDepth {
			links = r.crawlLinks(resp, c)
		}
	}()
	if crash {
		ev.fail = &failure{reason: ReasonCrashed}
		ev.log.Error = ReasonCrashed
		return
	}
	if err != nil {
		f := classify(err)
		ev.skip = f.reason
		ev.log.Error = f.reason
		return
	}
	ev.extracted = 1
	if soft404 {
		// Neither an article nor a listing: its links are the site's
		// template. An archived copy of the page stays as it was.
		ev.skip = ReasonSoft404
		ev.log.Error = ReasonSoft404
		return
	}
	if !article {
		if c.follow && c.depth < r.opts.MaxDepth {
			ev.links = links
			ev.listings = 1
			return
		}
		ev.skip = ReasonNotArticle
		ev.log.Error = ReasonNotArticle
		return
	}
	ev.rec = r.record(res, resp, capt, x, c.sourceID)
}

// onlyHop is fetch.Request.Refresh: a page that sends the reader on with
// a meta refresh (an old CMS's redirect, a mobile or AMP hop) is followed
// as a redirect when it holds no article, that is when its extracted text
// is shorter than minArticleWords, whatever its URL looks like (an
// interstitial's "you are being redirected" on an old article URL is no
// article). A page with an article and a refresh keeps the article.
func (r *run) onlyHop(page *fetch.Response) (hop bool) {
	select {
	case r.cpu <- struct{}{}:
	case <-r.ctx.Done():
		return false
	}
	defer func() { <-r.cpu }()
	defer func() {
		if recover() != nil {
			hop = false // processPage meets the crash again and records it
		}
	}()
	res, err := extractPage(page.Body, extract.Options{URL: page.URL, ContentType: page.ContentType, FetchedAt: page.FetchedAt})
	return err != nil || res.Article.WordCount < minArticleWords
}

// minArticleWords is the length from which extracted text makes a page an
// article whatever its URL; shorter text counts only on a URL shaped like
// an article's, since a listing page's only prose is often a footer line,
// or on a URL a feed or news sitemap lists as an item (hint.item): a
// brief of two sentences there is the publisher's article, however short
// its URL.
const minArticleWords = 50

// isArticle tells an article from a listing, section, tag or author page
// by the extraction result and the URL's shape. A page a feed or a news
// sitemap listed (listed, hint.listsItem) is an article however short and
// whatever its URL, as long as it has text.
func isArticle(res *extract.Result, pageURL string, listed bool) bool {
	a := &res.Article
	if a.Text == "" {
		return false
	}
	return listed || a.WordCount >= minArticleWords || looksLikeArticle(pageURL)
}

// record builds the store record of an extracted article, filling fields
// extraction left empty from what the feed or sitemap said.
func (r *run) record(res *extract.Result, resp *fetch.Response, capt *store.Capture, x *hint, sourceID int64) *store.Record {
	rec := &store.Record{
		Article:          res.Article,
		FetchedAt:        resp.FetchedAt.UTC(),
		Capture:          capt,
		ExtractorVersion: extract.Version,
	}
	if s := r.sources[sourceID]; s != nil {
		rec.Source = s.URL
	}
	if x != nil {
		applyHint(rec, x, res.Sources["published"])
	}
	if rec.Source == "" {
		rec.Source = "harvest"
	}
	return rec
}

// applyHint fills empty fields of rec from a feed's or sitemap's hint.
// A publication date read only from the URL (a day, no time) gives way to
// the feed's on the same day, which has the time.
func applyHint(rec *store.Record, x *hint, publishedFrom string) {
	a := &rec.Article
	if a.Title == "" {
		a.Title = x.title
	}
	if a.Description == "" {
		a.Description = x.description
	}
	if len(a.Authors) == 0 && len(x.authors) > 0 {
		a.Authors = append([]string(nil), x.authors...)
	}
	if len(a.Tags) == 0 && len(x.tags) > 0 {
		a.Tags = append([]string(nil), x.tags...)
	}
	if a.Language == "" {
		a.Language = x.language
	}
	if !x.published.IsZero() && !x.published.After(rec.FetchedAt) {
		fromURL := publishedFrom == "url" && a.Published.UTC().Format(time.DateOnly) == x.published.UTC().Format(time.DateOnly)
		if a.Published.IsZero() || fromURL {
			a.Published = x.published
		}
	}
	if rec.Source == "" {
		rec.Source = x.source
	}
}
