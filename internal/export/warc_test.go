package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// The record of what was left out lists the first 10,000 and counts the
// rest; each left-out capture is said to Skip as it is met; the warcinfo
// record's date is the newest fetch time and its id changes with what is
// exported.
func TestWARCWriterLeftOut(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	recs := make([]*store.Record, maxListed+5)
	for i := range recs {
		recs[i] = &store.Record{ID: fmt.Sprintf("id%05d", i), Article: article.Article{URL: fmt.Sprintf("https://x.example/%d", i)},
			FetchedAt: day.Add(time.Duration(i%7) * time.Hour), Version: 1}
	}
	recs[3].Capture = &store.Capture{File: "gone.warc.gz", Offset: 42}
	export := func(recs []*store.Record) ([]*warc.Record, []Skip) {
		var print Fingerprint
		for _, r := range recs {
			print.Add(r)
		}
		var skips []Skip
		var buf bytes.Buffer
		w := NewWARCWriter(&buf, WARCOptions{
			Open: func(name string) (*os.File, error) { return nil, errors.New(name + ": not here") },
			Skip: func(s Skip) { skips = append(skips, s) },
		})
		if err := w.Begin(WARCInfo{Software: "Herald/test", Query: "x", Print: &print}); err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if err := w.Write(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Finish(); err != nil {
			t.Fatal(err)
		}
		if s := w.Summary(); s.Articles != len(recs) || s.NoCapture+s.Skipped != len(skips) {
			t.Errorf("summary %+v, %d skips", s, len(skips))
		}
		rd := warc.NewReader(&buf)
		var out []*warc.Record
		for {
			rec, err := rd.Next()
			if errors.Is(err, io.EOF) {
				return out, skips
			}
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, rec)
		}
	}
	got, skips := export(recs)
	if len(got) != 2 || len(skips) != len(recs) || skips[3].String() != "id00003 https://x.example/3: capture gone.warc.gz at offset 42: the WARC file cannot be read: gone.warc.gz: not here" {
		t.Fatalf("%d records, %d skips, the fourth %q", len(got), len(skips), skips[3])
	}
	if got[0].Date != day.Add(6*time.Hour) {
		t.Errorf("warcinfo date %v, want the newest fetch time", got[0].Date)
	}
	block := string(got[1].Block)
	if n := strings.Count(block, "\r\nleft-out: "); n != maxListed || !strings.Contains(block, "herald-left-out: 10005\r\n") ||
		!strings.Contains(block, "herald-not-copied: 1\r\n") || !strings.HasSuffix(block, "left-out-unlisted: 5\r\n") {
		t.Errorf("%d lines listed; the block starts %q and ends %q", n, block[:120], block[len(block)-60:])
	}
	if again, _ := export(recs[:len(recs)-1]); again[0].RecordID == got[0].RecordID {
		t.Error("another set of articles gives the same warcinfo record id")
	}
}

// WriteWARC closes the WARC files it opened when the export stops part
// way (a scan error, a client gone), not only when it finishes; and an
// error of the first pass writes nothing.
func TestWriteWARCClosesFilesOnError(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	name := dir + "/a.warc.gz"
	if err := os.WriteFile(name, []byte("not a WARC record"), 0o644); err != nil {
		t.Fatal(err)
	}
	recs := []*store.Record{
		{ID: "a", Article: article.Article{URL: "https://x.example/a"}, Version: 1, Capture: &store.Capture{File: name}},
		{ID: "b", Article: article.Article{URL: "https://x.example/b"}, Version: 1},
	}
	var opened []*os.File
	opts := WARCOptions{Open: func(name string) (*os.File, error) {
		f, err := os.Open(name)
		if err == nil {
			opened = append(opened, f)
		}
		return f, err
	}}
	broke := errors.New("the scan broke")
	calls := 0
	each := func(ctx context.Context, fn func(*store.Record) error) error {
		calls++
		for i, r := range recs {
			if calls == 2 && i == 1 {
				return broke
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	var buf bytes.Buffer
	sum, err := WriteWARC(ctx, &buf, each, WARCInfo{Software: "Herald/test"}, opts)
	if !errors.Is(err, broke) || sum.Articles != 1 || len(opened) != 1 {
		t.Fatalf("err %v, summary %+v, %d files opened", err, sum, len(opened))
	}
	if _, err := opened[0].Stat(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("the WARC file read is still open after the export stopped (Stat: %v)", err)
	}

	buf.Reset()
	first := func(ctx context.Context, fn func(*store.Record) error) error { return broke }
	if _, err := WriteWARC(ctx, &buf, first, WARCInfo{Software: "Herald/test"}, opts); !errors.Is(err, broke) || buf.Len() != 0 {
		t.Errorf("a first pass that fails: err %v, %d bytes written", err, buf.Len())
	}
}
