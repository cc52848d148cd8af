package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/warc"
)

// checkArchive builds an archive of five articles beside its WARC files:
// three captured in a.warc, one in b.warc, one imported without a
// capture. It returns the archive's path and the ids and captures of the
// captured articles, in that order.
func checkArchive(t *testing.T) (string, []string, []*store.Capture) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "news.db")
	var recs []*store.Record
	day := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	write := func(folder string, n int) {
		w, err := warc.NewWriter(filepath.Join(dir, folder), warc.WriterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for range n {
			i := len(recs)
			u := fmt.Sprintf("https://gazette.example/news/%d.html", i)
			text := fmt.Sprintf("Story %d: the ferry timetable changes on Monday, the harbour master said, and the %d o'clock boat will leave from the north quay.", i, i+7)
			page := fmt.Sprintf(`<!DOCTYPE html><html lang="en"><head><title>Story %d</title></head><body><article><h1>Story %d</h1><p>%s</p></article></body></html>`, i, i, text)
			ref, err := w.WriteExchange(ctx, warc.Exchange{TargetURI: u, Date: day,
				RequestRaw:  []byte("GET /news/" + fmt.Sprint(i) + ".html HTTP/1.1\r\nHost: gazette.example\r\n\r\n"),
				ResponseRaw: fmt.Appendf(nil, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s", len(page), page)})
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, &store.Record{
				Article:   article.Article{URL: u, Title: fmt.Sprintf("Story %d", i), Text: text},
				FetchedAt: day,
				Capture:   &store.Capture{File: filepath.Join(folder, ref.File), Offset: ref.Offset, RecordID: ref.RecordID},
			})
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	write("a.warc", 3)
	write("b.warc", 1)
	recs = append(recs, &store.Record{Article: article.Article{URL: "https://gazette.example/imported.html", Title: "Imported",
		Text: "An article imported from a JSON lines export, which has no capture of its own."}, FetchedAt: day})
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	res, err := archive.Ingest(ctx, st, recs)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	var caps []*store.Capture
	for i, r := range res {
		if r.Err != nil || r.Outcome != store.New {
			t.Fatalf("record %d: %v %v", i, r.Outcome, r.Err)
		}
		if recs[i].Capture != nil {
			ids = append(ids, r.ID)
			caps = append(caps, recs[i].Capture)
		}
	}
	st.Close()
	return db, ids, caps
}

// TestCheckCommand: herald check finds a sound archive sound (exit 0),
// then reports each kind of damage, naming the article it touches: a
// capture whose bytes changed on disk, a WARC file gone, and a full-text
// index that no longer matches the texts; the exit status is then 1.
func TestCheckCommand(t *testing.T) {
	db, ids, caps := checkArchive(t)
	out, stderr, code := herald(t, "", "--db", db, "check")
	if code != 0 || !strings.Contains(out, "storage          sound") || !strings.Contains(out, "full-text index  matches the texts") ||
		!strings.Contains(out, "captures         sound: 4 captures in 2 WARC files") || !strings.Contains(out, "1 article without one") {
		t.Fatalf("sound archive: exit %d\n%s%s", code, out, stderr)
	}

	// The second capture of a.warc: a byte of its gzip member changed.
	path := filepath.Join(filepath.Dir(db), caps[1].File)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	end := caps[2].Offset // the third capture's request follows the second's response
	if caps[2].Offset <= caps[1].Offset {
		t.Fatalf("captures out of order: %+v %+v", caps[1], caps[2])
	}
	mid := caps[1].Offset + (end-caps[1].Offset)/4
	raw[mid] ^= 0x55
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	// b.warc's file gone.
	if err := os.Remove(filepath.Join(filepath.Dir(db), caps[3].File)); err != nil {
		t.Fatal(err)
	}
	// The first article's title changed behind the index's back.
	rawDB, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rawDB.Exec(`UPDATE articles SET title = 'Something else' WHERE id = ?`, ids[0]); err != nil {
		t.Fatal(err)
	}
	rawDB.Close()

	out, stderr, code = herald(t, "", "--db", db, "check")
	if code != 1 || !strings.Contains(stderr, "problems found") {
		t.Errorf("damaged archive: exit %d, stderr %q; want 1 and the count of problems", code, stderr)
	}
	for _, want := range []string{
		"full-text index  1 problem",
		fmt.Sprintf("capture %s@%d, article %s: ", caps[1].File, caps[1].Offset, ids[1]),
		fmt.Sprintf("capture %s@%d, article %s: WARC file unreadable: no such file or directory", caps[3].File, caps[3].Offset, ids[3]),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("damaged archive: output lacks %q\n%s", want, out)
		}
	}
	for _, sound := range []string{ids[0], ids[2]} { // their captures are intact
		if strings.Contains(out, "article "+sound+":") {
			t.Errorf("intact capture of %s reported:\n%s", sound, out)
		}
	}

	// --fixity alone, as JSON.
	out, _, code = herald(t, "", "--db", db, "check", "--fixity", "--json")
	var rep struct {
		Storage  *json.RawMessage      `json:"storage"`
		Captures *archive.CaptureCheck `json:"captures"`
		Problems int                   `json:"problems"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 || rep.Storage != nil || rep.Captures == nil ||
		rep.Captures.Captures != 4 || rep.Problems != 2 || len(rep.Captures.Problems) != 2 ||
		rep.Captures.Problems[0].ID != ids[1] || rep.Captures.Problems[1].ID != ids[3] {
		t.Errorf("--fixity --json: exit %d, %v\n%s", code, err, out)
	}
}

// TestCheckCapturesRecordID: a reference whose offset holds another
// record (an archive pointed at the wrong file) is a problem, as is an
// offset where no record starts; a record no article names that is
// damaged is reported too.
func TestCheckCapturesRecordID(t *testing.T) {
	ctx := context.Background()
	db, ids, caps := checkArchive(t)
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rawDB, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer rawDB.Close()
	// The first article now points at the second's record, the third
	// into the middle of a record.
	if _, err := rawDB.Exec(`UPDATE articles SET capture_offset = ? WHERE id = ?`, caps[1].Offset, ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := rawDB.Exec(`UPDATE articles SET capture_offset = ? WHERE id = ?`, caps[2].Offset+3, ids[2]); err != nil {
		t.Fatal(err)
	}
	got, err := archive.CheckCaptures(ctx, st, filepath.Dir(db))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]string{}
	for _, p := range got.Problems {
		byID[p.ID] = p.Problem
	}
	if !strings.Contains(byID[ids[0]], "not "+caps[0].RecordID) || !strings.Contains(byID[ids[2]], "no record starts") || len(got.Problems) != 2 {
		t.Errorf("problems: %+v", got.Problems)
	}

	// The second article's capture erased while the archive still
	// points at it (a delete stopped between erasing and deleting).
	if _, err := warc.EraseRecords(filepath.Join(filepath.Dir(db), caps[1].File), []warc.EraseTarget{{Offset: caps[1].Offset, RecordID: caps[1].RecordID}}); err != nil {
		t.Fatal(err)
	}
	got, err = archive.CheckCaptures(ctx, st, filepath.Dir(db))
	if err != nil {
		t.Fatal(err)
	}
	byID = map[string]string{}
	for _, p := range got.Problems {
		byID[p.ID] = p.Problem
	}
	if !strings.Contains(byID[ids[1]], "the capture was erased") || len(got.Problems) != 3 {
		t.Errorf("an erased capture: %+v", got.Problems)
	}

	// b.warc's warcinfo record (no article names it) damaged.
	path := filepath.Join(filepath.Dir(db), caps[3].File)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw[caps[3].Offset/2] ^= 0x55 // inside the first member, the warcinfo record
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err = archive.CheckCaptures(ctx, st, filepath.Dir(db))
	if err != nil {
		t.Fatal(err)
	}
	loose := 0
	for _, p := range got.Problems {
		if p.ID == "" && p.File == caps[3].File && p.Offset == 0 {
			loose++
		}
	}
	if loose != 1 {
		t.Errorf("a damaged record no article names: %+v", got.Problems)
	}
}

// TestCheckCapturesOfVersions: the captures of earlier versions are
// checked too, and a problem with one names the version.
func TestCheckCapturesOfVersions(t *testing.T) {
	ctx := context.Background()
	db, ids, caps := checkArchive(t)
	dir := filepath.Dir(db)
	withVersion(t, db, ids[0])
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	got, err := archive.CheckCaptures(ctx, st, dir)
	st.Close()
	if err != nil || got.Captures != 5 || got.Files != 3 || len(got.Problems) != 0 {
		t.Fatalf("with an earlier version: %+v, %v; want 5 sound captures in 3 files", got, err)
	}

	if err := os.Remove(filepath.Join(dir, caps[0].File)); err != nil { // a.warc: the first version's
		t.Fatal(err)
	}
	out, _, code := herald(t, "", "--db", db, "check", "--fixity")
	if code != 1 || !strings.Contains(out, fmt.Sprintf("article %s (version 1): WARC file unreadable", ids[0])) ||
		!strings.Contains(out, fmt.Sprintf("article %s: WARC file unreadable", ids[1])) ||
		strings.Contains(out, "c.warc") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// TestCheckIndexBesideHarvest: the index check, which holds the write
// lock while it runs, is not run while a harvest is; it says so, and the
// exit status is 1.
func TestCheckIndexBesideHarvest(t *testing.T) {
	ctx := context.Background()
	db, _, _ := checkArchive(t)
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	release, err := st.LockHarvest(ctx, "herald harvest")
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, code := herald(t, "", "--db", db, "check", "--index", "--storage")
	if code != 1 || !strings.Contains(out, fmt.Sprintf("full-text index  not checked: another process is harvesting or checking this archive: herald harvest (process %d) holds", os.Getpid())) ||
		!strings.Contains(out, "storage          sound") || !strings.Contains(stderr, "a check could not run") {
		t.Errorf("beside a harvest: exit %d\n%s%s", code, out, stderr)
	}
	release()
	if out, stderr, code := herald(t, "", "--db", db, "check", "--index"); code != 0 {
		t.Errorf("after the harvest: exit %d\n%s%s", code, out, stderr)
	}
}

// TestCheckCapturesFolder: relative capture names are taken from
// --captures when the WARC folders are elsewhere than beside the archive.
func TestCheckCapturesFolder(t *testing.T) {
	db, _, _ := checkArchive(t)
	moved := t.TempDir()
	for _, f := range []string{"a.warc", "b.warc"} {
		if err := os.Rename(filepath.Join(filepath.Dir(db), f), filepath.Join(moved, f)); err != nil {
			t.Fatal(err)
		}
	}
	if out, _, code := herald(t, "", "--db", db, "check", "--fixity"); code != 1 || strings.Count(out, "WARC file unreadable") != 4 {
		t.Errorf("WARC folders moved away: exit %d\n%s", code, out)
	}
	if out, stderr, code := herald(t, "", "--db", db, "check", "--fixity", "--captures", moved); code != 0 || !strings.Contains(out, "sound: 4 captures") {
		t.Errorf("--captures %s: exit %d\n%s%s", moved, code, out, stderr)
	}
	if _, stderr, code := herald(t, "", "--db", db, "check", "--storage", "--captures", moved); code != 2 || !strings.Contains(stderr, "--captures goes with --fixity") {
		t.Errorf("--captures without --fixity: exit %d, %s", code, stderr)
	}
	missing := filepath.Join(moved, "nowhere")
	if _, stderr, code := herald(t, "", "--db", db, "check", "--fixity", "--captures", missing); code != 2 || !strings.Contains(stderr, "--captures "+missing+": no such file or directory") {
		t.Errorf("a --captures folder that is not there: exit %d, %s", code, stderr)
	}
	if _, stderr, code := herald(t, "", "--db", db, "check", moved); code != 2 || !strings.Contains(stderr, "check takes no arguments") {
		t.Errorf("a folder as an argument: exit %d, %s", code, stderr)
	}
}
