package harvest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
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
