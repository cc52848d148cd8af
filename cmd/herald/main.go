// Command herald harvests news sites into a clean, deduplicated, searchable
// archive. Each subcommand lives in its own file; this is the only package
// that reads flags, environment variables and files named by the user.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/store/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitError carries a specific exit status out of a command. Commands that
// finish their work but had per-item failures (an input that could not be
// extracted, a malformed import line) return one with code 1 after printing
// their output, so that the partial results are still written.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// run executes the command line args and returns the process exit status.
// Tests drive the real CLI through it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root, finish := newRootCmd(stdin, stdout, stderr)
	defer finish()
	// Added now, as Execute would, so that the checks below cover them.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd(args...)
	requireSubcommands(root)
	requireHelpTopic(root)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	var ee *exitError
	isExit := errors.As(err, &ee)
	if ctx.Err() != nil && errors.Is(err, context.Canceled) && !(isExit && ee.code == 130) {
		// Interrupted (Ctrl-C, SIGTERM) and stopped by it: the shell's
		// status for an interrupted command. What the command said about
		// it is kept unless it is only the cancellation's own words.
		if msg := err.Error(); !strings.HasSuffix(msg, context.Canceled.Error()) {
			fmt.Fprintln(stderr, "herald:", msg)
		}
		fmt.Fprintln(stderr, "herald: interrupted; what was stored before is kept")
		return 130
	}
	if isExit {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "herald:", ee.msg)
		}
		return ee.code
	}
	var ro *sqlite.ReadOnlyError
	if errors.As(err, &ro) && cmd != nil {
		// A write to an archive this process may not write: said in the
		// user's words, without those of the step that met it, and with
		// what to do.
		fmt.Fprintf(stderr, "herald: %v, and %s changes it: run it as a user who may write the archive and its folder, or on a writable copy (commands that only read, such as search, export and check, work on it as it is)\n",
			ro, cmd.CommandPath())
		return 2
	}
	fmt.Fprintln(stderr, "herald:", err)
	return 2
}

// requireSubcommands makes each group of commands below root (herald
// import, herald source, …) fail with a usage error when it is given no
// subcommand or an unknown one: cobra shows the group's help and exits 0,
// so "herald import csv data.csv" would seem to succeed.
func requireSubcommands(root *cobra.Command) {
	for _, c := range root.Commands() {
		requireSubcommands(c)
		if c.Runnable() || !c.HasSubCommands() {
			continue
		}
		c.Args = nil // cobra's NoArgs (herald completion) would call the subcommand an unknown command
		c.RunE = func(cmd *cobra.Command, args []string) error {
			var names []string
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() {
					names = append(names, sub.Name())
				}
			}
			want := strings.Join(names, ", ")
			if len(args) == 0 {
				return fmt.Errorf("%s needs a subcommand: %s (see %s --help)", subcommand(cmd), want, cmd.CommandPath())
			}
			return fmt.Errorf("unknown subcommand %q for %s (want %s)", args[0], cmd.CommandPath(), want)
		}
	}
}

// requireHelpTopic makes "herald help nosuch" (or "herald help import
// csv") fail with a usage error: cobra prints the usage and exits 0.
func requireHelpTopic(root *cobra.Command) {
	for _, h := range root.Commands() {
		if h.Name() != "help" || h.Run == nil {
			continue
		}
		show := h.Run
		h.Run = nil
		h.RunE = func(c *cobra.Command, args []string) error {
			topic, rest, err := c.Root().Find(args)
			if err != nil || topic == nil || len(rest) > 0 && topic.HasSubCommands() {
				return fmt.Errorf("no help topic %q (see %s --help)", strings.Join(args, " "), c.Root().Name())
			}
			show(c, args)
			return nil
		}
	}
}
