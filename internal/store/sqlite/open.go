package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/herald-archive/herald/internal/store"
)

// Opening an archive: Open for a writer and readers, OpenReadOnly for an
// archive this process may not write, and the checks both make before
// anything is written (a folder, a file that is not a Herald archive, one
// a newer Herald made, one that cannot be written).

// ErrReadOnly is wrapped by the errors of Open when this process may not
// write the archive (a read-only file, folder or file system), and by every
// write to an archive opened with OpenReadOnly. Commands that only read
// then open the archive with OpenReadOnly instead.
var ErrReadOnly = errors.New("read-only")

// ReadOnlyError is the error, wrapping ErrReadOnly, that says which archive
// may not be written here and why: the refusal of Open, and every write to
// an archive opened with OpenReadOnly. It is the one a command's caller
// shows when a write fails for that reason, without the words of the step
// that met it. OpenReadOnly's own refusals (an archive that cannot even be
// read here) are not ReadOnlyErrors.
type ReadOnlyError struct {
	Path string // the archive
	msg  string
}

func (e *ReadOnlyError) Error() string { return e.msg }

// Unwrap makes a ReadOnlyError ErrReadOnly for errors.Is.
func (e *ReadOnlyError) Unwrap() error { return ErrReadOnly }

// ErrNotArchive is wrapped by the errors of Open and OpenReadOnly for a file
// that is not a Herald archive: not a SQLite database, or a SQLite database
// with tables of its own but no record of Herald's migrations. Herald leaves
// such a file as it found it rather than adding its tables to it.
var ErrNotArchive = errors.New("not a Herald archive")

// ErrNewerArchive is wrapped by the errors of Open, OpenReadOnly and
// Migrate for an archive whose schema has migrations this build does not
// know: a newer Herald made it, and writing it (or reading it) with an
// older schema in mind could damage it or misread it.
var ErrNewerArchive = errors.New("made by a newer Herald")

// Open opens (creating if needed) the archive at path and applies any
// pending migrations. An existing file is looked at first, through a
// read-only connection, so that a file Herald must not touch is refused
// (ErrNotArchive, ErrNewerArchive) before anything is written to it; an
// archive this process may not write is refused with ErrReadOnly.
func Open(ctx context.Context, path string) (*DB, error) {
	if err := registerFunctions(); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := checkLocation(path); err != nil {
		return nil, err
	}
	applied, err := inspect(ctx, path)
	if err != nil {
		return nil, err
	}
	// SQLite opens a file it may not write read-only without saying so:
	// ask the system now, rather than fail at the first article.
	if err := canWrite(path); err != nil {
		return nil, openError(path, err)
	}
	w, err := sql.Open("sqlite", dsn(path, false, nil))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	db := newDB(path, w)
	// 16 KiB pages pack rows of a few KiB (a compressed article) with
	// little waste. Incremental auto-vacuum lets the archive hand back the
	// pages its index merges free (releaseFreePages) instead of keeping
	// them in the file. Both only take effect while the file is new, and
	// auto_vacuum is set only then: on an archive it writes the header,
	// which waits for another process's write transaction.
	pragmas := []string{"PRAGMA page_size = 16384", "PRAGMA journal_mode = WAL"}
	if applied == 0 {
		pragmas = []string{"PRAGMA page_size = 16384", "PRAGMA auto_vacuum = INCREMENTAL", "PRAGMA journal_mode = WAL"}
	}
	for _, p := range pragmas {
		if err := execRetryBusy(ctx, w, p); err != nil {
			w.Close()
			return nil, openError(path, fmt.Errorf("open %s: %w", path, err))
		}
	}
	// The writer must exist (and be in WAL mode) before readers open it.
	// Migrating takes the write lock, one migration at a time, so an
	// archive that has them all is not migrated: a search opening the
	// archive while an import writes it would wait for each of the
	// import's transactions (seconds each on a large archive).
	if applied < len(mustMigrations()) {
		if _, err := db.Migrate(ctx); err != nil {
			w.Close()
			return nil, openError(path, err)
		}
	}
	r, err := openPool(ctx, path, nil)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.r = r
	if err := db.loadDicts(ctx, db.w); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	textDicts.opened(db, true)
	return db, nil
}

// execRetryBusy runs q on w, trying again while SQLite answers
// SQLITE_BUSY, for up to the busy timeout. Switching a new file to WAL mode
// needs an exclusive lock and SQLite returns BUSY at once, without waiting
// through the busy timeout, when another process opening the same new
// archive holds a lock on it: two commands started together on a new
// archive would otherwise see one of them fail.
func execRetryBusy(ctx context.Context, w *sql.DB, q string) error {
	deadline := time.Now().Add(busyTimeoutSeconds * time.Second)
	wait := time.Millisecond
	for {
		_, err := w.ExecContext(ctx, q)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// OpenReadOnly opens the existing archive at path for reading only, for
// when Open fails with ErrReadOnly. It writes nothing and applies no
// migrations (an archive that needs some is refused); every write method
// fails with ErrReadOnly.
//
// The readers open the file with SQLite's mode=ro, taking part in its
// locking like any reader, so that a process that may write the archive
// can go on doing so. In WAL mode that needs the -shm file beside the
// archive, or a folder it can be made in; when neither is there, the
// archive is opened with immutable=1, which reads the file without locks.
// That is safe only if nobody writes the file meanwhile: a writer keeps a
// -shm beside it, and with none there nobody is writing. A -wal holding
// changes, with no -shm, is refused: immutable=1 would not see them.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	if err := registerFunctions(); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := checkLocation(path); err != nil {
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if fi.Size() == 0 {
		return nil, fmt.Errorf("archive %s is empty, and read-only: nothing to read", path)
	}
	// Refuse what Open refuses before the readers, which in a folder that
	// can be written may leave a -wal and -shm behind.
	if _, err := inspect(ctx, path); err != nil && !errors.Is(err, ErrReadOnly) {
		return nil, err
	}
	r, err := openReaders(ctx, path)
	if err != nil {
		return nil, err
	}
	applied, err := checkArchive(ctx, path, r)
	if err == nil && applied < len(mustMigrations()) {
		err = fmt.Errorf("archive %s is %w and its schema is older than this herald's (%d of %d migrations): run herald migrate where it can be written",
			path, ErrReadOnly, applied, len(mustMigrations()))
	}
	if err != nil {
		r.Close()
		return nil, err
	}
	db := newDB(path, sql.OpenDB(readOnlyConnector{path}))
	db.r, db.readOnly = r, true
	if err := db.loadDicts(ctx, db.r); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	textDicts.opened(db, true)
	return db, nil
}

func newDB(path string, w *sql.DB) *DB {
	return &DB{path: path, w: writer{DB: w, path: path}, sites: map[string]int64{}, authors: map[string]int64{}, tags: map[string]int64{},
		days: blockCache{table: "day_blocks", col: "days"}, siteIDs: blockCache{table: "site_blocks", col: "sites"},
		facetIDs: blockCache{table: "facet_blocks", col: "facets"}, facets: map[string]int64{},
		tagLinks: linkCache{table: "tag_blocks", col: "tags"}, authorLinks: linkCache{table: "author_blocks", col: "authors"},
		probeRatio: defaultProbeRatio, dictMinText: defaultDictMinText,
		rankWindow: store.RankWindow, oneWalkMax: store.MaxTotal}
}

// openReaders opens the query-only pool of an archive opened with
// OpenReadOnly: mode=ro, or immutable=1 where that is safe (see
// OpenReadOnly).
func openReaders(ctx context.Context, path string) (*sql.DB, error) {
	params := url.Values{"mode": {"ro"}}
	r, err := openPool(ctx, path, params)
	if err == nil {
		return r, nil
	}
	if !isReadOnly(err) {
		return nil, notArchive(path, err)
	}
	if _, serr := os.Stat(path + "-shm"); serr == nil {
		return nil, fmt.Errorf("archive %s is %w and cannot be read beside whoever holds %s-shm (%v)", path, ErrReadOnly, path, err)
	}
	if fi, serr := os.Stat(path + "-wal"); serr == nil && fi.Size() > 0 {
		return nil, fmt.Errorf("archive %s is %w and its write-ahead log %s-wal holds changes that only a process allowed to write the archive can bring in: open it once with write access (%v)",
			path, ErrReadOnly, path, err)
	}
	params.Set("immutable", "1")
	r, err = openPool(ctx, path, params)
	if err != nil {
		return nil, notArchive(path, err)
	}
	return r, nil
}

// openPool opens a reader pool with params and checks that it can read.
func openPool(ctx context.Context, path string, params url.Values) (*sql.DB, error) {
	r, err := sql.Open("sqlite", dsn(path, true, params))
	if err != nil {
		return nil, err
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	var k int
	if err := r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master`).Scan(&k); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// readOnlyConnector is the writer of an archive opened with OpenReadOnly:
// every connection asked of it fails with ErrReadOnly, so that each write
// path says the archive is read-only instead of trying and failing in
// SQLite's words.
type readOnlyConnector struct{ path string }

func (c readOnlyConnector) Connect(context.Context) (driver.Conn, error) {
	why := "opened for reading only"
	if err := canWrite(c.path); err != nil {
		why = err.Error()
	}
	return nil, &ReadOnlyError{Path: c.path, msg: fmt.Sprintf("archive %s is read-only (%s)", c.path, why)}
}

func (c readOnlyConnector) Driver() driver.Driver { return c }

func (c readOnlyConnector) Open(string) (driver.Conn, error) { return c.Connect(context.Background()) }

// checkLocation refuses a path SQLite could only answer with "unable to
// open database file": a folder, or a file in a folder that does not exist.
func checkLocation(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("archive %s is a folder", path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("archive %s: folder %s does not exist", path, dir)
	case err != nil:
		return fmt.Errorf("archive %s: %w", path, err)
	case !fi.IsDir():
		return fmt.Errorf("archive %s: %s is not a folder", path, dir)
	}
	return nil
}

// inspect looks at an existing file before Open writes to it, through a
// read-only connection, and refuses a file that is not a Herald archive or
// was made by a newer one; it returns the number of migrations recorded.
// Without a -wal beside it the file holds all there is and is read with
// immutable=1, which makes no -wal or -shm files (nor a checkpoint at
// close) beside somebody else's database.
func inspect(ctx context.Context, path string) (int, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && fi.Size() == 0) {
		return 0, nil // a new archive
	}
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	params := url.Values{"mode": {"ro"}}
	if _, err := os.Stat(path + "-wal"); errors.Is(err, fs.ErrNotExist) {
		params.Set("immutable", "1")
	}
	r, err := sql.Open("sqlite", dsn(path, true, params))
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer r.Close()
	r.SetMaxOpenConns(1)
	n, err := checkArchive(ctx, path, r)
	if err != nil && isReadOnly(err) {
		return 0, openError(path, err)
	}
	return n, err
}

// checkArchive returns how many migrations the archive read through r has
// recorded, or an error wrapping ErrNotArchive or ErrNewerArchive. A
// database with no tables at all is an archive with none yet; so is one
// with only an empty schema_migrations (an Open interrupted before the
// first migration). Herald's record is told from other programs' tables of
// the same name (golang-migrate, Rails) by its columns and its first row.
func checkArchive(ctx context.Context, path string, r *sql.DB) (int, error) {
	rows, err := r.QueryContext(ctx, `SELECT name FROM sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return 0, notArchive(path, err)
	}
	var tables []string
	record := false
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return 0, notArchive(path, err)
		}
		if name == "schema_migrations" {
			record = true
		} else {
			tables = append(tables, name)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, notArchive(path, err)
	}
	foreign := func() (int, error) {
		if len(tables) > 3 {
			tables = append(tables[:3], "…")
		}
		return 0, fmt.Errorf("archive %s is %w: it is a SQLite database with tables of its own (%s) and no record of Herald's migrations; Herald leaves it unchanged (point --db at a new file, or at your archive)",
			path, ErrNotArchive, strings.Join(tables, ", "))
	}
	if !record {
		if len(tables) == 0 {
			return 0, nil
		}
		return foreign()
	}
	var applied []Migration
	mrows, err := r.QueryContext(ctx, `SELECT version, name FROM schema_migrations ORDER BY version`)
	if err != nil {
		return foreign() // another program's schema_migrations, without Herald's columns
	}
	for mrows.Next() {
		var m Migration
		if err := mrows.Scan(&m.Version, &m.Name); err != nil {
			mrows.Close()
			return foreign()
		}
		applied = append(applied, m)
	}
	mrows.Close()
	if err := mrows.Err(); err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	ms := mustMigrations()
	switch {
	case len(applied) == 0 && len(tables) == 0:
		return 0, nil
	case len(applied) == 0 || applied[0].Version != 1 || applied[0].Name != ms[0].Name:
		return foreign()
	}
	if last := applied[len(applied)-1]; last.Version > len(ms) {
		return 0, newerError(path, last, ms)
	}
	return len(applied), nil
}

// newerError is the error for an archive whose latest migration, last, is
// beyond the known ones, ms.
func newerError(path string, last Migration, ms []Migration) error {
	return fmt.Errorf("archive %s was %w: its schema has migration %s, this herald knows up to %s; use a newer herald",
		path, ErrNewerArchive, last.Name, ms[len(ms)-1].Name)
}

// notArchive turns SQLite's "file is not a database" into ErrNotArchive.
func notArchive(path string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_NOTADB {
		return fmt.Errorf("archive %s is %w: it is not a SQLite database (%v); Herald leaves it unchanged", path, ErrNotArchive, err)
	}
	return fmt.Errorf("open %s: %w", path, err)
}

// isReadOnly reports whether err says the archive cannot be written
// here. SQLite says so in several ways: SQLITE_READONLY (a file it opened
// read-only, or a folder where it cannot make the -wal, 1544), SQLITE_PERM,
// and SQLITE_CANTOPEN, which is what an existing file in an existing folder
// (checkLocation has made sure of both) gets when the -wal or -shm cannot
// be made or opened for writing (EPERM, EROFS).
func isReadOnly(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN:
			return true
		}
	}
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

// openError is err, met while opening the archive at path for writing,
// as ErrReadOnly when it is that (see isReadOnly).
func openError(path string, err error) error {
	if !isReadOnly(err) || errors.Is(err, ErrReadOnly) {
		return err
	}
	cause := err
	var se *sqlite.Error
	if errors.As(err, &se) {
		cause = se // SQLite's words, without the wrapping that names path
	}
	if _, serr := os.Stat(path); errors.Is(serr, fs.ErrNotExist) {
		return &ReadOnlyError{Path: path, msg: fmt.Sprintf("archive %s: folder %s is read-only (%v)", path, filepath.Dir(path), cause)}
	}
	return &ReadOnlyError{Path: path, msg: fmt.Sprintf("archive %s is read-only (%v)", path, cause)}
}
