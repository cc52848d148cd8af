package web

import (
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/export"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// apiError is the JSON error shape.
type apiError struct {
	Error struct {
		Code     string `json:"code"`
		Message  string `json:"message"`
		Position int    `json:"position"`
	} `json:"error"`
}

// TestAPIErrors checks bad parameters on every read endpoint: the status,
// the stable code and, for queries, the position.
func TestAPIErrors(t *testing.T) {
	f := sharedArchive(t)
	h := testServer(f, Options{})
	long := "q=" + strings.Repeat("a", maxQueryLen+1)
	for _, tc := range []struct {
		target   string
		status   int
		code     string
		position int
	}{
		{"/api/search?q=%22unterminated", 400, "bad_query", 1},
		{"/api/search?q=harbour+after:2021-13-01", 400, "bad_query", 15},
		{"/api/search?q=(storm", 400, "bad_query", 1},
		{"/api/search?q=a+OR", 400, "bad_query", 3},
		{"/api/search?" + long, 400, "bad_request", 0},
		{"/api/search?limit=0", 400, "bad_request", 0},
		{"/api/search?limit=abc", 400, "bad_request", 0},
		{"/api/search?limit=101", 400, "bad_request", 0},
		{"/api/search?offset=-1", 400, "bad_request", 0},
		{"/api/search?offset=10001", 400, "bad_request", 0},
		{"/api/search?offset=1&page=2", 400, "bad_request", 0},
		{"/api/search?page=0", 400, "bad_request", 0},
		{"/api/search?sort=random", 400, "bad_request", 0},
		{"/api/search?collapse=maybe", 400, "bad_request", 0},
		{"/api/articles/nope", 404, "not_found", 0},
		{"/api/articles/" + f.harbour + "?version=9", 404, "not_found", 0},
		{"/api/articles/" + f.harbour + "?version=x", 400, "bad_request", 0},
		{"/api/articles/nope/capture", 404, "not_found", 0},
		{"/api/articles/" + f.scriptID + "/capture", 404, "not_found", 0},
		{"/api/timeline?by=year", 400, "bad_request", 0},
		{"/api/timeline?split=tag", 400, "bad_request", 0},
		{"/api/timeline?q=-", 200, "", 0},
		{"/api/timeline?q=site:", 400, "bad_query", 1},
		{"/api/timeline?q=a&compare=%22x", 400, "bad_request", 0},
		{"/api/timeline?q=a&compare=b&split=site", 400, "invalid", 0},
		{"/api/timeline?compare=b", 400, "bad_request", 0},
		{"/api/timeline?q=a&compare=b&compare=c&compare=d&compare=e&compare=f&compare=g&compare=h&compare=i", 400, "bad_request", 0},
		{"/api/timeline?q=a&share=maybe", 400, "bad_request", 0},
		{"/api/timeline?q=a&format=xml", 400, "bad_request", 0},
		{"/api/timeline?q=a&collapse=maybe", 400, "bad_request", 0},
		{"/api/top", 400, "bad_request", 0},
		{"/api/top?field=color", 400, "bad_request", 0},
		{"/api/top?field=site&n=0", 400, "bad_request", 0},
		{"/api/top?field=site&n=101", 400, "bad_request", 0},
		{"/api/top?field=tag&q=%22x", 400, "bad_query", 1},
		{"/api/stories?n=0", 400, "bad_request", 0},
		{"/api/stories?n=101", 400, "bad_request", 0},
		{"/api/stories?q=%22x", 400, "bad_query", 1},
		{"/api/stories?format=xml", 400, "bad_request", 0},
		{"/api/sources/0", 400, "bad_request", 0},
		{"/api/sources/abc", 400, "bad_request", 0},
		{"/api/sources/999", 404, "not_found", 0},
		{"/api/sources/1?limit=0", 400, "bad_request", 0},
		{"/api/fetches?limit=5000", 400, "bad_request", 0},
		{"/api/fetches?source=-1", 400, "bad_request", 0},
		{"/api/export?format=xml", 400, "bad_request", 0},
		{"/api/export?q=%22open", 400, "bad_query", 1},
		{"/api/export?limit=-3", 400, "bad_request", 0},
		{"/api/export?collapse=maybe", 400, "bad_request", 0},
		{"/api/nothing-here", 404, "not_found", 0},
	} {
		t.Run(tc.target, func(t *testing.T) {
			res, body := do(t, h, "GET", tc.target, nil)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tc.status, clip(body))
			}
			if tc.code == "" {
				return
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want JSON", ct)
			}
			var e apiError
			decode(t, body, &e)
			if e.Error.Code != tc.code || e.Error.Message == "" || e.Error.Position != tc.position {
				t.Errorf("error %+v, want code %s position %d", e.Error, tc.code, tc.position)
			}
		})
	}
}

func TestAPIMethodNotAllowed(t *testing.T) {
	h := testServer(sharedArchive(t), Options{})
	for _, tc := range []struct{ method, target, allow string }{
		{"POST", "/api/search", "GET, HEAD"},
		{"DELETE", "/api/sources", "GET, HEAD, POST"},
		{"PUT", "/api/sources/1", "GET, HEAD, DELETE"},
		{"DELETE", "/api/harvest", "GET, HEAD, POST"},
	} {
		res, body := do(t, h, tc.method, tc.target, nil)
		var e apiError
		decode(t, body, &e)
		if res.StatusCode != 405 || e.Error.Code != "method_not_allowed" || res.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d %q Allow=%q, want 405 method_not_allowed Allow=%q", tc.method, tc.target,
				res.StatusCode, e.Error.Code, res.Header.Get("Allow"), tc.allow)
		}
	}
}

type searchBody struct {
	Query    string `json:"query"`
	Sort     string `json:"sort"`
	Collapse bool   `json:"collapse"`
	Total    int    `json:"total"`
	Offset   int    `json:"offset"`
	Limit    int    `json:"limit"`
	Next     string `json:"next"`
	Hits     []struct {
		Record       store.Record `json:"record"`
		Snippet      string       `json:"snippet"`
		SnippetParts []struct {
			Text  string `json:"text"`
			Match bool   `json:"match"`
		} `json:"snippet_parts"`
		Duplicates int    `json:"duplicates"`
		Href       string `json:"href"`
	} `json:"hits"`
}

func TestAPISearch(t *testing.T) {
	f := sharedArchive(t)
	h := testServer(f, Options{})
	get := func(target string) searchBody {
		t.Helper()
		res, body := do(t, h, "GET", target, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%s: status %d: %s", target, res.StatusCode, clip(body))
		}
		var sb searchBody
		decode(t, body, &sb)
		return sb
	}

	all := get("/api/search")
	if all.Total != genArticles+4 || len(all.Hits) != store.DefaultLimit || all.Sort != "newest" || all.Collapse {
		t.Errorf("empty query: total %d, %d hits, sort %s, collapse %v", all.Total, len(all.Hits), all.Sort, all.Collapse)
	}
	if all.Next == "" {
		t.Error("no next link on the first page")
	}
	next := get(all.Next)
	if next.Offset != store.DefaultLimit || next.Hits[0].Record.ID == all.Hits[0].Record.ID {
		t.Errorf("next page: offset %d, first %s", next.Offset, next.Hits[0].Record.ID)
	}
	paged := get("/api/search?limit=20&page=2")
	if paged.Offset != 20 || paged.Hits[0].Record.ID != next.Hits[0].Record.ID {
		t.Errorf("page=2: offset %d, first hit %s, want %s", paged.Offset, paged.Hits[0].Record.ID, next.Hits[0].Record.ID)
	}

	// Words: relevance, snippet highlights, collapsing.
	hb := get("/api/search?q=breakwater+harbour&collapse=true")
	if hb.Sort != "relevance" || hb.Total != 1 {
		t.Fatalf("breakwater harbour: sort %s total %d, want relevance and 1 collapsed story", hb.Sort, hb.Total)
	}
	hit := hb.Hits[0]
	if hit.Duplicates != 1 || hit.Href != "/api/articles/"+hit.Record.ID {
		t.Errorf("hit duplicates %d href %s", hit.Duplicates, hit.Href)
	}
	if hit.Record.Text != "" {
		t.Error("search hits carry the text")
	}
	marked := 0
	var joined strings.Builder
	for _, p := range hit.SnippetParts {
		if p.Match {
			marked++
		}
		joined.WriteString(p.Text)
	}
	if marked == 0 || !strings.Contains(hit.Snippet, store.HighlightStart) {
		t.Errorf("no highlights in %q / %+v", hit.Snippet, hit.SnippetParts)
	}
	if strings.ContainsAny(joined.String(), store.HighlightStart+store.HighlightEnd) {
		t.Error("snippet parts keep the markers")
	}
	both := get("/api/search?q=breakwater+harbour")
	if both.Total != 2 || both.Collapse || both.Hits[0].Duplicates != 0 {
		t.Errorf("uncollapsed (the default) total %d, want 2", both.Total)
	}

	// Sort parameter, and a sort: in the query winning over it.
	if s := get("/api/search?q=harbour&sort=oldest"); s.Sort != "oldest" {
		t.Errorf("sort=oldest gave %s", s.Sort)
	}
	if s := get("/api/search?q=harbour+sort:date&sort=oldest"); s.Sort != "newest" {
		t.Errorf("sort:date in the query gave %s", s.Sort)
	}
	if s := get("/api/search?q=zzzznothing"); s.Total != 0 || s.Hits == nil || s.Next != "" {
		t.Errorf("no match: total %d hits %v next %q", s.Total, s.Hits, s.Next)
	}
}

func TestAPIArticle(t *testing.T) {
	f := sharedArchive(t)
	h := testServer(f, Options{})
	res, body := do(t, h, "GET", "/api/articles/"+f.harbour, nil)
	if res.StatusCode != 200 {
		t.Fatalf("status %d: %s", res.StatusCode, clip(body))
	}
	var a struct {
		Record          store.Record `json:"record"`
		Current         int          `json:"current_version"`
		Versions        []struct{ Version int }
		Duplicates      []struct{ ID, Href string }
		DuplicatesTotal int `json:"duplicates_total"`
		Copies          []struct{ ID, Href string }
		CopiesTotal     int `json:"copies_total"`
		Original        *struct{ ID string }
		Capture         *struct {
			File string `json:"file"`
			Href string `json:"href"`
		} `json:"capture"`
	}
	decode(t, body, &a)
	if a.Record.Version != 2 || a.Current != 2 || len(a.Versions) != 2 || a.Versions[0].Version != 1 {
		t.Errorf("versions: record v%d current %d list %+v", a.Record.Version, a.Current, a.Versions)
	}
	if !strings.Contains(a.Record.Text, "ferry service") {
		t.Error("current text missing")
	}
	if a.DuplicatesTotal != 1 || len(a.Duplicates) != 1 || a.Duplicates[0].ID != f.copy {
		t.Errorf("duplicates %+v (total %d), want %s", a.Duplicates, a.DuplicatesTotal, f.copy)
	}
	if a.Capture == nil || a.Capture.Href != "/api/articles/"+f.harbour+"/capture" {
		t.Fatalf("capture %+v", a.Capture)
	}
	// The syndicated copy names the harbour page as its original.
	if a.CopiesTotal != 1 || len(a.Copies) != 1 || a.Copies[0].ID != f.copy || a.Copies[0].Href != "/api/articles/"+f.copy {
		t.Errorf("copies %+v (total %d), want %s", a.Copies, a.CopiesTotal, f.copy)
	}
	_, body = do(t, h, "GET", "/api/articles/"+f.copy, nil)
	decode(t, body, &a)
	if a.Original == nil || a.Original.ID != f.harbour {
		t.Errorf("the copy's original %+v, want %s", a.Original, f.harbour)
	}

	_, body = do(t, h, "GET", "/api/articles/"+f.harbour+"?version=1", nil)
	decode(t, body, &a)
	if a.Record.Version != 1 || strings.Contains(a.Record.Text, "ferry service") {
		t.Errorf("version 1: v%d text %q", a.Record.Version, a.Record.Text)
	}

	res, body = do(t, h, "GET", "/api/articles/"+f.harbour+"/capture", nil)
	if res.StatusCode != 200 || !strings.HasPrefix(body, "HTTP/1.1 200 OK") || !strings.Contains(body, "<title>Harbour reopens</title>") {
		t.Fatalf("capture: %d %q", res.StatusCode, clip(body))
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("capture Content-Type %q", ct)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") {
		t.Errorf("capture CSP %q, want a sandbox", csp)
	}
	// Without a capture folder the server does not serve captures.
	res, _ = do(t, New(f.db, Options{}), "GET", "/api/articles/"+f.harbour+"/capture", nil)
	if res.StatusCode != 404 {
		t.Errorf("capture without CaptureDir: %d", res.StatusCode)
	}
}

func TestCaptureFileStaysInFolder(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"captures/a.warc.gz", true},
		{"a.warc.gz", true},
		{"../a.warc.gz", false},
		{"captures/../../etc/passwd", false},
		{"/etc/passwd", false},
		{dir + "/captures/a.warc.gz", true},
		{dir + "/../x.warc.gz", false},
	} {
		if _, ok := captureFile(dir, tc.name); ok != tc.ok {
			t.Errorf("captureFile(%q) ok=%v, want %v", tc.name, ok, tc.ok)
		}
	}
}

func TestAPITimelineAndTop(t *testing.T) {
	f := sharedArchive(t)
	h := testServer(f, Options{})
	var tl struct {
		By      string         `json:"by"`
		Split   string         `json:"split"`
		Total   int            `json:"total"`
		Buckets []store.Bucket `json:"buckets"`
	}
	_, body := do(t, h, "GET", "/api/timeline?q=breakwater&by=month", nil)
	decode(t, body, &tl)
	if tl.By != "month" || tl.Total != 2 || len(tl.Buckets) != 1 || tl.Buckets[0].Start.Format("2006-01") != "2021-06" {
		t.Errorf("timeline %+v", tl)
	}
	_, body = do(t, h, "GET", "/api/timeline?q=breakwater&by=day&split=site", nil)
	decode(t, body, &tl)
	if tl.Split != "site" || len(tl.Buckets) != 2 || tl.Buckets[0].Key == "" {
		t.Errorf("split timeline %+v", tl)
	}
	_, body = do(t, h, "GET", "/api/timeline?q=zzzznothing", nil)
	decode(t, body, &tl)
	if tl.Buckets == nil || tl.Total != 0 {
		t.Errorf("empty timeline %s", body)
	}

	// Shares: each bucket's count against every article of its month.
	var all, shares, compared TimelineResponse
	_, body = do(t, h, "GET", "/api/timeline?by=month", nil)
	decode(t, body, &all)
	months := map[string]int{}
	for _, b := range all.Buckets {
		months[b.Start.Format("2006-01")] = b.Count
	}
	_, body = do(t, h, "GET", "/api/timeline?q=harbour&by=month&share=true", nil)
	decode(t, body, &shares)
	if !shares.Share || len(shares.Buckets) == 0 {
		t.Fatalf("share timeline %s", body)
	}
	for _, b := range shares.Buckets {
		if m := b.Start.Format("2006-01"); b.Of != months[m] || b.Share != float64(b.Count)/float64(months[m]) || b.Count > b.Of {
			t.Errorf("share bucket %+v; all articles that month: %d", b, months[m])
		}
	}
	// A period with articles but none matching has its share, 0, written
	// out: a bucket without "share" read as one with no data (pandas'
	// NaN), which is what the count-0 buckets are there to tell apart.
	_, body = do(t, h, "GET", "/api/timeline?q=zzzznothing&by=month&share=true", nil)
	var raw struct {
		Buckets []map[string]any `json:"buckets"`
	}
	decode(t, body, &raw)
	if len(raw.Buckets) != len(all.Buckets) {
		t.Fatalf("share timeline of no match: %d buckets, want one per month with articles (%d)", len(raw.Buckets), len(all.Buckets))
	}
	for _, b := range raw.Buckets {
		if share, ok := b["share"]; !ok || share != 0.0 || b["count"] != 0.0 || b["of"] == nil {
			t.Errorf("bucket without a match %v: want count 0, of, and share 0", b)
		}
	}
	if _, body = do(t, h, "GET", "/api/timeline?q=zzzznothing&by=month", nil); strings.Contains(body, `"share"`) || strings.Contains(body, `"of"`) {
		t.Errorf("timeline without shares has of or share: %s", body)
	}

	// The same as CSV: a row per bucket, in order.
	res, body := do(t, h, "GET", "/api/timeline?q=harbour&by=month&share=true&format=csv", nil)
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" || len(rows) != len(shares.Buckets)+1 ||
		strings.Join(rows[0], ",") != "start,key,count,of,share" {
		t.Fatalf("timeline CSV (%v, %s):\n%s", err, res.Header.Get("Content-Type"), body)
	}
	for i, b := range shares.Buckets {
		want := []string{b.Start.Format("2006-01-02"), "", strconv.Itoa(b.Count), strconv.Itoa(b.Of), strconv.FormatFloat(b.Share, 'f', 6, 64)}
		if !slices.Equal(rows[i+1], want) {
			t.Errorf("CSV row %d: %q, want %q", i+1, rows[i+1], want)
		}
	}

	// A comparison: each query's own timeline, keyed by the query.
	_, body = do(t, h, "GET", "/api/timeline?q=harbour&compare=breakwater&compare=harbour&by=month", nil)
	decode(t, body, &compared)
	if compared.Split != "query" || !slices.Equal(compared.Compare, []string{"breakwater"}) {
		t.Fatalf("comparison %s", body)
	}
	for _, q := range []string{"harbour", "breakwater"} {
		var alone TimelineResponse
		_, body = do(t, h, "GET", "/api/timeline?by=month&q="+q, nil)
		decode(t, body, &alone)
		var got []store.Bucket
		for _, b := range compared.Buckets {
			if b.Key == q {
				b.Key = ""
				got = append(got, b)
			}
		}
		if len(got) == 0 || !reflect.DeepEqual(got, alone.Buckets) {
			t.Errorf("%s in the comparison: %+v; alone: %+v", q, got, alone.Buckets)
		}
	}

	var top struct {
		Field  string        `json:"field"`
		Counts []store.Count `json:"counts"`
	}
	_, body = do(t, h, "GET", "/api/top?field=author&q=breakwater", nil)
	decode(t, body, &top)
	if top.Field != "author" || len(top.Counts) != 1 || top.Counts[0] != (store.Count{Key: "Jane Doe", Count: 2}) {
		t.Errorf("top authors %+v", top)
	}
	_, body = do(t, h, "GET", "/api/top?field=lang&q=breakwater", nil)
	decode(t, body, &top)
	if top.Field != "lang" || len(top.Counts) != 1 || top.Counts[0] != (store.Count{Key: "en", Count: 2}) {
		t.Errorf("top languages %+v", top)
	}
	var stories StoriesResponse
	_, body = do(t, h, "GET", "/api/stories?q=breakwater", nil)
	decode(t, body, &stories)
	if len(stories.Stories) != 1 || stories.Stories[0].Articles != 2 || stories.Stories[0].Sites != 2 || stories.Stories[0].First.ID == "" {
		t.Errorf("stories of breakwater %s", body)
	}
	if res, body := do(t, h, "GET", "/api/stories?q=breakwater&format=csv", nil); res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(body, "cluster,articles,sites,first_date,") || strings.Count(body, "\n") != 2 {
		t.Errorf("stories as CSV: %s\n%s", res.Header.Get("Content-Type"), body)
	}
	if _, body = do(t, h, "GET", "/api/stories?q=zzzznothing", nil); !strings.Contains(body, `"stories": []`) {
		t.Errorf("stories of nothing: %s", body)
	}
	_, body = do(t, h, "GET", "/api/top?field=site&n=3", nil)
	decode(t, body, &top)
	if len(top.Counts) != 3 {
		t.Errorf("top sites n=3: %+v", top)
	}
}

func TestAPIStatsHealthSourcesFetches(t *testing.T) {
	f := sharedArchive(t)
	h := testServer(f, Options{})
	var st struct {
		Articles int            `json:"articles"`
		Versions int            `json:"versions"`
		Sources  int            `json:"sources"`
		Frontier map[string]int `json:"frontier"`
	}
	_, body := do(t, h, "GET", "/api/stats", nil)
	decode(t, body, &st)
	if st.Articles != genArticles+4 || st.Versions != 1 || st.Sources != 2 || st.Frontier == nil {
		t.Errorf("stats %s", body)
	}
	res, body := do(t, h, "GET", "/api/health", nil)
	if res.StatusCode != 200 || !strings.Contains(body, `"ok"`) {
		t.Errorf("health %d %s", res.StatusCode, body)
	}

	var srcs struct{ Sources []sourceView }
	_, body = do(t, h, "GET", "/api/sources", nil)
	decode(t, body, &srcs)
	if len(srcs.Sources) != 2 {
		t.Fatalf("sources %s", body)
	}
	good, bad := srcs.Sources[0], srcs.Sources[1]
	if good.Health.Status != "ok" || good.Health.Articles != 1 || good.Health.LastFetch == nil || good.IntervalSeconds != 3600 {
		t.Errorf("good source %+v", good)
	}
	if bad.Health.Status != "failing" || bad.Health.LastFetch == nil || bad.Health.LastFetch.Status != 500 {
		t.Errorf("failing source %+v", bad)
	}

	var one struct {
		ID      int64        `json:"id"`
		Health  health       `json:"health"`
		Fetches []*fetchView `json:"fetches"`
	}
	_, body = do(t, h, "GET", "/api/sources/"+itoa(f.sourceID)+"?limit=1", nil)
	decode(t, body, &one)
	if one.ID != f.sourceID || len(one.Fetches) != 1 || one.Fetches[0].ArticleID != f.harbour {
		t.Errorf("one source %s", body)
	}

	var fl struct{ Fetches []*fetchView }
	_, body = do(t, h, "GET", "/api/fetches", nil)
	decode(t, body, &fl)
	if len(fl.Fetches) != 4 || fl.Fetches[0].URL != "javascript:alert(8)" {
		t.Errorf("fetch log %s", body)
	}
	_, body = do(t, h, "GET", "/api/fetches?source="+itoa(f.sourceID), nil)
	decode(t, body, &fl)
	if len(fl.Fetches) != 2 {
		t.Errorf("fetch log of one source: %d entries", len(fl.Fetches))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestAPIExport(t *testing.T) {
	f := sharedArchive(t)
	h := testServer(f, Options{})
	res, body := do(t, h, "GET", "/api/export?q=breakwater", nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/x-ndjson; charset=utf-8" {
		t.Fatalf("jsonl: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "herald-export.jsonl") {
		t.Errorf("Content-Disposition %q", cd)
	}
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2", len(lines))
	}
	var r store.Record
	decode(t, lines[0], &r)
	if r.ID != f.harbour || r.Text == "" {
		t.Errorf("first record %s (%d bytes of text), want %s by date", r.ID, len(r.Text), f.harbour)
	}

	res, body = do(t, h, "GET", "/api/export?format=csv&q=harbour&limit=2", nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(export.Columns, ",") || len(rows[1]) != len(export.Columns) {
		t.Errorf("csv: %d rows, header %v", len(rows), rows[0])
	}

	// Everything, streamed.
	_, body = do(t, h, "GET", "/api/export", nil)
	if n := strings.Count(body, "\n"); n != genArticles+4 {
		t.Errorf("full export: %d lines, want %d", n, genArticles+4)
	}

	// Collapsed: each cluster of the full export once, as its first
	// article in export order.
	first := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		var r store.Record
		decode(t, line, &r)
		if _, ok := first[r.ClusterID]; !ok {
			first[r.ClusterID] = r.ID
		}
	}
	_, body = do(t, h, "GET", "/api/export?collapse=true", nil)
	lines = strings.Split(strings.TrimSpace(body), "\n")
	if len(lines) != len(first) || len(first) >= genArticles+4 {
		t.Errorf("collapsed export: %d lines, want %d (clusters), fewer than %d", len(lines), len(first), genArticles+4)
	}
	for _, line := range lines {
		var r store.Record
		decode(t, line, &r)
		if first[r.ClusterID] != r.ID {
			t.Errorf("collapsed export has %s of cluster %s, want %s", r.ID, r.ClusterID, first[r.ClusterID])
		}
	}
}

// TestAPIWrites covers the admin endpoints: read-only without a token,
// 401 with a wrong one, then add, pause, resume, remove; bodies checked.
func TestAPIWrites(t *testing.T) {
	f := newArchive(t)
	const token = "test-token-0123456789"
	ro := testServer(f, Options{})
	h := testServer(f, Options{AdminToken: token})
	auth := []string{"Authorization", "Bearer " + token, "Content-Type", "application/json"}
	post := func(h http.Handler, target, body string, header ...string) (*http.Response, apiError, string) {
		t.Helper()
		res, b := do(t, h, "POST", target, strings.NewReader(body), header...)
		var e apiError
		if res.StatusCode >= 400 {
			decode(t, b, &e)
		}
		return res, e, b
	}
	feed := `{"url": "http://93.184.216.34/feed.xml", "kind": "feed", "interval_seconds": 1800}`

	for _, tc := range []struct {
		name   string
		h      http.Handler
		target string
		body   string
		header []string
		status int
		code   string
	}{
		{"read-only", ro, "/api/sources", feed, auth, 403, "read_only"},
		{"read-only harvest", ro, "/api/harvest", "", auth, 403, "read_only"},
		{"no token", h, "/api/sources", feed, nil, 401, "unauthorized"},
		{"wrong token", h, "/api/sources", feed, []string{"Authorization", "Bearer nope"}, 401, "unauthorized"},
		{"basic auth", h, "/api/sources", feed, []string{"Authorization", "Basic " + token}, 401, "unauthorized"},
		{"not json", h, "/api/sources", "url=x", []string{"Authorization", "Bearer " + token, "Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"},
		{"no content type", h, "/api/sources", feed, []string{"Authorization", "Bearer " + token}, 415, "unsupported_media_type"},
		{"bad json", h, "/api/sources", `{"url":`, auth, 400, "bad_request"},
		{"unknown field", h, "/api/sources", `{"url": "http://93.184.216.34/", "color": 1}`, auth, 400, "bad_request"},
		{"two objects", h, "/api/sources", feed + feed, auth, 400, "bad_request"},
		{"too large", h, "/api/sources", `{"url": "` + strings.Repeat("a", maxBody) + `"}`, auth, 413, "too_large"},
		{"no url", h, "/api/sources", `{"kind": "feed"}`, auth, 400, "bad_request"},
		{"javascript url", h, "/api/sources", `{"url": "javascript:alert(1)"}`, auth, 400, "bad_request"},
		{"credentials", h, "/api/sources", `{"url": "http://u:p@93.184.216.34/"}`, auth, 400, "bad_request"},
		{"bad kind", h, "/api/sources", `{"url": "http://93.184.216.34/", "kind": "podcast"}`, auth, 400, "bad_request"},
		{"bad interval", h, "/api/sources", `{"url": "http://93.184.216.34/", "interval_seconds": 5}`, auth, 400, "bad_request"},
		{"interval that wraps", h, "/api/sources", `{"url": "http://93.184.216.34/", "interval_seconds": 36028797018967568}`, auth, 400, "bad_request"},
		{"negative interval", h, "/api/sources", `{"url": "http://93.184.216.34/", "interval_seconds": -3600}`, auth, 400, "bad_request"},
		{"loopback", h, "/api/sources", `{"url": "http://127.0.0.1:8080/feed"}`, auth, 422, "url_refused"},
		{"private", h, "/api/sources", `{"url": "http://10.1.2.3/feed"}`, auth, 422, "url_refused"},
		{"localhost", h, "/api/sources", `{"url": "http://localhost/feed"}`, auth, 422, "url_refused"},
		{"mapped v6", h, "/api/sources", `{"url": "http://[::ffff:192.168.0.1]/feed"}`, auth, 422, "url_refused"},
		{"harvest", h, "/api/harvest", "", auth, 501, "not_implemented"},
		{"pause missing", h, "/api/sources/999/pause", "", auth, 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, e, body := post(tc.h, tc.target, tc.body, tc.header...)
			if res.StatusCode != tc.status || e.Error.Code != tc.code {
				t.Errorf("%d %+v, want %d %s: %s", res.StatusCode, e.Error, tc.status, tc.code, clip(body))
			}
			if tc.status == 401 && res.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}

	// The interval is checked as given, not after it wrapped around.
	if _, e, _ := post(h, "/api/sources", `{"url": "http://93.184.216.34/", "interval_seconds": 36028797018967568}`, auth...); e.Error.Message != "interval_seconds 36028797018967568: want 0 (the default) or 60 to 2678400" {
		t.Errorf("interval that wraps: %q", e.Error.Message)
	}

	// A value of the wrong JSON type is named in JSON's words, not Go's
	// ("cannot unmarshal array into Go value of type web.newSource").
	for body, want := range map[string]string{
		`[]`:                      "request body: want a JSON object, got an array",
		`"http://93.184.216.34/"`: "request body: want a JSON object, got a string",
		`{"url": 5}`:              "url: want a string, got a number",
		`{"url": "http://93.184.216.34/", "interval_seconds": "60"}`:                 "interval_seconds: want a whole number, got a string",
		`{"url": "http://93.184.216.34/", "paused": "yes"}`:                          "paused: want true or false, got a string",
		`{"url": "http://93.184.216.34/", "interval_seconds": 1.5}`:                  "interval_seconds: want a whole number, got the number 1.5",
		`{"url": "http://93.184.216.34/", "interval_seconds": 99999999999999999999}`: "interval_seconds: 99999999999999999999 is out of range (want a whole number from -9223372036854775808 to 9223372036854775807)",
	} {
		if _, e, _ := post(h, "/api/sources", body, auth...); e.Error.Code != "bad_request" || e.Error.Message != want {
			t.Errorf("POST %s: %+v, want bad_request %q", body, e.Error, want)
		}
	}

	res, _, body := post(h, "/api/sources", feed, auth...)
	if res.StatusCode != 201 {
		t.Fatalf("add: %d %s", res.StatusCode, body)
	}
	var v sourceView
	decode(t, body, &v)
	if v.ID == 0 || v.Kind != "feed" || v.IntervalSeconds != 1800 || v.Health.Status != "new" || res.Header.Get("Location") != "/api/sources/"+itoa(v.ID) {
		t.Errorf("added %+v at %s", v, res.Header.Get("Location"))
	}
	if res, e, _ := post(h, "/api/sources", feed, auth...); res.StatusCode != 409 || e.Error.Code != "conflict" {
		t.Errorf("duplicate add: %d %+v", res.StatusCode, e)
	}
	res, _, body = post(h, "/api/sources/"+itoa(v.ID)+"/pause", "", auth...)
	decode(t, body, &v)
	if res.StatusCode != 200 || !v.Paused || v.Health.Status != "paused" {
		t.Errorf("pause: %d %+v", res.StatusCode, v)
	}
	res, _, body = post(h, "/api/sources/"+itoa(v.ID)+"/resume", "", auth...)
	decode(t, body, &v)
	if res.StatusCode != 200 || v.Paused {
		t.Errorf("resume: %d %+v", res.StatusCode, v)
	}
	if res, _ := do(t, ro, "DELETE", "/api/sources/"+itoa(v.ID), nil); res.StatusCode != 403 {
		t.Errorf("read-only delete: %d", res.StatusCode)
	}
	if res, _ := do(t, h, "DELETE", "/api/sources/"+itoa(v.ID), nil, auth...); res.StatusCode != 204 {
		t.Errorf("delete: %d", res.StatusCode)
	}
	if res, _ := do(t, h, "DELETE", "/api/sources/"+itoa(v.ID), nil, auth...); res.StatusCode != 404 {
		t.Errorf("delete again: %d", res.StatusCode)
	}
	// A private address is fine when the server allows it.
	local := testServer(f, Options{AdminToken: token, AllowPrivate: true})
	if res, _, body := post(local, "/api/sources", `{"url": "http://127.0.0.1:9/feed", "kind": "sitemap"}`, auth...); res.StatusCode != 201 {
		t.Errorf("AllowPrivate add: %d %s", res.StatusCode, body)
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	f := sharedArchive(t)
	h := testServer(f, Options{})
	for _, target := range []string{"/", "/?q=%22", "/api/search", "/api/nope", "/articles/nope", "/static/style.css", "/timeline", "/sources"} {
		res, _ := do(t, h, "GET", target, nil)
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", target, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", target, res.Header)
		}
	}
}

// TestNextLinkKeepsParameters checks that the API's next link is a
// search for the same thing.
func TestNextLinkKeepsParameters(t *testing.T) {
	h := testServer(sharedArchive(t), Options{})
	_, body := do(t, h, "GET", "/api/search?q=the&limit=5&page=2&sort=oldest&collapse=false", nil)
	var sb searchBody
	decode(t, body, &sb)
	u, err := url.Parse(sb.Next)
	if err != nil {
		t.Fatal(err)
	}
	v := u.Query()
	if v.Get("offset") != "10" || v.Get("page") != "" || v.Get("sort") != "oldest" || v.Get("limit") != "5" || v.Get("collapse") != "false" {
		t.Errorf("next = %s", sb.Next)
	}
}

// population: a query's top-level filters, alone, combined or negated,
// bound its shares; its words and terms that mix words and filters do
// not.
func TestPopulation(t *testing.T) {
	for _, tc := range []struct{ q, want string }{
		{"", ""},
		{"flood", ""},
		{"flood after:2024-06-15", "after:2024-06-15"},
		{"before:2024-07-01 site:a.example flood after:2024-06-15", "before:2024-07-01 site:a.example after:2024-06-15"},
		{"after:2024-06-15", "after:2024-06-15"},
		{"flood lang:ru -site:a.example", "lang:ru -site:a.example"},
		{"flood (site:a.example OR site:b.example)", "site:a.example OR site:b.example"},
		{"(flood after:2024-06-15) OR drought", ""},
		{"flood -after:2024-06-15", "-after:2024-06-15"},
		{"flood OR site:a.example", ""},
		{`"heavy rain" -(flood tag:weather)`, ""},
	} {
		q, err := store.ParseQuery(tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := population(q).String(); got != tc.want {
			t.Errorf("population(%q) = %q, want %q", tc.q, got, tc.want)
		}
	}
}

// GET /api/export?format=warc streams the raw captures as one WARC file:
// a warcinfo record, the harbour page's response as stored (its original
// record id) with its request, and a last record naming the syndicated
// copy, which has no capture; the same bytes twice; captured_only leaves
// the copy out unnamed; a capture the server cannot read is named in the
// last record, the status 200 all the same; a server without a capture
// folder answers 404; the search page links the WARC export only when
// the server has one.
func TestAPIExportWARC(t *testing.T) {
	f := sharedArchive(t)
	h := testServer(f, Options{ArchiveName: "news.db"})
	var a struct {
		Record store.Record `json:"record"`
	}
	_, body := do(t, h, "GET", "/api/articles/"+f.harbour, nil)
	decode(t, body, &a)
	if a.Record.Capture == nil {
		t.Fatal("the harbour page has no capture")
	}
	read := func(body string) []*warc.Record {
		t.Helper()
		rd := warc.NewBlockReader(strings.NewReader(body))
		var recs []*warc.Record
		for {
			rec, err := rd.Next()
			if errors.Is(err, io.EOF) {
				return recs
			}
			if err != nil {
				t.Fatalf("record %d: %v", len(recs), err)
			}
			if err := rec.CheckBlockDigest(); err != nil {
				t.Error(err)
			}
			recs = append(recs, rec)
		}
	}

	res, body := do(t, h, "GET", "/api/export?format=warc&q=breakwater", nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/warc" ||
		!strings.Contains(res.Header.Get("Content-Disposition"), `filename="herald-export.warc.gz"`) {
		t.Fatalf("warc: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	recs := read(body)
	if len(recs) != 4 || recs[0].Type != warc.TypeWarcinfo || !strings.Contains(string(recs[0].Block), "herald-archive: news.db") ||
		recs[1].RecordID != a.Record.Capture.RecordID || recs[2].Type != warc.TypeRequest ||
		recs[3].Type != warc.TypeMetadata || !strings.Contains(string(recs[3].Block), "left-out: "+f.copy) {
		t.Fatalf("%d records", len(recs))
	}
	if _, again := do(t, h, "GET", "/api/export?format=warc&q=breakwater", nil); again != body {
		t.Error("a second export gave other bytes")
	}
	_, body = do(t, h, "GET", "/api/export?format=warc&q=breakwater&captured_only=true&versions=false", nil)
	if recs := read(body); len(recs) != 3 || recs[2].Type != warc.TypeRequest {
		t.Errorf("captured_only: %d records", len(recs))
	}

	res, body = do(t, testServer(f, Options{CaptureDir: t.TempDir()}), "GET", "/api/export?format=warc&q=breakwater&captured_only=true", nil)
	if recs := read(body); res.StatusCode != 200 || len(recs) != 2 || !strings.Contains(string(recs[1].Block), "left-out: "+f.harbour) ||
		!strings.Contains(string(recs[1].Block), "no such file") {
		t.Errorf("captures not found: %d, %d records", res.StatusCode, len(recs))
	}
	res, body = do(t, New(f.db, Options{}), "GET", "/api/export?format=warc", nil)
	if res.StatusCode != 404 || !strings.Contains(body, "does not serve captures") {
		t.Errorf("without a capture folder: %d %s", res.StatusCode, body)
	}
	if res, _ := do(t, h, "GET", "/api/export?format=warc&versions=maybe", nil); res.StatusCode != 400 {
		t.Errorf("versions=maybe: %d", res.StatusCode)
	}

	_, page := do(t, h, "GET", "/?q=breakwater", nil)
	if !strings.Contains(page, "format=warc") {
		t.Error("the search page lacks the WARC export link")
	}
	if _, page := do(t, New(f.db, Options{}), "GET", "/?q=breakwater", nil); strings.Contains(page, "format=warc") {
		t.Error("a server without captures links a WARC export")
	}
}

// A write body the API cannot read is refused with a 400 that says, in
// the API's words, which field is wrong and what it wants, where the
// body stops being JSON, or which fields there are; it quoted Go's
// decoder ("json: cannot unmarshal number 1e30 into Go struct field
// newSource.interval_seconds of type int64").
func TestAPIBodyErrorsInAPIWords(t *testing.T) {
	f := newArchive(t)
	const token = "test-token-0123456789"
	h := testServer(f, Options{AdminToken: token})
	auth := []string{"Authorization", "Bearer " + token, "Content-Type", "application/json"}
	for _, tc := range []struct{ body, want string }{
		{`{"url": "http://93.184.216.34/", "interval_seconds": 1e30}`, "interval_seconds: want a whole number, got the number 1e30"},
		{`{"url": "http://93.184.216.34/", "interval_seconds": 90.5}`, "interval_seconds: want a whole number, got the number 90.5"},
		{`{"url": "http://93.184.216.34/", "interval_seconds": "1800"}`, "interval_seconds: want a whole number, got a string"},
		{`{"url": 5}`, "url: want a string, got a number"},
		{`{"url": "http://93.184.216.34/", "paused": "yes"}`, "paused: want true or false, got a string"},
		{`{"url": "http://93.184.216.34/", "color": 1}`, `unknown field "color": want url, kind, interval_seconds, paused`},
		{`[{"url": "http://93.184.216.34/"}]`, "request body: want a JSON object, got an array"},
		{`{"url":`, "request body: the JSON ends before it is complete"},
		{`{url: 1}`, "request body: not valid JSON at byte 2"},
	} {
		res, b := do(t, h, "POST", "/api/sources", strings.NewReader(tc.body), auth...)
		var e apiError
		decode(t, b, &e)
		if res.StatusCode != 400 || e.Error.Code != "bad_request" || e.Error.Message != tc.want {
			t.Errorf("%s: %d %+v\nwant 400 bad_request %q", tc.body, res.StatusCode, e.Error, tc.want)
		}
	}
}
