package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/web"
)

// storyLines is JSON lines of one story per site, text as given.
func storyLines(t *testing.T, texts map[string]string) string {
	t.Helper()
	var b strings.Builder
	for site, text := range texts {
		j, err := json.Marshal(map[string]any{"url": "https://" + site + "/story.html", "title": "Story on " + site,
			"published": "2024-03-05T09:00:00Z", "language": "en", "text": text})
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

// threeStoriesThenMark imports three stories of three sites into a new
// archive and returns the archive, the stories as JSON lines, and a time
// after they were stored and before anything else is.
func threeStoriesThenMark(t *testing.T) (db, stories string, mark time.Time) {
	t.Helper()
	db = filepath.Join(t.TempDir(), "a.db")
	stories = storyLines(t, map[string]string{
		"one.example":   "The ferry timetable changes on Monday for the winter months, the operator said on Friday.",
		"two.example":   "A new bakery opened in the old post office, with queues down the street by noon on Saturday.",
		"three.example": "The council approved the cycle lane after a long debate about parking spaces near the school.",
	})
	if _, stderr, code := herald(t, stories, "--db", db, "import", "jsonl", "-"); code != 0 {
		t.Fatalf("import: exit %d\n%s", code, stderr)
	}
	time.Sleep(20 * time.Millisecond)
	mark = time.Now()
	time.Sleep(20 * time.Millisecond)
	return db, stories, mark
}

// herald export --changed-since writes only what the archive wrote since
// then, new articles and new versions, and names the next delta's start;
// bad times and --collapse are refused; the API does the same.
func TestExportChangedSince(t *testing.T) {
	db, _, mark := threeStoriesThenMark(t)
	out, stderr, code := herald(t, "", "--db", db, "export", "--changed-since", mark.Format(time.RFC3339Nano))
	if code != 0 || out != "" || !strings.Contains(stderr, "exported 0 articles") {
		t.Errorf("nothing changed yet: exit %d\n%s%s", code, out, stderr)
	}
	second := storyLines(t, map[string]string{
		"two.example":  "A new bakery opened in the old post office, with queues down the street by noon on Saturday. It sold out by two.",
		"four.example": "Lighthouse keepers gathered for their annual meeting on the northern island this weekend.",
	})
	if _, stderr, code := herald(t, second, "--db", db, "import", "jsonl", "-"); code != 0 || !strings.Contains(stderr, "1 new") || !strings.Contains(stderr, "1 updated") {
		t.Fatalf("second import: exit %d\n%s", code, stderr)
	}
	before := time.Now()
	out, stderr, code = herald(t, "", "--db", db, "export", "--format", "csv", "--changed-since", mark.Format(time.RFC3339Nano))
	if code != 0 || strings.Count(out, "\n") != 3 || !strings.Contains(out, "two.example") || !strings.Contains(out, "four.example") ||
		!strings.Contains(out, "It sold out by two.") || !strings.Contains(stderr, "exported 2 articles") {
		t.Errorf("changed since the mark: exit %d\n%s%s", code, out, stderr)
	}
	m := regexp.MustCompile(`next delta: --changed-since (\S+)\n`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no next delta named:\n%s", stderr)
	}
	if next, err := time.Parse(time.RFC3339, m[1]); err != nil || next.After(before) || before.Sub(next) > time.Minute+2*time.Second {
		t.Errorf("next delta from %s (%v), this one started about %s", m[1], err, before.UTC().Format(time.RFC3339))
	}
	// A WARC delta says where it starts; its articles (imported from
	// JSON lines) have no captures, which makes the exit status 1, and the
	// next delta is named all the same.
	wf := filepath.Join(t.TempDir(), "delta.warc.gz")
	_, stderr, code = herald(t, "", "--db", db, "export", "--format", "warc", "--out", wf, "--changed-since", mark.Format(time.RFC3339Nano))
	if info := string(gunzipMembers(t, mustRead(t, wf))); code != 1 || !strings.Contains(stderr, "next delta: --changed-since ") ||
		!strings.Contains(info, "herald-changed-since: "+mark.UTC().Format(time.RFC3339Nano)+"\r\n") {
		t.Errorf("WARC delta: exit %d\n%s\n%s", code, stderr, clipText(info))
	}
	// With a query, and as a time ago.
	if out, _, code := herald(t, "", "--db", db, "export", "--changed-since", "1h", "site:four.example"); code != 0 || strings.Count(out, "\n") != 1 {
		t.Errorf("changed in the last hour on four.example: exit %d\n%s", code, out)
	}
	if out, _, code := herald(t, "", "--db", db, "export", "--changed-since", "1h"); code != 0 || strings.Count(out, "\n") != 4 {
		t.Errorf("changed in the last hour: exit %d, %d lines", code, strings.Count(out, "\n"))
	}
	for _, bad := range [][]string{
		{"--changed-since", "yesterday"},
		{"--changed-since", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)},
		{"--changed-since", "1h", "--collapse"},
	} {
		_, stderr, code := herald(t, "", append([]string{"--db", db, "export"}, bad...)...)
		if code != 2 || !strings.Contains(stderr, "--changed-since") {
			t.Errorf("%v: exit %d, want 2\n%s", bad, code, stderr)
		}
	}

	// The API: changed_since, the next delta in a header.
	st, err := sqlite.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(web.New(st, web.Options{}))
	defer srv.Close()
	get := func(params url.Values) (*http.Response, string) {
		t.Helper()
		res, err := http.Get(srv.URL + "/api/export?" + params.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, string(b)
	}
	res, body := get(url.Values{"changed_since": {mark.Format(time.RFC3339Nano)}})
	if res.StatusCode != 200 || strings.Count(body, "\n") != 2 || res.Header.Get("Herald-Next-Changed-Since") == "" {
		t.Errorf("API changed_since: %d %v\n%s", res.StatusCode, res.Header, body)
	}
	for _, bad := range []url.Values{{"changed_since": {"soon"}}, {"changed_since": {"1h"}, "collapse": {"true"}}, {"changed_since": {"1h", "2h"}}} {
		if res, body := get(bad); res.StatusCode != 400 || !strings.Contains(body, "changed_since") {
			t.Errorf("API %v: %d\n%s", bad, res.StatusCode, body)
		}
	}
}

// mustRead is the content of the file at path.
func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
