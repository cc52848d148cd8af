package redact

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/store/storetest"
)

// benchPages are n section fronts of about 40 KB, gzip-coded as a server
// sends them: a navigation bar, JSON-LD, 60 teaser cards, one of them the
// page named.
func benchPages(n int) [][]byte {
	pages := make([][]byte, n)
	for i := range pages {
		var b strings.Builder
		fmt.Fprintf(&b, `<!DOCTYPE html><html><head><title>Section %d</title><meta property="og:url" content="https://news.example/section/%d"><link rel="next" href="/section/%d?page=2">`, i, i, i)
		b.WriteString(`<script type="application/ld+json">{"@context":"https://schema.org","@type":"ItemList","itemListElement":[`)
		for k := range 20 {
			if k > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"@type":"ListItem","position":%d,"url":"https://news.example/2026/story-%d-%d"}`, k+1, i, k)
		}
		b.WriteString(`]}</script></head><body><nav><ul>`)
		for k := range 30 {
			fmt.Fprintf(&b, `<li><a href="/section/%d">Section %d</a></li>`, k, k)
		}
		b.WriteString(`</ul></nav><main>`)
		for k := range 60 {
			href := fmt.Sprintf("/2026/story-%d-%d", i, k)
			if k == 17 {
				href = "/2026/jane-doe-story"
			}
			fmt.Fprintf(&b, `<div class="story-card"><a href="%s"><img src="/img/%d-%d.jpg" alt="A picture for the story"></a><span class="kicker">Local</span><h3><a href="%s">Headline number %d of the section front</a></h3><p class="standfirst">A standfirst of a sentence or two, telling what the story is about and why it matters.</p><time>1 Dec</time></div>`+"\n", href, i, k, href, k)
		}
		b.WriteString(`</main><footer><p>The Town Herald</p></footer></body></html>`)
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write([]byte(b.String()))
		zw.Close()
		pages[i] = gz.Bytes()
	}
	return pages
}

// mentionsJane is a takedown scan's needle test for named's URL.
func mentionsJane(text []byte) bool { return bytes.Contains(text, []byte("jane-doe-story")) }

// BenchmarkBlankPage decodes and redacts 2,000 gzip-coded section fronts,
// as a takedown's scan does with the pages that name the URL (with its
// needle test: scripts that do not hold it are not parsed); cpu-s/op
// is the process's CPU time (a shared machine's wall clock is not a
// measure).
func BenchmarkBlankPage(b *testing.B) {
	pages := benchPages(2000)
	size := 0
	cpu := storetest.CPUTime()
	for b.Loop() {
		for _, p := range pages {
			zr, err := gzip.NewReader(bytes.NewReader(p))
			if err != nil {
				b.Fatal(err)
			}
			doc, err := io.ReadAll(zr)
			if err != nil {
				b.Fatal(err)
			}
			size += len(doc)
			if _, n, err := BlankPageMentioning(doc, "https://news.example/section/", named, mentionsJane); err != nil || n == 0 {
				b.Fatal(n, err)
			}
		}
	}
	b.ReportMetric((storetest.CPUTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(size)/float64(b.N)/1e6, "MB/op")
}

// BenchmarkBlankPageData redacts a page of about 1.2 MB, most of it a
// __NEXT_DATA__ script listing 6,000 other stories, that links to the
// URL once in its markup: with every script parsed (BlankPage), and
// with the takedown's needle test (BlankPageMentioning), which passes
// the script over.
func BenchmarkBlankPageData(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<!DOCTYPE html><html><head><script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"stories":[`)
	for k := range 6000 {
		if k > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"id":%d,"title":"Headline number %d","teaser":"A standfirst of a sentence or two, telling what it is about.","url":"/2026/story-%d","image":{"src":"https://cdn.example/%d.jpg"}}`, k, k, k, k)
	}
	sb.WriteString(`]}}}</script></head><body><ul><li><a href="/2026/jane-doe-story">Jane Doe</a></li></ul></body></html>`)
	doc := []byte(sb.String())
	for _, c := range []struct {
		name      string
		mentioned func([]byte) bool
	}{{"all-scripts", nil}, {"needle", mentionsJane}} {
		b.Run(c.name, func(b *testing.B) {
			cpu := storetest.CPUTime()
			for b.Loop() {
				if _, n, err := BlankPageMentioning(doc, "https://news.example/section/", named, c.mentioned); err != nil || n != 1 {
					b.Fatal(n, err)
				}
			}
			b.ReportMetric((storetest.CPUTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(len(doc))/1e6, "MB/op")
		})
	}
}
