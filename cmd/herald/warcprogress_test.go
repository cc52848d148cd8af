package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestWARCProgressLine: on a terminal the progress of import warc is one
// line rewritten in place (carriage return, then the line, then the rest
// of the line cleared), which its end clears for the summary; with
// --progress always, plain lines and a last one with the time taken;
// never writes nothing and reads through.
func TestWARCProgressLine(t *testing.T) {
	data := strings.Repeat("x", 3000)
	read := func(mode progressMode, size int64) string {
		t.Helper()
		var out bytes.Buffer
		r, end := startWARCProgress(mode, &out, "f.warc.gz", size, strings.NewReader(data))
		got, err := io.ReadAll(r)
		if err != nil || string(got) != data {
			t.Fatalf("read through the progress: %d bytes, %v", len(got), err)
		}
		p := r.(*countReader)
		if p.n.Load() != int64(len(data)) {
			t.Errorf("counted %d bytes, want %d", p.n.Load(), len(data))
		}
		end()
		return out.String()
	}
	// A tick may or may not have come first (once a second): either way
	// the line ends cleared, and nothing else is left on it.
	if got := read(progressLine, 3000); !strings.HasSuffix(got, "\r\x1b[K") || strings.Contains(got, "\n") {
		t.Errorf("terminal: %q, want the line cleared at the end", got)
	}
	if got := read(progressLines, 3000); !strings.HasPrefix(got, "f.warc.gz: read 2.9 KiB of 2.9 KiB (100%), ") || !strings.Contains(got, "/s in ") || strings.Count(got, "\n") != 1 {
		t.Errorf("--progress always: %q", got)
	}
	if got := read(progressLines, -1); !strings.HasPrefix(got, "f.warc.gz: read 2.9 KiB, ") {
		t.Errorf("--progress always, size unknown: %q", got)
	}
	var out bytes.Buffer
	r, end := startWARCProgress(noProgress, &out, "f", 1, strings.NewReader(data))
	io.Copy(io.Discard, r)
	end()
	if out.Len() != 0 {
		t.Errorf("--progress never wrote %q", out.String())
	}

	// The line itself, as the ticker writes it.
	p := &warcProgress{mode: progressLine, name: "f.warc.gz", size: 4096}
	p.read.Store(1024)
	p.w = &out
	p.show()
	if got := out.String(); !strings.HasPrefix(got, "\rf.warc.gz: read 1.0 KiB of 4.0 KiB (25%)") || !strings.HasSuffix(got, "\x1b[K") {
		t.Errorf("the terminal line: %q", got)
	}
}
