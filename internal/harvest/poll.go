package harvest

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/fetch"
	"github.com/herald-archive/herald/internal/sitemap"
	"github.com/herald-archive/herald/internal/store"
)

const (
	// maxSitemapDepth bounds sitemap index nesting (index → index → urlset).
	maxSitemapDepth = 3
	// maxChildSitemaps bounds the child sitemaps read from one source poll.
	maxChildSitemaps = 1000
	// maxDiscoveredFeeds bounds the feeds a site seed's page may point at
	// that are read in one poll.
	maxDiscoveredFeeds = 2
)

// sitemapReader reads sitemaps within the protocol's limits; tests lower
// them to find out what a sitemap beyond them does to a harvest.
var sitemapReader = sitemap.Options{}

// poller is one seed's poll. Its events go to the writer; the last one
// carries the source's new schedule and finishes the poll.
type poller struct {
	r   *run
	s   seed
	src *store.Source // a copy being updated; nil for ad hoc seeds
	// since is the previous poll: child sitemaps not modified after it are
	// not read again.
	since time.Time
	// errs are the poll's failures, in the order met (errMsg).
	errs []string
	// missed maps the sitemaps of this poll that could not be fetched
	// for a passing reason (a 5xx, a timeout, a broken connection, a
	// host held) to why: the poll is then not a whole one (pollEvent).
	missed map[string]string
	// seedFail is why fetching the seed's own URL failed, if it did.
	seedFail *failure
	// sitemaps are the sitemap URLs read in this poll: an index that
	// lists itself, or a child listed by two indexes, is read once.
	sitemaps map[string]bool
	// cut maps the documents of this poll that were cut off mid-document
	// to what was read of them (see cutOff).
	cut map[string]string
}

// poll polls one seed: it fetches the feed, sitemap, list or site page,
// queues what it lists and, for a source, records when to poll it next.
func (r *run) poll(s seed) {
	r.send(r.pollEvent(s))
}

// pollEvent polls one seed and returns its final event, which finishes
// the poll (pollDone).
func (r *run) pollEvent(s seed) event {
	p := &poller{r: r, s: s}
	if s.src != nil {
		cp := *s.src
		p.src = &cp
		p.since = s.src.LastPolled
	}
	start := time.Now()
	p.run()
	errMsg := p.errMsg()
	final := event{pollDone: true, pollURL: s.url, pollErr: errMsg, seedFail: p.seedFail, pollCut: p.cut}
	if p.src != nil && r.ctx.Err() == nil {
		if len(p.cut) == 0 && len(p.missed) == 0 && p.seedFail == nil {
			// A poll that read a document only in part, or could not
			// fetch one of its sitemaps for a passing reason, is not
			// the last poll as far as a sitemap index is concerned:
			// the next one reads again the children changed since the
			// last whole poll (p.since), the one missed among them.
			// Those that were read answer 304 to their kept
			// validators, or list URLs already queued. Nor is a poll
			// whose own URL could not be fetched (refused, gone,
			// failed): it read nothing.
			p.src.LastPolled = start.UTC()
		}
		interval := p.src.Interval
		if interval <= 0 {
			interval = r.opts.Interval
		}
		p.src.NextPoll = start.Add(interval).UTC()
		p.src.LastError = errMsg
		if errMsg == "" && len(p.cut) > 0 {
			p.src.LastError = p.cutMessage()
		}
		final.source = p.src
	}
	if errMsg != "" {
		r.opts.Logger.Warn("poll failed", "url", s.url, "error", errMsg)
	} else if len(p.cut) > 0 {
		r.opts.Logger.Warn("poll incomplete: documents cut off mid-document", "url", s.url, "error", p.cutMessage())
	} else {
		r.opts.Logger.Info("polled", "url", s.url, "kind", p.kindName())
	}
	return final
}

func (p *poller) kindName() string {
	if p.s.kind == "" {
		return "auto"
	}
	return p.s.kind
}

func (p *poller) sourceID() int64 {
	if p.src == nil {
		return 0
	}
	return p.src.ID
}

// sourceURL names the source on records: the source URL, or the URL given
// for an ad hoc harvest.
func (p *poller) sourceURL() string {
	if p.src != nil {
		return p.src.URL
	}
	return p.s.url
}

// doc is a document a poll fetched, with its fetch log entry.
type doc struct {
	resp *fetch.Response
	log  *store.Fetch
}

// get fetches a document of the poll. A failure is sent to the writer
// (logged and counted) and get returns nil, as it does when the run was
// cancelled. A successful fetch is the caller's to report, with polled or
// as a page.
func (p *poller) get(req fetch.Request, conditional bool) *doc {
	if conditional && p.src != nil {
		req.ETag, req.LastModified = p.src.ETag, p.src.LastModified
	}
	resp, lg, f := p.r.fetch(req, p.sourceID())
	if resp == nil && f == nil {
		return nil
	}
	if f != nil {
		p.r.send(event{log: lg, host: hostOf(req.URL), fail: f})
		p.fail(errors.New(fetchFailure(req.URL, f.reason)))
		if req.URL == p.s.url {
			p.seedFail = f
		}
		if req.Accept == fetch.AcceptSitemap && f.transient {
			// A sitemap (the source's own, an index's child, one its
			// robots.txt names) that may answer next time. One that
			// is gone (a 404) or refused is reported, but does not
			// hold every later poll back.
			if p.missed == nil {
				p.missed = map[string]string{}
			}
			p.missed[req.URL] = f.reason
		}
		return nil
	}
	if conditional && p.src != nil && !resp.NotModified {
		p.src.ETag = resp.Header.Get("ETag")
		p.src.LastModified = resp.Header.Get("Last-Modified")
	}
	return &doc{resp: resp, log: lg}
}

// polled reports a fetched feed, sitemap or list and captures it: every
// response is kept. It reports whether the document is there to be read
// (not a 304, and captured).
func (p *poller) polled(d *doc) bool {
	ev := event{log: d.log, polled: 1, bytes: int64(len(d.resp.Body))}
	if d.resp.NotModified {
		ev.notModified = 1
		p.r.send(ev)
		return false
	}
	if _, err := p.r.h.capture(p.r.ctx, d.resp); err != nil {
		if p.r.ctx.Err() == nil {
			ev.fatal = err
		}
		p.r.send(ev)
		return false
	}
	p.r.send(ev)
	return true
}

// cutOff records that a document of the poll was cut off mid-document
// (the connection broke mid-body, or the body stops mid-way): entries
// before the cut were read and queued, those after it are missing. The
// poll is then not a clean one: the source's validators are dropped, so
// that the next poll fetches the whole document again rather than hear
// 304 for the copy that was cut, and its LastPolled stays (pollEvent).
func (p *poller) cutOff(url, kind string, entries int) {
	if p.cut == nil {
		p.cut = map[string]string{}
	}
	p.cut[url] = fmt.Sprintf("%s cut off mid-document: the %d entries before the cut were read, the rest is read at the next poll", kind, entries)
	if p.src != nil {
		p.src.ETag, p.src.LastModified = "", ""
	}
}

// cutMessage says which documents of the poll were cut off, for the
// source's LastError and the log.
func (p *poller) cutMessage() string {
	urls := slices.Sorted(maps.Keys(p.cut))
	msg := urls[0] + ": " + p.cut[urls[0]]
	if len(urls) > 1 {
		msg += fmt.Sprintf(" (and %d more documents cut off)", len(urls)-1)
	}
	return msg
}

// fetchFailure is how a poll says that fetching url failed for reason,
// in its error message and so in its source's LastError.
func fetchFailure(url, reason string) string {
	return fmt.Sprintf("fetch %s: %s", url, reason)
}

// refusedHere says whether src's last poll was refused by a setting that
// this run lifts: its own URL refused as a private address by a run
// without AllowPrivate. Such a source was not polled, and a run that
// allows it polls it at once, without waiting for its next poll.
func refusedHere(src *store.Source, opts *Options) bool {
	return opts.AllowPrivate && !src.Paused && src.LastError == fetchFailure(src.URL, ReasonPrivate)
}

// maxPollErrors bounds the failures one poll's error message names.
const maxPollErrors = 5

// fail remembers an error of the poll for the source's health.
func (p *poller) fail(err error) {
	p.errs = append(p.errs, err.Error())
}

// errMsg says what failed in the poll, "" when nothing did: its first
// failures (every child sitemap that failed, up to a few), and, for a
// source, whether the sitemaps that failed are read again at its next
// poll.
func (p *poller) errMsg() string {
	if len(p.errs) == 0 {
		return ""
	}
	msg := strings.Join(p.errs[:min(len(p.errs), maxPollErrors)], "; ")
	if n := len(p.errs) - maxPollErrors; n > 0 {
		msg += fmt.Sprintf("; and %d more", n)
	}
	switch n := len(p.missed); {
	case p.src == nil: // an ad hoc harvest: there is no next poll
	case n == 1:
		msg += " (that sitemap is read again at the next poll)"
	case n > 1:
		msg += fmt.Sprintf(" (%d sitemaps that failed are read again at the next poll)", n)
	}
	return msg
}

func (p *poller) run() {
	switch p.s.kind {
	case store.KindFeed:
		if d := p.get(fetch.Request{URL: p.s.url, Accept: fetch.AcceptFeed}, true); d != nil && p.polled(d) {
			p.feed(d.resp)
		}
	case store.KindSitemap:
		if d := p.get(fetch.Request{URL: p.s.url, Accept: fetch.AcceptSitemap}, true); d != nil && p.polled(d) {
			p.sitemapOrRobots(d.resp)
		}
	case store.KindList:
		if d := p.get(fetch.Request{URL: p.s.url, Accept: fetch.AcceptSitemap}, true); d != nil && p.polled(d) {
			p.sitemap(d.resp, 0)
		}
	case store.KindSite:
		if d := p.get(fetch.Request{URL: p.s.url, Accept: fetch.AcceptPage, Refresh: p.r.onlyHop}, true); d != nil {
			if d.resp.NotModified {
				p.polled(d)
				return
			}
			p.site(d)
		}
	default:
		if d := p.get(fetch.Request{URL: p.s.url, Accept: fetch.AcceptSource}, false); d != nil {
			p.detect(d)
		}
	}
}

// Kind says what a fetched document is: store.KindList (a plain-text list
// of page URLs), store.KindSitemap, store.KindFeed, store.KindSite (an HTML
// page), or "" for none of them.
func Kind(resp *fetch.Response) string {
	k, _ := kindOf(resp, -1)
	return k
}

// kindOf is Kind for a document fetched with fetch.AcceptSource, which
// reads up to the sitemap size cap: a document that is no sitemap and is
// larger than maxBody, the cap of feeds and pages, is too large to be
// read as one (the feed parser builds a tree several times a feed's
// size), and kindOf says so rather than guess. A negative maxBody is no
// cap.
func kindOf(resp *fetch.Response, maxBody int64) (kind string, tooLarge bool) {
	_, err := sitemapReader.Parse(bytes.NewReader(resp.Body), resp.URL)
	switch {
	case err == nil:
		if isURLList(resp.Body) {
			return store.KindList, false
		}
		return store.KindSitemap, false
	case errors.Is(err, sitemap.ErrTooLarge):
		// A sitemap, too large to read: reading it says so.
		return store.KindSitemap, false
	}
	if maxBody >= 0 && int64(len(resp.Body)) > maxBody {
		return "", true
	}
	return kindOfSmall(resp), false
}

// kindOfSmall tells a feed from a page, in a document that is no sitemap.
func kindOfSmall(resp *fetch.Response) string {
	if isFeed(resp) {
		return store.KindFeed
	}
	if looksHTML(resp) {
		return store.KindSite
	}
	return ""
}

// isURLList reports whether body is a plain-text list of page URLs: one
// absolute http(s) URL a line, with blank lines and # comments allowed,
// at least one URL. (sitemap.Parse reads such a list as a text sitemap,
// skipping the lines that are not URLs; a gzipped file is left to it.)
func isURLList(body []byte) bool {
	body = bytes.TrimPrefix(body, []byte("\uFEFF"))
	urls := 0
	for line := range bytes.Lines(body) {
		l := strings.TrimSpace(string(line))
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		u, err := url.Parse(l)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(l, " \t") {
			return false
		}
		urls++
	}
	return urls > 0
}

// detect handles an ad hoc URL by what it turned out to be.
func (p *poller) detect(d *doc) {
	kind, tooLarge := kindOf(d.resp, p.r.h.maxBodyBytes())
	if tooLarge {
		d.log.Error = ReasonTooLarge
		p.r.send(event{log: d.log, polled: 1, skip: ReasonTooLarge})
		p.fail(fmt.Errorf("%s: %s: a feed or page larger than %d bytes", d.resp.URL, ReasonTooLarge, p.r.h.maxBodyBytes()))
		return
	}
	switch kind {
	case store.KindSitemap, store.KindList:
		if p.polled(d) {
			p.sitemap(d.resp, 0)
		}
	case store.KindFeed:
		if p.polled(d) {
			p.feed(d.resp)
		}
	case store.KindSite:
		p.site(d)
	default:
		d.log.Error = ReasonNotFeed
		p.r.send(event{log: d.log, polled: 1, skip: ReasonNotFeed})
		p.fail(fmt.Errorf("%s: %s", d.resp.URL, ReasonNotFeed))
	}
}

// looksHTML reports whether a response is an HTML page.
func looksHTML(resp *fetch.Response) bool {
	ct := strings.ToLower(resp.ContentType)
	if strings.Contains(ct, "html") {
		return true
	}
	head := bytes.ToLower(bytes.TrimSpace(resp.Body[:min(len(resp.Body), 1024)]))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")) ||
		bytes.Contains(head, []byte("<head")) || bytes.Contains(head, []byte("<body"))
}

// sendLinks hands links to the writer in chunks.
func (p *poller) sendLinks(links []link) {
	for len(links) > 0 {
		n := min(len(links), enqueueChunk)
		p.r.send(event{links: links[:n]})
		links = links[n:]
	}
}

// sitemapOrRobots reads a sitemap source; when its URL is a site rather
// than a sitemap, the sitemaps its robots.txt names are read instead.
func (p *poller) sitemapOrRobots(resp *fetch.Response) {
	_, err := sitemapReader.Parse(bytes.NewReader(resp.Body), resp.URL)
	if !errors.Is(err, sitemap.ErrNotSitemap) {
		p.sitemap(resp, 0)
		return
	}
	if p.src != nil {
		// The source's URL is a page, not what is read: a 304 for it
		// must not keep the next poll from reading its sitemaps.
		p.src.ETag, p.src.LastModified = "", ""
	}
	locs, err := p.r.h.client.Sitemaps(p.r.ctx, p.s.url)
	if err != nil {
		if p.r.ctx.Err() == nil {
			p.fail(fmt.Errorf("robots.txt sitemaps of %s: %w", p.s.url, err))
		}
		return
	}
	if len(locs) == 0 {
		p.fail(fmt.Errorf("%s is not a sitemap and its robots.txt names none", p.s.url))
		return
	}
	budget := maxChildSitemaps
	for _, loc := range locs {
		if p.r.ctx.Err() != nil {
			return
		}
		if child := p.getSitemap(loc); child != nil && p.polled(child) {
			p.sitemapDoc(child.resp, loc, 1, &budget)
		}
	}
}

// sitemap reads a fetched sitemap (or URL list), following an index's
// children.
func (p *poller) sitemap(resp *fetch.Response, depth int) {
	budget := maxChildSitemaps
	p.sitemapDoc(resp, "", depth, &budget)
}

// getSitemap fetches a sitemap of a source's poll other than the source's
// own URL (an index's child, a sitemap its robots.txt names), asking
// whether it changed since the validators the archive keeps for it, as
// the source's own URL is asked (get). sitemapDoc keeps the new ones.
func (p *poller) getSitemap(loc string) *doc {
	req := fetch.Request{URL: loc, Accept: fetch.AcceptSitemap}
	if k, ok := p.r.h.st.(store.ValidatorKeeper); ok && p.src != nil {
		v, err := k.SitemapValidators(p.r.ctx, loc)
		if err != nil {
			if p.r.ctx.Err() == nil {
				p.r.send(event{fatal: fmt.Errorf("harvest: %w", err)})
			}
			return nil
		}
		req.ETag, req.LastModified = v.ETag, v.LastModified
	}
	return p.get(req, false)
}

// keepValidators says which validators of a sitemap just read make the
// next poll's request for it conditional: none for one that failed to
// parse, was cut off or was not read to its end (read false: its links,
// or its children, were not all handled; the next poll reads it whole
// again), and none for an index with a child that has no lastmod, since
// such a child may change while the index does not, and the next poll
// must read the index to ask for its children. The source's own URL
// keeps its validators on the source (get); others, requested as child,
// in the archive, after the links they listed (events are written in
// order), so that a harvest killed in between reads the sitemap again.
// Nothing is kept when the run is ending: the poll is not finished.
func (p *poller) keepValidators(resp *fetch.Response, child string, sm *sitemap.Sitemap, read bool) {
	if p.r.ctx.Err() != nil {
		return
	}
	var v store.Validators
	whole := read && sm != nil && !sm.Cut && !resp.Cut
	if whole && sm.Index {
		for _, ref := range sm.Sitemaps {
			if ref.LastMod.IsZero() {
				whole = false
				break
			}
		}
	}
	if whole {
		v = store.Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	}
	switch {
	case child == "":
		if p.src != nil && v == (store.Validators{}) && p.s.kind != "" {
			p.src.ETag, p.src.LastModified = "", ""
		}
	case p.src != nil:
		if _, ok := p.r.h.st.(store.ValidatorKeeper); ok {
			p.r.send(event{validators: &keptValidators{url: child, v: v}})
		}
	}
}

// sitemapDoc reads a fetched sitemap. child is the URL a child sitemap was
// requested at (its validators are kept under it), "" for the seed. It
// reports whether the sitemap was read whole: every link handed on, every
// child due read whole (or answered 304).
func (p *poller) sitemapDoc(resp *fetch.Response, child string, depth int, budget *int) (read bool) {
	if p.sitemaps == nil {
		p.sitemaps = map[string]bool{p.s.url: true}
	}
	p.sitemaps[resp.URL] = true
	sm, err := sitemapReader.Parse(bytes.NewReader(resp.Body), resp.URL)
	defer func() { p.keepValidators(resp, child, sm, read) }()
	if err != nil {
		p.fail(err)
		reason := ReasonNotFeed
		if errors.Is(err, sitemap.ErrTooLarge) {
			reason = ReasonTooLarge
		}
		p.r.send(event{skip: reason})
		return
	}
	if sm.Index {
		if resp.Cut || sm.Cut {
			p.cutOff(resp.URL, "sitemap index", len(sm.Sitemaps))
		}
		if depth+1 >= maxSitemapDepth {
			p.fail(fmt.Errorf("sitemap %s: indexes nested too deep", resp.URL))
			return
		}
		// The newest children first: an index of a news site's daily or
		// monthly sitemaps lists them oldest first, often by the thousand,
		// and a poll reads at most the budget of them. Those without a
		// lastmod keep their order, after the dated ones.
		refs := slices.Clone(sm.Sitemaps)
		slices.SortStableFunc(refs, func(a, b sitemap.Ref) int { return b.LastMod.Compare(a.LastMod) })
		if len(refs) > *budget {
			p.r.opts.Logger.Warn("sitemap index lists more sitemaps than one poll reads: the newest are read",
				"url", resp.URL, "sitemaps", len(refs), "read", *budget)
		}
		whole := true
		for _, ref := range refs {
			if p.r.ctx.Err() != nil || *budget <= 0 {
				return false
			}
			if !p.since.IsZero() && !ref.LastMod.IsZero() && !ref.LastMod.After(p.since) {
				continue // unchanged since the last poll
			}
			if p.sitemaps[ref.Loc] {
				continue // read in this poll already
			}
			p.sitemaps[ref.Loc] = true
			*budget--
			child := p.getSitemap(ref.Loc)
			switch {
			case child == nil: // failed, and reported
				whole = false
			case p.polled(child):
				whole = p.sitemapDoc(child.resp, ref.Loc, depth+1, budget) && whole
			case !child.resp.NotModified: // not captured
				whole = false
			}
		}
		return whole
	}
	if sm.Truncated {
		p.r.opts.Logger.Warn("sitemap lists more entries than are read: the first are read",
			"url", resp.URL, "entries", len(sm.URLs))
	}
	if resp.Cut && !sm.Cut && len(sm.URLs) > 0 && !endsLine(resp.Body) {
		// A plain-text list whose connection broke: its last line may
		// be a URL cut short.
		sm.URLs = sm.URLs[:len(sm.URLs)-1]
	}
	if resp.Cut || sm.Cut {
		p.cutOff(resp.URL, "sitemap", len(sm.URLs))
	}
	links := make([]link, 0, len(sm.URLs))
	skipped := 0
	for _, u := range sm.URLs {
		if !inScope(p.s.url, u.Loc) {
			skipped++
			continue
		}
		l := link{url: u.Loc, sourceID: p.sourceID(), lastmod: u.LastMod, hint: &hint{source: p.sourceURL()}}
		if n := u.News; n != nil {
			l.hint.title = n.Title
			l.hint.published = n.PublicationDate
			l.hint.tags = n.Keywords
			l.hint.language = primaryLanguage(n.Language)
			l.hint.item = true
		}
		links = append(links, l)
	}
	if skipped > 0 {
		p.r.send(event{skip: ReasonOutOfScope}) // counted once per sitemap
	}
	p.sendLinks(links)
	return true
}

// endsLine reports whether a body ends with a line break (trailing
// blanks aside), or is XML, whose cut the parser finds itself.
func endsLine(body []byte) bool {
	t := bytes.TrimRight(body, " \t\r")
	return bytes.HasSuffix(t, []byte("\n")) || bytes.HasPrefix(bytes.TrimSpace(body), []byte("<"))
}

// primaryLanguage turns a declared language such as "en_GB" or "zh-cn"
// into its primary subtag, the part every consumer agrees on.
func primaryLanguage(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		s = s[:i]
	}
	if len(s) < 2 || len(s) > 3 {
		return ""
	}
	return s
}

// site handles a site seed page: it is stored when it is an article, its
// links are queued when it is a listing, and the feeds it declares are
// read.
func (p *poller) site(d *doc) {
	resp := d.resp
	ev := event{log: d.log, host: hostOf(resp.URL), fetched: 1, bytes: int64(len(resp.Body))}
	c := crawl{follow: true, depth: 0, scope: p.s.url, sourceID: p.sourceID()}
	p.r.processPage(&ev, resp, c, &hint{source: p.sourceURL()})
	p.r.send(ev)
	for i, f := range discoverFeeds(resp) {
		if i >= maxDiscoveredFeeds || p.r.ctx.Err() != nil {
			break
		}
		if fd := p.get(fetch.Request{URL: f, Accept: fetch.AcceptFeed}, false); fd != nil && p.polled(fd) {
			p.feed(fd.resp)
		}
	}
}
