package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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

// lineOutput is the standard output of a command that reports item by
// item and then sums up (delete, recluster, reextract): each item and the
// summary as a JSON line with --json, else as the text line the command
// writes. It is buffered; finish flushes it as flushOut does.
type lineOutput struct {
	w   *bufio.Writer
	enc *json.Encoder // nil: text lines
}

func newLineOutput(w io.Writer, asJSON bool) *lineOutput {
	o := &lineOutput{w: bufio.NewWriter(w)}
	if asJSON {
		o.enc = json.NewEncoder(o.w)
	}
	return o
}

// put writes v as a JSON line, or has text write its line.
func (o *lineOutput) put(v any, text func(w io.Writer)) {
	if o.enc != nil {
		_ = o.enc.Encode(v) // a write error shows at finish
		return
	}
	text(o.w)
}

// flush writes out what is buffered, returning a write error.
func (o *lineOutput) flush() error { return o.w.Flush() }

// finish flushes the output into *err (see flushOut).
func (o *lineOutput) finish(err *error) { flushOut(o.w, err) }

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
	root.SetFlagErrorFunc(flagError)
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
			return fmt.Errorf("--cpuprofile %s: %w", profile, unwrapPath(err))
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
		newDeletedCmd(e),
		newDemoCmd(e),
		newWorkerCmd(e),
		newStatusCmd(e),
		newQueueCmd(e),
	)
	return root, func() { stopProfile() }
}

// wantArgs checks a command's arguments as cobra.MinimumNArgs(n), or
// cobra.ExactArgs(n) when exact, but says what the command takes, from
// its Use line ("import jsonl needs FILE..."), where cobra counts
// "arg(s)".
func wantArgs(n int, exact bool) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		what := strings.TrimSpace(strings.ReplaceAll(strings.TrimPrefix(cmd.Use, cmd.Name()), "[flags]", ""))
		switch {
		case len(args) < n:
			return fmt.Errorf("%s needs %s (see %s --help)", subcommand(cmd), what, cmd.CommandPath())
		case exact && len(args) > n:
			return fmt.Errorf("%s takes %s, not %d arguments: %q", subcommand(cmd), what, len(args), args)
		}
		return nil
	}
}

// wantFiles checks the arguments of a command that reads only files, one
// or more: "-" is refused as standard input, which only herald import
// jsonl reads (unless a file of that name exists), where it would be
// skipped as "-: no such file or directory".
func wantFiles(cmd *cobra.Command, args []string) error {
	if err := wantArgs(1, false)(cmd, args); err != nil {
		return err
	}
	if slices.Contains(args, "-") {
		if _, err := os.Stat("-"); err != nil {
			return fmt.Errorf("%s reads files, not standard input (-): save it to a file first", subcommand(cmd))
		}
	}
	return nil
}

// noArgs refuses arguments to a command that takes none, where
// cobra.NoArgs calls the first an unknown command.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%s takes no arguments, not %q (see %s --help)", subcommand(cmd), args, cmd.CommandPath())
	}
	return nil
}

// subcommand is cmd's path without the program's name ("import jsonl"):
// what an error names after the "herald:" every error starts with.
func subcommand(cmd *cobra.Command) string {
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}

// flagError rewords the flag parser's errors (cobra's FlagErrorFunc, for
// every command): the flag and the value given, then what the flag wants,
// where pflag says `invalid argument "abc" for "--limit" flag:
// strconv.ParseInt: parsing "abc": invalid syntax`.
func flagError(cmd *cobra.Command, err error) error { return flagErrorHint(cmd, err, "") }

// flagErrorHint is flagError with hint added to an unknown flag's error.
func flagErrorHint(cmd *cobra.Command, err error, hint string) error {
	help := fmt.Sprintf("see %s --help", cmd.CommandPath())
	var (
		invalid  *pflag.InvalidValueError
		missing  *pflag.ValueRequiredError
		unknown  *pflag.NotExistError
		badInput *pflag.InvalidSyntaxError
	)
	switch {
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		return fmt.Errorf("--%s %q: %s", f.Name, invalid.GetValue(), flagWants(f.Value.Type(), invalid.Unwrap()))
	case errors.As(err, &missing):
		f := missing.GetFlag()
		return fmt.Errorf("--%s needs a value: %s", f.Name, f.Usage)
	case errors.As(err, &unknown):
		name := "--" + unknown.GetSpecifiedName()
		if sh := unknown.GetSpecifiedShortnames(); sh != "" {
			name = "-" + unknown.GetSpecifiedName()
			if sh != unknown.GetSpecifiedName() {
				name += " in -" + sh
			}
		}
		return fmt.Errorf("unknown flag %s (%s%s)", name, help, hint)
	case errors.As(err, &badInput):
		return fmt.Errorf("malformed flag %s (%s)", badInput.GetSpecifiedFlag(), help)
	}
	return fmt.Errorf("%w (%s)", err, help)
}

// flagWants says what a flag of the given pflag type wants, after a value
// that did not parse; cause is the parser's error.
func flagWants(typ string, cause error) string {
	if errors.Is(cause, strconv.ErrRange) {
		return "out of range"
	}
	switch typ {
	case "int", "int8", "int16", "int32", "int64":
		return "want a whole number"
	case "uint", "uint8", "uint16", "uint32", "uint64":
		return "want a whole number, 0 or more"
	case "float32", "float64":
		return "want a number"
	case "bool":
		return "want true or false (or the flag alone, for true)"
	case "duration":
		return "want a duration such as 500ms, 30s, 5m or 2h"
	default:
		// A flag type of ours: its own error says what it wants.
		return cause.Error()
	}
}

// errFolder is why a file argument that names a folder is refused.
var errFolder = errors.New("a folder, not a file")

// openFile opens a file the user named, for reading. A folder is refused
// with errFolder (os.Open opens one, and the first read fails), and its
// errors are unwrapPath's: the caller names the file.
func openFile(name string) (*os.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, unwrapPath(err)
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, errFolder
	}
	return f, nil
}

// reasonError is err with a message shortened for where it is reported
// (a message that names the file or URL err repeats); errors.Is and As
// still see err.
type reasonError struct {
	msg string
	err error
}

func (e *reasonError) Error() string { return e.msg }
func (e *reasonError) Unwrap() error { return e.err }

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
