package main

import (
	"fmt"

	"github.com/spf13/cobra"
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
			applied, err := db.Applied(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s: schema up to date (%d migrations applied)\n", db.Path(), len(applied))
			for _, m := range applied {
				fmt.Fprintf(e.stdout, "  %s\n", m)
			}
			return nil
		},
	}
}
