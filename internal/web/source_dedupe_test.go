package web

import (
	"net/http"
	"strings"
	"testing"
)

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
