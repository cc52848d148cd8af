package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/store/sqlite"
)

// An import interrupted half-way (Ctrl-C while it reads its input) exits
// non-zero, keeps the batches it committed whole and nothing of the
// batch it was filling, and running it again completes the archive
// without storing anything twice.
func TestImportInterruptedAndRerun(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	all := archiveLines(100)
	lines := strings.SplitAfter(all, "\n")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var errb bytes.Buffer
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, []string{"--db", db, "import", "--batch", "10", "jsonl", "-"}, pr, io.Discard, &errb)
	}()
	go pw.Write([]byte(strings.Join(lines[:35], ""))) // three batches and half of a fourth

	// Wait for the three full batches, read from another connection, as
	// another process would.
	articles := func() int {
		if _, err := os.Stat(db); err != nil {
			return -1 // not created yet (opening it would create it)
		}
		st, err := sqlite.Open(context.Background(), db)
		if err != nil {
			return -1
		}
		defer st.Close()
		s, err := st.Stats(context.Background())
		if err != nil {
			return -1
		}
		return s.Articles
	}
	deadline := time.Now().Add(time.Minute) // a safety net, not a timing assertion
	for articles() < 30 {
		if time.Now().After(deadline) {
			t.Fatalf("the first batches never arrived; stderr:\n%s", errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	pw.CloseWithError(errors.New("interrupted")) // the terminal goes away with the signal
	if code := <-exit; code != 130 || !strings.HasSuffix(errb.String(), "herald: interrupted; what was stored before is kept\n") || strings.Contains(errb.String(), "context canceled") {
		t.Fatalf("interrupted import: exit %d, want 130 saying it was interrupted; stderr:\n%s", code, errb.String())
	}
	if n := articles(); n != 30 {
		t.Fatalf("%d articles after the interruption, want the 30 of the committed batches", n)
	}

	_, stderr, code := herald(t, all, "--db", db, "import", "--batch", "10", "jsonl", "-")
	if code != 0 || !strings.Contains(stderr, "70 new") || !strings.Contains(stderr, "30 unchanged") {
		t.Fatalf("rerun: exit %d:\n%s", code, stderr)
	}
	if n := articles(); n != 100 {
		t.Errorf("%d articles after the rerun, want 100", n)
	}
}
