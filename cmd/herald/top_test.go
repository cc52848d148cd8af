package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
	"github.com/herald-archive/herald/internal/web"
)

// topRecord is one article of the top fixture, with the values the
// archive should file it under worked out by hand: host is the site key
// (no "www.", punycode for новости.рф).
type topRecord struct {
	url, host  string
	tags       []string
	authors    []string
	lang       string
	date       time.Time
	lighthouse bool // its text has the word lighthouse
	quayside   bool // its text has the word quayside (and it has no tags)
	// original is the URL it names as its original ("" for none), on
	// the site origHost.
	original, origHost string
}

// idnHost is новости.рф as the archive stores it (canon.URL: IDNA to
// ASCII); written out here so that the test does not compute it the way
// the code under test does.
const idnHost = "xn--b1amnebsh.xn--p1ai"

// topFixture builds 60 articles over four sites (one of them reached
// through www., one an internationalised name), with tags, authors,
// languages and dates in patterns that give every count a different
// value, twelve batch tags (more than the default limit), some articles
// with no tags or no authors, and copies that name an original on one of
// two sites (through www. or a port).
func topFixture() []topRecord {
	sites := []struct{ prefix, host string }{
		{"https://alpha.example", "alpha.example"},
		{"https://www.beta.example", "beta.example"},
		{"https://news.gamma.example", "news.gamma.example"},
		{"https://новости.рф", idnHost},
	}
	pattern := []int{0, 0, 0, 1, 1, 2, 3}
	var recs []topRecord
	for i := range 60 {
		s := sites[pattern[i%len(pattern)]]
		r := topRecord{
			url:        fmt.Sprintf("%s/2024/dispatch-%d.html", s.prefix, i),
			host:       s.host,
			lang:       "en",
			date:       time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, 3*i),
			lighthouse: i%4 == 0,
			quayside:   i%5 == 4,
		}
		if i%6 == 5 {
			r.lang = "de"
		}
		switch {
		case i%3 == 2 && i%2 == 0:
			r.original, r.origHost = fmt.Sprintf("https://www.wire.example/story-%d", i), "wire.example"
		case i%3 == 2:
			r.original, r.origHost = fmt.Sprintf("https://wire.example/story-%d", i), "wire.example"
		case i%4 == 0:
			r.original, r.origHost = fmt.Sprintf("https://agency.example:8443/item/%d", i), "agency.example"
		}
		if !r.quayside {
			r.tags = append(r.tags, fmt.Sprintf("batch-%02d", i%12))
			if i%3 == 0 {
				r.tags = append(r.tags, "storm")
			}
			if i%4 == 1 {
				r.tags = append(r.tags, "ferry")
			}
			if i%7 == 2 {
				r.tags = append(r.tags, "погода")
			}
		}
		switch i % 3 {
		case 0:
			r.authors = []string{"Mara Quill"}
		case 1:
			r.authors = []string{"Ilse Marrow", "Tomas Reyne"}
		}
		recs = append(recs, r)
	}
	return recs
}

// jsonl is the fixture as herald import jsonl reads it. Each text differs
// in its words, not only its numbers, so no two articles are the same.
func topJSONL(recs []topRecord) string {
	var b strings.Builder
	words := []string{"tide", "gull", "anchor", "buoy", "crane", "dredger", "pilot", "jetty", "hull", "mooring", "sail", "keel"}
	for i, r := range recs {
		text := fmt.Sprintf("Dispatch %d: the %s and the %s were seen near berth %d at %d hours.\n\nThe %s crew logged %d tonnes and the harbour office wrote minute %d.",
			i, words[i%12], words[(i*5+3)%12], i*7, i*13%24, words[(i*7+1)%12], i*31, i*17)
		if r.lighthouse {
			text += " The lighthouse keeper agreed."
		}
		if r.quayside {
			text += " Quayside traders complained."
		}
		rec := map[string]any{
			"url": r.url, "title": fmt.Sprintf("Dispatch %d from the harbour", i),
			"published": r.date.Format(time.RFC3339), "language": r.lang, "text": text,
		}
		if r.tags != nil {
			rec["tags"] = r.tags
		}
		if r.authors != nil {
			rec["authors"] = r.authors
		}
		if r.original != "" {
			rec["original_url"] = r.original
		}
		j, _ := json.Marshal(rec)
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

// importTopFixture imports the fixture into the archive at loc.
func importTopFixture(t *testing.T, loc string) []topRecord {
	t.Helper()
	recs := topFixture()
	in := filepath.Join(t.TempDir(), "top.jsonl")
	if err := os.WriteFile(in, []byte(topJSONL(recs)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := herald(t, "", "--db", loc, "import", "jsonl", in); code != 0 || !strings.Contains(stderr, fmt.Sprintf("%d new", len(recs))) {
		t.Fatalf("import: exit %d\n%s", code, stderr)
	}
	return recs
}

// wantTop counts the values of field among the records that match, most
// frequent first, ties by value, as Store.Top promises.
func wantTop(recs []topRecord, match func(topRecord) bool, field string) (counts []store.Count, matches int) {
	n := map[string]int{}
	for _, r := range recs {
		if !match(r) {
			continue
		}
		matches++
		switch field {
		case "site":
			n[r.host]++
		case "tag":
			for _, v := range r.tags {
				n[v]++
			}
		case "author":
			for _, v := range r.authors {
				n[v]++
			}
		case "lang":
			n[r.lang]++
		case "original":
			if r.origHost != "" {
				n[r.origHost]++
			}
		}
	}
	counts = []store.Count{}
	for k, c := range n {
		counts = append(counts, store.Count{Key: k, Count: c})
	}
	slices.SortFunc(counts, func(a, b store.Count) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Key, b.Key)
	})
	return counts, matches
}

// topQueries are queries with the fixture's articles they match, written
// independently of the query language.
var topQueries = []struct {
	q     string
	match func(topRecord) bool
}{
	{"", func(topRecord) bool { return true }},
	{"lighthouse", func(r topRecord) bool { return r.lighthouse }},
	{"lighthouse after:2024-03-01", func(r topRecord) bool {
		return r.lighthouse && !r.date.Before(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC))
	}},
	{"lang:en -site:beta.example", func(r topRecord) bool { return r.lang == "en" && r.host != "beta.example" }},
	{"site:новости.рф", func(r topRecord) bool { return r.host == idnHost }},
	{"(tag:storm OR tag:ferry) -author:quill", func(r topRecord) bool {
		return (slices.Contains(r.tags, "storm") || slices.Contains(r.tags, "ferry")) && !slices.Contains(r.authors, "Mara Quill")
	}},
}

// topBackends runs fn on a fresh SQLite archive and, when a PostgreSQL
// test server is configured ($HERALD_TEST_PG), on a PostgreSQL one.
func topBackends(t *testing.T, fn func(t *testing.T, loc string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "top.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.Schema(t)) })
}

// herald top --json gives the counts worked out from the fixture, for
// every field, with words, filters, negation and OR; --limit keeps the
// first ones; and the JSON is what /api/top answers for the same request.
func TestTopCounts(t *testing.T) {
	topBackends(t, func(t *testing.T, loc string) {
		recs := importTopFixture(t, loc)
		st, err := openLocation(context.Background(), loc, false)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		api := web.New(st, web.Options{})
		for _, tq := range topQueries {
			for _, field := range []string{"site", "tag", "author", "original"} {
				want, matches := wantTop(recs, tq.match, field)
				if matches == 0 || len(want) == 0 {
					t.Fatalf("fixture: %q by %s matches %d articles, %d values; the test needs more", tq.q, field, matches, len(want))
				}
				args := []string{"--db", loc, "top", "--json", "--by", field, "--limit", "100"}
				if tq.q != "" {
					args = append(args, tq.q)
				}
				out, stderr, code := herald(t, "", args...)
				if code != 0 {
					t.Fatalf("top %q --by %s: exit %d\n%s", tq.q, field, code, stderr)
				}
				var got web.TopResponse
				if err := json.Unmarshal([]byte(out), &got); err != nil {
					t.Fatalf("top %q --by %s: %v\n%s", tq.q, field, err, out)
				}
				if got.Query != tq.q || string(got.Field) != field || !slices.Equal(got.Counts, want) {
					t.Errorf("top %q --by %s = %+v\nwant query %q field %s counts %v", tq.q, field, got, tq.q, field, want)
				}

				// The same request to the API answers the same JSON.
				req := httptest.NewRequest(http.MethodGet, "/api/top?"+url.Values{"q": {tq.q}, "field": {field}, "n": {"100"}}.Encode(), nil)
				rec := httptest.NewRecorder()
				api.ServeHTTP(rec, req)
				var fromCLI, fromAPI any
				json.Unmarshal([]byte(out), &fromCLI)
				if err := json.Unmarshal(rec.Body.Bytes(), &fromAPI); rec.Code != http.StatusOK || err != nil {
					t.Fatalf("/api/top: %d %v\n%s", rec.Code, err, rec.Body)
				}
				if !jsonEqual(fromCLI, fromAPI) {
					t.Errorf("top %q --by %s --json differs from /api/top:\ncli %s\napi %s", tq.q, field, out, rec.Body)
				}

				// --limit 2 keeps the two most frequent.
				args[7] = "2"
				out, _, _ = herald(t, "", args...)
				got = web.TopResponse{}
				json.Unmarshal([]byte(out), &got)
				if w := want[:min(2, len(want))]; !slices.Equal(got.Counts, w) {
					t.Errorf("top %q --by %s --limit 2 = %v, want %v", tq.q, field, got.Counts, w)
				}
			}
		}
	})
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// topRow is one line of the table: rank, name, count, share.
var topRow = regexp.MustCompile(`^ *(\d+)  (.+?) +(\d+)  +(\d+\.\d)%$`)

// The table: a line with the number of matches, then a header and one
// aligned row a value with its rank, count and share of the matches;
// site by default, ten rows by default.
func TestTopTable(t *testing.T) {
	loc := filepath.Join(t.TempDir(), "top.db")
	recs := importTopFixture(t, loc)
	for _, tc := range []struct {
		args  []string
		q     func(topRecord) bool
		field string
		rows  int
	}{
		{nil, topQueries[0].match, "site", 4},
		{[]string{"--by", "tag"}, topQueries[0].match, "tag", 10},
		{[]string{"--by", "tag", "--limit", "3", "lighthouse"}, topQueries[1].match, "tag", 3},
		{[]string{"--by", "author", "lighthouse", "after:2024-03-01"}, topQueries[2].match, "author", 3}, // two words, one query
		{[]string{"site:новости.рф", "--by", "site"}, topQueries[4].match, "site", 1},
		{[]string{"--by", "lang"}, topQueries[0].match, "lang", 2},
		{[]string{"--by", "original", "lighthouse"}, topQueries[1].match, "original", 2},
	} {
		name := strings.Join(tc.args, " ")
		want, matches := wantTop(recs, tc.q, tc.field)
		want = want[:tc.rows]
		out, stderr, code := herald(t, "", append([]string{"--db", loc, "top"}, tc.args...)...)
		if code != 0 {
			t.Fatalf("top %s: exit %d\n%s", name, code, stderr)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != 3+tc.rows {
			t.Fatalf("top %s: %d lines, want a summary, a blank line, a header and %d rows:\n%s", name, len(lines), tc.rows, out)
		}
		column := tc.field
		switch column {
		case "lang":
			column = "language"
		case "original":
			column = "original site"
		}
		if head := fmt.Sprintf("%d articles match. Top %ss:", matches, column); lines[0] != head || lines[1] != "" {
			t.Errorf("top %s starts %q, want %q", name, lines[0], head)
		}
		if h := strings.Fields(lines[2]); !slices.Equal(h, strings.Fields("rank "+column+" articles share")) {
			t.Errorf("top %s: header %q", name, lines[2])
		}
		for i, line := range lines[3:] {
			m := topRow.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("top %s: row %q is not rank, name, count, share", name, line)
				continue
			}
			key := want[i].Key
			if key == idnHost {
				key += " (новости.рф)" // the readable spelling beside the stored one
			}
			share := fmt.Sprintf("%.1f", 100*float64(want[i].Count)/float64(matches))
			if m[1] != strconv.Itoa(i+1) || m[2] != key || m[3] != strconv.Itoa(want[i].Count) || m[4] != share {
				t.Errorf("top %s row %d = %q, want rank %d %s %d %s%%", name, i+1, line, i+1, key, want[i].Count, share)
			}
		}
		for _, line := range lines[3:] {
			if utf8.RuneCountInString(line) != utf8.RuneCountInString(lines[2]) {
				t.Errorf("top %s: columns not aligned:\n%s", name, out)
				break
			}
		}
	}

	// Matches whose articles have no tag say so.
	out, _, code := herald(t, "", "--db", loc, "top", "--by", "tag", "quayside")
	_, quay := wantTop(recs, func(r topRecord) bool { return r.quayside }, "tag")
	if want := fmt.Sprintf("%d articles match; none has a tag.\n", quay); code != 0 || out != want {
		t.Errorf("tags of untagged articles: exit %d, %q, want %q", code, out, want)
	}
	// So do matches of which none names an original (dispatch 1 does not).
	out, _, code = herald(t, "", "--db", loc, "top", "--by", "original", `"dispatch 1"`)
	if want := "1 article matches; none names an original.\n"; code != 0 || out != want {
		t.Errorf("originals of articles that name none: exit %d, %q, want %q", code, out, want)
	}
}

// Each bad input has its outcome: a malformed query as herald search
// reports it, a bad --by or --limit named with what is wanted (exit 2,
// before the archive is opened), nothing to count a clear line (exit 0),
// and a missing archive as the other read commands report it.
func TestTopErrors(t *testing.T) {
	dir := t.TempDir()
	loc := filepath.Join(dir, "top.db")
	importTopFixture(t, loc)
	for _, q := range []string{`harbour "unclosed`, `after:2024-13-01`, `(storm`, `site:-новости.рф`, `ééé site:example.com/news`} {
		sOut, sErr, sCode := herald(t, "", "--db", loc, "search", q)
		out, stderr, code := herald(t, "", "--db", loc, "top", q)
		if code != 2 || code != sCode || stderr != sErr || out != "" || sOut != "" || !strings.Contains(stderr, "column") {
			t.Errorf("top %q: exit %d %q; search: exit %d %q", q, code, stderr, sCode, sErr)
		}
	}
	// A query that starts with - reads as a flag: the hint search gives,
	// and after -- it is a query.
	_, stderr, code := herald(t, "", "--db", loc, "top", "-site:новости.рф")
	if code != 2 || !strings.Contains(stderr, "goes after --") {
		t.Errorf("top -site:…: exit %d, %q", code, stderr)
	}
	out, stderr, code := herald(t, "", "--db", loc, "top", "--json", "--", "-site:новости.рф")
	var got web.TopResponse
	if json.Unmarshal([]byte(out), &got) != nil || code != 0 || len(got.Counts) != 3 || slices.ContainsFunc(got.Counts, func(c store.Count) bool { return c.Key == idnHost }) {
		t.Errorf("top -- -site:…: exit %d, %s%s", code, out, stderr)
	}

	missing := filepath.Join(dir, "missing.db")
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--by", "tags"}, `unknown --by "tags" (want site, tag, author, lang, section or original)`},
		{[]string{"--by", ""}, `unknown --by "" (want site, tag, author, lang, section or original)`},
		{[]string{"--limit", "0"}, "--limit 0: want 1 to 1000"},
		{[]string{"--limit", "-3"}, "--limit -3: want 1 to 1000"},
		{[]string{"--limit", "1001"}, "--limit 1001: want 1 to 1000"},
		{[]string{"--limit", "99999999999999999999"}, `--limit "99999999999999999999": out of range`},
		{[]string{"--limit", "ten"}, `--limit "ten": want a whole number`},
	} {
		// The missing archive shows that these are checked first.
		out, stderr, code := herald(t, "", append([]string{"--db", missing, "top"}, tc.args...)...)
		if code != 2 || out != "" || !strings.Contains(stderr, tc.msg) {
			t.Errorf("top %v: exit %d, %q; want exit 2 and %q", tc.args, code, stderr, tc.msg)
		}
	}

	_, sErr, sCode := herald(t, "", "--db", missing, "search", "x")
	_, stderr, code = herald(t, "", "--db", missing, "top", "x")
	if code != 2 || code != sCode || stderr != sErr || !strings.Contains(stderr, "no archive at "+missing) {
		t.Errorf("missing archive: exit %d %q; search: exit %d %q", code, stderr, sCode, sErr)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("top created %s", missing)
	}

	empty := filepath.Join(dir, "empty.db")
	if _, stderr, code := herald(t, "", "--db", empty, "migrate"); code != 0 {
		t.Fatalf("migrate: %d %s", code, stderr)
	}
	for _, tc := range []struct{ loc, q string }{{empty, ""}, {empty, "harbour"}, {loc, "nosuchword"}, {loc, "site:новости.рф lang:de -lang:de"}} {
		for _, field := range []string{"site", "tag", "author", "original"} {
			out, stderr, code := herald(t, "", "--db", tc.loc, "top", "--by", field, tc.q)
			if code != 0 || out != "No articles match.\n" {
				t.Errorf("top --by %s %q on %s: exit %d, %q %s", field, tc.q, filepath.Base(tc.loc), code, out, stderr)
			}
			out, _, code = herald(t, "", "--db", tc.loc, "top", "--json", "--by", field, tc.q)
			var got map[string]any
			json.Unmarshal([]byte(out), &got)
			if counts, ok := got["counts"].([]any); code != 0 || !ok || len(counts) != 0 {
				t.Errorf("top --json --by %s %q on %s: exit %d, %s; want counts []", field, tc.q, filepath.Base(tc.loc), code, out)
			}
		}
	}
}

// site: finds an internationalised site under either spelling, in search
// as in top: the archive files it under punycode (canon), and the query
// used to compare the Unicode spelling with that and find nothing.
func TestSiteInternationalised(t *testing.T) {
	topBackends(t, func(t *testing.T, loc string) {
		recs := importTopFixture(t, loc)
		idn := func(r topRecord) bool { return r.host == idnHost }
		for _, tc := range []struct {
			q     string
			match func(topRecord) bool
		}{
			{"site:новости.рф", idn},
			{"site:" + idnHost, idn},
			{"site:НОВОСТИ.РФ", idn},
			{"site:https://www.новости.рф/", idn},
			{"site:рф", idn}, // the top-level domain alone
			{`lighthouse site:"новости.рф"`, func(r topRecord) bool { return idn(r) && r.lighthouse }},
			{"-site:новости.рф", func(r topRecord) bool { return !idn(r) }},
			{"site:alpha.example OR site:новости.рф", func(r topRecord) bool { return idn(r) || r.host == "alpha.example" }},
		} {
			_, want := wantTop(recs, tc.match, "site")
			out, stderr, code := herald(t, "", "--db", loc, "search", "--json", "--all-copies", "--limit", "100", "--", tc.q)
			var res store.SearchResult
			if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
				t.Fatalf("search %q: exit %d\n%s%s", tc.q, code, out, stderr)
			}
			if res.Total != want || want == 0 {
				t.Errorf("search %q: %d articles, want %d", tc.q, res.Total, want)
			}
			for _, h := range res.Hits {
				u, _ := url.Parse(h.Record.CanonicalURL) // hostOf would give the Unicode spelling
				r := topRecord{host: strings.TrimPrefix(u.Hostname(), "www."), lighthouse: strings.Contains(h.Record.Text+h.Snippet, "lighthouse")}
				if !tc.match(r) && !strings.Contains(tc.q, "lighthouse") {
					t.Errorf("search %q found %s", tc.q, h.Record.CanonicalURL)
				}
			}
		}
		_, want := wantTop(recs, idn, "site")
		out, _, _ := herald(t, "", "--db", loc, "top", "--json", "site:новости.рф")
		var got web.TopResponse
		json.Unmarshal([]byte(out), &got)
		if !slices.Equal(got.Counts, []store.Count{{Key: idnHost, Count: want}}) {
			t.Errorf("top site:новости.рф = %v, want %s %d", got.Counts, idnHost, want)
		}
	})
}
