package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/store"
)

func newMigrateCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create the archive or bring its schema up to date",
		Long: `Migrate applies the archive's pending schema migrations (every command
that opens the archive does this too) and lists the migrations applied.`,
		Args: cobra.NoArgs,
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
			fmt.Fprintf(e.stdout, "%s: schema up to date (%d migrations applied)\n", archiveName(e.db), len(applied))
			for _, m := range applied {
				fmt.Fprintf(e.stdout, "  %s\n", m)
			}
			return nil
		},
	}
}
