package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/queue"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
	"github.com/herald-archive/herald/internal/store/sqlite"
)

// startNATS runs a real nats-server with JetStream in the test process on
// a random loopback port; worker processes connect to it.
func startNATS(t testing.TB) string {
	t.Helper()
	s, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(s.Shutdown)
	return s.ClientURL()
}

// request is one request a test site served.
type request struct {
	host, path string
	start, end time.Time
	status     int
}

// faultySite is a news site on its own host: a feed of n articles plus a
// missing one (404); article 1 is slow, article 2 answers 500 the first
// time, article 3 answers 429 with Retry-After: 1 the first time.
type faultySite struct {
	srv   *httptest.Server
	name  string
	n     int
	mu    sync.Mutex
	log   []request
	tried map[string]bool
	hits  *atomic.Int64 // article requests over all sites
}

func newFaultySite(t *testing.T, name string, n int, hits *atomic.Int64) *faultySite {
	s := &faultySite{name: name, n: n, tried: map[string]bool{}, hits: hits}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *faultySite) articlePath(i int) string {
	return fmt.Sprintf("/news/2026/12/%s-story-%d.html", s.name, i)
}

func (s *faultySite) serve(w http.ResponseWriter, r *http.Request) {
	rec := request{host: r.Host, path: r.URL.Path, start: time.Now(), status: 200}
	defer func() {
		rec.end = time.Now()
		s.mu.Lock()
		s.log = append(s.log, rec)
		s.mu.Unlock()
	}()
	first := func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		f := !s.tried[r.URL.Path]
		s.tried[r.URL.Path] = true
		return f
	}
	switch {
	case r.URL.Path == "/robots.txt":
		io.WriteString(w, "User-agent: *\nAllow: /\n")
		return
	case r.URL.Path == "/feed.xml":
		w.Header().Set("Content-Type", "application/rss+xml")
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>` + s.name + `</title><link>` + s.srv.URL + `/</link>`)
		for i := range s.n {
			fmt.Fprintf(&b, `<item><title>Story %d</title><link>%s%s</link></item>`, i, s.srv.URL, s.articlePath(i))
		}
		fmt.Fprintf(&b, `<item><title>Gone</title><link>%s/news/2026/12/%s-gone.html</link></item>`, s.srv.URL, s.name)
		b.WriteString(`</channel></rss>`)
		io.WriteString(w, b.String())
		return
	}
	var i int
	if _, err := fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/news/2026/12/"+s.name+"-story-"), "%d.html", &i); err != nil || i >= s.n {
		rec.status = 404
		http.NotFound(w, r)
		return
	}
	s.hits.Add(1)
	switch {
	case i == 1:
		time.Sleep(300 * time.Millisecond)
	case i == 2 && first():
		rec.status = 500
		http.Error(w, "try again", 500)
		return
	case i == 3 && first():
		rec.status = 429
		w.Header().Set("Retry-After", "1")
		http.Error(w, "slow down", 429)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, articleHTML(s.name, i))
}

var storyWords = strings.Fields(`harbour council storm river bridge school hospital budget election railway
museum festival market farmers drought flood tunnel airport ferry library teachers nurses
police court minister mayor union strike factory harvest vineyard fishermen coast mountain
village district province bakery theatre orchestra stadium league season archive survey`)

// articleHTML is a distinct article: its words are drawn from a generator
// seeded by site and number, so no two are near-duplicates.
func articleHTML(site string, i int) string {
	rng := rand.New(rand.NewPCG(uint64(len(site))*7919, uint64(i)+1))
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html lang="en"><head><title>%s story %d</title></head><body><article><h1>%s story %d</h1>`, site, i, site, i)
	for range 4 {
		b.WriteString("<p>")
		for w := range 40 {
			if w > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(storyWords[rng.IntN(len(storyWords))])
		}
		b.WriteString(".</p>")
	}
	b.WriteString(`</article></body></html>`)
	return b.String()
}

func (s *faultySite) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.log...)
}

// buildHerald builds the binary once per test.
func buildHerald(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "herald")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type proc struct {
	cmd  *exec.Cmd
	out  *bytes.Buffer
	done chan struct{} // closed when the process has exited; err is then set
	err  error
}

func startProc(t testing.TB, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), out: &bytes.Buffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

func (p *proc) wait(t testing.TB, what string, d time.Duration) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(d):
		p.cmd.Process.Kill()
		t.Fatalf("%s did not finish in %s:\n%s", what, d, p.out)
		return nil
	}
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestFleetHarvest is the end-to-end test of distributed harvesting: three
// real herald worker processes and a coordinator (herald harvest --nats)
// harvest three faulty sites into one archive through a real nats-server;
// one worker is SIGKILLed mid-run. Every article must end up stored
// exactly once, the sites' own request logs must show per-host pacing held
// across all processes, the survivors must drain on SIGTERM and exit 0,
// and re-importing the captures through extract jobs must store nothing
// twice. It runs on PostgreSQL when $HERALD_TEST_PG names a server
// (required under CI=true), and on a SQLite file shared by the processes.
func TestFleetHarvest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a fleet")
	}
	bin := buildHerald(t)
	t.Run("sqlite", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "fleet.db")
		fleetHarvest(t, bin, db, func() store.Store {
			st, err := sqlite.Open(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			return st
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.Schema(t)
		fleetHarvest(t, bin, dsn, func() store.Store {
			st, err := postgres.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			return st
		})
	})
}

func fleetHarvest(t *testing.T, bin, db string, open func() store.Store) {
	const perSite = 8
	const delay = 200 * time.Millisecond
	natsURL := startNATS(t)
	var hits atomic.Int64
	sites := []*faultySite{newFaultySite(t, "north", perSite, &hits), newFaultySite(t, "south", perSite, &hits), newFaultySite(t, "east", perSite, &hits)}
	warcDir := filepath.Join(t.TempDir(), "warc")

	// The archive exists before the fleet starts (migrations run once).
	st := open()
	st.Close()

	common := []string{"--db", db, "--nats", natsURL}
	metricsAddr := freePort(t)
	var workers []*proc
	for i := range 3 {
		args := append([]string{"worker"}, common...)
		args = append(args, "--ack-wait", "2s", "--allow-private", "--delay", delay.String(), "--concurrency", "3",
			"--lease-ttl", "2s", "--drain-timeout", "10s", "--warc-dir", warcDir, "--id", fmt.Sprintf("w%d", i))
		if i == 1 {
			args = append(args, "--metrics-addr", metricsAddr)
		}
		workers = append(workers, startProc(t, bin, args...))
	}
	coordArgs := append([]string{"harvest"}, common...)
	coordArgs = append(coordArgs, "--allow-private", "--delay", delay.String(), "--progress", "never", "--warc-dir", warcDir, "--json")
	for _, s := range sites {
		coordArgs = append(coordArgs, s.srv.URL+"/feed.xml")
	}
	coord := startProc(t, bin, coordArgs...)

	// Kill one worker once the harvest is well under way.
	deadline := time.Now().Add(60 * time.Second)
	for hits.Load() < 6 {
		if time.Now().After(deadline) {
			t.Fatalf("the fleet fetched no articles:\ncoordinator:\n%s\nworker 0:\n%s", coord.out, workers[0].out)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := workers[0].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-workers[0].done

	if err := coord.wait(t, "coordinator", 2*time.Minute); err != nil {
		t.Fatalf("coordinator: %v\n%s\nworker 1:\n%s", err, coord.out, workers[1].out)
	}

	// Metrics and status while the survivors run.
	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `herald_jobs_acked_total{kind="fetch"}`) || !strings.Contains(string(body), "herald_articles_new_total") {
		t.Errorf("metrics:\n%s", body)
	}
	status := fleetStatus(t, bin, natsURL, db)
	if status.Dead != 0 || status.Queues[0].Pending != 0 || status.Queues[0].InFlight != 0 {
		t.Errorf("status after the harvest: %+v", status)
	}
	if len(status.Workers) < 2 {
		t.Errorf("status shows %d workers alive, want the 2 survivors at least", len(status.Workers))
	}
	redelivered := int64(0)
	for _, w := range status.Workers {
		redelivered += w.Redelivered
	}
	t.Logf("coordinator:\n%s\nredelivered jobs seen by survivors: %d", coord.out, redelivered)

	checkArchive := func(when string) {
		t.Helper()
		st := open()
		defer st.Close()
		ctx := context.Background()
		stats, err := st.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := len(sites) * perSite; stats.Articles != want || stats.Versions != 0 {
			t.Errorf("%s: archive holds %d articles and %d earlier versions, want %d and 0", when, stats.Articles, stats.Versions, want)
		}
		for _, s := range sites {
			for i := range perSite {
				cu, _ := canon.URL(s.srv.URL + s.articlePath(i))
				if _, err := st.Get(ctx, canon.ID(cu)); err != nil {
					t.Errorf("%s: %s: %v", when, s.articlePath(i), err)
				}
			}
		}
		counts, err := st.FrontierCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Done: every article, and each site's feed given on the command
		// line (queued first, so that an interrupted coordinator polls it
		// again).
		if counts[store.Queued] != 0 || counts[store.InFlight] != 0 || counts[store.Done] != len(sites)*(perSite+1) || counts[store.Failed] != len(sites) {
			t.Errorf("%s: frontier %v, want %d done and %d failed (the 404s)", when, counts, len(sites)*(perSite+1), len(sites))
		}
	}
	checkArchive("after the harvest")

	// Pacing, from the sites' own logs: per host, one request at a time
	// and each starting at least the delay after the previous ended, over
	// all four processes (a 429's Retry-After of 1s holds too).
	const margin = 15 * time.Millisecond
	for _, s := range sites {
		reqs := s.requests()
		sort.Slice(reqs, func(i, j int) bool { return reqs[i].start.Before(reqs[j].start) })
		for i := 1; i < len(reqs); i++ {
			gap := reqs[i].start.Sub(reqs[i-1].end)
			want := delay
			if reqs[i-1].status == 429 {
				want = time.Second
			}
			if gap < want-margin {
				t.Errorf("%s: %s started %s after %s (%d) ended, want >= %s", s.name, reqs[i].path, gap.Round(time.Millisecond), reqs[i-1].path, reqs[i-1].status, want)
			}
		}
		if len(reqs) < perSite+3 {
			t.Errorf("%s served only %d requests", s.name, len(reqs))
		}
	}

	// The captures again, as extract jobs: everything is archived already.
	captures, _ := filepath.Glob(filepath.Join(warcDir, "*.warc.gz"))
	if len(captures) == 0 {
		t.Fatal("no WARC captures written")
	}
	imp := startProc(t, bin, append([]string{"import", "warc", "--db", db, "--nats", natsURL}, captures...)...)
	if err := imp.wait(t, "import warc --nats", time.Minute); err != nil {
		t.Fatalf("import warc --nats: %v\n%s", err, imp.out)
	}
	if !strings.Contains(imp.out.String(), "queued") {
		t.Errorf("import warc --nats said:\n%s", imp.out)
	}
	deadline = time.Now().Add(time.Minute)
	for {
		s := fleetStatus(t, bin, natsURL, db)
		if s.Queues[1].Pending == 0 && s.Queues[1].InFlight == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("extract jobs not done: %+v", s.Queues)
		}
		time.Sleep(100 * time.Millisecond)
	}
	checkArchive("after re-importing the captures")

	// A job no worker can read goes to the dead letters at once; the CLI
	// lists it and puts it back.
	qc, err := queue.Connect(context.Background(), natsURL, queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer qc.Close()
	if err := qc.Publish(context.Background(), queue.Job{Kind: queue.Fetch, Key: "broken", Data: []byte("{not json")}); err != nil {
		t.Fatal(err)
	}
	waitDead := func(n int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for fleetStatus(t, bin, natsURL, db).Dead != n {
			if time.Now().After(deadline) {
				t.Fatalf("no %d dead letters", n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitDead(1)
	out, err := exec.Command(bin, "queue", "dead", "--nats", natsURL, "--json").CombinedOutput()
	var dj struct {
		Seq   uint64 `json:"seq"`
		Kind  string `json:"kind"`
		Key   string `json:"key"`
		Error string `json:"error"`
	}
	if err != nil || json.Unmarshal(out, &dj) != nil || dj.Key != "broken" || dj.Kind != "fetch" || !strings.Contains(dj.Error, "malformed") {
		t.Fatalf("herald queue dead: %v\n%s", err, out)
	}
	out, err = exec.Command(bin, "queue", "requeue", "--nats", natsURL, fmt.Sprint(dj.Seq)).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "requeued 1 jobs") {
		t.Fatalf("herald queue requeue: %v\n%s", err, out)
	}
	waitDead(1) // still unreadable: dead again, under a new seq
	out, err = exec.Command(bin, "status", "--nats", natsURL, "--db", db).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "workers alive: ") || !strings.Contains(string(out), "QUEUE") || !strings.Contains(string(out), "frontier: 0 queued") {
		t.Errorf("herald status: %v\n%s", err, out)
	}
	t.Logf("herald status:\n%s", out)

	// The survivors drain on SIGTERM and exit 0.
	for _, w := range workers[1:] {
		w.cmd.Process.Signal(syscall.SIGTERM)
	}
	for i, w := range workers[1:] {
		if err := w.wait(t, "worker", 30*time.Second); err != nil {
			t.Errorf("worker %d after SIGTERM: %v\n%s", i+1, err, w.out)
		}
	}
}

type fleetStatusJSON struct {
	Queues []struct {
		Kind     string `json:"kind"`
		Pending  uint64 `json:"pending"`
		InFlight int    `json:"in_flight"`
	} `json:"queues"`
	Dead    int `json:"dead"`
	Workers []struct {
		ID          string `json:"id"`
		Redelivered int64  `json:"redelivered"`
	} `json:"workers"`
	Frontier map[string]int `json:"frontier"`
}

func fleetStatus(t *testing.T, bin, natsURL, db string) fleetStatusJSON {
	t.Helper()
	out, err := exec.Command(bin, "status", "--nats", natsURL, "--db", db, "--json").CombinedOutput()
	if err != nil {
		t.Fatalf("herald status: %v\n%s", err, out)
	}
	var s fleetStatusJSON
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("herald status --json: %v\n%s", err, out)
	}
	if len(s.Queues) != 2 {
		t.Fatalf("status queues: %s", out)
	}
	return s
}

// TestWorkerBadInput: every bad invocation is a clear error and a
// non-zero exit, and creates no archive.
func TestWorkerBadInput(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	t.Setenv("HERALD_NATS", "")
	t.Setenv("HERALD_DB", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"worker", "--db", db}, "no NATS server"},
		{[]string{"worker", "--nats", "http://127.0.0.1:4222", "--db", db}, "scheme must be nats"},
		{[]string{"worker", "--nats", "nats://127.0.0.1:1"}, "give --db"},
		{[]string{"worker", "--nats", "nats://127.0.0.1:1", "--db", db}, "connect to nats"},
		{[]string{"worker", "--nats", "nats://127.0.0.1:1", "--db", db, "--concurrency", "0"}, "--concurrency"},
		{[]string{"worker", "--nats", "nats://127.0.0.1:1", "--db", db, "--concurrency", "5000"}, "--concurrency 5000: want 1 to 1024"},
		{[]string{"worker", "--nats", "nats://127.0.0.1:1", "--db", db, "--max-deliver", "-1"}, "--max-deliver"},
		{[]string{"worker", "--nats", "nats://127.0.0.1:1", "--db", db, "--ack-wait", "10ms"}, "--ack-wait"},
		{[]string{"status", "--nats", "nats://127.0.0.1:1"}, "is nats-server running there, with JetStream"},
		{[]string{"queue", "dead"}, "no NATS server"},
		{[]string{"queue", "requeue", "--nats", "nats://127.0.0.1:1"}, "--all"},
		{[]string{"queue", "requeue", "--nats", "nats://127.0.0.1:1", "x"}, "not a dead letter SEQ"},
		{[]string{"--db", db, "harvest", "--nats", "nats://127.0.0.1:1", "https://example.org/feed.xml"}, "connect to nats"},
		{[]string{"--db", db, "import", "warc", "--nats", "nats://127.0.0.1:1", "x.warc"}, "connect to nats"},
	} {
		_, stderr, code := herald(t, "", tc.args...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("herald %s: exit %d, stderr %q, want an error saying %q", strings.Join(tc.args, " "), code, stderr, tc.want)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a failed command created the archive")
	}
}
