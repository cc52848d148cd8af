//go:build unix

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// dupDescriptor returns a file writing to a duplicate of this process's
// descriptor fd (see descriptorOf), named name; closing it leaves fd open.
func dupDescriptor(fd int, name string) (*os.File, error) {
	d, err := syscall.Dup(fd)
	if err != nil {
		return nil, fmt.Errorf("descriptor %d: %w", fd, err)
	}
	syscall.CloseOnExec(d)
	return os.NewFile(uintptr(d), name), nil
}

// openPipe opens the named pipe path for writing once a program has it
// open for reading, and gives up when ctx is done. Opened the usual way,
// the call would wait for that reader inside the kernel, where an
// interrupt (the first Ctrl-C, caught for a clean stop) cannot end it.
func openPipe(ctx context.Context, path string) (*os.File, error) {
	for {
		// Non-blocking, the open fails with ENXIO while there is no
		// reader; the file is then written through Go's poller.
		f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if !errors.Is(err, syscall.ENXIO) {
			return f, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("no program opened it to read: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
