package web

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestNiceScale(t *testing.T) {
	for _, tc := range []struct{ peak, max, step int }{
		{0, 1, 1}, {1, 1, 1}, {3, 3, 1}, {4, 4, 1}, {7, 8, 2}, {14, 15, 5}, {99, 100, 25}, {1234, 1500, 500},
	} {
		m, s := niceScale(tc.peak)
		if m != tc.max || s != tc.step {
			t.Errorf("niceScale(%d) = %d, %d; want %d, %d", tc.peak, m, s, tc.max, tc.step)
		}
		if m < tc.peak || m/s > 5 {
			t.Errorf("niceScale(%d): max %d step %d do not cover the peak in at most 5 steps", tc.peak, m, s)
		}
	}
}

func TestBuildChartFillsGapsAndLinksPeriods(t *testing.T) {
	if c := buildChart(nil, span{}, false, "x", "article"); c != nil {
		t.Fatal("chart of nothing")
	}
	buckets := []store.Bucket{
		{Start: day("2021-01-01"), Count: 3},
		{Start: day("2021-03-01"), Count: 5},
		{Start: day("2021-04-01"), Count: 1},
	}
	c := buildChart(buckets, chartSpan(buckets, store.Month), false, "harbour", "article")
	if len(c.Rows) != 4 || c.Rows[1].Total != 0 || c.Total != 9 || c.Peak != 5 || c.PeakLabel != "Mar 2021" {
		t.Fatalf("rows %+v total %d peak %d %s", c.Rows, c.Total, c.Peak, c.PeakLabel)
	}
	if len(c.Bars) != 3 || len(c.Areas) != 0 {
		t.Fatalf("%d bars, %d areas", len(c.Bars), len(c.Areas))
	}
	// Bars grow upwards from the axis and stay in the plot.
	for _, b := range c.Bars {
		if b.Y+b.H > c.Bottom+0.01 || b.Y < c.Top-0.01 || b.X < c.Left || b.X+b.W > c.Left+c.PlotW+0.01 || b.W > maxBarWidth {
			t.Errorf("bar out of the plot: %+v", b)
		}
	}
	u, err := url.Parse(c.Bars[1].Href)
	if err != nil || u.Query().Get("q") != "harbour after:2021-03-01 before:2021-04-01" {
		t.Errorf("bar link %q", c.Bars[1].Href)
	}
	if !strings.Contains(c.Bars[1].Title, "Mar 2021: 5 articles") {
		t.Errorf("bar title %q", c.Bars[1].Title)
	}
	if len(c.YTicks) < 2 || c.YTicks[0].Label != "0" {
		t.Errorf("y ticks %+v", c.YTicks)
	}
}

func TestBuildChartSplitPoolsSmallSites(t *testing.T) {
	var buckets []store.Bucket
	for i := range 9 {
		buckets = append(buckets, store.Bucket{Start: day("2022-05-02"), Key: fmt.Sprintf("site%d.example", i), Count: 10 - i})
	}
	c := buildChart(buckets, chartSpan(buckets, store.Week), true, "", "article")
	if len(c.Series) != maxSeries || c.Series[0] != "site0.example" || c.Series[maxSeries-1] != "4 other sites" {
		t.Fatalf("series %v", c.Series)
	}
	last := c.Legend[maxSeries-1]
	if last.Total != 5+4+3+2 || last.Href != "" || last.Fill != palette[len(palette)-1] {
		t.Errorf("pooled legend %+v", last)
	}
	if c.Legend[0].Href != "/?q=site%3Asite0.example&dups=show" { // articles counted: every copy shown
		t.Errorf("legend link %q", c.Legend[0].Href)
	}
	if len(c.Bars) != maxSeries || c.Summary != "54 articles, all in week of 2 May 2022." {
		t.Errorf("%d bars, summary %q", len(c.Bars), c.Summary)
	}
}

func TestBuildChartCoarsensAndUsesAreas(t *testing.T) {
	// Five years of days: too many to draw per day.
	var buckets []store.Bucket
	for d := day("2020-01-01"); d.Before(day("2025-01-01")); d = d.AddDate(0, 0, 3) {
		buckets = append(buckets, store.Bucket{Start: d, Count: 1})
	}
	c := buildChart(buckets, chartSpan(buckets, store.Day), false, "", "article")
	if c.By != store.Week || c.Note == "" {
		t.Fatalf("by %s note %q, want week with a note", c.By, c.Note)
	}
	if len(c.Rows) > maxBuckets || c.Total != len(buckets) {
		t.Errorf("%d rows, total %d want %d", len(c.Rows), c.Total, len(buckets))
	}
	if len(c.Bars) != 0 || len(c.Areas) != 1 || !strings.HasPrefix(c.Areas[0].D, "M") || !strings.HasSuffix(c.Areas[0].D, "Z") {
		t.Errorf("bars %d areas %+v", len(c.Bars), len(c.Areas))
	}
	if len(c.XTicks) < 3 || len(c.XTicks) > 10 {
		t.Errorf("%d x ticks", len(c.XTicks))
	}
}

func TestAutoInterval(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		want     store.Interval
	}{
		{"2021-06-01", "2021-07-01", store.Day},
		{"2021-01-01", "2021-12-01", store.Week},
		{"2019-01-01", "2024-12-01", store.Month},
	} {
		if got := autoInterval(day(tc.from), day(tc.to)); got != tc.want {
			t.Errorf("autoInterval(%s, %s) = %s, want %s", tc.from, tc.to, got, tc.want)
		}
	}
}

// TestBuildChartLeavesOutOutliers checks that an article dated far from
// the rest (9999-12-31, a typo) neither stretches the chart to thousands
// of buckets nor hides without a word.
func TestBuildChartLeavesOutOutliers(t *testing.T) {
	outlier := store.Bucket{Start: day("9999-12-31"), Count: 1}
	for _, by := range []store.Interval{store.Day, store.Week, store.Month} {
		var buckets []store.Bucket
		for d := day("2021-01-01"); d.Before(day("2021-03-01")); d = d.AddDate(0, 0, 1) {
			buckets = append(buckets, store.Bucket{Start: by.Truncate(d), Count: 2})
		}
		buckets = append(buckets, store.Bucket{Start: by.Truncate(outlier.Start), Count: 1})
		c := buildChart(buckets, chartSpan(buckets, by), false, "", "article")
		if c.By != by || len(c.Rows) > maxBuckets || c.Total != 2*59 || c.LeftOut != 1 {
			t.Errorf("per %s: drawn per %s, %d rows, total %d, %d left out; want 118 drawn per %s and 1 left out",
				by, c.By, len(c.Rows), c.Total, c.LeftOut, by)
		}
		if !strings.Contains(c.Note, ": 1 article dated outside that span ("+periodLabel(by, by.Truncate(outlier.Start))+") is left out.") {
			t.Errorf("per %s: note %q", by, c.Note)
		}
	}
	// Per month, outliers are left out however many they are.
	buckets := []store.Bucket{{Start: day("2021-01-01"), Count: 3}, {Start: day("2500-01-01"), Count: 3}, {Start: day("9999-12-01"), Count: 2}}
	if c := buildChart(buckets, chartSpan(buckets, store.Month), false, "", "article"); len(c.Rows) != 1 || c.LeftOut != 5 {
		t.Errorf("per month: %d rows, %d left out; want 1 and 5", len(c.Rows), c.LeftOut)
	}
}

// TestAttentionPageWithAFarDate checks that one article dated 9999-12-31
// leaves the attention page small, and that the page says it was left out.
func TestAttentionPageWithAFarDate(t *testing.T) {
	f := newArchive(t)
	res, err := archive.Ingest(context.Background(), f.db, []*store.Record{{Article: article.Article{
		URL: "https://far.example/future", Title: "Harbour of the future", Language: "en",
		Published: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), Text: "A harbour page dated by mistake."}}})
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res[0].Err)
	}
	h := testServer(f, Options{})
	for _, target := range []string{"/timeline", "/timeline?split=site", "/timeline?by=day&q=harbour", "/timeline?by=month&split=site"} {
		_, body := do(t, h, "GET", target, nil)
		if len(body) > 200<<10 {
			t.Errorf("%s: %d bytes", target, len(body))
		}
		if !strings.Contains(body, "1 article dated outside that span") || !strings.Contains(body, "9999)") {
			t.Errorf("%s: no note on the article left out", target)
		}
		if rows := strings.Count(body, "<tr>"); rows > maxBuckets+1 {
			t.Errorf("%s: %d table rows", target, rows)
		}
	}
}

// TestBuildChartNotesOneCoarsening checks that a chart coarsened twice
// (day to week to month) says so once, from the interval asked for.
func TestBuildChartNotesOneCoarsening(t *testing.T) {
	var buckets []store.Bucket
	for d := day("2010-01-01"); d.Before(day("2020-01-01")); d = d.AddDate(0, 0, 10) {
		buckets = append(buckets, store.Bucket{Start: d, Count: 1})
	}
	c := buildChart(buckets, chartSpan(buckets, store.Day), false, "", "article")
	if c.By != store.Month || c.Note != "Shown per month: per day there would be too many bars to read." {
		t.Errorf("per %s, note %q", c.By, c.Note)
	}
}

// TestAttentionPageCoarsensWeeksByCounting checks that a chart asked per
// week and shown per month counts each month's own articles. Adding up
// weeks into months put a week's articles in the month of its Monday:
// an article of Wednesday 1 January 2020 was counted in December 2019,
// and the page's numbers differed from the CSV it links to.
func TestAttentionPageCoarsensWeeksByCounting(t *testing.T) {
	f := newArchive(t)
	var recs []*store.Record
	add := func(when time.Time) {
		n := len(recs)
		recs = append(recs, &store.Record{Article: article.Article{
			URL: fmt.Sprintf("https://quay.example/%d", n), Title: fmt.Sprintf("Zanzibarquay report %d", n), Language: "en", Published: when,
			Text: fmt.Sprintf("The zanzibarquay ledger, entry %d: %d crates landed and %d ships waited for the tide.", n, n*37, n*11)}})
	}
	// Ten years, one article a month: too many weeks to draw (and too
	// many outside any 420 of them to leave out), so the chart is shown
	// per month.
	for m := day("2012-01-15"); m.Before(day("2022-01-01")); m = m.AddDate(0, 1, 0) {
		add(m)
	}
	add(day("2019-12-31").Add(9 * time.Hour)) // Tuesday
	add(day("2020-01-01").Add(9 * time.Hour)) // Wednesday of the same week
	res, err := archive.Ingest(context.Background(), f.db, recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	h := testServer(f, Options{})
	_, body := do(t, h, "GET", "/timeline?by=week&q=zanzibarquay", nil)
	if !strings.Contains(body, "Shown per month: per week there would be too many bars to read.") {
		t.Fatalf("the chart was not coarsened to months:\n%s", clip(body))
	}
	row := regexp.MustCompile(`<tr><th scope="row">([A-Z][a-z]{2} \d{4})</th><td class="num">(\d+)</td></tr>`)
	drawn := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(body, -1) {
		drawn[m[1]] = m[2]
	}
	if drawn["Dec 2019"] != "2" || drawn["Jan 2020"] != "2" {
		t.Errorf("table: Dec 2019 %q, Jan 2020 %q articles; want 2 and 2", drawn["Dec 2019"], drawn["Jan 2020"])
	}
	// The table says what the CSV link gives.
	href := regexp.MustCompile(`href="(/api/timeline\?[^"]+)" id="timeline-csv"`).FindStringSubmatch(body)
	if href == nil {
		t.Fatal("no CSV link")
	}
	_, csvBody := do(t, h, "GET", html.UnescapeString(href[1]), nil)
	for _, line := range strings.Split(strings.TrimSpace(csvBody), "\n")[1:] {
		cells := strings.Split(line, ",")
		label := day(cells[0]).Format("Jan 2006")
		if got, ok := drawn[label]; ok && got != cells[2] {
			t.Errorf("%s: %s articles in the table, %s in the CSV", label, got, cells[2])
		}
	}
}
