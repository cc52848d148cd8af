package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/harvest"
	"github.com/herald-archive/herald/internal/harvest/jobs"
)

// quaysidePage is an article the test news site serves.
const quaysidePage = `<!doctype html><html lang="en"><head><title>Quayside cranes return</title>
<meta property="article:published_time" content="2024-05-02T08:00:00Z"></head>
<body><nav><a href="/">Home</a></nav><article><h1>Quayside cranes return</h1>
<p>Two restored cranes were lifted back onto the quayside on Wednesday, forty years after the last cargo ship left the old dock.</p>
<p>The zanzibarquay restoration trust said the cranes would be lit at night and opened to visitors during the summer festival.</p>
<p>Volunteers spent three winters stripping rust and replacing the wooden cabins, using drawings found in the harbour archive.</p>
<p>The council said the dock road would stay closed to traffic until the paving works are finished at the end of the month.</p>
</article><footer>The Quayside Times</footer></body></html>`

// quaysideSite serves quaysidePage at /news/cranes.html (404 elsewhere).
func quaysideSite(t *testing.T) *httptest.Server {
	t.Helper()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/news/cranes.html" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, quaysidePage)
	}))
	t.Cleanup(site.Close)
	return site
}

// harvestQueue returns a queue of harvests into f's archive, fast and
// allowed on loopback, closed at the end of the test.
func harvestQueue(t *testing.T, f *fixture) *jobs.Queue {
	t.Helper()
	h, err := harvest.New(f.db, harvest.Options{Delay: -1, AllowPrivate: true,
		WARCDir: filepath.Join(f.dir, "herald.db.warc"), CaptureBase: f.dir})
	if err != nil {
		t.Fatal(err)
	}
	q := jobs.New(context.Background(), h, jobs.Options{})
	t.Cleanup(func() {
		q.Close()
		h.Close()
	})
	return q
}

func TestAPIHarvest(t *testing.T) {
	site := quaysideSite(t)
	f := newArchive(t)
	q := harvestQueue(t, f)
	const token = "test-token-0123456789"
	auth := []string{"Authorization", "Bearer " + token, "Content-Type", "application/json"}
	srv := testServer(f, Options{AdminToken: token, AllowPrivate: true, Harvests: q})

	body := fmt.Sprintf(`{"urls": [%q]}`, site.URL+"/news/cranes.html")
	res, b := do(t, srv, "POST", "/api/harvest", strings.NewReader(body), auth...)
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /api/harvest: %d %s", res.StatusCode, clip(b))
	}
	var job jobs.Job
	decode(t, b, &job)
	if job.ID == "" || job.State != jobs.Queued || res.Header.Get("Location") != "/api/harvest/"+job.ID {
		t.Fatalf("job %+v, Location %q", job, res.Header.Get("Location"))
	}
	for deadline := time.Now().Add(30 * time.Second); job.State == jobs.Queued || job.State == jobs.Running; {
		if time.Now().After(deadline) {
			t.Fatalf("harvest did not finish: %+v", job)
		}
		time.Sleep(10 * time.Millisecond)
		res, b = do(t, srv, "GET", "/api/harvest/"+job.ID, nil)
		if res.StatusCode != 200 {
			t.Fatalf("GET job: %d %s", res.StatusCode, clip(b))
		}
		job = jobs.Job{}
		decode(t, b, &job)
	}
	if job.State != jobs.Done || job.Summary == nil || job.Summary.New != 1 {
		t.Fatalf("finished job = %s", clip(b))
	}
	// The article is in the archive and searchable through the API.
	res, b = do(t, srv, "GET", "/api/search?q=zanzibarquay", nil)
	var sr struct {
		Total int `json:"total"`
		Hits  []struct {
			Record struct {
				Title string `json:"title"`
			} `json:"record"`
		} `json:"hits"`
	}
	decode(t, b, &sr)
	if res.StatusCode != 200 || sr.Total != 1 || len(sr.Hits) != 1 || sr.Hits[0].Record.Title != "Quayside cranes return" {
		t.Errorf("search after harvest: %d %s", res.StatusCode, clip(b))
	}
	// The job list, newest first, and an unknown job.
	res, b = do(t, srv, "GET", "/api/harvest", nil)
	var list struct {
		Enabled bool       `json:"enabled"`
		Jobs    []jobs.Job `json:"jobs"`
	}
	decode(t, b, &list)
	if res.StatusCode != 200 || !list.Enabled || len(list.Jobs) != 1 || list.Jobs[0].ID != job.ID {
		t.Errorf("GET /api/harvest: %d %s", res.StatusCode, clip(b))
	}
	if res, b := do(t, srv, "GET", "/api/harvest/999", nil); res.StatusCode != 404 {
		t.Errorf("unknown job: %d %s", res.StatusCode, clip(b))
	}
	// An empty body harvests the due sources.
	if res, b := do(t, srv, "POST", "/api/harvest", nil, auth...); res.StatusCode != http.StatusAccepted {
		t.Errorf("POST without body: %d %s", res.StatusCode, clip(b))
	}
	// So does an empty chunked one (its length is not known up front),
	// without a Content-Type.
	chunked := httptest.NewRequest("POST", "/api/harvest", io.NopCloser(strings.NewReader("")))
	chunked.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, chunked)
	if chunked.ContentLength != -1 || rec.Code != http.StatusAccepted {
		t.Errorf("POST with an empty chunked body (length %d): %d %s", chunked.ContentLength, rec.Code, clip(rec.Body.String()))
	}
	// A chunked body with data is read whole.
	chunked = httptest.NewRequest("POST", "/api/harvest", io.NopCloser(strings.NewReader(`{"urls": []}`)))
	chunked.Header.Set("Authorization", "Bearer "+token)
	chunked.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, chunked)
	if rec.Code != http.StatusAccepted {
		t.Errorf("POST with a chunked body: %d %s", rec.Code, clip(rec.Body.String()))
	}

	// Refusals: too many URLs, a bad URL, a private host on a server that
	// does not allow them, no token; and a server without harvests lists
	// none.
	guarded := testServer(f, Options{AdminToken: token, Harvests: q})
	many := `{"urls": [` + strings.TrimSuffix(strings.Repeat(`"http://93.184.216.34/x",`, maxHarvestURLs+1), ",") + `]}`
	for _, tc := range []struct {
		name   string
		h      http.Handler
		body   string
		header []string
		status int
		code   string
	}{
		{"too many", srv, many, auth, 400, "bad_request"},
		{"not a url", srv, `{"urls": ["ftp://example.org/x"]}`, auth, 400, "bad_request"},
		{"unknown field", srv, `{"url": "http://93.184.216.34/x"}`, auth, 400, "bad_request"},
		{"private host", guarded, `{"urls": ["http://127.0.0.1/x"]}`, auth, 422, "url_refused"},
		{"no token", srv, body, nil, 401, "unauthorized"},
		{"no content type", srv, body, []string{"Authorization", "Bearer " + token}, 415, "unsupported_media_type"},
		{"server without a token", testServer(f, Options{Harvests: q}), body, auth, 403, "read_only"},
		{"server without harvests", testServer(f, Options{AdminToken: token}), body, auth, 501, "not_implemented"},
	} {
		res, b := do(t, tc.h, "POST", "/api/harvest", strings.NewReader(tc.body), tc.header...)
		var e apiError
		decode(t, b, &e)
		if res.StatusCode != tc.status || e.Error.Code != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, res.StatusCode, clip(b), tc.status, tc.code)
		}
	}
	res, b = do(t, testServer(f, Options{}), "GET", "/api/harvest", nil)
	list.Enabled, list.Jobs = true, nil
	decode(t, b, &list)
	if res.StatusCode != 200 || list.Enabled || list.Jobs == nil || len(list.Jobs) != 0 {
		t.Errorf("GET /api/harvest without harvests: %d %s", res.StatusCode, clip(b))
	}
}

func TestHarvestForm(t *testing.T) {
	site := quaysideSite(t)
	f := newArchive(t)
	q := harvestQueue(t, f)
	const token = "form-test-token-0123456789"
	srv := testServer(f, Options{AdminToken: token, AllowPrivate: true, Harvests: q})

	var cookie *http.Cookie
	post := func(target string, form url.Values) (*http.Response, string) {
		t.Helper()
		req := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://example.com")
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Result(), rec.Body.String()
	}
	get := func(target string) string {
		t.Helper()
		req := httptest.NewRequest("GET", target, nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Body.String()
	}

	if body := get("/sources"); !strings.Contains(body, "Sign in to start a harvest") || strings.Contains(body, `action="/harvest"`) {
		t.Error("signed-out page offers the harvest form")
	}
	if res, _ := post("/harvest", url.Values{"urls": {site.URL + "/a.html"}}); res.StatusCode != 401 {
		t.Errorf("harvest while signed out: %d", res.StatusCode)
	}
	res, _ := post("/login", url.Values{"token": {token}})
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("no session")
	}
	csrf := srv.csrfFor(cookie.Value)
	if res, _ := post("/harvest", url.Values{"urls": {site.URL + "/a.html"}}); res.StatusCode != 403 {
		t.Errorf("harvest without csrf: %d", res.StatusCode)
	}
	res, body := post("/harvest", url.Values{"urls": {"javascript:alert(1)\n"}, "csrf": {csrf}})
	if res.StatusCode != 400 || !strings.Contains(body, "javascript:alert(1)") || !strings.Contains(body, "<textarea") {
		t.Errorf("bad URL: %d, form not shown again with what was typed", res.StatusCode)
	}
	checkSafeHTML(t, "harvest form error", body)

	res, _ = post("/harvest", url.Values{"urls": {"\n " + site.URL + "/news/cranes.html \n\n"}, "csrf": {csrf}})
	if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/sources?done=harvest-queued") {
		t.Fatalf("harvest: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	list := q.List()
	if len(list) != 1 || len(list[0].URLs) != 1 || list[0].URLs[0] != site.URL+"/news/cranes.html" {
		t.Fatalf("queued jobs %+v", list)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if j, _ := q.Job(list[0].ID); j.State == jobs.Done {
			break
		} else if time.Now().After(deadline) || j.State == jobs.Failed || j.State == jobs.Cancelled {
			t.Fatalf("job %+v", j)
		}
	}
	body = get("/sources?done=harvest-queued")
	if !strings.Contains(body, "Harvest queued") || !strings.Contains(body, "status-job-done") || !strings.Contains(body, site.URL+"/news/cranes.html") {
		t.Errorf("sources page after the harvest lacks the job: %s", clip(body[strings.Index(body, "Harvest now"):]))
	}
	checkSafeHTML(t, "sources with jobs", body)

	// A server without harvests shows no such section, and refuses the form.
	plain := testServer(f, Options{AdminToken: token})
	rec := httptest.NewRecorder()
	plain.ServeHTTP(rec, httptest.NewRequest("GET", "/sources", nil))
	if strings.Contains(rec.Body.String(), "Harvest now") {
		t.Error("harvest section on a server without harvests")
	}
}
