package harvest

import (
	"bytes"
	"compress/gzip"
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
	} {
		resp := &fetch.Response{URL: "https://news.example.org/urls.txt", Status: 200, ContentType: c.ct, Body: []byte(c.body)}
		if got := Kind(resp); got != c.want {
			t.Errorf("%s: Kind = %q, want %q", c.name, got, c.want)
		}
	}
}
