package main

import (
	"bytes"
	"context"
	"encoding/json"
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

// The demo run again on its archive serves the sample site at the same
// address, so its pages are the same articles: before, each run stored
// all of them again as duplicates of the last run's.
func TestDemoRunAgain(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	site := regexp.MustCompile(`Sample site \(The Harbour Gazette\) at (\S+)`)
	var urls []string
	for range 2 {
		out, stderr, code := herald(t, "", "--db", db, "demo", "--no-serve")
		if code != 0 {
			t.Fatalf("exit %d: %s%s", code, out, stderr)
		}
		m := site.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no sample site URL in:\n%s", out)
		}
		urls = append(urls, m[1])
	}
	if urls[0] != urls[1] {
		t.Errorf("sample site at %s, then at %s", urls[0], urls[1])
	}
	if n, _ := archiveStats(t, db); n != demo.Expect().Articles {
		t.Errorf("after two runs the archive holds %d articles, want %d", n, demo.Expect().Articles)
	}
	out, _, _ := herald(t, "", "--db", db, "source", "list", "--json")
	var list struct {
		Sources []struct {
			URL    string `json:"url"`
			Health struct {
				Articles int `json:"articles"`
			} `json:"health"`
		} `json:"sources"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	srcs := list.Sources
	if len(srcs) != 2 {
		t.Errorf("%d sources after two runs, want the feed and the sitemap:\n%s", len(srcs), out)
	}
	// Both on the sample site's host, which holds every article, as the
	// sources API counts them (the sitemap alone listed 2 of them).
	for _, s := range srcs {
		if s.Health.Articles != demo.Expect().Articles {
			t.Errorf("source %s: %d articles, want %d (its host's)", s.URL, s.Health.Articles, demo.Expect().Articles)
		}
	}
}

func TestInvocation(t *testing.T) {
	for arg0, want := range map[string]string{
		"/tmp/go-build3382/b001/exe/herald": "go run ./cmd/herald",
		"/usr/local/bin/herald":             "herald",
		"herald":                            "herald",
		"./herald":                          "herald",
	} {
		if got := invocation(arg0); got != want {
			t.Errorf("invocation(%q) = %q, want %q", arg0, got, want)
		}
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

// The demo refuses an archive of real articles: its made-up ones would
// mix with them. The archive is left as it was.
func TestDemoRefusesARealArchive(t *testing.T) {
	db := filepath.Join(t.TempDir(), "real.db")
	line := `{"url":"https://news.example.org/a","title":"A real story","text":"A real story with enough words to be kept as an article in the archive."}` + "\n"
	if _, stderr, code := herald(t, line, "--db", db, "import", "jsonl", "-"); code != 0 {
		t.Fatalf("import: exit %d %s", code, stderr)
	}
	out, stderr, code := herald(t, "", "--db", db, "demo", "--no-serve")
	if code != 2 || !strings.Contains(stderr, "holds 1 article and no earlier demo") || strings.Contains(out, "Sample site") {
		t.Errorf("demo on a real archive: exit %d\n%s%s", code, out, stderr)
	}
	if n, _ := archiveStats(t, db); n != 1 {
		t.Errorf("the archive holds %d articles after the refusal, want its 1", n)
	}
	if out, _, _ := herald(t, "", "--db", db, "source", "list", "--json"); strings.Contains(out, "feed.xml") {
		t.Errorf("the refused demo added its sources:\n%s", out)
	}
}
