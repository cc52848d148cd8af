package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/web"
)

// attentionArchive holds, per month and site, articles about floods,
// droughts or neither:
//
//	2024-01  a.example  4 articles: 2 flood, 1 drought
//	2024-01  b.example  6 articles: 1 flood
//	2024-02  a.example  2 articles: 2 flood
//	2024-02  b.example  2 articles: 1 drought
func attentionArchive(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	n := 0
	add := func(month, site, topic string, count int) {
		for range count {
			n++
			rec := map[string]any{
				"url":       fmt.Sprintf("https://%s/%s/story-%d.html", site, month, n),
				"title":     fmt.Sprintf("Report %d", n),
				"published": month + "-10T08:00:00Z",
				"text":      fmt.Sprintf("Report %d from the region: %s news today.", n, topic),
			}
			j, _ := json.Marshal(rec)
			b.Write(j)
			b.WriteByte('\n')
		}
	}
	add("2024-01", "a.example", "flood", 2)
	add("2024-01", "a.example", "drought", 1)
	add("2024-01", "a.example", "market", 1)
	add("2024-01", "b.example", "flood", 1)
	add("2024-01", "b.example", "market", 5)
	add("2024-02", "a.example", "flood", 2)
	add("2024-02", "b.example", "drought", 1)
	add("2024-02", "b.example", "market", 1)
	dir := t.TempDir()
	in, db := filepath.Join(dir, "in.jsonl"), filepath.Join(dir, "a.db")
	os.WriteFile(in, []byte(b.String()), 0o644)
	if _, stderr, code := herald(t, "", "--db", db, "import", "jsonl", in); code != 0 || !strings.Contains(stderr, "14 new") {
		t.Fatalf("import: exit %d\n%s", code, stderr)
	}
	return db
}

// bucketLine is a bucket as "month key count/of".
func bucketLines(res web.TimelineResponse) string {
	var lines []string
	for _, b := range res.Buckets {
		lines = append(lines, fmt.Sprintf("%s %s %d/%d %.3f", b.Start.Format("2006-01"), b.Key, b.Count, b.Of, b.Share))
	}
	return strings.Join(lines, "\n")
}

func timelineJSON(t *testing.T, args ...string) web.TimelineResponse {
	t.Helper()
	out, stderr, code := herald(t, "", append([]string{"timeline", "--json", "--by", "month"}, args...)...)
	if code != 0 {
		t.Fatalf("timeline %v: exit %d, %s", args, code, stderr)
	}
	var res web.TimelineResponse
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("timeline %v: %v\n%s", args, err, out)
	}
	return res
}

func TestTimelineShareAndCompare(t *testing.T) {
	db := attentionArchive(t)

	res := timelineJSON(t, "--db", db, "flood", "--share")
	if got, want := bucketLines(res), "2024-01  3/10 0.300\n2024-02  2/4 0.500"; got != want || !res.Share || res.Total != 5 {
		t.Errorf("flood --share:\n%s\nwant\n%s (total %d)", got, want, res.Total)
	}
	// b.example had articles in February, none about floods: a share of 0.
	res = timelineJSON(t, "--db", db, "flood", "--share", "--split", "site")
	if got, want := bucketLines(res), "2024-01 a.example 2/4 0.500\n2024-01 b.example 1/6 0.167\n2024-02 a.example 2/2 1.000\n2024-02 b.example 0/2 0.000"; got != want {
		t.Errorf("flood --share --split site:\n%s\nwant\n%s", got, want)
	}
	// The filters choose the whole: a site's share is of its own articles,
	// so two sites' attention compares, whatever their sizes.
	res = timelineJSON(t, "--db", db, "flood site:a.example", "--share")
	if got, want := bucketLines(res), "2024-01  2/4 0.500\n2024-02  2/2 1.000"; got != want || res.Within != "site:a.example" {
		t.Errorf("flood site:a.example --share:\n%s\nwant\n%s (within %q)", got, want, res.Within)
	}
	res = timelineJSON(t, "--db", db, "flood site:a.example", "--compare", "flood site:b.example", "--share")
	if got, want := bucketLines(res), "2024-01 flood site:a.example 2/4 0.500\n2024-02 flood site:a.example 2/2 1.000\n"+
		"2024-01 flood site:b.example 1/6 0.167\n2024-02 flood site:b.example 0/2 0.000"; got != want {
		t.Errorf("flood site:a.example --compare 'flood site:b.example' --share:\n%s\nwant\n%s", got, want)
	}
	if res = timelineJSON(t, "--db", db, "flood", "--share"); res.Within != "" {
		t.Errorf("flood --share: within %q, want every article", res.Within)
	}
	// Without --share the buckets carry counts only, as before.
	res = timelineJSON(t, "--db", db, "flood")
	if got, want := bucketLines(res), "2024-01  3/0 0.000\n2024-02  2/0 0.000"; got != want || res.Share {
		t.Errorf("flood:\n%s\nwant\n%s", got, want)
	}
	// A comparison: buckets keyed by query; a repeated query counts once.
	res = timelineJSON(t, "--db", db, "flood", "--compare", "drought", "--compare", "flood", "--share")
	want := "2024-01 flood 3/10 0.300\n2024-02 flood 2/4 0.500\n2024-01 drought 1/10 0.100\n2024-02 drought 1/4 0.250"
	if got := bucketLines(res); got != want || res.Split != "query" || len(res.Compare) != 1 || res.Query != "flood" {
		t.Errorf("flood --compare drought:\n%s\nwant\n%s\n(split %q, compare %q)", got, want, res.Split, res.Compare)
	}

	// The table: shares beside counts, and a total per query.
	out, _, code := herald(t, "", "--db", db, "timeline", "--by", "month", "flood", "--compare", "drought", "--share")
	words := strings.Join(strings.Fields(out), " ")
	for _, line := range []string{"2024-01 flood 3 30.0% of 10 █", "2024-02 drought 1 25.0% of 4 █", "total 5 articles: flood", "total 2 articles: drought"} {
		if code != 0 || !strings.Contains(words, line) {
			t.Errorf("table lacks %q:\n%s", line, out)
		}
	}
	// A compared query that matches nothing has its total too, and the
	// totals of stories say stories.
	for _, tc := range []struct {
		args  []string
		lines []string
	}{
		{[]string{"flood", "--compare", "zeppelin"}, []string{"total 5 articles: flood", "total 0 articles: zeppelin"}},
		{[]string{"zeppelin", "--compare", "flood"}, []string{"total 0 articles: zeppelin", "total 5 articles: flood"}},
		{[]string{"flood", "--collapse"}, []string{"total 5 stories"}},
		{[]string{"flood", "--compare", "drought", "--collapse"}, []string{"total 5 stories: flood", "total 2 stories: drought"}},
	} {
		out, stderr, code := herald(t, "", append([]string{"--db", db, "timeline", "--by", "month"}, tc.args...)...)
		for _, line := range tc.lines {
			if code != 0 || !strings.Contains(out, line+"\n") {
				t.Errorf("%v: exit %d, table lacks %q:\n%s%s", tc.args, code, line, out, stderr)
			}
		}
	}
}

func TestTimelineCSV(t *testing.T) {
	db := attentionArchive(t)
	out, stderr, code := herald(t, "", "--db", db, "timeline", "--by", "month", "--csv", "flood", "--compare", "drought", "--share")
	want := "start,key,count,of,share\n2024-01-01,flood,3,10,0.300000\n2024-02-01,flood,2,4,0.500000\n" +
		"2024-01-01,drought,1,10,0.100000\n2024-02-01,drought,1,4,0.250000\n"
	if code != 0 || out != want {
		t.Errorf("--csv: exit %d %s\n%s\nwant\n%s", code, stderr, out, want)
	}
	if _, stderr, code := herald(t, "", "--db", db, "timeline", "--csv", "--json", "flood"); code != 2 || !strings.Contains(stderr, "choose one") {
		t.Errorf("--csv --json: exit %d, %q", code, stderr)
	}
}

func TestTimelineCompareErrors(t *testing.T) {
	db := attentionArchive(t)
	many := []string{"--db", db, "timeline", "a"}
	for _, q := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		many = append(many, "--compare", q)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--db", db, "timeline", "flood", "--compare", " "}, "--compare: an empty query"},
		{[]string{"--db", db, "timeline", "--compare", "flood"}, "--compare: an empty query"},
		{[]string{"--db", db, "timeline", "flood", "--compare", `"dry`}, "herald: --compare: bad query: unterminated quote"}, // which query
		{[]string{"--db", db, "timeline", "flood", "--compare", "drought", "--split", "site"}, "cannot be combined"},
		{many, fmt.Sprintf("9 queries to compare, at most %d", web.MaxCompare)},
	} {
		_, stderr, code := herald(t, "", tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args[3:], code, stderr, tc.msg)
		}
	}
}

// A count of 0 (a period with articles, none matching) has no bar in the
// table: it had one block, as long as the bar of a small count.
func TestTimelineTableZeroHasNoBar(t *testing.T) {
	db := attentionArchive(t)
	out, stderr, code := herald(t, "", "--db", db, "timeline", "--by", "month", "flood", "--share", "--split", "site")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "2024-02  b.example") {
			if !strings.Contains(line, " 0.0% of 2") || strings.Contains(line, "█") {
				t.Errorf("the line of a share of 0: %q", line)
			}
			return
		}
	}
	t.Errorf("no line for b.example in February:\n%s", out)
}

// A query compared that differs from another only in how it is written
// (spaces, brackets, a sort:) counts once: it drew a second, identical
// line and took one of the places of a comparison.
func TestTimelineCompareSameQueryWrittenTwoWays(t *testing.T) {
	db := attentionArchive(t)
	res := timelineJSON(t, "--db", db, "flood", "--compare", "(flood)", "--compare", "drought  OR  market", "--compare", "drought OR market sort:oldest", "--compare", `"flood"`)
	if want := []string{"drought  OR  market", `"flood"`}; !slices.Equal(res.Compare, want) {
		t.Errorf("compared with %q, want %q", res.Compare, want)
	}
}

// A share is taken of the articles in the query's own dates (after:,
// before:): a period the query leaves out has no share (it had one of 0,
// a flat line across the whole archive), and a period it cuts in two is
// shared against its articles within the dates, not all of them (which
// halved the share below).
func TestTimelineShareWithinTheQueryDates(t *testing.T) {
	var b strings.Builder
	for i, a := range []struct{ day, text string }{
		{"2024-05-20", "calm"}, {"2024-06-05", "storm"}, {"2024-06-06", "calm"},
		{"2024-06-20", "storm"}, {"2024-06-21", "storm"}, {"2024-07-02", "storm"}, {"2024-07-03", "calm"},
	} {
		j, _ := json.Marshal(map[string]any{"url": fmt.Sprintf("https://w.example/%d.html", i), "title": fmt.Sprintf("Weather %d", i),
			"published": a.day + "T08:00:00Z", "text": fmt.Sprintf("Weather report %d: %s seas along the coast today.", i, a.text)})
		b.Write(j)
		b.WriteByte('\n')
	}
	db := filepath.Join(t.TempDir(), "a.db")
	if _, stderr, code := herald(t, b.String(), "--db", db, "import", "jsonl", "-"); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	res := timelineJSON(t, "--db", db, "storm after:2024-06-15 before:2024-07-03", "--share")
	if got, want := bucketLines(res), "2024-06  2/2 1.000\n2024-07  1/1 1.000"; got != want {
		t.Errorf("storm after:2024-06-15 before:2024-07-03 --share:\n%s\nwant\n%s", got, want)
	}
	// Compared, each query has its own dates.
	res = timelineJSON(t, "--db", db, "storm after:2024-06-15", "--compare", "calm", "--share")
	want := "2024-06 storm after:2024-06-15 2/2 1.000\n2024-07 storm after:2024-06-15 1/2 0.500\n" +
		"2024-05 calm 1/1 1.000\n2024-06 calm 1/4 0.250\n2024-07 calm 1/2 0.500"
	if got := bucketLines(res); got != want {
		t.Errorf("compared:\n%s\nwant\n%s", got, want)
	}
}
