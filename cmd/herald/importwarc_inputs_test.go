package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// herald import warc refuses up front (exit 2, no archive made) a URL it
// does not download (ftp://…), saying so rather than that no file has
// that name, and a --download-dir that is a file rather than a folder,
// rather than failing on it after the download started.
func TestImportWARCRefusesInputsUpFront(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	file := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ftp://data.example/crawl/x.warc.gz"}, "ftp://data.example/crawl/x.warc.gz: only http and https URLs are downloaded"},
		{[]string{"--download-dir", file, "https://data.example/crawl/x.warc.gz"}, "--download-dir " + file + ": a file, not a folder"},
	} {
		out, stderr, code := herald(t, "", append([]string{"--db", db, "import", "warc"}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d\n%s%s\nwant exit 2 and %q", tc.args, code, out, stderr, tc.want)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a refused import made the archive")
	}
}

// import warc of a URL on a loopback address without --allow-private says
// how to allow it, as harvest and extract do; it said only "private
// address refused".
func TestImportWARCPrivateURLSaysHow(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "herald.db")
	_, stderr, code := herald(t, "", "--db", db, "import", "warc", srv.URL+"/a.warc.gz")
	if code != 1 || !strings.Contains(stderr, "private address refused") || !strings.Contains(stderr, "give --allow-private") {
		t.Errorf("exit %d, stderr:\n%s\nwant 1 and a hint to give --allow-private", code, stderr)
	}
}
