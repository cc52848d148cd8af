//go:build unix

package main

import (
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// An --out that is a named pipe (or a device such as /dev/null) is
// written to, not replaced: export wrote a temporary file and renamed it
// over the pipe, so the reader got nothing and, run as root with
// /dev/null, the device became a plain file.
func TestExportToNamedPipe(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	if _, stderr, code := herald(t, archiveLines(5), "--db", db, "import", "jsonl", "-"); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	_, stderr, code := herald(t, "", "--db", db, "export", "--format", "csv", "--out", fifo)
	if code != 0 {
		t.Fatalf("export to a pipe: exit %d, %s", code, stderr)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		// The reader waits for a writer that will never come.
		t.Fatalf("after the export %s is %v (%v), want the named pipe still", fifo, st.Mode(), err)
	}
	out := <-got
	if rows, err := csv.NewReader(strings.NewReader(out)).ReadAll(); err != nil || len(rows) != 6 || rows[0][0] != "id" {
		t.Errorf("the pipe's reader got:\n%s", out)
	}
}
