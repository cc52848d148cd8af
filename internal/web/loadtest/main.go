// Command loadtest measures `herald serve` on a large synthetic archive:
// search latency (API and page; the API uncollapsed by default and
// collapsed on request, the page collapsed) with one client and under N
// concurrent clients, throughput, and the server's memory at rest and
// under load, and the server's CPU time per request (less sensitive to
// other load on the machine than latency). Every phase is bounded by a
// request count and a time limit.
// It is a benchmark, not a test: run it by hand and read the table.
//
//	go build -o /tmp/herald ./cmd/herald
//	go run ./internal/web/loadtest -herald /tmp/herald -db /tmp/herald-load-100k.db -n 100000
//
// The archive is built once with storetest's generator through the store's
// batch path (the same records `herald bench archive` and the store
// benchmarks use) and reused while it holds n articles. The server runs as
// its own process, so its memory is measured alone (VmRSS and VmHWM from
// /proc, Linux only).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

func main() {
	var (
		herald   = flag.String("herald", "herald", "the herald binary to serve with")
		dbPath   = flag.String("db", "/tmp/herald-load-100k.db", "archive to use, built when missing")
		n        = flag.Int("n", 100000, "articles in the archive")
		clients  = flag.Int("clients", 50, "concurrent clients")
		requests = flag.Int("requests", 2000, "requests per concurrent phase")
		seqReqs  = flag.Int("sequential", 200, "requests per single-client phase")
		maxTime  = flag.Duration("max", 5*time.Minute, "time bound of each phase")
	)
	flag.Parse()
	ctx := context.Background()
	if err := run(ctx, *herald, *dbPath, *n, *clients, *requests, *seqReqs, *maxTime); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, herald, dbPath string, n, clients, requests, seqReqs int, maxTime time.Duration) error {
	if err := buildArchive(ctx, dbPath, n); err != nil {
		return err
	}
	srv, err := startServer(herald, dbPath)
	if err != nil {
		return err
	}
	defer srv.stop()
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: clients * 2}}
	base := srv.url

	queries, err := querySet(client, base)
	if err != nil {
		return err
	}
	// Warm the page cache and the server a little, as a running server is.
	for _, q := range queries {
		if _, err := get(client, apiURL(base, q)); err != nil {
			return err
		}
	}
	time.Sleep(2 * time.Second)
	rest, err := srv.memory()
	if err != nil {
		return err
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("archive %s: %d articles; server pid %d; %d queries; machine load %s\n",
		dbPath, n, srv.cmd.Process.Pid, len(queries), strings.Fields(string(load))[0])
	fmt.Printf("memory at rest: PSS %.1f MiB (anonymous %.1f, mapped archive %.1f); RSS %.1f MiB\n\n",
		mib(rest.pss), mib(rest.anon), mib(rest.file), mib(rest.rss))
	fmt.Printf("%-40s %8s %8s %8s %8s %8s %9s %6s %8s\n", "phase", "requests", "p50 ms", "p95 ms", "p99 ms", "max ms", "req/s", "errors", "cpu ms/r")

	article := func(i int) string { return base + "/articles/" + queries[i%len(queries)].articleID }
	phases := []struct {
		name    string
		clients int
		total   int
		url     func(i int) string
	}{
		{"API search (uncollapsed), 1 client", 1, seqReqs, func(i int) string { return apiURL(base, queries[i%len(queries)]) }},
		{"API search collapsed, 1 client", 1, seqReqs, func(i int) string { return apiURL(base, queries[i%len(queries)]) + "&collapse=true" }},
		{"search page (collapsed), 1 client", 1, seqReqs, func(i int) string { return pageURL(base, queries[i%len(queries)]) }},
		{"search page, copies shown, 1 client", 1, seqReqs, func(i int) string { return pageURL(base, queries[i%len(queries)]) + "&dups=show" }},
		{"article page, 1 client", 1, seqReqs / 2, article},
		{"attention page, 1 client", 1, seqReqs / 4, func(i int) string {
			return base + "/timeline?" + url.Values{"q": {queries[i%len(queries)].q}}.Encode()
		}},
		{fmt.Sprintf("API search (uncollapsed), %d clients", clients), clients, requests, func(i int) string { return apiURL(base, queries[i%len(queries)]) }},
		{fmt.Sprintf("search page (collapsed), %d clients", clients), clients, requests, func(i int) string { return pageURL(base, queries[i%len(queries)]) }},
	}
	var peak mem
	for _, p := range phases {
		stopSampling := srv.sample(&peak)
		cpu0 := srv.cpu()
		r := phase(client, p.clients, p.total, maxTime, p.url)
		cpu := srv.cpu() - cpu0
		stopSampling()
		fmt.Printf("%-40s %8d %8.1f %8.1f %8.1f %8.1f %9.1f %6d %8.1f\n", p.name, len(r.durations),
			r.pct(50), r.pct(95), r.pct(99), r.pct(100), r.rate(), r.errors,
			float64(cpu.Microseconds())/1000/float64(max(1, len(r.durations)+r.errors)))
		if r.firstErr != nil {
			fmt.Printf("  first error: %v\n", r.firstErr)
		}
	}
	after, err := srv.memory()
	if err != nil {
		return err
	}
	fmt.Printf("\nmemory under load (peaks sampled every 50 ms): PSS %.1f MiB (anonymous %.1f, mapped archive %.1f); RSS %.1f MiB, high-water mark %.1f MiB\n",
		mib(peak.pss), mib(peak.anon), mib(peak.file), mib(peak.rss), mib(after.hwm))
	return nil
}

// buildArchive makes the archive at path with n generated articles,
// unless it holds them already.
func buildArchive(ctx context.Context, path string, n int) error {
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.Stats(ctx)
	if err != nil {
		return err
	}
	if st.Articles >= n {
		return nil
	}
	if st.Articles != 0 {
		return fmt.Errorf("%s holds %d articles, want 0 or %d: remove it", path, st.Articles, n)
	}
	fmt.Printf("building %s with %d articles…\n", path, n)
	start := time.Now()
	gen := storetest.NewGenerator(1)
	const batch = 1000
	for done := 0; done < n; done += batch {
		tx, err := db.Begin(ctx)
		if err != nil {
			return err
		}
		for range min(batch, n-done) {
			if _, err := tx.Put(ctx, gen.Next()); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	if err := db.Optimize(ctx); err != nil {
		return err
	}
	if err := db.Checkpoint(ctx); err != nil {
		return err
	}
	fmt.Printf("built in %s\n", time.Since(start).Round(time.Second))
	return nil
}

type server struct {
	cmd  *exec.Cmd
	url  string
	done chan error
}

func startServer(herald, db string) (*server, error) {
	cmd := exec.Command(herald, "serve", "--db", db, "--addr", "127.0.0.1:0", "--quiet")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", herald, err)
	}
	s := &server{cmd: cmd, done: make(chan error, 1)}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("server banner: %w", err)
	}
	_, addr, ok := strings.Cut(strings.TrimSpace(line), " at ")
	if !ok {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("server banner %q", line)
	}
	s.url = strings.TrimSuffix(addr, "/")
	go func() {
		_, _ = io.Copy(io.Discard, out) // drain "Stopped."
		s.done <- cmd.Wait()
	}()
	return s, nil
}

// stop sends SIGINT (a graceful stop) and waits.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// mem is the server's resident memory. RSS counts a file page once per
// mapping, and every reader connection of the archive maps the database
// file, so RSS counts the archive several times; PSS counts each page
// once. Anon is the Go heap, stacks and SQLite's page caches; File the
// memory-mapped archive, which the kernel may drop at will.
type mem struct{ rss, pss, anon, file, hwm int64 }

// memory reads the server's memory from /proc (Linux).
func (s *server) memory() (mem, error) {
	var m mem
	for _, f := range []struct {
		name   string
		fields map[string]*int64
	}{
		{"status", map[string]*int64{"VmHWM:": &m.hwm}},
		{"smaps_rollup", map[string]*int64{"Rss:": &m.rss, "Pss:": &m.pss, "Pss_Anon:": &m.anon, "Pss_File:": &m.file}},
	} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", s.cmd.Process.Pid, f.name))
		if err != nil {
			return mem{}, fmt.Errorf("server memory: %w", err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			fs := strings.Fields(line)
			if len(fs) < 2 {
				continue
			}
			if p, ok := f.fields[fs[0]]; ok {
				kb, _ := strconv.ParseInt(fs[1], 10, 64)
				*p = kb << 10
			}
		}
	}
	return m, nil
}

// cpu returns the server's CPU time so far (user and system). Divided by
// the requests of a phase it gives a cost per request that the machine's
// other load does not inflate the way it inflates latency.
func (s *server) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may
	// hold spaces: utime and stime are the 12th and 13th.
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc CPU times: 100 on Linux.
const clockTicks = 100

// sample records the peak RSS and anonymous RSS into peak until the
// returned func is called.
func (s *server) sample(peak *mem) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if m, err := s.memory(); err == nil {
				peak.rss = max(peak.rss, m.rss)
				peak.pss = max(peak.pss, m.pss)
				peak.anon = max(peak.anon, m.anon)
				peak.file = max(peak.file, m.file)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

type loadQuery struct {
	q         string
	page      int
	articleID string
}

func apiURL(base string, q loadQuery) string {
	return base + "/api/search?" + url.Values{"q": {q.q}, "page": {strconv.Itoa(q.page)}}.Encode()
}

func pageURL(base string, q loadQuery) string {
	v := url.Values{"q": {q.q}}
	if q.page > 1 {
		v.Set("page", strconv.Itoa(q.page))
	}
	return base + "/?" + v.Encode()
}

// querySet is a mix of what people type: common and rare words, phrases,
// OR, exclusions, prefixes, filters taken from the archive's own top
// sites, tags and authors, date ranges, sorting, and a few deeper pages.
// Each carries an article id from its results, for the article phase.
func querySet(c *http.Client, base string) ([]loadQuery, error) {
	top := func(field string) ([]string, error) {
		b, err := get(c, base+"/api/top?field="+field+"&n=3")
		if err != nil {
			return nil, err
		}
		var r struct{ Counts []struct{ Key string } }
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, err
		}
		var keys []string
		for _, k := range r.Counts {
			keys = append(keys, k.Key)
		}
		if len(keys) == 0 {
			return nil, fmt.Errorf("no top %s values", field)
		}
		return keys, nil
	}
	sites, err := top("site")
	if err != nil {
		return nil, err
	}
	tags, err := top("tag")
	if err != nil {
		return nil, err
	}
	authors, err := top("author")
	if err != nil {
		return nil, err
	}
	texts := []string{
		"", "minister", "police court", `"prime minister"`, `"climate change" energy`, "storm OR flood",
		"election -campaign", "harv*", "health hospital patients", "inflation prices wages",
		"site:" + sites[0], "site:" + sites[1] + " government", `tag:"` + tags[0] + `"`,
		`tag:"` + tags[1] + `" economy`, `author:"` + authors[0] + `"`, "lang:fr",
		"after:2022-01-01 before:2022-02-01", "after:2023-06-01 before:2023-07-01 minister",
		"section:world security", "budget sort:oldest", "the", "vaccine virus -war",
	}
	var out []loadQuery
	for i, t := range texts {
		page := 1
		if i%5 == 4 {
			page = 3
		}
		b, err := get(c, apiURL(base, loadQuery{q: t, page: 1}))
		if err != nil {
			return nil, err
		}
		var r struct {
			Hits []struct{ Record struct{ ID string } }
		}
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, err
		}
		lq := loadQuery{q: t, page: page}
		if len(r.Hits) > 0 {
			lq.articleID = r.Hits[0].Record.ID
		}
		out = append(out, lq)
	}
	// Every query needs an article for the article phase.
	for i := range out {
		for j := 0; out[i].articleID == ""; j++ {
			out[i].articleID = out[(i+j)%len(out)].articleID
		}
	}
	return out, nil
}

func get(c *http.Client, u string) ([]byte, error) {
	res, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %s: %.200s", u, res.Status, b)
	}
	return b, nil
}

type result struct {
	durations []time.Duration
	elapsed   time.Duration
	errors    int
	firstErr  error
}

// pct returns the p-th percentile in milliseconds (nearest rank).
func (r result) pct(p float64) float64 {
	if len(r.durations) == 0 {
		return 0
	}
	d := slices.Clone(r.durations)
	slices.Sort(d)
	i := int(float64(len(d))*p/100+0.5) - 1
	i = min(max(i, 0), len(d)-1)
	return float64(d[i].Microseconds()) / 1000
}

func (r result) rate() float64 { return float64(len(r.durations)) / r.elapsed.Seconds() }

// phase sends total requests from clients goroutines, within maxTime.
func phase(c *http.Client, clients, total int, maxTime time.Duration, target func(int) string) result {
	var (
		next atomic.Int64
		mu   sync.Mutex
		r    result
		wg   sync.WaitGroup
	)
	deadline := time.Now().Add(maxTime)
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= total || time.Now().After(deadline) {
					return
				}
				t0 := time.Now()
				_, err := get(c, target(i))
				d := time.Since(t0)
				mu.Lock()
				if err != nil {
					r.errors++
					if r.firstErr == nil {
						r.firstErr = err
					}
				} else {
					r.durations = append(r.durations, d)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	if r.elapsed <= 0 {
		r.elapsed = time.Nanosecond
	}
	return r
}
