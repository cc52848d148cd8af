package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
)

// checkStep is the outcome of one of herald check's checks.
type checkStep struct {
	// Checked is false when the check could not run; NotChecked says why.
	Checked    bool     `json:"checked"`
	NotChecked string   `json:"not_checked,omitempty"`
	Problems   []string `json:"problems,omitempty"`
}

// checkReport is herald check's result, as --json prints it.
type checkReport struct {
	Archive  string                `json:"archive"`
	Storage  *checkStep            `json:"storage,omitempty"`
	Index    *checkStep            `json:"index,omitempty"`
	Captures *archive.CaptureCheck `json:"captures,omitempty"`
	Problems int                   `json:"problems"`
}

func newCheckCmd(e *env) *cobra.Command {
	var storage, index, fixity, asJSON bool
	var captures string
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Verify the archive: its database, its full-text index and the fixity of its raw captures",
		Long: `Check verifies that the archive is whole, as an archivist's fixity check
does, and lists every problem it finds:

  --storage   the database's own structure (SQLite: PRAGMA quick_check,
              every page and record; a PostgreSQL server checks its own);
  --index     the full-text index against the texts it indexes (SQLite:
              FTS5's integrity-check, which reads and tokenizes every text
              again). It holds the archive's write lock while it runs (a
              minute or two on a million articles): it is not run while a
              harvest is, and a harvest is refused while it runs; an
              import or a change through herald serve waits 10 s for it,
              then fails, naming the check, with nothing written. On an
              archive this process may not write (read-only media, or
              someone else's), it checks a copy of the index, made in a
              temporary file (about the index's size, in $TMPDIR); it
              takes no lock, so it may run while a harvest or an import
              stores articles, and checks the archive as it was when
              the check began;
  --fixity    the raw captures: for every article and earlier version that
              has one, its WARC file is there, a record starts at its
              offset with its record id (for a reference without one,
              for the article's URL; another record there is "capture
              not in this archive"), and every record of the file is
              whole and matches its WARC-Block-Digest (a download by
              herald import warc URL that stopped is read from its
              NAME.part, and is a problem of its own); where the
              reference says where the capture's redirect chain starts,
              a record starts there and the records up to the response
              are whole requests and responses, not erased (each one
              that is not a problem of the article's, or, when its
              capture is itself missing or damaged, a damaged record
              of its own). Relative file names
              are taken from --captures, by default the archive's folder
              (the working folder for PostgreSQL), as harvests write them.

Without any of these flags it runs all three. The exit status is 0 when
everything checked is sound, 1 when a problem was found or a check could
not run (each is said).`,
		Example: `  herald check
  herald check --fixity --json > fixity.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			ctx := cmd.Context()
			if !storage && !index && !fixity {
				storage, index, fixity = true, true, true
			}
			if captures != "" && !fixity {
				return &exitError{code: 2, msg: "--captures goes with --fixity"}
			}
			if err := folderFlag("--captures", captures, true); err != nil {
				return &exitError{code: 2, msg: err.Error()}
			}
			if captures == "" {
				captures = filepath.Dir(archiveFiles(e.db))
			}
			db, err := openArchive(ctx, e, false)
			if err != nil {
				return err
			}
			defer db.Close()
			out := bufio.NewWriter(e.stdout)
			defer flushOut(out, &err)
			rep := &checkReport{Archive: archiveName(e.db)}
			say := func(format string, a ...any) {
				if !asJSON {
					fmt.Fprintf(out, format, a...)
					out.Flush() // each check's line as soon as it is known
				}
			}
			say("archive          %s\n", rep.Archive)
			checker, canCheck := db.(store.Checker)
			// PostgreSQL's server checks its own pages and indexes.
			if storage && !canCheck {
				say("storage          left to the database server (pg_amcheck)\n")
			}
			if index && !canCheck {
				say("full-text index  left to the database server (pg_amcheck)\n")
			}
			if storage && canCheck {
				rep.Storage = runCheck(func() ([]string, error) { return checker.CheckStorage(ctx) })
				say("storage          %s\n", rep.Storage.line("sound"))
			}
			if index && canCheck {
				rep.Index = runCheck(func() ([]string, error) { return checkIndexLocked(ctx, db, checker) })
				say("full-text index  %s\n", rep.Index.line("matches the texts"))
			}
			if fixity {
				c, err := archive.CheckCaptures(ctx, db, captures)
				if err != nil {
					return err
				}
				rep.Captures = c
				state := "sound"
				if len(c.Problems) > 0 {
					state = spellCount(len(c.Problems), "problem")
				}
				say("captures         %s: %s in %s, %s and their digests verified; %s without one\n",
					state, spellCount(c.Captures, "capture"), spellCount(c.Files, "WARC file"), spellCount(c.Records, "record"), spellCount(c.WithoutCapture, "article"))
			}

			var problems []string
			skipped := 0
			for _, step := range []struct {
				name string
				s    *checkStep
			}{{"storage", rep.Storage}, {"index", rep.Index}} {
				switch {
				case step.s == nil:
				case !step.s.Checked:
					skipped++
				default:
					for _, p := range step.s.Problems {
						problems = append(problems, step.name+": "+p)
					}
				}
			}
			if rep.Captures != nil {
				for _, p := range rep.Captures.Problems {
					if p.Incomplete {
						problems = append(problems, fmt.Sprintf("capture %s: %s", stripControl(p.File), stripControl(p.Problem)))
						continue
					}
					who := "a record no article names"
					if p.ID != "" {
						who = "article " + p.ID
						if p.Version > 0 {
							who += fmt.Sprintf(" (version %d)", p.Version)
						}
					}
					problems = append(problems, fmt.Sprintf("capture %s@%d, %s: %s", stripControl(p.File), p.Offset, who, p.Problem))
				}
			}
			rep.Problems = len(problems)
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				for _, p := range problems {
					fmt.Fprintf(out, "  %s\n", p)
				}
			}
			switch {
			case rep.Problems > 0:
				return &exitError{code: 1, msg: spellCount(rep.Problems, "problem") + " found"}
			case skipped == 1:
				return &exitError{code: 1, msg: "a check could not run (see above)"}
			case skipped > 1:
				return &exitError{code: 1, msg: "two checks could not run (see above)"}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&storage, "storage", false, "check the database's structure")
	cmd.Flags().BoolVar(&index, "index", false, "check the full-text index against the texts")
	cmd.Flags().BoolVar(&fixity, "fixity", false, "check the raw captures' files, offsets, record ids and digests")
	cmd.Flags().StringVar(&captures, "captures", "", capturesUsage)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

// runCheck runs one check; an error means it could not run.
func runCheck(check func() ([]string, error)) *checkStep {
	problems, err := check()
	if err != nil {
		return &checkStep{NotChecked: err.Error()}
	}
	return &checkStep{Checked: true, Problems: problems}
}

// line is a check's outcome in a word or two.
func (s *checkStep) line(sound string) string {
	switch {
	case !s.Checked:
		return "not checked: " + s.NotChecked
	case len(s.Problems) == 0:
		return sound
	default:
		return spellCount(len(s.Problems), "problem")
	}
}

// checkIndexLocked checks the full-text index with the archive's harvest
// lock held, so that no harvest starts while the check holds the write
// lock, and refuses while one runs. On an archive opened read-only whose
// lock file this process cannot open, there is no lock to take: the
// check then reads one snapshot of the archive and writers go on.
func checkIndexLocked(ctx context.Context, db store.Store, c store.Checker) ([]string, error) {
	if l, ok := db.(store.HarvestLocker); ok {
		release, err := l.LockHarvest(ctx, "herald check --index")
		if errors.Is(err, store.ErrHarvestRunning) {
			return nil, fmt.Errorf("%w; check the index when it has ended", err)
		}
		if err != nil {
			return nil, err
		}
		defer release()
	}
	return c.CheckIndex(ctx)
}
