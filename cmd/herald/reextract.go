package main

import (
	"fmt"
	"io"
	"path/filepath"
	"regexp"
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
	var batch batchFlag
	cmd := &cobra.Command{
		Use:   "reextract [QUERY]",
		Short: "Rebuild archived articles from their stored captures with the current extractor",
		Long: `Reextract reads each matching article's raw response from its WARC capture
(no network), extracts it again with this version of Herald's extractor
and reports, article by article, which fields came out differently.

An article whose text changed is stored as a new version (the earlier one
is kept). A change of metadata alone (title, date, authors …) is written
into the stored record in place, with no new version. Articles without a
capture (imported from JSON or text, or from a WARC file gzipped as one
stream) are counted and left alone. QUERY is a search query (see
docs/search.md); without one, every article is re-extracted.

An article that has a capture but cannot be rebuilt from it (its WARC file
moved or deleted, the record damaged) is reported with the file and the
reason, the first few one by one and the rest counted by problem; the
others are still re-extracted, and the exit status is then 1. So is one
whose WARC file holds another record at the capture's offset ("capture
not in this archive": its record id, or without one its URL, is not
there), as for records imported from another archive's JSON lines whose
WARC files were not copied along (see docs/export.md); it is never
rebuilt from what is there.

An article whose capture today's rules would not archive is listed and
counted, and kept as it is stored: nothing archived is removed, or called
a failure, on that judgement (the exit status stays 0). That is a capture
now judged a "soft 404" (a page answered with 200 that only says it is
not there, which a harvest or an import skips: stored by a Herald
without that rule), or now judged not an article (a section or listing
page, or a short text on a URL not shaped like an article's that no
feed or news sitemap listed, by this version of the extractor). The list (or --json's "soft_404" and
"not_article" lines) names the articles to look at; herald delete --id ID
removes one that is indeed not worth keeping.

An article deleted (herald delete) while reextract runs, after it was
read and before its new extraction is stored, is not stored again: it is
listed as "deleted meanwhile, skipped" and counted. One that a harvest
or an import stored a newer version of meanwhile is left as it is, the
same way. Neither changes the exit status.`,
		Example: `  herald reextract --dry-run
  herald reextract 'site:news.example.org after:2024-01-01'`,
		Args: cobra.ArbitraryArgs, // the words of one query
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			ctx := cmd.Context()
			if err := workersFlag(workers); err != nil {
				return err
			}
			q, size, db, err := openBatchJob(cmd, e, args, &batch, reextractBatch)
			if err != nil {
				return err
			}
			defer db.Close()
			out := newLineOutput(e.stdout, asJSON)
			defer out.finish(&err)
			failed, listed := 0, 0
			held := map[string]int{} // problems past the listed ones, by problemGroup
			report := func(c harvest.Change) {
				if c.Problem != "" && c.Problem != harvest.ProblemNoCapture {
					failed++
				}
				out.put(c, func(w io.Writer) {
					switch {
					case c.Soft404:
						fmt.Fprintf(w, "%s  %s: %s (kept as stored)\n", c.ID, stripControl(c.URL), harvest.ReasonSoft404)
					case c.NotArticle:
						fmt.Fprintf(w, "%s  %s: not an article now (kept as stored)\n", c.ID, stripControl(c.URL))
					case c.Gone:
						fmt.Fprintf(w, "%s  %s: deleted meanwhile, skipped\n", c.ID, stripControl(c.URL))
					case c.Superseded:
						fmt.Fprintf(w, "%s  %s: a newer version stored meanwhile, skipped\n", c.ID, stripControl(c.URL))
					case c.Problem != "" && listed >= listedProblems:
						held[problemGroup(c.Problem)]++
					case c.Problem != "":
						listed++
						fmt.Fprintf(w, "%s  %s: %s\n", c.ID, stripControl(c.URL), oneLine(stripControl(c.Problem)))
					case c.Stored && slices.Contains(c.Fields, "text"):
						fmt.Fprintf(w, "%s  %s: %s (new version stored)\n", c.ID, stripControl(c.URL), strings.Join(c.Fields, ", "))
					case c.Stored:
						fmt.Fprintf(w, "%s  %s: %s (updated in place)\n", c.ID, stripControl(c.URL), strings.Join(c.Fields, ", "))
					default:
						fmt.Fprintf(w, "%s  %s: %s\n", c.ID, stripControl(c.URL), strings.Join(c.Fields, ", "))
					}
				})
			}
			sum, err := harvest.Reextract(ctx, db, q, harvest.ReextractOptions{
				Base: filepath.Dir(archiveFiles(e.db)), DryRun: dryRun, Workers: workers, BatchSize: size, Report: report,
			})
			if len(held) > 0 {
				printHeldProblems(out.w, held)
			}
			if sum != nil {
				out.put(sum, func(w io.Writer) {
					verb := "stored as new versions"
					if dryRun {
						verb = "would be stored (dry run)"
					}
					fmt.Fprintf(w, "reextract (extractor %s): %s in %s: %d the same, %d changed (%d with new text %s, %d metadata only, %d updated in place); fields %s; problems %s",
						extract.Version, spellCount(sum.Records, "article"), time.Duration(sum.Duration).Round(time.Millisecond), sum.Same, sum.Changed,
						reextractNewText(sum, dryRun), verb, sum.MetadataOnly, sum.Refreshed, harvestCounts(sum.Fields), harvestCounts(sum.Problems))
					if sum.Soft404 > 0 {
						fmt.Fprintf(w, "; %d judged a soft 404 now, kept as stored", sum.Soft404)
					}
					if sum.NotArticle > 0 {
						fmt.Fprintf(w, "; %d judged not an article now, kept as stored", sum.NotArticle)
					}
					if sum.Gone > 0 {
						fmt.Fprintf(w, "; %d deleted meanwhile, skipped", sum.Gone)
					}
					if sum.Superseded > 0 {
						fmt.Fprintf(w, "; %d with a newer version stored meanwhile, skipped", sum.Superseded)
					}
					fmt.Fprintln(w)
				})
			}
			if err != nil {
				return err
			}
			// Written before the failures' exit status: its message says
			// "see above".
			if err := out.flush(); err != nil {
				return err
			}
			if failed > 0 {
				return &exitError{code: 1, msg: fmt.Sprintf("%s could not be re-extracted (see above)", spellCount(failed, "article"))}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "report what would change without storing anything")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print changes and the summary as JSON lines")
	cmd.Flags().IntVar(&workers, "workers", 0, fmt.Sprintf("articles re-extracted at once, 1 to %d (default: one per CPU)", maxWorkers))
	cmd.Flags().IntVar(&batch.n, "batch", 0, fmt.Sprintf(batchUsage, fmt.Sprint(reextractBatch)))
	queryFlagHint(cmd)
	return cmd
}

// reextractBatch is how many articles one transaction of herald reextract
// stores unless --batch says otherwise (harvest.Reextract's default).
const reextractBatch = 500

func reextractNewText(s *harvest.ReextractSummary, dryRun bool) int {
	if dryRun {
		return s.Fields["text"]
	}
	return s.Updated
}

// listedProblems is how many articles that could not be re-extracted are
// listed one by one; past it they are counted by problem. A moved WARC
// folder makes every article of the archive fail the same way, and a
// million identical lines would hide the one that differs.
const listedProblems = 20

// recordOffset matches what tells the articles of one WARC file apart in
// a problem: the offset after the path ("read warc record F@1234: …")
// and a damaged record's own ("warc record at offset 1234: …").
var recordOffset = regexp.MustCompile(`@[0-9]+:|warc record at offset [0-9]+: `)

// problemGroup is what problems are counted by past listedProblems: the
// problem without the record's offset, so that the articles of a missing
// or damaged file count together under its name and the reason.
func problemGroup(p string) string {
	if strings.HasPrefix(p, harvest.ProblemNotHere+": ") {
		// Another record at the capture's offset: the ids differ each time.
		return harvest.ProblemNotHere + ": another record at the stored offset (a reference from another archive, or the file was replaced)"
	}
	return recordOffset.ReplaceAllStringFunc(p, func(m string) string {
		if m[0] == '@' {
			return ":"
		}
		return ""
	})
}

// printHeldProblems prints the counts of the problems not listed one by
// one, most frequent first (at most listedProblems kinds).
func printHeldProblems(w io.Writer, held map[string]int) {
	total := 0
	keys := make([]string, 0, len(held))
	for k, n := range held {
		keys = append(keys, k)
		total += n
	}
	slices.SortFunc(keys, func(a, b string) int {
		if held[a] != held[b] {
			return held[b] - held[a]
		}
		return strings.Compare(a, b)
	})
	fmt.Fprintf(w, "… and %s more, counted by problem:\n", spellCount(total, "article"))
	for i, k := range keys {
		if i == listedProblems {
			rest := 0
			for _, k := range keys[i:] {
				rest += held[k]
			}
			fmt.Fprintf(w, "%8d  with %d other problems\n", rest, len(keys)-i)
			break
		}
		fmt.Fprintf(w, "%8d  %s\n", held[k], oneLine(stripControl(k)))
	}
}

// maxWorkers bounds --workers of herald reextract and herald import
// warc. Extraction is CPU work: past the machine's cores more workers only
// hold more pages in memory at once, and a mistyped 100000 started as
// many goroutines, each with its extractor, before reading a record.
const maxWorkers = 1024

// workersFlag checks a --workers value: 0 (one per CPU) or 1 to
// maxWorkers.
func workersFlag(n int) error {
	if n < 0 || n > maxWorkers {
		return fmt.Errorf("--workers %d: want 1 to %d (0, the default: one per CPU)", n, maxWorkers)
	}
	return nil
}
