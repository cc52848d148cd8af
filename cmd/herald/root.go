package main

import (
	"io"
	"os"

	"github.com/spf13/cobra"
)

// env holds what every subcommand may need from the process: its streams
// and the global flags. It is built once per run, so tests can run the CLI
// concurrently without shared state.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// db is the archive location: --db, else $HERALD_DB, else ./herald.db;
	// a SQLite path (or sqlite:PATH) or a postgres:// URL (see openArchive).
	db string
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "herald",
		Short:         "Harvest news sites into a clean, deduplicated, searchable archive",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	defaultDB := os.Getenv("HERALD_DB")
	if defaultDB == "" {
		defaultDB = "herald.db"
	}
	root.PersistentFlags().StringVar(&e.db, "db", defaultDB, "archive: a SQLite file path, or postgres://… for PostgreSQL; also $HERALD_DB")

	// One line per subcommand; each lives in its own file.
	root.AddCommand(
		newExtractCmd(e),
		newSearchCmd(e),
		newTimelineCmd(e),
		newStatsCmd(e),
		newExportCmd(e),
		newImportCmd(e),
		newMigrateCmd(e),
		newMigrateArchiveCmd(e),
		newServeCmd(e),
		newBenchCmd(e),
		newSourceCmd(e),
		newHarvestCmd(e),
		newReextractCmd(e),
		newDemoCmd(e),
		newWorkerCmd(e),
		newStatusCmd(e),
		newQueueCmd(e),
	)
	return root
}
