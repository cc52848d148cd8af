package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"database/sql"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlnwa/gowarc/v3"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/demo"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/warc"
)

// exportedRecords reads a WARC export with Herald's reader, checking
// every record's block digest, and returns its records in order.
func exportedRecords(t *testing.T, data []byte) []*warc.Record {
	t.Helper()
	rd := warc.NewBlockReader(bytes.NewReader(data))
	var recs []*warc.Record
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return recs
		}
		if err != nil {
			t.Fatalf("record %d: %v", len(recs), err)
		}
		if err := rec.CheckBlockDigest(); err != nil {
			t.Errorf("record %d: %v", len(recs), err)
		}
		recs = append(recs, rec)
	}
}

// gowarcIDs reads a WARC file with gowarc, checking each record's digest,
// and returns the record ids in order. (gowarc's validation would also
// dispute the WARC-Payload-Digest of chunked responses, which it digests
// with their chunk framing, where Herald, like warcio, digests the body.)
func gowarcIDs(t *testing.T, path string) []string {
	t.Helper()
	gr, err := gowarc.NewWarcFileReader(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer gr.Close()
	var ids []string
	for {
		rec, err := gr.Next()
		if errors.Is(err, io.EOF) {
			return ids
		}
		if err != nil {
			t.Fatalf("gowarc, record %d: %v", len(ids), err)
		}
		if _, err := rec.WarcRecord.ValidateDigest(); err != nil {
			t.Errorf("gowarc digest check of record %d: %v", len(ids), err)
		}
		ids = append(ids, rec.WarcRecord.WarcHeader().Get(gowarc.WarcRecordID))
		rec.Close()
	}
}

// archived returns the records of an archive's JSON lines export of q.
func archived(t *testing.T, db string, q ...string) []*store.Record {
	t.Helper()
	out, stderr, code := herald(t, "", append([]string{"--db", db, "export", "--format", "jsonl"}, q...)...)
	if code != 0 {
		t.Fatalf("jsonl export: exit %d: %s", code, stderr)
	}
	var recs []*store.Record
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var r store.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, &r)
	}
	return recs
}

// herald export --format warc over a harvest of the demo site and an
// article imported from JSON lines: the file starts with a warcinfo
// record, then each captured article's response record as stored (its
// original id and digest), in export order, each followed by its request
// record; both readers read it, a second run gives the same bytes, a
// query selects, the imported article is named and makes the exit status
// 1 (and is only counted with --captured-only), and the file imported
// into a fresh archive gives the same articles.
func TestExportWARCCommand(t *testing.T) {
	site := demoSite(t, demo.Options{})
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	harvestJSON(t, db, site+"/feed.xml", site+"/sitemap.xml")
	in := filepath.Join(dir, "one.jsonl")
	if err := os.WriteFile(in, []byte(archiveLines(1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := herald(t, "", "--db", db, "import", "jsonl", in); code != 0 {
		t.Fatalf("import jsonl: %s", stderr)
	}
	all := archived(t, db)
	var captured []*store.Record
	var imported *store.Record
	for _, r := range all {
		if r.Capture == nil {
			imported = r
		} else {
			captured = append(captured, r)
		}
	}
	if imported == nil || len(captured) < 5 {
		t.Fatalf("%d captured articles, imported %v", len(captured), imported)
	}

	out := filepath.Join(dir, "all.warc.gz")
	_, stderr, code := herald(t, "", "--db", db, "export", "--format", "warc", "--out", out)
	if code != 1 || !strings.Contains(stderr, "left out "+imported.ID+" "+imported.URL+": no raw capture") ||
		!strings.Contains(stderr, "1 article has no raw capture") {
		t.Fatalf("export: exit %d\n%s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	recs := exportedRecords(t, data)
	if len(recs) != 2*len(captured)+2 {
		t.Fatalf("%d records, want a warcinfo, %d responses and requests and the record of what was left out", len(recs), 2*len(captured))
	}
	info := recs[0]
	if info.Type != warc.TypeWarcinfo || !strings.Contains(string(info.Block), "herald-archive: herald.db") ||
		!strings.Contains(string(info.Block), "herald-query: (every article)") || info.Header.Get("WARC-Filename") != "all.warc.gz" {
		t.Errorf("warcinfo:\n%s\n%s", info.Header, info.Block)
	}
	for i, r := range captured {
		resp, req := recs[1+2*i], recs[2+2*i]
		if resp.Type != warc.TypeResponse || resp.RecordID != r.Capture.RecordID || resp.TargetURI != r.URL {
			t.Errorf("record %d: %s %s %s, want the response %s of %s", 1+2*i, resp.Type, resp.RecordID, resp.TargetURI, r.Capture.RecordID, r.URL)
		}
		if req.Type != warc.TypeRequest || req.Header.Get("WARC-Concurrent-To") != resp.RecordID {
			t.Errorf("record %d: %s concurrent to %s, want the request of %s", 2+2*i, req.Type, req.Header.Get("WARC-Concurrent-To"), resp.RecordID)
		}
	}
	last := recs[len(recs)-1]
	if last.Type != warc.TypeMetadata || !strings.Contains(string(last.Block), "left-out: "+imported.ID) || last.Header.Get("WARC-Refers-To") != info.RecordID {
		t.Errorf("last record:\n%s\n%s", last.Header, last.Block)
	}
	if ids := gowarcIDs(t, out); len(ids) != len(recs) || ids[1] != captured[0].Capture.RecordID {
		t.Errorf("gowarc read %d records (%v), want %d", len(ids), ids, len(recs))
	}
	// The original bytes: each member as the harvest wrote it.
	files, _ := filepath.Glob(db + ".warc/*.warc.gz")
	stored, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if first := recs[1].Offset; !bytes.Contains(stored, data[first:recs[2].Offset]) {
		t.Error("the first response's gzip member is not the stored one")
	}

	// Again: the same bytes.
	if _, stderr, code := herald(t, "", "--db", db, "export", "--format", "warc", "--out", out); code != 1 {
		t.Fatalf("second export: exit %d %s", code, stderr)
	}
	if again, _ := os.ReadFile(out); !bytes.Equal(again, data) {
		t.Error("a second export of the unchanged archive gave other bytes")
	}

	// --captured-only: the imported article is counted, not an error.
	stdout, stderr, code := herald(t, "", "--db", db, "export", "--format", "warc", "--captured-only")
	if code != 0 || strings.Contains(stderr, "left out") || !strings.Contains(stderr, "1 article without a capture not selected") {
		t.Errorf("--captured-only: exit %d\n%s", code, stderr)
	}
	if n := len(exportedRecords(t, []byte(stdout))); n != 2*len(captured)+1 {
		t.Errorf("--captured-only to standard output: %d records, want %d", n, 2*len(captured)+1)
	}

	// A query selects: the captures of what the JSON lines export of the
	// same query holds, in its order.
	q := "section:" + captured[0].Section
	sel := archived(t, db, q)
	if len(sel) == 0 || len(sel) == len(all) {
		t.Fatalf("%s selects %d of %d articles", q, len(sel), len(all))
	}
	stdout, stderr, code = herald(t, "", "--db", db, "export", "--format", "warc", q)
	if code != 0 {
		t.Fatalf("query: exit %d %s", code, stderr)
	}
	got := exportedRecords(t, []byte(stdout))
	if len(got) != 1+2*len(sel) || !strings.Contains(string(got[0].Block), "herald-query: "+q) {
		t.Fatalf("%s gave %d records, want %d", q, len(got), 1+2*len(sel))
	}
	for i, r := range sel {
		if got[1+2*i].RecordID != r.Capture.RecordID {
			t.Errorf("%s: record %d is %s, want %s", q, 1+2*i, got[1+2*i].RecordID, r.Capture.RecordID)
		}
	}
	if got[0].RecordID == info.RecordID {
		t.Error("another export has the same warcinfo record id")
	}

	// Imported into a fresh archive: the same articles.
	db2 := filepath.Join(dir, "copy.db")
	if _, stderr, code := herald(t, "", "--db", db2, "import", "warc", out); code != 0 {
		t.Fatalf("import warc of the export: exit %d %s", code, stderr)
	}
	type art struct{ URL, Title, Text string }
	arts := func(recs []*store.Record) []art {
		var a []art
		for _, r := range recs {
			if r.Capture != nil {
				a = append(a, art{r.URL, r.Title, r.Text})
			}
		}
		slices.SortFunc(a, func(x, y art) int { return strings.Compare(x.URL, y.URL) })
		return a
	}
	if want, got := arts(captured), arts(archived(t, db2)); !slices.Equal(want, got) {
		t.Errorf("the export imported gives %d articles, want the %d captured:\n%v\n%v", len(got), len(want), got, want)
	}
}

// gunzipMembers decompresses every gzip member of data, as zcat does.
func gunzipMembers(t *testing.T, data []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withVersion gives the first article of checkArchive a second version,
// captured (without a request record) in c.warc, and returns its capture.
func withVersion(t *testing.T, db, id string) *store.Capture {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Dir(db)
	w, err := warc.NewWriter(filepath.Join(dir, "c.warc"), warc.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	old, err := st.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	page := `<html><body><article><p>Corrected: the timetable changes on Tuesday.</p></article></body></html>`
	ref, err := w.WriteExchange(ctx, warc.Exchange{TargetURI: old.URL, Date: old.FetchedAt.Add(time.Hour),
		ResponseRaw: fmt.Appendf(nil, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s", len(page), page)})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c := &store.Capture{File: filepath.Join("c.warc", ref.File), Offset: ref.Offset, RecordID: ref.RecordID}
	res, err := archive.Ingest(ctx, st, []*store.Record{{
		Article:   article.Article{URL: old.URL, Title: old.Title, Text: old.Text + "\n\nCorrected: the timetable changes on Tuesday, not Monday."},
		FetchedAt: old.FetchedAt.Add(time.Hour),
		Capture:   c,
	}})
	if err != nil || res[0].Outcome != store.Updated {
		t.Fatalf("new version: %+v %v", res, err)
	}
	return c
}

// responseIDs lists the record ids of the response records.
func responseIDs(recs []*warc.Record) []string {
	var ids []string
	for _, r := range recs {
		if r.Type == warc.TypeResponse {
			ids = append(ids, r.RecordID)
		}
	}
	return ids
}

// The captures of earlier versions come before the article's own (not
// with --no-versions); a capture whose WARC file is gone, one erased, one
// whose offset holds another record and an article without a capture
// are each named on stderr and left out, the rest written, the exit
// status 1; --captures finds a WARC folder that moved.
func TestExportWARCLeavesOutWhatCannotBeCopied(t *testing.T) {
	db, ids, caps := checkArchive(t)
	dir := filepath.Dir(db)
	vcap := withVersion(t, db, ids[0])
	out := filepath.Join(dir, "x.warc.gz")

	_, stderr, code := herald(t, "", "--db", db, "export", "--format", "warc", "--out", out)
	if code != 1 || strings.Count(stderr, "left out") != 1 {
		t.Fatalf("export: exit %d\n%s", code, stderr)
	}
	data, _ := os.ReadFile(out)
	recs := exportedRecords(t, data)
	got := responseIDs(recs)
	if len(got) != 5 || len(recs) != 1+5+4+1 {
		t.Fatalf("%d records, responses %v; want the 5 captures, 4 requests, warcinfo and what was left out", len(recs), got)
	}
	if i := slices.Index(got, caps[0].RecordID); i < 0 || i+1 >= len(got) || got[i+1] != vcap.RecordID {
		t.Errorf("responses %v: want the first version's %s right before the article's %s", got, caps[0].RecordID, vcap.RecordID)
	}
	stdout, _, _ := herald(t, "", "--db", db, "export", "--format", "warc", "--no-versions", "--captured-only")
	if got := responseIDs(exportedRecords(t, []byte(stdout))); len(got) != 4 || slices.Contains(got, caps[0].RecordID) {
		t.Errorf("--no-versions: responses %v, want 4 without the first version's", got)
	}

	// The damage.
	if err := os.Remove(filepath.Join(dir, caps[3].File)); err != nil {
		t.Fatal(err)
	}
	if _, err := warc.EraseRecords(filepath.Join(dir, caps[1].File), []warc.EraseTarget{{Offset: caps[1].Offset, RecordID: caps[1].RecordID}}); err != nil {
		t.Fatal(err)
	}
	rawDB, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rawDB.Exec(`UPDATE articles SET capture_offset = ? WHERE id = ?`, caps[0].Offset, ids[2]); err != nil {
		t.Fatal(err)
	}
	rawDB.Close()
	_, stderr, code = herald(t, "", "--db", db, "export", "--format", "warc", "--out", out)
	for _, want := range []string{
		"left out " + ids[3] + " ",
		"no such file or directory",
		"left out " + ids[1] + " ",
		"the capture was erased",
		"left out " + ids[2] + " ",
		fmt.Sprintf("the record at this offset is %s, not %s", caps[0].RecordID, caps[2].RecordID),
		"no raw capture",
		"1 article has no raw capture and 3 captures could not be copied",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	data, _ = os.ReadFile(out)
	recs = exportedRecords(t, data)
	if got := responseIDs(recs); !slices.Equal(got, []string{caps[0].RecordID, vcap.RecordID}) {
		t.Errorf("responses %v, want the two versions of %s", got, ids[0])
	}
	last := recs[len(recs)-1]
	if last.Type != warc.TypeMetadata || !strings.Contains(string(last.Block), "herald-left-out: 4\r\n") || strings.Count(string(last.Block), "left-out: ") != 5 {
		t.Errorf("last record:\n%s", last.Block)
	}
	if ids := gowarcIDs(t, out); len(ids) != len(recs) {
		t.Errorf("gowarc read %d records, want %d", len(ids), len(recs))
	}

	// A reference without a record id (another tool's JSON lines) to a
	// record of another page is no capture of this article either.
	rawDB, err = sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rawDB.Exec(`UPDATE articles SET capture_record = '' WHERE id = ?`, ids[2]); err != nil {
		t.Fatal(err)
	}
	rawDB.Close()
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	first0, err := st.Get(context.Background(), ids[0])
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	firstURL := first0.URL
	_, stderr, code = herald(t, "", "--db", db, "export", "--format", "warc", "--out", out)
	if want := "the record at this offset is a capture of " + firstURL + ", not of this article"; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("a reference without a record id to another page: exit %d, want 1 and %q\n%s", code, want, stderr)
	}

	// The folder moved: found with --captures.
	moved := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.Mkdir(moved, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"a.warc", "c.warc"} {
		if err := os.Rename(filepath.Join(dir, d), filepath.Join(moved, d)); err != nil {
			t.Fatal(err)
		}
	}
	const first = `"Story 0"` // the first article's title
	stdout, stderr, _ = herald(t, "", "--db", db, "export", "--format", "warc", first)
	if got := responseIDs(exportedRecords(t, []byte(stdout))); len(got) != 0 || !strings.Contains(stderr, filepath.Join(dir, vcap.File)+": no such file") {
		t.Errorf("moved away: responses %v\n%s", got, stderr)
	}
	stdout, stderr, code = herald(t, "", "--db", db, "export", "--format", "warc", "--captures", moved, first)
	if got := responseIDs(exportedRecords(t, []byte(stdout))); code != 0 || !slices.Equal(got, []string{caps[0].RecordID, vcap.RecordID}) {
		t.Errorf("--captures %s: exit %d, responses %v\n%s", moved, code, got, stderr)
	}
}

// A capture in an uncompressed WARC file the user imported, and one that
// starts a file gzipped as one stream, is copied into a gzip member of its
// own holding its header and block byte for byte (field spelling and
// spacing as they were); an --out name ending in .warc gets the records
// uncompressed, as stored; an article imported from further into a file
// gzipped as one stream has no capture to copy and is named; a record
// changed on disk is not copied.
func TestExportWARCImportedFiles(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	// A response record spelled as some other tool might: lower-case
	// names, no space after the colon, a WARC/1.0 version line.
	response := func(host, id, place string) string {
		page := `<!DOCTYPE html><html lang="en"><head><title>Works begin</title></head><body><article><h1>Works begin</h1><p>` +
			strings.Repeat("Work on the "+place+" began on Monday, the harbour master said, and the ferry will use the south berth until June. ", 4) +
			`</p></article></body></html>`
		resp := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s", len(page), page)
		sum := sha1.Sum([]byte(resp))
		return fmt.Sprintf("WARC/1.0\r\nwarc-type:response\r\nWARC-Target-URI:http://%s/works.html\r\nWARC-Date: 2026-05-04T09:00:00Z\r\n"+
			"WARC-Record-ID:<urn:uuid:%s-2222-4333-8444-555555555555>\r\nContent-Type:application/http; msgtype=response\r\n"+
			"WARC-Block-Digest: sha1:%s\r\nContent-Length:%d\r\n\r\n%s", host, id, base32.StdEncoding.EncodeToString(sum[:]), len(resp), resp)
	}
	record := response("quay.example", "11111111", "north quay")
	plain := filepath.Join(dir, "theirs.warc")
	if err := os.WriteFile(plain, []byte("\r\n"+record+"\r\n\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The same page elsewhere, in a file gzipped as one stream.
	var whole bytes.Buffer
	zw := gzip.NewWriter(&whole)
	other := response("pier.example", "99999999", "west pier")
	fmt.Fprintf(zw, "%s\r\n\r\n%s\r\n\r\n", strings.ReplaceAll(record, "response", "metadata"), other)
	zw.Close()
	wholeFile := filepath.Join(dir, "whole.warc.gz")
	if err := os.WriteFile(wholeFile, whole.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// Another, in a file gzipped as one stream that it starts: its offset
	// is the member's, and it is taken out of it.
	whole.Reset()
	zw.Reset(&whole)
	dock := response("dock.example", "77777777", "east dock")
	fmt.Fprintf(zw, "%s\r\n\r\n%s\r\n\r\n", dock, strings.ReplaceAll(record, "response", "metadata"))
	zw.Close()
	firstFile := filepath.Join(dir, "first.warc.gz")
	if err := os.WriteFile(firstFile, whole.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{plain, wholeFile, firstFile} {
		if _, stderr, code := herald(t, "", "--db", db, "import", "warc", f); code != 0 {
			t.Fatalf("import warc %s: exit %d %s", f, code, stderr)
		}
	}
	recs := archived(t, db)
	if len(recs) != 3 {
		t.Fatalf("%d articles imported, want 3", len(recs))
	}

	out := filepath.Join(dir, "x.warc.gz")
	_, stderr, code := herald(t, "", "--db", db, "export", "--format", "warc", "--out", out)
	if code != 1 || strings.Count(stderr, "left out ") != 1 || !strings.Contains(stderr, "pier.example") {
		t.Fatalf("export: exit %d\n%s", code, stderr)
	}
	data, _ := os.ReadFile(out)
	got := exportedRecords(t, data)
	if len(got) != 4 || got[0].Type != warc.TypeWarcinfo || got[3].Type != warc.TypeMetadata {
		t.Fatalf("%d records", len(got))
	}
	for _, want := range []string{record, dock} {
		id := want[strings.Index(want, "<urn:") : strings.Index(want, ">")+1]
		i := slices.IndexFunc(got, func(r *warc.Record) bool { return r.RecordID == id })
		if i < 0 {
			t.Errorf("no record %s", id)
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(data[got[i].Offset:got[i+1].Offset]))
		if err != nil {
			t.Fatal(err)
		}
		zr.Multistream(false)
		if b, err := io.ReadAll(zr); err != nil || string(b) != want+"\r\n\r\n" {
			t.Errorf("the member of %s holds %q (%v), want the record as stored", id, b, err)
		}
	}
	gowarcIDs(t, out)

	// Uncompressed: the record as stored, after the warcinfo.
	plainOut := filepath.Join(dir, "x.warc")
	if _, stderr, code := herald(t, "", "--db", db, "export", "--format", "warc", "--out", plainOut); code != 1 {
		t.Fatalf("export to .warc: exit %d %s", code, stderr)
	}
	b, _ := os.ReadFile(plainOut)
	if !bytes.HasPrefix(b, []byte("WARC/1.1\r\n")) || !bytes.Contains(b, []byte("\r\n\r\n"+record+"\r\n\r\n")) ||
		!bytes.Contains(gunzipMembers(t, data), []byte("\r\n\r\n"+record+"\r\n\r\n")) {
		t.Errorf(".warc export:\n%s", b)
	}
	if n := len(exportedRecords(t, b)); n != 4 || !bytes.Contains(b, []byte("\r\n\r\n"+dock+"\r\n\r\n")) {
		t.Errorf(".warc export: %d records, want 4", n)
	}
	gowarcIDs(t, plainOut)

	// The stored record changed on disk (same length): damaged evidence
	// is not copied.
	stored, _ := os.ReadFile(plain)
	if err := os.WriteFile(plain, bytes.Replace(stored, []byte("north quay"), []byte("north qyay"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := herald(t, "", "--db", db, "export", "--format", "warc", "--captured-only")
	if got := exportedRecords(t, []byte(stdout)); code != 1 || len(got) != 3 || !strings.Contains(stderr, "quay.example/works.html: capture ") ||
		!strings.Contains(stderr, "the record is damaged: block digest") {
		t.Errorf("damaged record: exit %d, %d records\n%s", code, len(got), stderr)
	}
}

// A WARC export is refused on a terminal (a character device; here a
// pseudo-terminal's master), exit 2 and nothing written, but written to
// the null device; a --captures folder that is not there is refused, and
// the WARC-only flags with other formats.
func TestExportWARCNotToATerminal(t *testing.T) {
	db, _, _ := checkArchive(t)
	tty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer tty.Close()
	var errb bytes.Buffer
	code := run(context.Background(), []string{"--db", db, "export", "--format", "warc", "--captured-only"}, strings.NewReader(""), tty, &errb)
	if code != 2 || !strings.Contains(errb.String(), "not for a terminal: give --out FILE.warc.gz or redirect standard output") {
		t.Errorf("to a terminal: exit %d %q", code, errb.String())
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	errb.Reset()
	if code := run(context.Background(), []string{"--db", db, "export", "--format", "warc", "--captured-only"}, strings.NewReader(""), null, &errb); code != 0 {
		t.Errorf("to %s: exit %d %q", os.DevNull, code, errb.String())
	}
	missing := filepath.Join(t.TempDir(), "nowhere")
	if _, stderr, code := herald(t, "", "--db", db, "export", "--format", "warc", "--captures", missing); code != 2 || !strings.Contains(stderr, "--captures "+missing+": no such file or directory") {
		t.Errorf("--captures %s: exit %d %q", missing, code, stderr)
	}
	for _, flag := range []string{"--captures=.", "--no-versions", "--captured-only"} {
		if _, stderr, code := herald(t, "", "--db", db, "export", "--format", "jsonl", flag); code != 2 || !strings.Contains(stderr, "goes with --format warc") {
			t.Errorf("%s with jsonl: exit %d %q", flag, code, stderr)
		}
	}
}

// On PostgreSQL, captures are named relative to the working folder: the
// WARC export run from there copies every harvested page's response,
// byte-identical on a second run, and --collapse leaves the syndicated
// copies out.
func TestExportWARCPostgres(t *testing.T) {
	pg := pgtest.Schema(t)
	site := demoSite(t, demo.Options{})
	dir := t.TempDir()
	t.Chdir(dir)
	harvestJSON(t, pg, site+"/feed.xml", site+"/sitemap.xml")
	recs := archived(t, pg)
	out, stderr, code := herald(t, "", "--db", pg, "export", "--format", "warc")
	got := exportedRecords(t, []byte(out))
	if code != 0 || len(got) != 1+2*len(recs) || !strings.Contains(string(got[0].Block), "herald-archive: PostgreSQL") {
		t.Fatalf("exit %d, %d records for %d articles\n%s", code, len(got), len(recs), stderr)
	}
	for i, r := range recs {
		if got[1+2*i].RecordID != r.Capture.RecordID {
			t.Errorf("record %d is %s, want %s", 1+2*i, got[1+2*i].RecordID, r.Capture.RecordID)
		}
	}
	if again, _, _ := herald(t, "", "--db", pg, "export", "--format", "warc"); again != out {
		t.Error("a second export gave other bytes")
	}
	want := demo.Expect()
	out, stderr, code = herald(t, "", "--db", pg, "export", "--format", "warc", "--collapse")
	if got := responseIDs(exportedRecords(t, []byte(out))); code != 0 || len(got) != len(recs)-want.Duplicates ||
		!strings.Contains(stderr, fmt.Sprintf("; %d near-duplicate copies left out", want.Duplicates)) {
		t.Errorf("--collapse: exit %d, %d responses of %d articles, want %d fewer\n%s", code, len(got), len(recs), want.Duplicates, stderr)
	}
}
