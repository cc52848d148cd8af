package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
)

func newOptimizeCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "optimize",
		Short: "Reorganise the archive's indexes for the fastest searches",
		Long: `Optimize reorganises the archive's indexes for searching.

On SQLite it merges the full-text index into one segment. Each write
transaction adds a segment; herald import and herald harvest merge the
small ones as they go, but a search still looks in every segment: words
with selective filters (site:, after:, before:) took half as long again
on two segments as on one (44 against 30 ms at the median, on a million
articles). The merge rewrites the index: about 35 s per million articles
on two cores. It runs in short steps, so a herald serve or herald
harvest writing to the same archive waits a few seconds at most;
interrupting it (Ctrl-C) leaves the index whole, and running it again
finishes the job.

It also deletes the near-duplicate (LSH band) rows of deleted articles
that herald delete left behind before December 2026 (it deletes them with
the article now) and says how many; they took space and nothing else. It
walks every band row, about a minute per million articles.

It ends by handing the file's free pages (left by merges and rewritten
articles) back to the system, and says how much it released. An archive
made before Herald did that (auto_vacuum off) keeps its free pages for
later writes: optimize says how much stays, and herald migrate-archive
--from old.db --to new.db writes a compact copy that releases them.

On PostgreSQL it vacuums and analyses the article tables.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := openArchive(ctx, e, false)
			if err != nil {
				return err
			}
			defer db.Close()
			start, name := time.Now(), archiveName(e.db)
			switch db := db.(type) {
			case indexMerger:
				if sw, ok := db.(bandSweeper); ok {
					// First, so that the pages it frees are released below.
					dropped, err := sw.DropDeletedBands(ctx)
					if err != nil {
						if ctx.Err() != nil {
							return &exitError{code: 130, msg: "interrupted; herald optimize run again finishes the job"}
						}
						return err
					}
					if dropped > 0 {
						fmt.Fprintf(e.stdout, "%s: dropped %s of deleted articles\n", name, spellCount(int(dropped), "LSH band row"))
					}
				}
				before, err := db.IndexSegments(ctx)
				if err != nil {
					return err
				}
				space, hasSpace := db.(fileSpacer)
				var s0 sqlite.FileSpace
				if hasSpace {
					if s0, err = space.FileSpace(ctx); err != nil {
						return err
					}
				}
				if err := db.MergeIndex(ctx); err != nil {
					if ctx.Err() != nil {
						return &exitError{code: 130, msg: "interrupted; the index is whole, and herald optimize run again finishes the merge"}
					}
					return err
				}
				after, err := db.IndexSegments(ctx)
				if err != nil {
					return err
				}
				msg := "the full-text index is in one piece already"
				if before > 1 {
					msg = fmt.Sprintf("full-text index merged from %d segments into %d (%s)", before, after, time.Since(start).Round(100*time.Millisecond))
				}
				if !hasSpace {
					fmt.Fprintf(e.stdout, "%s: %s\n", name, msg)
					return nil
				}
				s1, err := space.FileSpace(ctx)
				if err != nil {
					return err
				}
				switch released := (s0.Pages - s1.Pages) * s1.PageSize; {
				case released > 0:
					msg += fmt.Sprintf("; released %s of free pages, the file is now %s", harvestBytes(released), harvestBytes(s1.Pages*s1.PageSize))
				case before <= 1 && s1.FreePages == 0:
					msg += " and the file has no free pages: nothing to do"
				case before <= 1:
					msg += "; nothing to merge"
				}
				fmt.Fprintf(e.stdout, "%s: %s\n", name, msg)
				if !s1.Releasing && s1.FreePages > 0 {
					ext := filepath.Ext(name)
					fmt.Fprintf(e.stdout, "%s: %s of free pages stay in the file, which was made before Herald archives released free pages (auto_vacuum off); only a rewrite can release them.\n"+
						"  herald migrate-archive --from %s --to %s writes a compact copy, which releases them as new archives do; use it in place of this one.\n",
						name, harvestBytes(s1.FreePages*s1.PageSize), name, strings.TrimSuffix(name, ext)+"-compact"+ext)
				}
			case store.Optimizer:
				if err := db.Optimize(ctx); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s: optimized (%s)\n", name, time.Since(start).Round(100*time.Millisecond))
			default:
				return fmt.Errorf("%s: this archive backend has nothing to optimize", name)
			}
			return nil
		},
	}
}

// indexMerger is an archive whose full-text index is a set of segments
// that it can merge into one in short steps (SQLite): herald optimize,
// herald stats and herald serve's idle merges use it.
type indexMerger interface {
	IndexSegments(ctx context.Context) (int, error)
	MergeIndex(ctx context.Context) error
}

// bandSweeper is an archive that can delete the near-duplicate band rows
// of deleted articles left behind by an earlier Herald (SQLite).
type bandSweeper interface {
	DropDeletedBands(ctx context.Context) (int64, error)
}

// fileSpacer is an archive in one file with free pages (SQLite): herald
// optimize says how much it released, or that an archive made before
// free pages were released keeps them.
type fileSpacer interface {
	FileSpace(ctx context.Context) (sqlite.FileSpace, error)
}
