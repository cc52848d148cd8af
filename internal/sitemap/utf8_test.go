package sitemap

import (
	"strings"
	"testing"
)

// TestParseStrayLegacyBytes: a news sitemap that is UTF-8 but carries a
// stray Windows-1252 byte in a title is read with that byte taken as
// Windows-1252, gzipped or not: the whole sitemap used to fail ("invalid
// UTF-8"), every entry lost at every poll.
func TestParseStrayLegacyBytes(t *testing.T) {
	doc := func(decl string) string {
		return decl + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">` +
			`<url><loc>https://www.harbourtimes.example/a</loc><news:news><news:title>Caf` + "\xe9 \x93open\x94" + `</news:title></news:news></url>` +
			`<url><loc>https://www.harbourtimes.example/b</loc></url></urlset>`
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"declared utf-8", []byte(doc(`<?xml version="1.0" encoding="UTF-8"?>`))},
		{"no declaration", []byte(doc(""))},
		{"gzip", gz(t, []byte(doc(`<?xml version="1.0" encoding="utf-8"?>`+"\n")))},
		{"windows-1252 byte split at a buffer's end", []byte(doc(`<?xml version="1.0"?>` + strings.Repeat(" ", 4093)))},
	} {
		sm, err := Parse(strings.NewReader(string(tc.data)), site+"/s.xml")
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(sm.URLs) != 2 || sm.URLs[0].News == nil || sm.URLs[0].News.Title != "Café “open”" {
			t.Errorf("%s: URLs = %s, want two, the first titled %q", tc.name, dump(sm.URLs), "Café “open”")
		}
	}
}
