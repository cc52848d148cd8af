package harvest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"hash/fnv"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// The test site: "The Harbour Gazette", a small news site written for these
// tests. Its pages, feed and sitemaps exercise the harvester's rules.

var (
	gazetteSubjects = []string{"The harbour master", "The city council", "A ferry operator", "The fishing cooperative",
		"Local shopkeepers", "The coastguard", "A group of residents", "The port authority", "Engineers",
		"The mayor", "Volunteers", "The school board", "Harbour pilots", "The lifeboat crew"}
	gazetteVerbs = []string{"said on Tuesday that", "confirmed that", "warned that", "announced that",
		"told reporters that", "argued that", "wrote in a letter that", "reported that"}
	gazetteClauses = []string{"the breakwater would be repaired before the winter storms",
		"ticket prices for the island crossing would rise in June", "the old fish market would reopen as a food hall",
		"dredging of the north channel had been delayed by a shortage of barges",
		"the lighthouse keeper's cottage would become a small museum", "the evening ferry would run twice a week",
		"a new pontoon would give room to forty more boats", "tidal flooding had reached the lower car park three times",
		"the bridge toll would be suspended during repairs", "a survey had found seals nesting under the east pier",
		"the town's budget could not cover the cost of a second crane", "the harbour festival would move to September",
		"fuel deliveries to the marina had been rerouted", "the sea wall inspection found cracks near the slipway",
		"a grant from the regional fund would pay for new lighting", "night fishing would be banned inside the harbour"}
	gazetteTails = []string{"Work is expected to take several weeks.", "Residents have been invited to a meeting at the library.",
		"The decision is due to be reviewed next year.", "Critics said the plan came too late.",
		"Details will be published on the council's website.", "Boat owners welcomed the news."}
)

// gazetteText writes an article body of n paragraphs, the same for the same
// seed and different between seeds.
func gazetteText(seed string, n int) []string {
	h := fnv.New64a()
	h.Write([]byte(seed))
	rng := rand.New(rand.NewPCG(h.Sum64(), 7))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	paras := make([]string, n)
	for i := range paras {
		var b strings.Builder
		for range 3 {
			fmt.Fprintf(&b, "%s %s %s. ", pick(gazetteSubjects), pick(gazetteVerbs), pick(gazetteClauses))
		}
		b.WriteString(pick(gazetteTails))
		paras[i] = b.String()
	}
	return paras
}

// gazettePage is the HTML of an article page. canonical is written as
// rel=canonical when set; published as JSON-LD and <time> when set.
func gazettePage(title, canonical string, published time.Time, paras []string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
	fmt.Fprintf(&b, "<title>%s - The Harbour Gazette</title>\n", html.EscapeString(title))
	if canonical != "" {
		fmt.Fprintf(&b, "<link rel=\"canonical\" href=\"%s\">\n", html.EscapeString(canonical))
	}
	if !published.IsZero() {
		fmt.Fprintf(&b, "<meta property=\"article:published_time\" content=\"%s\">\n", published.Format(time.RFC3339))
	}
	b.WriteString("<meta property=\"og:site_name\" content=\"The Harbour Gazette\">\n")
	b.WriteString("</head><body>\n<header><nav><a href=\"/\">Home</a> <a href=\"/section/port/\">Port</a> <a href=\"/section/town/\">Town</a></nav></header>\n")
	fmt.Fprintf(&b, "<main><article><h1>%s</h1>\n<p class=\"byline\">By Mara Quill</p>\n", html.EscapeString(title))
	if !published.IsZero() {
		fmt.Fprintf(&b, "<time datetime=\"%s\">%s</time>\n", published.Format(time.RFC3339), published.Format("2 January 2006"))
	}
	for _, p := range paras {
		fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(p))
	}
	b.WriteString("</article></main>\n<footer><p>The Harbour Gazette, Quay Street. All rights reserved.</p></footer>\n</body></html>\n")
	return b.String()
}

// gazetteListing is a section or home page: a list of links, no article.
// The home page ("Home") announces the feed.
func gazetteListing(title string, links []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s - The Harbour Gazette</title>", html.EscapeString(title))
	if title == "Home" {
		b.WriteString("<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Gazette\" href=\"/feed.xml\">")
	}
	b.WriteString("</head><body>\n")
	fmt.Fprintf(&b, "<header><nav><a href=\"/\">Home</a></nav></header><main><h1>%s</h1><ul>\n", html.EscapeString(title))
	for _, l := range links {
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a></li>\n", html.EscapeString(l), html.EscapeString(l))
	}
	b.WriteString("</ul></main><footer>The Harbour Gazette</footer></body></html>\n")
	return b.String()
}

// request is one request the test server saw.
type request struct {
	path       string
	start, end time.Time
	ua         string
}

// testSite is an httptest server with request accounting: per-path hits,
// request times and the most requests ever in flight at once.
type testSite struct {
	t   testing.TB
	srv *httptest.Server
	mux *http.ServeMux

	mu          sync.Mutex
	reqs        []request
	inflight    int
	maxInflight int
	hits        map[string]int
}

func newTestSite(t *testing.T) *testSite { return newTestSiteTB(t) }

// newTestSiteTB is newTestSite for a test or a benchmark.
func newTestSiteTB(t testing.TB) *testSite {
	ts := &testSite{t: t, mux: http.NewServeMux(), hits: map[string]int{}}
	ts.srv = httptest.NewServer(http.HandlerFunc(ts.serve))
	t.Cleanup(ts.srv.Close)
	return ts
}

func (ts *testSite) serve(w http.ResponseWriter, r *http.Request) {
	ts.mu.Lock()
	ts.inflight++
	ts.maxInflight = max(ts.maxInflight, ts.inflight)
	ts.hits[r.URL.Path]++
	i := len(ts.reqs)
	ts.reqs = append(ts.reqs, request{path: r.URL.RequestURI(), start: time.Now(), ua: r.UserAgent()})
	ts.mu.Unlock()
	ts.mux.ServeHTTP(w, r)
	ts.mu.Lock()
	ts.inflight--
	ts.reqs[i].end = time.Now()
	ts.mu.Unlock()
}

func (ts *testSite) url(path string) string { return ts.srv.URL + path }

func (ts *testSite) hit(path string) int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.hits[path]
}

func (ts *testSite) requests() []request {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]request(nil), ts.reqs...)
}

func (ts *testSite) html(path, body string) {
	ts.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	})
}

// gazetteArticle is one article of the fixture site.
type gazetteArticle struct {
	path      string
	title     string
	published time.Time
	// noDate leaves the date out of the page (the feed has it).
	noDate bool
}

var gazetteDay = time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)

// gazette builds the full fixture site:
//
//	/robots.txt         disallows /private/, Crawl-delay, Sitemap line
//	/feed.xml           RSS: articles (one with a tracking parameter), a
//	                    disallowed URL, a 404, a 500-then-OK, a 429 with
//	                    Retry-After, a redirect chain, a PDF, a page in
//	                    windows-1251 declared only in <meta>, an undated page
//	/sitemap_index.xml  → /sitemaps/news.xml.gz (gzip, Google News)
//	                    listing more articles, an AMP variant and a
//	                    syndicated near-copy
func gazette(t *testing.T, crawlDelay string) (*testSite, []gazetteArticle) {
	ts := newTestSite(t)
	var arts []gazetteArticle
	for i, slug := range []string{"harbour-reopens", "ferry-fares-rise", "fish-market-food-hall", "channel-dredging-delayed",
		"lighthouse-museum", "new-pontoon", "seals-under-pier", "festival-moves"} {
		day := gazetteDay.Add(-time.Duration(i) * 24 * time.Hour)
		arts = append(arts, gazetteArticle{
			path:      fmt.Sprintf("/news/%s/%s.html", day.Format("2006/01/02"), slug),
			title:     strings.ToUpper(slug[:1]) + strings.ReplaceAll(slug[1:], "-", " "),
			published: day,
		})
	}
	arts[7].noDate = true // its date comes from the feed
	for _, a := range arts {
		pub := a.published
		if a.noDate {
			pub = time.Time{}
		}
		ts.html(a.path, gazettePage(a.title, "", pub, gazetteText(a.path, 6)))
	}
	// AMP variant of article 5, pointing at the article as canonical.
	ts.html("/amp"+arts[5].path, gazettePage(arts[5].title, ts.url(arts[5].path), arts[5].published, gazetteText(arts[5].path, 6)))
	// A syndicated copy of article 0 on another path, lightly edited.
	synd := gazetteText(arts[0].path, 6)
	synd[5] = "This article first appeared in The Harbour Gazette."
	ts.html("/wire/harbour-reopens-copy.html", gazettePage(arts[0].title, "", arts[0].published, synd))

	// 500 then OK.
	var flaky sync.Mutex
	flakyN := 0
	ts.mux.HandleFunc("/news/flaky.html", func(w http.ResponseWriter, r *http.Request) {
		flaky.Lock()
		flakyN++
		n := flakyN
		flaky.Unlock()
		if n == 1 {
			http.Error(w, "oops", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, gazettePage("Crane breaks down", "", gazetteDay, gazetteText("flaky", 5)))
	})
	// 429 with Retry-After, then OK.
	busyN := 0
	ts.mux.HandleFunc("/news/busy.html", func(w http.ResponseWriter, r *http.Request) {
		flaky.Lock()
		busyN++
		n := busyN
		flaky.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, gazettePage("Marina fuel rerouted", "", gazetteDay, gazetteText("busy", 5)))
	})
	// A redirect chain to an article.
	ts.mux.HandleFunc("/old/1", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/old/2", http.StatusMovedPermanently)
	})
	ts.mux.HandleFunc("/old/2", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/news/moved.html", http.StatusFound)
	})
	ts.html("/news/moved.html", gazettePage("Bridge toll suspended", "", gazetteDay, gazetteText("moved", 5)))
	// A PDF.
	ts.mux.HandleFunc("/files/report.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		io.WriteString(w, "%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n")
	})
	// windows-1251, declared only in a meta tag.
	ts.mux.HandleFunc("/news/port-otkrylsya-posle-remonta.html", func(w http.ResponseWriter, r *http.Request) {
		page := `<!DOCTYPE html><html lang="ru"><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">
<title>Порт открылся после ремонта</title></head><body><article><h1>Порт открылся после ремонта</h1>
<p>Городской порт вновь открылся в четверг после трёх недель ремонтных работ на волноломе.</p>
<p>Представители администрации сообщили, что волнолом восстановлен и теперь выдержит более сильные штормы.</p>
<p>Паромное сообщение с островом возобновится в понедельник по обычному расписанию.</p>
<p>Рыбаки говорят, что ждали этого дня с нетерпением и готовы выйти в море.</p></article></body></html>`
		enc, err := charmap.Windows1251.NewEncoder().String(page)
		if err != nil {
			t.Errorf("encode windows-1251: %v", err)
		}
		w.Header().Set("Content-Type", "text/html") // no charset here
		fmt.Fprint(w, enc)
	})
	ts.html("/private/secret.html", gazettePage("Secret", "", gazetteDay, gazetteText("secret", 5)))

	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "User-agent: *\nDisallow: /private/\nCrawl-delay: %s\nSitemap: %s\n", crawlDelay, ts.url("/sitemap_index.xml"))
	})

	// The feed: RSS 2.0.
	type item struct{ link, title, date string }
	items := []item{
		{arts[0].path + "?utm_source=rss&utm_medium=feed", "", ""},
		{arts[1].path, "", ""},
		{arts[2].path, "", ""},
		{arts[7].path, "", arts[7].published.Format(time.RFC1123Z)},
		{"/private/secret.html", "", ""},
		{"/news/missing.html", "", ""},
		{"/news/flaky.html", "", ""},
		{"/news/busy.html", "", ""},
		{"/old/1", "", ""},
		{"/files/report.pdf", "", ""},
		{"/news/port-otkrylsya-posle-remonta.html", "", ""},
	}
	var feed strings.Builder
	feed.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>The Harbour Gazette</title>`)
	fmt.Fprintf(&feed, "<link>%s/</link><description>News from the harbour</description>\n", ts.srv.URL)
	for _, it := range items {
		title := it.title
		if title == "" {
			title = "Item " + it.link
		}
		fmt.Fprintf(&feed, "<item><title>%s</title><link>%s</link>", html.EscapeString(title), html.EscapeString(ts.url(it.link)))
		if it.date != "" {
			fmt.Fprintf(&feed, "<pubDate>%s</pubDate>", it.date)
		}
		feed.WriteString("</item>\n")
	}
	feed.WriteString("</channel></rss>\n")
	feedBody := feed.String()
	ts.mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"feed-1"`)
		if r.Header.Get("If-None-Match") == `"feed-1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, feedBody)
	})

	// Sitemap index → gzip news sitemap.
	ts.mux.HandleFunc("/sitemap_index.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>%s</loc><lastmod>2026-05-04T10:00:00Z</lastmod></sitemap>
</sitemapindex>`, ts.url("/sitemaps/news.xml.gz"))
	})
	var sm strings.Builder
	sm.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">`)
	smEntry := func(path, title string, pub time.Time) {
		fmt.Fprintf(&sm, "<url><loc>%s</loc><lastmod>%s</lastmod><news:news><news:publication><news:name>The Harbour Gazette</news:name><news:language>en</news:language></news:publication><news:publication_date>%s</news:publication_date><news:title>%s</news:title></news:news></url>\n",
			html.EscapeString(ts.url(path)), pub.Format(time.RFC3339), pub.Format(time.RFC3339), html.EscapeString(title))
	}
	for _, a := range arts[:7] { // 0-2 also in the feed: seen
		smEntry(a.path, a.title, a.published)
	}
	smEntry("/amp"+arts[5].path, arts[5].title, arts[5].published)
	smEntry("/wire/harbour-reopens-copy.html", arts[0].title, arts[0].published)
	sm.WriteString("</urlset>\n")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(sm.String()))
	zw.Close()
	ts.mux.HandleFunc("/sitemaps/news.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-gzip")
		w.Write(gz.Bytes())
	})

	// Home and sections for site crawls.
	ts.html("/{$}", gazetteListing("Home", []string{"/section/port/", "/section/town/", arts[0].path, "/private/secret.html"}))
	ts.html("/section/port/", gazetteListing("Port", []string{arts[1].path, arts[2].path, arts[3].path, "https://elsewhere.example/story.html"}))
	ts.html("/section/town/", gazetteListing("Town", []string{arts[4].path, arts[5].path, arts[6].path}))
	return ts, arts
}
