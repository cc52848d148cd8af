package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/archive"
)

func newReclusterCmd(e *env) *cobra.Command {
	var dryRun, asJSON bool
	var batch batchFlag
	cmd := &cobra.Command{
		Use:   "recluster [QUERY]",
		Short: "Join archived articles that are alone to the clusters today's duplicate rules put them in",
		Long: `Recluster runs the near-duplicate decision of import and harvest again for
the matching articles (every article without QUERY) that are alone in
their cluster, and moves each into the cluster it would join if it were
archived now: a copy of the same text, a near duplicate (Jaccard of word
shingles at least 0.8), an article it names as its original or that
names it as theirs, or a copy of the same original. Clusters of more
than one article are left as they are: recluster joins, it never splits,
and it never merges two clusters of several articles that today's rules
would have made one (a lone article that matches both joins one): a
merge would change the cluster, and the story links, of articles already
listed, and chains of near duplicates could run many stories into one.

Archives made before a change of these rules keep their old clusters
until it runs: copies that name an original join it since December 2026,
and word-for-word Chinese and Japanese copies, which older versions did
not compare, join too. (Near duplicates among such older Chinese and
Japanese articles are not found: the archive holds none of the
fingerprints that would find them; importing them again does.) Each
joined article is listed (id, URL, the cluster joined);
--dry-run lists them without storing anything. Running it again finds
nothing more to join. It reads every matching article's text and looks
up its near-duplicate candidates, as an import does: 100,000 articles
took a minute on two busy cores. An article deleted (herald delete)
while it runs is skipped and counted ("deleted meanwhile").`,
		Example: `  herald recluster --dry-run
  herald recluster 'after:2024-01-01'`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			ctx := cmd.Context()
			q, size, db, err := openBatchJob(cmd, e, args, &batch, reextractBatch)
			if err != nil {
				return err
			}
			defer db.Close()
			out := newLineOutput(e.stdout, asJSON)
			defer out.finish(&err)
			report := func(j archive.Joined) {
				out.put(j, func(w io.Writer) {
					fmt.Fprintf(w, "%s  %s: joins cluster %s\n", j.ID, stripControl(j.URL), j.Cluster)
				})
			}
			sum, err := archive.Recluster(ctx, db, q, archive.ReclusterOptions{DryRun: dryRun, BatchSize: size, Report: report})
			if sum != nil {
				out.put(sum, func(w io.Writer) {
					verb := "joined"
					if dryRun {
						verb = "would join (dry run)"
					}
					fmt.Fprintf(w, "recluster: %s in %s, %d alone in their cluster, %d %s another cluster",
						spellCount(sum.Articles, "article"), time.Duration(sum.Duration).Round(time.Millisecond), sum.Alone, sum.Joined, verb)
					if sum.Gone > 0 {
						fmt.Fprintf(w, "; %d deleted meanwhile, skipped", sum.Gone)
					}
					fmt.Fprintln(w)
				})
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "list what would join a cluster without storing anything")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print each joined article and the summary as JSON lines")
	cmd.Flags().IntVar(&batch.n, "batch", 0, fmt.Sprintf(batchUsage, fmt.Sprint(reextractBatch)))
	queryFlagHint(cmd)
	return cmd
}
