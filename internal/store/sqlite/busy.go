package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/herald-archive/herald/internal/store"
)

// writer is the archive's writer pool. Its BeginTx and Exec calls turn
// SQLite's "database is locked", which a writer gets when another process
// has held the write lock for the whole busy timeout, into a busyError
// (store.BusyError) that says so and names that process.
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
	return &store.BusyError{Holder: lockHolder(path + ".harvest.lock"), Waited: busyTimeoutSeconds * time.Second, Err: err}
}

// busyTimeoutSeconds is how long a writer waits for the write lock (the
// busy_timeout pragma of dsn).
const busyTimeoutSeconds = 10
