package harvest

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestCrawlPaginationBounded: a listing's "next page" links are followed
// at the same depth, but only for maxPaginationPages pages: a site whose
// archive pages (or calendar) go on for thousands of pages was crawled to
// its end by a plain herald harvest SITE, with no --max-pages, for hours.
func TestCrawlPaginationBounded(t *testing.T) {
	const sitePages = 200 // the site's end, so that the test ends either way
	ts := newTestSite(t)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	ts.mux.HandleFunc("/archive/", func(w http.ResponseWriter, r *http.Request) {
		n := 1
		if p := r.URL.Query().Get("page"); p != "" {
			n, _ = strconv.Atoi(p)
		}
		if n > sitePages {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, gazetteListing(fmt.Sprintf("Archive, page %d", n), []string{
			fmt.Sprintf("/news/2026/05/04/story-%d.html", n), fmt.Sprintf("/archive/?page=%d", n+1),
		}))
	})
	ts.mux.HandleFunc("/news/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, gazettePage("Story "+r.URL.Path, "", gazetteDay, gazetteText(r.URL.Path, 6)))
	})
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	sum, err := h.Harvest(context.Background(), []string{ts.url("/archive/")})
	if err != nil {
		t.Fatal(err)
	}
	listings := 0
	for _, rq := range ts.requests() {
		if strings.HasPrefix(rq.path, "/archive/") {
			listings++
		}
	}
	if listings != maxPaginationPages+1 {
		t.Errorf("%d listing pages fetched (summary %+v), want the seed and %d more", listings, sum, maxPaginationPages)
	}
	if sum.New+sum.Duplicate != maxPaginationPages+1 {
		t.Errorf("summary %+v, want the stories of the pages read", sum)
	}
}
