//go:build unix

package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// canWrite asks the system whether this process may write the archive at
// path: the file itself (when it exists) and, for the -wal and -shm files
// beside it, its folder, unless both exist and can be written. It takes
// no lock, unlike a write through SQLite, which would wait for another
// process's transaction. An error wraps the system's reason (EACCES,
// EROFS, EPERM for an immutable file), or fs.ErrPermission for a file
// whose mode lets nobody write it (0444): root may write any file, but
// such a file was protected on purpose, as herald export also holds of
// the files it would replace.
func canWrite(path string) error {
	const wOK = 2 // W_OK of access(2)
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o222 == 0 {
		return &fs.PathError{Op: "write", Path: path, Err: fmt.Errorf("its mode is %v: %w", st.Mode(), fs.ErrPermission)}
	}
	if err := syscall.Access(path, wOK); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &fs.PathError{Op: "write", Path: path, Err: err}
	}
	err := syscall.Access(filepath.Dir(path), wOK)
	if err == nil {
		return nil
	}
	for _, side := range []string{"-wal", "-shm"} {
		if _, serr := os.Stat(path + side); serr != nil || syscall.Access(path+side, wOK) != nil {
			return &fs.PathError{Op: "write", Path: filepath.Dir(path), Err: err}
		}
	}
	return nil
}
