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

// A deleted URL with a character beyond ASCII in its last segment is
// found however a page spells it: percent-escaped in either case of hex
// digits, as it is, or escaped as a JSON string escapes it (WordPress's
// json_encode writes café as caf\u00e9) in either case.
func TestListingNeedleSpellings(t *testing.T) {
	l := newListing(map[string]bool{"https://news.example/2026/caf%C3%A9-story": true})
	for doc, want := range map[string]bool{
		`<a href="/2026/caf%C3%A9-story">Café</a>`:                                          true,
		`<a href="/2026/caf%c3%a9-story">Café</a>`:                                          true,
		`<a href="/2026/café-story">Café</a>`:                                               true,
		`<script type="application/json">{"url":"\/2026\/caf\u00e9-story"}</script>`:        true,
		`<script type="application/json">{"url":"\/2026\/caf\u00E9-story"}</script>`:        true,
		`<script type="application/json">{"url":"\/2026\/caf\u00e8-story"}</script>`:        false,
		`<html><a href="/2026/harbour">Harbour</a><p>caf%C3%A8-story café story</p></html>`: false,
	} {
		if got := l.mentioned([]byte(doc)); got != want {
			t.Errorf("mentioned(%s) = %v, want %v (needles %q)", doc, got, want, l.needles)
		}
	}
}

// A deleted URL looked for by a pair of its query is found however a
// link spells that pair: an escape in it (%7E for ~, %c3%a9 or %C3%A9 for
// é) written or not, in either case of hex digits, and a page linking to
// it is read.
func TestListingQueryNeedleSpellings(t *testing.T) {
	for deleted, docs := range map[string][]string{
		"https://news.example/a/?id=%7Ex1":        {`<a href="?id=%7Ex1">Jane</a>`, `<a href="?id=%7ex1">Jane</a>`, `<a href="?id=~x1">Jane</a>`},
		"https://news.example/a/?id=~x1":          {`<a href="?id=%7Ex1">Jane</a>`, `<a href="?id=~x1">Jane</a>`},
		"https://news.example/?story=caf%C3%A9-1": {`<a href="/?story=caf%c3%a9-1">Café</a>`, `<a href="/?story=café-1">Café</a>`},
	} {
		l := newListing(map[string]bool{deleted: true})
		for _, doc := range docs {
			if !l.mentioned([]byte(doc)) {
				t.Errorf("%s: mentioned(%s) = false (needles %q)", deleted, doc, l.needles)
			}
		}
		if l.mentioned([]byte(`<html><a href="/?p=77">Other</a><a href="/2026/harbour">Harbour</a></html>`)) {
			t.Errorf("%s: a page not linking to it is read (needles %q)", deleted, l.needles)
		}
	}
}
