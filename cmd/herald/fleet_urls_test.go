package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/harvest"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
)

// inProcessWorker runs herald worker in this process until the test ends
// (SIGTERM's drain: its context is cancelled), and returns a function
// that stops it and gives what it wrote.
func inProcessWorker(t *testing.T, args ...string) (stop func() string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"worker"}, args...), strings.NewReader(""), io.Discard, &out)
	}()
	stopped := false
	stop = func() string {
		if !stopped {
			stopped = true
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("herald worker exited %d:\n%s", code, out.String())
			}
		}
		return out.String()
	}
	t.Cleanup(func() { stop() })
	return stop
}

// fleetArchives runs fn on a SQLite file and, when $HERALD_TEST_PG names a
// server, on PostgreSQL.
func fleetArchives(t *testing.T, fn func(t *testing.T, db string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "fleet.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.Schema(t)) })
}

// TestFleetURLList: herald harvest --nats --urls reports the URLs of the
// list that the workers could not harvest, as a single process does (the
// "failed" lines, poll_errors, exit status 1): one gone for good (404),
// one on a host that asked to be left alone for an hour (deferred). And
// running the same list again at once finishes: the URL revived for
// another try is a new job, not a duplicate the server drops (which left
// the coordinator waiting for it forever).
func TestFleetURLList(t *testing.T) {
	fleetArchives(t, func(t *testing.T, db string) {
		t.Setenv("HERALD_NATS", "")
		t.Setenv("HERALD_DB", "")
		site := storySite(t, "list")
		busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/robots.txt" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "come back in an hour", http.StatusServiceUnavailable)
		}))
		t.Cleanup(busy.Close)

		natsURL := startNATS(t)
		dir := t.TempDir()
		warcDir := filepath.Join(dir, "warc")
		gone := site.URL + "/news/2026/12/gone.html"
		deferred := busy.URL + "/news/2026/12/later.html"
		list := filepath.Join(dir, "urls.txt")
		lines := []string{site.URL + "/news/2026/12/story-1.html", gone, site.URL + "/news/2026/12/story-2.html", deferred}
		if err := os.WriteFile(list, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		// The archive exists before the worker starts.
		if _, stderr, code := herald(t, "", "--db", db, "migrate"); code != 0 {
			t.Fatalf("migrate: %s", stderr)
		}
		stop := inProcessWorker(t, "--nats", natsURL, "--db", db, "--allow-private", "--delay", "0",
			"--warc-dir", warcDir, "--id", "w1", "--drain-timeout", "5s")

		harvestList := func(what string, failed int) harvest.Summary {
			t.Helper()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var out, errb bytes.Buffer
			code := run(ctx, []string{"--db", db, "harvest", "--nats", natsURL, "--urls", list, "--allow-private",
				"--delay", "0", "--warc-dir", warcDir, "--progress", "never", "--json"}, strings.NewReader(""), &out, &errb)
			if ctx.Err() != nil {
				t.Fatalf("%s: the coordinator did not finish (exit %d):\n%s\nworker:\n%s", what, code, errb.String(), stop())
			}
			var sum harvest.Summary
			if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
				t.Fatalf("%s: summary: %v\n%s\n%s", what, err, out.String(), errb.String())
			}
			if want := fmt.Sprintf("%d of 4 URLs could not be harvested", failed); code != 1 || !strings.Contains(errb.String(), want) {
				t.Errorf("%s: exit %d, stderr %q; want 1 and %q", what, code, errb.String(), want)
			}
			return sum
		}
		check := func(what string, sum harvest.Summary, withDeferred bool) {
			t.Helper()
			cgone, _ := canon.URL(gone)
			cdeferred, _ := canon.URL(deferred)
			if got := sum.PollErrors[cgone]; got != "http 404" {
				t.Errorf("%s: poll error of the 404 %q, want \"http 404\" (all: %v)", what, got, sum.PollErrors)
			}
			want := 1
			if withDeferred {
				want++
				if got := sum.PollErrors[cdeferred]; !strings.HasPrefix(got, "http 503") || !strings.Contains(got, "tried again in a later run") {
					t.Errorf("%s: poll error of the deferred URL %q, want http 503 and that it is queued again", what, got)
				}
			}
			if len(sum.PollErrors) != want {
				t.Errorf("%s: poll errors %v, want %d", what, sum.PollErrors, want)
			}
		}
		check("first run", harvestList("first run", 2), true)
		// At once, within the server's two-minute duplicate window: the
		// 404 is named again, so it is tried again (and fails again); the
		// deferred URL waits in the queue for its hour, as on one machine.
		check("second run", harvestList("second run", 1), false)
	})
}

// storySite serves articleHTML(tag, i) at /news/2026/12/story-i.html
// and 404 elsewhere, until the test ends.
func storySite(t *testing.T, tag string) *httptest.Server {
	t.Helper()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/news/2026/12/story-%d.html", &i); err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, articleHTML(tag, i))
	}))
	t.Cleanup(site.Close)
	return site
}

// storyList writes the URLs of stories 0..n-1 of site to dir/urls.txt, one
// a line, and returns its path and the URLs.
func storyList(t *testing.T, dir string, site *httptest.Server, n int) (string, []string) {
	t.Helper()
	var lines []string
	for i := range n {
		lines = append(lines, fmt.Sprintf("%s/news/2026/12/story-%d.html", site.URL, i))
	}
	list := filepath.Join(dir, "urls.txt")
	if err := os.WriteFile(list, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return list, lines
}
