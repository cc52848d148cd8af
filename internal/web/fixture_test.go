package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
	"github.com/herald-archive/herald/internal/warc"
)

// The test archive: a real SQLite file filled with storetest's generator
// (genArticles synthetic articles) plus hand-made records that exercise
// what the generator does not: a page that changed (two versions), a
// syndicated copy, hostile titles, a raw capture in a WARC file, sources
// and a fetch log. Read-only tests share one copy (sharedArchive); tests
// that write get their own (newArchive).

const genArticles = 300

// Titles that must show as text and never run.
const (
	xssScript = `<script>alert(1)</script>`
	xssImg    = `<img src=x onerror=alert(1)>`
)

// fixture names the hand-made records of a test archive.
type fixture struct {
	db  *sqlite.DB
	dir string
	// harbour has two versions, a capture and a syndicated copy (copy).
	harbour, copy string
	// scriptID and imgID are the hostile records.
	scriptID, imgID string
	sourceID        int64
}

var (
	sharedOnce sync.Once
	sharedFix  *fixture
	sharedErr  error
	sharedDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedFix != nil {
		sharedFix.db.Close()
	}
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
	os.Exit(code)
}

// sharedArchive returns the fixture read-only tests share.
func sharedArchive(t testing.TB) *fixture {
	t.Helper()
	sharedOnce.Do(func() {
		sharedDir, sharedErr = os.MkdirTemp("", "herald-web-test")
		if sharedErr == nil {
			sharedFix, sharedErr = buildFixture(sharedDir)
		}
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedFix
}

// newArchive returns a fixture of the test's own, for tests that write.
func newArchive(t testing.TB) *fixture {
	t.Helper()
	f, err := buildFixture(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	return f
}

var harbourText = []string{
	"The city harbour reopened on Thursday after three weeks of repairs to the storm-damaged breakwater.",
	"Officials said the new wall had been rebuilt to withstand stronger winds and higher tides.",
	"Fishing boats returned to their moorings within hours, and the ferry service resumes on Monday.",
}

func buildFixture(dir string) (*fixture, error) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "herald.db"))
	if err != nil {
		return nil, err
	}
	f := &fixture{db: db, dir: dir}
	if err := f.fill(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("build test archive: %w", err)
	}
	return f, nil
}

func (f *fixture) fill(ctx context.Context) error {
	// Synthetic articles through the store's batch path.
	gen := storetest.NewGenerator(7)
	tx, err := f.db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for range genArticles {
		if _, err := tx.Put(ctx, gen.Next()); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}

	// A raw capture of the harbour page.
	ww, err := warc.NewWriter(filepath.Join(f.dir, "captures"), warc.WriterOptions{})
	if err != nil {
		return err
	}
	page := "<html><head><title>Harbour reopens</title></head><body><p>" + harbourText[0] + "</p></body></html>"
	ref, err := ww.WriteExchange(ctx, warc.Exchange{
		TargetURI:   "https://news.example.com/2021/06/03/harbour-reopens",
		RequestRaw:  []byte("GET /2021/06/03/harbour-reopens HTTP/1.1\r\nHost: news.example.com\r\n\r\n"),
		ResponseRaw: []byte(fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s", len(page), page)),
	})
	if err != nil {
		return err
	}
	if err := ww.Close(); err != nil {
		return err
	}

	published := time.Date(2021, 6, 3, 10, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	harbour := func(text []string) *store.Record {
		return &store.Record{Article: article.Article{
			URL: "https://news.example.com/2021/06/03/harbour-reopens?utm_source=feed", Title: "Harbour reopens after storm repairs",
			Description: "The breakwater is whole again.", Authors: []string{"Jane Doe"}, Tags: []string{"Weather", "Climate Change"},
			Published: published, SiteName: "Example News", Section: "Local", Language: "en", Text: strings.Join(text, "\n\n"),
			Image: "https://news.example.com/harbour.jpg",
		}, Source: "https://news.example.com/feed.xml", ExtractorVersion: "test",
			Capture: &store.Capture{File: filepath.Join("captures", ref.File), Offset: ref.Offset, RecordID: ref.RecordID}}
	}
	first := harbour(harbourText[:2])
	first.FetchedAt = published.Add(time.Hour)
	copyRec := harbour(harbourText[:2])
	copyRec.URL, copyRec.SiteName, copyRec.Capture = "https://syndicator.example.org/harbour", "Syndicator", nil
	copyRec.OriginalURL = "https://NEWS.example.com/2021/06/03/harbour-reopens?utm_medium=syndication" // the harbour page
	copyRec.Published = published.Add(20 * time.Hour)
	hostile := []*store.Record{
		{Article: article.Article{URL: "https://evil.example/script", Title: xssScript,
			Description: `<img src=x onerror=alert(2)>`, Authors: []string{`<b onmouseover=alert(3)>Eve</b>`},
			Tags: []string{`"><script>alert(4)</script>`}, Published: published.AddDate(0, 0, 1), SiteName: `<i>Evil</i>`,
			Language: "en", Image: "javascript:alert(5)",
			Text: "The harbour story <script>alert(6)</script> again.\n\nA second paragraph with <b>markup</b> in it."},
			Source: "javascript:alert(7)"},
		{Article: article.Article{URL: "https://evil.example/img", Title: xssImg, Published: published.AddDate(0, 0, 2),
			Language: "en", Text: "Another harbour page whose title is an image tag."}},
	}
	recs := append([]*store.Record{first, copyRec}, hostile...)
	res, err := archive.Ingest(ctx, f.db, recs)
	if err != nil {
		return err
	}
	for _, r := range res {
		if r.Err != nil {
			return r.Err
		}
	}
	f.harbour, f.copy, f.scriptID, f.imgID = res[0].ID, res[1].ID, res[2].ID, res[3].ID
	if res[1].Outcome != store.Duplicate {
		return fmt.Errorf("syndicated copy stored as %v, want duplicate", res[1].Outcome)
	}
	// The page changed: a second version.
	second := harbour(harbourText)
	second.FetchedAt = published.Add(48 * time.Hour)
	res, err = archive.Ingest(ctx, f.db, []*store.Record{second})
	if err != nil {
		return err
	}
	if res[0].Err != nil || res[0].Outcome != store.Updated {
		return fmt.Errorf("second harbour version: %v %v", res[0].Outcome, res[0].Err)
	}

	// A source with a fetch log.
	src := &store.Source{URL: "https://news.example.com/feed.xml", Kind: store.KindFeed, Interval: time.Hour,
		LastPolled: published.Add(time.Hour), NextPoll: published.Add(2 * time.Hour)}
	if err := f.db.AddSource(ctx, src); err != nil {
		return err
	}
	f.sourceID = src.ID
	bad := &store.Source{URL: "https://broken.example.net/rss", Kind: store.KindFeed, LastError: "http status 500"}
	if err := f.db.AddSource(ctx, bad); err != nil {
		return err
	}
	for i, fe := range []*store.Fetch{
		{SourceID: src.ID, URL: src.URL, Status: 200, Duration: 120 * time.Millisecond, Bytes: 5120},
		{SourceID: src.ID, URL: "https://news.example.com/2021/06/03/harbour-reopens", Status: 200, Duration: 300 * time.Millisecond, Bytes: 20480, ArticleID: f.harbour},
		{SourceID: bad.ID, URL: bad.URL, Status: 500, Duration: time.Second, Error: "http status 500"},
		{URL: "javascript:alert(8)", Error: "invalid url"},
	} {
		fe.At = published.Add(time.Duration(i) * time.Minute)
		if err := f.db.LogFetch(ctx, fe); err != nil {
			return err
		}
	}
	return nil
}

// testServer returns a server on fixture f with opts.
func testServer(f *fixture, opts Options) *Server {
	if opts.CaptureDir == "" {
		opts.CaptureDir = f.dir
	}
	return New(f.db, opts)
}

// do runs one request against h and returns the response with its body read.
func do(t testing.TB, h http.Handler, method, target string, body io.Reader, header ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// decode parses a JSON body into v, failing the test on error.
func decode(t testing.TB, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decode %q: %v", clip(body), err)
	}
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
