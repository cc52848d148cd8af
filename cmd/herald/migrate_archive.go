package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/archivecopy"
)

func newMigrateArchiveCmd(e *env) *cobra.Command {
	var from, to string
	var merge, asJSON bool
	cmd := &cobra.Command{
		Use:   "migrate-archive --from SRC --to DST",
		Short: "Copy a whole archive between SQLite and PostgreSQL, losslessly",
		Long: `Migrate-archive copies everything an archive holds into another: every
article with all its versions (in the order they were first stored), their
near-duplicate clusters and capture references, the sources with their ids
and validators, the fetch log, the frontier with each URL's state and
sitemap lastmod, and the ETag and Last-Modified kept for child sitemaps (so
the next poll asks for them conditionally, as it would have). SRC and DST are
archive locations: a SQLite file (PATH or sqlite:PATH) or a PostgreSQL
database (postgres://… or postgresql://…). The source is only read.

The destination must be empty (a new SQLite file, or a PostgreSQL schema
without articles, sources, fetches, frontier URLs or kept child-sitemap
validators) unless --merge is given. The deletions the source recorded
(herald deleted) are copied, and a new destination says it knows
deletions from when the source began recording them. Merging is idempotent: articles the destination holds with the same
versions are skipped, ones holding the first of the source's versions get
the rest, and ones whose history differs are left alone and reported as
conflicts (exit status 1); nothing in the destination is overwritten. Run
the same command with --merge to finish an interrupted copy.

WARC captures are files beside the archive; copy them yourself (capture
references are relative to the archive's folder).`,
		Example: `  herald migrate-archive --from herald.db --to postgres://herald@db.example/herald
  herald migrate-archive --from postgres://herald@db.example/herald --to sqlite:copy.db`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				dst := "DST"
				if len(args) > 1 {
					dst = args[1]
				}
				return fmt.Errorf("migrate-archive names its archives with flags: herald migrate-archive --from %s --to %s", args[0], dst)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if from == "" || to == "" {
				return errors.New("give both --from SRC and --to DST")
			}
			if sameLocation(from, to) {
				return errors.New("--from and --to name the same archive")
			}
			src, err := openLocation(ctx, from, false)
			if err != nil {
				return fmt.Errorf("source: %w", err)
			}
			defer src.Close()
			dst, err := openLocation(ctx, to, true)
			if err != nil {
				return fmt.Errorf("destination: %w", err)
			}
			defer dst.Close()
			sum, err := archivecopy.Copy(ctx, src, dst, archivecopy.Options{
				Merge: merge,
				Progress: func(n int) {
					if !asJSON && isTerminal(e.stderr) {
						fmt.Fprintf(e.stderr, "\r%d articles", n)
					}
				},
			})
			if !asJSON && isTerminal(e.stderr) {
				fmt.Fprintln(e.stderr)
			}
			if errors.Is(err, archivecopy.ErrNotEmpty) {
				return fmt.Errorf("%s is not empty: give --merge to add to it", archiveName(to))
			}
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				if err := enc.Encode(sum); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(e.stdout, "%s → %s: %d articles (%d versions) copied, %d already there, %d conflicts; %d sources, %d fetches, %d frontier URLs, %d sitemap validators, %d withheld, %d deletions\n",
					archiveName(from), archiveName(to), sum.Articles, sum.Versions, sum.Skipped, sum.Conflicts,
					sum.Sources, sum.Fetches, sum.Frontier, sum.Validators, sum.Withheld, sum.Deletions)
			}
			if sum.Conflicts > 0 {
				return &exitError{code: 1, msg: fmt.Sprintf("%d articles differ in the destination and were left alone: %s",
					sum.Conflicts, strings.Join(sum.ConflictIDs, ", "))}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&from, "from", "", "archive to copy: PATH, sqlite:PATH or postgres://…")
	fl.StringVar(&to, "to", "", "archive to copy into (created if it is a new SQLite file)")
	fl.BoolVar(&merge, "merge", false, "allow a destination that holds data: add what is missing, idempotently")
	fl.BoolVar(&asJSON, "json", false, "print the summary as JSON")
	return cmd
}

// sameLocation reports whether two locations obviously name one archive.
func sameLocation(a, b string) bool {
	if isPostgres(a) || isPostgres(b) {
		return a == b
	}
	return sqlitePath(a) == sqlitePath(b)
}
