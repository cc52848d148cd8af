package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/demo"
	"github.com/herald-archive/herald/internal/store/sqlite"
)

// TestHarvestSurvivesKill builds the real binary, starts a harvest of a
// slow site, kills it with SIGKILL twice at different points, and checks
// that the restarted harvest finishes with every article stored exactly
// once.
func TestHarvestSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "herald")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	var articleHits atomic.Int64
	site := demo.Handler(demo.Options{Delay: 150 * time.Millisecond})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/news/") {
			articleHits.Add(1)
		}
		site.ServeHTTP(w, r)
	}))
	defer srv.Close()

	db := filepath.Join(dir, "herald.db")
	args := []string{"--db", db, "harvest", "--allow-private", "--delay", "0", "--concurrency", "2", "--progress", "never", srv.URL + "/feed.xml"}
	start := func() (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(bin, args...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out
	}
	killAfter := func(hits int64) {
		cmd, out := start()
		deadline := time.Now().Add(60 * time.Second)
		for articleHits.Load() < hits {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("harvest did not reach %d article requests:\n%s", hits, out)
			}
			time.Sleep(5 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait() // killed: the error is expected
	}
	killAfter(4)
	killAfter(articleHits.Load() + 5)

	cmd, out := start()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("final harvest: %v\n%s", err, out)
		}
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatalf("final harvest did not finish:\n%s", out)
	}
	t.Logf("final run:\n%s", out)

	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stats, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	arts := demo.Articles()
	if stats.Articles != len(arts) || stats.Versions != 0 {
		t.Errorf("archive holds %d articles and %d earlier versions, want %d and 0", stats.Articles, stats.Versions, len(arts))
	}
	for _, a := range arts {
		cu, err := canon.URL(srv.URL + a.Path())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Get(context.Background(), canon.ID(cu)); err != nil {
			t.Errorf("%s: %v", a.Path(), err)
		}
	}
	counts, err := st.FrontierCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Done: every article, and the feed given on the command line (queued
	// first, so that a killed run polls it again).
	if counts["in-flight"] != 0 || counts["queued"] != 0 || counts["done"] != len(arts)+1 {
		t.Errorf("frontier %v, want all %d articles and the feed done", counts, len(arts))
	}
	if _, err := os.Stat(db + ".warc"); err != nil {
		t.Errorf("no captures: %v", err)
	}
}
