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
