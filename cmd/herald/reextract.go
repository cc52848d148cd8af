package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/extract"
	"github.com/herald-archive/herald/internal/harvest"
)

func newReextractCmd(e *env) *cobra.Command {
	var dryRun, asJSON bool
	var workers int
	cmd := &cobra.Command{
		Use:   "reextract [QUERY]",
		Short: "Rebuild archived articles from their stored captures with the current extractor",
		Long: `Reextract reads each matching article's raw response from its WARC capture
(no network), extracts it again with this version of Herald's extractor
and reports, article by article, which fields came out differently.

An article whose text changed is stored as a new version (the earlier one
is kept). A change of metadata alone (title, date, authors …) is written
into the stored record in place, with no new version. Articles without a capture (imported from JSON or text) are counted
and left alone. QUERY is a search query (see docs/search.md); without one,
every article is re-extracted.`,
		Example: `  herald reextract --dry-run
  herald reextract 'site:news.example.org after:2024-01-01'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			q, err := parseQueryArgs(args)
			if err != nil {
				return err
			}
			db, err := openArchive(ctx, e, false)
			if err != nil {
				return err
			}
			defer db.Close()
			out := bufio.NewWriter(e.stdout)
			defer out.Flush()
			enc := json.NewEncoder(out)
			report := func(c harvest.Change) {
				if asJSON {
					_ = enc.Encode(c) // a write error shows at Flush
					return
				}
				switch {
				case c.Problem != "":
					fmt.Fprintf(out, "%s  %s: %s\n", c.ID, stripControl(c.URL), oneLine(stripControl(c.Problem)))
				case c.Stored && slices.Contains(c.Fields, "text"):
					fmt.Fprintf(out, "%s  %s: %s (new version stored)\n", c.ID, stripControl(c.URL), strings.Join(c.Fields, ", "))
				case c.Stored:
					fmt.Fprintf(out, "%s  %s: %s (updated in place)\n", c.ID, stripControl(c.URL), strings.Join(c.Fields, ", "))
				default:
					fmt.Fprintf(out, "%s  %s: %s\n", c.ID, stripControl(c.URL), strings.Join(c.Fields, ", "))
				}
			}
			sum, err := harvest.Reextract(ctx, db, q, harvest.ReextractOptions{
				Base: filepath.Dir(archiveFiles(e.db)), DryRun: dryRun, Workers: workers, Report: report,
			})
			if sum != nil {
				if asJSON {
					_ = enc.Encode(sum)
				} else {
					verb := "stored as new versions"
					if dryRun {
						verb = "would be stored (dry run)"
					}
					fmt.Fprintf(out, "reextract (extractor %s): %d articles in %s: %d the same, %d changed (%d with new text %s, %d metadata only, %d updated in place); fields %s; problems %s\n",
						extract.Version, sum.Records, sum.Duration.Round(time.Millisecond), sum.Same, sum.Changed,
						reextractNewText(sum, dryRun), verb, sum.MetadataOnly, sum.Refreshed, harvestCounts(sum.Fields), harvestCounts(sum.Problems))
				}
			}
			if err != nil {
				return err
			}
			return out.Flush()
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "report what would change without storing anything")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print changes and the summary as JSON lines")
	cmd.Flags().IntVar(&workers, "workers", 0, "articles re-extracted at once (default: one per CPU)")
	return cmd
}

func reextractNewText(s *harvest.ReextractSummary, dryRun bool) int {
	if dryRun {
		return s.Fields["text"]
	}
	return s.Updated
}
