package canon

import (
	"net/url"
	"strings"
	"testing"
)

func FuzzURL(f *testing.F) {
	for _, s := range []string{
		"https://example.com/", "HTTP://User@AMP.Example.COM:80//a/./amp/../b.amp.html?utm_source=x&id=9#f",
		"https://Пример.рф/новости?q=%d0%bf", "http://[2001:db8::1]:8080/a%2fb", "https://example.com/a?&&=&a",
		"https://amp.amp.co.uk/print/amp/x.amp.amp?print&amp", "http://a/%2e%2E/..//.", "http://a.b/?q=100%",
		"https://example.com/caf\xe9", "ftp://x/", "//x/y", "http://x:0/", "https://x/a?b=c;d&b=a",
		"https://www.google.com//amp/s/a-b.cdn.ampproject.org/c/s/x.com/amp/?amp=1", "https://x.bing-amp.com/v/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := URL(s)
		if err != nil {
			return
		}
		again, err := URL(got)
		if err != nil {
			t.Fatalf("URL(%q) = %q, which fails: %v", s, got, err)
		}
		if again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
		}
		if _, err := url.Parse(got); err != nil {
			t.Fatalf("URL(%q) = %q, which net/url rejects: %v", s, got, err)
		}
		if strings.ContainsAny(got, "# \t\n") {
			t.Fatalf("URL(%q) = %q has a fragment or space", s, got)
		}
		if c := Choose(s, s); c != got {
			t.Fatalf("Choose(%q, itself) = %q, want %q", s, c, got)
		}
		if id := ID(got); len(id) != 16 {
			t.Fatalf("ID(%q) = %q", got, id)
		}
	})
}
