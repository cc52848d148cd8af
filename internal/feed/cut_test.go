package feed

import (
	"strings"
	"testing"
)

// A feed cut off mid-document gives the complete entries before the cut,
// marked Cut; whatever comes after the cut is not guessed at.
func TestParseCut(t *testing.T) {
	rss := `<?xml version="1.0" encoding="windows-1252"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title><link>https://e.example/</link>
<item><title>Caf` + "\xe9" + ` A</title><link>https://e.example/a</link><dc:creator>Ann</dc:creator></item>
<item><title>B</title><link>/b</link><description><![CDATA[<p>x</p>]]></description></item>
<item><title>C</title><link>https://e.example/c</link></item>
</channel></rss>`
	atom := `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><title>A</title><link href="https://e.example/a"/><id>urn:1</id></entry>
<entry><title>B</title><link href="https://e.example/b"/><id>urn:2</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>b</p></div></content></entry>
<entry><title>C</title><link href="https://e.example/c"/><id>urn:3</id></entry>
</feed>`
	js := `{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[` +
		`{"id":"1","url":"https://e.example/a","title":"A"},` +
		`{"id":"2","url":"https://e.example/b","title":"B, \"quoted\" ]}"},` +
		`{"id":"3","url":"https://e.example/c","title":"C"}],"home_page_url":"https://e.example/"}`

	tests := []struct {
		name, doc, cutAfter string
		want                []string // item URLs
		cut                 bool
	}{
		{"rss whole", rss, "", []string{"a", "b", "c"}, false},
		{"rss in third item", rss, "<title>C</title><li", []string{"a", "b"}, true},
		{"rss in second item's CDATA", rss, "<![CDATA[<p>", []string{"a"}, true},
		{"rss after last item", rss, "/c</link></item>\n</chan", []string{"a", "b", "c"}, true},
		{"atom in third entry", atom, "<id>urn:3", []string{"a", "b"}, true},
		{"atom in xhtml content", atom, "<p>b", []string{"a"}, true},
		{"json whole", js, "", []string{"a", "b", "c"}, false},
		{"json in third item", js, `{"id":"3","ur`, []string{"a", "b"}, true},
		{"json after a comma", js, `"title":"B, \"quoted\" ]}"},`, []string{"a", "b"}, true},
		{"json after the items", js, `"home_page_url":"https://e.exa`, []string{"a", "b", "c"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := tt.doc
			if tt.cutAfter != "" {
				i := strings.Index(doc, tt.cutAfter)
				if i < 0 {
					t.Fatalf("%q not in the document", tt.cutAfter)
				}
				doc = doc[:i+len(tt.cutAfter)]
			}
			f, err := Parse([]byte(doc), "https://e.example/feed")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var got []string
			for _, it := range f.Items {
				got = append(got, strings.TrimPrefix(it.URL, "https://e.example/"))
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") || f.Cut != tt.cut {
				t.Errorf("items %q cut %v, want %q cut %v", got, f.Cut, tt.want, tt.cut)
			}
		})
	}
	// The first item keeps its windows-1252 title through the repair.
	f, err := Parse([]byte(rss[:strings.Index(rss, "<title>C</title>")]), "https://e.example/feed")
	if err != nil || len(f.Items) == 0 || f.Items[0].Title != "Café A" {
		t.Errorf("cut windows-1252 feed: %+v, %v", f, err)
	}
}

// A cut before the first complete entry, or a document broken in its
// middle, is still an error: nothing is made up.
func TestParseCutNothingToSalvage(t *testing.T) {
	for _, doc := range []string{
		`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>A</title><link>https://e.example/a</li`,
		`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>`,
		`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","url":"https://e.exa`,
		`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","url":"https://e.example/a"} {"id":2}]}`,
	} {
		f, err := Parse([]byte(doc), "https://e.example/feed")
		if err == nil {
			t.Errorf("Parse(%q) = %d items, cut %v; want an error", doc, len(f.Items), f.Cut)
		}
	}
}

// Every prefix of a feed either fails or gives a prefix of its items.
func TestParseCutEveryPrefix(t *testing.T) {
	for _, name := range []string{"rss2.xml", "atom.xml", "feed.json", "rss1.xml"} {
		data := fixture(t, name)
		whole, err := Parse(data, "https://www.harbourtimes.example/feed")
		if err != nil {
			t.Fatal(err)
		}
		salvaged := 0
		for n := 1; n < len(data); n += max(1, len(data)/400) {
			f, err := Parse(data[:n], "https://www.harbourtimes.example/feed")
			if err != nil {
				continue
			}
			if f.Cut && len(f.Items) > 0 {
				salvaged++
			}
			if len(f.Items) > len(whole.Items) {
				t.Fatalf("%s cut at %d: %d items, whole has %d", name, n, len(f.Items), len(whole.Items))
			}
			for i, it := range f.Items {
				if it.URL != whole.Items[i].URL {
					t.Fatalf("%s cut at %d: item %d is %s, want %s", name, n, i, it.URL, whole.Items[i].URL)
				}
			}
		}
		if salvaged == 0 {
			t.Errorf("%s: no cut of it was salvaged", name)
		}
	}
}
