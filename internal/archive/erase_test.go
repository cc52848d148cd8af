package archive_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/harvest"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// captured writes a page's exchange with w and returns the record a
// harvest would store for it, its capture path relative to base.
func captured(t *testing.T, w *warc.Writer, base, url, title, text, source string) *store.Record {
	t.Helper()
	return capturedAs(t, w, base, url, "", title, text, source)
}

// capturedAs is captured for a page that names canonical as its
// canonical URL.
func capturedAs(t *testing.T, w *warc.Writer, base, url, canonical, title, text, source string) *store.Record {
	t.Helper()
	link := ""
	if canonical != "" {
		link = `<link rel="canonical" href="` + canonical + `">`
	}
	html := "<html><head><title>" + title + "</title>" + link + "</head><body><article><h1>" + title + "</h1>"
	for p := range strings.SplitSeq(text, "\n\n") {
		html += "<p>" + p + "</p>"
	}
	html += "</article></body></html>"
	resp := "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " + strconv.Itoa(len(html)) + "\r\n\r\n" + html
	ref, err := w.WriteExchange(context.Background(), warc.Exchange{
		TargetURI:   url,
		Date:        time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC),
		RequestRaw:  []byte("GET / HTTP/1.1\r\nHost: news.example\r\n\r\n"),
		ResponseRaw: []byte(resp),
	})
	if err != nil {
		t.Fatal(err)
	}
	file, err := filepath.Rel(base, filepath.Join(w.Dir(), ref.File))
	if err != nil {
		t.Fatal(err)
	}
	return &store.Record{
		Article:   article.Article{URL: url, CanonicalURL: canonical, Title: title, Text: text},
		FetchedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC),
		Source:    source,
		Capture:   &store.Capture{File: file, Offset: ref.Offset, RecordID: ref.RecordID},
	}
}

// TestDeleteEraseCaptures: deleting with EraseCaptures erases the
// captures of the article and of its earlier version from the archive's
// WARC file, which holds other articles' captures too; those still read
// at their offsets and re-extract; a user's imported WARC file is left
// byte for byte and reported; a run stopped between erasing and deleting
// is finished by the next.
func TestDeleteEraseCaptures(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st := b.open(t)
			base := t.TempDir()
			w := captureWriter(t, base)
			const feed = "https://news.example/feed.xml"
			secret := "Jane Doe told the council about her debts. " + story
			first := captured(t, w, base, "https://news.example/jane", "Jane Doe's story", secret, feed)
			other1 := captured(t, w, base, "https://news.example/harbour", "Council approves harbour budget", story, feed)
			edited := strings.Replace(secret, "her debts", "her private debts", 1)
			second := captured(t, w, base, "https://news.example/jane", "Jane Doe's story", edited, feed)
			other2 := captured(t, w, base, "https://news.example/ferry", "Ferry terminal widened", strings.Replace(story, "harbour", "ferry", -1), feed)
			// A refetch that found the text unchanged: no article points
			// at its capture.
			refetch := captured(t, w, base, "https://news.example/jane", "Jane Doe's story", edited, feed)
			// The same URL once named another page as canonical: that
			// capture is the other article's, and stays.
			moved := capturedAs(t, w, base, "https://news.example/jane", "https://news.example/markets", "Markets close higher",
				strings.Replace(story, "council", "exchange", -1), feed)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			// A WARC file the user imported: Herald's format, the user's file.
			uw, err := warc.NewWriter(filepath.Join(t.TempDir(), "mine"), warc.WriterOptions{Prefix: "crawl"})
			if err != nil {
				t.Fatal(err)
			}
			imported := captured(t, uw, base, "https://other.example/jane", "Jane Doe elsewhere", "Jane Doe again. "+story, "import:crawl.warc.gz")
			uw.Close()
			imported.Capture.File = filepath.Join(base, imported.Capture.File) // imports store absolute paths
			userFile := imported.Capture.File
			userBytes, err := os.ReadFile(userFile)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range []*store.Record{first, other1, other2, imported, moved} {
				ingest(t, st, r)
			}
			ingest(t, st, second) // a new text: first becomes its earlier version
			vs, err := st.Versions(ctx, second.ID)
			if err != nil || len(vs) != 2 {
				t.Fatalf("versions: %d, %v", len(vs), err)
			}
			wfile := filepath.Join(base, first.Capture.File)

			// Stopped after the erasure, before the delete.
			opts := archive.DeleteOptions{EraseCaptures: true, CaptureBase: base, CaptureOwner: harvest.CaptureArticleID}
			_, err = archive.Delete(ctx, &failingBegin{Store: st, n: 1}, nil, []string{second.ID}, opts)
			if err == nil || !strings.Contains(err.Error(), "disk full") {
				t.Fatalf("stopped run: %v", err)
			}
			if _, err := st.Get(ctx, second.ID); err != nil {
				t.Fatalf("the article went with the stopped run: %v", err)
			}
			for _, r := range []*store.Record{second, first, refetch} {
				rec, err := warc.ReadAt(wfile, r.Capture.Offset)
				if err != nil || !rec.IsErased() {
					t.Errorf("after the stopped run the capture at %d is not an erased record (%v)", r.Capture.Offset, err)
				}
			}

			sum, err := archive.Delete(ctx, st, nil, []string{second.ID, imported.ID}, opts)
			if err != nil {
				t.Fatal(err)
			}
			c := sum.Captures
			if sum.Deleted != 2 || c == nil || c.Erased != 2 || c.Files != 1 || len(c.Left) != 1 {
				t.Fatalf("summary %+v, captures %+v; want 2 deleted, 2 captures erased in 1 file, 1 left", sum, c)
			}
			if l := c.Left[0]; l.ID != imported.ID || l.File != userFile || l.Why != archive.LeftImported {
				t.Errorf("left %+v, want the imported capture in %s", l, userFile)
			}
			if after, _ := os.ReadFile(userFile); !bytes.Equal(after, userBytes) {
				t.Error("the user's imported WARC file changed")
			}
			all := readAll(t, wfile)
			if strings.Contains(all, "Jane Doe") {
				t.Error("the archive's WARC file still holds the erased pages")
			}
			for _, r := range []*store.Record{other1, other2, moved} {
				got, err := warc.ReadAt(wfile, r.Capture.Offset)
				if err != nil || got.RecordID != r.Capture.RecordID || !strings.Contains(string(got.Payload), r.Title) {
					t.Errorf("capture of %s: %v, %v", r.URL, got, err)
				}
			}
			q, _ := store.ParseQuery("")
			rs, err := harvest.Reextract(ctx, st, q, harvest.ReextractOptions{Base: base, DryRun: true})
			if err != nil {
				t.Fatal(err)
			}
			if rs.Records != 3 || len(rs.Problems) != 0 {
				t.Errorf("reextract of the others: %+v", rs)
			}
		})
	}
}

// readAll decompresses every record of a WARC file into one string of
// headers and blocks.
func readAll(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := warc.NewReader(f)
	var b strings.Builder
	for {
		rec, err := rd.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("%s: %v", path, err)
			}
			return b.String()
		}
		for _, h := range rec.Header {
			b.WriteString(h.Name + ": " + h.Value + "\n")
		}
		b.Write(rec.Block)
	}
}
