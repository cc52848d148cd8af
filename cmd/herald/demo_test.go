package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/demo"
)

// lockedBuffer is a bytes.Buffer safe to read while a command writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestDemoHarvests(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	out, stderr, code := herald(t, "", "--db", db, "demo", "--no-serve")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, stderr)
	}
	want := demo.Expect()
	if n, _ := archiveStats(t, db); n != want.Articles {
		t.Errorf("demo archive holds %d articles, want %d:\n%s", n, want.Articles, out)
	}
	if !strings.Contains(out, "Archive at "+db) || !strings.Contains(out, "duplicate") {
		t.Errorf("output:\n%s", out)
	}
}

func TestDemoServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--addr", "127.0.0.1:0"}, strings.NewReader(""), &out, &errb)
	}()

	re := regexp.MustCompile(`Browse the archive at (http://[^ ]+/)`)
	var url string
	for deadline := time.Now().Add(90 * time.Second); url == ""; time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
		select {
		case code := <-done:
			t.Fatalf("demo exited %d early:\n%s%s", code, out.String(), errb.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no URL printed:\n%s%s", out.String(), errb.String())
		}
	}
	resp, err := http.Get(url + "?q=harbour")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Harbour reopens") {
		t.Errorf("search page: %d\n%.500s", resp.StatusCode, body)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("demo exit %d after interrupt:\n%s", code, errb.String())
	}
}
