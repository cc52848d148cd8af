package canon

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		// scheme and host
		{"lower scheme and host", "HTTPS://News.Example.COM/World/Story", "https://news.example.com/World/Story"},
		{"empty path", "https://example.com", "https://example.com/"},
		{"empty path with query", "https://example.com?id=3", "https://example.com/?id=3"},
		{"trailing dot host", "https://example.com./a", "https://example.com/a"},
		{"idna host", "https://Пример.рф/новости", "https://xn--e1afmkfd.xn--p1ai/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"},
		{"idna mixed case", "https://BÜCHER.example/a", "https://xn--bcher-kva.example/a"},
		{"punycode kept", "https://XN--BCHER-KVA.example/a", "https://xn--bcher-kva.example/a"},
		{"underscore host", "https://my_site.example.com/a", "https://my_site.example.com/a"},
		{"ipv4", "http://192.168.0.1:8080/a", "http://192.168.0.1:8080/a"},
		{"ipv6", "http://[2001:DB8:0:0::1]:80/a", "http://[2001:db8::1]/a"},
		{"surrounding space and newlines", "  https://example.com/a\n/b\t ", "https://example.com/a/b"},

		// ports
		{"default http port", "http://example.com:80/a", "http://example.com/a"},
		{"default https port", "https://example.com:443/a", "https://example.com/a"},
		{"http port on https kept", "https://example.com:80/a", "https://example.com:80/a"},
		{"other port kept", "http://example.com:8080/a", "http://example.com:8080/a"},
		{"leading zeros in port", "http://example.com:0080/a", "http://example.com/a"},
		{"empty port", "http://example.com:/a", "http://example.com/a"},

		// userinfo, fragment
		{"userinfo dropped", "https://user:secret@example.com/a", "https://example.com/a"},
		{"fragment dropped", "https://example.com/a#comments", "https://example.com/a"},
		{"fragment with query-like text", "https://example.com/a#x?utm_source=y", "https://example.com/a"},
		{"hashbang dropped", "https://example.com/#!/story/1", "https://example.com/"},

		// path
		{"dot segments", "https://example.com/a/./b/../c", "https://example.com/a/c"},
		{"dot dot above root", "https://example.com/../../a", "https://example.com/a"},
		{"trailing dot dot", "https://example.com/a/b/..", "https://example.com/a/"},
		{"duplicate slashes", "https://example.com//a///b//", "https://example.com/a/b/"},
		{"trailing slash kept", "https://example.com/world/", "https://example.com/world/"},
		{"encoded dots are dot segments", "https://example.com/a/%2E%2E/b", "https://example.com/b"},
		{"path case kept", "https://example.com/World/Story-ABC", "https://example.com/World/Story-ABC"},

		// percent-encoding
		{"decode unreserved", "https://example.com/%7Euser/%41%62c", "https://example.com/~user/Abc"},
		{"upper-case hex", "https://example.com/a%2fb%c3%a9", "https://example.com/a%2Fb%C3%A9"},
		{"encoded slash stays encoded", "https://example.com/a%2Fb/c", "https://example.com/a%2Fb/c"},
		{"space escaped", "https://example.com/a b", "https://example.com/a%20b"},
		{"raw utf-8 path escaped", "https://example.com/café", "https://example.com/caf%C3%A9"},
		{"invalid utf-8 escaped byte by byte", "https://example.com/caf\xe9?q=\xff", "https://example.com/caf%E9?q=%FF"},
		{"plus kept", "https://example.com/a+b?q=c+d", "https://example.com/a+b?q=c+d"},
		{"query escapes", "https://example.com/?q=%7e%2a%26", "https://example.com/?q=~%2A%26"},
		{"stray percent in query", "https://example.com/?q=100%", "https://example.com/?q=100%25"},
		{"sub-delims kept", "https://example.com/a;b=c,d!e", "https://example.com/a;b=c,d!e"},

		// query
		{"sort params", "https://example.com/a?z=1&b=2&a=3", "https://example.com/a?a=3&b=2&z=1"},
		{"stable for repeated names", "https://example.com/a?tag=b&x=1&tag=a", "https://example.com/a?tag=b&tag=a&x=1"},
		{"empty query dropped", "https://example.com/a?", "https://example.com/a"},
		{"empty params dropped", "https://example.com/a?&&id=1&", "https://example.com/a?id=1"},
		{"key without value kept", "https://example.com/a?preview", "https://example.com/a?preview"},
		{"empty value kept", "https://example.com/a?page=", "https://example.com/a?page="},
		{"utm removed", "https://example.com/a?utm_source=twitter&utm_medium=social&UTM_Campaign=x", "https://example.com/a"},
		{"click ids removed", "https://example.com/a?fbclid=1&gclid=2&dclid=3&msclkid=4&yclid=5&igshid=6", "https://example.com/a"},
		// Session ids name a visit, never an article: a site crawl of a
		// site putting them in its links saw every article under a new
		// URL at every visit.
		{"session ids removed", "https://example.com/a?PHPSESSID=f00&id=4&jsessionid=ab&CFID=1&cftoken=2", "https://example.com/a?id=4"},
		{"jsessionid path parameter removed", "https://example.com/news/story.html;jsessionid=A1B2C3?id=4", "https://example.com/news/story.html?id=4"},
		{"jsessionid path parameter, any case, mid-path", "https://example.com/news;JSESSIONID=A1.node0/story.html", "https://example.com/news/story.html"},
		{"jsessionid path parameter on a folder", "https://example.com/news/;jsessionid=A1", "https://example.com/news/"},
		{"other path parameters kept", "https://example.com/news/story.html;v=2", "https://example.com/news/story.html;v=2"},
		{"jsessionid after a character that lower-cases longer", "https://example.com/İstanbul;jsessionid=A1/story", "https://example.com/%C4%B0stanbul/story"},
		{"mail ids removed", "https://example.com/a?mc_cid=1&mc_eid=2&_ga=3", "https://example.com/a"},
		{"publisher markers removed", "https://example.com/a?ref_src=twsrc&cmpid=1&ocid=2&ncid=3&ito=4&smid=5&CMP=share_btn_tw&INTCMP=x", "https://example.com/a"},
		{"at internet removed", "https://example.com/a?at_medium=rss&at_campaign=feed&xtor=RSS-1", "https://example.com/a"},
		{"rss flag removed", "https://example.com/a?rss=1", "https://example.com/a"},
		{"encoded tracking name removed", "https://example.com/a?utm%5Fsource=x", "https://example.com/a"},
		{"content params kept", "https://example.com/view?utm_source=x&id=42&p=7&story=abc&article=9&ref=home", "https://example.com/view?article=9&id=42&p=7&ref=home&story=abc"},
		{"utm alone not a prefix match", "https://example.com/a?utm_=1", "https://example.com/a?utm_=1"},
		{"semicolon not a separator", "https://example.com/a?a=1;utm_source=x", "https://example.com/a?a=1;utm_source=x"},

		// AMP and print variants
		{"amp first segment", "https://example.com/amp/world/harbour-reopens", "https://example.com/world/harbour-reopens"},
		{"amp middle segment", "https://www.example.co.uk/news/amp/uk-12345", "https://www.example.co.uk/news/uk-12345"},
		{"amp trailing segment with slash", "https://example.com/2021/06/harbour-reopens/amp/", "https://example.com/2021/06/harbour-reopens/"},
		{"amp trailing segment", "https://example.com/2021/06/harbour-reopens/amp", "https://example.com/2021/06/harbour-reopens"},
		{"amp only segment kept", "https://example.com/amp", "https://example.com/amp"},
		{"amp substring kept", "https://example.com/camp/amplifier-review", "https://example.com/camp/amplifier-review"},
		{"AMP upper case segment kept", "https://example.com/AMP/story-1", "https://example.com/AMP/story-1"},
		{"dot amp html", "https://example.com/world/story-1.amp.html", "https://example.com/world/story-1.html"},
		{"dot amp suffix", "https://example.com/news/world-60000000.amp", "https://example.com/news/world-60000000"},
		{"bare .amp kept", "https://example.com/news/.amp", "https://example.com/news/.amp"},
		{"amp=1", "https://example.com/story?amp=1", "https://example.com/story"},
		{"amp no value", "https://example.com/story?amp&id=4", "https://example.com/story?id=4"},
		{"amp=true", "https://example.com/story?amp=true", "https://example.com/story"},
		{"amp=0 kept", "https://example.com/story?amp=0", "https://example.com/story?amp=0"},
		{"outputType=amp", "https://example.com/story?outputType=amp", "https://example.com/story"},
		{"outputType other kept", "https://example.com/story?outputType=json", "https://example.com/story?outputType=json"},
		{"amp subdomain", "https://amp.example.com/world/story-1", "https://example.com/world/story-1"},
		{"amp subdomain second-level suffix", "https://amp.example.co.uk/a", "https://example.co.uk/a"},
		{"amp public suffix kept", "https://amp.co.uk/a", "https://amp.co.uk/a"},
		{"amp tld kept", "https://amp.com/a", "https://amp.com/a"},
		{"print first segment", "https://example.com/print/world/story-1", "https://example.com/world/story-1"},
		{"print last segment", "https://example.com/world/story-1/print", "https://example.com/world/story-1"},
		{"print middle segment kept", "https://example.com/news/print/story-1", "https://example.com/news/print/story-1"},
		{"print only segment kept", "https://example.com/print/", "https://example.com/print/"},
		{"print=1", "https://example.com/story?print=1", "https://example.com/story"},
		{"print=yes", "https://example.com/story?print=yes&id=2", "https://example.com/story?id=2"},
		{"output=print", "https://example.com/story?output=print", "https://example.com/story"},
		{"view=print", "https://example.com/story?view=print", "https://example.com/story"},
		{"view other kept", "https://example.com/story?view=gallery", "https://example.com/story?view=gallery"},
		{"printable=true", "https://example.com/story?printable=true", "https://example.com/story"},
		// AMP caches serve a publisher's AMP page under their own host
		{"google amp viewer https", "https://www.google.com/amp/s/www.example.com/world/story-1.amp.html", "https://www.example.com/world/story-1.html"},
		{"google amp viewer http", "https://www.google.com/amp/example.com/a", "http://example.com/a"},
		{"google country domain", "https://www.google.co.uk/amp/s/example.co.uk/news/amp/uk-1?utm_source=x&id=3", "https://example.co.uk/news/uk-1?id=3"},
		{"google amp viewer duplicate slashes", "https://www.google.com//amp//s/example.com/a/", "https://example.com/a/"},
		{"google amp without page not unwrapped", "https://www.google.com/amp/s/", "https://www.google.com/s/"},
		{"google non-amp path kept", "https://www.google.com/search?q=amp", "https://www.google.com/search?q=amp"},
		{"lookalike google host kept", "https://google.example.com/amp/s/example.com/a", "https://google.example.com/s/example.com/a"},
		{"ampproject cache", "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/2021/06/harbour/amp/", "https://www.example.com/2021/06/harbour/"},
		{"ampproject viewer path", "https://example-com.cdn.ampproject.org/v/s/example.com/a?amp_js_v=0.1&usqp=mq331AQ", "https://example.com/a?amp_js_v=0.1&usqp=mq331AQ"},
		{"ampproject image kept", "https://example-com.cdn.ampproject.org/i/s/example.com/x.jpg", "https://example-com.cdn.ampproject.org/i/s/example.com/x.jpg"},
		{"bing amp cache", "https://example-com.bing-amp.com/c/s/example.com/a", "https://example.com/a"},
		{"nested caches", "https://www.google.com/amp/s/example-com.cdn.ampproject.org/c/s/example.com/a", "https://example.com/a"},
		{"cache naming a host with userinfo kept", "https://www.google.com/amp/s/user@example.com/a", "https://www.google.com/s/user@example.com/a"},
		{"nested variants", "https://amp.amp.example.com/print/amp/story.amp.amp?amp=1&print=1", "https://example.com/story"},

		// everything at once
		{"all together", "HTTP://User@AMP.Example.COM:80//news/./amp/../world//harbour-reopens.amp.html?utm_source=rss&id=9&b=%7e#top", "http://example.com/news/world/harbour-reopens.html?b=~&id=9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := URL(tt.in)
			if err != nil {
				t.Fatalf("URL(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("URL(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			again, err := URL(got)
			if err != nil || again != got {
				t.Errorf("URL(URL(%q)) = %q, %v; want %q", tt.in, again, err, got)
			}
		})
	}
}

func TestURLErrors(t *testing.T) {
	tests := []struct {
		in       string
		isScheme bool
	}{
		{"", false},
		{"   ", false},
		{"/relative/path", false},
		{"example.com/a", false},
		{"//example.com/a", false},
		{"ftp://example.com/a", true},
		{"mailto:desk@example.com", true},
		{"javascript:alert(1)", true},
		{"file:///etc/passwd", true},
		{"http:example.com", false},
		{"http://", false},
		{"http:///a", false},
		{"http://exa mple.com/", false},
		{"http://example.com:99999/", false},
		{"http://example.com:0/", false},
		{"http://example..com/", false},
		{"http://./", false},
		{"http://example.com/%zz", false},
		{"http://[::1/", false},
		{"http://ex\x00ample.com/", false},
		{"http://" + strings.Repeat("a", maxLen), false},
	}
	for _, tt := range tests {
		got, err := URL(tt.in)
		if err == nil {
			t.Errorf("URL(%q) = %q, want an error", tt.in, got)
			continue
		}
		if errors.Is(err, ErrScheme) != tt.isScheme {
			t.Errorf("URL(%q) error %v: errors.Is(ErrScheme) = %v, want %v", tt.in, err, !tt.isScheme, tt.isScheme)
		}
		if msg := err.Error(); msg == "" || strings.ToLower(msg[:1]) != msg[:1] {
			t.Errorf("URL(%q) error %q should start in lower case", tt.in, msg)
		}
	}
}

func TestIsTrackingParam(t *testing.T) {
	for _, name := range []string{"utm_source", "UTM_MEDIUM", "utm_anything", "fbclid", "gclid", "dclid",
		"msclkid", "mc_cid", "mc_eid", "_ga", "yclid", "igshid", "ref_src", "cmpid", "ocid", "ncid",
		"ito", "smid", "at_medium", "at_campaign", "rss", "CMP", "xtor"} {
		if !IsTrackingParam(name) {
			t.Errorf("IsTrackingParam(%q) = false, want true", name)
		}
	}
	for _, name := range []string{"id", "p", "story", "article", "page", "ref", "source", "q", "s",
		"utm", "utm_", "at", "at_id", "section", "amp", "print", "lang", "v", "storyid"} {
		if IsTrackingParam(name) {
			t.Errorf("IsTrackingParam(%q) = true, want false", name)
		}
	}
}

func TestTrackingParams(t *testing.T) {
	got := TrackingParams()
	for _, want := range []string{"utm_*", "fbclid", "gclid", "mc_cid", "smid"} {
		if !slices.Contains(got, want) {
			t.Errorf("TrackingParams() lacks %q", want)
		}
	}
	if !slices.IsSorted(got) {
		t.Error("TrackingParams() is not sorted")
	}
	got[0] = "changed"
	if TrackingParams()[0] == "changed" {
		t.Error("TrackingParams() returns shared storage")
	}
}

func TestID(t *testing.T) {
	// Fixed forever: these values are stored in archives.
	tests := []struct{ in, want string }{
		{"https://news.example.org/2021/06/03/harbour-reopens.html", "a8baef1120fbdf7b"},
		{"", "e3b0c44298fc1c14"},
	}
	for _, tt := range tests {
		if got := ID(tt.in); got != tt.want {
			t.Errorf("ID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if ID("https://example.com/a") == ID("https://example.com/b") {
		t.Error("different URLs share an id")
	}
}

func BenchmarkURL(b *testing.B) {
	const in = "https://Amp.Example.com/world/2022/02/08/talks-end-without-deal/amp/?utm_source=rss&utm_medium=feed&id=42#top"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := URL(in); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDisplayHost(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"xn--b1amnebsh.xn--p1ai", "новости.рф"},
		{"news.xn--p1ai", "news.рф"},
		{"example.com", "example.com"},
		{"xn--a.example", "xn--a.example"},               // decodes to a control character: as it is
		{"xn--abc-ffff.example", "xn--abc-ffff.example"}, // not a valid label: as it is
		{"xn--ab-g4t.example", "xn--ab-g4t.example"},     // a direction override: as it is
		{"xn--ngbrx4e.example", "عربي.example"},          // right to left, allowed by the bidi rule
		{"127.0.0.1", "127.0.0.1"},
	} {
		if got := DisplayHost(c.in); got != c.want {
			t.Errorf("DisplayHost(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for in, want := range map[string]string{
		"https://www.xn--b1amnebsh.xn--p1ai/2024/a.html": "новости.рф",
		"http://news.example.org:8080/a":                 "news.example.org",
		"%zz":                                            "",
	} {
		if got := DisplaySite(in); got != want {
			t.Errorf("DisplaySite(%q) = %q, want %q", in, got, want)
		}
	}
	// Round trip: what the archive files displays as the host typed.
	u, err := URL("https://Новости.рф/a")
	if err != nil {
		t.Fatal(err)
	}
	if got := DisplayHost(strings.TrimSuffix(strings.TrimPrefix(u, "https://"), "/a")); got != "новости.рф" {
		t.Errorf("round trip: %q", got)
	}
}
