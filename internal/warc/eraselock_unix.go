//go:build unix

package warc

import (
	"os"
	"syscall"
)

// lockErasure holds an exclusive flock(2) on f while records are erased
// from it, waiting for another process's erasure of the same file to
// end: two at once could overwrite each other's spans. Writers do not
// take it; they never write where records are erased.
func lockErasure(f *os.File) (unlock func(), err error) {
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }, nil
}
