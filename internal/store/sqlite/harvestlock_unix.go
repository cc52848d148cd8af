//go:build unix

package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/herald-archive/herald/internal/store"
)

var _ store.HarvestLocker = (*DB)(nil)

// LockHarvest implements store.HarvestLocker with an exclusive flock(2)
// on ARCHIVE.harvest.lock, which the system releases if the process
// dies, so a killed harvest never leaves it held. When another process
// holds it, the error names that process and what it is doing.
//
// An archive opened with OpenReadOnly in a folder where the lock file
// cannot be made needs no lock: nothing this process does to it writes
// (a harvest fails at its first write, and CheckIndex reads a copy of
// the index), so release does nothing.
func (db *DB) LockHarvest(_ context.Context, holder string) (release func(), err error) {
	release, err = lockFile(db.path+".harvest.lock", holder)
	if err != nil && db.readOnly && (errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)) {
		return func() {}, nil
	}
	return release, err
}

// lockFile takes an exclusive, non-blocking flock on path, writing this
// process's id and holder into it for the message another process gives.
func lockFile(path, holder string) (release func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("harvest lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			if who := lockHolder(path); who != "" {
				return nil, fmt.Errorf("%w: %s holds %s", store.ErrHarvestRunning, who, path)
			}
			return nil, fmt.Errorf("%w (%s is held)", store.ErrHarvestRunning, path)
		}
		return nil, fmt.Errorf("harvest lock %s: %w", path, err)
	}
	// Who holds it, for the message another process gives.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(fmt.Sprintf("%d\n%s\n", os.Getpid(), holder)), 0)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// lockHolder says what holds the lock file at path: "herald check
// --index (process 42)", "process 42" from a Herald that wrote only its
// process id, or "" when the lock is free or cannot be read.
func lockHolder(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	// A shared lock that can be taken means no one holds it exclusively.
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err == nil {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return ""
	}
	b := make([]byte, 256)
	n, _ := f.ReadAt(b, 0)
	pid, what, _ := strings.Cut(strings.TrimSpace(string(b[:n])), "\n")
	pid, what = strings.TrimSpace(pid), strings.TrimSpace(what)
	switch {
	case pid == "" || strings.ContainsFunc(pid, func(r rune) bool { return r < '0' || r > '9' }):
		return ""
	case what == "":
		return "process " + pid
	default:
		return what + " (process " + pid + ")"
	}
}
