package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/net/html"
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

// FuzzBlankPage: whatever the page, BlankPage returns a copy of its
// length (or ErrNotPage and none) that differs from it only by spaces,
// changed only when it says it blanked links, and never cuts a tag: each
// tag of the copy is one of the page's, at the same offset, the same
// but for spaces in place of bytes (an href's value).
func FuzzBlankPage(f *testing.F) {
	for _, s := range []string{
		"", "<", "<a href=/2026/jane-doe-story>x", `<p>Text <a href="/2026/jane-doe-story">x</a> more</p>`,
		`<ul><li><a href="https://news.example/2026/jane-doe-story"><img src=x><h3>Jane</h3></a> <small>1</small></li></ul>`,
		`<base href="https://news.example/2026/"><a href='jane-doe-story'/>`,
		`<script>"<a href='/2026/jane-doe-story'>"</script><a href="/2026/jane-doe-story"><textarea></a></li>`,
		`<p><a href="/2026/jane-doe-story">x<div>y</p></a>`, `<a href="/2026/jane-doe-story`,
		`<article class="teaser"><h3><a href="/2026/jane-doe-story">J</a></h3><p>S <a href="/2026/jane-doe-story#m">m</a></p><time>1</time></article><li><a href=/x>x</a>`,
		`<ul><li class=story><a href="/2026/jane-doe-story">J</a><li><div class="c-card"><a href=/2026/jane-doe-story>J</a></div></ul>`,
		`<script type="application/ld+json">{"@graph":[{"url":"/2026/jane-doe-story"},{"relatedLink":["/x","/2026/jane-doe-story"],"isBasedOn":"/2026/jane-doe-story"}]}</script>`,
		`<script type=application/ld+json>[{"item":{"@id":"https://news.example/2026/jane-doe-story"}}, 1]</script><script type=application/ld+json>{"mainEntityOfPage":"/2026/jane-doe-story"}`,
		`<script type="application/ld+json"><!-- {"url":"/2026/jane-doe-story"} --></script>`,
		`<meta property=og:url content="/2026/jane-doe-story"><link rel=amphtml href=/2026/jane-doe-story>`,
		`<script id="__NEXT_DATA__" type="application/json">{"props":{"s":[{"url":"/2026/jane-doe-story","t":"J"},{"url":"/x"}],"f":"/2026/jane-doe-story"}}</script><script type=speculationrules>{"prefetch":[{"urls":["/2026/jane-doe-story"]}]}</script><script type=application/json>{"url":"/2026/jane-doe-story",}</script>`,
		`<noscript><ul><li class=story><a href=/2026/jane-doe-story>J</a><noscript><a href=/2026/jane-doe-story>x</noscript></ul></noscript><map><area href=/2026/jane-doe-story></map><iframe src=/2026/jane-doe-story></iframe>`,
		`<meta http-equiv=refresh content="0;url=/2026/jane-doe-story"><img srcset="/a 1x, /2026/jane-doe-story 2x" data-href=/2026/jane-doe-story onclick="location='/2026/jane-doe-story'">`,
		`<script type=application/json>[{"a":1},[2,-1,9],{"t":3,"u":4,"k":5},"J","/2026/jane-doe-story","L",{"k":5,"u":"/2026/jane-doe-story"},""]</script>`,
		`<script type=application/json>{"article":{"title":"Ferry fares rise","body":"The ferry board voted.","url":"/2026/ferry","nextUrl":"/2026/jane-doe-story"}}</script>`,
		`<script type=application/json>[["ShallowReactive",1],{"article":2},{"title":3,"body":4,"url":5,"next":6},"Ferry fares rise","The ferry board voted.","https://news.example/2026/ferry","https://news.example/2026/jane-doe-story"]</script>`,
		`<script type=application/json>["/2026/jane-doe-story","Harbour budget",{"featured":0,"rank":1}]</script><script type=application/json>[["Reactive",1],{"a":2,"b":1},{"url":3,"x":1},"/2026/jane-doe-story"]</script>`,
		`<script type=application/json>{"url":"/2026/jane-doe-story","t":"J","image":"/i/j.jpg","authors":[{"name":"A"}],"rel":[{"url":"/x","t":"X"}]}</script><script type="application/ld+json; charset=utf-8">{"url":"/2026/jane-doe-story"}</script>`,
		`<script type=application/json>[["ShallowReactive",1],{"a":2,"b":3},{"title":4,"url":5},{"title":4,"url":5,"k":6},"J","/2026/jane-doe-story","L",{"url":7}]</script>`,
		`<script type=application/json>[{"title":"J","ampUrl":"/amp/2026/jane-doe-story","section_url":"/local","author":{"url":"/a/b"},"image":"https://cdn.example/x?w=8"},{"href":"/[s]/[slug]","as":"/2026/jane-doe-story"},{"t":"J","link":{"url":"/2026/jane-doe-story"}},{"title":"J","url":"/2026/jane-doe-story","related":[{"title":"H","url":"/x"}]}]</script>`,
		`<div itemprop=articleBody><blockquote>a <a href=/2026/jane-doe-story>b</a> c</blockquote><ul><li>a <a href=/2026/jane-doe-story>b</a><li>x</ul><table><td>w <a href=/2026/jane-doe-story>b</a><td>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		out, n, err := BlankPage(doc, "https://news.example/section/", named)
		if errors.Is(err, ErrNotPage) {
			if out != nil || n != 0 {
				t.Fatal("a copy of what is not a page")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != len(doc) {
			t.Fatalf("copy of %d bytes, doc of %d", len(out), len(doc))
		}
		ld := ldSpans(doc)
		inLD := func(i int) bool {
			for _, s := range ld {
				if s[0] <= i && i < s[1] {
					return true
				}
			}
			return false
		}
		changed := false
		for i := range doc {
			if out[i] != doc[i] {
				changed = true
				if c := out[i]; c != ' ' && (c != '{' && c != '}' || !inLD(i)) {
					t.Fatalf("byte %d changed to %q", i, out[i])
				}
			}
		}
		if changed != (n > 0) {
			t.Fatalf("%d links blanked, changed %v", n, changed)
		}
		// JSON-LD that was JSON still is, where it was (a script in a
		// blanked link or teaser is gone).
		was := map[[2]int]bool{}
		for _, s := range ld {
			was[s] = true
		}
		for _, s := range ldSpans(out) {
			if !was[s] {
				t.Fatalf("JSON-LD at %v in the copy, not in the page", s)
			}
			if json.Valid(doc[s[0]:s[1]]) && !json.Valid(out[s[0]:s[1]]) && len(bytes.TrimSpace(out[s[0]:s[1]])) > 0 {
				t.Fatalf("JSON-LD %q became %q", doc[s[0]:s[1]], out[s[0]:s[1]])
			}
		}
		tags := map[int][]byte{}
		for _, tag := range pageTags(doc) {
			tags[tag.at] = tag.raw
		}
		for _, tag := range pageTags(out) {
			off, raw := tag.at, tag.raw
			was, ok := tags[off]
			if !ok || len(was) != len(raw) {
				t.Fatalf("the copy has a tag %q at %d that the page has not (%q)", raw, off, was)
			}
			for i := range raw {
				if raw[i] != was[i] && raw[i] != ' ' {
					t.Fatalf("the tag %q at %d was %q", raw, off, was)
				}
			}
		}
	})
}

// ldSpans returns the spans of the texts of a page's JSON-LD scripts.
func ldSpans(doc []byte) [][2]int {
	var spans [][2]int
	z := html.NewTokenizer(bytes.NewReader(doc))
	at, ld := 0, false
	for {
		tt := z.Next()
		raw := z.Raw()
		if tt == html.ErrorToken {
			return spans
		}
		if tt == html.TextToken && ld {
			spans = append(spans, [2]int{at, at + len(raw)})
		}
		ld = false
		if tt == html.StartTagToken {
			if name, attrs := z.TagName(); string(name) == "script" && attrs {
				for {
					k, v, more := z.TagAttr()
					if string(k) == "type" && scriptType(string(v)) == "application/ld+json" {
						ld = true
					}
					if !more {
						break
					}
				}
			}
		}
		at += len(raw)
	}
}

// pageTag is a start or end tag of a page, as written, and its offset.
type pageTag struct {
	at  int
	raw []byte
}

// pageTags returns the start and end tags of a page.
func pageTags(doc []byte) []pageTag {
	var tags []pageTag
	z := html.NewTokenizer(bytes.NewReader(doc))
	at := 0
	for {
		tt := z.Next()
		raw := z.Raw()
		if tt == html.ErrorToken {
			return tags
		}
		if tt != html.TextToken && tt != html.CommentToken && tt != html.DoctypeToken {
			tags = append(tags, pageTag{at, bytes.Clone(raw)})
		}
		at += len(raw)
	}
}
