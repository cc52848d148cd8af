package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/store"
)

func newTimelineCmd(e *env) *cobra.Command {
	var (
		asJSON bool
		by     string
		split  string
	)
	cmd := &cobra.Command{
		Use:   "timeline [QUERY]",
		Short: "Count matching articles per day, week or month",
		Long: `Timeline charts attention over time: how many archived articles match
QUERY (all articles when it is empty) per day, week or month, optionally
split by site. On a terminal it prints a table with bars; --json prints
the buckets.`,
		Example: `  herald timeline 'flood barrier' --by week
  herald timeline 'election' --by month --split site --json`,
		Args: cobra.ArbitraryArgs, // the words of one query
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			q, err := parseQueryArgs(args)
			if err != nil {
				return err
			}
			opts := store.TimelineOptions{By: store.Interval(by)}
			switch opts.By {
			case store.Day, store.Week, store.Month:
			default:
				return fmt.Errorf("--by %q: want day, week or month", by)
			}
			switch split {
			case "":
			case "site":
				opts.Split = store.TopSite
			default:
				return fmt.Errorf("--split %q: only site is supported", split)
			}
			db, err := openArchive(ctx, e, false)
			if err != nil {
				return err
			}
			defer db.Close()
			buckets, err := db.Timeline(ctx, q, opts)
			if err != nil {
				return err
			}
			w := bufio.NewWriter(e.stdout)
			defer w.Flush()
			if asJSON {
				if buckets == nil {
					buckets = []store.Bucket{}
				}
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(buckets)
			}
			printTimeline(w, buckets, opts)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&asJSON, "json", false, "print the buckets as JSON")
	fl.StringVar(&by, "by", "day", "bucket size: day, week or month")
	fl.StringVar(&split, "split", "", "split counts by: site")
	queryFlagHint(cmd)
	return cmd
}

// printTimeline prints one line per bucket (and key, when split) with a
// bar scaled to the largest count.
func printTimeline(w *bufio.Writer, buckets []store.Bucket, opts store.TimelineOptions) {
	if len(buckets) == 0 {
		fmt.Fprintln(w, "No articles match.")
		return
	}
	layout := "2006-01-02"
	if opts.By == store.Month {
		layout = "2006-01"
	}
	maxCount, keyWidth, total := 0, 0, 0
	for _, b := range buckets {
		maxCount = max(maxCount, b.Count)
		keyWidth = max(keyWidth, len([]rune(b.Key)))
		total += b.Count
	}
	keyWidth = min(keyWidth, 32)
	sorted := append([]store.Bucket(nil), buckets...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Start.Before(sorted[j].Start) })
	const barWidth = 40
	for _, b := range sorted {
		bar := strings.Repeat("█", max(1, b.Count*barWidth/max(maxCount, 1)))
		if opts.Split != "" {
			key := []rune(oneLine(b.Key))
			if len(key) > keyWidth {
				key = key[:keyWidth]
			}
			fmt.Fprintf(w, "%s  %-*s %7d %s\n", b.Start.Format(layout), keyWidth, string(key), b.Count, bar)
		} else {
			fmt.Fprintf(w, "%s %7d %s\n", b.Start.Format(layout), b.Count, bar)
		}
	}
	fmt.Fprintf(w, "total %d articles\n", total)
}
