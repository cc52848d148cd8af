package feed

import (
	"net/url"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, name := range []string{"rss2.xml", "atom.xml", "feed.json", "broken-dates.xml", "rss1.xml", "rss091.xml", "page.html"} {
		f.Add(fixture(f, name))
	}
	for _, s := range []string{
		"", "<rss>", "<feed/>", "{}", `{"version":"https://jsonfeed.org/version/1","items":[{"url":"/a"},{"url":"/a#x"}]}`,
		`<rss version="2.0"><channel><item><guid isPermaLink="true">//x</guid></item></channel></rss>`,
		`<feed xml:base="::"><entry><link href="%zz"/></entry></feed>`,
		`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><item><link>http://[::1/</link></item></rdf:RDF>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		feed, err := Parse(data, "https://www.harbourtimes.example/dir/feed.xml")
		if err != nil {
			if feed != nil {
				t.Fatal("feed returned with an error")
			}
			if !strings.HasPrefix(err.Error(), "parse feed ") {
				t.Fatalf("error without context: %v", err)
			}
			if strings.Contains(err.Error(), "panic") {
				t.Fatalf("gofeed panicked: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, it := range feed.Items {
			u, err := url.Parse(it.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
				t.Fatalf("item URL %q is not an absolute http(s) URL without fragment", it.URL)
			}
			if seen[it.URL] {
				t.Fatalf("repeated item URL %q", it.URL)
			}
			seen[it.URL] = true
			if it.Title != strings.TrimSpace(it.Title) || strings.Contains(it.Title, "  ") {
				t.Fatalf("title %q not folded", it.Title)
			}
			for _, a := range it.Authors {
				if a == "" {
					t.Fatal("empty author")
				}
			}
		}
	})
}

func FuzzDiscover(f *testing.F) {
	f.Add(fixture(f, "page.html"), "https://www.harbourtimes.example/local/")
	f.Add([]byte(`<base href="//x"><link rel=alternate type=application/rss+xml href=?a#b>`), "http://a.example/b/c")
	f.Add([]byte(`<a href="/feed">`), "")
	f.Fuzz(func(t *testing.T, page []byte, pageURL string) {
		seen := map[string]bool{}
		for _, s := range Discover(page, pageURL) {
			u, err := url.Parse(s)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
				t.Fatalf("discovered %q is not an absolute http(s) URL without fragment", s)
			}
			if seen[s] {
				t.Fatalf("repeated %q", s)
			}
			seen[s] = true
		}
	})
}
