package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/store"
)

func TestNiceScaleF(t *testing.T) {
	for _, tc := range []struct{ peak, max, step float64 }{
		{0, 1, 1}, {39.1, 40, 10}, {100, 100, 25}, {7, 8, 2}, {0.42, 0.6, 0.2}, {0.012, 0.015, 0.005}, {50, 60, 20},
	} {
		m, s := niceScaleF(tc.peak)
		if !near(m, tc.max) || !near(s, tc.step) {
			t.Errorf("niceScaleF(%g) = %g, %g; want %g, %g", tc.peak, m, s, tc.max, tc.step)
		}
		if m < tc.peak || m/s > 5+1e-9 {
			t.Errorf("niceScaleF(%g): max %g step %g do not cover the peak in at most 5 steps", tc.peak, m, s)
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestFormatPercent(t *testing.T) {
	for p, want := range map[float64]string{0: "0%", 30: "30%", 12.345: "12.3%", 2.5: "2.5%", 2.345: "2.35%", 0.25: "0.25%", 0.0123: "0.0123%", 100: "100%"} {
		if got := formatPercent(p); got != want {
			t.Errorf("formatPercent(%g) = %q, want %q", p, got, want)
		}
	}
}

// A comparison draws a line per query, in the order given, its marks
// linking to that query's search for the period.
func TestBuildLineChartCompare(t *testing.T) {
	res := TimelineResponse{Query: "flood", Compare: []string{"drought"}, By: store.Month, Split: "query", Buckets: []store.Bucket{
		{Start: day("2021-01-01"), Key: "flood", Count: 4},
		{Start: day("2021-03-01"), Key: "flood", Count: 2},
		{Start: day("2021-02-01"), Key: "drought", Count: 6},
	}}
	c := buildLineChart(res, chartSpan(res.Buckets, store.Month))
	if len(c.Lines) != 2 || len(c.Series) != 2 || c.Series[0] != "flood" || c.Series[1] != "drought" || !c.ShowLegend {
		t.Fatalf("lines %d, series %v", len(c.Lines), c.Series)
	}
	// Counts: a missing period is a count of 0, so each line is whole.
	for _, l := range c.Lines {
		if len(l.Segments) != 1 || strings.Count(l.Segments[0], ",") != 3 || len(l.Marks) != 3 {
			t.Errorf("line %+v: want one segment of three points and three marks", l)
		}
	}
	peak := c.Lines[1].Marks[1] // drought, February: the highest point
	if !near(peak.Y, c.Top+c.PlotH*(1-6.0/float64(atoi(c.YTicks[len(c.YTicks)-1].Label)))) || !strings.Contains(peak.Title, "Feb 2021, drought: 6 articles") {
		t.Errorf("peak mark %+v, y ticks %+v", peak, c.YTicks)
	}
	u, _ := url.Parse(peak.Href)
	if got := u.Query().Get("q"); got != "drought after:2021-02-01 before:2021-03-01" {
		t.Errorf("mark links to %q", got)
	}
	if c.Legend[0].Total != 6 || c.Legend[1].Total != 6 || c.Legend[1].Href != "/?q=drought&dups=show" {
		t.Errorf("legend %+v", c.Legend)
	}
	if len(c.Rows) != 3 || strings.Join(c.Rows[1].Cells, " ") != "0 6" || strings.Join(c.Columns, " ") != "flood drought" {
		t.Errorf("table %v %+v", c.Columns, c.Rows)
	}
	if !strings.Contains(c.Summary, "2 queries compared by their number of articles") || !strings.Contains(c.Summary, "drought, 6 in Feb 2021") {
		t.Errorf("summary %q", c.Summary)
	}
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n = 10*n + int(r-'0')
		}
	}
	return n
}

// Shares: the scale is in per cent, and a line breaks over a period in
// which no article was archived (no bucket), while a period with
// articles but no match (a bucket of count 0) is a point at 0.
func TestBuildLineChartShares(t *testing.T) {
	res := TimelineResponse{Query: "flood", By: store.Month, Share: true, Buckets: []store.Bucket{
		{Start: day("2021-01-01"), Count: 1, Of: 4, Share: 0.25},
		{Start: day("2021-02-01"), Count: 0, Of: 5},
		// March: nothing archived.
		{Start: day("2021-04-01"), Count: 2, Of: 4, Share: 0.5},
	}}
	c := buildLineChart(res, chartSpan(res.Buckets, store.Month))
	if len(c.Lines) != 1 || c.ShowLegend {
		t.Fatalf("%d lines, legend %v", len(c.Lines), c.ShowLegend)
	}
	l := c.Lines[0]
	if len(l.Segments) != 2 || strings.Count(l.Segments[0], ",") != 2 || strings.Count(l.Segments[1], ",") != 1 || len(l.Marks) != 3 {
		t.Errorf("segments %q, %d marks: want two points, a break, one point", l.Segments, len(l.Marks))
	}
	if last := c.YTicks[len(c.YTicks)-1]; last.Label != "60%" || !near(last.Y, c.Top) {
		t.Errorf("y ticks %+v", c.YTicks)
	}
	if got := l.Marks[2]; !near(got.Y, c.Bottom-c.PlotH*50/60) || !strings.Contains(got.Title, "Apr 2021, flood: 2 articles, 50% of 4") {
		t.Errorf("April's mark %+v (top %g)", got, c.Top)
	}
	if got := l.Marks[1]; !near(got.Y, c.Bottom) {
		t.Errorf("February's mark %+v, want on the axis", got)
	}
	cells := []string{c.Rows[0].Cells[0], c.Rows[1].Cells[0], c.Rows[2].Cells[0], c.Rows[3].Cells[0]}
	if strings.Join(cells, "|") != "1 (25%)|0|–|2 (50%)" {
		t.Errorf("cells %q", cells)
	}
	if !strings.Contains(c.Summary, "3 articles as a share of all archived articles") || !strings.Contains(c.Summary, "Highest: 50% in Apr 2021") {
		t.Errorf("summary %q", c.Summary)
	}
}

// Shares split by site draw the busiest sites only: a pooled share of
// the others would need the articles of sites without a match.
func TestBuildLineChartSitesShares(t *testing.T) {
	res := TimelineResponse{Query: "flood", By: store.Month, Split: "site", Share: true}
	for i := range maxSeries + 2 {
		res.Buckets = append(res.Buckets, store.Bucket{Start: day("2021-01-01"), Key: string(rune('a'+i)) + ".example", Count: 10 - i, Of: 20})
	}
	c := buildLineChart(res, chartSpan(res.Buckets, store.Month))
	if len(c.Lines) != maxSeries || c.Series[0] != "a.example" || !strings.Contains(c.Note, "2 other sites are not") {
		t.Errorf("%d lines, series %v, note %q", len(c.Lines), c.Series, c.Note)
	}
	if u, _ := url.Parse(c.Lines[0].Marks[0].Href); u.Query().Get("q") != "flood site:a.example after:2021-01-01 before:2021-02-01" {
		t.Errorf("mark link %q", c.Lines[0].Marks[0].Href)
	}
}
