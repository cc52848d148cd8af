package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// warcTypes counts the records of each type in the WARC files of dir.
func warcTypes(t *testing.T, dir string) map[string]int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, rec := range warcRecords(t, files...) {
		n[rec.Type]++
	}
	return n
}

// ccPages are exchanges as Common Crawl writes them: for each of the
// articles first … first+n-1 on host, a request record, then the
// response record naming it in WARC-Concurrent-To.
func ccPages(first, n int, host string) [][]byte {
	var recs [][]byte
	for i := first; i < first+n; i++ {
		uri := strings.Replace(warcArticleURL(i), "gazette.example", host, 1)
		reqID := fmt.Sprintf("<urn:uuid:00000000-0000-4000-8000-%012d>", i)
		req := warcRec("request", uri, "application/http; msgtype=request", []byte("GET / HTTP/1.1\r\nHost: "+host+"\r\n\r\n"))
		req = bytes.Replace(req, []byte("WARC-Record-ID: "), []byte("WARC-Record-ID: "+reqID+"\r\nX-Old-ID: "), 1)
		body := warcArticle(i)
		msg := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		resp := warcRec("response", uri, "application/http; msgtype=response", []byte(msg))
		resp = bytes.Replace(resp, []byte("WARC-Date: "), []byte("WARC-Concurrent-To: "+reqID+"\r\nWARC-Date: "), 1)
		recs = append(recs, req, resp)
	}
	return recs
}

// herald import warc --copy-captures URL keeps, of a download narrowed
// with --site, only the records of the articles stored: they are copied
// into the archive's WARC folder, the capture references name the
// copies, and the downloaded file goes once imported whole. A download
// cut off keeps its part; the resumed import copies only what was not
// copied before, and so does an import of the same file later.
func TestImportWARCCopyCaptures(t *testing.T) {
	recs := ccPages(0, 12, "gazette.example")
	recs = append(recs, ccPages(100, 10, "other.example")...)
	data := perRecordGzip(t, recs)
	host := &warcHost{data: data, cut: len(data) / 2}
	s := serveWARC(t, host)
	dir, db, final := s.dir, s.db, s.final
	copies := db + ".warc"
	args := append(s.args, "--copy-captures", "--site", "gazette.example")

	out, stderr, code := herald(t, "", args...)
	if code != 1 || !strings.Contains(stderr, "the download stopped at byte") {
		t.Fatalf("a download cut off: exit %d\n%s%s", code, out, stderr)
	}
	if _, err := os.Stat(final + ".part"); err != nil {
		t.Fatalf("the part is not kept: %v", err)
	}
	first := warcTypes(t, copies)
	if first["response"] == 0 || first["response"] != first["request"] {
		t.Fatalf("copied before the cut: %v", first)
	}

	out, stderr, code = herald(t, "", args...)
	if code != 0 || !strings.Contains(stderr, "herald: removed "+final+": the records of ") {
		t.Fatalf("resumed: exit %d\n%s%s", code, out, stderr)
	}
	for _, p := range []string{final, final + ".part"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is left: %v", p, err)
		}
	}
	if _, err := os.Stat(final + ".imported"); err != nil {
		t.Errorf("no marker of the import: %v", err)
	}
	if got := warcTypes(t, copies); got["response"] != 12 || got["request"] != 12 {
		t.Errorf("records in the archive's WARC folder after the resumed import: %v, want 12 responses and their requests", got)
	}
	out, _, _ = herald(t, "", "--db", db, "export", "--format", "jsonl")
	if strings.Count(out, `"file":"herald.db.warc/herald-`) != 12 || strings.Contains(out, "other.example") {
		t.Errorf("the capture references do not all name the copies:\n%s", out)
	}
	if out, stderr, code := herald(t, "", "--db", db, "check", "--fixity"); code != 0 || !strings.Contains(out, "sound: 12 captures") {
		t.Errorf("check --fixity: exit %d\n%s%s", code, out, stderr)
	}
	if out, stderr, code := herald(t, "", "--db", db, "reextract"); code != 0 || !strings.Contains(out, "12 the same") {
		t.Errorf("reextract from the copies: exit %d\n%s%s", code, out, stderr)
	}

	// The same import again is skipped; with other options the file is
	// downloaded anew, and nothing new is stored or copied.
	out, stderr, code = herald(t, "", args...)
	if code != 0 || !strings.Contains(stderr, "imported before with these options") || len(host.seen()) != 2 {
		t.Errorf("again: exit %d, %d requests\n%s%s", code, len(host.seen()), out, stderr)
	}
	out, stderr, code = herald(t, "", append(args, "--lang", "en")...)
	if code != 0 || !strings.Contains(out, "12 unchanged") || len(host.seen()) != 3 {
		t.Errorf("with --lang: exit %d, %d requests\n%s%s", code, len(host.seen()), out, stderr)
	}
	if got := warcTypes(t, copies); got["response"] != 12 {
		t.Errorf("imported again, the records were copied again: %v", got)
	}

	// A file of one's own is copied from and kept.
	own := writeFile(t, dir, "own.warc.gz", perRecordGzip(t, warcPages(50, 3)))
	out, stderr, code = herald(t, "", "--db", db, "import", "warc", "--copy-captures", own)
	if code != 0 || !strings.Contains(out, "3 new") {
		t.Fatalf("own file: exit %d\n%s%s", code, out, stderr)
	}
	if _, err := os.Stat(own); err != nil {
		t.Errorf("the user's own file was removed: %v", err)
	}
	if got := warcTypes(t, copies); got["response"] != 15 {
		t.Errorf("after the own file: %v", got)
	}

	// The copies are the archive's: a takedown erases them, where the
	// records of a user's own file are left.
	ownBytes, err := os.ReadFile(own)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{warcArticleURL(0), warcArticleURL(50)} {
		out, stderr, code = herald(t, "", "--db", db, "delete", "--yes", "--erase-captures", "--url", u)
		if code != 0 || !strings.Contains(out, "1 capture erased") || strings.Contains(out, "left") {
			t.Errorf("delete --erase-captures %s: exit %d\n%s%s", u, code, out, stderr)
		}
	}
	if got := warcTypes(t, copies); got["response"] != 13 {
		t.Errorf("records left in the archive's folder after two takedowns: %v", got)
	}
	if after, err := os.ReadFile(own); err != nil || !bytes.Equal(after, ownBytes) {
		t.Errorf("the user's own file was changed by the takedown (%v)", err)
	}

	if _, stderr, code := herald(t, "", "--db", db, "import", "warc", "--copy-captures", "--nats", "nats://127.0.0.1:1", own); code != 2 || !strings.Contains(stderr, "--copy-captures is not for --nats") {
		t.Errorf("with --nats: exit %d, %s", code, stderr)
	}
}

// An import with --copy-captures of a file imported before without it
// copies nothing for the articles unchanged since (the archive keeps
// their references, into the file) and keeps the download, which they
// still need; an article changed since gets its copy.
func TestImportWARCCopyCapturesAfterPlainImport(t *testing.T) {
	recs := ccPages(0, 5, "gazette.example")
	s := serveWARC(t, &warcHost{data: perRecordGzip(t, recs)})
	db, final, args := s.db, s.final, s.args
	if out, stderr, code := herald(t, "", args...); code != 0 || !strings.Contains(out, "5 new") {
		t.Fatalf("plain import: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code := herald(t, "", append(args, "--copy-captures")...)
	if code != 0 || !strings.Contains(out, "5 unchanged") ||
		!strings.Contains(stderr, "herald: "+final+" is kept: 5 articles imported from it before, without --copy-captures, and unchanged, still refer to it") {
		t.Fatalf("with --copy-captures: exit %d\n%s%s", code, out, stderr)
	}
	if _, err := os.Stat(final); err != nil {
		t.Errorf("the download the articles refer to is gone: %v", err)
	}
	if got := warcTypes(t, db+".warc"); got["response"] != 0 {
		t.Errorf("copies nothing refers to: %v", got)
	}
	if out, stderr, code := herald(t, "", "--db", db, "check", "--fixity"); code != 0 || !strings.Contains(out, "sound: 5 captures") {
		t.Errorf("check --fixity: exit %d\n%s%s", code, out, stderr)
	}
}
