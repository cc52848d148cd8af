package queue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/fetch"
)

// robotsSite serves a robots.txt disallowing /private/ (counting its
// requests) and a small page anywhere else.
func robotsSite(t *testing.T, robots *atomic.Int64) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			robots.Add(1)
			io.WriteString(w, "User-agent: *\nDisallow: /private/\n")
			return
		}
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body>"+r.URL.Path+"</body></html>")
	}))
	t.Cleanup(s.Close)
	return s
}

// fleetFetcher is a worker's fetcher: its own connection, host gate and
// in-memory robots.txt cache, and the fleet's robots.txt bucket.
func fleetFetcher(t *testing.T, url, id string) (*fetch.Client, *Client) {
	t.Helper()
	c := connect(t, url, Options{})
	f := fetch.New(fetch.Options{MinDelay: -1, AllowPrivate: true, Retries: -1,
		Gate: c.Hosts(HostsOptions{Holder: id}), Robots: c.Robots()})
	t.Cleanup(f.Close)
	return f, c
}

// TestRobotsSharedByFleet: workers fetching pages of one site at once
// download its robots.txt once between them and all obey it; a worker
// that finds the fleet's copy expired downloads it again, once; and when
// the bucket or the server is away, a worker falls back on its own:
// downloading robots.txt itself while the gate answers, and failing with
// fetch.ErrGate (the queue's cue to hold the job, not a verdict about the
// host) while the server is away.
func TestRobotsSharedByFleet(t *testing.T) {
	srv, url := startRestartable(t)
	var robots atomic.Int64
	site := robotsSite(t, &robots)
	ctx := context.Background()

	// Each worker connects first: a client's Connect creates the
	// bucket if it is missing.
	fetchers := func(what string, workers int) []*fetch.Client {
		t.Helper()
		var fs []*fetch.Client
		for w := range workers {
			f, _ := fleetFetcher(t, url, fmt.Sprintf("%s-w%d", what, w))
			fs = append(fs, f)
		}
		return fs
	}
	fetchAll := func(what string, fs []*fetch.Client) {
		t.Helper()
		var wg sync.WaitGroup
		for w, f := range fs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 3 {
					if _, err := f.Fetch(ctx, fetch.Request{URL: fmt.Sprintf("%s/page-%d-%d.html", site.URL, w, i)}); err != nil {
						t.Errorf("%s: worker %d: %v", what, w, err)
					}
				}
				if _, err := f.Fetch(ctx, fetch.Request{URL: site.URL + "/private/x.html"}); !errors.Is(err, fetch.ErrDisallowed) {
					t.Errorf("%s: worker %d fetched a disallowed page: %v", what, w, err)
				}
			}()
		}
		wg.Wait()
	}

	fetchAll("first", fetchers("first", 4))
	if n := robots.Load(); n != 1 {
		t.Fatalf("four workers requested robots.txt %d times, want once", n)
	}

	// The fleet's copy runs out: the next worker to need it downloads it
	// again, once for all.
	_, c := fleetFetcher(t, url, "clock")
	origin := "http://" + strings.TrimPrefix(site.URL, "http://")
	rec, err := c.Robots().LoadRobots(ctx, origin)
	if err != nil || rec == nil || rec.Outcome != fetch.RobotsFound || !strings.Contains(string(rec.Body), "Disallow: /private/") {
		t.Fatalf("stored robots.txt of %s: %+v, %v", origin, rec, err)
	}
	rec.Expires = time.Now().Add(-time.Second)
	if err := c.Robots().StoreRobots(ctx, origin, rec); err != nil {
		t.Fatal(err)
	}
	fetchAll("expired", fetchers("expired", 3))
	if n := robots.Load(); n != 2 {
		t.Fatalf("robots.txt requested %d times in all, want once more after its copy expired", n)
	}
	if rec, err := c.Robots().LoadRobots(ctx, origin); err != nil || rec == nil || !rec.Expires.After(time.Now()) {
		t.Fatalf("robots.txt downloaded again was not stored: %+v, %v", rec, err)
	}

	// The server away: nothing is sent, and the failure is the gate's,
	// not the host's (no robots.txt verdict is cached); back, the same
	// worker goes on.
	f, fc := fleetFetcher(t, url, "outage")
	srv.stop()
	_, err = f.Fetch(ctx, fetch.Request{URL: site.URL + "/away.html"})
	if !errors.Is(err, fetch.ErrGate) || errors.Is(err, fetch.ErrRobotsUnavailable) || errors.Is(err, fetch.ErrDisallowed) {
		t.Errorf("fetch while the server is away: %v, want an error wrapping fetch.ErrGate only", err)
	}
	srv.start()
	waitFor(t, "the fleet's robots.txt once the server is back", func() bool {
		rec, err := fc.Robots().LoadRobots(ctx, origin)
		return err == nil && rec != nil
	})
	if _, err := f.Fetch(ctx, fetch.Request{URL: site.URL + "/away.html"}); err != nil {
		t.Errorf("fetch once the server is back: %v", err)
	}
	if n := robots.Load(); n != 2 {
		t.Errorf("robots.txt requested %d times in all after the outage, want 2: the fleet's copy serves", n)
	}

	// The bucket lost (while the server answers): each worker downloads
	// robots.txt for itself rather than fail its pages.
	fs := fetchers("no bucket", 2)
	if err := c.js.DeleteKeyValue(ctx, BucketRobots); err != nil {
		t.Fatal(err)
	}
	fetchAll("no bucket", fs)
	if n := robots.Load(); n != 4 {
		t.Errorf("robots.txt requested %d times in all, want each of the 2 workers to download it without the bucket", n)
	}
}

// slowRobots is the fleet's robots.txt bucket written slowly (a loaded
// server).
type slowRobots struct {
	*Robots
	delay time.Duration
}

func (s slowRobots) StoreRobots(ctx context.Context, origin string, rec *fetch.RobotsRecord) error {
	time.Sleep(s.delay)
	return s.Robots.StoreRobots(ctx, origin, rec)
}

// TestRobotsStoredBeforeHostFreed: the worker that downloads robots.txt
// keeps the host until its copy is stored, so a worker waiting for the
// host finds the copy however slowly it is written, and does not
// download the file again.
func TestRobotsStoredBeforeHostFreed(t *testing.T) {
	url := startServer(t)
	var robots atomic.Int64
	site := robotsSite(t, &robots)
	var wg sync.WaitGroup
	for w := range 3 {
		c := connect(t, url, Options{})
		f := fetch.New(fetch.Options{MinDelay: -1, AllowPrivate: true, Retries: -1,
			Gate: c.Hosts(HostsOptions{Holder: fmt.Sprint("w", w)}), Robots: slowRobots{c.Robots(), 200 * time.Millisecond}})
		t.Cleanup(f.Close)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.Fetch(context.Background(), fetch.Request{URL: fmt.Sprintf("%s/page-%d.html", site.URL, w)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := robots.Load(); n != 1 {
		t.Errorf("robots.txt requested %d times, want once", n)
	}
}

// TestRobotsUnavailableShared: a host whose robots.txt one worker could
// not reach is left alone by every worker until that verdict runs out,
// each saying why as the first did (RFC 9309's rule, fleet-wide).
func TestRobotsUnavailableShared(t *testing.T) {
	url := startServer(t)
	var robots atomic.Int64
	site := robotsSite(t, &robots)
	f, c := fleetFetcher(t, url, "w")
	origin := "http://" + strings.TrimPrefix(site.URL, "http://")
	until := time.Now().Add(time.Minute)
	if err := c.Robots().StoreRobots(context.Background(), origin, &fetch.RobotsRecord{Outcome: fetch.RobotsUnavailable,
		Cause: "fetch " + origin + "/robots.txt: timeout", Timeout: true, Fetched: time.Now(), Expires: until}); err != nil {
		t.Fatal(err)
	}
	_, err := f.Fetch(context.Background(), fetch.Request{URL: site.URL + "/page.html"})
	var ru *fetch.RobotsUnavailableError
	if !errors.As(err, &ru) || !errors.Is(err, fetch.ErrTimeout) || errors.Is(err, fetch.ErrDisallowed) || !ru.Until.Equal(until.Round(0)) {
		t.Errorf("fetch from a host whose robots.txt timed out for another worker: %v, want a RobotsUnavailableError until %s matching ErrTimeout", err, until)
	}
	if n := robots.Load(); n != 0 {
		t.Errorf("robots.txt requested %d times, want none until the fleet's verdict runs out", n)
	}
}

// TestRobotsUnavailableSameAsOneProcess: a robots.txt answering 5xx
// makes a host unavailable for the fleet exactly as for one process:
// until fetch.DefaultRobotsErrorTTL after the fetch (RFC 9309), with the
// same deadline for every worker (the one stored by the worker that
// fetched the file) and the same error, and no worker asks for the file
// again meanwhile. A process without the bucket keeps the same verdict
// for the same time in its own cache.
func TestRobotsUnavailableSameAsOneProcess(t *testing.T) {
	url := startServer(t)
	var robots atomic.Int64
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			robots.Add(1)
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "<html><body>page</body></html>")
	}))
	t.Cleanup(site.Close)
	ctx := context.Background()
	unavailable := func(f *fetch.Client, who string) *fetch.RobotsUnavailableError {
		t.Helper()
		_, err := f.Fetch(ctx, fetch.Request{URL: site.URL + "/page.html"})
		var ru *fetch.RobotsUnavailableError
		if !errors.As(err, &ru) || ru.Status != http.StatusServiceUnavailable || errors.Is(err, fetch.ErrDisallowed) {
			t.Fatalf("%s: %v, want a RobotsUnavailableError with status 503", who, err)
		}
		return ru
	}

	alone := fetch.New(fetch.Options{MinDelay: -1, AllowPrivate: true, Retries: -1})
	t.Cleanup(alone.Close)
	before := time.Now()
	one := unavailable(alone, "one process")
	if d := one.Until.Sub(before); d < fetch.DefaultRobotsErrorTTL || d > fetch.DefaultRobotsErrorTTL+time.Minute {
		t.Errorf("one process: unavailable for %s, want %s", d, fetch.DefaultRobotsErrorTTL)
	}

	w1, c := fleetFetcher(t, url, "w1")
	w2, _ := fleetFetcher(t, url, "w2")
	before = time.Now()
	first := unavailable(w1, "worker 1")
	if d := first.Until.Sub(before); d < fetch.DefaultRobotsErrorTTL || d > fetch.DefaultRobotsErrorTTL+time.Minute {
		t.Errorf("worker 1: unavailable for %s, want %s as in one process", d, fetch.DefaultRobotsErrorTTL)
	}
	rec, err := c.Robots().LoadRobots(ctx, "http://"+strings.TrimPrefix(site.URL, "http://"))
	if err != nil || rec == nil || rec.Outcome != fetch.RobotsUnavailable || rec.Status != http.StatusServiceUnavailable ||
		!rec.Expires.Equal(first.Until) || rec.Expires.Sub(rec.Fetched) != fetch.DefaultRobotsErrorTTL {
		t.Fatalf("the fleet's verdict %+v (%v), want unavailable (503) until %s, %s after the fetch", rec, err, first.Until, fetch.DefaultRobotsErrorTTL)
	}
	if second := unavailable(w2, "worker 2"); !second.Until.Equal(first.Until) {
		t.Errorf("worker 2: unavailable until %s, worker 1 until %s: want the same", second.Until, first.Until)
	}
	unavailable(w1, "worker 1 again")
	if n := robots.Load(); n != 2 {
		t.Errorf("robots.txt requested %d times, want once by the lone process and once by the fleet", n)
	}
}
