package web

import (
	"net/http"
	"strings"
	"testing"
)

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

// The API refuses a source that differs from one it has only by the case
// of its scheme or host or by a tracking parameter: 409, naming the
// existing source's id. Both used to be added, and the feed polled twice a
// cycle.
func TestAPIRefusesDuplicateSourceSpellings(t *testing.T) {
	f := newArchive(t)
	const token = "test-token-0123456789"
	h := testServer(f, Options{AdminToken: token, AllowPrivate: true})
	auth := []string{"Authorization", "Bearer " + token, "Content-Type", "application/json"}
	// The fixture has https://news.example.com/feed.xml as f.sourceID.
	for _, u := range []string{
		"HTTPS://news.example.com/feed.xml",
		"https://NEWS.example.com/feed.xml",
		"https://news.example.com/feed.xml?utm_source=x",
		"https://news.example.com/feed.xml",
	} {
		res, body := do(t, h, "POST", "/api/sources", strings.NewReader(`{"url": "`+u+`", "kind": "feed"}`), auth...)
		var e apiError
		if res.StatusCode == http.StatusConflict {
			decode(t, body, &e)
		}
		if res.StatusCode != http.StatusConflict || e.Error.Code != "conflict" ||
			!strings.Contains(e.Error.Message, "exists already") || !strings.Contains(e.Error.Message, "source "+itoa(f.sourceID)) {
			t.Errorf("%s: %d %s; want 409 naming source %d", u, res.StatusCode, clip(body), f.sourceID)
		}
	}
	res, body := do(t, h, "POST", "/api/sources", strings.NewReader(`{"url": "https://news.example.com/feed.xml?section=world", "kind": "feed"}`), auth...)
	if res.StatusCode != http.StatusCreated {
		t.Errorf("another query parameter is another source: %d %s", res.StatusCode, clip(body))
	}
}
