package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// herald import warc --list imports the WARC files a listing names: a
// listing at a URL, gzipped, of paths under its root (as Common Crawl's
// warc.paths.gz), or a file of paths beside it or under --base. Files
// imported to their end with the same options are skipped when the
// listing is run again, without fetching them. Bad listings are refused
// before anything is imported.
func TestImportWARCList(t *testing.T) {
	files := map[string][]byte{
		"/crawl-data/CC-NEWS/2024/06/CC-NEWS-1.warc.gz": perRecordGzip(t, ccPages(0, 4, "gazette.example")),
		"/crawl-data/CC-NEWS/2024/06/CC-NEWS-2.warc.gz": perRecordGzip(t, append(ccPages(10, 3, "gazette.example"), ccPages(20, 5, "other.example")...)),
	}
	listing := "crawl-data/CC-NEWS/2024/06/CC-NEWS-1.warc.gz\ncrawl-data/CC-NEWS/2024/06/CC-NEWS-2.warc.gz\n"
	var mu sync.Mutex
	fetched := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fetched[r.URL.Path]++
		mu.Unlock()
		switch {
		case r.URL.Path == "/crawl-data/CC-NEWS/2024/06/warc.paths.gz":
			w.Write(gzipped(t, []byte(listing)))
		case files[r.URL.Path] != nil:
			w.Write(files[r.URL.Path])
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	count := func(path string) int {
		mu.Lock()
		defer mu.Unlock()
		return fetched[path]
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	args := []string{"--db", db, "import", "warc", "--allow-private", "--copy-captures", "--site", "gazette.example",
		"--list", srv.URL + "/crawl-data/CC-NEWS/2024/06/warc.paths.gz"}

	out, stderr, code := herald(t, "", args...)
	if code != 0 || !strings.Contains(out, "7 new") || !strings.Contains(out, "other site 5") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	if strings.Count(stderr, "herald: removed ") != 2 {
		t.Errorf("the downloads are not both removed:\n%s", stderr)
	}
	out, stderr, code = herald(t, "", args...)
	if code != 0 || strings.Count(stderr, "imported before with these options") != 2 || !strings.Contains(out, "read 0 pages") {
		t.Errorf("the listing again: exit %d\n%s%s", code, out, stderr)
	}
	if n := count("/crawl-data/CC-NEWS/2024/06/CC-NEWS-1.warc.gz"); n != 1 {
		t.Errorf("a file imported before was fetched again: %d requests", n)
	}

	// A listing file: relative paths beside it, or under --base.
	own := filepath.Join(dir, "mine")
	if err := os.MkdirAll(own, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, own, "a.warc.gz", perRecordGzip(t, ccPages(30, 2, "gazette.example")))
	local := writeFile(t, own, "list.txt", []byte("# my crawl\na.warc.gz\n\n"))
	out, stderr, code = herald(t, "", "--db", db, "import", "warc", "--list", local)
	if code != 0 || !strings.Contains(out, "2 new") {
		t.Errorf("a local listing: exit %d\n%s%s", code, out, stderr)
	}
	cc := writeFile(t, dir, "warc.paths", []byte(listing))
	out, stderr, code = herald(t, "", "--db", db, "import", "warc", "--allow-private", "--list", cc, "--base", srv.URL, "--lang", "en")
	if code != 0 || !strings.Contains(out, "5 new") || !strings.Contains(out, "7 unchanged") {
		t.Errorf("a listing file under --base: exit %d\n%s%s", code, out, stderr)
	}

	bin := writeFile(t, dir, "bin.list", []byte("a.warc.gz\n\x00\x01\x02\n"))
	empty := writeFile(t, dir, "empty.list", []byte("# nothing\n"))
	ftp := writeFile(t, dir, "ftp.list", []byte("ftp://mirror.example/a.warc.gz\n"))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--base", srv.URL, local}, "--base goes with --list"},
		{[]string{"--list", filepath.Join(dir, "missing.list")}, "missing.list: no such file or directory"},
		{[]string{"--list", empty}, "empty.list lists no WARC files"},
		{[]string{"--list", bin}, "bin.list:2: not a listing of WARC files"},
		{[]string{"--list", ftp}, "ftp.list:1: ftp://mirror.example/a.warc.gz: only http and https URLs can be fetched"},
		{[]string{"--allow-private", "--list", srv.URL + "/nothing.paths.gz"}, "http status 404"},
		{[]string{"--list", cc, "--base", "data.commoncrawl.org"}, "--base data.commoncrawl.org: want an http(s) URL"},
	} {
		out, stderr, code := herald(t, "", append([]string{"--db", db, "import", "warc"}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) || out != "" {
			t.Errorf("%v: exit %d, stderr %q, want it to say %q", c.args, code, stderr, c.want)
		}
	}
}
