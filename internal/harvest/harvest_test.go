package harvest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/warc"
)

// testArchive opens a fresh SQLite archive in a temporary folder.
func testArchive(t *testing.T) (*sqlite.DB, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dir
}

// testOptions are fast, loopback-friendly options.
func testOptions(dir string) Options {
	return Options{
		Delay:        -1,
		AllowPrivate: true,
		RetryBackoff: 10 * time.Millisecond,
		WARCDir:      filepath.Join(dir, "herald.db.warc"),
		CaptureBase:  dir,
	}
}

func newTestHarvester(t *testing.T, st store.Store, opts Options) *Harvester {
	t.Helper()
	h, err := New(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Error(err)
		}
	})
	return h
}

func addSource(t *testing.T, st store.Store, url, kind string) *store.Source {
	t.Helper()
	s := &store.Source{URL: url, Kind: kind}
	if err := st.AddSource(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s
}

// stored returns the archived record of a page URL, or nil.
func stored(t *testing.T, st store.Store, rawURL string) *store.Record {
	t.Helper()
	cu, err := canon.URL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Get(context.Background(), canon.ID(cu))
	if err != nil {
		return nil
	}
	return rec
}

// checkCapture reads a record's capture back from its WARC file and checks
// it is the response for the record's URL.
func checkCapture(t *testing.T, dir string, rec *store.Record) {
	t.Helper()
	if rec.Capture == nil {
		t.Errorf("%s: no capture", rec.URL)
		return
	}
	path := rec.Capture.File
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	wr, err := warc.ReadAt(path, rec.Capture.Offset)
	if err != nil {
		t.Errorf("%s: read capture: %v", rec.URL, err)
		return
	}
	if wr.Type != warc.TypeResponse || wr.TargetURI != rec.URL || wr.RecordID != rec.Capture.RecordID {
		t.Errorf("%s: capture is %s %s %s, want response %s %s", rec.URL, wr.Type, wr.TargetURI, wr.RecordID, rec.URL, rec.Capture.RecordID)
	}
	if wr.PayloadErr != nil || !strings.Contains(string(wr.Payload), "<html") {
		t.Errorf("%s: capture payload unreadable (%v)", rec.URL, wr.PayloadErr)
	}
}

func TestHarvestSitemapSource(t *testing.T) {
	ts, arts := gazette(t, "0.01")
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	src := addSource(t, st, ts.url("/sitemap_index.xml"), store.KindSitemap)

	sum, err := h.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("summary: %+v", sum)
	for _, a := range arts[:7] {
		rec := stored(t, st, ts.url(a.path))
		if rec == nil {
			t.Errorf("%s not stored", a.path)
			continue
		}
		if rec.Source != src.URL {
			t.Errorf("%s: source %q, want %q", a.path, rec.Source, src.URL)
		}
		checkCapture(t, dir, rec)
		if ts.hit(a.path) != 1 {
			t.Errorf("%s fetched %d times", a.path, ts.hit(a.path))
		}
	}
	if n := ts.hit("/amp" + arts[5].path); n != 0 {
		t.Errorf("AMP variant fetched %d times, want 0 (same canonical URL)", n)
	}
	if sum.New != 7 || sum.Duplicate != 1 {
		t.Errorf("new %d duplicate %d, want 7 and 1", sum.New, sum.Duplicate)
	}
	if sum.Skipped[ReasonSeen] != 1 {
		t.Errorf("skipped as seen: %d, want 1 (the AMP variant)", sum.Skipped[ReasonSeen])
	}
	got, err := st.Source(context.Background(), src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.LastPolled.IsZero() || !got.NextPoll.After(got.LastPolled) || got.LastError != "" {
		t.Errorf("source after poll: %+v", got)
	}

	// A second run: the source is not due, nothing is fetched.
	before := len(ts.requests())
	sum, err = h.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ts.requests()) - before; n != 0 || sum.Fetched != 0 {
		t.Errorf("second run made %d requests, fetched %d", n, sum.Fetched)
	}
}
