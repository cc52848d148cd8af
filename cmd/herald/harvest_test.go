package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/demo"
	"github.com/herald-archive/herald/internal/harvest"
)

// demoSite serves the bundled demo site on loopback for a test.
func demoSite(t *testing.T, opts demo.Options) string {
	t.Helper()
	srv := httptest.NewServer(demo.Handler(opts))
	t.Cleanup(srv.Close)
	return srv.URL
}

// harvestJSON runs herald harvest with --json and decodes the summary.
func harvestJSON(t *testing.T, db string, args ...string) (*harvest.Summary, string) {
	t.Helper()
	full := append([]string{"--db", db, "harvest", "--json", "--allow-private", "--delay", "0"}, args...)
	out, stderr, code := herald(t, "", full...)
	if code != 0 {
		t.Fatalf("herald %v: exit %d: %s%s", full, code, stderr, out)
	}
	var sum harvest.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("summary %q: %v", out, err)
	}
	return &sum, stderr
}

func archiveStats(t *testing.T, db string) (articles, versions int) {
	t.Helper()
	st, err := openLocation(context.Background(), db, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s.Articles, s.Versions
}

func TestHarvestURLsAdHoc(t *testing.T) {
	site := demoSite(t, demo.Options{})
	db := filepath.Join(t.TempDir(), "herald.db")

	sum, _ := harvestJSON(t, db, site+"/feed.xml")
	if n := len(demo.Articles()); sum.New != n || sum.Fetched != n || sum.Polled != 1 {
		t.Errorf("feed: %+v, want %d new", sum, n)
	}
	// The sitemap adds the syndicated copies (duplicates); the AMP
	// variants and the articles are seen already.
	sum, _ = harvestJSON(t, db, site+"/sitemap.xml")
	want := demo.Expect()
	if sum.Duplicate != want.Duplicates || sum.New != 0 || sum.Fetched != want.Duplicates {
		t.Errorf("sitemap: %+v, want %d duplicates and nothing else fetched", sum, want.Duplicates)
	}
	if n, v := archiveStats(t, db); n != want.Articles || v != 0 {
		t.Errorf("archive holds %d articles and %d versions, want %d and 0", n, v, want.Articles)
	}
	// Captures are beside the archive.
	if m, _ := filepath.Glob(db + ".warc/*.warc.gz"); len(m) == 0 {
		t.Errorf("no WARC file in %s.warc", db)
	}
}

func TestHarvestURLList(t *testing.T) {
	site := demoSite(t, demo.Options{})
	db := filepath.Join(t.TempDir(), "herald.db")
	arts := demo.Articles()
	list := "# three pages\n" + site + arts[0].Path() + "\n\n" + site + arts[1].Path() + "?utm_campaign=x\n" + site + arts[1].Path() + "\n"
	out, stderr, code := herald(t, list, "--db", db, "harvest", "--allow-private", "--delay", "0", "--progress", "never", "--urls", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"2 new", "seen 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+stderr, "\x1b[") {
		t.Errorf("terminal escapes without a terminal:\n%s%s", out, stderr)
	}
}

func TestHarvestRefusesPrivateAddresses(t *testing.T) {
	site := demoSite(t, demo.Options{})
	db := filepath.Join(t.TempDir(), "herald.db")
	out, stderr, code := herald(t, "", "--db", db, "harvest", "--json", "--delay", "0", site+"/feed.xml")
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s%s", code, out, stderr)
	}
	var sum harvest.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Fetched != 0 || sum.Polled != 0 || !strings.Contains(sum.PollErrors[site+"/feed.xml"], "private address") {
		t.Errorf("summary %+v", sum)
	}
}

func TestHarvestBadUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "herald.db")
	for _, args := range [][]string{
		{"harvest", "--watch", "https://example.org/feed"},
		{"harvest", "--urls", "x.txt", "https://example.org/feed"},
		{"harvest", "ftp://example.org/feed"},
		{"harvest", "--progress", "sometimes"},
		{"source", "add", "https://example.org/", "--kind", "blog"},
		{"source", "pause", "x"},
	} {
		_, stderr, code := herald(t, "", append([]string{"--db", db}, args...)...)
		if code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 with a message", args, code, stderr)
		}
	}
}

// Harvest flags out of range are refused, naming the flag, before the
// archive is opened, where they were taken for the defaults (--depth 0
// crawled two deep, --concurrency 0 fetched 8 at once) or for none
// (--delay -1s).
func TestHarvestFlagsOutOfRange(t *testing.T) {
	db := filepath.Join(t.TempDir(), "herald.db")
	for _, tc := range []struct{ args []string }{
		{[]string{"harvest", "--concurrency", "0"}},
		{[]string{"harvest", "--concurrency", "-3"}},
		{[]string{"harvest", "--concurrency", "1000000000"}}, // sized the harvester's queues: gigabytes, then a crash
		{[]string{"harvest", "--delay", "-1s"}},
		{[]string{"harvest", "--max-pages", "-1"}},
		{[]string{"harvest", "--depth", "0"}},
		{[]string{"harvest", "--timeout", "-5s"}},
		{[]string{"serve", "--delay", "-1s", "--addr", "127.0.0.1:99999"}}, // a regression fails to listen, not serves
	} {
		flag := tc.args[1]
		_, stderr, code := herald(t, "", append([]string{"--db", db}, tc.args...)...)
		if code != 2 || !strings.HasPrefix(stderr, "herald: "+flag+" "+tc.args[2]+": want ") {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming %s", tc.args, code, stderr, flag)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a refused command created the archive")
	}
}

func TestSourceCommands(t *testing.T) {
	site := demoSite(t, demo.Options{})
	db := filepath.Join(t.TempDir(), "herald.db")
	// Without --kind the URL is fetched to tell its kind.
	out, stderr, code := herald(t, "", "--db", db, "source", "add", "--allow-private", site+"/feed.xml")
	if code != 0 || !strings.Contains(out, "added source 1: feed") {
		t.Fatalf("add: exit %d: %s%s", code, out, stderr)
	}
	out, stderr, code = herald(t, "", "--db", db, "source", "add", "--kind", "sitemap", "--every", "30m", site+"/sitemap.xml")
	if code != 0 || !strings.Contains(out, "added source 2: sitemap") || !strings.Contains(out, "polled every 30m\n") {
		t.Fatalf("add: exit %d: %s%s", code, out, stderr)
	}
	if _, stderr, code = herald(t, "", "--db", db, "source", "add", "--kind", "feed", site+"/feed.xml"); code != 2 || !strings.Contains(stderr, "exists already") {
		t.Errorf("duplicate add: exit %d: %s", code, stderr)
	}
	if out, _, code = herald(t, "", "--db", db, "source", "pause", "2"); code != 0 || !strings.Contains(out, "paused source 2") {
		t.Errorf("pause: %d %s", code, out)
	}

	// Only the feed is polled; the paused sitemap waits.
	sum, _ := harvestJSON(t, db)
	if sum.New != len(demo.Articles()) || sum.Polled != 1 {
		t.Errorf("harvest of due sources: %+v", sum)
	}
	out, _, _ = herald(t, "", "--db", db, "source", "list", "--json")
	var list struct {
		Sources []struct {
			Paused     bool      `json:"paused"`
			LastPolled time.Time `json:"last_polled"`
			NextPoll   time.Time `json:"next_poll"`
			Health     struct {
				Articles int `json:"articles"`
			} `json:"health"`
		} `json:"sources"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	rows := list.Sources
	if len(rows) != 2 || rows[0].Health.Articles != len(demo.Articles()) || rows[0].LastPolled.IsZero() || rows[0].NextPoll.IsZero() ||
		!rows[1].Paused || !rows[1].LastPolled.IsZero() {
		t.Errorf("source list: %s", out)
	}
	// Nothing is due now.
	if sum, _ = harvestJSON(t, db); sum.Polled != 0 || sum.Fetched != 0 {
		t.Errorf("second harvest: %+v", sum)
	}

	// Resumed, the sitemap adds the syndicated copies.
	herald(t, "", "--db", db, "source", "resume", "2")
	sum, _ = harvestJSON(t, db)
	if sum.Polled != 1 || sum.Duplicate != demo.Expect().Duplicates {
		t.Errorf("after resume: %+v", sum)
	}
	out, _, code = herald(t, "", "--db", db, "source", "list")
	if code != 0 || !strings.Contains(out, "LAST ERROR") || !strings.Contains(out, "sitemap") {
		t.Errorf("source list table:\n%s", out)
	}
	if out, _, code = herald(t, "", "--db", db, "source", "remove", "1"); code != 0 || !strings.Contains(out, "removed source 1") {
		t.Errorf("remove: %d %s", code, out)
	}
	if _, stderr, code = herald(t, "", "--db", db, "source", "remove", "1"); code != 2 || !strings.Contains(stderr, "no source 1") {
		t.Errorf("remove twice: %d %s", code, stderr)
	}
}

func TestImportWARCAndReextract(t *testing.T) {
	site := demoSite(t, demo.Options{})
	dir := t.TempDir()
	db := filepath.Join(dir, "harvested.db")
	harvestJSON(t, db, site+"/sitemap.xml")
	files, _ := filepath.Glob(db + ".warc/*.warc.gz")
	if len(files) != 1 {
		t.Fatalf("warc files %v", files)
	}

	// Reextract of a fresh harvest finds nothing to change.
	out, stderr, code := herald(t, "", "--db", db, "reextract")
	want := demo.Expect()
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d articles", want.Articles)) || !strings.Contains(out, "0 changed") {
		t.Errorf("reextract: exit %d:\n%s%s", code, out, stderr)
	}
	if _, stderr, code = herald(t, "", "--db", db, "reextract", "title:("); code != 2 {
		t.Errorf("bad query: exit %d %s", code, stderr)
	}
	if _, stderr, code = herald(t, "", "--db", db, "reextract", "--workers", "-1"); code != 2 || !strings.Contains(stderr, "--workers -1: want 1 to 1024") {
		t.Errorf("negative --workers: exit %d %s", code, stderr)
	}
	// The words of a query may come as several arguments, as for search.
	if out, stderr, code = herald(t, "", "--db", db, "reextract", "--dry-run", "--", "harbour", "-storm"); code != 0 || !strings.Contains(out, "0 changed") {
		t.Errorf("query of two arguments: exit %d:\n%s%s", code, out, stderr)
	}

	// The harvest's WARC imports into another archive with the same result.
	db2 := filepath.Join(dir, "imported.db")
	out, stderr, code = herald(t, "", "--db", db2, "import", "warc", "--json", files[0])
	if code != 0 {
		t.Fatalf("import warc: exit %d: %s", code, stderr)
	}
	var sum harvest.ImportSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.New+sum.Duplicate != want.Articles || sum.Duplicate != want.Duplicates || sum.Damaged != 0 {
		t.Errorf("import: %+v", sum)
	}
	if n, _ := archiveStats(t, db2); n != want.Articles {
		t.Errorf("imported archive holds %d articles, want %d", n, want.Articles)
	}
	// Imported records can be re-extracted from the imported file.
	if out, _, code = herald(t, "", "--db", db2, "reextract", "--dry-run"); code != 0 || !strings.Contains(out, "0 changed") {
		t.Errorf("reextract of imported: %d\n%s", code, out)
	}

	// A damaged file: the damage is reported with its offset, the rest
	// imported, exit status 1.
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	cut := len(b) * 2 / 3
	b = append(b[:cut:cut], []byte("garbage")...)
	bad := filepath.Join(dir, "bad.warc.gz")
	if err := os.WriteFile(bad, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = herald(t, "", "--db", filepath.Join(dir, "third.db"), "import", "warc", bad, filepath.Join(dir, "missing.warc.gz"))
	if code != 1 || !strings.Contains(stderr, "bad.warc.gz: skipped warc record at offset") || !strings.Contains(stderr, "missing.warc.gz") || !strings.Contains(out, "new") {
		t.Errorf("damaged import: exit %d\n%s\n%s", code, out, stderr)
	}
}

func TestHarvestSiteCrawlDemo(t *testing.T) {
	site := demoSite(t, demo.Options{})
	db := filepath.Join(t.TempDir(), "herald.db")
	// The home page lists the latest articles and the sections; section
	// pages are paginated. Depth 2 reaches every article.
	sum, _ := harvestJSON(t, db, "--depth", "2", site+"/")
	if n := len(demo.Articles()); sum.New != n {
		t.Errorf("site crawl stored %d new articles, want %d: %+v", sum.New, n, sum)
	}
	if sum.Listings < 6 {
		t.Errorf("listings %d, want the home page, five sections and their next pages", sum.Listings)
	}
}

func TestHarvestWatchStopsCleanly(t *testing.T) {
	site := demoSite(t, demo.Options{})
	db := filepath.Join(t.TempDir(), "herald.db")
	if _, stderr, code := herald(t, "", "--db", db, "source", "add", "--kind", "feed", "--every", "1h", site+"/feed.xml"); code != 0 {
		t.Fatal(stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--db", db, "harvest", "--watch", "--allow-private", "--delay", "0", "--progress", "always"},
			strings.NewReader(""), &out, &errb)
	}()
	for deadline := time.Now().Add(2 * time.Minute); !strings.Contains(errb.String(), "harvest round"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no round finished:\n%s", errb.String())
		}
	}
	cancel() // as SIGINT does
	if code := <-done; code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, out.String(), errb.String())
	}
	if want := fmt.Sprintf("%d new", len(demo.Articles())); !strings.Contains(out.String(), want) {
		t.Errorf("summary lacks %q:\n%s", want, out.String())
	}
}

// TestHarvestURLListAfterRefusal: URLs of a --urls list refused without
// --allow-private are fetched by the same list with it, not skipped as
// seen.
func TestHarvestURLListAfterRefusal(t *testing.T) {
	site := demoSite(t, demo.Options{})
	db := filepath.Join(t.TempDir(), "herald.db")
	arts := demo.Articles()
	list := site + arts[0].Path() + "\n" + site + arts[1].Path() + "\n"
	out, stderr, _ := herald(t, list, "--db", db, "harvest", "--delay", "0", "--progress", "never", "--urls", "-")
	if !strings.Contains(out, "private address 2") {
		t.Fatalf("without --allow-private: %s%s", out, stderr)
	}
	out, stderr, code := herald(t, list, "--db", db, "harvest", "--allow-private", "--delay", "0", "--progress", "never", "--urls", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, stderr)
	}
	for _, want := range []string{"2 new", "retried    2 URLs that had failed before", "skipped    none"} {
		if !strings.Contains(out, want) {
			t.Errorf("with --allow-private, summary lacks %q:\n%s", want, out)
		}
	}
	if n, _ := archiveStats(t, db); n != 2 {
		t.Errorf("archive holds %d articles, want 2", n)
	}
}

// TestHarvestURLListFailuresExit1: a --urls harvest whose URLs fail exits
// 1 as one with URL arguments does, names each failed URL, and says how
// to allow private addresses; so does herald extract.
func TestHarvestURLListFailuresExit1(t *testing.T) {
	site := demoSite(t, demo.Options{})
	db := filepath.Join(t.TempDir(), "herald.db")
	arts := demo.Articles()
	list := site + arts[0].Path() + "\n" + site + arts[1].Path() + "\n"
	out, stderr, code := herald(t, list, "--db", db, "harvest", "--delay", "0", "--progress", "never", "--urls", "-")
	if code != 1 || !strings.Contains(stderr, "2 of 2 URLs could not be harvested") || !strings.Contains(stderr, "--allow-private") {
		t.Errorf("all refused: exit %d, want 1 and a hint at --allow-private:\n%s%s", code, out, stderr)
	}
	if n := strings.Count(out, "failed     "); n != 2 || !strings.Contains(out, arts[0].Path()+": private address") {
		t.Errorf("summary names %d failed URLs, want 2 with their reason:\n%s", n, out)
	}

	// One missing page among good ones fails the run too.
	list = site + arts[2].Path() + "\n" + site + "/no-such-story.html\n"
	out, stderr, code = herald(t, list, "--db", db, "harvest", "--allow-private", "--delay", "0", "--progress", "never", "--urls", "-")
	if code != 1 || !strings.Contains(stderr, "1 of 2 URLs could not be harvested") || !strings.Contains(out, "/no-such-story.html: http 404") ||
		!strings.Contains(out, "1 new") || strings.Contains(stderr, "--allow-private") {
		t.Errorf("one 404: exit %d, want 1 naming the 404:\n%s%s", code, out, stderr)
	}

	out, stderr, code = herald(t, "", "extract", site+arts[0].Path())
	if code != 1 || !strings.Contains(stderr, "private address refused") || !strings.Contains(stderr, "--allow-private") {
		t.Errorf("extract: exit %d, want 1 and a hint at --allow-private:\n%s%s", code, out, stderr)
	}
}

// TestHarvestMaxPagesSeedsDoNotCount: --max-pages caps the queued pages
// fetched; the site page polled is fetched besides, as the help says.
func TestHarvestMaxPagesSeedsDoNotCount(t *testing.T) {
	site := demoSite(t, demo.Options{})
	db := filepath.Join(t.TempDir(), "herald.db")
	sum, _ := harvestJSON(t, db, "--max-pages", "2", site+"/")
	if sum.Fetched != 3 {
		t.Errorf("--max-pages 2 on a site fetched %d pages, want the site page and 2 more: %+v", sum.Fetched, sum)
	}
	out, _, _ := herald(t, "", "harvest", "--help")
	if !strings.Contains(out, "feeds, sitemaps and site pages polled (URLs given included) do not count") {
		t.Errorf("harvest --help does not say what --max-pages leaves out:\n%s", out)
	}
}

// TestHarvestSaysWhenQueuedURLsAreDue: URLs deferred for a retry are
// counted, with when the next is due, and a later herald harvest of an
// archive without sources says they wait instead of asking for a source.
func TestHarvestSaysWhenQueuedURLsAreDue(t *testing.T) {
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	defer busy.Close()
	db := filepath.Join(t.TempDir(), "herald.db")
	list := busy.URL + "/2024/05/01/one.html\n" + busy.URL + "/2024/05/01/two.html\n"
	out, stderr, _ := herald(t, list, "--db", db, "harvest", "--allow-private", "--delay", "0", "--progress", "never", "--urls", "-")
	if !strings.Contains(out, "waiting    2 URLs in the queue, the next due at ") {
		t.Errorf("first run does not say what waits:\n%s%s", out, stderr)
	}
	out, stderr, code := herald(t, "", "--db", db, "harvest", "--allow-private", "--delay", "0", "--progress", "never")
	if code != 0 || !strings.Contains(stderr, "no sources to poll; 2 URLs wait in the queue, the next due at ") ||
		strings.Contains(stderr, "add one with") {
		t.Errorf("second run: exit %d, want 0 and the URLs waiting named:\n%s%s", code, out, stderr)
	}
	sum, _ := harvestJSON(t, db)
	if sum.Waiting != 2 || !sum.NextDue.After(time.Now().Add(50*time.Minute)) {
		t.Errorf("JSON summary: waiting %d, next due %v; want 2, in about an hour", sum.Waiting, sum.NextDue)
	}
}

// The time the next queued URL is due is printed in UTC, and says so,
// whatever the zone of the time it is given (the store's may be the
// machine's).
func TestNextDueInUTC(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 0, 0, 0, time.FixedZone("JST", 9*3600))
	if got, want := nextDue(now.Add(90*time.Minute), now), "the next due at 2026-01-01 19:30:00 UTC (in 1h30m0s)"; got != want {
		t.Errorf("nextDue = %q, want %q", got, want)
	}
}

// TestSourceListJSONAsAPI: herald source list --json prints what GET
// /api/sources returns: the re-poll interval in seconds, each source's
// health (its status, its host's articles) and its last fetch's duration
// in milliseconds. It printed the store's own fields, the interval and
// the duration in nanoseconds (1800000000000 for 30m).
func TestSourceListJSONAsAPI(t *testing.T) {
	site := demoSite(t, demo.Options{})
	db := filepath.Join(t.TempDir(), "herald.db")
	if _, stderr, code := herald(t, "", "--db", db, "source", "add", "--kind", "feed", "--every", "30m", site+"/feed.xml"); code != 0 {
		t.Fatalf("add: exit %d: %s", code, stderr)
	}
	if _, stderr, code := herald(t, "", "--db", db, "harvest", "--allow-private", "--delay", "0"); code != 0 {
		t.Fatalf("harvest: exit %d: %s", code, stderr)
	}
	out, _, code := herald(t, "", "--db", db, "source", "list", "--json")
	var got struct {
		Sources []struct {
			URL             string `json:"url"`
			IntervalSeconds int64  `json:"interval_seconds"`
			Health          struct {
				Status    string `json:"status"`
				Articles  int    `json:"articles"`
				LastFetch *struct {
					Status     int    `json:"status"`
					DurationMS *int64 `json:"duration_ms"`
				} `json:"last_fetch"`
			} `json:"health"`
		} `json:"sources"`
	}
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	if len(got.Sources) != 1 {
		t.Fatalf("%d sources, want 1:\n%s", len(got.Sources), out)
	}
	s := got.Sources[0]
	if s.IntervalSeconds != 1800 || s.Health.Status != "ok" || s.Health.Articles != len(demo.Articles()) ||
		s.Health.LastFetch == nil || s.Health.LastFetch.Status != 200 || s.Health.LastFetch.DurationMS == nil {
		t.Errorf("source %+v, want interval_seconds 1800, status ok, %d articles, a last fetch with duration_ms:\n%s", s, len(demo.Articles()), out)
	}
	if strings.Contains(out, `"interval":`) || strings.Contains(out, `"duration":`) {
		t.Errorf("nanosecond fields in the output:\n%s", out)
	}
}

// TestHarvestDueSourcesAllFailExit1: polling the due sources, a run in
// which none could be polled exits 1 (a cron job can tell the network was
// down); one failing source beside a good one is a site down, exit 0.
func TestHarvestDueSourcesAllFailExit1(t *testing.T) {
	site := demoSite(t, demo.Options{})
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL + "/feed.xml"
	down.Close() // nothing listens there any more
	db := filepath.Join(t.TempDir(), "herald.db")
	if _, stderr, code := herald(t, "", "--db", db, "source", "add", "--allow-private", "--kind", "feed", downURL); code != 0 {
		t.Fatalf("source add: exit %d\n%s", code, stderr)
	}
	out, stderr, code := herald(t, "", "--db", db, "harvest", "--allow-private", "--delay", "0", "--progress", "never")
	if code != 1 || !strings.Contains(stderr, "no source could be polled: 1 source failed") {
		t.Errorf("every source down: exit %d, want 1\n%s%s", code, out, stderr)
	}
	if _, stderr, code := herald(t, "", "--db", db, "source", "add", "--allow-private", "--kind", "feed", site+"/feed.xml"); code != 0 {
		t.Fatalf("source add: exit %d\n%s", code, stderr)
	}
	out, stderr, code = herald(t, "", "--db", db, "harvest", "--allow-private", "--delay", "0", "--progress", "never")
	if code != 0 || !strings.Contains(out, "new") {
		t.Errorf("one source of two down: exit %d, want 0\n%s%s", code, out, stderr)
	}
}
