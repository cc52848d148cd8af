package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/warc"
)

// takedownSite serves a feed of three articles whose pages name one
// another as news sites do: the harbour page (sent gzip-coded) with a
// "more news" block of teaser cards, JSON-LD (its own NewsArticle with
// relatedLink and mentions, an ItemList of more news), og:see_also and
// link rel=next; the ferry page with an article body citing the jane
// page in a blockquote and a list item, and a related list.
func takedownSite(t *testing.T) string {
	t.Helper()
	para := func(topic string) string {
		var b strings.Builder
		for i := range 6 {
			fmt.Fprintf(&b, "<p>Paragraph %d about the %s: the council met on Tuesday evening and heard from residents, officials and the port authority about what comes next for the town.</p>\n", i+1, topic)
		}
		return b.String()
	}
	var srv *httptest.Server
	page := func(path, title, head, body string) string {
		return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>` + title + `</title>
<link rel="canonical" href="` + srv.URL + path + `">` + head + `</head><body><header><a href="/">The Town Herald</a></header>
<main><article><h1>` + title + `</h1><p class="byline">By A. Reporter, 1 December 2026</p>` + body + `</article></main></body></html>`
	}
	janeTitle := "Jane Doe speaks about her debts"
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Town</title><link>%[1]s/</link>
<item><title>%[2]s</title><link>%[1]s/2026/jane-doe-story</link><pubDate>Tue, 01 Dec 2026 08:00:00 GMT</pubDate></item>
<item><title>Harbour budget approved</title><link>%[1]s/2026/harbour</link><pubDate>Tue, 01 Dec 2026 09:00:00 GMT</pubDate></item>
<item><title>Ferry terminal widened</title><link>%[1]s/2026/ferry</link><pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate></item>
</channel></rss>`, srv.URL, janeTitle)
	})
	mux.HandleFunc("/2026/jane-doe-story", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page("/2026/jane-doe-story", janeTitle, "", "<p>Jane Doe told the council about her debts.</p>"+para("debts"))))
	})
	mux.HandleFunc("/2026/harbour", func(w http.ResponseWriter, r *http.Request) {
		head := `
<meta property="og:see_also" content="` + srv.URL + `/2026/jane-doe-story">
<link rel="next" href="/2026/jane-doe-story">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Harbour budget approved","url":"` + srv.URL + `/2026/harbour",
 "relatedLink":["` + srv.URL + `/2026/ferry","` + srv.URL + `/2026/jane-doe-story"],
 "mentions":[{"@type":"NewsArticle","url":"` + srv.URL + `/2026/jane-doe-story","headline":"` + janeTitle + `"}]}</script>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"ItemList","itemListElement":[
 {"@type":"ListItem","position":1,"url":"` + srv.URL + `/2026/jane-doe-story","name":"` + janeTitle + `"},
 {"@type":"ListItem","position":2,"url":"` + srv.URL + `/2026/ferry","name":"Ferry terminal widened"}]}</script>`
		body := para("harbour budget") + `<section class="more-news"><h2>More news</h2>
<div class="story-card"><a href="/2026/jane-doe-story"><img src="/img/jane-doe.jpg" alt="Jane Doe at the council"></a><span class="kicker">Town</span><h3><a href="/2026/jane-doe-story">` + janeTitle + `</a></h3><p class="standfirst">A resident tells the council what she owes.</p></div>
<div class="story-card"><a href="/2026/ferry"><img src="/img/ferry.jpg" alt="The ferry"></a><span class="kicker">Town</span><h3><a href="/2026/ferry">Ferry terminal widened</a></h3><p class="standfirst">The terminal is wider.</p></div>
</section>`
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write([]byte(page("/2026/harbour", "Harbour budget approved", head, body)))
		zw.Close()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gz.Bytes())
	})
	mux.HandleFunc("/2026/ferry", func(w http.ResponseWriter, r *http.Request) {
		body := `<div itemprop="articleBody">` + para("ferry terminal") + `
<blockquote>As the mayor <a href="/2026/jane-doe-story">told a resident last week</a>, the town pays its debts.</blockquote>
<ul><li>Last week <a href="/2026/jane-doe-story">a resident spoke</a> to the council about the terminal.</li></ul></div>
<aside><h2>Related</h2><ul class="related"><li><a href="/2026/jane-doe-story">` + janeTitle + `</a> <time>1 Dec</time></li><li><a href="/2026/harbour">Harbour budget approved</a> <time>1 Dec</time></li></ul></aside>`
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page("/2026/ferry", "Ferry terminal widened", "", body)))
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// herald delete --erase-captures on a harvest of takedownSite: in the
// other articles' captures, the jane page's teaser card goes whole (its
// image, kicker and standfirst with its headline), so do its related
// list item, its JSON-LD entries (the JSON still parses), the
// og:see_also and link rel=next naming it; the ferry article's own words
// citing it (a blockquote, a list item of its body) stay, leading
// nowhere; every other byte stays, each record at its offset, in its
// coding, with true digests, and herald check --fixity finds the archive
// sound.
func TestDeleteRedactsPageMentionsCommand(t *testing.T) {
	site := takedownSite(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	harvestJSON(t, db, site+"/feed.xml")
	files, _ := filepath.Glob(db + ".warc/*.warc.gz")
	if len(files) != 1 {
		t.Fatalf("warc files %v", files)
	}
	pages := func() map[string]*warc.Record {
		return responsesOf(t, files[0], func(u string) bool { return u == site+"/2026/harbour" || u == site+"/2026/ferry" })
	}
	before := pages()
	if len(before) != 2 {
		t.Fatalf("the harvest's page captures: %v", before)
	}
	out, stderr, code := herald(t, "", "--db", db, "delete", "--url", site+"/2026/jane-doe-story", "--yes", "--erase-captures")
	// The feed (1 item), the harbour page (2 card links, the meta, the
	// link, 3 JSON-LD entries) and the ferry page (3 links): 11.
	if code != 0 || !strings.Contains(out, "; feeds, sitemaps and pages naming them: 3 captures redacted (11 entries and links blanked)\n") || strings.Contains(out, "erased whole") {
		t.Fatalf("delete: exit %d\n%s%s", code, out, stderr)
	}
	after := pages()
	for u, rec := range after {
		old := before[u]
		if rec.RecordID != old.RecordID || rec.Offset != old.Offset || rec.PayloadErr != nil || len(rec.Payload) != len(old.Payload) ||
			rec.HTTPHeader.Get("Content-Encoding") != old.HTTPHeader.Get("Content-Encoding") {
			t.Errorf("%s: record %s at %d, %d bytes (%v, %q), was %s at %d, %d bytes", u, rec.RecordID, rec.Offset, len(rec.Payload), rec.PayloadErr,
				rec.HTTPHeader.Get("Content-Encoding"), old.RecordID, old.Offset, len(old.Payload))
		}
		p := string(rec.Payload)
		for _, g := range []string{"jane-doe-story", "Jane Doe", "what she owes", "jane-doe.jpg"} {
			if strings.Contains(p, g) {
				t.Errorf("%s still holds %q:\n%s", u, g, p)
			}
		}
		for i := range p {
			if p[i] != old.Payload[i] && p[i] != ' ' {
				t.Fatalf("%s: byte %d is %q", u, i, p[i])
			}
		}
	}
	harbour, ferry := string(after[site+"/2026/harbour"].Payload), string(after[site+"/2026/ferry"].Payload)
	if after[site+"/2026/harbour"].HTTPHeader.Get("Content-Encoding") != "gzip" {
		t.Error("the harbour page's capture is not gzip-coded")
	}
	for _, k := range []string{"A resident tells", `<div class="story-card"><a href="/2026/jane`} {
		if strings.Contains(harbour, k) {
			t.Errorf("the harbour page's teaser card is still there (%q)", k)
		}
	}
	for _, k := range []string{`<div class="story-card"><a href="/2026/ferry">`, "The terminal is wider.", `<h2>More news</h2>`, `"relatedLink":["` + site + `/2026/ferry"`} {
		if !strings.Contains(harbour, k) {
			t.Errorf("the harbour page lost %q", k)
		}
	}
	scripts := 0
	for _, s := range strings.Split(harbour, `<script type="application/ld+json">`)[1:] {
		s, _, _ = strings.Cut(s, "</script>")
		var v map[string]any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Errorf("JSON-LD no longer parses: %v\n%s", err, s)
		}
		scripts++
	}
	if scripts != 2 {
		t.Errorf("%d JSON-LD scripts left", scripts)
	}
	for _, k := range []string{"told a resident last week</a>, the town pays its debts.</blockquote>", "a resident spoke</a> to the council about the terminal.</li>",
		`<li><a href="/2026/harbour">Harbour budget approved</a> <time>1 Dec</time></li>`} {
		if !strings.Contains(ferry, k) {
			t.Errorf("the ferry page lost %q:\n%s", k, ferry)
		}
	}
	if strings.Count(ferry, "<time>1 Dec</time>") != 1 {
		t.Errorf("the related list item was not blanked whole:\n%s", ferry)
	}
	out, stderr, code = herald(t, "", "--db", db, "check", "--fixity")
	if code != 0 || !strings.Contains(out, "captures         sound") {
		t.Errorf("check --fixity: exit %d\n%s%s", code, out, stderr)
	}
}
