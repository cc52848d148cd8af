package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkHarvestRSS measures the herald process's peak memory with a
// 100,000-URL frontier: 100 loopback hosts with 1,000 article URLs each,
// given with --urls, of which the first 2,000 are harvested (the rest stays
// queued in the archive).
//
//	go test ./cmd/herald -run '^$' -bench HarvestRSS -benchtime 1x
func BenchmarkHarvestRSS(b *testing.B) {
	const hosts, perHost, pages = 100, 1000, 2000
	dir := b.TempDir()
	bin := filepath.Join(dir, "herald")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	para := strings.Repeat("The harbour committee met on Tuesday to discuss the state of the quay and the cost of repairs. ", 8)
	var list strings.Builder
	var servers []*httptest.Server
	for h := range hosts {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><title>Story %s on host %d</title></head><body><article><h1>Story %s on host %d</h1>`,
				r.URL.Path, h, r.URL.Path, h)
			for i := range 6 {
				fmt.Fprintf(w, "<p>%s Paragraph %d of %s.</p>", para, i, r.URL.Path)
			}
			fmt.Fprint(w, "</article></body></html>")
		}))
		servers = append(servers, srv)
	}
	b.Cleanup(func() {
		for _, s := range servers {
			s.Close()
		}
	})
	for i := range perHost {
		for _, s := range servers {
			fmt.Fprintf(&list, "%s/news/2026/05/04/story-number-%d-of-the-day.html\n", s.URL, i)
		}
	}
	urls := filepath.Join(dir, "urls.txt")
	if err := os.WriteFile(urls, []byte(list.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		db := filepath.Join(b.TempDir(), "herald.db")
		cmd := exec.Command(bin, "--db", db, "harvest", "--urls", urls, "--allow-private", "--delay", "0",
			"--max-pages", fmt.Sprint(pages), "--concurrency", "16", "--progress", "never")
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("harvest: %v\n%s", err, out)
		}
		el := time.Since(start)
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		b.ReportMetric(float64(ru.Maxrss)/1024, "peakRSS-MiB") // Maxrss is in KiB on Linux
		b.ReportMetric(el.Seconds(), "s")
		b.ReportMetric(float64(ru.Utime.Nano()+ru.Stime.Nano())/1e9, "cpu-s")
		// The pages are near-copies of one another, stored as duplicates.
		if !strings.Contains(string(out), fmt.Sprintf("fetched    %d pages", pages)) {
			b.Fatalf("unexpected summary:\n%s", out)
		}
		b.Logf("%s", out)
	}
}
