package web

import (
	"context"
	"strings"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
)

// TestCaptureNotInThisArchive: a capture reference that names a file of
// the capture folder where another record lies at its offset (a record
// imported from another archive's JSON lines, whose WARC file of the same
// name here holds something else) is not served: 404, "capture not in
// this archive". It used to serve whatever record lay there, another
// page's response under this article's name. A reference without a
// record id is checked by the record's target URI instead.
func TestCaptureNotInThisArchive(t *testing.T) {
	ctx := context.Background()
	f := newArchive(t)
	h := testServer(f, Options{})
	harbour, err := f.db.Get(ctx, f.harbour)
	if err != nil || harbour.Capture == nil {
		t.Fatalf("harbour %+v %v", harbour, err)
	}
	if res, body := do(t, h, "GET", "/api/articles/"+f.harbour+"/capture", nil); res.StatusCode != 200 {
		t.Fatalf("the harbour's own capture: %d %s", res.StatusCode, clip(body))
	}
	for _, tc := range []struct {
		url      string
		recordID string
	}{
		{"https://elsewhere.example/imported-with-id", "<urn:uuid:00000000-0000-0000-0000-000000000001>"},
		{"https://elsewhere.example/imported-without-id", ""},
	} {
		text := "Imported from another archive: " + tc.url
		res, err := archive.Ingest(ctx, f.db, []*store.Record{{
			Article: article.Article{URL: tc.url, Title: "Imported", Text: text},
			Capture: &store.Capture{File: harbour.Capture.File, Offset: harbour.Capture.Offset, RecordID: tc.recordID},
		}})
		if err != nil || res[0].Err != nil {
			t.Fatal(err, res)
		}
		got, body := do(t, h, "GET", "/api/articles/"+res[0].ID+"/capture", nil)
		if got.StatusCode != 404 || !strings.Contains(body, "capture not in this archive") || strings.Contains(body, "Harbour reopens") {
			t.Errorf("capture of %s (record id %q): %d %s\nwant 404, capture not in this archive", tc.url, tc.recordID, got.StatusCode, clip(body))
		}
	}
}
