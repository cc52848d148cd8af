package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newStatsCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Show what the archive holds",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := openArchive(ctx, e, false)
			if err != nil {
				return err
			}
			defer db.Close()
			st, err := db.Stats(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "archive\t%s\n", archiveName(e.db))
			fmt.Fprintf(tw, "articles\t%d\n", st.Articles)
			fmt.Fprintf(tw, "earlier versions\t%d\n", st.Versions)
			fmt.Fprintf(tw, "duplicate clusters\t%d (%d articles are copies of another)\n", st.Clusters, st.Duplicates)
			fmt.Fprintf(tw, "sites\t%d\n", st.Sites)
			fmt.Fprintf(tw, "sources\t%d\n", st.Sources)
			if st.Withheld > 0 {
				fmt.Fprintf(tw, "withheld\t%d (kept out: herald withheld list)\n", st.Withheld)
			}
			if !st.Oldest.IsZero() {
				fmt.Fprintf(tw, "dates\t%s to %s\n", st.Oldest.Format("2006-01-02"), st.Newest.Format("2006-01-02"))
			}
			fmt.Fprintf(tw, "text\t%s\n", humanBytes(float64(st.TextBytes)))
			fmt.Fprintf(tw, "archive size\t%s\n", humanBytes(float64(st.Bytes)))
			if m, ok := db.(indexMerger); ok {
				n, err := m.IndexSegments(ctx)
				if err != nil {
					return err
				}
				switch {
				case n == 1:
					fmt.Fprintf(tw, "full-text index\tone segment\n")
				case n > 1:
					fmt.Fprintf(tw, "full-text index\t%d segments (herald optimize merges them into one)\n", n)
				}
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
