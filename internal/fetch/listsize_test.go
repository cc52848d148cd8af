package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestLargeSitemapFetched: a sitemap may be as large as the sitemap
// protocol allows (50 MiB uncompressed), more than a page's MaxBodyBytes:
// a plain 50,000-URL sitemap with image or news tags passes 16 MiB, and
// was refused as too large, its every entry lost. Pages and feeds keep
// the cap.
func TestLargeSitemapFetched(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for i := 0; b.Len() < 2<<20; i++ {
		fmt.Fprintf(&b, "<url><loc>https://news.example/2026/12/07/a-long-story-slug-%d.html</loc></url>", i)
	}
	b.WriteString("</urlset>")
	body := b.String()
	s := newSite(t, nil)
	s.handle("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.Write([]byte(body))
	})
	s.html("/page.html", "<html><body>"+body+"</body></html>")
	c := testClient(t, Options{MaxBodyBytes: 1 << 20})
	ctx := context.Background()
	res, err := c.Fetch(ctx, Request{URL: s.URL + "/sitemap.xml", Accept: AcceptSitemap})
	if err != nil || len(res.Body) != len(body) {
		t.Fatalf("a sitemap over MaxBodyBytes: %v, want it whole", err)
	}
	if res.RawTruncated != "" || len(res.RawResponse) < len(body) {
		t.Errorf("the raw response for WARC is cut (%d bytes)", len(res.RawResponse))
	}
	if _, err := c.Fetch(ctx, Request{URL: s.URL + "/sitemap.xml", Accept: AcceptFeed}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a feed over MaxBodyBytes: err = %v, want ErrTooLarge", err)
	}
	if _, err := c.Fetch(ctx, Request{URL: s.URL + "/page.html"}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a page over MaxBodyBytes: err = %v, want ErrTooLarge", err)
	}
}
