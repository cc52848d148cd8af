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
	"syscall"
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
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "herald:", ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "herald:", err)
	return 2
}
