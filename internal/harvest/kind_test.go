package harvest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/fetch"
	"github.com/herald-archive/herald/internal/store"
)

// TestKind: a plain-text list of URLs is a list; sitemaps, feeds and pages
// are detected as before.
func TestKind(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("https://news.example.org/a.html\n"))
	zw.Close()
	// A gzipped sitemap beyond the size limit (the protocol's 50 MiB)
	// once decompressed is a sitemap too large to read, not "not a feed
	// or sitemap".
	smallSitemapLimit(t)
	big := hugeGzippedSitemap()
	for _, c := range []struct {
		name, ct, body, want string
	}{
		{"list", "text/plain", "https://news.example.org/a.html\nhttp://news.example.org/b.html\n", store.KindList},
		{"list with comments, blanks, CRLF and a BOM", "text/plain",
			"\uFEFF# today's stories\r\n\r\n  https://news.example.org/a.html  \r\n# more\r\nhttps://news.example.org/b.html?id=2\r\n", store.KindList},
		{"list served as octet-stream", "application/octet-stream", "https://news.example.org/a.html", store.KindList},
		{"text with a line that is not a URL", "text/plain", "https://news.example.org/a.html\nsee also our archive\n", store.KindSitemap},
		{"text with a relative URL", "text/plain", "https://news.example.org/a.html\n/b.html\n", store.KindSitemap},
		{"gzipped list", "application/gzip", gz.String(), store.KindSitemap},
		{"urlset", "application/xml", `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://news.example.org/a.html</loc></url></urlset>`, store.KindSitemap},
		{"sitemap index", "application/xml", `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://news.example.org/s.xml</loc></sitemap></sitemapindex>`, store.KindSitemap},
		{"rss", "application/rss+xml", `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><link>https://news.example.org/a.html</link></item></channel></rss>`, store.KindFeed},
		{"html", "text/html", "<!doctype html><html><head><title>x</title></head><body><p>hi</p></body></html>", store.KindSite},
		{"comments only", "text/plain", "# nothing yet\n", ""},
		{"gzipped sitemap too large", "application/gzip", string(big), store.KindSitemap},
	} {
		resp := &fetch.Response{URL: "https://news.example.org/urls.txt", Status: 200, ContentType: c.ct, Body: []byte(c.body)}
		if got := Kind(resp); got != c.want {
			t.Errorf("%s: Kind = %q, want %q", c.name, got, c.want)
		}
	}
}

// hugeGzippedSitemap is a gzipped urlset that decompresses beyond the
// limit that smallSitemapLimit sets.
func hugeGzippedSitemap() []byte {
	var big bytes.Buffer
	zw := gzip.NewWriter(&big)
	zw.Write([]byte(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`))
	entry := []byte("<url><loc>https://news.example.org/a-long-story-slug.html</loc></url>\n")
	for written := 0; written <= testSitemapBytes; written += len(entry) {
		zw.Write(entry)
	}
	zw.Close()
	return big.Bytes()
}

// testSitemapBytes is the sitemap size limit in tests of sitemaps too
// large to read: the protocol's 50 MiB takes a minute to parse with the
// race detector.
const testSitemapBytes = 256 << 10

// smallSitemapLimit lowers the harvester's sitemap size limit to
// testSitemapBytes for the test.
func smallSitemapLimit(t *testing.T) {
	old := sitemapReader
	sitemapReader.MaxBytes = testSitemapBytes
	t.Cleanup(func() { sitemapReader = old })
}

// TestHarvestSitemapTooLarge: a URL given to harvest that is a sitemap too
// large to read is reported as that, not as "not a feed or sitemap".
func TestHarvestSitemapTooLarge(t *testing.T) {
	smallSitemapLimit(t)
	big := hugeGzippedSitemap()
	ts := newTestSite(t)
	ts.mux.HandleFunc("/sitemap.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/gzip")
		w.Write(big)
	})
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	u := ts.url("/sitemap.xml.gz")
	sum, err := h.Harvest(context.Background(), []string{u})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Skipped[ReasonTooLarge] != 1 || sum.Skipped[ReasonNotFeed] != 0 || !strings.Contains(sum.PollErrors[u], "sitemap too large") {
		t.Errorf("summary %+v, want the sitemap reported too large", sum)
	}
}

// A URL of unknown kind is read up to the sitemap size cap, not the feed
// cap: a sitemap larger than a feed may be is detected and read without
// --kind sitemap; a feed (or page) beyond its own cap is too large.
func TestDetectBigSitemapBeyondFeedCap(t *testing.T) {
	ts := newTestSite(t)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	const limit = 64 << 10
	var sm strings.Builder
	sm.WriteString(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for i := 0; sm.Len() < 2*limit; i++ {
		fmt.Fprintf(&sm, "<url><loc>%s</loc></url>\n", ts.url(fmt.Sprintf("/news/a-long-story-slug-%d.html", i)))
	}
	sm.WriteString("</urlset>")
	ts.mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, sm.String())
	})
	var feed strings.Builder
	feed.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>`)
	for i := 0; feed.Len() < 2*limit; i++ {
		fmt.Fprintf(&feed, "<item><link>%s</link></item>\n", ts.url(fmt.Sprintf("/news/%d.html", i)))
	}
	feed.WriteString("</channel></rss>")
	ts.mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, feed.String())
	})
	st, dir := testArchive(t)
	opts := testOptions(dir)
	opts.MaxBodyBytes = limit
	opts.MaxPages = 1 // what is listed is checked, not the pages
	ctx := context.Background()

	if k, err := DetectKind(ctx, ts.url("/sitemap.xml"), opts); err != nil || k != store.KindSitemap {
		t.Errorf("DetectKind(big sitemap) = %q, %v; want sitemap", k, err)
	}
	if k, err := DetectKind(ctx, ts.url("/feed.xml"), opts); !errors.Is(err, fetch.ErrTooLarge) {
		t.Errorf("DetectKind(big feed) = %q, %v; want too large", k, err)
	}
	h := newTestHarvester(t, st, opts)
	sum, err := h.Harvest(ctx, []string{ts.url("/sitemap.xml"), ts.url("/feed.xml")})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Queued < 1000 || sum.PollErrors[ts.url("/sitemap.xml")] != "" {
		t.Errorf("big sitemap: %d queued, error %q; want it read", sum.Queued, sum.PollErrors[ts.url("/sitemap.xml")])
	}
	if got := sum.PollErrors[ts.url("/feed.xml")]; !strings.Contains(got, ReasonTooLarge) {
		t.Errorf("big feed: %q, want too large", got)
	}
}
