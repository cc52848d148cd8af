//go:build unix

package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/herald-archive/herald/internal/store"
)

// LockHarvest implements store.HarvestLocker with an exclusive flock(2)
// on ARCHIVE.harvest.lock, which the system releases if the process
// dies, so a killed harvest never leaves it held. When another process
// holds it, the error names that process.
func (db *DB) LockHarvest(context.Context) (release func(), err error) {
	return lockFile(db.path + ".harvest.lock")
}

// lockFile takes an exclusive, non-blocking flock on path, writing this
// process's id into it for the message another process gives.
func lockFile(path string) (release func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("harvest lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b := make([]byte, 32)
		n, _ := f.ReadAt(b, 0)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			holder := strings.TrimSpace(string(b[:n]))
			if _, perr := strconv.Atoi(holder); perr == nil {
				return nil, fmt.Errorf("%w (process %s holds %s)", store.ErrHarvestRunning, holder, path)
			}
			return nil, fmt.Errorf("%w (%s is held)", store.ErrHarvestRunning, path)
		}
		return nil, fmt.Errorf("harvest lock %s: %w", path, err)
	}
	// Who holds it, for the message another process gives.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
