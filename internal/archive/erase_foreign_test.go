package archive_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/harvest"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// TestEraseCaptureNotInThisArchive: deleting with EraseCaptures an article
// whose capture reference has no record id (imported from another tool's
// JSON lines) and names this archive's WARC file, where another article's
// capture lies at its offset, erases nothing: the run stops with a
// CaptureError before the delete, as for a record id not found, and the
// other article's capture stays readable. It used to erase whatever
// record lay at the offset: another article's capture, for good.
func TestEraseCaptureNotInThisArchive(t *testing.T) {
	ctx := context.Background()
	st := mustOpen(t)
	base := t.TempDir()
	w, err := warc.NewWriter(filepath.Join(base, "herald.db.warc"), warc.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	harbour := captured(t, w, base, "https://news.example/harbour", "Council approves harbour budget", story, "https://news.example/feed.xml")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	imported := &store.Record{
		Article: article.Article{URL: "https://elsewhere.example/jane", Title: "Jane Doe elsewhere", Text: "Jane Doe, imported from another tool."},
		Source:  "https://elsewhere.example/feed.xml",
		Capture: &store.Capture{File: harbour.Capture.File, Offset: harbour.Capture.Offset},
	}
	ingest(t, st, harbour)
	ingest(t, st, imported)

	opts := archive.DeleteOptions{EraseCaptures: true, CaptureBase: base, CaptureOwner: harvest.CaptureArticleID}
	_, err = archive.Delete(ctx, st, nil, []string{imported.ID}, opts)
	var ce *archive.CaptureError
	if !errors.As(err, &ce) || !errors.Is(err, warc.ErrRecordNotFound) {
		t.Errorf("delete --erase-captures of a capture not in this archive: %v, want a CaptureError, record not found", err)
	}
	rec, err := warc.ReadAt(filepath.Join(base, harbour.Capture.File), harbour.Capture.Offset)
	if err != nil || rec.IsErased() || rec.RecordID != harbour.Capture.RecordID {
		t.Errorf("the harbour article's capture after it: %v erased=%v; want it whole", err, err == nil && rec.IsErased())
	}
	if _, err := st.Get(ctx, imported.ID); err != nil {
		t.Errorf("the imported article went although its capture was not erased: %v", err)
	}
}
