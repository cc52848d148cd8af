package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportWARCFromURLStopped: a download by herald import warc URL that
// stopped half way and was not resumed leaves NAME.part, whose records
// were imported, and references to NAME. Their captures read from the
// part, as a user of the archive would expect: herald reextract rebuilds
// the articles, export --format warc includes them, herald serve shows
// them, and check --fixity reads them and says the download is
// incomplete (exit 1) rather than that the file is missing. They all
// used to fail: the file the references name is not there.
func TestImportWARCFromURLStopped(t *testing.T) {
	data := perRecordGzip(t, warcPages(0, 30))
	host := &warcHost{data: data, cut: len(data) / 2}
	served := serveWARC(t, host)
	dir, db, final := served.dir, served.db, served.final
	if _, stderr, code := herald(t, "", served.args...); code != 1 {
		t.Fatalf("a download cut off: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(final + ".part"); err != nil {
		t.Fatal(err)
	}
	n, _ := archiveStats(t, db)
	if n == 0 || n >= 30 {
		t.Fatalf("%d articles imported from the first half", n)
	}

	out, stderr, code := herald(t, "", "--db", db, "check", "--fixity")
	if code != 1 || !strings.Contains(out, "the download of this file stopped") || !strings.Contains(out, final+".part") ||
		strings.Contains(out, "no such file") || strings.Contains(out, "damaged") || strings.Count(out, "\n  capture ") != 1 {
		t.Errorf("check --fixity: exit %d\n%s%s\nwant exit 1 and one problem: the download stopped", code, out, stderr)
	}

	out, stderr, code = herald(t, "", "--db", db, "reextract")
	if code != 0 || strings.Contains(out+stderr, "unreadable") {
		t.Errorf("reextract: exit %d\n%s%s", code, out, stderr)
	}

	warcOut := filepath.Join(dir, "out.warc.gz")
	out, stderr, code = herald(t, "", "--db", db, "export", "--format", "warc", "--out", warcOut)
	if code != 0 || strings.Contains(stderr, "left out") {
		t.Errorf("export --format warc: exit %d\n%s%s", code, out, stderr)
	}
	if targets, _ := warcTargets(t, warcOut); len(targets) < n {
		t.Errorf("the export holds %d target URIs, want the %d articles'", len(targets), n)
	}

	id, _, err := urlID(warcArticleURL(0))
	if err != nil {
		t.Fatal(err)
	}
	s := startServe(t, "--db", db)
	res, err := http.Get(s.addr + "api/articles/" + id + "/capture")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "HTTP/1.1 200") {
		t.Errorf("the capture through herald serve: %d %.200s", res.StatusCode, body)
	}
	s.stop()
}
