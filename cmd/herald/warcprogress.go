package main

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// warcProgress shows how far herald import warc has read a file: on a
// terminal, a line rewritten every second; with --progress always, a
// line every progressEvery and one at the end. A CC-NEWS file of a
// gigabyte takes minutes to import, and nothing else says how far it is.
type warcProgress struct {
	mode    progressMode
	w       io.Writer
	name    string
	size    int64 // -1: unknown
	read    atomic.Int64
	started time.Time
	stop    chan struct{}
	done    sync.WaitGroup
}

// progressEvery is how often --progress always writes a line for import
// warc.
const progressEvery = 10 * time.Second

// startWARCProgress starts showing the progress of reading the file name
// of size bytes (-1 unknown) through the reader it returns; end stops it.
func startWARCProgress(mode progressMode, w io.Writer, name string, size int64, r io.Reader) (io.Reader, func()) {
	if mode == noProgress {
		return r, func() {}
	}
	p := &warcProgress{mode: mode, w: w, name: name, size: size, started: time.Now(), stop: make(chan struct{})}
	every := progressEvery
	if mode == progressLine {
		every = time.Second
	}
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.show()
			case <-p.stop:
				return
			}
		}
	}()
	return &countReader{r: r, n: &p.read}, p.end
}

// line says how much is read, of how much, and how fast.
func (p *warcProgress) line() string {
	n := p.read.Load()
	secs := time.Since(p.started).Seconds()
	s := fmt.Sprintf("%s: read %s", p.name, harvestBytes(n))
	if p.size > 0 {
		s += fmt.Sprintf(" of %s (%.0f%%)", harvestBytes(p.size), 100*float64(n)/float64(p.size))
	}
	if secs > 0 {
		s += fmt.Sprintf(", %s/s", harvestBytes(int64(float64(n)/secs)))
	}
	return s
}

func (p *warcProgress) show() {
	if p.mode == progressLine {
		fmt.Fprintf(p.w, "\r%s\x1b[K", p.line())
		return
	}
	fmt.Fprintln(p.w, p.line())
}

// end stops the line: on a terminal it is cleared, so that the summary
// takes its place; otherwise a last line says what was read.
func (p *warcProgress) end() {
	close(p.stop)
	p.done.Wait()
	if p.mode == progressLine {
		fmt.Fprint(p.w, "\r\x1b[K")
		return
	}
	fmt.Fprintf(p.w, "%s in %s\n", p.line(), time.Since(p.started).Round(100*time.Millisecond))
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}
