package harvest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/herald-archive/herald/internal/store"
)

// conditionalDoc serves an XML document with an ETag, answering 304 to a
// request that names it, and records each request's If-None-Match.
type conditionalDoc struct {
	mu   sync.Mutex
	etag string
	body string
	inm  []string
}

func (d *conditionalDoc) set(etag, body string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.etag, d.body = etag, body
}

func (d *conditionalDoc) asked() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.inm...)
}

func (d *conditionalDoc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.inm = append(d.inm, r.Header.Get("If-None-Match"))
	w.Header().Set("ETag", d.etag)
	w.Header().Set("Last-Modified", "Mon, 04 May 2026 09:30:00 GMT")
	if r.Header.Get("If-None-Match") == d.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	fmt.Fprint(w, d.body)
}

func urlset(ts *testSite, paths ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for _, p := range paths {
		fmt.Fprintf(&b, "<url><loc>%s</loc></url>", ts.url(p))
	}
	b.WriteString("</urlset>")
	return b.String()
}

// The children of a sitemap index that carry no lastmod are asked for
// conditionally, with the validators the archive kept from the last poll
// (a new process each time, as from cron), and a 304 is not parsed. The
// index itself is read whole every poll: its children may change while it
// does not, and a 304 for it would leave them unread (as it did).
func TestHarvestChildSitemapsConditional(t *testing.T) {
	ts := newTestSite(t)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	for _, p := range []string{"/news/a1.html", "/news/b1.html", "/news/b2.html"} {
		ts.html(p, gazettePage("Story "+p, "", gazetteDay, gazetteText(p, 6)))
	}
	index := &conditionalDoc{etag: `"idx"`, body: fmt.Sprintf(`<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+
		`<sitemap><loc>%s</loc></sitemap><sitemap><loc>%s</loc></sitemap></sitemapindex>`, ts.url("/a.xml"), ts.url("/b.xml"))}
	a := &conditionalDoc{etag: `"a1"`, body: urlset(ts, "/news/a1.html")}
	b := &conditionalDoc{etag: `"b1"`, body: urlset(ts, "/news/b1.html")}
	ts.mux.Handle("/index.xml", index)
	ts.mux.Handle("/a.xml", a)
	ts.mux.Handle("/b.xml", b)
	st, dir := testArchive(t)
	src := addSource(t, st, ts.url("/index.xml"), store.KindSitemap)

	poll := func() *Summary { // a new Harvester each time: what is kept is in the archive
		t.Helper()
		h, err := New(st, testOptions(dir))
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		return repoll(t, h, st, src.ID)
	}
	if sum := poll(); sum.New != 2 || sum.Polled != 3 {
		t.Fatalf("first poll: %d new, %d polled", sum.New, sum.Polled)
	}
	sum := poll()
	if sum.Polled != 3 || sum.NotModified != 2 || sum.Fetched != 0 {
		t.Errorf("second poll: %d polled, %d not modified, %d fetched; want the index read and both children 304", sum.Polled, sum.NotModified, sum.Fetched)
	}
	if got := a.asked(); len(got) != 2 || got[1] != `"a1"` {
		t.Errorf("child a asked with If-None-Match %q, want its ETag the second time", got)
	}
	if got := index.asked(); len(got) != 2 || got[1] != "" {
		t.Errorf("index asked with If-None-Match %q, want never: its children have no lastmod", got)
	}

	b.set(`"b2"`, urlset(ts, "/news/b1.html", "/news/b2.html"))
	sum = poll()
	if sum.NotModified != 1 || sum.New != 1 || stored(t, st, ts.url("/news/b2.html")) == nil {
		t.Errorf("third poll: %d not modified, %d new; want child b read again and its new URL stored", sum.NotModified, sum.New)
	}
	if got := b.asked(); len(got) != 3 || got[2] != `"b1"` {
		t.Errorf("child b asked with If-None-Match %q", got)
	}
	if sum = poll(); sum.NotModified != 2 {
		t.Errorf("fourth poll: %d not modified, want both children 304 with b's new ETag", sum.NotModified)
	}
}

// A child index whose own child could not be read keeps no validators: a
// 304 for it at the next poll would leave that child unread for good.
// (Its validators used to be kept as soon as it was parsed.)
func TestHarvestChildIndexIncompleteKeepsNoValidators(t *testing.T) {
	ts := newTestSite(t)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	ts.html("/news/g1.html", gazettePage("Story g1", "", gazetteDay, gazetteText("g1", 6)))
	ts.mux.HandleFunc("/index.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+
			`<sitemap><loc>%s</loc></sitemap></sitemapindex>`, ts.url("/sub.xml"))
	})
	// The child index's own child has a lastmod in the future: every
	// poll asks for it, whatever the time of the last one.
	sub := &conditionalDoc{etag: `"sub1"`, body: fmt.Sprintf(`<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+
		`<sitemap><loc>%s</loc><lastmod>2099-01-01</lastmod></sitemap></sitemapindex>`, ts.url("/g.xml"))}
	ts.mux.Handle("/sub.xml", sub)
	var down atomic.Bool
	down.Store(true)
	ts.mux.HandleFunc("/g.xml", xmlUnless(&down, http.NotFound, urlset(ts, "/news/g1.html")))
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	src := addSource(t, st, ts.url("/index.xml"), store.KindSitemap)
	if sum := repoll(t, h, st, src.ID); sum.New != 0 || len(sum.PollErrors) != 1 {
		t.Fatalf("first poll: %d new, errors %v; want the grandchild's 404", sum.New, sum.PollErrors)
	}
	down.Store(false)
	if sum := repoll(t, h, st, src.ID); sum.New != 1 {
		t.Errorf("second poll: %d new, %d not modified; want the child index read again and its child's URL stored", sum.New, sum.NotModified)
	}
	if got := sub.asked(); len(got) != 2 || got[1] != "" {
		t.Errorf("child index asked with If-None-Match %q, want unconditionally the second time", got)
	}
}
