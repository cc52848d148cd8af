package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// serving is a herald serve command running in the test.
type serving struct {
	t      *testing.T
	banner string // the first line it printed
	addr   string // its base URL, ending in "/"
	cancel context.CancelFunc
	out    *bufio.Reader
	stderr *strings.Builder
	done   chan int
}

// startServe runs herald serve with args (after --addr 127.0.0.1:0
// --quiet) until stop, and reads its banner.
func startServe(t *testing.T, args ...string) *serving {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	outR, outW := io.Pipe()
	s := &serving{t: t, cancel: cancel, out: bufio.NewReader(outR), stderr: &strings.Builder{}, done: make(chan int, 1)}
	go func() {
		s.done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--quiet"}, args...), strings.NewReader(""), outW, s.stderr)
		outW.Close()
	}()
	line, err := s.out.ReadString('\n')
	if err != nil {
		t.Fatalf("no banner: %v (stderr %s)", err, s.stderr.String())
	}
	s.banner = strings.TrimSpace(line)
	_, s.addr, _ = strings.Cut(s.banner, " at ")
	if s.addr == "" {
		t.Fatalf("banner %q", line)
	}
	return s
}

// stop ends the server as SIGTERM would and returns its exit code and the
// rest of its output.
func (s *serving) stop() (int, string) {
	s.t.Helper()
	s.cancel()
	rest, _ := io.ReadAll(s.out)
	select {
	case code := <-s.done:
		return code, string(rest)
	case <-time.After(30 * time.Second):
		s.t.Fatal("serve did not stop")
		return 0, ""
	}
}

// TestServe runs the real command: it serves an archive on a free port,
// answers, and stops cleanly when its context ends (as on SIGTERM).
func TestServe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, db, storetest.Fixture())
	db.Close()

	srv := startServe(t, "--db", path)
	if !strings.Contains(srv.banner, "read-only") {
		t.Fatalf("banner %q", srv.banner)
	}
	res, err := http.Get(srv.addr + "api/search?q=harbour")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "Harbour reopens") {
		t.Errorf("search: %d %s", res.StatusCode, body)
	}
	if code, rest := srv.stop(); code != 0 || !strings.Contains(rest, "Stopped.") {
		t.Errorf("exit %d, output %q, stderr %q", code, rest, srv.stderr.String())
	}
}

func TestServeRefusesShortTokenAndMissingArchive(t *testing.T) {
	var stderr strings.Builder
	path := filepath.Join(t.TempDir(), "none.db")
	if code := run(t.Context(), []string{"serve", "--db", path, "--admin-token", "short"}, nil, io.Discard, &stderr); code == 0 || !strings.Contains(stderr.String(), "too short") {
		t.Errorf("short token: exit %d, %s", code, stderr.String())
	}
	stderr.Reset()
	if code := run(t.Context(), []string{"serve", "--db", path}, nil, io.Discard, &stderr); code == 0 || !strings.Contains(stderr.String(), "no archive") {
		t.Errorf("missing archive: exit %d, %s", code, stderr.String())
	}
}

// TestServeHarvest starts a harvest through the API of the real command
// and finds the article in the archive, its capture in the WARC folder,
// and the server stopping cleanly afterwards.
func TestServeHarvest(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/news/ferry.html" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><html lang="en"><head><title>Night ferry returns</title></head><body><article>
<h1>Night ferry returns</h1>
<p>The night ferry to the islands returns on Friday after a winter of repairs to its engines and its passenger deck.</p>
<p>The operator said tickets for the first crossings sold out within hours, and that a second sailing would be added.</p>
<p>Islanders had campaigned for the quillbrook service to come back, saying the day boats left them without a late link.</p>
</article></body></html>`)
	}))
	defer site.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "herald.db")
	db, err := sqlite.Open(t.Context(), path) // serve never creates an archive
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	const token = "serve-test-token-0123456789"

	srv := startServe(t, "--db", path, "--admin-token", token, "--allow-private", "--delay", "0")
	if !strings.Contains(srv.banner, "harvests through the API") {
		t.Fatalf("banner %q", srv.banner)
	}
	addr := srv.addr
	req, _ := http.NewRequest("POST", addr+"api/harvest", strings.NewReader(`{"urls": ["`+site.URL+`/news/ferry.html"]}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /api/harvest: %d %s", res.StatusCode, body)
	}
	jobURL := strings.TrimSuffix(addr, "/") + res.Header.Get("Location")
	var job struct {
		State   string `json:"state"`
		Summary struct {
			New int `json:"new"`
		} `json:"summary"`
	}
	for deadline := time.Now().Add(30 * time.Second); job.State != "done"; {
		if time.Now().After(deadline) || job.State == "failed" || job.State == "cancelled" {
			t.Fatalf("job %+v (stderr %s)", job, srv.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
		res, err := http.Get(jobURL)
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(res.Body).Decode(&job)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if job.Summary.New != 1 {
		t.Errorf("job summary %+v, want 1 new article", job.Summary)
	}
	res, err = http.Get(addr + "api/search?q=quillbrook")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "Night ferry returns") {
		t.Errorf("search after harvest: %s", body)
	}
	if warcs, _ := filepath.Glob(filepath.Join(path+".warc", "*.warc.gz")); len(warcs) == 0 {
		t.Errorf("no WARC capture in %s.warc", path)
	}
	if code, _ := srv.stop(); code != 0 {
		t.Errorf("exit %d, stderr %q", code, srv.stderr.String())
	}
}

// A server merges a full-text index left in several segments once it has
// stayed so for --merge-after, and searches find the same articles.
func TestServeMergesIdleIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	g := storetest.NewGenerator(7)
	for range 5 { // five transactions, five segments
		storetest.Load(t, db, []store.Entry{g.Next(), g.Next()})
	}
	segments := func() int {
		t.Helper()
		n, err := db.IndexSegments(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := segments(); n < 2 {
		t.Fatalf("%d segments; the test wants several", n)
	}
	search := func() string {
		t.Helper()
		out, stderr, code := herald(t, "", "--db", path, "search", "--json", "--limit", "50", "government OR election OR market")
		if code != 0 {
			t.Fatalf("search: exit %d: %s", code, stderr)
		}
		return out
	}
	before := search()

	if _, stderr, code := herald(t, "", "--db", path, "serve", "--merge-after", "-1s"); code != 2 || !strings.Contains(stderr, "--merge-after") {
		t.Errorf("negative --merge-after: exit %d, %q", code, stderr)
	}
	srv := startServe(t, "--db", path, "--merge-after", "300ms")
	deadline := time.Now().Add(30 * time.Second)
	for segments() > 1 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := segments(); n != 1 {
		t.Errorf("%d segments after the server was idle, want 1", n)
	}
	if code, rest := srv.stop(); code != 0 {
		t.Errorf("exit %d, output %q, stderr %q", code, rest, srv.stderr.String())
	}
	db.Close()
	if after := search(); after != before {
		t.Errorf("search after the merge differs:\n%s\nbefore:\n%s", after, before)
	}
}
