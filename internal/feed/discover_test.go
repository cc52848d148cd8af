package feed

import (
	"reflect"
	"testing"
)

func TestDiscover(t *testing.T) {
	tests := []struct {
		name, page, pageURL string
		want                []string
	}{
		{
			// <base href>, type case and parameters, fragment, WordPress
			// REST and oEmbed alternates, hreflang alternate, a repeat, an
			// alternate stylesheet; then body links that look like feeds.
			name:    "fixture",
			page:    string(fixture(t, "page.html")),
			pageURL: "https://www.harbourtimes.example/local/news",
			want: []string{
				"https://www.harbourtimes.example/local/rss",
				"https://www.harbourtimes.example/atom.xml",
				"https://www.harbourtimes.example/feed.json",
				"https://www.harbourtimes.example/sport/feed/",
				"https://feeds.example.net/harbourtimes/culture.rss",
				"https://www.harbourtimes.example/podcasts/feeds/weekly.xml",
			},
		},
		{
			name:    "relative to the page without base",
			page:    `<head><link rel="alternate" type="application/atom+xml" href="../feeds/all.atom"></head>`,
			pageURL: "https://blog.example.org/2024/05/post.html",
			want:    []string{"https://blog.example.org/2024/feeds/all.atom"},
		},
		{
			name:    "relative base href",
			page:    `<base href="/section/"><link rel="alternate" type="application/rss+xml" href="index.rss">`,
			pageURL: "https://blog.example.org/a/b",
			want:    []string{"https://blog.example.org/section/index.rss"},
		},
		{
			name:    "link rel=alternate first even when the body link comes first",
			page:    `<body><a href="/rss.xml">RSS</a><link rel="alternate" type="application/rss+xml" href="/main.rss"></body>`,
			pageURL: "https://blog.example.org/",
			want:    []string{"https://blog.example.org/main.rss", "https://blog.example.org/rss.xml"},
		},
		{
			name:    "rest_route query is not a feed",
			page:    `<link rel="alternate" type="application/json" href="/?rest_route=/wp/v2/pages/2"><link rel="alternate" type="application/json" href="/news.json">`,
			pageURL: "https://blog.example.org/",
			want:    []string{"https://blog.example.org/news.json"},
		},
		{
			name:    "not feeds",
			page:    `<a href="/sitemap.xml">s</a><a href="/feedback">f</a><a href="/rss-reader-review.html">r</a><a href="ftp://x.example/rss">f</a><link rel="alternate" href="/print">`,
			pageURL: "https://blog.example.org/",
			want:    nil,
		},
		{
			name:    "unusable page URL leaves only absolute links",
			page:    `<link rel="alternate" type="application/rss+xml" href="/rel.rss"><link rel="alternate" type="application/rss+xml" href="https://abs.example/x.rss">`,
			pageURL: "",
			want:    []string{"https://abs.example/x.rss"},
		},
		{name: "empty", page: "", pageURL: "https://blog.example.org/", want: nil},
		{name: "not html", page: "\x00\xff<<<>>>&&&", pageURL: "https://blog.example.org/", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Discover([]byte(tt.page), tt.pageURL); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Discover:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
