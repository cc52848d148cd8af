//go:build unix

package main

import (
	"fmt"
	"os"
	"syscall"
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
