package redact

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
)

const gone = "https://news.example/2026/jane-doe-story"

func named(u string) bool { return u == gone }

// check runs Blank and asserts the copy's length, that every snippet of
// kept is still at its offset, and that none of lost is left.
func check(t *testing.T, doc, docURL string, wantN int, kept, lost []string) string {
	t.Helper()
	out, n, err := Blank([]byte(doc), docURL, named)
	if err != nil {
		t.Fatalf("Blank: %v", err)
	}
	checkCopy(t, doc, out, n, wantN, kept, lost)
	return string(out)
}

// checkCopy asserts that out, a copy of doc with n places blanked, has
// wantN blanked, doc's length, every snippet of kept still at its offset
// and none of lost left.
func checkCopy(t *testing.T, doc string, out []byte, n, wantN int, kept, lost []string) {
	t.Helper()
	if n != wantN {
		t.Errorf("blanked %d, want %d", n, wantN)
	}
	if len(out) != len(doc) {
		t.Fatalf("copy of %d bytes, doc of %d", len(out), len(doc))
	}
	for _, k := range kept {
		i := strings.Index(doc, k)
		if i < 0 {
			t.Fatalf("test: %q not in doc", k)
		}
		if string(out[i:i+len(k)]) != k {
			t.Errorf("%q was not kept in place: %q", k, out[i:i+len(k)])
		}
	}
	for _, l := range lost {
		if strings.Contains(string(out), l) {
			t.Errorf("%q is still there:\n%s", l, out)
		}
	}
}

func TestBlankRSS(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>News</title><link>https://news.example/</link>
<item><title>First kept</title><link>https://news.example/a</link><description>about a</description></item>
<item>
  <title>Jane Doe speaks</title>
  <link>/2026/jane-doe-story</link>
  <description>Jane Doe private words</description>
  <content:encoded><![CDATA[<p>Jane Doe whole text</p>]]></content:encoded>
</item>
<item><title>Third kept</title><guid>https://news.example/c</guid><description>links to <a href="https://news.example/2026/jane-doe-story">it</a></description></item>
</channel></rss>`
	out := check(t, doc, "https://news.example/feed.xml", 1,
		[]string{"<item><title>First kept</title><link>https://news.example/a</link><description>about a</description></item>",
			"<item><title>Third kept</title>"},
		[]string{"Jane Doe speaks", "private words", "whole text", "<link>/2026/jane-doe-story"})
	// Still XML, with two items.
	var f struct {
		Items []struct {
			Title string `xml:"title"`
		} `xml:"channel>item"`
	}
	if err := xml.Unmarshal([]byte(out), &f); err != nil || len(f.Items) != 2 {
		t.Errorf("blanked feed: %v, %+v", err, f.Items)
	}
}

func TestBlankAtomAndRDF(t *testing.T) {
	atom := `<feed xmlns="http://www.w3.org/2005/Atom"><title>N</title>
<entry><id>tag:x,1</id><title>Jane Doe</title><link rel="alternate" href="https://news.example/2026/jane-doe-story"/><summary>private</summary></entry>
<entry><id>tag:x,2</id><title>Kept</title><link href="https://news.example/b"/></entry>
</feed>`
	check(t, atom, "https://news.example/atom", 1, []string{`<entry><id>tag:x,2</id><title>Kept</title>`}, []string{"Jane Doe", "private"})

	rdf := `<?xml version="1.0" encoding="ISO-8859-1"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://news.example/"><items><rdf:Seq>
<rdf:li rdf:resource="https://news.example/2026/jane-doe-story" />
<rdf:li rdf:resource="https://news.example/b" />
</rdf:Seq></items></channel>
<item rdf:about="https://news.example/2026/jane-doe-story"><title>Jane Doe caf` + "\xe9" + `</title></item>
<item rdf:about="https://news.example/b"><title>Kept caf` + "\xe9" + `</title></item>
</rdf:RDF>`
	check(t, rdf, "https://news.example/rss1", 2,
		[]string{`<rdf:li rdf:resource="https://news.example/b" />`, "<title>Kept caf\xe9</title>"},
		[]string{"jane-doe-story", "Jane Doe"})
}

func TestBlankSitemaps(t *testing.T) {
	xmlMap := `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example/a</loc></url>
<url><loc>https://news.example/2026/jane-doe-story</loc><news:news><news:title>Jane Doe speaks</news:title></news:news></url>
<url><loc>https://news.example/c</loc></url>
</urlset>`
	check(t, xmlMap, "https://news.example/sitemap.xml", 1,
		[]string{"<url><loc>https://news.example/a</loc></url>", "<url><loc>https://news.example/c</loc></url>"},
		[]string{"Jane Doe", "jane-doe"})

	text := "https://news.example/a\r\nhttps://news.example/2026/jane-doe-story\r\nhttps://news.example/c\n"
	out := check(t, text, "https://news.example/sitemap.txt", 1, []string{"https://news.example/a\r\n", "\r\nhttps://news.example/c\n"}, []string{"jane-doe"})
	if strings.Count(out, "\n") != 3 {
		t.Errorf("lines were lost: %q", out)
	}

	index := `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://news.example/2026/jane-doe-story</loc></sitemap></sitemapindex>`
	if _, _, err := Blank([]byte(index), "https://news.example/", named); !errors.Is(err, ErrNotFeed) {
		t.Errorf("a sitemap index: %v", err)
	}
}

func TestBlankJSONFeed(t *testing.T) {
	doc := `{"title":"N","items":[{"id":"1","url":"https://news.example/a","title":"kept"},
 {"id":"2","url":"https:\/\/news.example\/2026\/jane-doe-story","title":"Jane Doe","content_text":"private"},
 {"id":"3","url":"https://news.example/c"}],"version":"https://jsonfeed.org/version/1.1"}`
	out := check(t, doc, "https://news.example/feed.json", 1,
		[]string{`{"id":"1","url":"https://news.example/a","title":"kept"}`, `{"id":"3","url":"https://news.example/c"}`},
		[]string{"Jane Doe", "private", "jane-doe"})
	var f struct{ Items []map[string]any }
	if err := json.Unmarshal([]byte(out), &f); err != nil || len(f.Items) != 3 || len(f.Items[1]) != 0 {
		t.Errorf("blanked feed: %v, %+v", err, f.Items)
	}
	// Not a feed: other JSON, HTML, nothing.
	for _, doc := range []string{`{"items":[{"url":"https://news.example/2026/jane-doe-story"}]}`,
		`<!DOCTYPE html><html><body><a href="/2026/jane-doe-story">x</a></body></html>`, ``, "\x89PNG"} {
		if _, _, err := Blank([]byte(doc), "https://news.example/", named); !errors.Is(err, ErrNotFeed) {
			t.Errorf("%.30q: %v, want ErrNotFeed", doc, err)
		}
	}
}

// A feed cut off inside the entry that names the URL: the rest of the
// document is that entry's and goes; the error says it was cut.
func TestBlankCut(t *testing.T) {
	doc := `<rss><channel><item><link>https://news.example/a</link></item><item><link>https://news.example/2026/jane-doe-story</link><title>Jane Doe sp`
	out, n, err := Blank([]byte(doc), "https://news.example/feed", named)
	if err == nil || n != 1 {
		t.Fatalf("Blank: %d, %v", n, err)
	}
	if strings.Contains(string(out), "Jane") || !strings.Contains(string(out), "<item><link>https://news.example/a</link></item>") {
		t.Errorf("cut feed blanked as %q", out)
	}
}
