package sitemap

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, name := range []string{"urlset.xml", "index.xml", "news.xml", "list.txt"} {
		f.Add(readFixture(f, name))
	}
	f.Add(gz(f, readFixture(f, "news.xml")))
	for _, s := range []string{
		"", "<", "<urlset>", "<urlset><url><loc>a</loc></url></urlset>", "<sitemapindex><sitemap><loc>/x</loc></sitemap></sitemapindex>",
		"\xef\xbb\xbf<urlset/>", "\xff\xfe<\x00u\x00r\x00l\x00s\x00e\x00t\x00/\x00>\x00", "<?xml version=\"1.0\" encoding=\"koi8-r\"?><urlset/>",
		"<urlset><url><news:news><news:publication><news:name>n</news:name></news:publication></news:news><loc>/a</loc></url></urlset>",
		"https://a.example/\n\n\nhttps://a.example/", "\x1f\x8b", "<!DOCTYPE urlset [<!ENTITY a \"b\">]><urlset>&a;</urlset>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := Options{MaxEntries: 100, MaxBytes: 1 << 20}
		sm, err := opts.Parse(bytes.NewReader(data), "https://www.harbourtimes.example/dir/sitemap.xml")
		if err != nil {
			if sm != nil {
				t.Fatal("sitemap returned with an error")
			}
			if !strings.HasPrefix(err.Error(), "parse sitemap ") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		if n := len(sm.URLs) + len(sm.Sitemaps); n > opts.MaxEntries {
			t.Fatalf("%d entries over a cap of %d", n, opts.MaxEntries)
		}
		if sm.Index && len(sm.URLs) > 0 || !sm.Index && len(sm.Sitemaps) > 0 {
			t.Fatalf("Index=%v with %d URLs and %d sitemaps", sm.Index, len(sm.URLs), len(sm.Sitemaps))
		}
		seen := map[string]bool{}
		check := func(s string) {
			u, err := url.Parse(s)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				t.Fatalf("location %q is not an absolute http(s) URL", s)
			}
		}
		for _, r := range sm.Sitemaps {
			check(r.Loc)
			if seen[r.Loc] {
				t.Fatalf("repeated location %q", r.Loc)
			}
			seen[r.Loc] = true
		}
		for _, u := range sm.URLs {
			check(u.Loc)
			if seen[u.Loc] {
				t.Fatalf("repeated location %q", u.Loc)
			}
			seen[u.Loc] = true
			for _, img := range u.ImageLocs {
				check(img)
			}
			if u.News != nil {
				for _, k := range u.News.Keywords {
					if k == "" || k != strings.TrimSpace(k) {
						t.Fatalf("keyword %q not trimmed", k)
					}
				}
			}
		}
	})
}
