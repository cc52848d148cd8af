package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/herald-archive/herald/internal/store/sqlite"
)

// openArchive opens the archive named by --db. Commands that only read
// (search, stats, export …) pass create=false, so that a mistyped path is
// an error rather than a new empty archive.
func openArchive(ctx context.Context, e *env, create bool) (*sqlite.DB, error) {
	if e.db == "" {
		return nil, errors.New("no archive: give --db PATH or set HERALD_DB")
	}
	if !create {
		st, err := os.Stat(e.db)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no archive at %s (create one with herald import or herald harvest, or point --db / HERALD_DB at yours)", e.db)
		}
		if err != nil {
			return nil, err
		}
		if st.IsDir() {
			return nil, fmt.Errorf("archive %s is a directory", e.db)
		}
	}
	db, err := sqlite.Open(ctx, e.db)
	if err != nil {
		return nil, err
	}
	return db, nil
}
