//go:build unix

package main

import (
	"fmt"
	"syscall"
)

// access asks the system whether this process may write path (a file to
// replace or a folder to make files in): its permissions for this user,
// a read-only file system. Root passes the permission part whatever the
// mode, which is why readOnly looks at the mode bits first.
func access(path string) error {
	const wOK = 2 // W_OK of access(2)
	if err := syscall.Access(path, wOK); err != nil {
		return fmt.Errorf("is not writable: %w", err)
	}
	return nil
}
