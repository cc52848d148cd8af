package redact

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzBlank: whatever the document, Blank returns a copy of its length
// (or ErrNotFeed and none) that differs from it only by blanks (spaces,
// and the {} of a JSON item), and blanks entries only when it says so.
func FuzzBlank(f *testing.F) {
	for _, name := range []string{"rss2.xml", "atom.xml", "feed.json", "rss1.xml", "rss091.xml"} {
		if b, err := os.ReadFile(filepath.Join("..", "feed", "testdata", name)); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"", "<rss>", "{}", "https://news.example/2026/jane-doe-story\n",
		`<rss><channel><item><link>/2026/jane-doe-story</link></item></channel></rss>`,
		`<urlset><url><loc>https://news.example/2026/jane-doe-story</loc></url><url><loc>x</loc>`,
		`{"version":"https://jsonfeed.org/version/1","items":[{"url":"/2026/jane-doe-story"},1,{"id":2}]}`,
		`<rdf:RDF><rdf:li rdf:resource="/2026/jane-doe-story"/><item rdf:about="/2026/jane-doe-story"/></rdf:RDF>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		out, n, err := Blank(doc, "https://news.example/feed", named)
		if errors.Is(err, ErrNotFeed) {
			if out != nil || n != 0 {
				t.Fatal("a copy of what is not a feed")
			}
			return
		}
		if len(out) != len(doc) {
			t.Fatalf("copy of %d bytes, doc of %d", len(out), len(doc))
		}
		changed := false
		for i := range doc {
			if out[i] != doc[i] {
				changed = true
				if c := out[i]; c != ' ' && c != '{' && c != '}' {
					t.Fatalf("byte %d changed to %q", i, c)
				}
			}
		}
		if changed != (n > 0) {
			t.Fatalf("%d entries blanked, changed %v", n, changed)
		}
	})
}
