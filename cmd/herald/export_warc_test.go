package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nlnwa/gowarc/v3"

	"github.com/herald-archive/herald/internal/demo"
	"github.com/herald-archive/herald/internal/store"
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
