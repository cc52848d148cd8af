package harvest

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/warc"
)

// benchPage is an article page of about the size of a real news page: the
// article with a large navigation menu, related links, scripts and a
// footer around it.
func benchPage(host string, i int) []byte {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">`)
	fmt.Fprintf(&b, `<title>Story %d from %s - The Harbour Gazette</title>`, i, host)
	b.WriteString(`<script>window.dataLayer=[];function track(){}` + strings.Repeat("/* analytics */", 200) + `</script>`)
	b.WriteString(`<style>` + strings.Repeat(".menu a{color:#123;padding:2px}", 150) + `</style></head><body><header><nav><ul>`)
	for j := range 150 {
		fmt.Fprintf(&b, `<li><a href="/section/%d/">Section number %d</a></li>`, j, j)
	}
	b.WriteString(`</ul></nav></header><main>`)
	pub := gazetteDay.Add(-time.Duration(i) * time.Minute)
	body := gazettePage(fmt.Sprintf("Story %d from %s", i, host), "", pub, benchText(fmt.Sprintf("%s/%d", host, i), 9))
	start := strings.Index(body, "<article>")
	end := strings.Index(body, "</article>") + len("</article>")
	b.WriteString(body[start:end])
	b.WriteString(`<aside><h2>Related</h2><ul>`)
	for j := range 30 {
		fmt.Fprintf(&b, `<li><a href="/news/2026/05/03/related-%d.html">A related story about the harbour, number %d</a></li>`, j, j)
	}
	b.WriteString(`</ul></aside></main><footer>`)
	for j := range 40 {
		fmt.Fprintf(&b, `<a href="/page/%d">Footer link %d</a> `, j, j)
	}
	b.WriteString(`</footer></body></html>`)
	return []byte(b.String())
}

var benchSyllables = []string{"ka", "lo", "mer", "tin", "sa", "ber", "ro", "den", "fal", "is", "um", "par", "gre", "vo",
	"nal", "ti", "co", "ran", "el", "sto", "mi", "dar", "pe", "lun", "ho", "ves", "bri", "tor", "an", "qui"}

// benchText writes n paragraphs of 60 pseudo-words each: unlike
// gazetteText, two articles share few word sequences, as real articles
// do, so near-duplicate detection is not flooded with candidates.
func benchText(seed string, n int) []string {
	h := fnv.New64a()
	h.Write([]byte(seed))
	rng := rand.New(rand.NewPCG(h.Sum64(), 11))
	paras := make([]string, n)
	for i := range paras {
		var b strings.Builder
		for w := range 60 {
			if w > 0 {
				b.WriteByte(' ')
			}
			for range 2 + rng.IntN(2) {
				b.WriteString(benchSyllables[rng.IntN(len(benchSyllables))])
			}
			if w%12 == 11 {
				b.WriteByte('.')
			}
		}
		b.WriteByte('.')
		paras[i] = b.String()
	}
	return paras
}

// benchHosts starts n loopback sites with perHost articles each and
// returns the article URLs, interleaved by host.
func benchHosts(b *testing.B, n, perHost int) []string {
	b.Helper()
	var mu sync.Mutex
	cache := map[string][]byte{}
	var urls [][]string
	for h := range n {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			num, ok := strings.CutPrefix(r.URL.Path, "/news/2026/05/04/story-")
			num, ok2 := strings.CutSuffix(num, ".html")
			i, err := strconv.Atoi(num)
			if !ok || !ok2 || err != nil {
				http.NotFound(w, r)
				return
			}
			key := fmt.Sprintf("%d/%d", h, i)
			mu.Lock()
			page := cache[key]
			if page == nil {
				page = benchPage(fmt.Sprintf("host%d", h), i)
				cache[key] = page
			}
			mu.Unlock()
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page)
		}))
		b.Cleanup(srv.Close)
		var list []string
		for i := range perHost {
			list = append(list, fmt.Sprintf("%s/news/2026/05/04/story-%d.html", srv.URL, i))
		}
		urls = append(urls, list)
	}
	var out []string
	for i := range perHost {
		for h := range n {
			out = append(out, urls[h][i])
		}
	}
	return out
}

func benchArchive(b *testing.B) (*sqlite.DB, string) {
	b.Helper()
	dir := b.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "herald.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db, dir
}

// BenchmarkHarvestLoopback fetches, captures, extracts and stores pages
// from 16 loopback hosts with pacing off: articles/s from fetch to stored
// record.
//
//	go test ./internal/harvest -run '^$' -bench HarvestLoopback -benchtime 1x
func BenchmarkHarvestLoopback(b *testing.B) {
	const hosts, perHost = 16, 125
	for b.Loop() {
		b.StopTimer()
		urls := benchHosts(b, hosts, perHost)
		st, dir := benchArchive(b)
		h, err := New(st, Options{Delay: -1, AllowPrivate: true, Concurrency: hosts, WARCDir: filepath.Join(dir, "warc"), BatchSize: 256})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		sum, err := h.HarvestPages(context.Background(), urls, "bench")
		if err != nil {
			b.Fatal(err)
		}
		el, cpu := time.Since(start), cpuTime()-cpu0
		b.StopTimer()
		h.Close()
		b.ReportMetric(float64(sum.New)/cpu.Seconds(), "articles/cpu-s")
		if sum.New != len(urls) {
			b.Fatalf("stored %d of %d: %+v", sum.New, len(urls), sum)
		}
		b.ReportMetric(float64(sum.New)/el.Seconds(), "articles/s")
		b.ReportMetric(float64(sum.Bytes)/float64(sum.Fetched), "bytes/page")
		b.StartTimer()
	}
}

// BenchmarkImportWARC imports a WARC of 2,000 article responses; run it
// with -cpu 1 for the per-core rate.
//
//	go test ./internal/harvest -run '^$' -bench ImportWARC -benchtime 1x -cpu 1,2
func BenchmarkImportWARC(b *testing.B) {
	const n = 2000
	dir := b.TempDir()
	w, err := warc.NewWriter(dir, warc.WriterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		page := benchPage("importhost", i)
		url := fmt.Sprintf("https://importhost.example/news/2026/05/04/story-%d.html", i)
		if _, err := w.WriteExchange(context.Background(), warc.Exchange{TargetURI: url, Date: gazetteDay,
			ResponseRaw: rawResponse(200, "text/html; charset=utf-8", string(page))}); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	data, err := os.ReadFile(files[0])
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		b.StopTimer()
		st, _ := benchArchive(b)
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		sum, err := ImportWARC(context.Background(), st, bytes.NewReader(data), ImportOptions{Workers: runtime.GOMAXPROCS(0)})
		if err != nil {
			b.Fatal(err)
		}
		el, cpu := time.Since(start), cpuTime()-cpu0
		b.ReportMetric(float64(n)/cpu.Seconds(), "articles/cpu-s")
		if sum.New != n {
			b.Fatalf("imported %d of %d: %+v", sum.New, n, sum)
		}
		b.ReportMetric(float64(n)/el.Seconds(), "articles/s")
	}
}

// BenchmarkFrontier100k queues 100,000 URLs on 100 hosts and harvests the
// first 2,000 of them, reporting the peak resident memory of the process
// (Linux), test servers and URL list included; cmd/herald's
// BenchmarkHarvestRSS measures the herald process alone.
//
//	go test ./internal/harvest -run '^$' -bench Frontier100k -benchtime 1x
func BenchmarkFrontier100k(b *testing.B) {
	const hosts, perHost = 100, 1000
	for b.Loop() {
		b.StopTimer()
		urls := benchHosts(b, hosts, perHost)
		st, dir := benchArchive(b)
		h, err := New(st, Options{Delay: -1, AllowPrivate: true, Concurrency: 16, MaxPages: 2000, WARCDir: filepath.Join(dir, "warc")})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		sum, err := h.HarvestPages(context.Background(), urls, "bench")
		if err != nil {
			b.Fatal(err)
		}
		el := time.Since(start)
		b.StopTimer()
		h.Close()
		counts, err := st.FrontierCounts(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if sum.Queued != len(urls) || sum.New != 2000 {
			b.Fatalf("%+v", sum)
		}
		b.ReportMetric(float64(counts["queued"]), "queued")
		b.ReportMetric(peakRSS()/(1<<20), "peakRSS-MiB")
		b.ReportMetric(el.Seconds(), "s")
		b.StartTimer()
	}
}

// cpuTime is the CPU time (user and system) the process has used so far.
// Benchmarks report articles per CPU-second beside articles per second:
// on a shared, loaded machine the first says what the code costs, the
// second what the machine gave it.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS reads the process's peak resident set size (VmHWM) in bytes; 0
// where /proc is not available.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb * 1024
		}
	}
	return 0
}
