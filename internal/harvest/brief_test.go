package harvest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// TestHarvestShortItems: a brief of two sentences on a short URL is an
// article when a feed or a news sitemap lists it, and is stored; the same
// page listed only by a plain sitemap (which lists every page of a site)
// is not taken for one.
func TestHarvestShortItems(t *testing.T) {
	ts := newTestSite(t)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	briefs := map[string]string{
		"/a/ferry": "The ferry to the islands will not sail on Tuesday because of the storm warning, the operator said. Tickets bought for that day can be used on Wednesday.",
		"/c/pier":  "The pier will close for repairs from Monday for three weeks, the council said. Anglers are asked to use the east breakwater meanwhile.",
		"/b/quay":  "The quay car park will charge for evening parking from June, after a vote on Thursday. Residents with permits are not affected.",
		"/d/dock":  "The dry dock will take a second ship from August, the port said. Work on the gates ends in July.",
	}
	for p, text := range briefs {
		if ok := looksLikeArticle(ts.url(p)); ok {
			t.Fatalf("%s looks like an article's URL: the test needs one that does not", p)
		}
		if words := article.CountWords(text); words >= minArticleWords {
			t.Fatalf("the brief of %s has %d words: the test needs fewer than %d", p, words, minArticleWords)
		}
		ts.html(p, gazettePage("Brief "+p, "", gazetteDay, []string{text}))
	}
	ts.mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title><item><title>Ferry</title><link>%s</link></item>`+
			`<item><title>Dock</title><link>%s</link></item></channel></rss>`, ts.url("/a/ferry"), ts.url("/r/dock"))
	})
	// A feed item reached through a redirect, as feed proxies and short
	// links do: the frontier knows the item's URL, the record the page's.
	ts.mux.HandleFunc("/r/dock", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/d/dock", http.StatusFound) })
	ts.mux.HandleFunc("/news-sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">`+
			`<url><loc>%s</loc><news:news><news:publication><news:name>Gazette</news:name><news:language>en</news:language></news:publication>`+
			`<news:publication_date>2026-05-04T09:30:00Z</news:publication_date><news:title>Pier</news:title></news:news></url></urlset>`, ts.url("/c/pier"))
	})
	ts.mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, urlset(ts, "/b/quay"))
	})
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	addSource(t, st, ts.url("/feed.xml"), store.KindFeed)
	addSource(t, st, ts.url("/news-sitemap.xml"), store.KindSitemap)
	addSource(t, st, ts.url("/sitemap.xml"), store.KindSitemap)
	sum, err := h.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/a/ferry", "/c/pier", "/d/dock"} {
		rec := stored(t, st, ts.url(p))
		if rec == nil || !strings.Contains(rec.Text, briefs[p]) {
			t.Errorf("%s, a listed item, not stored: %+v", p, rec)
			continue
		}
		// Its capture is its own, for erasing it on a takedown.
		wr, err := warc.ReadAt(store.CaptureFile(rec.Capture.File, dir), rec.Capture.Offset)
		if err != nil {
			t.Fatal(err)
		}
		if id := CaptureArticleID(wr); id != rec.ID {
			t.Errorf("%s: the capture's owner is %q, want its article %s", p, id, rec.ID)
		}
	}
	if rec := stored(t, st, ts.url("/b/quay")); rec != nil {
		t.Errorf("/b/quay, on a plain sitemap only, stored as an article")
	}
	if sum.New != 3 || sum.Skipped[ReasonNotArticle] != 1 {
		t.Errorf("summary: %d new, %d not article; want 3 and 1", sum.New, sum.Skipped[ReasonNotArticle])
	}

	// Re-extracted from their captures, the listed briefs are still
	// articles: the frontier remembers that a feed and a news sitemap
	// listed them. They come out as they were stored, not as "not an
	// article now".
	var changes []Change
	re, err := Reextract(context.Background(), st, &query.Query{}, ReextractOptions{Base: dir, DryRun: true,
		Report: func(c Change) { changes = append(changes, c) }})
	if err != nil {
		t.Fatal(err)
	}
	if re.Records != 3 || re.Same != 3 || re.NotArticle != 0 || len(changes) != 0 {
		t.Errorf("reextract of the stored briefs: %+v, changes %+v; want both the same", re, changes)
	}
}
