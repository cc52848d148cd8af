package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// checkSafeHTML parses a page and fails on anything that could run: a
// script element, an event handler attribute, or a link, image or form
// target that is neither on this site nor plain http(s).
func checkSafeHTML(t *testing.T, page, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: parse: %v", page, err)
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.Data == "script" || n.Data == "iframe" || n.Data == "object" || n.Data == "embed" {
				t.Errorf("%s: <%s> element in the page", page, n.Data)
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				if strings.HasPrefix(key, "on") {
					t.Errorf("%s: event handler attribute %s=%q on <%s>", page, a.Key, a.Val, n.Data)
				}
				if key == "style" {
					t.Errorf("%s: inline style on <%s>", page, n.Data)
				}
				if key == "href" || key == "src" || key == "action" || key == "xlink:href" {
					if !safeLink(a.Val) {
						t.Errorf("%s: unsafe %s=%q on <%s>", page, a.Key, a.Val, n.Data)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return doc
}

func safeLink(v string) bool {
	if strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") || strings.HasPrefix(v, "#") {
		return true
	}
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// textOf returns the text content of the first element with id.
func textOf(n *html.Node, id string) (string, bool) {
	if n.Type == html.ElementNode {
		for _, a := range n.Attr {
			if a.Key == "id" && a.Val == id {
				var b strings.Builder
				var collect func(*html.Node)
				collect = func(n *html.Node) {
					if n.Type == html.TextNode {
						b.WriteString(n.Data)
					}
					for c := n.FirstChild; c != nil; c = c.NextSibling {
						collect(c)
					}
				}
				collect(n)
				return b.String(), true
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if s, ok := textOf(c, id); ok {
			return s, true
		}
	}
	return "", false
}

func TestPagesRenderSafely(t *testing.T) {
	f := sharedArchive(t)
	h := testServer(f, Options{AdminToken: "page-test-token-123456"})
	for _, tc := range []struct {
		target string
		status int
		want   []string
	}{
		{"/", 200, []string{"The archive holds", "Filters and options"}},
		{"/?q=harbour", 200, []string{"<mark>harbour</mark>", xssEscaped(xssScript), xssEscaped(xssImg)}},
		{"/?q=breakwater", 200, []string{"1 more copy elsewhere", "Attention over time", `href="/api/export?collapse=true&amp;q=breakwater&amp;format=jsonl"`}},
		{"/?q=breakwater&dups=show", 200, []string{`href="/api/export?q=breakwater&amp;format=csv"`}},
		{"/?q=breakwater&dups=show", 200, []string{"2 articles"}},
		{"/?q=harbour&site=evil.example&sort=oldest", 200, []string{"oldest first"}},
		{"/?q=%22harbour", 400, []string{"That query could not be read", "unterminated quote at column 1"}},
		{"/?after=2021-99-01", 400, []string{"after: 2021-99-01 is not a date (month out of range)"}},
		{"/?after=June", 400, []string{"after: wants YYYY-MM-DD, got June"}},
		{"/?page=0", 400, []string{"400"}},
		{"/?q=the&page=3", 200, []string{"Previous page", "Next page", `aria-current="page">3<`}},
		{"/timeline", 200, []string{"attention-chart", "Top sites", "Top tags", "Top authors", "Top languages", "Top sections", `href="/?q=lang%3Aen&amp;dups=show"`,
			"Republished from", `href="/?q=original%3Anews.example.com&amp;dups=show"`}},
		{"/timeline?q=harbour&split=site&by=day", 200, []string{"attention-chart", "evil.example"}},
		{"/timeline?q=zzzznothing", 200, []string{"nothing to chart"}},
		{"/timeline?q=(", 400, []string{"could not be read"}},
		{"/timeline?by=year", 400, []string{"400"}},
		{"/timeline?q=harbour&compare=breakwater&share=true&by=month", 200, []string{"<polyline", "2 queries compared as shares", `value="breakwater"`, `name="share" value="true" checked`}},
		{"/timeline?q=breakwater", 200, []string{"Most copied stories", "2 articles on 2 sites, first on", `href="/api/stories?format=csv&amp;n=100&amp;q=breakwater"`}},
		{"/timeline?q=harbour&share=true", 200, []string{"<polyline", "as a share of all archived articles", `href="/api/timeline?by=`, "format=csv", "share=true"}},
		{"/timeline?q=harbour+site:evil.example&share=true", 200, []string{"<polyline", "as a share of the archived articles matching site:evil.example"}},
		{"/timeline?q=harbour&compare=harbour+site:evil.example&share=true", 200, []string{"2 queries compared as shares of the archived articles each query&#39;s filters select"}},
		// A right-to-left query's name in the legend is isolated from the
		// count after it, which was drawn on its wrong side.
		{"/timeline?q=harbour&compare=%D9%85%D9%8A%D9%86%D8%A7%D8%A1", 200, []string{`dir="auto">ميناء</a> <span class="n">`}},
		{"/timeline?q=harbour&compare=%22x", 400, []string{"could not be read", "in the query compared, unterminated quote", `value="&#34;x"`}},
		{"/timeline?q=harbour&compare=x&split=site", 400, []string{"cannot also be split by site"}},
		{"/timeline?compare=x", 400, []string{"an empty query in a comparison"}},
		{"/timeline?q=a&share=maybe", 400, []string{"400"}},
		{"/timeline?q=breakwater&collapse=true", 200, []string{"1 story, all in", `name="collapse" value="true" checked`, "collapse=true"}},
		{"/timeline?q=breakwater", 200, []string{"2 articles, counted per"}},
		{"/articles/" + f.harbour, 200, []string{"ferry service", "Raw capture", "Version 1", "Syndicator", "Jane Doe", `lang="en"`,
			"<h2>Republished by</h2>", `<a href="/articles/` + f.copy + `" dir="auto">`}},
		{"/articles/" + f.harbour + "?v=1", 200, []string{"This is version 1 of 2", "Read the current version"}},
		{"/articles/" + f.harbour + "?v=7", 404, []string{"Nothing is archived"}},
		{"/?q=original%3Anews.example.com", 200, []string{"1–1 of 1 story,", "Syndicator"}},
		{"/articles/" + f.copy, 200, []string{"<dt>Republishes</dt>", `<a href="/articles/` + f.harbour + `">Harbour reopens after storm repairs</a>, archived;`,
			`href="https://news.example.com/2021/06/03/harbour-reopens"`, `href="/?q=original%3Anews.example.com">every copy of news.example.com</a>`}},
		{"/articles/" + f.scriptID, 200, []string{xssEscaped(xssScript), "A second paragraph with &lt;b&gt;markup&lt;/b&gt; in it."}},
		{"/articles/" + f.imgID, 200, []string{xssEscaped(xssImg)}},
		{"/articles/nope", 404, []string{"Nothing is archived"}},
		{"/sources", 200, []string{"news.example.com/feed.xml", "failing", "Sign in", "Recent fetches", "javascript:alert(8)"}},
		{"/no/such/page", 404, []string{"There is no page at this address."}},
	} {
		t.Run(tc.target, func(t *testing.T) {
			res, body := do(t, h, "GET", tc.target, nil)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tc.status, clip(body))
			}
			if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			checkSafeHTML(t, tc.target, body)
		})
	}
}

// xssEscaped is s as html/template writes it in text.
func xssEscaped(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}

// TestHostileTitleIsText checks that the title reads back, as text, as it
// was stored.
func TestHostileTitleIsText(t *testing.T) {
	f := sharedArchive(t)
	h := testServer(f, Options{})
	for id, title := range map[string]string{f.scriptID: xssScript, f.imgID: xssImg} {
		_, body := do(t, h, "GET", "/articles/"+id, nil)
		doc := checkSafeHTML(t, id, body)
		if got, _ := textOf(doc, "article-title"); got != title {
			t.Errorf("title text %q, want %q", got, title)
		}
	}
}

func TestHTTPURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.com/a?b=c":   "https://example.com/a?b=c",
		"http://example.com":          "http://example.com",
		"javascript:alert(1)":         "",
		"JavaScript:alert(1)":         "",
		" javascript:alert(1)":        "",
		"data:text/html,<script>":     "",
		"//evil.example/x":            "",
		"/relative":                   "",
		"https:///nohost":             "",
		"vbscript:msgbox":             "",
		"https://example.com/\"><img": "https://example.com/%22%3E%3Cimg",
	} {
		if got := httpURL(in); got != want {
			t.Errorf("httpURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAdminForms walks the sources page admin flow: sign in, add, pause,
// resume, remove, sign out; and the refusals around it.
func TestAdminForms(t *testing.T) {
	f := newArchive(t)
	const token = "form-test-token-0123456789"
	h := testServer(f, Options{AdminToken: token, AllowPrivate: true})
	var cookie *http.Cookie
	post := func(target string, form url.Values, header ...string) *http.Response {
		t.Helper()
		req := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://example.com") // httptest's Host
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}

	// Not signed in: no admin forms, and posting is refused.
	_, body := do(t, h, "GET", "/sources", nil)
	if strings.Contains(body, `name="csrf"`) || !strings.Contains(body, "Admin token") {
		t.Error("signed-out sources page shows admin forms or no sign-in")
	}
	if res := post("/sources", url.Values{"url": {"http://127.0.0.1/feed"}}); res.StatusCode != 401 {
		t.Errorf("add while signed out: %d", res.StatusCode)
	}
	if res := post("/login", url.Values{"token": {"wrong"}}); res.StatusCode != 401 {
		t.Errorf("wrong token: %d", res.StatusCode)
	}
	if res := post("/login", url.Values{"token": {token}}, "Origin", "https://evil.example"); res.StatusCode != 403 {
		t.Errorf("cross-site sign-in: %d", res.StatusCode)
	}
	res := post("/login", url.Values{"token": {token}})
	if res.StatusCode != 303 {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || strings.Contains(cookie.Value, token) {
		t.Fatalf("session cookie %+v", cookie)
	}

	req := httptest.NewRequest("GET", "/sources?done=signed-in", nil)
	req.AddCookie(cookie)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body = rec.Body.String()
	if !strings.Contains(body, `name="csrf"`) || !strings.Contains(body, "Signed in") || strings.Contains(body, token) {
		t.Fatal("signed-in page lacks the admin forms, or shows the token")
	}
	checkSafeHTML(t, "signed-in sources", body)
	csrf := h.csrfFor(cookie.Value)

	// A forged or expired session is no session.
	for _, forged := range []string{"9999999999.deadbeef", h.newSession(time.Now().Add(-time.Minute)), "x"} {
		req := httptest.NewRequest("GET", "/sources", nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: forged})
		if _, ok := h.session(req); ok {
			t.Errorf("session %q accepted", forged)
		}
	}

	for _, tc := range []struct {
		name   string
		target string
		form   url.Values
		header []string
		status int
	}{
		{"no csrf", "/sources", url.Values{"url": {"http://127.0.0.1/a"}}, nil, 403},
		{"cross-site", "/sources", url.Values{"url": {"http://127.0.0.1/a"}, "csrf": {csrf}}, []string{"Origin", "https://evil.example"}, 403},
		{"cross-site fetch metadata", "/sources", url.Values{"url": {"http://127.0.0.1/a"}, "csrf": {csrf}}, []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"null origin alone", "/sources", url.Values{"url": {"http://127.0.0.1/a"}, "csrf": {csrf}}, []string{"Origin", "null"}, 403},
		{"null origin cross-site", "/sources", url.Values{"url": {"http://127.0.0.1/a"}, "csrf": {csrf}}, []string{"Origin", "null", "Sec-Fetch-Site", "cross-site"}, 403},
		{"null origin same-origin (no-referrer)", "/sources", url.Values{"url": {"http://127.0.0.1/b"}, "csrf": {csrf}}, []string{"Origin", "null", "Sec-Fetch-Site", "same-origin"}, 303},
		{"bad url", "/sources", url.Values{"url": {"javascript:alert(1)"}, "csrf": {csrf}}, nil, 400},
		{"bad interval", "/sources", url.Values{"url": {"http://127.0.0.1/a"}, "interval": {"soon"}, "csrf": {csrf}}, nil, 400},
		{"interval that wraps", "/sources", url.Values{"url": {"http://127.0.0.1/a"}, "interval": {"600479950316126"}, "csrf": {csrf}}, nil, 400},
		{"interval too long", "/sources", url.Values{"url": {"http://127.0.0.1/a"}, "interval": {"44641"}, "csrf": {csrf}}, nil, 400},
		{"add", "/sources", url.Values{"url": {"http://127.0.0.1/a"}, "kind": {"sitemap"}, "interval": {"90"}, "csrf": {csrf}}, nil, 303},
		{"add again", "/sources", url.Values{"url": {"http://127.0.0.1/a"}, "csrf": {csrf}}, nil, 409},
		{"pause", "/sources/3/pause", url.Values{"csrf": {csrf}}, nil, 303},
		{"resume", "/sources/3/resume", url.Values{"csrf": {csrf}}, nil, 303},
		{"unknown action", "/sources/3/explode", url.Values{"csrf": {csrf}}, nil, 404},
		{"bad id", "/sources/x/pause", url.Values{"csrf": {csrf}}, nil, 400},
		{"remove", "/sources/3/remove", url.Values{"csrf": {csrf}}, nil, 303},
		{"remove again", "/sources/3/remove", url.Values{"csrf": {csrf}}, nil, 404},
		{"sign out", "/logout", url.Values{"csrf": {csrf}}, nil, 303},
	} {
		res := post(tc.target, tc.form, tc.header...)
		if res.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, res.StatusCode, tc.status)
		}
	}
	srcs, err := f.db.ListSources(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 3 {
		t.Errorf("%d sources after two adds and a remove, want the fixture's 2 and one more", len(srcs))
	}

	// Read-only server: the page says so and forms are refused.
	ro := testServer(f, Options{})
	_, body = do(t, ro, "GET", "/sources", nil)
	if !strings.Contains(body, "read-only") || strings.Contains(body, "Admin token") {
		t.Error("read-only sources page")
	}
	if res, _ := do(t, ro, "POST", "/login", strings.NewReader("token=x"), "Content-Type", "application/x-www-form-urlencoded"); res.StatusCode != 403 {
		t.Errorf("read-only sign in: %d", res.StatusCode)
	}
}

func TestStaticAssets(t *testing.T) {
	h := testServer(sharedArchive(t), Options{})
	res, body := do(t, h, "GET", "/static/style.css", nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") || !strings.Contains(body, "--paper") {
		t.Fatalf("style.css: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	etag := res.Header.Get("ETag")
	if res, _ := do(t, h, "GET", "/static/style.css", nil, "If-None-Match", etag); res.StatusCode != 304 {
		t.Errorf("revalidation: %d", res.StatusCode)
	}
	if res, _ := do(t, h, "GET", "/static/nope.js", nil); res.StatusCode != 404 {
		t.Errorf("missing asset: %d", res.StatusCode)
	}
}

// TestInternationalHostShown: an article on an internationalised host is
// shown with its host in Unicode on the search page and in the timeline's
// top sites, and the top list's link filters on it.
func TestInternationalHostShown(t *testing.T) {
	f := newArchive(t)
	rec := &store.Record{Article: article.Article{
		URL: "https://www.новости.рф/2024/05/01/gavan", Title: "Гавань открылась после ремонта",
		Text:      "Городская гавань открылась в четверг после трёх недель ремонта волнолома.",
		Published: time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC),
	}}
	if _, err := archive.Ingest(context.Background(), f.db, []*store.Record{rec}); err != nil {
		t.Fatal(err)
	}
	h := testServer(f, Options{})
	for _, path := range []string{"/?q=%D0%B3%D0%B0%D0%B2%D0%B0%D0%BD%D1%8C", "/timeline?q=%D0%B3%D0%B0%D0%B2%D0%B0%D0%BD%D1%8C"} {
		resp, body := do(t, h, "GET", path, nil)
		if code := resp.StatusCode; code != 200 || !strings.Contains(body, "новости.рф") || strings.Contains(body, ">xn--") {
			t.Errorf("%s: %d, host shown as %q", path, resp.StatusCode, between(body, "новости", 40))
		}
	}
	// The list's link filters on the site: the search it leads to finds
	// the article.
	_, body := do(t, h, "GET", "/?q=site%3Axn--b1amnebsh.xn--p1ai", nil)
	if !strings.Contains(body, "Гавань открылась после ремонта") {
		t.Error("site: with the punycode host found nothing")
	}
}

// between returns up to n bytes of s around the first match of sub, for
// failure messages.
func between(s, sub string, n int) string {
	i := strings.Index(s, sub)
	if i < 0 {
		return ""
	}
	return s[max(0, i-n):min(len(s), i+len(sub)+n)]
}

// TestFiltersNarrowTheWholeQuery checks that a filter added by the pages
// (the form's fields, the chart's bars and legend, the top lists) narrows
// the whole query, OR and all: each link finds as many articles as the
// page says it does.
func TestFiltersNarrowTheWholeQuery(t *testing.T) {
	for _, tc := range []struct{ q, want string }{
		{"harbour", "harbour site:x.org"},
		{"harbour -storm", "harbour -storm site:x.org"},
		{"(a OR b) c", "(a OR b) c site:x.org"},
		{"a OR b", "(a OR b) site:x.org"},
		{"a b OR c", "(a b OR c) site:x.org"},
		{"a OR b sort:oldest", "(a OR b) sort:oldest site:x.org"},
		{"", "site:x.org"},
		// One side of the OR ignored: the query is one term, but a
		// filter typed after it would bind to the ignored side.
		{"harbour OR 🔥", "(harbour OR 🔥) site:x.org"},
		{`harbour "rock OR roll"`, `harbour "rock OR roll" site:x.org`},
		{"(a OR 🔥) c", "(a OR 🔥) c site:x.org"},
	} {
		if got := withFilter(tc.q, query.Site, "x.org"); got != tc.want {
			t.Errorf("withFilter(%q) = %q, want %q", tc.q, got, tc.want)
		}
	}

	f := sharedArchive(t)
	h := testServer(f, Options{})
	apiTotal := func(q string) int {
		t.Helper()
		_, body := do(t, h, "GET", "/api/search?limit=1&q="+url.QueryEscape(q), nil)
		var sb searchBody
		decode(t, body, &sb)
		return sb.Total
	}

	// The search form: "harbour" is also on evil.example.
	_, body := do(t, h, "GET", "/?q="+url.QueryEscape("harbour OR image")+"&site=news.example.com", nil)
	if !strings.Contains(body, "Harbour reopens after storm repairs") || strings.Contains(body, xssEscaped(xssScript)) {
		t.Errorf("site filter with an OR query: want only news.example.com's story: %s", clip(body))
	}

	// The attention page's links to sites and periods, each against the
	// count it shows: the bars and top lists unsplit, the legend and each
	// site's bars split by site (only a bar of the sites pooled as "other
	// sites" links to its whole period).
	checked := 0
	for _, split := range []string{"none", "site"} {
		_, body = do(t, h, "GET", "/timeline?by=day&split="+split+"&q="+url.QueryEscape("harbour OR image"), nil)
		checkLinks(t, checkSafeHTML(t, "timeline", body), split == "site", apiTotal, &checked)
	}
	if checked < 8 {
		t.Errorf("checked %d links on the attention page, want bars, legend and top rows", checked)
	}
}

// checkLinks checks the search links of an attention page that filter on
// site or date against the counts shown with them (bars' titles, the
// lists' numbers), counting them in checked.
func checkLinks(t *testing.T, doc *html.Node, split bool, apiTotal func(string) int, checked *int) {
	t.Helper()
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "a" || n.Data == "li") {
			href, count, title := "", -1, ""
			var look func(*html.Node)
			look = func(c *html.Node) {
				if c.Type != html.ElementNode {
					return
				}
				for _, a := range c.Attr {
					if a.Key == "href" && strings.HasPrefix(a.Val, "/?q=") {
						href = a.Val
					}
					if a.Key == "class" && a.Val == "n" && c.FirstChild != nil {
						count, _ = strconv.Atoi(strings.ReplaceAll(c.FirstChild.Data, ",", ""))
					}
				}
				if c.Data == "title" && c.FirstChild != nil {
					s := c.FirstChild.Data
					title = s
					s = strings.TrimSuffix(strings.TrimSuffix(s[strings.LastIndex(s, ": ")+2:], "s"), " article")
					count, _ = strconv.Atoi(s)
				}
				for k := c.FirstChild; k != nil; k = k.NextSibling {
					look(k)
				}
			}
			look(n)
			bar := n.Data == "a" && n.FirstChild != nil && n.FirstChild.Data == "rect"
			u, _ := url.Parse(href)
			q := ""
			if u != nil {
				q = u.Query().Get("q")
			}
			if count >= 0 && (n.Data == "li" || bar && !(split && strings.Contains(title, " other site"))) && (strings.Contains(q, "site:") || strings.Contains(q, "after:")) {
				if bar && split && !strings.Contains(q, "site:") {
					t.Errorf("bar %q of a site links to %q, without the site", title, q)
				}
				if !strings.HasPrefix(q, "(harbour OR image) ") {
					t.Errorf("link %s: want the query in brackets", href)
				}
				if got := apiTotal(q); got != count {
					t.Errorf("link %q shows %d articles, finds %d", q, count, got)
				}
				*checked++
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

// TestLinksForValuesWithQuotes checks that the links of an author and a
// tag holding a double quote, which no filter can spell, find the article
// they are on.
func TestLinksForValuesWithQuotes(t *testing.T) {
	f := newArchive(t)
	res, err := archive.Ingest(t.Context(), f.db, []*store.Record{{Article: article.Article{
		URL: "https://quotes.example/a", Title: "Quoted names", Language: "en", Authors: []string{`Jane "Q" Doe`},
		Tags: []string{`a"b`, `"Weather"`}, Published: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), Text: "A page about names."}}})
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res[0].Err)
	}
	id := res[0].ID
	h := testServer(f, Options{})
	_, body := do(t, h, "GET", "/articles/"+id, nil)
	doc := checkSafeHTML(t, "article", body)
	links := map[string]string{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "a" && n.FirstChild != nil {
			for _, a := range n.Attr {
				if a.Key == "href" && strings.HasPrefix(a.Val, "/?q=") {
					links[n.FirstChild.Data] = a.Val
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, value := range []string{`Jane "Q" Doe`, `a"b`, `"Weather"`} {
		href, ok := links[value]
		if !ok {
			t.Errorf("no link for %q among %v", value, links)
			continue
		}
		u, _ := url.Parse(href)
		_, body := do(t, h, "GET", "/api/search?limit=100&q="+url.QueryEscape(u.Query().Get("q")), nil)
		var sb searchBody
		decode(t, body, &sb)
		found := false
		for _, hit := range sb.Hits {
			found = found || hit.Record.ID == id
		}
		if !found {
			t.Errorf("link for %q (%s) does not find its article: %d hits", value, href, len(sb.Hits))
		}
	}
}

// The article page shows the description under the title unless the
// text opens with it, whole or cut off: a page shows it once.
func TestStandfirstShownOnce(t *testing.T) {
	f := newArchive(t)
	text := "Organisers hope for calmer weather.\n\nThe harbour festival will move from July to September, its organisers said."
	cases := []struct {
		desc  string
		shown bool
	}{
		{"Organisers hope for calmer weather.", false},
		{"organisers  hope for calmer\nweather.", false},
		{"Organisers hope for calmer…", false},
		{"Organisers hope for calmer ...", false},
		{"The festival moves to September.", true},
		{"…", true},
	}
	for i, c := range cases {
		rec := &store.Record{Article: article.Article{
			URL: "https://gazette.example/festival-" + strconv.Itoa(i), Title: "Festival moves " + strconv.Itoa(i),
			Description: c.desc, Text: text + " Case " + strconv.Itoa(i) + ".",
			Published: time.Date(2025, 3, 12, 9, 0, 0, 0, time.UTC),
		}}
		if _, err := archive.Ingest(context.Background(), f.db, []*store.Record{rec}); err != nil {
			t.Fatal(err)
		}
		h := testServer(f, Options{})
		resp, body := do(t, h, "GET", "/articles/"+rec.ID, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%q: status %d", c.desc, resp.StatusCode)
		}
		if got := strings.Contains(body, `class="standfirst"`); got != c.shown {
			t.Errorf("description %q: standfirst shown %v, want %v", c.desc, got, c.shown)
		}
		if n := strings.Count(body, "<p>Organisers hope for calmer weather.</p>"); n != 1 {
			t.Errorf("description %q: the first paragraph is in the page %d times", c.desc, n)
		}
	}
}

// TestHitDatedByArchiveDay: a hit published late in the evening west of
// UTC is listed under the day the archive files it under (its UTC day),
// the day of the timeline's bar and of the after:/before: search that the
// bar links to; the search page listed it under its publisher's day, a
// day before the one it was found on.
func TestHitDatedByArchiveDay(t *testing.T) {
	f := newArchive(t)
	rec := &store.Record{Article: article.Article{
		URL: "https://quay.example/2026/03/storm", Title: "Storm floods the quay",
		Text:      "Storm damage closed the quay on Sunday night as waves broke over the wall.",
		Published: time.Date(2026, 3, 1, 23, 30, 0, 0, time.FixedZone("", -5*3600)),
	}}
	if _, err := archive.Ingest(context.Background(), f.db, []*store.Record{rec}); err != nil {
		t.Fatal(err)
	}
	h := testServer(f, Options{})
	resp, body := do(t, h, "GET", "/?q=site%3Aquay.example+after%3A2026-03-02+before%3A2026-03-03", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Storm floods the quay") {
		t.Fatalf("%d: the article is not found on 2 March", resp.StatusCode)
	}
	if !strings.Contains(body, "2 Mar 2026") || strings.Contains(body, "1 Mar 2026") {
		t.Errorf("hit dated %q, want 2 Mar 2026", between(body, "Mar 2026", 80))
	}
}

// A search whose From day is not before its Before day (swapped) says
// why nothing can match, as herald search does.
func TestSearchEmptyDateRangeSaysWhy(t *testing.T) {
	h := testServer(sharedArchive(t), Options{})
	resp, body := do(t, h, "GET", "/?q=harbour&after=2021-07-01&before=2021-06-01", nil)
	want := "is not before before:"
	if resp.StatusCode != 200 || !strings.Contains(body, "No articles match: after:") || !strings.Contains(body, want) {
		t.Errorf("%d, count %q; want the empty range explained", resp.StatusCode, between(body, "result-count", 160))
	}
}
