package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestFleetRobotsOnce: three workers and a coordinator harvesting one
// site request its robots.txt once between them, however the site's jobs
// fall on the workers (all at once here: --delay 0), and every one of them
// obeys what it says: the disallowed page is refused by whichever worker
// gets it.
func TestFleetRobotsOnce(t *testing.T) {
	t.Setenv("HERALD_NATS", "")
	t.Setenv("HERALD_DB", "")
	var mu sync.Mutex
	robots := 0
	fetched := map[string]int{}
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fetched[r.URL.Path]++
		if r.URL.Path == "/robots.txt" {
			robots++
		}
		mu.Unlock()
		if r.URL.Path == "/robots.txt" {
			io.WriteString(w, "User-agent: *\nDisallow: /private/\n")
			return
		}
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/news/2026/12/story-%d.html", &i); err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, articleHTML("robots", i))
	}))
	t.Cleanup(site.Close)

	dir := t.TempDir()
	db := filepath.Join(dir, "fleet.db")
	warcDir := filepath.Join(dir, "warc")
	list, lines := storyList(t, dir, site, 12)
	lines = append(lines, site.URL+"/private/story-0.html")
	if err := os.WriteFile(list, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	natsURL := startNATS(t)
	if _, stderr, code := herald(t, "", "--db", db, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	var stops []func() string
	for i := range 3 {
		stops = append(stops, inProcessWorker(t, "--nats", natsURL, "--db", db, "--allow-private", "--delay", "0",
			"--concurrency", "4", "--warc-dir", warcDir, "--id", fmt.Sprintf("w%d", i), "--drain-timeout", "5s"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"--db", db, "harvest", "--nats", natsURL, "--urls", list, "--allow-private",
		"--delay", "0", "--warc-dir", warcDir, "--progress", "never"}, strings.NewReader(""), &out, &errb)
	if ctx.Err() != nil {
		t.Fatalf("the coordinator did not finish (exit %d):\n%s", code, errb.String())
	}
	if code != 1 || !strings.Contains(errb.String(), "1 of 13 URLs could not be harvested") || !strings.Contains(out.String(), "robots") {
		t.Errorf("coordinator: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 1 and the disallowed URL named", code, out.String(), errb.String())
	}
	var logs strings.Builder
	for i, stop := range stops {
		fmt.Fprintf(&logs, "worker %d:\n%s\n", i, stop())
	}
	mu.Lock()
	defer mu.Unlock()
	if robots != 1 {
		t.Errorf("robots.txt requested %d times by the fleet, want once\n%s", robots, logs.String())
	}
	if n := fetched["/private/story-0.html"]; n != 0 {
		t.Errorf("the disallowed page was requested %d times", n)
	}
	for i := range 12 {
		if n := fetched[fmt.Sprintf("/news/2026/12/story-%d.html", i)]; n == 0 {
			t.Errorf("story %d was not fetched\n%s", i, logs.String())
		}
	}
}
