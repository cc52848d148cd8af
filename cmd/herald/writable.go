package main

import (
	"fmt"
	"io/fs"
	"runtime"
)

// readOnly returns why an export must not replace path, or make files in
// it when it is a folder, or nil. A file or folder that no one may write
// (no write bit in its mode, 0444 or 0555) is refused even where the
// system would allow it: renaming a file over a read-only one needs only
// its folder to be writable, and root may write anything, so the mode
// is what says the user protected it. The message starts with "is", for
// "the file …" or "the folder … " before it.
func readOnly(path string, st fs.FileInfo) error {
	if st.IsDir() && runtime.GOOS == "windows" {
		return nil // Windows ignores a folder's read-only attribute, and so do we
	}
	if st.Mode().Perm()&0o222 == 0 {
		return fmt.Errorf("is read-only (%v)", st.Mode())
	}
	return access(path)
}
