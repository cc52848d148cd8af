package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/harvest"
)

// Inputs the CLI used to accept, or misreport: a host that is down, a
// long Retry-After, --max-bytes and --every out of range, a source added
// twice under two spellings.

// refusedURL returns the base URL of a loopback port nothing listens on.
func refusedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// A host refusing connections is named as unreachable, with the reason;
// both commands said "disallowed by robots.txt: robots.txt unavailable".
func TestUnreachableHostIsNotARobotsRefusal(t *testing.T) {
	base := refusedURL(t)
	db := filepath.Join(t.TempDir(), "herald.db")
	for _, args := range [][]string{
		{"extract", "--allow-private", base + "/x"},
		{"--db", db, "source", "add", "--allow-private", base + "/feed.xml"},
	} {
		_, stderr, code := herald(t, "", args...)
		if code == 0 || !strings.Contains(stderr, "connection refused") || !strings.Contains(stderr, "unreachable") ||
			strings.Contains(stderr, "disallowed") {
			t.Errorf("%v: exit %d, stderr %q; want the host named unreachable with the reason", args, code, stderr)
		}
	}
}

// A 503 asking for an hour holds its host: the host's other URL is not
// requested and the run ends, other hosts harvested. It used to sleep in
// line for the hour, the other URLs never fetched.
func TestHarvestLongRetryAfterHoldsTheHost(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	page := func(title string) string {
		return fmt.Sprintf(`<!doctype html><html lang="en"><head><title>%s</title></head><body><article><h1>%s</h1><p>%s</p></article></body></html>`,
			title, title, strings.Repeat("The harbour reopened on Thursday after weeks of storm repairs to the breakwater. ", 12))
	}
	handler := func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.Host+r.URL.Path]++
		mu.Unlock()
		switch r.URL.Path {
		case "/busy":
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case "/robots.txt":
			http.NotFound(w, r)
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, page("Story at "+r.URL.Path))
		}
	}
	busy := httptest.NewServer(http.HandlerFunc(handler))
	defer busy.Close()
	other := httptest.NewServer(http.HandlerFunc(handler))
	defer other.Close()
	db := filepath.Join(t.TempDir(), "herald.db")

	// The deadline only stops the old behaviour from taking the hour.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"--db", db, "harvest", "--json", "--allow-private", "--delay", "0",
		busy.URL + "/busy", busy.URL + "/2024/05/01/after-the-busy-one.html", other.URL + "/2024/05/01/elsewhere.html"},
		strings.NewReader(""), &out, &errb)
	if ctx.Err() != nil || code == 130 {
		t.Fatalf("the harvest waited for the Retry-After (exit %d): %s", code, errb.String())
	}
	var sum harvest.Summary
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("exit %d, summary %q: %v\n%s", code, out.String(), err, errb.String())
	}
	mu.Lock()
	defer mu.Unlock()
	busyHost, otherHost := strings.TrimPrefix(busy.URL, "http://"), strings.TrimPrefix(other.URL, "http://")
	if n := hits[busyHost+"/2024/05/01/after-the-busy-one.html"]; n != 0 {
		t.Errorf("the held host's other URL was requested %d times", n)
	}
	if hits[otherHost+"/2024/05/01/elsewhere.html"] != 1 || sum.New != 1 {
		t.Errorf("the other host's page: %d requests, %d new articles; want 1 and 1", hits[otherHost+"/2024/05/01/elsewhere.html"], sum.New)
	}
	// Deferred through the frontier, or reported as held: either way for
	// a later run, not failed.
	if sum.Deferred == 0 && sum.Skipped[harvest.ReasonHeld] == 0 {
		t.Errorf("the held host's URL was neither deferred nor reported held: %+v", sum)
	}
}

// --max-bytes is the largest page accepted; zero or less used to be taken
// silently (0 read files of any size, negative lifted the extractor's
// cap).
func TestExtractMaxBytesMustBePositive(t *testing.T) {
	for _, v := range []string{"0", "-5"} {
		_, stderr, code := herald(t, "", "extract", "--no-detect-language", "--max-bytes", v, examplePage)
		if code != 2 || !strings.Contains(stderr, "--max-bytes "+v+": want a positive number of bytes") {
			t.Errorf("--max-bytes %s: exit %d, stderr %q; want 2 and a message", v, code, stderr)
		}
	}
	// A cap of one byte is a cap: the page is too large.
	if _, stderr, code := herald(t, "", "extract", "--no-detect-language", "--max-bytes", "1", examplePage); code != 1 ||
		!strings.Contains(stderr, "larger than the size cap") {
		t.Errorf("--max-bytes 1: exit %d, stderr %q", code, stderr)
	}
}

// --every takes the API's bounds, in the API's words; 1ms was accepted
// and herald harvest --watch then polled the source as fast as pacing let
// it.
func TestSourceAddEveryBounds(t *testing.T) {
	db := filepath.Join(t.TempDir(), "herald.db")
	for _, every := range []string{"1ms", "59s", "-1m", "745h"} {
		_, stderr, code := herald(t, "", "--db", db, "source", "add", "--kind", "feed", "--every", every, "https://example.org/feed-"+every)
		if code != 2 || !strings.Contains(stderr, "want 0 (the default) or 1m to 744h") {
			t.Errorf("--every %s: exit %d, stderr %q; want 2 and the bounds", every, code, stderr)
		}
	}
	for _, every := range []string{"0", "1m", "744h"} {
		if out, stderr, code := herald(t, "", "--db", db, "source", "add", "--kind", "feed", "--every", every, "https://example.org/feed-"+every); code != 0 {
			t.Errorf("--every %s: exit %d: %s%s", every, code, out, stderr)
		}
	}
}

// A source is a duplicate when only the case of its scheme or host, a
// default port, a fragment or a tracking parameter differs; it is refused
// with the existing source's id. Other query parameters make another
// source: a feed's query can select the feed.
func TestSourceAddDuplicateSpellings(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "herald.db")
	add := func(u string) (string, string, int) {
		t.Helper()
		return herald(t, "", "--db", db, "source", "add", "--kind", "feed", u)
	}
	feed := srv.URL + "/feed.xml"
	if out, stderr, code := add(feed); code != 0 || !strings.Contains(out, "added source 1") {
		t.Fatalf("add: exit %d: %s%s", code, out, stderr)
	}
	if out, stderr, code := add("https://news.example.org/rss"); code != 0 || !strings.Contains(out, "added source 2") {
		t.Fatalf("add: exit %d: %s%s", code, out, stderr)
	}
	for _, tc := range []struct{ url, id string }{
		{"HTTP://" + strings.TrimPrefix(feed, "http://"), "1"},
		{feed + "?utm_source=newsletter&utm_medium=email", "1"},
		{feed + "#latest", "1"},
		{feed, "1"},
		{"https://NEWS.Example.org:443/rss", "2"},
		{"https://news.example.org/rss?fbclid=abc", "2"},
	} {
		_, stderr, code := add(tc.url)
		if code != 2 || !strings.Contains(stderr, "exists already") || !strings.Contains(stderr, "source "+tc.id) {
			t.Errorf("%s: exit %d, stderr %q; want 2, refused as a duplicate of source %s", tc.url, code, stderr, tc.id)
		}
	}
	for _, u := range []string{feed + "?cat=2", srv.URL + "/Feed.xml", "https://news.example.org/rss?rss=1", "http://news.example.org/rss"} {
		if out, stderr, code := add(u); code != 0 {
			t.Errorf("%s is another source: exit %d: %s%s", u, code, out, stderr)
		}
	}
}

// A plain-text list of URLs added without --kind is a list, as herald
// source --help says (it was stored as a sitemap); its pages are
// harvested. A sitemap is still a sitemap.
func TestSourceAddDetectsAList(t *testing.T) {
	page := `<!doctype html><html lang="en"><head><title>Breakwater rebuilt</title></head><body><article><h1>Breakwater rebuilt</h1><p>` +
		strings.Repeat("The harbour reopened on Thursday after weeks of storm repairs to the breakwater. ", 12) + `</p></article></body></html>`
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/urls.txt":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprintf(w, "# today\n%s/2024/05/01/breakwater.html\n\n", srv.URL)
		case "/sitemap.xml":
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprintf(w, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>%s/2024/05/01/breakwater.html</loc></url></urlset>`, srv.URL)
		case "/2024/05/01/breakwater.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, page)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "herald.db")
	for _, c := range []struct{ path, want string }{{"/urls.txt", "list"}, {"/sitemap.xml", "sitemap"}} {
		out, stderr, code := herald(t, "", "--db", db, "source", "add", "--allow-private", srv.URL+c.path)
		if code != 0 || !strings.Contains(out, ": "+c.want+" "+srv.URL+c.path) {
			t.Errorf("source add %s: exit %d, want it added as a %s:\n%s%s", c.path, code, c.want, out, stderr)
		}
	}
	sum, _ := harvestJSON(t, db)
	if sum.New != 1 || sum.Polled != 2 {
		t.Errorf("harvest of the list and the sitemap: %+v, want both polled and the page stored", sum)
	}
}

// A source on a private address, added without --allow-private, is
// refused with the flag that allows it: the message said to give --kind,
// which adds a source that every harvest then refuses.
func TestSourceAddPrivateNamesAllowPrivate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "herald.db")
	_, stderr, code := herald(t, "", "--db", db, "source", "add", "http://127.0.0.1:9/feed.xml")
	if code == 0 || !strings.Contains(stderr, "--allow-private") || strings.Contains(stderr, "--kind") {
		t.Errorf("exit %d, stderr %q; want a refusal naming --allow-private", code, stderr)
	}
}

// source add --every echoes an interval as it was typed (-5m, not Go's
// -5m0s), says a negative one cannot be, refuses it with nothing added,
// and reports the interval it keeps in the same words.
func TestSourceEveryWords(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	for _, c := range []struct{ every, want string }{
		{"-5m", "herald: --every -5m: an interval cannot be negative: want 0 (the default) or 1m to 744h\n"},
		{"30s", "herald: --every 30s: want 0 (the default) or 1m to 744h\n"},
		{"800h", "herald: --every 800h: want 0 (the default) or 1m to 744h\n"},
	} {
		_, stderr, code := herald(t, "", "--db", db, "source", "add", "--kind", "feed", "https://news.example/feed.xml", "--every", c.every)
		if code != 2 || stderr != c.want {
			t.Errorf("--every %s: exit %d, stderr %q; want 2 and %q", c.every, code, stderr, c.want)
		}
	}
	out, stderr, code := herald(t, "", "--db", db, "source", "add", "--kind", "feed", "https://news.example/feed.xml", "--every", "90m")
	if want := "added source 1: feed https://news.example/feed.xml, polled every 1h30m\n"; code != 0 || out != want {
		t.Errorf("--every 90m: exit %d, stdout %q, stderr %q; want %q", code, out, stderr, want)
	}
}
