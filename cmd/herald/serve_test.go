package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

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

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	outR, outW := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--db", path, "--addr", "127.0.0.1:0", "--quiet"}, strings.NewReader(""), outW, &stderr)
		outW.Close()
	}()
	out := bufio.NewReader(outR)
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatalf("no banner: %v (stderr %s)", err, stderr.String())
	}
	_, addr, ok := strings.Cut(strings.TrimSpace(line), " at ")
	if !ok || !strings.Contains(line, "read-only") {
		t.Fatalf("banner %q", line)
	}
	res, err := http.Get(addr + "api/search?q=harbour")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "Harbour reopens") {
		t.Errorf("search: %d %s", res.StatusCode, body)
	}
	cancel()
	rest, _ := io.ReadAll(out)
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(string(rest), "Stopped.") {
			t.Errorf("exit %d, output %q, stderr %q", code, rest, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
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
