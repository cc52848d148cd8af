package main

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// chainSite serves a feed of two articles: the first linked through
// /go/1, which answers 301 to /r/1, which answers 302 to the article at
// /news/1.html (with refresh, through /wait/1 instead, a page that sends
// the reader on with a meta refresh); the second linked as it is
// (/news/2.html).
func chainSite(t *testing.T, refresh bool) string {
	t.Helper()
	mux := http.NewServeMux()
	var base string
	first := "/go/1"
	if refresh {
		first = "/wait/1"
	}
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title><link>%[1]s/</link>
<item><title>Ferry timetable changes</title><link>%[1]s%[2]s</link><pubDate>Mon, 04 May 2026 09:00:00 GMT</pubDate></item>
<item><title>Harbour wall repaired</title><link>%[1]s/news/2.html</link><pubDate>Tue, 05 May 2026 09:00:00 GMT</pubDate></item>
</channel></rss>`, base, first)
	})
	mux.HandleFunc("/wait/1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html><html><head><meta http-equiv="refresh" content="0; url=/news/1.html"><title>Redirecting</title></head><body><p>You are being redirected.</p></body></html>`)
	})
	mux.HandleFunc("/go/1", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/r/1", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/r/1", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/news/1.html", http.StatusFound)
	})
	mux.HandleFunc("/news/", func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/news/%d.html", &i); err != nil || i < 1 || i > 2 {
			http.NotFound(w, r)
			return
		}
		title := []string{"", "Ferry timetable changes", "Harbour wall repaired"}[i]
		var body strings.Builder
		for p := range 6 {
			fmt.Fprintf(&body, "<p>Paragraph %d of story %d: %s, the harbour master said on the north quay, where the %d o'clock boat leaves for the islands and the council meets to talk about berth %d.</p>", p, i, title, p+i, p*i+3)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><title>%s</title><meta property="article:published_time" content="2026-05-0%dT09:00:00Z"></head><body><article><h1>%s</h1>%s</article></body></html>`, title, 3+i, title, body.String())
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	base = srv.URL
	return base
}

// warcMembers reads a WARC file of gzip members with Herald's reader and
// returns its records and each one's member, byte for byte.
func warcMembers(t *testing.T, data []byte) ([]*warc.Record, [][]byte) {
	t.Helper()
	rd := warc.NewBlockReader(bytes.NewReader(data))
	var recs []*warc.Record
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("record %d: %v", len(recs), err)
		}
		recs = append(recs, rec)
	}
	members := make([][]byte, len(recs))
	for i, r := range recs {
		end := int64(len(data))
		if i+1 < len(recs) {
			end = recs[i+1].Offset
		}
		members[i] = data[r.Offset:end]
	}
	return recs, members
}

// describe gives records as "type URI" lines, with the HTTP status of
// responses.
func describe(recs []*warc.Record) string {
	var b strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&b, "%s %s", r.Type, r.TargetURI)
		if r.Type == warc.TypeResponse {
			status, _, _ := strings.Cut(string(r.Block[:min(len(r.Block), 12)]), "\r")
			b.WriteString(" " + status)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// A harvest whose feed links an article through a 301 and a 302 keeps
// where the redirects start (capture.chain_offset), and herald export
// --format warc writes them before the article's response: each hop's
// response and request in the order harvested, byte for byte as in the
// harvest's WARC file, then the response and its request. An article
// reached without redirects is written as before (chain_offset is its
// offset). An archive made before chain offsets were recorded (the
// column 0) gives the same records, found by reading back from the
// response. A damaged hop leaves the response written, the redirects
// out, names them and makes the exit status 1; check --fixity names the
// article whose chain it is.
func TestExportWARCRedirectChain(t *testing.T) {
	site := chainSite(t, false)
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	harvestJSON(t, db, site+"/feed.xml")
	var hopped, straight *store.Record
	for _, r := range archived(t, db) {
		switch r.URL {
		case site + "/news/1.html":
			hopped = r
		case site + "/news/2.html":
			straight = r
		}
	}
	if hopped == nil || straight == nil || hopped.Capture == nil || straight.Capture == nil {
		t.Fatalf("harvested %+v and %+v", hopped, straight)
	}
	hc, sc := hopped.Capture, straight.Capture
	if hc.ChainOffset <= 0 || hc.ChainOffset >= hc.Offset {
		t.Fatalf("the redirected article's capture: %+v, want a chain start before its offset", hc)
	}
	if sc.ChainOffset != sc.Offset {
		t.Errorf("the article reached without redirects: %+v, want chain_offset = offset", sc)
	}
	if hc.File != sc.File {
		t.Fatalf("captures in two files: %s, %s", hc.File, sc.File)
	}
	source := filepath.Join(dir, hc.File)
	srcData, err := os.ReadFile(source)
	if err != nil {
		t.Fatal(err)
	}
	srcRecs, srcMembers := warcMembers(t, srcData)
	var chain []int // indexes in the source of the records from the chain start to the response
	for i, r := range srcRecs {
		if r.Offset >= hc.ChainOffset && r.Offset < hc.Offset {
			chain = append(chain, i)
		}
	}

	export := func(name string) ([]*warc.Record, [][]byte, string, int) {
		t.Helper()
		out := filepath.Join(dir, name)
		_, stderr, code := herald(t, "", "--db", db, "export", "--format", "warc", "--out", out)
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatalf("export: exit %d, %s: %v", code, stderr, err)
		}
		recs, members := warcMembers(t, data)
		return recs, members, stderr, code
	}
	recs, members, stderr, code := export("chain.warc.gz")
	if code != 0 {
		t.Fatalf("export: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "4 records of the redirects before 1 capture") {
		t.Errorf("the summary does not count the redirects:\n%s", stderr)
	}
	at := func(id string) int {
		for i, r := range recs {
			if r.RecordID == id {
				return i
			}
		}
		t.Fatalf("%s is not in the export:\n%s", id, describe(recs))
		return -1
	}
	h := at(hc.RecordID)
	if h < 5 || h+1 >= len(recs) {
		t.Fatalf("the response at %d of\n%s", h, describe(recs))
	}
	wantHops := fmt.Sprintf("response %[1]s/go/1 HTTP/1.1 301\nrequest %[1]s/go/1\nresponse %[1]s/r/1 HTTP/1.1 302\nrequest %[1]s/r/1\nresponse %[1]s/news/1.html HTTP/1.1 200\nrequest %[1]s/news/1.html\n", site)
	if got := describe(recs[h-4 : h+2]); got != wantHops {
		t.Errorf("the redirected article's records:\n%swant\n%s", got, wantHops)
	}
	if len(chain) != 4 {
		t.Fatalf("the source holds %d records in the chain:\n%s", len(chain), describe(srcRecs))
	}
	for k, i := range chain {
		if recs[h-4+k].RecordID != srcRecs[i].RecordID || !bytes.Equal(members[h-4+k], srcMembers[i]) {
			t.Errorf("hop record %d (%s) is not the source's, byte for byte", k, recs[h-4+k].RecordID)
		}
	}
	for k := range 2 { // the response and its request, as stored
		i := chain[len(chain)-1] + 1 + k
		if recs[h+k].RecordID != srcRecs[i].RecordID || !bytes.Equal(members[h+k], srcMembers[i]) {
			t.Errorf("record %d after the hops (%s) is not the source's, byte for byte", k, recs[h+k].RecordID)
		}
	}
	s := at(sc.RecordID)
	if got, want := describe(recs[s:s+2]), fmt.Sprintf("response %[1]s/news/2.html HTTP/1.1 200\nrequest %[1]s/news/2.html\n", site); got != want {
		t.Errorf("the straight article's records:\n%swant\n%s", got, want)
	}
	if before := recs[s-1]; before.Type == warc.TypeResponse || before.TargetURI == site+"/go/1" || before.TargetURI == site+"/r/1" {
		t.Errorf("a redirect before the straight article: %s", describe(recs[s-1:s]))
	}
	if len(recs) != 9 { // warcinfo, 6 for the first, 2 for the second
		t.Errorf("%d records:\n%s", len(recs), describe(recs))
	}

	// An archive made before chain offsets were recorded.
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE articles SET capture_chain = 0`); err != nil {
		t.Fatal(err)
	}
	for _, r := range archived(t, db) {
		if r.Capture.ChainOffset != 0 {
			t.Fatalf("chain offset still %d", r.Capture.ChainOffset)
		}
	}
	old, oldMembers, stderr, code := export("old.warc.gz")
	if code != 0 || len(old) != len(recs) {
		t.Fatalf("export of the old archive: exit %d, %d records\n%s", code, len(old), stderr)
	}
	for i := 1; i < len(old); i++ { // all but the warcinfo, whose id sums up the references
		if old[i].RecordID != recs[i].RecordID || !bytes.Equal(oldMembers[i], members[i]) {
			t.Errorf("record %d of the old archive's export differs: %s, not %s", i, old[i].RecordID, recs[i].RecordID)
		}
	}

	// A damaged hop: its member's deflate data changed.
	if _, err := raw.Exec(`UPDATE articles SET capture_chain = capture_offset`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE articles SET capture_chain = ? WHERE id = ?`, hc.ChainOffset, hopped.ID); err != nil {
		t.Fatal(err)
	}
	hop := srcRecs[chain[0]]
	damaged := bytes.Clone(srcData)
	damaged[hop.Offset+30] ^= 0xff
	if err := os.WriteFile(source, damaged, 0o644); err != nil {
		t.Fatal(err)
	}
	bad, _, stderr, code := export("damaged.warc.gz")
	if code != 1 || !strings.Contains(stderr, fmt.Sprintf("left out %s %s: capture %s at offset %d was written, but not the redirects before it (from offset %d): ", hopped.ID, hopped.URL, hc.File, hc.Offset, hc.ChainOffset)) ||
		!strings.Contains(stderr, "the redirects before 1 capture could not be copied") {
		t.Fatalf("export with a damaged hop: exit %d\n%s", code, stderr)
	}
	h = -1
	for i, r := range bad {
		if r.RecordID == hc.RecordID {
			h = i
		}
		if r.TargetURI == site+"/go/1" || r.TargetURI == site+"/r/1" {
			t.Errorf("a hop was written: %s", describe([]*warc.Record{r}))
		}
	}
	if h < 0 || bad[h+1].Type != warc.TypeRequest || !strings.Contains(string(bad[len(bad)-1].Block), "herald-redirects-not-copied: 1") {
		t.Errorf("the damaged export:\n%s", describe(bad))
	}
	out, _, code := herald(t, "", "--db", db, "check", "--fixity")
	if code != 1 || !strings.Contains(out, fmt.Sprintf("%s@%d, article %s: its redirect chain, from this offset to the response at %d: the record at offset %d is damaged", hc.File, hc.ChainOffset, hopped.ID, hc.Offset, hc.ChainOffset)) ||
		strings.Contains(out, "no article names") {
		t.Errorf("check --fixity: exit %d\n%s", code, out)
	}
}

// ccChain is a WARC file as Common Crawl and wget write them (each
// request before its response), gzip per record: story 1 reached
// through a 301 from /go/1, then story 2 reached as it is.
func ccChain(t *testing.T) []byte {
	t.Helper()
	recs := ccPages(1, 2, "gazette.example")
	goURL := "https://gazette.example/go/1"
	reqID := "<urn:uuid:00000000-0000-4000-8000-999999999999>"
	req := warcRec("request", goURL, "application/http; msgtype=request", []byte("GET /go/1 HTTP/1.1\r\nHost: gazette.example\r\n\r\n"))
	req = bytes.Replace(req, []byte("WARC-Record-ID: "), []byte("WARC-Record-ID: "+reqID+"\r\nX-Old-ID: "), 1)
	resp := warcRec("response", goURL, "application/http; msgtype=response",
		[]byte("HTTP/1.1 301 Moved Permanently\r\nLocation: "+warcArticleURL(1)+"\r\nContent-Length: 0\r\n\r\n"))
	resp = bytes.Replace(resp, []byte("WARC-Date: "), []byte("WARC-Concurrent-To: "+reqID+"\r\nWARC-Date: "), 1)
	return perRecordGzip(t, append([][]byte{req, resp}, recs...))
}

// herald import warc of a file holding a redirect before an article
// (request records first, as Common Crawl writes them): with
// --copy-captures the redirect is copied before the response into the
// archive's WARC folder and the reference says where it starts; without,
// the reference into the file says nothing of it, and the export finds
// it there. Either way the WARC export holds the redirect's request and
// response, in the file's order, then the article's response and request
// (as Herald writes them), each once; the other article has no redirect:
// its own request, written before its response, is not taken for one,
// and --copy-captures copies its response then its request and records
// no chain before it.
func TestImportWARCRedirectChain(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.warc.gz", ccChain(t))
	want := fmt.Sprintf("request https://gazette.example/go/1\nresponse https://gazette.example/go/1 HTTP/1.1 301\nresponse %[1]s HTTP/1.1 200\nrequest %[1]s\n", warcArticleURL(1))
	for _, copyCaptures := range []bool{true, false} {
		db := filepath.Join(dir, fmt.Sprintf("copy-%t.db", copyCaptures))
		args := []string{"--db", db, "import", "warc", in}
		if copyCaptures {
			args = append(args, "--copy-captures")
		}
		if out, stderr, code := herald(t, "", args...); code != 0 {
			t.Fatalf("import: exit %d\n%s%s", code, out, stderr)
		}
		story, other := ccStories(t, db)
		if copyCaptures && other != nil && other.Capture != nil {
			c := other.Capture
			if c.ChainOffset != c.Offset {
				t.Errorf("the other story, without redirects, has a chain: %+v", c)
			}
			path := store.JoinCapture(c.File, filepath.Dir(db))
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			recs, _ := warcMembers(t, data)
			for i, r := range recs {
				if r.Offset == c.Offset && (i+1 == len(recs) || recs[i+1].Type != warc.TypeRequest || r.Type != warc.TypeResponse) {
					t.Errorf("the other story is not copied response then request:\n%s", describe(recs[i:]))
				}
			}
		}
		if story == nil || story.Capture == nil {
			t.Fatalf("copy %t: the story is not stored with a capture", copyCaptures)
		}
		c := story.Capture
		if copyCaptures && (c.ChainOffset <= 0 || c.ChainOffset >= c.Offset) || !copyCaptures && c.ChainOffset != 0 {
			t.Errorf("copy %t: capture %+v", copyCaptures, c)
		}
		out := filepath.Join(dir, fmt.Sprintf("copy-%t.warc.gz", copyCaptures))
		_, stderr, code := herald(t, "", "--db", db, "export", "--format", "warc", "--out", out)
		if code != 0 {
			t.Fatalf("copy %t: export: exit %d\n%s", copyCaptures, code, stderr)
		}
		if !strings.Contains(stderr, "(2 records of the redirects before 1 capture)") {
			t.Errorf("copy %t: the export's summary: %s", copyCaptures, stderr)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		recs, _ := warcMembers(t, data)
		got := describe(recs)
		if !strings.Contains(got, want) || strings.Count(got, "request "+warcArticleURL(1)+"\n") != 1 || strings.Count(got, "/go/1") != 2 {
			t.Errorf("copy %t: the export holds\n%swant within it\n%s", copyCaptures, got, want)
		}
		if !strings.Contains(got, fmt.Sprintf("\nresponse %[1]s HTTP/1.1 200\n", warcArticleURL(2))) {
			t.Errorf("copy %t: the other story is not there:\n%s", copyCaptures, got)
		}
	}
}

// A page reached through a meta refresh interstitial (a 200 page, which
// no Location leads from) keeps the interstitial in its recorded chain:
// the WARC export writes it before the page, and herald delete
// --erase-captures erases it with the page's capture, leaving the other
// article's records as they were.
func TestEraseCapturesRecordedChain(t *testing.T) {
	site := chainSite(t, true)
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	harvestJSON(t, db, site+"/feed.xml")
	var hopped *store.Record
	for _, r := range archived(t, db) {
		if r.URL == site+"/news/1.html" {
			hopped = r
		}
	}
	if hopped == nil || hopped.Capture == nil || hopped.Capture.ChainOffset >= hopped.Capture.Offset {
		t.Fatalf("harvested %+v", hopped)
	}
	out := filepath.Join(dir, "out.warc.gz")
	if _, stderr, code := herald(t, "", "--db", db, "export", "--format", "warc", "--out", out); code != 0 {
		t.Fatalf("export: exit %d\n%s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := warcMembers(t, data)
	want := fmt.Sprintf("response %[1]s/wait/1 HTTP/1.1 200\nrequest %[1]s/wait/1\nresponse %[1]s/news/1.html HTTP/1.1 200\nrequest %[1]s/news/1.html\n", site)
	if got := describe(recs); !strings.Contains(got, want) {
		t.Errorf("the export:\n%swant within it\n%s", got, want)
	}
	if _, stderr, code := herald(t, "", "--db", db, "delete", "--id", hopped.ID, "--yes", "--erase-captures"); code != 0 {
		t.Fatalf("delete: exit %d\n%s", code, stderr)
	}
	left := describe(warcRecords(t, filepath.Join(dir, hopped.Capture.File)))
	if strings.Contains(left, "/wait/1") || strings.Contains(left, "/news/1.html") {
		t.Errorf("after the erasure the file holds\n%s", left)
	}
	if !strings.Contains(left, fmt.Sprintf("response %[1]s/news/2.html HTTP/1.1 200\nrequest %[1]s/news/2.html\n", site)) {
		t.Errorf("the other article's records are gone:\n%s", left)
	}
}

// chain_offset is part of the capture reference in JSON lines: exported,
// imported into another archive and exported again, it is the same, and
// the export of an article reached without redirects says so too
// (chain_offset = offset).
func TestJSONLChainOffset(t *testing.T) {
	site := chainSite(t, false)
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	harvestJSON(t, db, site+"/feed.xml")
	lines, stderr, code := herald(t, "", "--db", db, "export", "--format", "jsonl")
	if code != 0 || strings.Count(lines, `"chain_offset":`) != 2 {
		t.Fatalf("jsonl export: exit %d, %s\n%s", code, stderr, lines)
	}
	in := filepath.Join(dir, "all.jsonl")
	if err := os.WriteFile(in, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.db")
	if _, stderr, code := herald(t, "", "--db", other, "import", "jsonl", in); code != 0 {
		t.Fatalf("import jsonl: exit %d\n%s", code, stderr)
	}
	caps := map[string]store.Capture{}
	for _, r := range archived(t, db) {
		caps[r.ID] = *r.Capture
	}
	for _, r := range archived(t, other) {
		if r.Capture == nil || *r.Capture != caps[r.ID] {
			t.Errorf("%s: imported with %+v, exported with %+v", r.ID, r.Capture, caps[r.ID])
		}
		if r.URL == site+"/news/1.html" && r.Capture.ChainOffset >= r.Capture.Offset || r.URL == site+"/news/2.html" && r.Capture.ChainOffset != r.Capture.Offset {
			t.Errorf("%s: capture %+v", r.URL, r.Capture)
		}
	}
}

// check --fixity reports every damaged record of a recorded redirect
// chain: two damaged hops are both named (as the article's chain), and
// when the capture's own response is damaged too, the hops are still
// reported, as records, with it.
func TestFixityChainDamage(t *testing.T) {
	site := chainSite(t, false)
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	harvestJSON(t, db, site+"/feed.xml")
	var hc *store.Capture
	var id string
	for _, r := range archived(t, db) {
		if r.URL == site+"/news/1.html" && r.Capture != nil {
			hc, id = r.Capture, r.ID
		}
	}
	if hc == nil || hc.ChainOffset <= 0 || hc.ChainOffset >= hc.Offset {
		t.Fatalf("the redirected article's capture: %+v", hc)
	}
	source := filepath.Join(dir, hc.File)
	srcData, err := os.ReadFile(source)
	if err != nil {
		t.Fatal(err)
	}
	srcRecs, _ := warcMembers(t, srcData)
	var hops []int64 // the offsets of the hops' responses
	for _, r := range srcRecs {
		if r.Offset >= hc.ChainOffset && r.Offset < hc.Offset && r.Type == warc.TypeResponse {
			hops = append(hops, r.Offset)
		}
	}
	if len(hops) != 2 {
		t.Fatalf("%d hop responses in\n%s", len(hops), describe(srcRecs))
	}
	damaged := bytes.Clone(srcData)
	for _, off := range hops {
		damaged[off+30] ^= 0xff
	}
	if err := os.WriteFile(source, damaged, 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code := herald(t, "", "--db", db, "check", "--fixity")
	for _, off := range hops {
		if want := fmt.Sprintf("the record at offset %d is damaged", off); code != 1 || !strings.Contains(out, want) {
			t.Errorf("check --fixity with two damaged hops: exit %d, want %q in\n%s", code, want, out)
		}
	}
	damaged[hc.Offset+30] ^= 0xff
	if err := os.WriteFile(source, damaged, 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code = herald(t, "", "--db", db, "check", "--fixity")
	if want := fmt.Sprintf("%s@%d, article %s: ", hc.File, hc.Offset, id); code != 1 || !strings.Contains(out, want) {
		t.Errorf("check --fixity with the response damaged too: exit %d, want %q in\n%s", code, want, out)
	}
	for _, off := range hops {
		if want := fmt.Sprintf("%s@%d, a record no article names: damaged record", hc.File, off); !strings.Contains(out, want) {
			t.Errorf("check --fixity with the response damaged too: want %q in\n%s", want, out)
		}
	}
}

// herald import warc --copy-captures of a file whose redirect before an
// article comes right after a damaged record cannot tell whether the
// chain began earlier: it copies what it found, the redirect, but does
// not record where the chain starts (chain_offset stays unknown), so the
// export looks for it in the copy rather than trusting a start it
// guessed.
func TestImportWARCChainAfterDamage(t *testing.T) {
	dir := t.TempDir()
	junk := gzipped(t, []byte("WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\ncut short"))
	in := writeFile(t, dir, "in.warc.gz", append(junk, ccChain(t)...))
	db := filepath.Join(dir, "herald.db")
	out, stderr, _ := herald(t, "", "--db", db, "import", "warc", "--copy-captures", in)
	story, other := ccStories(t, db)
	if story == nil || story.Capture == nil || other == nil || other.Capture == nil {
		t.Fatalf("import: the stories are not stored with captures\n%s%s", out, stderr)
	}
	if c := story.Capture; c.ChainOffset != 0 {
		t.Errorf("the story after the damaged record: capture %+v, want chain_offset unknown", c)
	}
	if c := other.Capture; c.ChainOffset != c.Offset {
		t.Errorf("the other story: capture %+v, want chain_offset = offset", c)
	}
	export := filepath.Join(dir, "out.warc.gz")
	if _, stderr, code := herald(t, "", "--db", db, "export", "--format", "warc", "--out", export); code != 0 || !strings.Contains(stderr, "(2 records of the redirects before 1 capture)") {
		t.Errorf("export: exit %d\n%s", code, stderr)
	}
}

// ccStories is the archived records of the two stories of ccChain, the
// one reached through a redirect and the other, nil when not stored.
func ccStories(t *testing.T, db string) (story, other *store.Record) {
	t.Helper()
	for _, r := range archived(t, db) {
		switch r.URL {
		case warcArticleURL(1):
			story = r
		case warcArticleURL(2):
			other = r
		}
	}
	return story, other
}
