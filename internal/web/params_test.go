package web

import (
	"bytes"
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// A parameter that takes one value, given twice, is refused with a 400
// that names it, by the API (as JSON) and by the pages (on the error
// page), instead of the first value being used silently.
func TestRepeatedParameter(t *testing.T) {
	f := sharedArchive(t)
	h := testServer(f, Options{})
	for _, tc := range []struct{ target, param string }{
		{"/api/search?q=harbour&q=zzznothing", "q"},
		{"/api/search?q=harbour&sort=oldest&sort=relevance", "sort"},
		{"/api/search?page=1&page=2", "page"},
		{"/api/search?offset=0&offset=20", "offset"},
		{"/api/search?limit=5&limit=6", "limit"},
		{"/api/search?collapse=true&collapse=false", "collapse"},
		{"/api/articles/" + f.harbour + "?version=1&version=2", "version"},
		{"/api/articles/" + f.harbour + "/capture?version=1&version=2", "version"},
		{"/api/timeline?q=a&q=b", "q"},
		{"/api/timeline?by=day&by=month", "by"},
		{"/api/timeline?split=site&split=none", "split"},
		{"/api/timeline?share=true&share=true", "share"},
		{"/api/timeline?format=json&format=csv", "format"},
		{"/api/top?field=site&field=tag", "field"},
		{"/api/top?field=site&n=1&n=2", "n"},
		{"/api/stories?q=a&q=", "q"},
		{"/api/sources/1?limit=1&limit=2", "limit"},
		{"/api/fetches?source=1&source=2", "source"},
		{"/api/export?q=a&q=b", "q"},
		{"/api/export?format=csv&format=jsonl", "format"},
	} {
		res, body := do(t, h, "GET", tc.target, nil)
		var e apiError
		decode(t, body, &e)
		want := "parameter " + tc.param + " is given 2 times"
		if res.StatusCode != 400 || e.Error.Code != "bad_request" || !strings.Contains(e.Error.Message, want) {
			t.Errorf("GET %s: %d %+v, want 400 bad_request %q", tc.target, res.StatusCode, e.Error, want)
		}
	}
	for _, tc := range []struct{ target, param string }{
		{"/?q=harbour&q=zzznothing", "q"},
		{"/?q=harbour&site=a.example&site=b.example", "site"},
		{"/?q=harbour&sort=oldest&sort=newest", "sort"},
		{"/?q=harbour&dups=show&dups=show", "dups"},
		{"/?q=the&page=2&page=3", "page"},
		{"/timeline?q=harbour&q=storm", "q"},
		{"/timeline?q=harbour&by=day&by=week", "by"},
		{"/timeline?q=harbour&collapse=true&collapse=true", "collapse"},
		{"/articles/" + f.harbour + "?v=1&v=2", "v"},
		{"/sources?done=added&done=removed", "done"},
	} {
		res, body := do(t, h, "GET", tc.target, nil)
		want := "parameter " + tc.param + " is given 2 times"
		if res.StatusCode != 400 || !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("GET %s: %d, want 400 with %q:\n%s", tc.target, res.StatusCode, want, clip(body))
		}
	}
	// compare is the one parameter meant to be repeated.
	if res, body := do(t, h, "GET", "/api/timeline?q=harbour&compare=storm&compare=ferry", nil); res.StatusCode != 200 {
		t.Errorf("compare twice: %d %s", res.StatusCode, clip(body))
	}
}

// The search page refuses a sort or dups it does not know, as the API
// refuses such a sort, instead of showing the default order; date is
// newest there as in the API; a choice is read in any case.
func TestSearchPageOptions(t *testing.T) {
	h := testServer(sharedArchive(t), Options{})
	for _, tc := range []struct {
		target string
		status int
		want   string
	}{
		{"/?q=harbour&sort=bogus", 400, `parameter sort="bogus": want one of relevance, newest, date, oldest`},
		{"/?q=harbour&sort=Oldest", 200, "oldest first"},
		{"/?q=harbour&dups=hide", 400, `parameter dups="hide": want one of collapse, show`},
		{"/?q=harbour&sort=date", 200, `<option value="newest" selected>`},
		{"/?q=harbour&sort=oldest", 200, "oldest first"},
		{"/?q=harbour&dups=collapse", 200, "match"},
	} {
		res, body := do(t, h, "GET", tc.target, nil)
		if res.StatusCode != tc.status || !strings.Contains(html.UnescapeString(body), tc.want) {
			t.Errorf("GET %s: %d, want %d with %q:\n%s", tc.target, res.StatusCode, tc.status, tc.want, clip(body))
		}
	}
}

// HEAD is answered wherever GET is, and the Allow of a 405 lists it.
func TestHeadWhereGet(t *testing.T) {
	f := sharedArchive(t)
	h := testServer(f, Options{})
	for _, target := range []string{"/", "/?q=harbour", "/timeline?q=harbour", "/articles/" + f.harbour, "/sources",
		"/static/style.css", "/api/search?q=harbour", "/api/articles/" + f.harbour, "/api/timeline", "/api/stats",
		"/api/sources", "/api/export?q=harbour", "/api/health"} {
		if res, _ := do(t, h, "HEAD", target, nil); res.StatusCode != http.StatusOK {
			t.Errorf("HEAD %s: %d, want 200", target, res.StatusCode)
		}
	}
	for _, tc := range []struct{ method, target, allow string }{
		{"PUT", "/", "GET, HEAD"},
		{"DELETE", "/timeline", "GET, HEAD"},
		{"POST", "/articles/" + f.harbour, "GET, HEAD"},
		{"PUT", "/sources", "GET, HEAD, POST"},
		{"HEAD", "/login", "POST"},
		{"HEAD", "/api/sources/1/pause", "POST"},
	} {
		res, _ := do(t, h, tc.method, tc.target, nil)
		if res.StatusCode != 405 || res.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d Allow=%q, want 405 Allow=%q", tc.method, tc.target, res.StatusCode, res.Header.Get("Allow"), tc.allow)
		}
	}
}

// A query string that does not parse is refused, where url.URL.Query
// dropped the bad pair without a word: q=%ZZ searched for nothing, and
// so listed every article.
func TestMalformedQueryString(t *testing.T) {
	f := sharedArchive(t)
	h := testServer(f, Options{})
	for _, target := range []string{"/api/search?q=%ZZ", "/api/search?q=harbour;storm", "/api/timeline?q=a&by=%", "/api/top?field=site&q=%zz",
		"/api/stories?q=%G1", "/api/articles/" + f.harbour + "?version=%", "/api/export?q=%ZZ"} {
		res, body := do(t, h, "GET", target, nil)
		var e apiError
		decode(t, body, &e)
		if res.StatusCode != 400 || e.Error.Code != "bad_request" || !strings.Contains(e.Error.Message, "malformed query string") {
			t.Errorf("GET %s: %d %+v, want 400 bad_request malformed query string", target, res.StatusCode, e.Error)
		}
	}
	for _, target := range []string{"/?q=%ZZ", "/?q=harbour;storm", "/timeline?q=%ZZ", "/articles/" + f.harbour + "?v=%"} {
		res, body := do(t, h, "GET", target, nil)
		if res.StatusCode != 400 || !strings.Contains(html.UnescapeString(body), "malformed query string: invalid") {
			t.Errorf("GET %s: %d, want 400 with malformed query string:\n%s", target, res.StatusCode, clip(body))
		}
	}
}

// panicVersions is an archive whose Versions panics.
type panicVersions struct{ store.Store }

func (panicVersions) Versions(context.Context, string) ([]*store.Record, error) {
	panic("versions exploded")
}

// A handler's panic is answered like any server fault: the API's JSON
// error shape under /api/, the error page elsewhere, and one log line
// with the panic; the server goes on.
func TestPanicAnswers(t *testing.T) {
	var logs bytes.Buffer
	f := sharedArchive(t)
	h := New(panicVersions{f.db}, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	res, body := do(t, h, "GET", "/api/articles/"+f.harbour, nil)
	var e apiError
	decode(t, body, &e)
	if res.StatusCode != 500 || e.Error.Code != "internal" || e.Error.Message != "internal server error" || strings.Contains(body, "exploded") {
		t.Errorf("GET /api/articles/…: %d %s", res.StatusCode, clip(body))
	}
	res, body = do(t, h, "GET", "/articles/"+f.harbour, nil)
	if res.StatusCode != 500 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "internal server error") ||
		strings.Contains(body, "exploded") {
		t.Errorf("GET /articles/…: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), clip(body))
	}
	if n := strings.Count(logs.String(), "versions exploded"); n != 2 {
		t.Errorf("the panics logged %d times, want once each:\n%s", n, logs.String())
	}
	if res, _ := do(t, h, "GET", "/api/search?q=harbour", nil); res.StatusCode != 200 {
		t.Errorf("after the panics: %d", res.StatusCode)
	}
}

// panicStatsTop is an archive whose Stats and Top panic.
type panicStatsTop struct{ store.Store }

func (panicStatsTop) Stats(context.Context) (*store.Stats, error) { panic("stats exploded") }

func (panicStatsTop) Top(context.Context, *query.Query, store.TopField, int) ([]store.Count, error) {
	panic("top exploded")
}

// A panic in a goroutine that a page starts (the front page's archive
// statistics, the attention page's top lists) is a 500 like one in the
// handler, where it ended the whole server.
func TestPanicInPageGoroutine(t *testing.T) {
	var logs bytes.Buffer
	h := New(panicStatsTop{sharedArchive(t).db}, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for _, target := range []string{"/", "/timeline?q=harbour"} {
		res, body := do(t, h, "GET", target, nil)
		if res.StatusCode != 500 || !strings.Contains(body, "internal server error") || strings.Contains(body, "exploded") {
			t.Errorf("GET %s: %d %s", target, res.StatusCode, clip(body))
		}
	}
	if !strings.Contains(logs.String(), "stats exploded") || !strings.Contains(logs.String(), "top exploded") {
		t.Errorf("the panics are not logged:\n%s", logs.String())
	}
}

// A form field given twice in a POST body is refused with a 400 that
// names it, as a repeated query parameter is, instead of the first value
// being used silently; nothing is done.
func TestRepeatedFormField(t *testing.T) {
	f := newArchive(t)
	const token = "form-test-token-0123456789"
	h := testServer(f, Options{AdminToken: token})
	cookie := &http.Cookie{Name: sessionCookie, Value: h.newSession(time.Now().Add(time.Hour))}
	csrf := h.csrfFor(cookie.Value)
	sources, err := f.db.ListSources(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		target, field string
		form          url.Values
	}{
		{"/login", "token", url.Values{"token": {token, "wrong"}}},
		{"/sources", "url", url.Values{"csrf": {csrf}, "url": {"https://a.example/feed.xml", "https://b.example/feed.xml"}, "kind": {"feed"}}},
		{"/sources", "interval", url.Values{"csrf": {csrf}, "url": {"https://a.example/feed.xml"}, "kind": {"feed"}, "interval": {"60", "120"}}},
		{"/sources", "csrf", url.Values{"csrf": {csrf, csrf}, "url": {"https://a.example/feed.xml"}, "kind": {"feed"}}},
		{"/articles/" + f.harbour + "/delete", "withhold", url.Values{"csrf": {csrf}, "withhold": {"false", "true"}}},
		{"/articles/" + f.harbour + "/delete", "reason", url.Values{"csrf": {csrf}, "withhold": {"true"}, "reason": {"a", "b"}}},
		{"/logout", "csrf", url.Values{"csrf": {csrf, "x"}}},
		// Read as the API reads it, not as "anything but true is false".
		{"/articles/" + f.harbour + "/delete", "withhold=yes", url.Values{"csrf": {csrf}, "withhold": {"yes"}}},
	} {
		req := httptest.NewRequest("POST", tc.target, strings.NewReader(tc.form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://example.com")
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		want := "field " + tc.field + " is given 2 times"
		if tc.field == "withhold=yes" {
			want = `parameter withhold="yes": want true or false`
		}
		if rec.Code != 400 || !strings.Contains(html.UnescapeString(rec.Body.String()), want) {
			t.Errorf("POST %s %v: %d, want 400 with %q:\n%s", tc.target, tc.form, rec.Code, want, clip(rec.Body.String()))
		}
	}
	if after, _ := f.db.ListSources(t.Context()); len(after) != len(sources) {
		t.Errorf("sources: %d after the refused forms, were %d", len(after), len(sources))
	}
	if rec, err := f.db.Get(t.Context(), f.harbour); err != nil || rec == nil {
		t.Errorf("the article is gone after a refused delete form: %v", err)
	}
	if list, _ := f.db.ListWithheld(t.Context()); len(list) != 0 {
		t.Errorf("withheld after a refused delete form: %+v", list)
	}
}

// The API's parameters that take one of a fixed set of words read them
// in any case, as the CLI's flags do (sort=Oldest is sort=oldest), and
// answer with the word as listed; an unknown one is a 400 that lists
// the choices. They used to be refused when not in lower case.
func TestChoiceParametersAnyCase(t *testing.T) {
	h := testServer(sharedArchive(t), Options{})
	for _, tc := range []struct {
		target string
		want   string
	}{
		{"/api/search?q=harbour&sort=Oldest", `"sort": "oldest"`},
		{"/api/search?q=harbour&sort=DATE", `"sort": "newest"`},
		{"/api/timeline?q=harbour&by=Month&split=Site", `"by": "month"`},
		{"/api/top?field=SITE", `"field": "site"`},
		{"/api/timeline?q=harbour&format=CSV", "count"},
		{"/api/export?q=harbour&format=Jsonl", "harbour"},
		{"/timeline?q=harbour&by=Week&split=NONE", "harbour"},
		{"/?q=harbour&dups=Show", "harbour"},
	} {
		res, body := do(t, h, "GET", tc.target, nil)
		if res.StatusCode != 200 || !strings.Contains(strings.ToLower(body), strings.ToLower(tc.want)) {
			t.Errorf("GET %s: %d, want 200 with %q:\n%s", tc.target, res.StatusCode, tc.want, clip(body))
		}
	}
	res, body := do(t, h, "GET", "/api/timeline?q=harbour&by=Year", nil)
	if res.StatusCode != 400 || !strings.Contains(body, `parameter by=\"Year\": want one of day, week, month`) {
		t.Errorf("by=Year: %d %s", res.StatusCode, clip(body))
	}
}

// The search form's filters go into the query as one would type them:
// bare where the parser reads the value the same (after:2026-03-02, not
// after:"2026-03-02"), quoted where it would not.
func TestFormFiltersQuotedOnlyWhereNeeded(t *testing.T) {
	f := searchForm{Q: "harbour", Site: "news.example.com", Author: "Jane Doe", Tag: "-x", Lang: "en-gb",
		Section: "a:b", After: "2026-03-02", Before: "2026-03-03"}
	want := `harbour site:news.example.com author:"Jane Doe" tag:"-x" lang:en-gb section:"a:b" after:2026-03-02 before:2026-03-03`
	if got := f.Full(); got != want {
		t.Errorf("Full() = %s\nwant     %s", got, want)
	}
	if _, err := query.Parse(want); err != nil {
		t.Error(err)
	}
	for _, tc := range []struct{ field, value, want string }{
		{"author", "O'Brien", "author:O'Brien"},
		{"author", "Jean-Luc", "author:Jean-Luc"},
		{"tag", "OR", `tag:"OR"`},
		{"after", "2026-3-2x", `after:"2026-3-2x"`},
		{"lang", " en ", `lang:en`},
		{"section", "world*", `section:"world*"`},
		{"site", "", `site:""`},
	} {
		got := filterTerm(query.Field(tc.field), tc.value)
		if got != tc.want {
			t.Errorf("filterTerm(%s, %q) = %s, want %s", tc.field, tc.value, got, tc.want)
		}
	}
	// Whatever is typed, the query reads back the value typed.
	for _, v := range []string{"wor*ld", "a(b", "OR", "AND", "x:y", "sort:date", "-x", "é ü", "news*", " 2 ", "a)"} {
		term := filterTerm(query.Section, v)
		q, err := query.Parse(term)
		if err != nil {
			t.Errorf("filterTerm(section, %q) = %s: %v", v, term, err)
			continue
		}
		if f, ok := q.Root.(*query.Filter); !ok || f.Value != strings.TrimSpace(v) {
			t.Errorf("filterTerm(section, %q) = %s, which reads back as %#v", v, term, q.Root)
		}
	}
}
