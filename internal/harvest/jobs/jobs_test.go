package jobs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/harvest"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
)

// articlePage is a news page the extractor takes for an article.
func articlePage(title string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html lang=en><head><title>%s</title>"+
		`<meta property="article:published_time" content="2024-05-01T09:00:00Z"></head>`+
		"<body><nav><a href=/>Home</a></nav><article><h1>%s</h1>", title, title)
	words := strings.Fields("harbour ferry council pontoon storm tide market crane museum festival pier lighthouse " +
		"dredging fares timetable quay warehouse fishermen beacon channel breakwater inspector budget mayor")
	seed := len(title) * 7
	for _, c := range title {
		seed = seed*31 + int(c)
	}
	for i := range 6 {
		b.WriteString("<p>")
		for k := range 40 {
			seed = seed*1103515245 + 12345
			fmt.Fprintf(&b, "%s ", words[(seed>>8)&0x7fffffff%len(words)])
			if k%10 == 9 {
				b.WriteString("said the officials. ")
			}
		}
		fmt.Fprintf(&b, "That was paragraph %d.</p>", i)
	}
	b.WriteString("</article><footer>The Test Gazette</footer></body></html>")
	return b.String()
}

// site is a test news site counting hits per path; /slow.html answers
// only when release is closed or the request ends.
type site struct {
	srv     *httptest.Server
	release chan struct{}
	mu      sync.Mutex
	hits    map[string]int
}

func newSite(t *testing.T) *site {
	s := &site{release: make(chan struct{}), hits: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		switch {
		case r.URL.Path == "/robots.txt":
			http.NotFound(w, r)
			return
		case r.URL.Path == "/slow.html":
			select {
			case <-s.release:
			case <-r.Context().Done():
			}
		case !strings.HasPrefix(r.URL.Path, "/news/"):
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, articlePage("Story "+strings.TrimSuffix(r.URL.Path, ".html")))
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) url(path string) string { return s.srv.URL + path }

func (s *site) hit(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// newHarvester opens a fresh archive and a harvester on it.
func newHarvester(t *testing.T) (*harvest.Harvester, store.Store) {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h, err := harvest.New(db, harvest.Options{
		Delay: -1, AllowPrivate: true, RetryBackoff: 10 * time.Millisecond,
		WARCDir: filepath.Join(dir, "herald.db.warc"), CaptureBase: dir,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h, db
}

func stored(t *testing.T, st store.Store, rawURL string) bool {
	t.Helper()
	cu, err := canon.URL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Get(context.Background(), canon.ID(cu))
	return err == nil
}

// waitJob polls jobs until the job with id is final, or fails the test.
func waitJob(t *testing.T, q *Queue, id string) Job {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		job, ok := q.Job(id)
		if !ok {
			t.Fatalf("job %s forgotten", id)
		}
		switch job.State {
		case Done, Failed, Cancelled:
			return job
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("job %s did not finish", id)
	return Job{}
}

func TestJobs(t *testing.T) {
	ts := newSite(t)
	h, st := newHarvester(t)
	jobs := New(context.Background(), h, Options{})
	defer jobs.Close()
	pages := []string{"/news/harbour-reopens.html", "/news/ferry-fares-rise.html"}

	// A job for two pages, then one for the due sources (there are none).
	first, err := jobs.Submit([]string{ts.url(pages[0]), ts.url(pages[1])})
	if err != nil {
		t.Fatal(err)
	}
	if first.State != Queued || first.ID == "" || first.Submitted.IsZero() {
		t.Errorf("submitted job = %+v", first)
	}
	second, err := jobs.Submit(nil)
	if err != nil {
		t.Fatal(err)
	}
	got := waitJob(t, jobs, first.ID)
	if got.State != Done || got.Summary == nil || got.Summary.New != 2 || got.Error != "" {
		t.Fatalf("first job = %+v (summary %+v)", got, got.Summary)
	}
	if got.Started.Before(got.Submitted) || got.Finished.Before(got.Started) {
		t.Errorf("times out of order: %+v", got)
	}
	for _, p := range pages {
		if !stored(t, st, ts.url(p)) {
			t.Errorf("%s not stored", p)
		}
	}
	due := waitJob(t, jobs, second.ID)
	if due.State != Done || due.Summary == nil || due.Summary.Fetched != 0 {
		t.Errorf("due-sources job = %+v", due)
	}
	if due.Started.Before(got.Finished) {
		t.Errorf("second job started %v before the first finished %v", due.Started, got.Finished)
	}
	list := jobs.List()
	if len(list) != 2 || list[0].ID != second.ID || list[1].ID != first.ID {
		t.Errorf("List = %+v, want newest first", list)
	}
	if _, ok := jobs.Job("nope"); ok {
		t.Error("unknown job found")
	}
	// A URL that fails is recorded in the summary; the job itself is done.
	bad, err := jobs.Submit([]string{ts.url("/no-such-page.html")})
	if err != nil {
		t.Fatal(err)
	}
	if got := waitJob(t, jobs, bad.ID); got.State != Done || got.Summary.Stored() != 0 {
		t.Errorf("job of a missing page = %+v", got)
	}
}

func TestJobsQueueFullAndClose(t *testing.T) {
	ts := newSite(t)
	h, _ := newHarvester(t)
	jobs := New(context.Background(), h, Options{MaxQueued: 1})
	running, err := jobs.Submit([]string{ts.url("/slow.html")})
	if err != nil {
		t.Fatal(err)
	}
	// Wait until it runs, so that the next one waits in the queue.
	for deadline := time.Now().Add(10 * time.Second); ; {
		if j, _ := jobs.Job(running.ID); j.State == Running && ts.hit("/slow.html") > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("job did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	queued, err := jobs.Submit([]string{ts.url("/slow.html")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.Submit(nil); !errors.Is(err, ErrQueueFull) {
		t.Errorf("third submit: %v, want ErrQueueFull", err)
	}
	jobs.Close()
	close(ts.release)
	if j, _ := jobs.Job(running.ID); j.State != Cancelled || j.Error == "" || j.Finished.IsZero() {
		t.Errorf("running job after Close = %+v", j)
	}
	if j, _ := jobs.Job(queued.ID); j.State != Cancelled || !j.Started.IsZero() {
		t.Errorf("queued job after Close = %+v", j)
	}
	if _, err := jobs.Submit(nil); !errors.Is(err, ErrClosed) {
		t.Errorf("submit after Close: %v, want ErrClosed", err)
	}
}

func TestJobsKeep(t *testing.T) {
	h, _ := newHarvester(t)
	jobs := New(context.Background(), h, Options{Keep: 2})
	defer jobs.Close()
	var last Job
	for range 4 {
		j, err := jobs.Submit(nil)
		if err != nil {
			t.Fatal(err)
		}
		last = waitJob(t, jobs, j.ID)
	}
	l := jobs.List()
	if len(l) != 2 || l[0].ID != last.ID || l[1].ID != "3" {
		t.Errorf("List = %+v, want jobs 4 and 3", l)
	}
}
