package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres"
	"github.com/herald-archive/herald/internal/store/sqlite"
)

// An archive location (--db, $HERALD_DB, migrate-archive's --from and
// --to) is one of:
//
//	postgres://… or postgresql://…   a PostgreSQL database (libpq URL)
//	sqlite:PATH                      a SQLite file
//	PATH                             a SQLite file
//
// isPostgres reports whether loc names a PostgreSQL database.
func isPostgres(loc string) bool {
	return strings.HasPrefix(loc, "postgres://") || strings.HasPrefix(loc, "postgresql://")
}

// urlScheme matches the scheme of a URL location (RFC 3986's scheme, then
// "://"): one that is not PostgreSQL's is refused, not taken for a file
// name.
var urlScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// sqlitePath is the file name of a SQLite location.
func sqlitePath(loc string) string {
	return strings.TrimPrefix(loc, "sqlite:")
}

// archiveName is loc as it may be shown: a PostgreSQL URL without its
// password.
func archiveName(loc string) string {
	if !isPostgres(loc) {
		return sqlitePath(loc)
	}
	u, err := url.Parse(loc)
	if err != nil {
		return "postgres://…" // an unparsable URL may hold a password anywhere
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// archiveFiles is the path the archive's own files (WARC captures) are
// named after: the SQLite file itself, or "herald" in the current folder
// for a PostgreSQL archive (captures then go to ./herald.warc unless
// --warc-dir says otherwise).
func archiveFiles(loc string) string {
	if isPostgres(loc) {
		return "herald"
	}
	return sqlitePath(loc)
}

// capturesUsage is the usage of --captures DIR for the commands that
// read raw captures on their own (check, delete): where relative capture
// names are taken from, as filepath.Dir(archiveFiles(db)) gives by default.
const capturesUsage = "folder that relative capture file names are taken from (default: the archive's folder; the working folder for PostgreSQL)"

// openArchive opens the archive named by --db. Commands that only read
// (search, stats, export …) pass create=false, so that a mistyped SQLite
// path is an error rather than a new empty archive, and so that an archive
// this process may not write is still opened, for reading only; a
// PostgreSQL database must exist already (its tables are created by the
// migrations).
func openArchive(ctx context.Context, e *env, create bool) (store.Store, error) {
	if e.db == "" {
		return nil, errors.New("no archive: give --db PATH or postgres://… or set HERALD_DB")
	}
	return openLocation(ctx, e.db, create)
}

// openLocation opens the archive at loc (see isPostgres). A SQLite file
// that is not a Herald archive, or was made by a newer one, is refused
// untouched, whatever create says (see sqlite.Open).
func openLocation(ctx context.Context, loc string, create bool) (store.Store, error) {
	if m := urlScheme.FindString(loc); m != "" && !isPostgres(loc) {
		// Shown without the rest, which may hold a password.
		return nil, fmt.Errorf("archive location %s…: Herald does not know that kind of database: want a SQLite file path, sqlite:PATH or postgres://…", m)
	}
	if isPostgres(loc) {
		db, err := postgres.Open(ctx, loc)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", archiveName(loc), err)
		}
		return db, nil
	}
	path := sqlitePath(loc)
	if path == "" {
		return nil, fmt.Errorf("archive location %q: no file name", loc)
	}
	if !create {
		fi, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no archive at %s (create one with herald import or herald harvest, or point --db / HERALD_DB at yours)", path)
		}
		// An empty file (a mistyped --db, a placeholder) is not made an
		// archive by a command that only reads. Its -wal may hold an
		// archive not yet written back to it: that one is opened.
		if err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
			if wal, werr := os.Stat(path + "-wal"); werr != nil || wal.Size() == 0 {
				return nil, fmt.Errorf("archive %s is empty, not a Herald archive yet: nothing to read (herald import or herald harvest starts one in it)", path)
			}
		}
	}
	db, err := sqlite.Open(ctx, path)
	if errors.Is(err, sqlite.ErrReadOnly) && !create {
		// An archive on read-only media, or someone else's that we may
		// only read, can still be searched and exported. The commands
		// that pass create=false and write (optimize, reextract, serve's
		// harvests) then fail at their first write, with ErrReadOnly.
		db, err = sqlite.OpenReadOnly(ctx, path)
	}
	if err != nil {
		return nil, err
	}
	return db, nil
}
