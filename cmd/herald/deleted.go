package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/export"
	"github.com/herald-archive/herald/internal/store"
)

// deletedTime is how herald deleted prints a deletion's time: UTC, to
// the millisecond, readable again by --since.
const deletedTime = "2006-01-02T15:04:05.000Z07:00"

func newDeletedCmd(e *env) *cobra.Command {
	var since string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "deleted --since WHEN",
		Short: "List the articles deleted since a time, for copies kept up to date by deltas",
		Long: `Deleted lists the articles the archive deleted (herald delete, the API's
DELETE /api/articles/{id}, the web form) at or after WHEN, oldest first,
one a line: the time (UTC, to the millisecond), the id and the canonical
URL; --json prints JSON lines ({"id", "canonical_url", "deleted"}).
An article archived again since it was deleted is not listed, and one
deleted twice is listed once, at its later time.

It is the other half of herald export --changed-since: a copy kept up to
date by deltas (a corpus, a search index, a mirror) drops the ids listed
here, after loading the delta of the same WHEN. WHEN is read as
--changed-since reads it: a time (2026-12-01T06:00:00Z), a day
(2026-12-01, from 00:00 UTC) or a time ago (90m, 36h, 7d), on the
archive's clock. The list ends by naming, on standard error, the --since
of the next one, a minute before this one started (a deletion whose
transaction was still open then comes again rather than never).

An archive made by this Herald has recorded every deletion. One made
before Herald's migration 0025 on SQLite, 0016 on PostgreSQL, records
them since that migration ran: deletions before then are not known, and
a WHEN before then is answered with a warning on standard error.`,
		Example: `  herald deleted --since 25h
  herald deleted --since 2026-12-07T18:29:15Z --json > deleted.jsonl`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			ctx := cmd.Context()
			if since == "" {
				return &exitError{code: 2, msg: "give --since WHEN: a time (2026-12-01T06:00:00Z), a day (2026-12-01) or a time ago (36h, 7d)"}
			}
			// Read again by the archive's clock once it is open.
			if _, err := export.ParseSince(since, time.Now()); err != nil {
				return &exitError{code: 2, msg: "--since " + err.Error()}
			}
			db, err := openArchive(ctx, e, false)
			if err != nil {
				return err
			}
			defer db.Close()
			ds, cs, err := deletionScanner(db)
			if err != nil {
				return err
			}
			start, err := cs.ChangeClock(ctx)
			if err != nil {
				return err
			}
			from, err := export.ParseSince(since, start)
			if err != nil {
				return &exitError{code: 2, msg: "--since " + err.Error()}
			}
			out := bufio.NewWriter(e.stdout)
			enc := json.NewEncoder(out)
			n := 0
			err = ds.ScanDeleted(ctx, from, func(d store.Deletion) error {
				n++
				if asJSON {
					return enc.Encode(d)
				}
				_, err := fmt.Fprintf(out, "%s  %s  %s\n", d.Deleted.UTC().Format(deletedTime), d.ID, stripControl(d.CanonicalURL))
				return err
			})
			if ferr := out.Flush(); err == nil {
				err = ferr
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "%s deleted since %s\n", spellCount(n, "article"), from.UTC().Format(deletedTime))
			if err := unrecorded(ctx, ds, from, e.stderr); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "next: --since %s\n", export.NextSince(start))
			return nil
		},
	}
	cmd.Flags().StringVar(&since, "since", "", "list the articles deleted at or after this time, day or time ago (2026-12-01T06:00:00Z, 2026-12-01, 36h, 7d)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON lines")
	return cmd
}

// deletionScanner is db as a store.DeletionScanner, with the clock its
// times are read on.
func deletionScanner(db store.Store) (store.DeletionScanner, store.ChangeScanner, error) {
	ds, ok := db.(store.DeletionScanner)
	cs, ok2 := db.(store.ChangeScanner)
	if !ok || !ok2 {
		return nil, nil, errors.New("this archive backend does not record the articles it deletes")
	}
	return ds, cs, nil
}

// unrecorded warns on w when since is before the archive began recording
// deletions: those before are not known.
func unrecorded(ctx context.Context, ds store.DeletionScanner, since time.Time, w io.Writer) error {
	from, err := ds.DeletionsFrom(ctx)
	if err != nil {
		return err
	}
	if since.Before(from) {
		fmt.Fprintf(w, "warning: articles deleted before %s, when this archive began recording deletions, are not known\n",
			from.UTC().Format(deletedTime))
	}
	return nil
}

// noteDeleted tells, after a delta (herald export --changed-since), how
// many articles were deleted since its start, which a copy the delta
// brings up to date must drop, and that those before the archive began
// recording deletions are not known. A failure to count is said, not
// fatal: the delta is written.
func noteDeleted(ctx context.Context, w io.Writer, ds store.DeletionScanner, since time.Time) {
	n := 0
	err := ds.ScanDeleted(ctx, since, func(store.Deletion) error {
		n++
		return nil
	})
	if err == nil {
		err = unrecorded(ctx, ds, since, w)
	}
	switch {
	case err != nil:
		fmt.Fprintf(w, "warning: cannot count the articles deleted since: %v\n", err)
	case n > 0:
		fmt.Fprintf(w, "%s deleted since: herald deleted --since %s lists them\n", spellCount(n, "article"), since.UTC().Format(deletedTime))
	}
}
