package harvest

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base32"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/extract"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"

	"github.com/herald-archive/herald/internal/warc"
)

func rawResponse(status int, contentType, body string) []byte {
	return fmt.Appendf(nil, "HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s", status, contentType, len(body), body)
}

// testWARC writes a gzip-per-record WARC of n articles plus a PDF, a 404
// and a listing page, and returns its path.
func testWARC(t *testing.T, dir string, n int) string {
	t.Helper()
	w, err := warc.NewWriter(dir, warc.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	write := func(url string, raw []byte) {
		if _, err := w.WriteExchange(context.Background(), warc.Exchange{
			TargetURI: url, Date: gazetteDay, ResponseRaw: raw,
			RequestRaw: []byte("GET / HTTP/1.1\r\nHost: gazette.example\r\n\r\n"),
		}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		path := fmt.Sprintf("/news/2026/05/04/story-%d.html", i)
		write("https://gazette.example"+path, rawResponse(200, "text/html; charset=utf-8",
			gazettePage(fmt.Sprintf("Story number %d", i), "", gazetteDay, gazetteText(path, 5))))
	}
	write("https://gazette.example/files/report.pdf", rawResponse(200, "application/pdf", "%PDF-1.4 ..."))
	write("https://gazette.example/news/gone.html", rawResponse(404, "text/html", "<html><body>Not found</body></html>"))
	write("https://gazette.example/", rawResponse(200, "text/html", gazetteListing("Home", []string{"/a", "/b"})))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	if err != nil || len(m) != 1 {
		t.Fatalf("warc files %v %v", m, err)
	}
	return m[0]
}

func TestImportWARC(t *testing.T) {
	st, dir := testArchive(t)
	path := testWARC(t, t.TempDir(), 6)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Damage it: garbage between records, and a truncated copy of a
	// record at the end.
	var damaged bytes.Buffer
	damaged.Write(good)
	garbageAt := int64(damaged.Len())
	damaged.WriteString("this is not a gzip member\n")
	second := testWARC(t, t.TempDir(), 1)
	more, err := os.ReadFile(second)
	if err != nil {
		t.Fatal(err)
	}
	damaged.Write(more[:len(more)/2])
	bad := filepath.Join(dir, "damaged.warc.gz")
	if err := os.WriteFile(bad, damaged.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	var problems []*warc.RecordError
	opts := ImportOptions{Source: "import:damaged.warc.gz", CapturePath: bad, Workers: 2, BatchSize: 4,
		Damaged: func(e *warc.RecordError) { problems = append(problems, e) }}
	sum, err := ImportWARC(context.Background(), st, bytes.NewReader(damaged.Bytes()), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", sum)
	if sum.New != 6 || sum.Skipped[ReasonNotHTML] != 1 || sum.Skipped["http 404"] != 1 || sum.Skipped[ReasonNotArticle] != 1 {
		t.Errorf("summary %+v", sum)
	}
	if sum.Damaged == 0 || len(problems) != sum.Damaged {
		t.Fatalf("damaged %d, reported %v", sum.Damaged, problems)
	}
	if problems[0].Offset != garbageAt {
		t.Errorf("first damage at %d, want %d", problems[0].Offset, garbageAt)
	}
	last := problems[len(problems)-1]
	if !errors.Is(last, warc.ErrTruncated) && !errors.Is(last, warc.ErrCorrupt) {
		t.Errorf("last problem %v", last)
	}

	// Stored records point at readable captures.
	rec := stored(t, st, "https://gazette.example/news/2026/05/04/story-3.html")
	if rec == nil {
		t.Fatal("story 3 not stored")
	}
	if rec.Source != "import:damaged.warc.gz" || !rec.FetchedAt.Equal(gazetteDay) || rec.Title != "Story number 3" {
		t.Errorf("record %+v", rec)
	}
	checkCapture(t, dir, rec)

	// Importing again stores nothing twice.
	sum, err = ImportWARC(context.Background(), st, bytes.NewReader(good), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Unchanged != 6 || sum.New+sum.Duplicate+sum.Updated != 0 {
		t.Errorf("second import %+v", sum)
	}
}

func TestImportWARCCancelled(t *testing.T) {
	st, _ := testArchive(t)
	path := testWARC(t, t.TempDir(), 3)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = ImportWARC(ctx, st, bytes.NewReader(b), ImportOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}

func TestReextract(t *testing.T) {
	ts, arts := gazette(t, "0")
	st, dir := testArchive(t)
	ctx := context.Background()
	h := newTestHarvester(t, st, testOptions(dir))
	if _, err := h.HarvestPages(ctx, []string{ts.url(arts[0].path), ts.url(arts[1].path)}, "test"); err != nil {
		t.Fatal(err)
	}
	// Pretend an older extractor got article 1 wrong: a new version with
	// other text and title, pointing at the same capture.
	rec := stored(t, st, ts.url(arts[1].path))
	if rec == nil {
		t.Fatal("article 1 not stored")
	}
	wrong := *rec
	wrong.Text = "Share this story. " + rec.Text
	wrong.Title = "Harbour Gazette"
	if _, err := archive.Ingest(ctx, st, []*store.Record{&wrong}); err != nil {
		t.Fatal(err)
	}
	// And a record without a capture.
	if _, err := archive.Ingest(ctx, st, []*store.Record{{Article: article.Article{URL: "https://elsewhere.example/a.html", Title: "Imported", Text: "Some imported text."}}}); err != nil {
		t.Fatal(err)
	}

	var changes []Change
	opts := ReextractOptions{Base: dir, DryRun: true, Report: func(c Change) { changes = append(changes, c) }}
	sum, err := Reextract(ctx, st, &query.Query{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Records != 3 || sum.Same != 1 || sum.Changed != 1 || sum.Updated != 0 || sum.Problems[ProblemNoCapture] != 1 {
		t.Errorf("dry run %+v", sum)
	}
	if len(changes) != 2 {
		t.Fatalf("changes %+v", changes)
	}
	for _, c := range changes {
		if c.URL == rec.URL && (!slices.Equal(c.Fields, []string{"title", "text"}) || c.Stored) {
			t.Errorf("change %+v", c)
		}
	}

	opts.DryRun = false
	sum, err = Reextract(ctx, st, &query.Query{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Updated != 1 {
		t.Errorf("run %+v", sum)
	}
	got := stored(t, st, ts.url(arts[1].path))
	if got.Text != rec.Text || got.Title != rec.Title || got.Version != 3 || got.Capture == nil || *got.Capture != *rec.Capture {
		t.Errorf("after reextract: version %d title %q capture %+v", got.Version, got.Title, got.Capture)
	}
	// Nothing left to change.
	if sum, err = Reextract(ctx, st, &query.Query{}, opts); err != nil || sum.Changed != 0 || sum.Same != 2 {
		t.Errorf("again: %+v %v", sum, err)
	}
	// Metadata alone wrong (same text): fixed in place, no new version.
	wrong = *got
	wrong.Title, wrong.Authors = "Harbour Gazette", []string{"Desk"}
	if res, err := archive.Ingest(ctx, st, []*store.Record{&wrong}); err != nil || res[0].Outcome != store.Refreshed {
		t.Fatalf("metadata-only ingest: %+v %v", res, err)
	}
	if sum, err = Reextract(ctx, st, &query.Query{}, opts); err != nil || sum.Refreshed != 1 || sum.MetadataOnly != 1 || sum.Updated != 0 {
		t.Errorf("metadata run: %+v %v", sum, err)
	}
	fixed := stored(t, st, ts.url(arts[1].path))
	if fixed.Title != rec.Title || !slices.Equal(fixed.Authors, rec.Authors) || fixed.Version != 3 {
		t.Errorf("after metadata reextract: version %d title %q authors %q", fixed.Version, fixed.Title, fixed.Authors)
	}
}

// TestImportOwnWARCWithRedirects harvests pages, one of them reached
// through a 301 and a 302, and checks the WARC Herald wrote: the chain's
// hops are there as response records, the article's capture is the final
// 200, an import of the files into a fresh archive gives the same articles
// (the 3xx records skipped as not articles), and re-extraction finds
// nothing to change.
func TestImportOwnWARCWithRedirects(t *testing.T) {
	ts, arts := gazette(t, "0")
	st, dir := testArchive(t)
	ctx := context.Background()
	h := newTestHarvester(t, st, testOptions(dir))
	urls := []string{ts.url("/old/1"), ts.url(arts[0].path), ts.url(arts[1].path)}
	if _, err := h.HarvestPages(ctx, urls, "test"); err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil { // flushes the WARC file
		t.Fatal(err)
	}
	moved := stored(t, st, ts.url("/news/moved.html"))
	if moved == nil {
		t.Fatal("redirected article not stored")
	}
	checkCapture(t, dir, moved)

	var hops []string
	for _, rec := range warcResponses(t, dir) {
		if rec.HTTPStatus >= 300 && rec.HTTPStatus < 400 {
			hops = append(hops, fmt.Sprintf("%d %s", rec.HTTPStatus, strings.TrimPrefix(rec.TargetURI, ts.url(""))))
		}
	}
	if got := strings.Join(hops, ", "); got != "301 /old/1, 302 /old/2" {
		t.Errorf("redirect records: %s", got)
	}

	articles := func(st store.Store) map[string]string {
		out := map[string]string{}
		if err := st.Scan(ctx, &query.Query{}, func(r *store.Record) error {
			out[r.ID] = r.URL + "\n" + r.Title + "\n" + r.Text
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := articles(st)
	if len(want) != 3 {
		t.Fatalf("harvest stored %d articles, want 3", len(want))
	}
	imported, _ := testArchive(t)
	skipped := map[string]int{}
	files, err := filepath.Glob(filepath.Join(dir, "herald.db.warc", "*.warc.gz"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := ImportWARC(ctx, imported, f, ImportOptions{})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range sum.Skipped {
			skipped[k] += v
		}
	}
	if !maps.Equal(articles(imported), want) {
		t.Errorf("import of Herald's own WARC gives other articles:\n%v\nwant\n%v", articles(imported), want)
	}
	if skipped["http 301"] != 1 || skipped["http 302"] != 1 {
		t.Errorf("import skipped %v, want the two redirects", skipped)
	}

	// A redirect whose body was cut at fetch.RedirectBodyBytes is still
	// counted as a redirect, by an import and by capture jobs.
	cutDir := t.TempDir()
	w, err := warc.NewWriter(cutDir, warc.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteExchange(ctx, warc.Exchange{
		TargetURI:   "https://gazette.example/big-redirect",
		ResponseRaw: []byte("HTTP/1.1 307 Temporary Redirect\r\nLocation: /news/\r\nContent-Length: 200000\r\n\r\nmoved moved"),
		Truncated:   "length",
	}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	cut, _ := filepath.Glob(filepath.Join(cutDir, "*.warc.gz"))
	for _, jobs := range []bool{false, true} {
		f, err := os.Open(cut[0])
		if err != nil {
			t.Fatal(err)
		}
		var sum *ImportSummary
		if jobs {
			sum, err = CaptureJobs(ctx, f, cut[0], ImportOptions{}, func([]CaptureJob) error { return nil })
		} else {
			sum, err = ImportWARC(ctx, imported, f, ImportOptions{})
		}
		f.Close()
		if err != nil || sum.Skipped["http 307"] != 1 {
			t.Errorf("cut redirect (capture jobs %v): skipped %v, err %v", jobs, sum.Skipped, err)
		}
	}

	sum, err := Reextract(ctx, st, &query.Query{}, ReextractOptions{Base: dir, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Records != 3 || sum.Same != 3 {
		t.Errorf("reextract %+v", sum)
	}
}

// A page that crashes the extractor is skipped as ReasonCrashed and the
// import goes on: the panic took the whole import (and a CC-NEWS file of
// a million records) down with it.
func TestImportWARCCrashingPage(t *testing.T) {
	st, _ := testArchive(t)
	path := testWARC(t, t.TempDir(), 4)
	extractPage = func(b []byte, o extract.Options) (*extract.Result, error) {
		if strings.HasSuffix(o.URL, "/story-2.html") {
			var m map[string]int
			m["boom"]++ // a nil map write: a bug's panic
		}
		return extract.Extract(b, o)
	}
	t.Cleanup(func() { extractPage = extract.Extract })
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sum, err := ImportWARC(context.Background(), st, f, ImportOptions{Workers: 2, BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if sum.New != 3 || sum.Skipped[ReasonCrashed] != 1 {
		t.Errorf("summary %+v: want 3 new and one %q", sum, ReasonCrashed)
	}
	if stored(t, st, "https://gazette.example/news/2026/05/04/story-3.html") == nil {
		t.Error("story 3, after the crash, not stored")
	}
}

// An article whose language extraction could not tell is not kept when
// languages are asked for, and says why apart from one in another
// language.
func TestLanguageSkip(t *testing.T) {
	for _, c := range []struct {
		langs []string
		lang  string
		want  string
	}{
		{nil, "", ""},
		{nil, "de", ""},
		{[]string{"de"}, "de", ""},
		{[]string{"pt"}, "pt-BR", ""},
		{[]string{"en", "de"}, "fr", ReasonOtherLanguage},
		{[]string{"pt-br"}, "pt", ReasonOtherLanguage},
		{[]string{"de"}, "", ReasonLanguageUnknown},
	} {
		if got := languageSkip(c.langs, c.lang); got != c.want {
			t.Errorf("languageSkip(%v, %q) = %q, want %q", c.langs, c.lang, got, c.want)
		}
	}
}

// TestImportWARCNamesUnreadable: a page record whose HTTP body cannot be
// read (cut short of its Content-Length, as a crawler's size cap leaves
// a record marked WARC-Truncated, or a body in a coding that does not
// decode) is skipped as an unreadable payload and told to
// ImportOptions.Unreadable, by an import and by capture jobs, so that
// the user learns which record it was; a cut redirect is a redirect, a
// cut video or PDF is counted but not named as an unreadable page (it is
// none), and a good page is stored.
func TestImportWARCNamesUnreadable(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w, err := warc.NewWriter(dir, warc.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	page := gazettePage("A story cut short", "", gazetteDay, gazetteText("/news/cut.html", 5))
	for _, x := range []warc.Exchange{
		{TargetURI: "https://gazette.example/news/cut.html", Truncated: "length",
			ResponseRaw: fmt.Appendf(nil, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s", len(page)+5000, page)},
		{TargetURI: "https://gazette.example/news/bad-gzip.html",
			ResponseRaw: []byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: 12\r\n\r\nnot gzip at all")[:len("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: 12\r\n\r\n")+12]},
		{TargetURI: "https://gazette.example/moved", Truncated: "length",
			ResponseRaw: []byte("HTTP/1.1 301 Moved\r\nLocation: /news/\r\nContent-Length: 9000\r\n\r\nmoved")},
		{TargetURI: "https://gazette.example/media/clip.mp4", Truncated: "length",
			ResponseRaw: []byte("HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 90000\r\n\r\nftypisom")},
		{TargetURI: "https://gazette.example/files/report.pdf", Truncated: "length",
			ResponseRaw: []byte("HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: 90000\r\n\r\n%PDF-1.7")},
		{TargetURI: "https://gazette.example/news/whole.html", ResponseRaw: rawResponse(200, "text/html", page)},
	} {
		x.Date = gazetteDay
		if _, err := w.WriteExchange(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	for _, jobs := range []bool{false, true} {
		f, err := os.Open(files[0])
		if err != nil {
			t.Fatal(err)
		}
		var told []string
		opts := ImportOptions{Unreadable: func(rec *warc.Record) {
			if rec.Offset < 0 || rec.PayloadErr == nil {
				t.Errorf("told of %s at offset %d with payload error %v", rec.TargetURI, rec.Offset, rec.PayloadErr)
			}
			told = append(told, rec.TargetURI)
		}}
		var sum *ImportSummary
		if jobs {
			sum, err = CaptureJobs(ctx, f, files[0], opts, func([]CaptureJob) error { return nil })
		} else {
			st, _ := testArchive(t)
			sum, err = ImportWARC(ctx, st, f, opts)
		}
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"https://gazette.example/news/cut.html", "https://gazette.example/news/bad-gzip.html"}
		if !slices.Equal(told, want) {
			t.Errorf("capture jobs %v: told of %q, want %q", jobs, told, want)
		}
		if sum.Skipped[ReasonUnreadable] != 4 || sum.Skipped["http 301"] != 1 {
			t.Errorf("capture jobs %v: skipped %v, want 4 unreadable and the redirect", jobs, sum.Skipped)
		}
		if !jobs && sum.New != 1 {
			t.Errorf("new %d, want the whole page stored", sum.New)
		}
	}
}

// TestImportWARCTellsDigestMismatch: a page record whose block does not
// match its WARC-Block-Digest (a corrupted copy) was imported without a
// word, while herald check --fixity and export --format warc then call
// its capture damaged. It is still imported, and told to
// ImportOptions.Mismatch; a record without a digest, or with a right
// one, is not, and neither is a record that is no page (a 404, an image),
// whose digest is not even computed.
func TestImportWARCTellsDigestMismatch(t *testing.T) {
	ctx := context.Background()
	page := gazettePage("A story", "", gazetteDay, gazetteText("/news/a.html", 5))
	var file bytes.Buffer
	record := func(url, digest string) {
		status, ct := 200, "text/html"
		switch {
		case strings.HasSuffix(url, "/gone.html"):
			status = 404
		case strings.HasSuffix(url, ".png"):
			ct = "image/png"
		}
		block := rawResponse(status, ct, page)
		if digest == "right" {
			sum := sha1.Sum(block)
			digest = "sha1:" + base32.StdEncoding.EncodeToString(sum[:])
		}
		fmt.Fprintf(&file, "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:%08d-0000-0000-0000-000000000000>\r\nWARC-Date: 2026-05-04T10:00:00Z\r\nWARC-Target-URI: %s\r\nContent-Type: application/http; msgtype=response\r\n", file.Len(), url)
		if digest != "" {
			fmt.Fprintf(&file, "WARC-Block-Digest: %s\r\n", digest)
		}
		fmt.Fprintf(&file, "Content-Length: %d\r\n\r\n%s\r\n\r\n", len(block), block)
	}
	record("https://gazette.example/news/a.html", "right")
	record("https://gazette.example/news/b.html", "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	record("https://gazette.example/news/c.html", "")
	record("https://gazette.example/news/gone.html", "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	record("https://gazette.example/img/photo.png", "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	for _, jobs := range []bool{false, true} {
		var told []string
		opts := ImportOptions{Mismatch: func(rec *warc.Record, err error) {
			if !errors.Is(err, warc.ErrDigestMismatch) {
				t.Errorf("told of %s with %v, want a digest mismatch", rec.TargetURI, err)
			}
			told = append(told, rec.TargetURI)
		}}
		var sum *ImportSummary
		var err error
		queued := 0
		if jobs {
			sum, err = CaptureJobs(ctx, bytes.NewReader(file.Bytes()), "/crawl/a.warc", opts, func(j []CaptureJob) error {
				queued += len(j)
				return nil
			})
		} else {
			st, _ := testArchive(t)
			sum, err = ImportWARC(ctx, st, bytes.NewReader(file.Bytes()), opts)
			queued = sum.New + sum.Duplicate
		}
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(told, []string{"https://gazette.example/news/b.html"}) {
			t.Errorf("capture jobs %v: told of %q, want the record with the wrong digest", jobs, told)
		}
		if sum.Mismatched != 1 || queued != 3 {
			t.Errorf("capture jobs %v: summary %+v, %d stored or queued; want 1 mismatched and the 3 pages", jobs, sum, queued)
		}
	}
}
