package extract

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func TestMetaKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"og:title", "og:title"},
		{"DC.Title", "dc.title"},
		{"dc:creator", "dc.creator"},
		{"DCTERMS:issued", "dcterms.issued"},
		{"dcterm:modified", "dcterms.modified"},
		{"schema:datePublished", "datepublished"},
		{" Article:Published_Time ", "article:published_time"},
	}
	for _, tt := range tests {
		if got := metaKey(tt.in); got != tt.want {
			t.Errorf("metaKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMetaListAdd(t *testing.T) {
	var m metaList
	m.add("og:title  twitter:title", "A title")
	m.add("description", "  ")
	m.add("article:tag", "one")
	m.add("article:tag", "two, three")
	if v, k := m.first("dc.title", "twitter:title", "og:title"); v != "A title" || k != "twitter:title" {
		t.Errorf("first = %q %q", v, k)
	}
	if v, _ := m.first("description"); v != "" {
		t.Errorf("empty content kept: %q", v)
	}
	tags, srcs := m.tags()
	if !reflect.DeepEqual(tags, []string{"one", "two", "three"}) || srcs[0] != "article:tag" {
		t.Errorf("tags = %q %q", tags, srcs)
	}
}

func TestExpandParsely(t *testing.T) {
	var m metaList
	m.add("parsely-page", `{"title": "T", "pub_date": "2022-05-02T07:30:00Z", "author": ["A B", "C D"], "tags": ["x"]}`)
	m.expandParsely()
	if got := m.all("parsely-author"); !reflect.DeepEqual(got, []string{"A B", "C D"}) {
		t.Errorf("parsely-author = %q", got)
	}
	if v, _ := m.first("parsely-pub-date"); v != "2022-05-02T07:30:00Z" {
		t.Errorf("parsely-pub-date = %q", v)
	}
	var bad metaList
	bad.add("parsely-page", `{not json`)
	bad.expandParsely()
	if len(bad) != 1 {
		t.Errorf("invalid parsely-page added tags: %v", bad)
	}
}

func TestResolveURL(t *testing.T) {
	base := mustURL(t, "https://news.example.com/a/b.html")
	tests := []struct{ ref, want string }{
		{"/img/x.jpg", "https://news.example.com/img/x.jpg"},
		{"x.jpg", "https://news.example.com/a/x.jpg"},
		{"//cdn.example.com/x.jpg", "https://cdn.example.com/x.jpg"},
		{"http://other.example/y", "http://other.example/y"},
		{"javascript:alert(1)", ""},
		{"data:image/png;base64,AAAA", ""},
		{"", ""},
		{"http://[::1", ""},
	}
	for _, tt := range tests {
		if got := resolveURL(base, tt.ref); got != tt.want {
			t.Errorf("resolveURL(%q) = %q, want %q", tt.ref, got, tt.want)
		}
	}
	if got := resolveURL(nil, "/x.jpg"); got != "" {
		t.Errorf("relative URL without a base: %q", got)
	}
}

// TestReadMetadataDeepTree checks that the walk does not recurse: a
// 200,000-deep tree is read without exhausting the stack.
func TestReadMetadataDeepTree(t *testing.T) {
	doc := &html.Node{Type: html.DocumentNode}
	root := &html.Node{Type: html.ElementNode, Data: "html", DataAtom: atom.Html}
	doc.AppendChild(root)
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	root.AppendChild(body)
	n := body
	for i := 0; i < 200000; i++ {
		c := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div,
			Attr: []html.Attribute{{Key: "class", Val: "byline"}, {Key: "itemprop", Val: "author"}, {Key: "itemscope"}}}
		n.AppendChild(c)
		n = c
	}
	n.AppendChild(&html.Node{Type: html.TextNode, Data: "By Jane Doe"})
	md := readMetadata(doc, nil, testNow)
	if md == nil {
		t.Fatal("nil metadata")
	}
}

func TestReadMetadataNoTitleFromSVG(t *testing.T) {
	doc, err := html.Parse(strings.NewReader(`<html><body><svg><title>icon</title></svg><h1>Real headline here</h1></body></html>`))
	if err != nil {
		t.Fatal(err)
	}
	if md := readMetadata(doc, nil, time.Time{}); md.Title != "Real headline here" {
		t.Errorf("title = %q", md.Title)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
