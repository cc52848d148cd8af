package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/harvest"
	"github.com/herald-archive/herald/internal/queue"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
	"github.com/herald-archive/herald/internal/store/sqlite"
)

// BenchmarkFleet measures the throughput of 1, 2 and 4 herald worker
// processes on loopback: 2,000 distinct articles on 50 hosts, pacing off,
// published as fetch jobs straight to the queue, into a SQLite file (or a
// PostgreSQL schema when $HERALD_TEST_PG is set). Then the same jobs are
// published again, which is exactly the work of a redelivery (fetch,
// extract, and an archive that finds the article unchanged). It reports
// articles/s and CPU seconds per article (all worker processes plus this
// process, which runs the sites and nats-server), wall and CPU, for both
// passes. With $HERALD_BENCH_PGDATA naming the test server's data folder,
// the CPU of the PostgreSQL server's processes is reported too (pg-cpu).
//
//	go test ./cmd/herald -run '^$' -bench Fleet -benchtime 1x
func BenchmarkFleet(b *testing.B) {
	bin := buildHerald(b)
	for _, n := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			for b.Loop() {
				benchFleet(b, bin, n)
			}
		})
	}
}

const fleetHosts, fleetPerHost = 50, 40

func benchFleet(b *testing.B, bin string, workers int) {
	natsURL := startNATS(b)
	var db string
	var open func() store.Store
	if os.Getenv(pgtest.Env) != "" {
		db = pgtest.Schema(b)
		open = func() store.Store {
			st, err := postgres.Open(context.Background(), db)
			if err != nil {
				b.Fatal(err)
			}
			return st
		}
	} else {
		db = filepath.Join(b.TempDir(), "fleet.db")
		open = func() store.Store {
			st, err := sqlite.Open(context.Background(), db)
			if err != nil {
				b.Fatal(err)
			}
			return st
		}
	}
	st := open()
	st.Close()

	var jobs []queue.Job
	for h := range fleetHosts {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/robots.txt" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			i, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/news/2026/12/story-"), ".html"))
			w.Write([]byte(articleHTML(fmt.Sprintf("host%d", h), i)))
		}))
		b.Cleanup(srv.Close)
		for i := range fleetPerHost {
			u := fmt.Sprintf("%s/news/2026/12/story-%d.html", srv.URL, i)
			data, _ := json.Marshal(harvest.Job{URL: u, Attempts: 1})
			jobs = append(jobs, queue.Job{Kind: queue.Fetch, Key: u, Data: data})
		}
	}
	qc, err := queue.Connect(context.Background(), natsURL, queue.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer qc.Close()

	var procs []*proc
	for i := range workers {
		procs = append(procs, startProc(b, bin, "worker", "--db", db, "--nats", natsURL, "--allow-private", "--delay", "0",
			"--concurrency", "8", "--warc-dir", filepath.Join(b.TempDir(), "warc"), "--id", fmt.Sprintf("bench%d", i)))
	}
	waitWorkers(b, qc, workers)

	pass := func(name string, suffix string) {
		js := make([]queue.Job, len(jobs))
		for i, j := range jobs {
			j.ID = j.Key + suffix
			js[i] = j
		}
		cpu0 := fleetCPU(b, procs)
		pg0 := pgServerCPU(b)
		start := time.Now()
		if err := qc.Publish(context.Background(), js...); err != nil {
			b.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Minute)
		for {
			idle, err := qc.Idle(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if idle {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("%s: jobs not done after 5 minutes", name)
			}
			time.Sleep(20 * time.Millisecond)
		}
		wall := time.Since(start)
		cpu := fleetCPU(b, procs) - cpu0
		n := float64(len(js))
		if pg := pgServerCPU(b) - pg0; pg > 0 {
			b.ReportMetric(pg.Seconds()/n*1e3, name+"-pg-cpu-ms/article")
		}
		b.ReportMetric(n/wall.Seconds(), name+"-articles/s")
		b.ReportMetric(cpu.Seconds()/n*1e3, name+"-cpu-ms/article")
		b.ReportMetric(wall.Seconds()/n*1e3, name+"-wall-ms/article")
	}
	pass("first", ":1")
	pass("again", ":2")

	st = open()
	stats, err := st.Stats(context.Background())
	st.Close()
	if err != nil {
		b.Fatal(err)
	}
	if stats.Articles != len(jobs) || stats.Versions != 0 {
		b.Errorf("archive holds %d articles, %d versions; want %d, 0", stats.Articles, stats.Versions, len(jobs))
	}
	for _, p := range procs {
		p.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range procs {
		p.wait(b, "worker", time.Minute)
	}
}

// waitWorkers waits until n workers have sent a heartbeat.
func waitWorkers(b *testing.B, qc *queue.Client, n int) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		ws, err := qc.Workers(context.Background())
		if err == nil && len(ws) >= n {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d workers started", len(ws), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pgServerCPU is the CPU time used so far by the PostgreSQL server whose
// data folder is $HERALD_BENCH_PGDATA (the postmaster and its children);
// 0 when it is not set.
func pgServerCPU(b *testing.B) time.Duration {
	dir := os.Getenv("HERALD_BENCH_PGDATA")
	if dir == "" {
		return 0
	}
	pidFile, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		b.Fatalf("HERALD_BENCH_PGDATA: %v", err)
	}
	postmaster := strings.SplitN(string(pidFile), "\n", 2)[0]
	entries, _ := os.ReadDir("/proc")
	var total time.Duration
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
		if e.Name() != postmaster && f[1] != postmaster { // f[1] is the parent's pid
			continue
		}
		total += procTicks(f)
	}
	return total
}

// procTicks is the user+system time of a /proc/PID/stat line's fields
// after the command name.
func procTicks(f []string) time.Duration {
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// fleetCPU is the CPU time (user+system) used so far by the worker
// processes and this process.
func fleetCPU(b *testing.B, procs []*proc) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	total := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	for _, p := range procs {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
		if err != nil {
			b.Fatalf("worker CPU: %v", err)
		}
		// Fields after the command name (which is in parentheses): utime
		// and stime are the 12th and 13th, in clock ticks (100 a second).
		total += procTicks(strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:])))
	}
	return total
}
