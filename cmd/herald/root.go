package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"

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

// flushOut flushes w, a command's buffered standard output, into *err
// unless that holds an error already: output that could not be written
// (a full disk) fails the command instead of ending it truncated with
// status 0.
func flushOut(w *bufio.Writer, err *error) {
	if ferr := w.Flush(); ferr != nil && *err == nil {
		*err = ferr
	}
}

// newRootCmd builds the command tree; finish must be called once the
// command has run (it ends a --cpuprofile profile).
func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) (root *cobra.Command, finish func()) {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root = &cobra.Command{
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
	var profile string
	stopProfile := func() {}
	root.PersistentFlags().StringVar(&profile, "cpuprofile", "", "write a CPU profile of the command to this file (go tool pprof reads it)")
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		stop, err := startCPUProfile(profile)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		stopProfile = stop
		return nil
	}

	// One line per subcommand; each lives in its own file.
	root.AddCommand(
		newExtractCmd(e),
		newSearchCmd(e),
		newTimelineCmd(e),
		newTopCmd(e),
		newStoriesCmd(e),
		newStatsCmd(e),
		newCheckCmd(e),
		newExportCmd(e),
		newImportCmd(e),
		newMigrateCmd(e),
		newOptimizeCmd(e),
		newMigrateArchiveCmd(e),
		newServeCmd(e),
		newBenchCmd(e),
		newSourceCmd(e),
		newHarvestCmd(e),
		newReextractCmd(e),
		newReclusterCmd(e),
		newDeleteCmd(e),
		newWithheldCmd(e),
		newDemoCmd(e),
		newWorkerCmd(e),
		newStatusCmd(e),
		newQueueCmd(e),
	)
	return root, func() { stopProfile() }
}

// wantArgs checks a command's arguments as cobra.MinimumNArgs(n), or
// cobra.ExactArgs(n) when exact, but says what the command takes, from
// its Use line ("herald import jsonl needs FILE..."), where cobra counts
// "arg(s)".
func wantArgs(n int, exact bool) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		what := strings.TrimSpace(strings.ReplaceAll(strings.TrimPrefix(cmd.Use, cmd.Name()), "[flags]", ""))
		switch {
		case len(args) < n:
			return fmt.Errorf("%s needs %s (see %s --help)", cmd.CommandPath(), what, cmd.CommandPath())
		case exact && len(args) > n:
			return fmt.Errorf("%s takes %s, not %d arguments: %q", cmd.CommandPath(), what, len(args), args)
		}
		return nil
	}
}

// startCPUProfile writes a CPU profile to path until stop is called;
// an empty path profiles nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	pf, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(pf); err != nil {
		pf.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		pf.Close()
	}, nil
}
