package harvest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/store"
)

// TestHarvestBigSitemapIndexNewestFirst: a sitemap index listing more
// child sitemaps than one poll reads (a news site's daily sitemaps since
// it began, oldest first) has its newest children read, by lastmod, and
// the cut is reported, not made silently.
func TestHarvestBigSitemapIndexNewestFirst(t *testing.T) {
	ts := newTestSite(t)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	n := maxChildSitemaps + 5
	day0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	ts.mux.HandleFunc("/index.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
		for i := range n {
			fmt.Fprintf(&b, "<sitemap><loc>%s</loc><lastmod>%s</lastmod></sitemap>",
				ts.url(fmt.Sprintf("/sm/%d.xml", i)), day0.AddDate(0, 0, i).Format(time.DateOnly))
		}
		b.WriteString("</sitemapindex>")
		fmt.Fprint(w, b.String())
	})
	ts.mux.HandleFunc("/sm/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>%s</loc></url></urlset>`,
			ts.url("/news"+strings.TrimSuffix(r.URL.Path, ".xml")+".html"))
	})
	st, dir := testArchive(t)
	opts := testOptions(dir)
	opts.MaxPages = 1 // the children are what is checked, not their pages
	var logs bytes.Buffer
	opts.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h := newTestHarvester(t, st, opts)
	addSource(t, st, ts.url("/index.xml"), store.KindSitemap)
	sum, err := h.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Polled != maxChildSitemaps+1 {
		t.Errorf("polled %d documents, want the index and %d children", sum.Polled, maxChildSitemaps)
	}
	for _, i := range []int{n - 1, n - maxChildSitemaps} {
		if hits := ts.hit(fmt.Sprintf("/sm/%d.xml", i)); hits != 1 {
			t.Errorf("newest child %d read %d times, want once", i, hits)
		}
	}
	for i := range n - maxChildSitemaps {
		if hits := ts.hit(fmt.Sprintf("/sm/%d.xml", i)); hits != 0 {
			t.Errorf("oldest child %d read, want the newest read first", i)
		}
	}
	if !strings.Contains(logs.String(), fmt.Sprintf("sitemaps=%d read=%d", n, maxChildSitemaps)) {
		t.Errorf("the cut is not reported; log:\n%s", logs.String())
	}
}

// TestHarvestSitemapIndexListsItself: an index that lists itself (sites
// do), or a child twice through two indexes, is read once per poll, and
// is no error: it used to be read again down to the depth limit, and the
// poll then failed with "indexes nested too deep".
func TestHarvestSitemapIndexListsItself(t *testing.T) {
	ts := newTestSite(t)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	index := func(children ...string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			var b strings.Builder
			b.WriteString(`<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
			for _, c := range children {
				fmt.Fprintf(&b, "<sitemap><loc>%s</loc></sitemap>", ts.url(c))
			}
			b.WriteString("</sitemapindex>")
			fmt.Fprint(w, b.String())
		}
	}
	ts.mux.HandleFunc("/index.xml", index("/index.xml", "/more.xml", "/news.xml"))
	ts.mux.HandleFunc("/more.xml", index("/news.xml"))
	ts.mux.HandleFunc("/news.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>%s</loc></url></urlset>`,
			ts.url("/news/a.html"))
	})
	ts.html("/news/a.html", gazettePage("Quay", "", gazetteDay, gazetteText("quay", 6)))
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	addSource(t, st, ts.url("/index.xml"), store.KindSitemap)
	sum, err := h.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/index.xml", "/more.xml", "/news.xml"} {
		if n := ts.hit(p); n != 1 {
			t.Errorf("%s read %d times, want once", p, n)
		}
	}
	if len(sum.PollErrors) != 0 || sum.New != 1 {
		t.Errorf("summary %+v, want the article and no error", sum)
	}
}

// TestHarvestSitemapCutReported: a sitemap listing more entries than are
// read (the protocol's 50,000) has its cut reported in a warning: the
// entries past it were dropped without a word.
func TestHarvestSitemapCutReported(t *testing.T) {
	old := sitemapReader
	sitemapReader.MaxEntries = 3
	t.Cleanup(func() { sitemapReader = old })
	ts := newTestSite(t)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	ts.mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
		for i := range 5 {
			fmt.Fprintf(&b, "<url><loc>%s</loc></url>", ts.url(fmt.Sprintf("/news/%d.html", i)))
		}
		b.WriteString("</urlset>")
		fmt.Fprint(w, b.String())
	})
	st, dir := testArchive(t)
	opts := testOptions(dir)
	opts.MaxPages = 1
	var logs bytes.Buffer
	opts.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h := newTestHarvester(t, st, opts)
	addSource(t, st, ts.url("/sitemap.xml"), store.KindSitemap)
	sum, err := h.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Queued != 3 || !strings.Contains(logs.String(), "entries=3") || !strings.Contains(logs.String(), "/sitemap.xml") {
		t.Errorf("queued %d; log:\n%s\nwant 3 queued and the cut reported", sum.Queued, logs.String())
	}
}

// TestHarvestFailedChildSitemapReadAgain: a child sitemap of an index
// that fails (a 500, a broken connection) while the index and its other
// children are read is read again, whole, at the next poll, though its
// lastmod is older than that poll: the source's LastPolled, which tells
// the next poll which children changed, does not move past a poll that
// missed one. The children that were read keep their progress (their
// validators: the next poll hears 304), and the summary names every
// child that failed. The poll used to count as done: the failed
// child's lastmod was then older than the last poll, and its URLs were
// missed until it changed again.
func TestHarvestFailedChildSitemapReadAgain(t *testing.T) {
	ts := newTestSite(t)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	for _, p := range []string{"/news/a1.html", "/news/b1.html", "/news/c1.html"} {
		ts.html(p, gazettePage("Story "+p, "", gazetteDay, gazetteText(p, 6)))
	}
	yesterday := time.Now().AddDate(0, 0, -1).UTC().Format(time.DateOnly)
	ts.mux.HandleFunc("/index.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
		for _, c := range []string{"/a.xml", "/b.xml", "/c.xml"} {
			fmt.Fprintf(w, "<sitemap><loc>%s</loc><lastmod>%s</lastmod></sitemap>", ts.url(c), yesterday)
		}
		fmt.Fprint(w, "</sitemapindex>")
	})
	a := &conditionalDoc{etag: `"a1"`, body: urlset(ts, "/news/a1.html")}
	ts.mux.Handle("/a.xml", a)
	var down atomic.Bool
	down.Store(true)
	ts.mux.HandleFunc("/b.xml", xmlUnless(&down, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "oops", http.StatusInternalServerError)
	}, urlset(ts, "/news/b1.html")))
	ts.mux.HandleFunc("/c.xml", xmlUnless(&down, func(w http.ResponseWriter, r *http.Request) {
		hangUp(w) // no answer at all
	}, urlset(ts, "/news/c1.html")))
	st, dir := testArchive(t)
	src := addSource(t, st, ts.url("/index.xml"), store.KindSitemap)
	poll := func() *Summary { // a new Harvester each time, as from cron: the host is not held
		t.Helper()
		return repoll(t, newTestHarvester(t, st, testOptions(dir)), st, src.ID)
	}

	sum := poll()
	if sum.New != 1 || stored(t, st, ts.url("/news/a1.html")) == nil {
		t.Fatalf("first poll: %d new, want child a's story", sum.New)
	}
	msg := sum.PollErrors[ts.url("/index.xml")]
	for _, c := range []string{"/b.xml", "/c.xml"} {
		if !strings.Contains(msg, ts.url(c)) {
			t.Errorf("first poll's error %q does not name the failed child %s", msg, c)
		}
	}
	got, err := st.Source(context.Background(), src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.LastPolled.IsZero() {
		t.Errorf("LastPolled %v after a poll that missed a child, want it kept (never)", got.LastPolled)
	}
	if !strings.Contains(got.LastError, ts.url("/b.xml")) {
		t.Errorf("source's LastError %q does not name the failed child", got.LastError)
	}

	down.Store(false)
	sum = poll()
	for _, p := range []string{"/news/b1.html", "/news/c1.html"} {
		if stored(t, st, ts.url(p)) == nil {
			t.Errorf("second poll: %s of a child that failed before is not stored", p)
		}
	}
	if sum.New != 2 || len(sum.PollErrors) != 0 {
		t.Errorf("second poll: %d new, errors %v; want the failed children's two stories", sum.New, sum.PollErrors)
	}
	if got := a.asked(); len(got) != 2 || got[1] != `"a1"` {
		t.Errorf("child a asked with If-None-Match %q, want its ETag the second time (its progress kept)", got)
	}
	got, err = st.Source(context.Background(), src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.LastPolled.IsZero() || got.LastError != "" {
		t.Errorf("after a whole poll: LastPolled %v, LastError %q; want it set and no error", got.LastPolled, got.LastError)
	}

	// A third poll: every child is older than the last whole poll, and
	// none is asked for.
	if sum = poll(); sum.Polled != 1 {
		t.Errorf("third poll: %d documents polled, want the index alone", sum.Polled)
	}
}

// TestHarvestFailedIndexReadAgain: a sitemap index that fails for a
// passing reason (a 503) is no poll either: at the next poll its children
// changed since the last whole poll are read, though their lastmod is
// older than the failed poll. The failed poll used to count, and those
// children were skipped as unchanged.
func TestHarvestFailedIndexReadAgain(t *testing.T) {
	ts := newTestSite(t)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	ts.html("/news/a1.html", gazettePage("Story a1", "", gazetteDay, gazetteText("a1", 6)))
	yesterday := time.Now().AddDate(0, 0, -1).UTC().Format(time.DateOnly)
	var down atomic.Bool
	down.Store(true)
	ts.mux.HandleFunc("/index.xml", xmlUnless(&down, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}, fmt.Sprintf(`<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+
		`<sitemap><loc>%s</loc><lastmod>%s</lastmod></sitemap></sitemapindex>`, ts.url("/a.xml"), yesterday)))
	ts.mux.HandleFunc("/a.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, urlset(ts, "/news/a1.html"))
	})
	st, dir := testArchive(t)
	src := addSource(t, st, ts.url("/index.xml"), store.KindSitemap)
	poll := func() *Summary {
		t.Helper()
		return repoll(t, newTestHarvester(t, st, testOptions(dir)), st, src.ID)
	}
	if sum := poll(); len(sum.PollErrors) != 1 || !strings.Contains(sum.PollErrors[ts.url("/index.xml")], "read again at the next poll") {
		t.Fatalf("first poll: errors %v, want the index's 503, to be read again", sum.PollErrors)
	}
	down.Store(false)
	if sum := poll(); sum.New != 1 || stored(t, st, ts.url("/news/a1.html")) == nil {
		t.Errorf("second poll: %d new; want the child read and its story stored", sum.New)
	}
}

// An ad hoc harvest of a sitemap index (no source, no next poll) names
// the child that failed and promises no next poll.
func TestHarvestAdHocFailedChildNamed(t *testing.T) {
	ts := newTestSite(t)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	ts.mux.HandleFunc("/index.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+
			`<sitemap><loc>%s</loc></sitemap></sitemapindex>`, ts.url("/b.xml"))
	})
	ts.mux.HandleFunc("/b.xml", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "oops", http.StatusInternalServerError)
	})
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	sum, err := h.Harvest(context.Background(), []string{ts.url("/index.xml")})
	if err != nil {
		t.Fatal(err)
	}
	msg := sum.PollErrors[ts.url("/index.xml")]
	if !strings.Contains(msg, ts.url("/b.xml")) || strings.Contains(msg, "next poll") {
		t.Errorf("error %q: want the failed child named, and no next poll promised", msg)
	}
}

// xmlUnless serves the XML document doc, or answers with failing while
// down is set: a sitemap that fails for a while.
func xmlUnless(down *atomic.Bool, failing http.HandlerFunc, doc string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			failing(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, doc)
	}
}

// TestHarvestRefusedSourceNotPolled: a source whose own URL a run refused
// (a private address without AllowPrivate) was not polled. The next run
// that allows it polls it at once, as the refusal's message advises,
// rather than at the end of the source's interval; and that poll, which is
// its first whole one, reads the index's children though their lastmod is
// older than the refused run. The refused run used to count as a poll:
// the source waited its interval, and then skipped every child as
// unchanged since.
func TestHarvestRefusedSourceNotPolled(t *testing.T) {
	ts := newTestSite(t)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	ts.html("/news/a1.html", gazettePage("Story a1", "", gazetteDay, gazetteText("a1", 6)))
	yesterday := time.Now().AddDate(0, 0, -1).UTC().Format(time.DateOnly)
	ts.mux.HandleFunc("/index.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+
			`<sitemap><loc>%s</loc><lastmod>%s</lastmod></sitemap></sitemapindex>`, ts.url("/a.xml"), yesterday)
	})
	ts.mux.HandleFunc("/a.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, urlset(ts, "/news/a1.html"))
	})
	st, dir := testArchive(t)
	ctx := context.Background()
	src := addSource(t, st, ts.url("/index.xml"), store.KindSitemap)

	strict := testOptions(dir)
	strict.AllowPrivate = false
	sum, err := newTestHarvester(t, st, strict).RunDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Skipped[ReasonPrivate] != 1 || ts.hit("/index.xml") != 0 {
		t.Fatalf("strict run: %+v, want the source refused", sum)
	}
	got, err := st.Source(ctx, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.LastPolled.IsZero() {
		t.Errorf("LastPolled %v after a refused poll, want it kept (never)", got.LastPolled)
	}

	// The next run allows private addresses: the source is polled now,
	// its interval not waited for, and its child read.
	sum, err = newTestHarvester(t, st, testOptions(dir)).RunDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Polled != 2 || sum.New != 1 || stored(t, st, ts.url("/news/a1.html")) == nil {
		t.Errorf("run with AllowPrivate: %d polled, %d new; want the index and its child read, a1 stored", sum.Polled, sum.New)
	}
	if got, err = st.Source(ctx, src.ID); err != nil {
		t.Fatal(err)
	}
	if got.LastPolled.IsZero() || got.LastError != "" || !got.NextPoll.After(time.Now()) {
		t.Errorf("after the poll: LastPolled %v, NextPoll %v, LastError %q; want a whole poll recorded", got.LastPolled, got.NextPoll, got.LastError)
	}
	// Polled now, it is not due again at once.
	if sum, err = newTestHarvester(t, st, testOptions(dir)).RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if sum.Polled != 0 {
		t.Errorf("third run: %d polled, want none (not due)", sum.Polled)
	}
}
