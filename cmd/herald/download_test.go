package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// warcHost serves a WARC file at /crawl/CC-NEWS-1.warc.gz with ranges,
// cutting the first answer off after cut bytes (a network failure), and
// an HTML page at /page.html.
type warcHost struct {
	data    []byte
	cut     int
	noRange bool // answer every request with the whole file
	stall   bool // after the first cut bytes, send nothing more until the client goes
	mu      sync.Mutex
	ranges  []string // the Range header of each request of the file
}

// seen is the Range headers of the requests of the file so far.
func (h *warcHost) seen() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.ranges...)
}

func (h *warcHost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/crawl/CC-NEWS-1.warc.gz":
		h.mu.Lock()
		first := len(h.ranges) == 0
		h.ranges = append(h.ranges, r.Header.Get("Range"))
		h.mu.Unlock()
		if first && h.cut > 0 {
			w.Header().Set("Content-Length", strconv.Itoa(len(h.data)))
			w.Write(h.data[:h.cut])
			if h.stall {
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			}
			return // the server closes the connection short of Content-Length
		}
		if h.noRange {
			w.Header().Set("Content-Length", strconv.Itoa(len(h.data)))
			w.Write(h.data)
			return
		}
		http.ServeContent(w, r, "CC-NEWS-1.warc.gz", time.Time{}, bytes.NewReader(h.data))
	case "/page.html":
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!DOCTYPE html>\n<html><body><p>Just a page.</p></body></html>\n"))
	default:
		http.NotFound(w, r)
	}
}

// servedWARC is host's WARC file served for an import test: the test's
// folder and archive, the file's URL, where its download is kept, and
// the import warc command that downloads it (flags may follow the URL).
type servedWARC struct {
	dir, db, url, final string
	args                []string
}

// serveWARC serves host until the test ends (servedWARC).
func serveWARC(t *testing.T, host *warcHost) servedWARC {
	srv := httptest.NewServer(host)
	t.Cleanup(srv.Close)
	s := servedWARC{dir: t.TempDir(), url: srv.URL + "/crawl/CC-NEWS-1.warc.gz"}
	s.db = filepath.Join(s.dir, "herald.db")
	downloads := filepath.Join(s.dir, "dl")
	s.final = filepath.Join(downloads, servedAt(srv.URL), "crawl", "CC-NEWS-1.warc.gz")
	s.args = []string{"--db", s.db, "import", "warc", "--allow-private", "--download-dir", downloads, s.url}
	return s
}

// servedAt is the folder of the download folder that keeps what a test
// server at srvURL served: its host and port.
func servedAt(srvURL string) string {
	u, _ := url.Parse(srvURL)
	return u.Hostname() + "_" + u.Port()
}

// TestImportWARCFromURL: herald import warc URL streams the file into
// the archive while keeping it in the download folder, which the capture
// references name. A download cut off keeps its part and reports it
// (exit 1); the same command then resumes it with a Range request where
// it stopped, and imports the whole file; once whole, the file is read
// from disk and nothing is fetched again. The check of the captures
// finds them all in the downloaded file.
func TestImportWARCFromURL(t *testing.T) {
	data := perRecordGzip(t, warcPages(0, 30))
	host := &warcHost{data: data, cut: len(data) / 2}
	s := serveWARC(t, host)
	db, url, final, args := s.db, s.url, s.final, s.args

	out, stderr, code := herald(t, "", args...)
	if code != 1 || !strings.Contains(stderr, url+": the download stopped at byte "+strconv.Itoa(host.cut)+" of "+strconv.Itoa(len(data))) ||
		!strings.Contains(stderr, "run the same command again to resume") {
		t.Fatalf("a download cut off: exit %d\n%s%s", code, out, stderr)
	}
	if strings.Count(stderr, "unexpected EOF") != 1 {
		t.Errorf("the cut is told once:\n%s", stderr)
	}
	if st, err := os.Stat(final + ".part"); err != nil || st.Size() != int64(host.cut) {
		t.Fatalf("the part after the cut: %v %v, want %d bytes", st, err, host.cut)
	}
	if _, err := os.Stat(final); err == nil {
		t.Fatal("the file is there under its name before it is whole")
	}

	out, stderr, code = herald(t, "", args...)
	if code != 0 || !strings.Contains(stderr, "resuming the download at byte "+strconv.Itoa(host.cut)) {
		t.Fatalf("resumed: exit %d\n%s%s", code, out, stderr)
	}
	if got := host.seen(); len(got) != 2 || got[1] != "bytes="+strconv.Itoa(host.cut)+"-" {
		t.Errorf("Range headers %q, want none then bytes=%d-", got, host.cut)
	}
	if got, err := os.ReadFile(final); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the downloaded file differs from the served one (%v)", err)
	}
	if _, err := os.Stat(final + ".part"); err == nil {
		t.Error("the part is left beside the whole file")
	}
	stats, _, _ := herald(t, "", "--db", db, "stats")
	if !strings.Contains(stats, "articles            30\n") {
		t.Errorf("after the resumed import:\n%s", stats)
	}
	if out, stderr, code := herald(t, "", "--db", db, "check", "--fixity"); code != 0 || !strings.Contains(out, "sound: 30 captures in 1 WARC file") {
		t.Errorf("check --fixity: exit %d\n%s%s", code, out, stderr)
	}

	// Imported to its end with these options: skipped, not fetched.
	out, stderr, code = herald(t, "", args...)
	if code != 0 || !strings.Contains(stderr, url+": imported before with these options ("+final+".imported); skipped") || !strings.Contains(out, "read 0 pages") || len(host.seen()) != 2 {
		t.Errorf("again: exit %d, %d requests\n%s%s", code, len(host.seen()), out, stderr)
	}
	// With other options, read again from disk.
	out, stderr, code = herald(t, "", append(args, "--lang", "en")...)
	if code != 0 || !strings.Contains(stderr, "downloaded before, reading "+final) || !strings.Contains(out, "30 unchanged") || len(host.seen()) != 2 {
		t.Errorf("with --lang: exit %d, %d requests\n%s%s", code, len(host.seen()), out, stderr)
	}
}

// TestImportWARCFromBadURL: a URL that answers 404, one that is a web
// page rather than a WARC file, one whose path names no file, and a
// loopback address without --allow-private are each reported and
// skipped (exit 1), the other inputs imported; nothing is left in the
// download folder.
func TestImportWARCFromBadURL(t *testing.T) {
	host := &warcHost{data: perRecordGzip(t, warcPages(0, 2))}
	srv := httptest.NewServer(host)
	defer srv.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	downloads := filepath.Join(dir, "dl")
	good := writeFile(t, dir, "good.warc.gz", perRecordGzip(t, warcPages(10, 3)))
	out, stderr, code := herald(t, "", "--db", db, "import", "warc", "--allow-private", "--download-dir", downloads,
		srv.URL+"/missing.warc.gz", srv.URL+"/page.html", srv.URL+"/", good)
	for _, want := range []string{
		"herald: fetch " + srv.URL + "/missing.warc.gz: http status 404 Not Found\n",
		"herald: " + srv.URL + "/page.html is not a WARC file",
		"herald: " + srv.URL + "/: its path names no file to keep the download under\n",
		"herald: 3 files skipped (see above)\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if code != 1 || !strings.Contains(out, "3 new") {
		t.Errorf("exit %d\n%s", code, out)
	}
	if left, _ := os.ReadDir(downloads); len(left) != 0 {
		t.Errorf("the download folder keeps %v", left)
	}
	_, stderr, code = herald(t, "", "--db", db, "import", "warc", "--download-dir", downloads, srv.URL+"/crawl/CC-NEWS-1.warc.gz")
	if code != 1 || !strings.Contains(stderr, "private address refused") || len(host.seen()) != 0 {
		t.Errorf("a loopback URL without --allow-private: exit %d, %d requests\n%s", code, len(host.seen()), stderr)
	}
}

// TestImportWARCFromURLsAllFail: when every file given fails before its
// first record (a 404, a page that is not WARC, a missing file), a new
// archive is not left behind empty, nor the folders made for it; a
// folder the user made stays, and an existing archive keeps what it
// holds.
func TestImportWARCFromURLsAllFail(t *testing.T) {
	host := &warcHost{data: perRecordGzip(t, warcPages(0, 2))}
	srv := httptest.NewServer(host)
	defer srv.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	bad := []string{srv.URL + "/missing.warc.gz", srv.URL + "/page.html", filepath.Join(dir, "none.warc.gz")}
	_, stderr, code := herald(t, "", append([]string{"--db", db, "import", "warc", "--allow-private", "--copy-captures"}, bad...)...)
	if want := "herald: nothing imported: 3 files failed (see above; no archive created at " + db + ")\n"; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, want 1 and %q:\n%s", code, want, stderr)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left %v", left)
	}
	mine := filepath.Join(dir, "mine")
	if err := os.Mkdir(mine, 0o755); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = herald(t, "", "--db", db, "import", "warc", "--allow-private", "--download-dir", mine, bad[0])
	_, left := os.Stat(db)
	if _, err := os.Stat(mine); code != 1 || err != nil || left == nil {
		t.Errorf("exit %d; the user's folder: %v; archive left: %v\n%s", code, err, left == nil, stderr)
	}
	good := writeFile(t, dir, "good.warc.gz", perRecordGzip(t, warcPages(10, 3)))
	if out, stderr, code := herald(t, "", "--db", db, "import", "warc", good); code != 0 || !strings.Contains(out, "3 new") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	_, stderr, code = herald(t, "", append([]string{"--db", db, "import", "warc", "--allow-private"}, bad...)...)
	if code != 1 || !strings.Contains(stderr, "herald: 3 files skipped (see above)\n") {
		t.Errorf("into an existing archive: exit %d\n%s", code, stderr)
	}
	if out, _, _ := herald(t, "", "--db", db, "stats"); !regexp.MustCompile(`(?m)^articles +3$`).MatchString(out) {
		t.Errorf("the archive lost its articles:\n%s", out)
	}
}

// TestImportWARCFromURLNoRanges: a server that cannot send a range gives
// the whole file again when a download resumes; the part is started over
// and the file comes out whole.
func TestImportWARCFromURLNoRanges(t *testing.T) {
	data := perRecordGzip(t, warcPages(0, 10))
	host := &warcHost{data: data, cut: len(data) / 3, noRange: true}
	srv := httptest.NewServer(host)
	defer srv.Close()
	dir := t.TempDir()
	downloads := filepath.Join(dir, "dl")
	args := []string{"--db", filepath.Join(dir, "herald.db"), "import", "warc", "--allow-private", "--download-dir", downloads, srv.URL + "/crawl/CC-NEWS-1.warc.gz"}
	if _, stderr, code := herald(t, "", args...); code != 1 {
		t.Fatalf("cut off: exit %d\n%s", code, stderr)
	}
	out, stderr, code := herald(t, "", args...)
	if code != 0 || !strings.Contains(stderr, "the server cannot resume (no ranges); downloading it again") || !strings.Contains(out, "10 pages") {
		t.Errorf("again: exit %d\n%s%s", code, out, stderr)
	}
	if got, err := os.ReadFile(filepath.Join(downloads, servedAt(srv.URL), "crawl", "CC-NEWS-1.warc.gz")); err != nil || !bytes.Equal(got, data) {
		t.Errorf("the file differs from the served one (%v)", err)
	}
}

// TestImportWARCFromURLNATS: with --nats, a URL is downloaded whole
// first, since the workers read the file, and its records are queued as
// extract jobs; a URL that cannot be downloaded is reported (exit 1).
func TestImportWARCFromURLNATS(t *testing.T) {
	natsURL := startNATS(t)
	data := perRecordGzip(t, warcPages(0, 10))
	srv := httptest.NewServer(&warcHost{data: data})
	defer srv.Close()
	dir := t.TempDir()
	downloads := filepath.Join(dir, "dl")
	base := []string{"--db", filepath.Join(dir, "herald.db"), "import", "warc", "--nats", natsURL, "--allow-private", "--download-dir", downloads}
	out, stderr, code := herald(t, "", append(base, srv.URL+"/crawl/CC-NEWS-1.warc.gz")...)
	if code != 0 || !strings.Contains(out, "queued 10 extract jobs") {
		t.Errorf("exit %d\n%s%s", code, out, stderr)
	}
	if got, err := os.ReadFile(filepath.Join(downloads, servedAt(srv.URL), "crawl", "CC-NEWS-1.warc.gz")); err != nil || !bytes.Equal(got, data) {
		t.Errorf("the downloaded file differs from the served one (%v)", err)
	}
	_, stderr, code = herald(t, "", append(base, srv.URL+"/missing.warc.gz")...)
	if code != 1 || !strings.Contains(stderr, "http status 404") || !strings.Contains(stderr, "1 download failed") {
		t.Errorf("a missing URL: exit %d\n%s", code, stderr)
	}
}

// TestImportWARCProgress: with --progress always, import warc says how
// much of each file it has read, of how much, for a file and for a URL
// (the size the server gave); --progress takes only its three values.
func TestImportWARCProgress(t *testing.T) {
	data := perRecordGzip(t, warcPages(0, 5))
	srv := httptest.NewServer(&warcHost{data: data})
	defer srv.Close()
	dir := t.TempDir()
	file := writeFile(t, dir, "pages.warc.gz", perRecordGzip(t, warcPages(10, 5)))
	url := srv.URL + "/crawl/CC-NEWS-1.warc.gz"
	out, stderr, code := herald(t, "", "--db", filepath.Join(dir, "herald.db"), "import", "warc", "--progress", "always",
		"--allow-private", "--download-dir", filepath.Join(dir, "dl"), file, url)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	st, _ := os.Stat(file)
	for _, want := range []string{
		fmt.Sprintf("%s: read %s of %s (100%%), ", file, harvestBytes(st.Size()), harvestBytes(st.Size())),
		fmt.Sprintf("%s: read %s of %s (100%%), ", url, harvestBytes(int64(len(data))), harvestBytes(int64(len(data)))),
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if _, stderr, code := herald(t, "", "--db", filepath.Join(dir, "herald.db"), "import", "warc", "--progress", "sometimes", file); code != 2 || !strings.Contains(stderr, `unknown --progress "sometimes"`) {
		t.Errorf("--progress sometimes: exit %d\n%s", code, stderr)
	}
}

// TestImportWARCFromURLInterrupted: an import interrupted while its file
// downloads (Ctrl-C) exits 130, says where the download stopped and that
// its part is kept, and the same command then finishes it.
func TestImportWARCFromURLInterrupted(t *testing.T) {
	data := perRecordGzip(t, warcPages(0, 20))
	host := &warcHost{data: data, cut: len(data) / 2, stall: true}
	srv := httptest.NewServer(host)
	defer srv.Close()
	dir := t.TempDir()
	downloads := filepath.Join(dir, "dl")
	part := filepath.Join(downloads, servedAt(srv.URL), "crawl", "CC-NEWS-1.warc.gz.part")
	args := []string{"--db", filepath.Join(dir, "herald.db"), "import", "warc", "--allow-private", "--download-dir", downloads, srv.URL + "/crawl/CC-NEWS-1.warc.gz"}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var errb bytes.Buffer
	exit := make(chan int, 1)
	go func() { exit <- run(ctx, args, strings.NewReader(""), io.Discard, &errb) }()
	deadline := time.Now().Add(time.Minute) // a safety net, not a timing assertion
	for {
		if st, err := os.Stat(part); err == nil && st.Size() == int64(host.cut) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first half never arrived")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	code := <-exit
	want := fmt.Sprintf("the download stopped at byte %d of %d (interrupted); %s keeps what came", host.cut, len(data), part)
	if code != 130 || !strings.Contains(errb.String(), want) || !strings.HasSuffix(errb.String(), "herald: interrupted; what was stored before is kept\n") {
		t.Fatalf("interrupted: exit %d, want 130 and %q\n%s", code, want, errb.String())
	}
	out, stderr, code := herald(t, "", args...)
	if code != 0 || !strings.Contains(out+stderr, "20 pages") {
		t.Errorf("resumed: exit %d\n%s%s", code, out, stderr)
	}
}

// TestImportWARCFromURLSameName: two URLs whose files share a name (on
// two paths here; two hosts alike) are kept as two files, under host and
// path, and neither is taken for the other; a URL naming no file, or one
// whose path climbs out with .., is kept under the host all the same or
// refused.
func TestImportWARCFromURLSameName(t *testing.T) {
	a := perRecordGzip(t, warcPages(0, 3))
	b := perRecordGzip(t, warcPages(10, 4))
	mux := http.NewServeMux()
	mux.HandleFunc("/a/data.warc.gz", func(w http.ResponseWriter, r *http.Request) { w.Write(a) })
	mux.HandleFunc("/b/data.warc.gz", func(w http.ResponseWriter, r *http.Request) { w.Write(b) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	dir := t.TempDir()
	downloads := filepath.Join(dir, "dl")
	out, stderr, code := herald(t, "", "--db", filepath.Join(dir, "herald.db"), "import", "warc", "--allow-private", "--download-dir", downloads,
		srv.URL+"/a/data.warc.gz", srv.URL+"/b/data.warc.gz")
	if code != 0 || !strings.Contains(out, "7 new") {
		t.Errorf("exit %d\n%s%s", code, out, stderr)
	}
	for name, want := range map[string][]byte{"a": a, "b": b} {
		if got, err := os.ReadFile(filepath.Join(downloads, servedAt(srv.URL), name, "data.warc.gz")); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s/data.warc.gz differs from the served one (%v)", name, err)
		}
	}
	for in, want := range map[string]string{
		"https://data.example.org/crawl/x.warc.gz?token=1": filepath.Join("data.example.org", "crawl", "x.warc.gz"),
		"https://Data.Example.org:8443/../../x.warc.gz":    filepath.Join("data.example.org_8443", "x.warc.gz"),
	} {
		if got, err := downloadName(in); err != nil || got != want {
			t.Errorf("downloadName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
