package canon

import "testing"

func TestSourceKey(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"HTTP://News.Example.ORG/feed.xml", "http://news.example.org/feed.xml"},
		{"http://news.example.org:80/feed.xml", "http://news.example.org/feed.xml"},
		{"https://news.example.org:443", "https://news.example.org/"},
		{"http://news.example.org/feed.xml#top", "http://news.example.org/feed.xml"},
		{"http://news.example.org/feed.xml?utm_source=x&cat=2&fbclid=1", "http://news.example.org/feed.xml?cat=2"},
		{"http://news.example.org/feed.xml?UTM_Medium=x", "http://news.example.org/feed.xml"},
		{"http://[2001:DB8::1]:8080/rss", "http://[2001:db8::1]:8080/rss"},
	} {
		if ka, kb := SourceKey(tc.a), SourceKey(tc.b); ka != kb {
			t.Errorf("SourceKey(%q) = %q, SourceKey(%q) = %q; want equal", tc.a, ka, tc.b, kb)
		}
	}
	// What can select another document stays: the path's case, other
	// parameters and their order, the scheme, the port, "rss".
	for _, tc := range []struct{ a, b string }{
		{"http://news.example.org/Feed.xml", "http://news.example.org/feed.xml"},
		{"http://news.example.org/feed.xml?cat=2", "http://news.example.org/feed.xml?cat=3"},
		{"http://news.example.org/feed.xml?a=1&b=2", "http://news.example.org/feed.xml?b=2&a=1"},
		{"https://news.example.org/feed.xml", "http://news.example.org/feed.xml"},
		{"http://news.example.org:8080/feed.xml", "http://news.example.org/feed.xml"},
		{"http://news.example.org/?rss=1", "http://news.example.org/"},
	} {
		if SourceKey(tc.a) == SourceKey(tc.b) {
			t.Errorf("%q and %q have the same key %q", tc.a, tc.b, SourceKey(tc.a))
		}
	}
}
