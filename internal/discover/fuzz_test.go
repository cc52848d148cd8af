package discover

import (
	"net/url"
	"testing"
	"unicode/utf8"
)

func FuzzInScope(f *testing.F) {
	f.Add("https://sport.harbourtimes.example/news/a", "https://www.harbourtimes.example/", true, "/news")
	f.Add("http://[::1]:80/", "http://[::1]/", false, "")
	f.Fuzz(func(t *testing.T, u, seed string, sub bool, prefix string) {
		opts := Scope{Subdomains: sub, PathPrefix: prefix}
		if InScope(u, seed, opts) && !InScope(u, seed, Scope{Subdomains: true}) {
			t.Fatalf("InScope(%q, %q, %+v) but not with a wider scope", u, seed, opts)
		}
		if InScope(seed, seed, Scope{}) != InScope(seed, seed, Scope{Subdomains: true}) {
			t.Fatalf("seed %q in its own scope differs with subdomains", seed)
		}
	})
}

func FuzzLinks(f *testing.F) {
	f.Add(fixture(f, "section.html"), "https://www.harbourtimes.example/local/")
	f.Add([]byte(`<base href="//x"><a href="?page=2#f">Next</a><a href="../a">`), "http://a.example/b/c")
	f.Add([]byte(`<a href="/x"><img alt="é"></a><area href="/y" alt="y">`), "")
	f.Fuzz(func(t *testing.T, page []byte, pageURL string) {
		seen := map[string]bool{}
		for _, l := range Links(page, pageURL) {
			u, err := url.Parse(l.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
				t.Fatalf("link %q is not an absolute http(s) URL without fragment", l.URL)
			}
			if seen[l.URL] {
				t.Fatalf("repeated link %q", l.URL)
			}
			seen[l.URL] = true
			if len(l.Text) > maxTextLen {
				t.Fatalf("text of %d bytes", len(l.Text))
			}
			if utf8.ValidString(string(page)) && !utf8.ValidString(l.Text) {
				t.Fatalf("text %q cut inside a character", l.Text)
			}
		}
	})
}

func FuzzLooksLikeArticle(f *testing.F) {
	for _, s := range []string{
		"https://www.harbourtimes.example/2024/05/01/harbour-reopens.html", "https://a.example/?p=1&page=2",
		"https://a.example/tag/x", "https://a.example/en/", "http://a.example/%zz", "https://a.example/a.b.c.d/e.f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok, reason := LooksLikeArticle(s)
		if reason == "" {
			t.Fatalf("LooksLikeArticle(%q) = %v without a reason", s, ok)
		}
		if u, err := url.Parse(s); ok && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
			t.Fatalf("LooksLikeArticle(%q) accepts what is not an http(s) URL", s)
		}
	})
}
