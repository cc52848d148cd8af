package archive

import "testing"

// A deleted URL whose path ends in a segment too short to look for (a
// shortlink's /?p=123) is looked for by a pair of its query, not by its
// host: a page of the same site that does not link to it is passed over
// unparsed; one that links to it, with a tracking parameter or not, is
// read.
func TestListingQueryNeedle(t *testing.T) {
	l := newListing(map[string]bool{"https://news.example/?p=123&utm_source=feed": true})
	for doc, want := range map[string]bool{
		`<html><link rel=canonical href="https://news.example/2026/other"><a href="/?p=77">Other</a></html>`: false,
		`<html><a href="/?p=123">Jane Doe</a></html>`:                                                        true,
		`<html><a href="https://news.example/?utm_source=x&amp;p=123">Jane Doe</a></html>`:                   true,
	} {
		if got := l.mentioned([]byte(doc)); got != want {
			t.Errorf("mentioned(%s) = %v, want %v (needles %q)", doc, got, want, l.needles)
		}
	}
	if l := newListing(map[string]bool{"https://news.example/": true}); len(l.needles) != 1 || string(l.needles[0]) != "news.example" {
		t.Errorf("a home page's needles %q, want its host", l.needles)
	}
}
