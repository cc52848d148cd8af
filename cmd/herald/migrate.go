package main

import (
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/store"
)

func newMigrateCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create the archive or bring its schema up to date",
		Long: `Migrate creates the archive when there is none yet (an empty file or
database counts as none), or applies its pending schema migrations (every
command that opens the archive for writing does this too). It says which
it did, and the schema version, then lists the migrations applied, marking
those applied now when the archive was only brought up to date.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := openArchive(ctx, e, true)
			if err != nil {
				return err
			}
			defer db.Close()
			m, ok := db.(store.Migrator)
			if !ok {
				return fmt.Errorf("%s: this archive backend has no schema migrations", archiveName(e.db))
			}
			applied, err := m.Applied(ctx)
			if err != nil {
				return err
			}
			// Opening applied what was pending: Migrated says what that was.
			now := m.Migrated()
			fmt.Fprintln(e.stdout, migrateSummary(e.db, len(applied), len(now)))
			for _, name := range applied {
				if len(now) > 0 && len(now) < len(applied) && slices.Contains(now, name) {
					name += "  (applied now)"
				}
				fmt.Fprintf(e.stdout, "  %s\n", name)
			}
			return nil
		},
	}
}

// migrateSummary is the first line herald migrate prints for the archive
// at loc, which has applied migrations (its schema version), now of them
// applied by this run.
func migrateSummary(loc string, applied, now int) string {
	name := archiveName(loc)
	switch {
	case now > 0 && now == applied && isPostgres(loc):
		return fmt.Sprintf("created archive in %s, schema version %d (%d migrations applied)", name, applied, applied)
	case now > 0 && now == applied:
		return fmt.Sprintf("created archive at %s, schema version %d (%d migrations applied)", name, applied, applied)
	case now > 0:
		return fmt.Sprintf("%s: schema brought up to date, version %d (%d of %d migrations applied now)", name, applied, now, applied)
	}
	return fmt.Sprintf("%s: schema up to date, version %d (%d migrations applied)", name, applied, applied)
}
