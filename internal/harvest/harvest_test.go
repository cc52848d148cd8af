package harvest

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/fetch"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/warc"
)

// testArchive opens a fresh SQLite archive in a temporary folder.
func testArchive(t *testing.T) (*sqlite.DB, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dir
}

// testOptions are fast, loopback-friendly options.
func testOptions(dir string) Options {
	return Options{
		Delay:        -1,
		AllowPrivate: true,
		RetryBackoff: 10 * time.Millisecond,
		WARCDir:      filepath.Join(dir, "herald.db.warc"),
		CaptureBase:  dir,
	}
}

func newTestHarvester(t *testing.T, st store.Store, opts Options) *Harvester {
	t.Helper()
	h, err := New(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Error(err)
		}
	})
	return h
}

func addSource(t *testing.T, st store.Store, url, kind string) *store.Source {
	t.Helper()
	s := &store.Source{URL: url, Kind: kind}
	if err := st.AddSource(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s
}

// stored returns the archived record of a page URL, or nil.
func stored(t *testing.T, st store.Store, rawURL string) *store.Record {
	t.Helper()
	cu, err := canon.URL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Get(context.Background(), canon.ID(cu))
	if err != nil {
		return nil
	}
	return rec
}

// warcResponses reads every WARC file of a harvest in dir and returns its
// HTTP response records in file order.
func warcResponses(t *testing.T, dir string) []*warc.Record {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "herald.db.warc", "*.warc.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("warc files %v %v", files, err)
	}
	var out []*warc.Record
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		rd := warc.NewReader(f)
		for {
			rec, err := rd.NextResponse()
			if err != nil {
				break
			}
			out = append(out, rec)
		}
		f.Close()
	}
	return out
}

// checkCapture reads a record's capture back from its WARC file and checks
// it is the response for the record's URL.
func checkCapture(t *testing.T, dir string, rec *store.Record) {
	t.Helper()
	if rec.Capture == nil {
		t.Errorf("%s: no capture", rec.URL)
		return
	}
	path := rec.Capture.File
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	wr, err := warc.ReadAt(path, rec.Capture.Offset)
	if err != nil {
		t.Errorf("%s: read capture: %v", rec.URL, err)
		return
	}
	if wr.Type != warc.TypeResponse || wr.TargetURI != rec.URL || wr.RecordID != rec.Capture.RecordID {
		t.Errorf("%s: capture is %s %s %s, want response %s %s", rec.URL, wr.Type, wr.TargetURI, wr.RecordID, rec.URL, rec.Capture.RecordID)
	}
	if wr.PayloadErr != nil || !strings.Contains(string(wr.Payload), "<html") {
		t.Errorf("%s: capture payload unreadable (%v)", rec.URL, wr.PayloadErr)
	}
}

func TestHarvestSitemapSource(t *testing.T) {
	ts, arts := gazette(t, "0.01")
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	src := addSource(t, st, ts.url("/sitemap_index.xml"), store.KindSitemap)

	sum, err := h.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("summary: %+v", sum)
	for _, a := range arts[:7] {
		rec := stored(t, st, ts.url(a.path))
		if rec == nil {
			t.Errorf("%s not stored", a.path)
			continue
		}
		if rec.Source != src.URL {
			t.Errorf("%s: source %q, want %q", a.path, rec.Source, src.URL)
		}
		checkCapture(t, dir, rec)
		if ts.hit(a.path) != 1 {
			t.Errorf("%s fetched %d times", a.path, ts.hit(a.path))
		}
	}
	if n := ts.hit("/amp" + arts[5].path); n != 0 {
		t.Errorf("AMP variant fetched %d times, want 0 (same canonical URL)", n)
	}
	if sum.New != 7 || sum.Duplicate != 1 {
		t.Errorf("new %d duplicate %d, want 7 and 1", sum.New, sum.Duplicate)
	}
	if sum.Skipped[ReasonSeen] != 1 {
		t.Errorf("skipped as seen: %d, want 1 (the AMP variant)", sum.Skipped[ReasonSeen])
	}
	got, err := st.Source(context.Background(), src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.LastPolled.IsZero() || !got.NextPoll.After(got.LastPolled) || got.LastError != "" {
		t.Errorf("source after poll: %+v", got)
	}

	// A second run: the source is not due, nothing is fetched.
	before := len(ts.requests())
	sum, err = h.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ts.requests()) - before; n != 0 || sum.Fetched != 0 {
		t.Errorf("second run made %d requests, fetched %d", n, sum.Fetched)
	}
}

func TestHarvestFeedAndSitemap(t *testing.T) {
	ts, arts := gazette(t, "0.1")
	st, dir := testArchive(t)
	ctx := context.Background()
	h := newTestHarvester(t, st, testOptions(dir))
	feedSrc := addSource(t, st, ts.url("/feed.xml"), store.KindFeed)
	addSource(t, st, ts.url("/sitemap_index.xml"), store.KindSitemap)

	sum, err := h.RunDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("summary: %+v", sum)

	// Every article stored exactly once, under its canonical URL.
	want := []string{"/news/flaky.html", "/news/busy.html", "/news/moved.html", "/news/port-otkrylsya-posle-remonta.html", "/wire/harbour-reopens-copy.html"}
	for _, a := range arts {
		want = append(want, a.path)
	}
	for _, p := range want {
		rec := stored(t, st, ts.url(p))
		if rec == nil {
			t.Errorf("%s not stored", p)
			continue
		}
		checkCapture(t, dir, rec)
		if p != "/news/flaky.html" && p != "/news/busy.html" && ts.hit(p) != 1 {
			t.Errorf("%s fetched %d times, want 1", p, ts.hit(p))
		}
	}
	if got := sum.New + sum.Duplicate; got != len(want) {
		t.Errorf("stored %d new or duplicate articles, want %d", got, len(want))
	}
	if sum.Duplicate != 1 {
		t.Errorf("duplicates %d, want 1 (the syndicated copy)", sum.Duplicate)
	}
	st0, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st0.Articles != len(want) {
		t.Errorf("archive holds %d articles, want %d", st0.Articles, len(want))
	}
	// The run stored its articles in several transactions, each adding a
	// full-text index segment; it ends by merging them (Tidy).
	if n, err := st.IndexSegments(ctx); err != nil || n != 1 {
		t.Errorf("full-text index segments after the harvest: %d, %v; want 1", n, err)
	}

	// What was skipped, and why.
	// Seen: three feed articles listed again by the sitemap (or, if they
	// were archived by then, unchanged by lastmod) and the AMP variant.
	if n := sum.Skipped[ReasonSeen] + sum.Skipped[ReasonUnchanged]; n != 4 {
		t.Errorf("skipped as seen or unchanged: %d, want 4 (all: %v)", n, sum.Skipped)
	}
	for reason, n := range map[string]int{ReasonRobots: 1, "http 404": 1, ReasonNotHTML: 1} {
		if sum.Skipped[reason] != n {
			t.Errorf("skipped %q: %d, want %d (all: %v)", reason, sum.Skipped[reason], n, sum.Skipped)
		}
	}
	if n := ts.hit("/private/secret.html"); n != 0 {
		t.Errorf("disallowed page fetched %d times", n)
	}
	if n := ts.hit("/amp" + arts[5].path); n != 0 {
		t.Errorf("AMP variant fetched %d times", n)
	}
	host := strings.TrimPrefix(ts.srv.URL, "http://")
	if sum.ErrorsByHost[host] != 1 {
		t.Errorf("errors by host %v, want the 404 for %s", sum.ErrorsByHost, host)
	}

	// Feed fallbacks: the undated page gets the feed's date.
	if rec := stored(t, st, ts.url(arts[7].path)); rec != nil && !rec.Published.Equal(arts[7].published) {
		t.Errorf("undated page: published %v, want the feed's %v", rec.Published, arts[7].published)
	}
	// The redirect chain's article is filed under its final URL.
	if rec := stored(t, st, ts.url("/news/moved.html")); rec != nil && rec.URL != ts.url("/news/moved.html") {
		t.Errorf("redirected article URL %q", rec.URL)
	}
	// windows-1251 declared only in <meta> is decoded.
	if rec := stored(t, st, ts.url("/news/port-otkrylsya-posle-remonta.html")); rec != nil && rec.Title != "Порт открылся после ремонта" {
		t.Errorf("windows-1251 title %q", rec.Title)
	}

	// The fetch log has the failures as data.
	log, err := st.Fetches(ctx, feedSrc.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	byURL := map[string]*store.Fetch{}
	for _, f := range log {
		byURL[f.URL] = f
	}
	if f := byURL[ts.url("/news/missing.html")]; f == nil || f.Status != 404 || f.Error != "http 404" {
		t.Errorf("fetch log for the 404: %+v", f)
	}
	if f := byURL[ts.url("/private/secret.html")]; f == nil || f.Error != ReasonRobots {
		t.Errorf("fetch log for the disallowed page: %+v", f)
	}
	if f := byURL[ts.url(arts[1].path)]; f == nil || f.Status != 200 || f.ArticleID == "" || f.Bytes == 0 {
		t.Errorf("fetch log for an article: %+v", f)
	}

	// The WARC holds the robots.txt the crawl obeyed and the 404, as
	// well as the articles.
	got := map[string][]int{}
	for _, rec := range warcResponses(t, dir) {
		path := strings.TrimPrefix(rec.TargetURI, ts.srv.URL)
		got[path] = append(got[path], rec.HTTPStatus)
	}
	for path, status := range map[string]int{"/robots.txt": 200, "/news/missing.html": 404, arts[1].path: 200} {
		if !slices.Contains(got[path], status) {
			t.Errorf("WARC responses for %s: %v, want a %d", path, got[path], status)
		}
	}

	// Politeness, from the server's side: one request at a time, and the
	// robots.txt Crawl-delay between the end of one and the start of the
	// next (with slack for timer granularity). The delay is known once
	// robots.txt is read, so the request right after it is not held to it.
	if ts.maxInflight != 1 {
		t.Errorf("%d requests in flight at once, want 1", ts.maxInflight)
	}
	reqs := ts.requests()
	for i := 1; i < len(reqs); i++ {
		if reqs[i-1].path == "/robots.txt" {
			continue
		}
		if gap := reqs[i].start.Sub(reqs[i-1].end); gap < 80*time.Millisecond {
			t.Errorf("request %s started %v after %s ended, want ≥ 100ms", reqs[i].path, gap, reqs[i-1].path)
		}
		if !strings.HasPrefix(reqs[i].ua, "Herald/") {
			t.Errorf("user agent %q", reqs[i].ua)
		}
	}

	// Poll the feed again: conditional GET, 304, nothing fetched.
	src, _ := st.Source(ctx, feedSrc.ID)
	src.NextPoll = time.Time{}
	if err := st.UpdateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	before := len(ts.requests())
	sum, err = h.RunDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.NotModified != 1 || sum.Fetched != 0 || len(ts.requests())-before != 1 {
		t.Errorf("re-poll: %+v with %d requests, want one 304", sum, len(ts.requests())-before)
	}
}

func TestHarvestSiteCrawl(t *testing.T) {
	ts, arts := gazette(t, "0")
	st, dir := testArchive(t)
	ctx := context.Background()
	h := newTestHarvester(t, st, testOptions(dir))
	addSource(t, st, ts.url("/"), store.KindSite)
	sum, err := h.RunDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", sum)
	for _, a := range arts[:7] {
		if stored(t, st, ts.url(a.path)) == nil {
			t.Errorf("%s not stored", a.path)
		}
		if n := ts.hit(a.path); n != 1 {
			t.Errorf("%s fetched %d times", a.path, n)
		}
	}
	// The seed and the two sections were listings; the home page's feed
	// was found and read.
	if sum.Listings != 3 || sum.Polled != 1 || ts.hit("/feed.xml") != 1 {
		t.Errorf("listings %d, polled %d, want 3 and the feed", sum.Listings, sum.Polled)
	}
	if ts.hit("/private/secret.html") != 0 || sum.Skipped[ReasonRobots] == 0 {
		t.Errorf("robots: %d hits, skipped %v", ts.hit("/private/secret.html"), sum.Skipped)
	}
}

func TestHarvestCrawlBounds(t *testing.T) {
	ts, arts := gazette(t, "0")
	st, dir := testArchive(t)
	ctx := context.Background()
	opts := testOptions(dir)
	opts.MaxDepth = 1
	opts.MaxPages = 2
	h := newTestHarvester(t, st, opts)
	sum, err := h.Harvest(ctx, []string{ts.url("/section/port/")})
	if err != nil {
		t.Fatal(err)
	}
	// Depth 1: the section's three articles are queued, its navigation
	// links (listings) are not, nor is the link to another site; the page
	// cap lets two be fetched and leaves one queued.
	if sum.Queued != 3 || sum.Fetched != 3 || sum.New != 2 {
		t.Errorf("%+v: want 3 queued, the seed and 2 pages fetched", sum)
	}
	counts, err := st.FrontierCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Done: the seed (queued first, so that an interrupted run resumes
	// it) and the two articles.
	if counts[store.Queued] != 1 || counts[store.Done] != 3 {
		t.Errorf("frontier %v", counts)
	}
	if ts.hit("/") != 0 || ts.hit("/section/town/") != 0 {
		t.Error("crawled beyond depth 1")
	}
	// The next run continues with what is left.
	sum, err = h.RunDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.New != 1 {
		t.Errorf("second run %+v", sum)
	}
	for _, a := range arts[1:4] {
		if stored(t, st, ts.url(a.path)) == nil {
			t.Errorf("%s not stored", a.path)
		}
	}
}

func TestHarvestEdgeCases(t *testing.T) {
	ts := newTestSite(t)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	ts.mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/b", http.StatusFound) })
	ts.mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/a", http.StatusFound) })
	// The slow page is on a host of its own: its timed-out tries (each
	// retried) must not add up, with a page of the other host that a
	// loaded machine slows down, to the failures that pause a host.
	slow := newTestSite(t)
	slow.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	slow.mux.HandleFunc("/slow-body-story.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body><p>Starting")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	ts.mux.HandleFunc("/huge-story-page.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>")
		p := strings.Repeat("<p>All work and no play makes a very long page.</p>\n", 1000)
		for range 20 {
			fmt.Fprint(w, p)
		}
	})
	ts.mux.HandleFunc("/gzipped-harbour-story.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		fmt.Fprint(zw, gazettePage("Gzipped story", "", gazetteDay, gazetteText("gzip", 5)))
		zw.Close()
	})
	ts.html("/after-the-busy-story.html", gazettePage("After", "", gazetteDay, gazetteText("after", 5)))
	ts.html("/malformed-harbour-story.html", "<html lang=en><head><title>Broken page</title><body><div><article><h1>Broken page</h1><p><b>"+
		strings.Join(gazetteText("malformed", 5), "<p>")+"</div></span></b></body>")
	ts.mux.HandleFunc("/empty-story-page.html", func(w http.ResponseWriter, r *http.Request) { w.Header().Set("Content-Type", "text/html") })
	ts.mux.HandleFunc("/busy-for-an-hour.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "busy", http.StatusTooManyRequests)
	})

	st, dir := testArchive(t)
	ctx := context.Background()
	opts := testOptions(dir)
	// Long enough for every page but the slow one on a loaded machine
	// (300 ms was not: the huge page timed out under the race detector on
	// two busy cores), short enough for the slow one's tries.
	opts.Timeout = time.Second
	opts.MaxBodyBytes = 256 << 10
	h := newTestHarvester(t, st, opts)
	urls := []string{slow.url("/slow-body-story.html")}
	for _, p := range []string{"/loop/a", "/huge-story-page.html", "/gzipped-harbour-story.html",
		"/malformed-harbour-story.html", "/empty-story-page.html", "/busy-for-an-hour.html", "/after-the-busy-story.html"} {
		urls = append(urls, ts.url(p))
	}
	sum, err := h.HarvestPages(ctx, urls, "edge cases")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", sum)
	for reason, n := range map[string]int{ReasonRedirectLoop: 1, ReasonTooLarge: 1, ReasonEmpty: 1} {
		if sum.Skipped[reason] != n {
			t.Errorf("skipped %q: %d, want %d (%v)", reason, sum.Skipped[reason], n, sum.Skipped)
		}
	}
	// The slow body timed out and the 429 asked for an hour: both wait in
	// the frontier for a later run, as does the next URL on that host,
	// which is not requested.
	if sum.Deferred != 3 || sum.New != 2 || ts.hit("/after-the-busy-story.html") != 0 {
		t.Errorf("deferred %d, new %d; want 3 and 2, and no request after the 429", sum.Deferred, sum.New)
	}
	for _, p := range []string{"/gzipped-harbour-story.html", "/malformed-harbour-story.html"} {
		if rec := stored(t, st, ts.url(p)); rec == nil || rec.WordCount < 50 {
			t.Errorf("%s: %+v", p, rec)
		}
	}
	counts, err := st.FrontierCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Failed for good: the loop and the huge page; done: the two stored
	// and the empty page (fetched, nothing to extract).
	if counts[store.Queued] != 3 || counts[store.Failed] != 2 || counts[store.Done] != 3 {
		t.Errorf("frontier %v", counts)
	}
}

func TestWatch(t *testing.T) {
	ts, _ := gazette(t, "0")
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	src := &store.Source{URL: ts.url("/feed.xml"), Kind: store.KindFeed, Interval: 200 * time.Millisecond}
	if err := st.AddSource(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var rounds []*Summary
	total, err := h.Watch(ctx, func(s *Summary) {
		rounds = append(rounds, s)
		if len(rounds) == 3 {
			cancel() // as SIGINT would
		}
	})
	if err != nil {
		t.Fatalf("watch ended with %v, want a clean stop", err)
	}
	if len(rounds) != 3 || rounds[0].New == 0 || rounds[1].NotModified != 1 || rounds[2].NotModified != 1 {
		t.Errorf("rounds: %+v %+v %+v", rounds[0], rounds[1], rounds[2])
	}
	if total.New != rounds[0].New || total.Polled != 3 {
		t.Errorf("total %+v", total)
	}
	if n := ts.hit("/feed.xml"); n != 3 {
		t.Errorf("feed polled %d times, want 3", n)
	}
}

// TestPolitenessAcrossHosts harvests two sites at once with a per-host
// delay, and a third that always fails: each site sees one request at a
// time with at least the delay between them, and the failing host is
// paused while the others go on.
func TestPolitenessAcrossHosts(t *testing.T) {
	a, artsA := gazette(t, "0")
	b, artsB := gazette(t, "0")
	bad := newTestSite(t)
	bad.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	bad.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) })

	st, dir := testArchive(t)
	opts := testOptions(dir)
	opts.Delay = 100 * time.Millisecond
	opts.Concurrency = 4
	h := newTestHarvester(t, st, opts)
	var urls []string
	for i := range 4 {
		urls = append(urls, a.url(artsA[i].path), b.url(artsB[i].path), bad.url(fmt.Sprintf("/news/2026/05/04/down-%d.html", i)))
	}
	sum, err := h.HarvestPages(context.Background(), urls, "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", sum)
	// The two sites publish the same texts: one copy of each is a
	// duplicate.
	if sum.New != 4 || sum.Duplicate != 4 {
		t.Errorf("stored %d new, %d duplicates; want 4 and 4", sum.New, sum.Duplicate)
	}
	for _, ts := range []*testSite{a, b, bad} {
		if ts.maxInflight != 1 {
			t.Errorf("%s: %d requests at once", ts.srv.URL, ts.maxInflight)
		}
		reqs := ts.requests()
		for i := 1; i < len(reqs); i++ {
			if gap := reqs[i].start.Sub(reqs[i-1].end); gap < 80*time.Millisecond {
				t.Errorf("%s: %s started %v after the previous request ended, want ≥ 100ms", ts.srv.URL, reqs[i].path, gap)
			}
		}
	}
	// The failing host: retried, then paused; its URLs wait for a later run.
	badHost := strings.TrimPrefix(bad.srv.URL, "http://")
	if sum.ErrorsByHost[badHost] == 0 || sum.Deferred != 4 {
		t.Errorf("failing host: errors %v, deferred %d; want errors and 4 deferred", sum.ErrorsByHost, sum.Deferred)
	}
	if n := len(bad.requests()); n > 1+fetch.DefaultPauseAfter {
		t.Errorf("failing host got %d requests; it should be paused after %d failures", n, fetch.DefaultPauseAfter)
	}
}

// A sitemap source given as the site's address reads the sitemaps its
// robots.txt names.
func TestHarvestSitemapsFromRobots(t *testing.T) {
	ts, arts := gazette(t, "0")
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	addSource(t, st, ts.url("/"), store.KindSitemap)
	sum, err := h.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if sum.New+sum.Duplicate != 8 || sum.Polled != 3 {
		t.Errorf("%+v: want the sitemap's 8 articles from 3 documents (the page, the index, the news sitemap)", sum)
	}
	for _, a := range arts[:7] {
		if stored(t, st, ts.url(a.path)) == nil {
			t.Errorf("%s not stored", a.path)
		}
	}
}

// A re-polled sitemap: entries whose lastmod is not after the archived
// copy are skipped; one modified since is fetched again and stored as a
// new version.
func TestHarvestSitemapLastmod(t *testing.T) {
	ts := newTestSite(t)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	var mu sync.Mutex
	lastmod := []time.Time{gazetteDay, gazetteDay}
	texts := []string{"first", "second"}
	for i := range 2 {
		ts.mux.HandleFunc(fmt.Sprintf("/news/2026/05/04/story-%d.html", i), func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seed := texts[i]
			mu.Unlock()
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, gazettePage(fmt.Sprintf("Story %d", i), "", gazetteDay, gazetteText(seed, 5)))
		})
	}
	ts.mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprint(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
		for i, lm := range lastmod {
			fmt.Fprintf(w, "<url><loc>%s</loc><lastmod>%s</lastmod></url>", ts.url(fmt.Sprintf("/news/2026/05/04/story-%d.html", i)), lm.Format(time.RFC3339))
		}
		fmt.Fprint(w, "</urlset>")
	})
	st, dir := testArchive(t)
	ctx := context.Background()
	h := newTestHarvester(t, st, testOptions(dir))
	src := addSource(t, st, ts.url("/sitemap.xml"), store.KindSitemap)
	if sum, err := h.RunDue(ctx); err != nil || sum.New != 2 {
		t.Fatalf("first poll: %+v %v", sum, err)
	}
	// Story 1 changes after it was archived.
	mu.Lock()
	lastmod[1] = time.Now().Add(time.Minute)
	texts[1] = "second, corrected"
	mu.Unlock()
	sum := repoll(t, h, st, src.ID)
	if sum.Skipped[ReasonUnchanged] != 1 || sum.Requeued != 1 || sum.Updated != 1 || sum.Fetched != 1 {
		t.Errorf("re-poll: %+v", sum)
	}
	if rec := stored(t, st, ts.url("/news/2026/05/04/story-1.html")); rec == nil || rec.Version != 2 {
		t.Errorf("story 1 after the change: %+v", rec)
	}
	// A lastmod a year ahead says nothing: story 0 is not fetched again,
	// at this poll or any later one.
	mu.Lock()
	lastmod[0] = time.Now().AddDate(1, 0, 0)
	lastmod[1] = gazetteDay // back before its last fetch
	mu.Unlock()
	before := ts.hit("/news/2026/05/04/story-0.html")
	for range 2 {
		if sum := repoll(t, h, st, src.ID); sum.Requeued != 0 {
			t.Errorf("poll with a future lastmod: %+v", sum)
		}
	}
	if n := ts.hit("/news/2026/05/04/story-0.html"); n != before {
		t.Errorf("story 0 fetched %d more times for a lastmod in the future", n-before)
	}
}

// TestHarvestInterruptedSeedsResume: the URLs given to Harvest are queued
// before anything is fetched, so a run interrupted after a few of them
// leaves the rest queued, and the next run (of any kind) fetches them.
func TestHarvestInterruptedSeedsResume(t *testing.T) {
	ts := newTestSite(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Six articles on one host, fetched one after another; the third
	// request interrupts the run while it is in flight.
	var mu sync.Mutex
	requests := 0
	var arts []gazetteArticle
	for i := range 6 {
		a := gazetteArticle{path: fmt.Sprintf("/news/story-%d.html", i), title: fmt.Sprintf("Story %d of the harbour", i), published: gazetteDay}
		arts = append(arts, a)
		page := gazettePage(a.title, "", a.published, gazetteText(a.path, 6))
		ts.mux.HandleFunc(a.path, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			requests++
			n := requests
			mu.Unlock()
			if n == 3 {
				cancel()
				select { // until the harvest lets go
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, page)
		})
	}
	st, dir := testArchive(t)
	opts := testOptions(dir)
	opts.Concurrency = 1
	h := newTestHarvester(t, st, opts)
	var urls []string
	for _, a := range arts {
		urls = append(urls, ts.url(a.path))
	}
	first, err := h.Harvest(ctx, urls)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	counts, err := st.FrontierCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.Queued] < 3 || first.New > 2 {
		t.Fatalf("nothing left queued after the interruption: %v (first run %+v)", counts, first)
	}
	// Resume with a plain run of the frontier, in a new harvester (a new
	// process).
	h2 := newTestHarvester(t, st, testOptions(dir))
	if _, err := h2.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	again := 0 // the page in flight at the interruption is fetched again
	for _, a := range arts {
		if stored(t, st, ts.url(a.path)) == nil {
			t.Errorf("%s not stored after resuming", a.path)
		}
		switch n := ts.hit(a.path); {
		case n == 2:
			again++
		case n != 1:
			t.Errorf("%s fetched %d times", a.path, n)
		}
	}
	if again > 1 {
		t.Errorf("%d pages fetched twice; one was in flight", again)
	}
	if counts, _ := st.FrontierCounts(context.Background()); counts[store.Queued]+counts[store.InFlight] != 0 {
		t.Errorf("frontier after resuming: %v", counts)
	}
}

// TestHarvestResumedSeedIsPolled: a URL given to Harvest that a killed run
// left queued is polled as a seed when resumed: a feed has its entries
// fetched, instead of being fetched as a page that is no article.
func TestHarvestResumedSeedIsPolled(t *testing.T) {
	ts, arts := gazette(t, "0")
	st, dir := testArchive(t)
	ctx := context.Background()
	feed := ts.url("/feed.xml")
	if _, err := st.Enqueue(ctx, []store.FrontierItem{{URL: feed, Host: hostOf(feed), Hint: (&hint{detect: true}).encode()}}); err != nil {
		t.Fatal(err)
	}
	h := newTestHarvester(t, st, testOptions(dir))
	sum, err := h.RunDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Polled != 1 || stored(t, st, ts.url(arts[0].path)) == nil {
		t.Errorf("the feed was not polled: %+v", sum)
	}
}

// TestHarvestLockOneAtATime: while one run holds the archive's harvest
// lock (store.HarvestLocker; a lock file beside a SQLite archive),
// another harvest of it (another process, or here another harvester) is
// refused with ErrHarvestRunning instead of putting back the first one's
// URLs in flight; once the first ends, the next run goes ahead.
func TestHarvestLockOneAtATime(t *testing.T) {
	ts := newTestSite(t)
	inside, release := make(chan struct{}), make(chan struct{})
	page := gazettePage("Harbour reopens", "", gazetteDay, gazetteText("lock", 6))
	ts.mux.HandleFunc("/news/slow.html", func(w http.ResponseWriter, r *http.Request) {
		close(inside)
		<-release
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	})
	ts.html("/news/other.html", gazettePage("Ferry fares rise", "", gazetteDay, gazetteText("other", 6)))
	st, dir := testArchive(t)
	opts := testOptions(dir)
	first := newTestHarvester(t, st, opts)
	done := make(chan error, 1)
	go func() {
		_, err := first.Harvest(context.Background(), []string{ts.url("/news/slow.html")})
		done <- err
	}()
	<-inside
	second := newTestHarvester(t, st, opts)
	if _, err := second.Harvest(context.Background(), []string{ts.url("/news/other.html")}); !errors.Is(err, ErrHarvestRunning) {
		t.Errorf("second harvest while the first runs: %v, want ErrHarvestRunning", err)
	}
	if ts.hit("/news/other.html") != 0 {
		t.Error("the refused harvest fetched")
	}
	// Nor did it queue its URL: a refused harvest changes nothing.
	if counts, _ := st.FrontierCounts(context.Background()); counts[store.Queued] != 0 {
		t.Errorf("frontier after the refused harvest: %v", counts)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := second.Harvest(context.Background(), []string{ts.url("/news/other.html")}); err != nil {
		t.Fatalf("after the first ended: %v", err)
	}
	if stored(t, st, ts.url("/news/slow.html")) == nil || stored(t, st, ts.url("/news/other.html")) == nil {
		t.Error("not both stored")
	}
}

// TestHarvestSeedServerErrorDeferred: a URL given to Harvest whose server
// fails (503) stays queued for a later run, as any frontier URL would,
// instead of being marked done.
func TestHarvestSeedServerErrorDeferred(t *testing.T) {
	ts := newTestSite(t)
	ts.mux.HandleFunc("/news/down.html", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	sum, err := h.Harvest(context.Background(), []string{ts.url("/news/down.html")})
	if err != nil {
		t.Fatal(err)
	}
	counts, _ := st.FrontierCounts(context.Background())
	if sum.Deferred != 1 || counts[store.Queued] != 1 || counts[store.Done] != 0 {
		t.Errorf("summary %+v, frontier %v: want the seed deferred and queued", sum, counts)
	}
	if len(sum.PollErrors) != 1 {
		t.Errorf("poll errors %v, want the 503 reported", sum.PollErrors)
	}
}

// TestFailedURLsTriedAgain: a URL refused by a run's settings (a private
// address without AllowPrivate) is fetched by a later run with other
// settings, whether a URL list or a feed names it again; a URL that failed
// for another reason (a 404) is seen when a feed lists it again, and tried
// again when it is named in a URL list.
func TestFailedURLsTriedAgain(t *testing.T) {
	ts := newTestSite(t)
	ts.html("/news/a.html", gazettePage("Breakwater rebuilt", "", gazetteDay, gazetteText("a", 6)))
	ts.html("/news/b.html", gazettePage("Council meets", "", gazetteDay, gazetteText("b", 6)))
	var mu sync.Mutex
	cBack := false
	ts.mux.HandleFunc("/news/c.html", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		back := cBack
		mu.Unlock()
		if !back {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, gazettePage("Ferry returns", "", gazetteDay, gazetteText("c", 6)))
	})
	ts.mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>`+
			`<item><title>B</title><link>%s</link></item><item><title>C</title><link>%s</link></item></channel></rss>`,
			ts.url("/news/b.html"), ts.url("/news/c.html"))
	})
	a, b, c, feed := ts.url("/news/a.html"), ts.url("/news/b.html"), ts.url("/news/c.html"), ts.url("/feed.xml")

	st, dir := testArchive(t)
	ctx := context.Background()
	run := func(opts Options, do func(h *Harvester) (*Summary, error)) *Summary {
		t.Helper()
		h, err := New(st, opts)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := do(h)
		if cerr := h.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	strict := testOptions(dir)
	strict.AllowPrivate = false
	sum := run(strict, func(h *Harvester) (*Summary, error) { return h.HarvestPages(ctx, []string{a, b}, "list") })
	if sum.Skipped[ReasonPrivate] != 2 || sum.New != 0 || ts.hit("/news/a.html")+ts.hit("/news/b.html") != 0 {
		t.Fatalf("without AllowPrivate: %+v, want both refused", sum)
	}

	allow := testOptions(dir)
	// The list again, with AllowPrivate: a is fetched, not skipped as seen.
	sum = run(allow, func(h *Harvester) (*Summary, error) { return h.HarvestPages(ctx, []string{a}, "list") })
	if sum.New != 1 || sum.Retried != 1 || sum.Skipped[ReasonSeen] != 0 || stored(t, st, a) == nil {
		t.Errorf("list again: %+v, want a fetched and stored", sum)
	}
	// A feed lists b, refused before: it is fetched too; c is a 404.
	sum = run(allow, func(h *Harvester) (*Summary, error) { return h.Harvest(ctx, []string{feed}) })
	if sum.New != 1 || sum.Retried != 1 || sum.Skipped["http 404"] != 1 || stored(t, st, b) == nil {
		t.Errorf("feed: %+v, want b stored and c a 404", sum)
	}
	// c is back, but a 404 is the page's own answer: the feed skips it.
	mu.Lock()
	cBack = true
	mu.Unlock()
	sum = run(allow, func(h *Harvester) (*Summary, error) { return h.Harvest(ctx, []string{feed}) })
	if sum.Skipped[ReasonSeen] != 2 || sum.Retried != 0 || ts.hit("/news/c.html") != 1 {
		t.Errorf("feed again: %+v (c fetched %d times), want b and c seen", sum, ts.hit("/news/c.html"))
	}
	// Named in a URL list, c is tried again; a, archived, is not fetched.
	sum = run(allow, func(h *Harvester) (*Summary, error) { return h.HarvestPages(ctx, []string{c, a}, "list") })
	if sum.New != 1 || sum.Retried != 1 || sum.Skipped[ReasonSeen] != 1 || stored(t, st, c) == nil ||
		ts.hit("/news/c.html") != 2 || ts.hit("/news/a.html") != 1 {
		t.Errorf("list with c: %+v, want c fetched again and stored, a seen", sum)
	}
}
