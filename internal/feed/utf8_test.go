package feed

import "testing"

// TestParseStrayLegacyBytes: a feed that is UTF-8 (declared or not) but
// carries a stray Windows-1252 byte, as a legacy CMS pastes a curly quote
// or an accented letter, is read with that byte taken as Windows-1252:
// the whole feed used to fail ("invalid UTF-8"), every item lost at every
// poll. A feed declaring a legacy encoding is decoded as declared.
func TestParseStrayLegacyBytes(t *testing.T) {
	rss := func(decl, title string) []byte {
		return []byte(decl + `<rss version="2.0"><channel><title>Quay</title><item><title>` + title +
			`</title><link>https://news.example/a</link></item><item><title>Caf` + "\u00e9" + ` ok</title><link>https://news.example/b</link></item></channel></rss>`)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"declared utf-8", rss(`<?xml version="1.0" encoding="UTF-8"?>`, "Caf\xe9 \x93open\x94"), "Café “open”"},
		{"no declaration", rss("", "Caf\xe9"), "Café"},
		{"declared utf8, single quotes", rss(`<?xml version='1.0' encoding='utf8'?>`, "Caf\xe9"), "Café"},
		{"declared iso-8859-1", []byte(`<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>Q</title><item><title>Caf` + "\xe9" + `</title><link>https://news.example/a</link></item></channel></rss>`), "Café"},
	} {
		f, err := Parse(tc.data, "https://news.example/feed.xml")
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(f.Items) == 0 || f.Items[0].Title != tc.want {
			t.Errorf("%s: items %+v, want the first titled %q", tc.name, f.Items, tc.want)
		}
	}
}
