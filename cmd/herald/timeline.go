package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/export"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/web"
)

func newTimelineCmd(e *env) *cobra.Command {
	var (
		asJSON, asCSV, share, collapse bool
		by, split                      string
		compare                        []string
	)
	cmd := &cobra.Command{
		Use:   "timeline [QUERY]",
		Short: "Count matching articles per day, week or month",
		Long: `Timeline charts attention over time: how many archived articles match
QUERY (all articles when it is empty) per day, week or month, optionally
split by site. On a terminal it prints a table with bars; --json prints
what GET /api/timeline returns, --csv the buckets as CSV for a
spreadsheet (columns start,key,count,of,share).

--share also gives each count as a share of the archive's articles in
the same period (of the same site, when split by site) that the query's
filters select: its words choose what is counted, its filters (site:,
lang:, after:, before:, tag:…) among which articles, so the share of
'flood site:a.example' is of a.example's articles and one without
filters is of all articles. Raw counts rise and fall with how much was
archived, shares do not. --compare
counts other queries beside QUERY (give it once per query, up to 7),
each row labelled with its query; a comparison cannot also be split by
site (put site: in each query instead). --collapse counts stories rather
than articles: a syndicated story on fifty sites counts once, in the
period of its earliest matching copy (split by site, once per site),
and shares are then of all stories.`,
		Example: `  herald timeline 'flood barrier' --by week
  herald timeline 'election' --by month --split site --json
  herald timeline 'flood' --compare 'drought' --compare 'wildfire' --by month --share`,
		Args: cobra.ArbitraryArgs, // the words of one query
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			ctx := cmd.Context()
			if asJSON && asCSV {
				return fmt.Errorf("--json and --csv: choose one")
			}
			q, err := parseQueryArgs(args)
			if err != nil {
				return err
			}
			queries := []web.TimelineQuery{{Raw: strings.Join(args, " "), Q: q}}
			for _, c := range compare {
				cq, err := store.ParseQuery(c)
				if err != nil {
					err = queryError(c, err)
					if ee, ok := err.(*exitError); ok { // say which query
						ee.msg = "--compare: " + ee.msg
					}
					return err
				}
				queries = append(queries, web.TimelineQuery{Raw: c, Q: cq})
			}
			if queries, err = web.CompareQueries(queries); err != nil {
				return fmt.Errorf("--compare: %w", err)
			}
			if by, err = choice("--by", by, string(store.Day), string(store.Week), string(store.Month)); err != nil {
				return err
			}
			opts := store.TimelineOptions{By: store.Interval(by), Collapse: collapse}
			if split != "" {
				if _, err := choice("--split", split, string(store.TopSite)); err != nil {
					return err
				}
				opts.Split = store.TopSite
			}
			if len(queries) > 1 && opts.Split != "" {
				return fmt.Errorf("--compare and --split site cannot be combined: add site: to each query to compare one site's coverage")
			}
			db, err := openArchive(ctx, e, false)
			if err != nil {
				return err
			}
			defer db.Close()
			res, err := web.NewTimelineResponse(ctx, db, queries, opts, share)
			if err != nil {
				return err
			}
			w := bufio.NewWriter(e.stdout)
			defer flushOut(w, &err)
			if asCSV {
				return export.WriteTimelineCSV(w, res.Buckets, res.Share)
			}
			if asJSON {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			printTimeline(w, res)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&asJSON, "json", false, "print the buckets as JSON (as GET /api/timeline)")
	fl.BoolVar(&asCSV, "csv", false, "print the buckets as CSV: start,key,count,of,share (docs/export.md)")
	fl.StringVar(&by, "by", "day", "bucket size: day, week or month")
	fl.StringVar(&split, "split", "", "split counts by: site")
	fl.BoolVar(&share, "share", false, "also give each count as a share of the articles in its period (and site) that the query's filters select")
	fl.StringArrayVar(&compare, "compare", nil, "another query to count beside QUERY (repeatable)")
	fl.BoolVar(&collapse, "collapse", false, "count stories: each near-duplicate cluster once, at its earliest matching article")
	queryFlagHint(cmd)
	return cmd
}

// printTimeline prints one line per bucket (and key, when split or
// comparing) with a bar scaled to the largest count, or to the largest
// share with --share.
func printTimeline(w *bufio.Writer, res web.TimelineResponse) {
	buckets := res.Buckets
	if len(buckets) == 0 {
		fmt.Fprintln(w, "No articles match.")
		return
	}
	layout := "2006-01-02"
	if res.By == store.Month {
		layout = "2006-01"
	}
	maxCount, maxShare, keyWidth := 0, 0.0, 0
	totals := map[string]int{}
	var keys []string
	for _, b := range buckets {
		maxCount = max(maxCount, b.Count)
		maxShare = max(maxShare, b.Share)
		keyWidth = max(keyWidth, len([]rune(oneLine(b.Key))))
		if _, ok := totals[b.Key]; !ok {
			keys = append(keys, b.Key)
		}
		totals[b.Key] += b.Count
	}
	keyWidth = min(keyWidth, 32)
	sorted := append([]store.Bucket(nil), buckets...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Start.Before(sorted[j].Start) })
	const barWidth = 40
	for _, b := range sorted {
		// Any match shows a bar of at least one block; none shows none.
		n := max(1, b.Count*barWidth/max(maxCount, 1))
		if res.Share {
			n = max(1, int(b.Share/max(maxShare, 1e-12)*barWidth))
		}
		if b.Count == 0 {
			n = 0
		}
		bar := strings.Repeat("█", n)
		fmt.Fprint(w, b.Start.Format(layout))
		if res.Split != "" {
			key := []rune(oneLine(b.Key))
			if len(key) > keyWidth {
				key = key[:keyWidth]
			}
			fmt.Fprintf(w, "  %-*s", keyWidth, string(key))
		}
		fmt.Fprintf(w, " %7d", b.Count)
		if res.Share {
			fmt.Fprintf(w, " %7s of %-7d", percent(b.Share), b.Of)
		}
		if bar != "" {
			fmt.Fprint(w, " ", bar)
		}
		fmt.Fprintln(w)
	}
	unit := "articles"
	if res.Collapse {
		unit = "stories" // each near-duplicate cluster once
	}
	if res.Split == "query" {
		// Every query compared, in the order given: one that matches
		// nothing has no bucket, but a total of 0 all the same.
		names := append([]string{res.Query}, res.Compare...)
		for _, k := range keys {
			if !slices.Contains(names, k) {
				names = append(names, k)
			}
		}
		for _, k := range names {
			fmt.Fprintf(w, "total %d %s: %s\n", totals[k], unit, oneLine(k))
		}
		return
	}
	fmt.Fprintf(w, "total %d %s\n", res.Total, unit)
}

// percent formats a share with two significant decimals for small ones.
func percent(share float64) string {
	p := 100 * share
	switch {
	case p == 0 || p >= 10:
		return fmt.Sprintf("%.1f%%", p)
	case p >= 0.1:
		return fmt.Sprintf("%.2f%%", p)
	}
	return fmt.Sprintf("%.3f%%", p)
}
