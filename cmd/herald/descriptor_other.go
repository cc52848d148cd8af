//go:build !unix

package main

import (
	"context"
	"errors"
	"os"
)

// dupDescriptor is for systems with /dev/fd (see descriptor_unix.go).
func dupDescriptor(fd int, name string) (*os.File, error) {
	return nil, errors.New("this system cannot write to a descriptor by name: leave out --out to write to standard output")
}

// openPipe opens the named pipe path for writing.
func openPipe(ctx context.Context, path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY, 0)
}
