package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/query"
)

// The line chart: what a stacked chart cannot show. Queries compared
// overlap (an article can match two), and shares of coverage do not add
// up, so each series is a line of its own, on a scale of counts or of
// percentages of all archived articles.

// chartLine is one series drawn as a line, with a mark per period while
// periods are few (each a link to the search for its period). A share
// line breaks where no article was archived: it has a segment (a list
// of points) per unbroken run.
type chartLine struct {
	Segments []string
	Stroke   string
	Marks    []chartMark
}

type chartMark struct {
	X, Y  float64
	Title string
	Href  string
}

// lineSeries is one line: its name, the query its marks link to, and its
// bucket keys (a site or query; "" when not split).
type lineSeries struct {
	name, q, key string
}

// buildLineChart lays out res (a comparison of queries, or shares of
// coverage) over the span sp as lines. It returns nil when there is
// nothing to draw.
func buildLineChart(res TimelineResponse, sp span) *chart {
	if len(res.Buckets) == 0 {
		return nil
	}
	by := sp.by
	unit := "article"
	if res.Collapse {
		unit = "story"
	}
	units := pluralOf(unit)
	c := &chart{W: chartW, H: chartH, Left: padLeft, Top: padTop, By: by, Note: sp.note, LeftOut: sp.leftOut,
		PlotW: chartW - padLeft - padRight, PlotH: chartH - padTop - padBottom}
	c.Bottom = c.Top + c.PlotH

	var series []lineSeries
	switch res.Split {
	case "query":
		for _, q := range append([]string{res.Query}, res.Compare...) {
			series = append(series, lineSeries{name: q, q: q, key: q})
		}
	case "site":
		keys := busiest(res.Buckets)
		if len(keys) > maxSeries {
			// A pooled "other sites" share would need the articles of
			// sites with no match in a period, which the buckets lack.
			c.Note = strings.TrimSpace(c.Note + " " + fmt.Sprintf("The %d sites with the most matching %s are drawn; %s are not.",
				maxSeries, units, plural(len(keys)-maxSeries, "other site")))
			keys = keys[:maxSeries]
		}
		for _, k := range keys {
			series = append(series, lineSeries{name: k, q: withFilter(res.Query, query.Site, k), key: k})
		}
	default:
		name := units
		if res.Query != "" {
			name = res.Query
		}
		series = []lineSeries{{name: name, q: res.Query}}
	}
	at := map[string]int{}
	for s, ls := range series {
		c.Series = append(c.Series, ls.name)
		at[ls.key] = s
	}

	n := bucketCount(by, sp.first, sp.last)
	starts := make([]time.Time, n)
	index := map[time.Time]int{}
	for i, t := 0, sp.first; i < n; i, t = i+1, step(by, t) {
		starts[i] = t
		index[t] = i
	}
	counts, of := make([][]int, n), make([][]int, n)
	for i := range counts {
		counts[i], of[i] = make([]int, len(series)), make([]int, len(series))
	}
	for _, b := range res.Buckets {
		i, ok := index[by.Truncate(b.Start)]
		s, drawn := at[b.Key]
		if !ok || !drawn {
			continue
		}
		counts[i][s] += b.Count
		of[i][s] += b.Of
	}
	// With shares, a period without a bucket had no articles at all
	// (store.SetShares adds the ones with articles but no match).
	known := func(i, s int) bool { return !res.Share || of[i][s] > 0 }
	value := func(i, s int) float64 {
		if !res.Share {
			return float64(counts[i][s])
		}
		if of[i][s] == 0 {
			return 0
		}
		return 100 * float64(counts[i][s]) / float64(of[i][s])
	}
	cell := func(i, s int) string {
		if !res.Share {
			return thousands(counts[i][s])
		}
		if !known(i, s) {
			return "–"
		}
		if counts[i][s] == 0 {
			return "0"
		}
		return fmt.Sprintf("%s (%s)", thousands(counts[i][s]), formatPercent(value(i, s)))
	}

	peak, peakAt, peakSeries := 0.0, 0, 0
	for i := range n {
		row := chartRow{Label: periodLabel(by, starts[i])}
		for s := range series {
			if v := value(i, s); v > peak {
				peak, peakAt, peakSeries = v, i, s
			}
			row.Cells = append(row.Cells, cell(i, s))
			row.Total += counts[i][s]
		}
		c.Total += row.Total
		c.Rows = append(c.Rows, row)
	}
	c.Columns = c.Series
	c.Lines, c.ShowLegend = make([]chartLine, 0, len(series)), len(series) > 1

	// Axes.
	var yMax float64
	if res.Share {
		var yStep float64
		yMax, yStep = niceScaleF(peak)
		for k := 0; float64(k)*yStep <= yMax*(1+1e-9); k++ {
			v := float64(k) * yStep
			c.YTicks = append(c.YTicks, chartTick{X: c.Left - 6, Y: c.Bottom - v/yMax*c.PlotH, Label: formatPercent(v)})
		}
	} else {
		m, st := niceScale(int(peak))
		yMax = float64(m)
		for v := 0; v <= m; v += st {
			c.YTicks = append(c.YTicks, chartTick{X: c.Left - 6, Y: c.Bottom - float64(v)/yMax*c.PlotH, Label: thousands(v)})
		}
	}
	slot := c.PlotW / float64(n)
	for _, i := range xTickIndexes(by, starts) {
		c.XTicks = append(c.XTicks, chartTick{X: c.Left + (float64(i)+0.5)*slot, Y: c.Bottom + 18, Label: tickLabel(by, starts, i)})
	}

	// Lines, and marks while they are few.
	for s, ls := range series {
		line := chartLine{Stroke: lineColour(s)}
		var pts strings.Builder
		cut := func() {
			if pts.Len() > 0 {
				line.Segments = append(line.Segments, strings.TrimSpace(pts.String()))
				pts.Reset()
			}
		}
		for i := range n {
			if !known(i, s) {
				cut()
				continue
			}
			x, y := c.Left+(float64(i)+0.5)*slot, c.Bottom-value(i, s)/yMax*c.PlotH
			fmt.Fprintf(&pts, "%.1f,%.1f ", x, y)
			if n <= maxBars {
				title := fmt.Sprintf("%s, %s: %s", periodLabel(by, starts[i]), ls.name, plural(counts[i][s], unit))
				if res.Share {
					title += fmt.Sprintf(", %s of %s", formatPercent(value(i, s)), thousands(of[i][s]))
				}
				line.Marks = append(line.Marks, chartMark{X: x, Y: y, Title: title, Href: countedHref(periodQuery(ls.q, by, starts[i]), unit)})
			}
		}
		cut()
		c.Lines = append(c.Lines, line)
		item := legendItem{Name: ls.name, Fill: line.Stroke, Href: countedHref(ls.q, unit)}
		for i := range n {
			item.Total += counts[i][s]
		}
		c.Legend = append(c.Legend, item)
	}

	c.FirstLabel, c.Last = periodLabel(by, sp.first), periodLabel(by, sp.last)
	span := fmt.Sprintf("per %s from %s to %s", by, c.FirstLabel, c.Last)
	if n == 1 {
		span = "all in " + c.FirstLabel
	}
	c.PeakLabel = periodLabel(by, starts[peakAt])
	switch {
	case res.Split == "query" && res.Share:
		of := "all archived " + units
		if filtered(res) {
			of = "the archived " + units + " each query's filters select"
		}
		c.Summary = fmt.Sprintf("%d queries compared as shares of %s, %s. Highest: %s, %s in %s.",
			len(series), of, span, series[peakSeries].name, formatPercent(peak), c.PeakLabel)
	case res.Split == "query":
		c.Summary = fmt.Sprintf("%d queries compared by their number of %s, %s. Highest: %s, %s in %s.",
			len(series), units, span, series[peakSeries].name, thousands(int(peak)), c.PeakLabel)
	case res.Split == "site":
		of := "all its archived " + units
		if res.Within != "" {
			of = "its archived " + units + " matching " + res.Within
		}
		c.Summary = fmt.Sprintf("Each site's matching %s as a share of %s, %s. Highest: %s, %s in %s.",
			units, of, span, series[peakSeries].name, formatPercent(peak), c.PeakLabel)
	default:
		of := "all archived " + units
		if res.Within != "" {
			of = "the archived " + units + " matching " + res.Within
		}
		c.Summary = fmt.Sprintf("%s as a share of %s, %s. Highest: %s in %s.",
			plural(c.Total, unit), of, span, formatPercent(peak), c.PeakLabel)
	}
	return c
}

// filtered reports whether the shares of a comparison are within the
// filters of one of its queries rather than of all articles.
func filtered(res TimelineResponse) bool {
	if res.Within != "" {
		return true
	}
	for _, raw := range res.Compare {
		if q, err := query.Parse(raw); err == nil && population(q).Root != nil {
			return true
		}
	}
	return false
}

// lineColour is series s's colour: lines never pool, so the grey of
// "other sites" is not used.
func lineColour(s int) string { return palette[s%(len(palette)-1)] }

// niceScaleF is niceScale for fractional peaks (percentages): an axis
// maximum at or above peak and a round step dividing it into at most
// about five intervals.
func niceScaleF(peak float64) (yMax, yStep float64) {
	if peak <= 0 {
		return 1, 1
	}
	raw := peak / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	yStep = 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			yStep = m * mag
			break
		}
	}
	return math.Ceil(peak/yStep-1e-9) * yStep, yStep
}

// formatPercent writes a percentage with a precision fitting its size:
// 12%, 2.5%, 0.25%, 0.012%.
func formatPercent(p float64) string {
	digits := 1
	switch {
	case p == 0 || p >= 10:
		digits = 1
	case p >= 1:
		digits = 2
	case p >= 0.1:
		digits = 3
	default:
		digits = 2 - int(math.Floor(math.Log10(p)))
	}
	v := strconv.FormatFloat(p, 'f', digits, 64)
	if strings.Contains(v, ".") {
		v = strings.TrimRight(strings.TrimRight(v, "0"), ".")
	}
	return v + "%"
}
