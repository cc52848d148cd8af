package main

import (
	"context"
	"strings"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
)

// TestReextractCaptureNotInThisArchive: an article whose capture
// reference has no record id (imported from another tool's JSON lines)
// and names a WARC file here that holds another page's response at its
// offset is not rebuilt from that page: it is listed as not in this
// archive, kept as stored, and the exit status is 1. It used to be
// rebuilt from whatever record lay there, and the other page's text
// stored as its new version; herald check --fixity, which only asked for
// a record at the offset when the reference had no id, found nothing
// wrong, and now reports it.
func TestReextractCaptureNotInThisArchive(t *testing.T) {
	db, u, _ := harbourArchive(t, "An older extraction of the harbour story.")
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	cu, _ := canon.URL(u)
	own, err := st.Get(ctx, canon.ID(cu))
	if err != nil || own.Capture == nil {
		t.Fatalf("the harbour article: %+v %v", own, err)
	}
	const other = "https://elsewhere.example/2025/ferry-timetable.html"
	const otherText = "The winter ferry timetable starts on the first of November, with two sailings a day."
	res, err := archive.Ingest(ctx, st, []*store.Record{{
		Article: article.Article{URL: other, Title: "Ferry timetable", Text: otherText},
		Capture: &store.Capture{File: own.Capture.File, Offset: own.Capture.Offset},
	}})
	st.Close()
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res)
	}
	otherID := res[0].ID

	// herald check --fixity finds it too.
	out, stderr, code := herald(t, "", "--db", db, "check", "--fixity")
	if code != 1 || !strings.Contains(out, "article "+otherID+": capture not in this archive") || strings.Contains(out, "article "+own.ID) {
		t.Errorf("check --fixity: exit %d\n%s%s\nwant exit 1 and %s's capture not in this archive, the harbour's sound", code, out, stderr, otherID)
	}

	out, stderr, code = herald(t, "", "--db", db, "reextract")
	if code != 1 || !strings.Contains(out, otherID+"  "+other+": capture not in this archive") {
		t.Errorf("reextract: exit %d\n%s%s\nwant exit 1 and %s listed as a capture not in this archive", code, out, stderr, other)
	}
	st, err = sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if r, err := st.Get(ctx, otherID); err != nil || r.Text != otherText || r.Version != 1 {
		t.Errorf("the imported article after reextract: %+v %v\nwant it kept as stored", r, err)
	}
}
