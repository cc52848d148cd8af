package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/queue"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
)

// pgProxy is a TCP door to the test's PostgreSQL server that the test can
// shut (every connection through it dropped, new ones hung up on) and
// open again: a server restart or a network cut, as a worker sees one.
type pgProxy struct {
	ln      net.Listener
	network string // of the server
	addr    string
	shut    atomic.Bool
	refused atomic.Int64
	mu      sync.Mutex
	conns   map[net.Conn]bool
}

// newPGProxy returns a proxy to the server of dsn and dsn rewritten to go
// through it; it skips the test when dsn is not a URL.
func newPGProxy(t *testing.T, dsn string) (*pgProxy, string) {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dsn)
	if err != nil || !strings.Contains(dsn, "://") {
		t.Skipf("$%s is not a URL; the proxy rewrites URLs only", pgtest.Env)
	}
	p := &pgProxy{network: "tcp", addr: net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port)), conns: map[net.Conn]bool{}}
	if strings.HasPrefix(cfg.Host, "/") {
		p.network, p.addr = "unix", filepath.Join(cfg.Host, fmt.Sprintf(".s.PGSQL.%d", cfg.Port))
	}
	if p.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	go p.serve()
	t.Cleanup(func() {
		p.ln.Close()
		p.cut()
	})
	q := u.Query()
	q.Del("host")
	q.Del("port")
	q.Set("sslmode", "disable")
	u.Host, u.RawQuery = p.ln.Addr().String(), q.Encode()
	if u.User == nil {
		u.User = url.User(cfg.User)
	}
	return p, u.String()
}

func (p *pgProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if p.shut.Load() {
			p.refused.Add(1)
			c.Close()
			continue
		}
		s, err := net.Dial(p.network, p.addr)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[s] = true, true
		p.mu.Unlock()
		go func() { io.Copy(s, c); s.Close() }()
		go func() { io.Copy(c, s); c.Close() }()
	}
}

// cut drops every connection and hangs up on new ones until open.
func (p *pgProxy) cut() {
	p.shut.Store(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *pgProxy) open() { p.shut.Store(false) }

// TestFleetArchiveOutage: the archive (PostgreSQL) goes away under a
// worker for longer than a job's tries would last (--max-deliver 2: one
// back-off of 1s). The jobs wait for it instead of going to the dead
// letters; once it is back every article is stored, once, nothing is
// dead-lettered and the coordinator returns. Before, every job the worker
// met during the outage was dead-lettered, its frontier URL left in
// flight (marking it failed needs the archive too), and the coordinator
// waited for it forever.
func TestFleetArchiveOutage(t *testing.T) {
	t.Setenv("HERALD_NATS", "")
	t.Setenv("HERALD_DB", "")
	db := pgtest.Schema(t)
	proxy, viaProxy := newPGProxy(t, db)
	const n = 3
	site := storySite(t, "outage")
	natsURL := startNATS(t)
	dir := t.TempDir()
	warcDir := filepath.Join(dir, "warc")
	list, lines := storyList(t, dir, site, n)
	if _, stderr, code := herald(t, "", "--db", db, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	stop := inProcessWorker(t, "--nats", natsURL, "--db", viaProxy, "--allow-private", "--delay", "0",
		"--warc-dir", warcDir, "--id", "w1", "--max-deliver", "2", "--ack-wait", "2s", "--drain-timeout", "5s")

	qc, err := queue.Connect(context.Background(), natsURL, queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer qc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for ws, _ := qc.Workers(ctx); len(ws) == 0; ws, _ = qc.Workers(ctx) {
		if ctx.Err() != nil {
			t.Fatalf("the worker did not start:\n%s", stop())
		}
		time.Sleep(20 * time.Millisecond)
	}

	// The worker loses the archive; the coordinator, elsewhere, does not.
	proxy.cut()
	var out, errb bytes.Buffer
	coordDone := make(chan int, 1)
	go func() {
		coordDone <- run(ctx, []string{"--db", db, "harvest", "--nats", natsURL, "--urls", list, "--allow-private",
			"--delay", "0", "--warc-dir", warcDir, "--progress", "never"}, strings.NewReader(""), &out, &errb)
	}()
	// Away for a while: the jobs were tried and the worker kept knocking
	// (the two tries of --max-deliver 2 would have lasted 1s).
	cutAt := time.Now()
	for proxy.refused.Load() < 10 || time.Since(cutAt) < 4*time.Second {
		if ctx.Err() != nil {
			t.Fatal("the worker never tried to reach the archive")
		}
		if dead, n, err := qc.Dead(ctx, 0); err == nil && n > 0 {
			t.Fatalf("%d jobs dead-lettered while the archive was away, want none: %+v", n, dead)
		}
		time.Sleep(20 * time.Millisecond)
	}
	proxy.open()

	var code int
	select {
	case code = <-coordDone:
	case <-ctx.Done():
		t.Fatalf("the coordinator did not finish after the archive came back:\n%s\nworker:\n%s", errb.String(), stop())
	}
	if code != 0 {
		t.Errorf("coordinator exit %d:\n%s\n%s\nworker:\n%s", code, out.String(), errb.String(), stop())
	}
	dead, total, err := qc.Dead(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if total != 0 {
		t.Errorf("%d jobs dead-lettered because the archive was away, want none: %+v", total, dead)
	}
	st, err := postgres.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stats, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if stats.Articles != n || stats.Versions != 0 {
		t.Errorf("archive holds %d articles, %d earlier versions; want %d and 0", stats.Articles, stats.Versions, n)
	}
	for _, l := range lines {
		cu, _ := canon.URL(l)
		if _, err := st.Get(context.Background(), canon.ID(cu)); err != nil {
			t.Errorf("%s: %v", l, err)
		}
	}
	log := stop()
	if !strings.Contains(log, "archive unavailable") || !strings.Contains(log, "archive available again") {
		t.Errorf("the worker did not say that the archive was away and back:\n%s", log)
	}
	// One line when it goes, one when it is back (saying how many jobs
	// waited), not one per job that met the outage.
	if strings.Count(log, "archive unavailable") != 1 || strings.Contains(log, "job failed") || !strings.Contains(log, "jobs="+strconv.Itoa(n)) {
		t.Errorf("the outage was not logged as one line each way, with the jobs that waited:\n%s", log)
	}
}

// TestFleetLostJobs: the jobs of a coordinator's URLs are lost (an
// operator purges the stream, or nats-server comes back without its
// store) while it waits for the workers. It notices that the queue is
// empty while URLs are still in flight, puts them back and dispatches
// them again, and the harvest ends with every article stored; before, it
// waited for them for ever.
func TestFleetLostJobs(t *testing.T) {
	fleetArchives(t, func(t *testing.T, db string) {
		t.Setenv("HERALD_NATS", "")
		t.Setenv("HERALD_DB", "")
		const n = 3
		site := storySite(t, "lost")
		natsURL := startNATS(t)
		dir := t.TempDir()
		warcDir := filepath.Join(dir, "warc")
		list, lines := storyList(t, dir, site, n)
		if _, stderr, code := herald(t, "", "--db", db, "migrate"); code != 0 {
			t.Fatalf("migrate: %s", stderr)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var out, errb bytes.Buffer
		coordDone := make(chan int, 1)
		go func() {
			coordDone <- run(ctx, []string{"--db", db, "harvest", "--nats", natsURL, "--urls", list, "--allow-private",
				"--delay", "0", "--warc-dir", warcDir, "--progress", "never"}, strings.NewReader(""), &out, &errb)
		}()
		qc, err := queue.Connect(context.Background(), natsURL, queue.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer qc.Close()
		for {
			s, err := qc.Status(ctx)
			if err == nil && s.Queues[0].Pending == n {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("the jobs were not published:\n%s", errb.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		nc, err := nats.Connect(natsURL)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		jobs, err := js.Stream(ctx, queue.StreamJobs)
		if err != nil {
			t.Fatal(err)
		}
		if err := jobs.Purge(ctx); err != nil {
			t.Fatal(err)
		}
		stop := inProcessWorker(t, "--nats", natsURL, "--db", db, "--allow-private", "--delay", "0",
			"--warc-dir", warcDir, "--id", "w1", "--drain-timeout", "5s")

		var code int
		select {
		case code = <-coordDone:
		case <-ctx.Done():
			t.Fatalf("the coordinator waited for the lost jobs:\n%s\nworker:\n%s", errb.String(), stop())
		}
		if code != 0 || !strings.Contains(errb.String(), "no job left in the queue") {
			t.Errorf("coordinator exit %d, stderr:\n%s\nwant 0 and a word about the lost jobs", code, errb.String())
		}
		st, err := openLocation(context.Background(), db, false)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		for _, l := range lines {
			cu, _ := canon.URL(l)
			if _, err := st.Get(context.Background(), canon.ID(cu)); err != nil {
				t.Errorf("%s: %v", l, err)
			}
		}
		counts, err := st.FrontierCounts(context.Background())
		if err != nil || counts[store.InFlight] != 0 || counts[store.Done] != n {
			t.Errorf("frontier %v, %v; want %d done", counts, err, n)
		}
	})
}
