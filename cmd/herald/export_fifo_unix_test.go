//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// An --out that is a named pipe (or a device such as /dev/null) is
// written to, not replaced: export wrote a temporary file and renamed it
// over the pipe, so the reader got nothing and, run as root with
// /dev/null, the device became a plain file.
func TestExportToNamedPipe(t *testing.T) {
	dir := t.TempDir()
	db := importLines(t, dir, archiveLines(5))
	fifo := namedPipe(t, dir)
	got := readPipe(fifo, 0)
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

// An --out naming one of the process's descriptors (/dev/stdout,
// /dev/fd/N, /proc/self/fd/N) is written through that descriptor. When
// the shell had pointed it at a file (herald export --out /dev/stdout >>
// all.jsonl), the export renamed a temporary file over that file: what
// it held before was lost, and the shell's descriptor wrote nowhere.
func TestExportToADescriptor(t *testing.T) {
	dir := t.TempDir()
	db := importLines(t, dir, archiveLines(3))
	// Standard output: the command's own, as with --out -.
	out, stderr, code := herald(t, "", "--db", db, "export", "--out", "/dev/stdout")
	if code != 0 || strings.Count(out, "\n") != 3 {
		t.Errorf("--out /dev/stdout: exit %d, %d lines on standard output\n%s", code, strings.Count(out, "\n"), stderr)
	}
	// Another descriptor, open for appending to a file that holds lines
	// already (as >> leaves it).
	all := filepath.Join(dir, "all.jsonl")
	if err := os.WriteFile(all, []byte("{\"earlier\": true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(all, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, name := range []string{"/dev/fd/", "/proc/self/fd/"} {
		target := name + strconv.Itoa(int(f.Fd()))
		if _, err := os.Stat(target); err != nil {
			t.Logf("%s: %v", target, err)
			continue
		}
		if _, stderr, code := herald(t, "", "--db", db, "export", "--out", target); code != 0 {
			t.Fatalf("--out %s: exit %d, %s", target, code, stderr)
		}
	}
	b, err := os.ReadFile(all)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(b), "\n"); !strings.HasPrefix(string(b), "{\"earlier\": true}\n") || lines != 7 {
		t.Errorf("%s after two exports through its descriptor: %d lines, want the earlier one and 2×3 appended\n%s", all, lines, b)
	}
	if st, err := os.Stat(all); err != nil || f == nil {
		t.Fatal(err)
	} else if fst, err := f.Stat(); err != nil || !os.SameFile(st, fst) {
		t.Errorf("%s was replaced: the descriptor no longer names it", all)
	}
}

// An export to a named pipe that nobody reads yet waits for a reader, and
// stops when interrupted: the open waited in the kernel, where the first
// Ctrl-C could not reach it.
func TestExportToUnreadPipeCanBeInterrupted(t *testing.T) {
	dir := t.TempDir()
	db := importLines(t, dir, archiveLines(3))
	fifo := namedPipe(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--db", db, "export", "--out", fifo}, strings.NewReader(""), io.Discard, &stderr)
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case code := <-done:
		if code == 0 {
			t.Errorf("interrupted export: exit 0, %s", stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Error("the export still waits for a reader after it was interrupted")
		if f, err := os.Open(fifo); err == nil { // let it finish
			io.Copy(io.Discard, f)
			f.Close()
		}
		<-done
	}
	// With a reader it writes every record.
	got := readPipe(fifo, 300*time.Millisecond) // the export waits for us
	if _, stderr, code := herald(t, "", "--db", db, "export", "--out", fifo); code != 0 {
		t.Fatalf("export to a pipe read late: exit %d, %s", code, stderr)
	}
	if out := <-got; strings.Count(out, "\n") != 3 {
		t.Errorf("the reader got:\n%s", out)
	}
}

// namedPipe makes a named pipe in dir and returns its path; the test is
// skipped where the system has none.
func namedPipe(t *testing.T, dir string) string {
	t.Helper()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	return fifo
}

// readPipe opens the named pipe fifo after a pause of after and sends
// all it reads (or why it could not open it) on the channel it returns.
func readPipe(fifo string, after time.Duration) <-chan string {
	got := make(chan string, 1)
	go func() {
		time.Sleep(after)
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	return got
}
