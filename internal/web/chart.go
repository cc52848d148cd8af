package web

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// The attention chart: counts per interval drawn as SVG on the server, so
// it needs no script and no library. Buckets become bars (each a link to
// the search for its period) while they are few, and stacked areas when
// they are many. Split by site, the busiest sites get their own colour
// and the rest are pooled as "other sites".

// Chart geometry, in SVG user units (the image scales with the page).
const (
	chartW, chartH = 760.0, 300.0
	padLeft        = 52.0
	padRight       = 12.0
	padTop         = 14.0
	padBottom      = 30.0
	// maxBars is the most buckets drawn as bars; more become areas.
	maxBars = 120
	// maxBuckets is the most buckets drawn at all: a finer interval is
	// coarsened to fit.
	maxBuckets = 420
	// maxBarWidth keeps a chart of few buckets from drawing slabs.
	maxBarWidth = 56.0
	// maxSeries is the number of sites with their own colour.
	maxSeries = 6
	// maxLeftOut is the percentage of articles that may be left out of
	// a chart (as outliers far from the rest) rather than coarsening it.
	maxLeftOut = 5
)

// palette holds the series colours: calm, distinct, readable on the page
// background. The last one is for "other sites".
var palette = []string{"#2f5d8a", "#c4703a", "#4f8a5b", "#8a5a9a", "#b0922e", "#3f8f9c", "#9aa0a6"}

// chart is what the template draws. Coordinates are pre-formatted.
type chart struct {
	W, H         float64
	Left, Top    float64
	PlotW, PlotH float64
	Bottom       float64 // y of the x axis
	YTicks       []chartTick
	XTicks       []chartTick
	Bars         []chartBar
	Areas        []chartArea
	// Lines are set instead of bars and areas on a line chart
	// (buildLineChart), whose table has Columns and rows of Cells.
	Lines            []chartLine
	Columns          []string
	ShowLegend       bool
	Legend           []legendItem
	By               store.Interval
	Note             string
	Total, Peak      int
	PeakLabel        string
	Summary          string
	Rows             []chartRow
	Series           []string
	Split            bool
	FirstLabel, Last string
	// LeftOut counts the articles dated outside the span drawn (see
	// bulk); Note says so.
	LeftOut int
}

type chartTick struct {
	X, Y  float64
	Label string
}

type chartBar struct {
	X, Y, W, H float64
	Fill       string
	Title      string
	Href       string
}

type chartArea struct {
	D    string
	Fill string
}

type legendItem struct {
	Name  string
	Fill  string
	Total int
	Href  string
}

// chartRow is one line of the data table under the chart.
type chartRow struct {
	Label  string
	Counts []int
	// Cells are the formatted values of a line chart's row.
	Cells []string
	Total int
}

// step returns the start of the bucket after t.
func step(by store.Interval, t time.Time) time.Time {
	switch by {
	case store.Week:
		return t.AddDate(0, 0, 7)
	case store.Month:
		return t.AddDate(0, 1, 0)
	}
	return t.AddDate(0, 0, 1)
}

// coarser returns the next wider interval.
func coarser(by store.Interval) store.Interval {
	if by == store.Day {
		return store.Week
	}
	return store.Month
}

// bucketCount returns the number of buckets from first to last inclusive.
func bucketCount(by store.Interval, first, last time.Time) int {
	switch by {
	case store.Month:
		return (last.Year()-first.Year())*12 + int(last.Month()-first.Month()) + 1
	case store.Week:
		return int(last.Sub(first).Hours()/(24*7)) + 1
	}
	return int(last.Sub(first).Hours()/24) + 1
}

// autoInterval picks the finest interval that draws the span from first
// to last in a readable number of buckets.
func autoInterval(first, last time.Time) store.Interval {
	switch span := last.Sub(first); {
	case span <= 120*24*time.Hour:
		return store.Day
	case span <= 2*365*24*time.Hour:
		return store.Week
	}
	return store.Month
}

// bulk returns the span of at most maxBuckets buckets of interval by
// (first and last bucket starts) that holds the most articles, and the
// number of articles outside it. Without outliers that is every bucket.
func bulk(buckets []store.Bucket, by store.Interval) (first, last time.Time, outside int) {
	sums := map[time.Time]int{}
	total := 0
	for _, b := range buckets {
		sums[by.Truncate(b.Start)] += b.Count
		total += b.Count
	}
	starts := make([]time.Time, 0, len(sums))
	for t := range sums {
		starts = append(starts, t)
	}
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	best, sum, j := -1, 0, 0
	for i := range starts {
		for j < len(starts) && bucketCount(by, starts[i], starts[j]) <= maxBuckets {
			sum += sums[starts[j]]
			j++
		}
		if sum > best {
			best, first, last = sum, starts[i], starts[j-1]
		}
		sum -= sums[starts[i]]
	}
	return first, last, total - best
}

// periodLabel names the bucket starting at t.
func periodLabel(by store.Interval, t time.Time) string {
	switch by {
	case store.Month:
		return t.Format("Jan 2006")
	case store.Week:
		return "week of " + t.Format("2 Jan 2006")
	}
	return t.Format("Mon 2 Jan 2006")
}

// span is the stretch of time a chart draws and the interval it draws it
// in (see chartSpan).
type span struct {
	first, last time.Time // the first and last bucket starts drawn
	by          store.Interval
	leftOut     int    // articles dated outside first..last
	note        string // says what was coarsened or left out
	coarsened   string // the part of note on coarsening
}

// chartSpan picks the span a chart draws: every bucket when they fit in
// maxBuckets; else a coarser interval, unless only a few articles
// (maxLeftOut) lie outside the busiest maxBuckets, as one dated 9999 by
// mistake does. Per month those are left out whatever their number: the
// span of the dates must not decide the size of the page.
func chartSpan(buckets []store.Bucket, by store.Interval) span {
	total := 0
	for _, b := range buckets {
		total += b.Count
	}
	var sp span
	var coarsened, leftOut string
	asked := by
	for {
		lo, hi, out := bulk(buckets, by)
		if out == 0 || by == store.Month || out <= total*maxLeftOut/100 {
			sp.first, sp.last = lo, hi
			if out > 0 {
				var outside []time.Time
				for _, b := range buckets {
					if t := by.Truncate(b.Start); t.Before(lo) || t.After(hi) {
						outside = append(outside, t)
					}
				}
				earliest, latest := slices.MinFunc(outside, time.Time.Compare), slices.MaxFunc(outside, time.Time.Compare)
				when := periodLabel(by, earliest)
				if !latest.Equal(earliest) {
					when += " to " + periodLabel(by, latest)
				}
				sp.leftOut = out
				leftOut = fmt.Sprintf("Shown from %s to %s: %s dated outside that span (%s) %s left out.",
					periodLabel(by, lo), periodLabel(by, hi), plural(out, "article"), when,
					map[bool]string{true: "is", false: "are"}[out == 1])
			}
			break
		}
		by = coarser(by)
		coarsened = fmt.Sprintf("Shown per %s: per %s there would be too many bars to read.", by, asked)
	}
	sp.by = by
	sp.coarsened = coarsened
	sp.note = strings.TrimSpace(coarsened + " " + leftOut)
	return sp
}

// buildChart lays out buckets (as the store returns them: non-empty only,
// ordered by start then key) for query q over the span sp (chartSpan),
// counting unit ("article", or "story" for a collapsed timeline). Buckets
// of a finer interval than sp's are added up into it: exact from days,
// but a week can straddle two months, so weeks are counted again per
// month instead (Server.timeline). It returns nil when there is nothing
// to draw.
func buildChart(buckets []store.Bucket, sp span, split bool, q, unit string) *chart {
	if len(buckets) == 0 {
		return nil
	}
	first, last, by := sp.first, sp.last, sp.by
	c := &chart{W: chartW, H: chartH, Left: padLeft, Top: padTop, By: by, Split: split, ShowLegend: split,
		PlotW: chartW - padLeft - padRight, PlotH: chartH - padTop - padBottom}
	c.Bottom = c.Top + c.PlotH
	c.Note, c.LeftOut = sp.note, sp.leftOut

	// Series: one, or the busiest sites plus "other sites".
	keys := busiest(buckets)
	seriesOf := map[string]int{}
	if split {
		for i, k := range keys {
			seriesOf[k] = min(i, maxSeries-1)
		}
		n := min(len(keys), maxSeries)
		for i := range n {
			name := keys[i]
			if i == maxSeries-1 && len(keys) > maxSeries {
				name = fmt.Sprintf("%d other sites", len(keys)-(maxSeries-1))
			}
			c.Series = append(c.Series, name)
		}
	} else {
		c.Series = []string{pluralOf(unit)}
	}

	// The matrix of counts, bucket by series.
	n := bucketCount(by, first, last)
	starts := make([]time.Time, n)
	index := map[time.Time]int{}
	for i, t := 0, first; i < n; i, t = i+1, step(by, t) {
		starts[i] = t
		index[t] = i
	}
	counts := make([][]int, n)
	for i := range counts {
		counts[i] = make([]int, len(c.Series))
	}
	for _, b := range buckets {
		i, ok := index[by.Truncate(b.Start)]
		if !ok {
			continue
		}
		counts[i][seriesOf[b.Key]] += b.Count
	}
	sums := make([]int, n)
	for i, row := range counts {
		for _, v := range row {
			sums[i] += v
		}
		c.Total += sums[i]
		if sums[i] > c.Peak {
			c.Peak, c.PeakLabel = sums[i], periodLabel(by, starts[i])
		}
		c.Rows = append(c.Rows, chartRow{Label: periodLabel(by, starts[i]), Counts: row, Total: sums[i]})
	}

	// Axes.
	yMax, yStep := niceScale(c.Peak)
	for v := 0; v <= yMax; v += yStep {
		c.YTicks = append(c.YTicks, chartTick{X: c.Left - 6, Y: c.Bottom - float64(v)/float64(yMax)*c.PlotH, Label: thousands(v)})
	}
	slot := c.PlotW / float64(n)
	for _, i := range xTickIndexes(by, starts) {
		c.XTicks = append(c.XTicks, chartTick{X: c.Left + (float64(i)+0.5)*slot, Y: c.Bottom + 18, Label: tickLabel(by, starts, i)})
	}
	y := func(v int) float64 { return c.Bottom - float64(v)/float64(yMax)*c.PlotH }

	// Marks.
	if n <= maxBars {
		gap := math.Min(slot*0.2, 6)
		width := math.Min(slot-gap, maxBarWidth)
		for i, row := range counts {
			base := 0
			for s, v := range row {
				if v == 0 {
					continue
				}
				title := fmt.Sprintf("%s: %s", periodLabel(by, starts[i]), plural(v, unit))
				href := countedHref(periodQuery(q, by, starts[i]), unit)
				if split {
					title = fmt.Sprintf("%s, %s: %s", periodLabel(by, starts[i]), c.Series[s], plural(v, unit))
					if !pooled(s, len(c.Series), len(keys)) {
						// A site's bar finds that site's articles
						// of the period; "other sites" all of it.
						href = countedHref(periodQuery(withFilter(q, query.Site, c.Series[s]), by, starts[i]), unit)
					}
				}
				c.Bars = append(c.Bars, chartBar{X: c.Left + (float64(i)+0.5)*slot - width/2, Y: y(base + v), W: width,
					H: y(base) - y(base+v), Fill: palette[colourIndex(s, len(c.Series), split, len(keys))], Title: title,
					Href: href})
				base += v
			}
		}
	} else {
		lower := make([]int, n)
		for s := range c.Series {
			var d strings.Builder
			upper := make([]int, n)
			for i := range n {
				upper[i] = lower[i] + counts[i][s]
				fmt.Fprintf(&d, "%s%.1f %.1f ", map[bool]string{true: "M", false: "L"}[i == 0], c.Left+(float64(i)+0.5)*slot, y(upper[i]))
			}
			for i := n - 1; i >= 0; i-- {
				fmt.Fprintf(&d, "L%.1f %.1f ", c.Left+(float64(i)+0.5)*slot, y(lower[i]))
			}
			d.WriteString("Z")
			c.Areas = append(c.Areas, chartArea{D: d.String(), Fill: palette[colourIndex(s, len(c.Series), split, len(keys))]})
			lower = upper
		}
	}
	for s, name := range c.Series {
		item := legendItem{Name: name, Fill: palette[colourIndex(s, len(c.Series), split, len(keys))]}
		for _, row := range counts {
			item.Total += row[s]
		}
		if split && !pooled(s, len(c.Series), len(keys)) {
			item.Href = countedHref(withFilter(q, query.Site, name), unit)
		}
		c.Legend = append(c.Legend, item)
	}
	c.FirstLabel, c.Last = periodLabel(by, first), periodLabel(by, last)
	if n == 1 {
		c.Summary = fmt.Sprintf("%s, all in %s.", plural(c.Total, unit), c.FirstLabel)
	} else {
		c.Summary = fmt.Sprintf("%s, counted per %s from %s to %s. Busiest %s: %s, with %s.",
			plural(c.Total, unit), by, c.FirstLabel, c.Last, by, c.PeakLabel, thousands(c.Peak))
	}
	return c
}

// busiest returns the keys of buckets, the one with the most articles
// first, ties by key.
func busiest(buckets []store.Bucket) []string {
	totals := map[string]int{}
	for _, b := range buckets {
		totals[b.Key] += b.Count
	}
	keys := make([]string, 0, len(totals))
	for k := range totals {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if totals[a] != totals[b] {
			return totals[b] - totals[a]
		}
		return strings.Compare(a, b)
	})
	return keys
}

// pooled reports whether series s of a chart split by site is the "other
// sites" that pool the sites past the busiest (keys sites in all).
func pooled(s, series, keys int) bool {
	return s == series-1 && keys > maxSeries
}

// colourIndex gives "other sites" the grey at the end of the palette.
func colourIndex(s, series int, split bool, keys int) int {
	if split && pooled(s, series, keys) {
		return len(palette) - 1
	}
	return s % (len(palette) - 1)
}

// periodQuery narrows q to the period of a bucket.
func periodQuery(q string, by store.Interval, start time.Time) string {
	end := step(by, start)
	return narrow(q, "after:"+start.Format(time.DateOnly), "before:"+end.Format(time.DateOnly))
}

// countedHref links a count of unit ("article" or "story") to the search
// for q that finds as many: stories are the search page's default, and
// articles show every copy (dups=show).
func countedHref(q, unit string) string {
	h := searchHref(q)
	switch {
	case unit == "story":
		return h
	case q == "":
		return "/?dups=show"
	}
	return h + "&dups=show"
}

// xTickIndexes picks the buckets labelled on the x axis: year starts for
// long monthly charts, otherwise about seven evenly spaced ones.
func xTickIndexes(by store.Interval, starts []time.Time) []int {
	n := len(starts)
	if by == store.Month && n > 24 {
		var out []int
		for i, t := range starts {
			if t.Month() == time.January {
				out = append(out, i)
			}
		}
		if len(out) > 10 {
			k := (len(out) + 9) / 10
			var thin []int
			for j := 0; j < len(out); j += k {
				thin = append(thin, out[j])
			}
			out = thin
		}
		if len(out) > 0 {
			return out
		}
	}
	k := max(1, (n+6)/7)
	var out []int
	for i := 0; i < n; i += k {
		out = append(out, i)
	}
	return out
}

func tickLabel(by store.Interval, starts []time.Time, i int) string {
	t := starts[i]
	switch {
	case by == store.Month && len(starts) > 24:
		return t.Format("2006")
	case by == store.Month:
		return t.Format("Jan 2006")
	case starts[len(starts)-1].Year() != starts[0].Year():
		return t.Format("2 Jan 2006")
	}
	return t.Format("2 Jan")
}

// niceScale returns an axis maximum at or above peak and a round step
// dividing it into at most about five intervals.
func niceScale(peak int) (yMax, yStep int) {
	if peak <= 0 {
		return 1, 1
	}
	raw := float64(peak) / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	stepF := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			stepF = m * mag
			break
		}
	}
	yStep = max(1, int(math.Round(stepF)))
	yMax = ((peak + yStep - 1) / yStep) * yStep
	return yMax, yStep
}
