package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/herald-archive/herald/internal/store"
)

// writer is the archive's writer pool. Its BeginTx and Exec calls turn
// SQLite's "database is locked", which a writer gets when another process
// has held the write lock for the whole busy timeout, into a busyError
// that says so and names that process.
type writer struct {
	*sql.DB
	path string // the archive, whose harvest lock file names a holder
}

// BeginTx is sql.DB's, with busy errors explained.
func (w writer) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	tx, err := w.DB.BeginTx(ctx, opts)
	return tx, busy(w.path, err)
}

// ExecContext is sql.DB's, with busy errors explained.
func (w writer) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	res, err := w.DB.ExecContext(ctx, q, args...)
	return res, busy(w.path, err)
}

// Exec is sql.DB's, with busy errors explained.
func (w writer) Exec(q string, args ...any) (sql.Result, error) {
	return w.ExecContext(context.Background(), q, args...)
}

// busy returns err, or a busyError for the archive at path when err is
// SQLite's SQLITE_BUSY.
func busy(path string, err error) error {
	var se *sqlite.Error
	if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY {
		return err
	}
	return &busyError{holder: lockHolder(path + ".harvest.lock"), err: err}
}

// busyError is a write refused because another process held the archive's
// write lock past the busy timeout. It wraps store.ErrBusy and SQLite's
// error.
type busyError struct {
	holder string // what holds the harvest lock ("herald check --index (process 42)"), or ""
	err    error
}

func (e *busyError) Error() string {
	who := "another process"
	if e.holder != "" {
		who = e.holder
	}
	return fmt.Sprintf("%v: %s has held its write lock for over %d s; nothing was written: run this again when it has ended",
		store.ErrBusy, who, busyTimeoutSeconds)
}

func (e *busyError) Unwrap() []error { return []error{store.ErrBusy, e.err} }

// busyTimeoutSeconds is how long a writer waits for the write lock (the
// busy_timeout pragma of dsn).
const busyTimeoutSeconds = 10
