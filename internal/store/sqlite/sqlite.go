// Package sqlite is Herald's default archive backend: one SQLite file,
// through modernc.org/sqlite (pure Go, so the binary needs no cgo).
//
// The database runs in WAL mode with foreign keys, a busy timeout and
// synchronous=NORMAL. Writes go through one connection (one write
// transaction at a time, taken with BEGIN IMMEDIATE; foreign key checks
// are off inside article transactions, see Begin); reads use a separate
// pool of query-only connections, so readers never wait behind a writer.
// The schema is a series of numbered SQL files embedded from migrations/,
// applied in order on Open and recorded in schema_migrations. Open looks
// at an existing file before writing to it and leaves alone one that is
// not a Herald archive (another program's SQLite database, or no SQLite
// database at all) or that a newer Herald has migrated. An archive this
// process may not write (a read-only file, folder or file system) can be
// read through OpenReadOnly, which never writes.
//
// Article text is stored once, compressed (zstd with a dictionary made
// from the archive's own texts, or deflate; see compress.go). Open
// registers SQL functions with the driver: herald_inflate reads a text
// back inside SQL, herald_key hashes indexed URLs, herald_days and
// herald_ndays count timelines, herald_day_block builds the day blocks
// their date cache loads from (days.go), and herald_nclusters counts a
// search's clusters (clusters.go). The database needs this package (not
// the stock sqlite3 shell) to write articles, search, migrate or rebuild
// the index.
//
// Full-text search is an external-content FTS5 index over title,
// description, text, authors and tags (unicode61 tokenizer, diacritics
// removed, no stemming so that every language is treated alike), ranked by
// bm25 with the title weighted highest; a sixth column marks members of
// near-duplicate clusters (see clusters.go). article_keys keeps a narrow
// row per article (date, site, cluster) for walking many matches, and
// article_lsh the LSH band keys for near-duplicate candidates (bands.go):
// a transaction writes its articles' keys at commit, in key order, into
// article_lsh_recent, merged into article_lsh now and then, and a bulk
// batch reads the candidates of all its articles in one ordered pass
// before its Puts (PrefetchCandidates).
// The package does not parse queries; it translates the tree from
// internal/query.
//
// The full-text index is a set of segments, one more per write
// transaction, and searches cost more the more there are (segments.go).
// After a bulk import (herald import, 20,000 records or more) Optimize
// merges them: all into one when no segment dominates, else only the new
// ones (Tidy), which on a million articles takes a second instead of the
// 33-43 s a full merge takes. Smaller imports and every harvest run that
// stores articles end with Tidy; herald optimize merges all (MergeIndex).
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlschema"

	sqlite "modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a SQLite archive. It implements store.Store.
type DB struct {
	path string
	w    *sql.DB // the single writer connection
	r    *sql.DB // query-only readers

	// dictionary caches (host, author or tag norm → id) of committed rows.
	mu      sync.Mutex
	sites   map[string]int64
	authors map[string]int64
	tags    map[string]int64

	probeRatio int // see defaultProbeRatio; tests change it

	codec       textCodec
	dictMinText int64 // see defaultDictMinText; tests change it

	days dayCache // article dates by row number, for timelines
	// clusters of the articles that share one, for collapsed counts
	clusters clusterCache
	// rankWindow is store.RankWindow, and oneWalkMax store.MaxTotal (see
	// countClusters), but for tests.
	rankWindow, oneWalkMax int
}

var _ store.Store = (*DB)(nil)

// dsn is the driver's name for a connection to path: a writer, or a
// query-only reader; params are SQLite URI parameters (mode, immutable)
// for the readers of an archive opened with OpenReadOnly.
func dsn(path string, readOnly bool, params url.Values) string {
	// journal_mode is not set here: the driver applies these pragmas in
	// alphabetical order, and WAL mode must come after page_size (see
	// Open). It is persistent, so later connections inherit it.
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "foreign_keys(1)")
	v.Add("_pragma", "synchronous(NORMAL)")
	// Memory-mapped reads spare a system call per page; the page cache
	// backs up what the map does not reach.
	v.Add("_pragma", "mmap_size(2147418112)")
	if readOnly {
		v.Add("_pragma", "query_only(1)")
		// A reader's cache holds only pages beyond the 2 GB map (SQLite's
		// compile-time cap), which the OS caches too: reading one again
		// costs a pread of a few microseconds, while caching a new one
		// costs a fresh allocation and its page faults (about 0.1 ms on
		// the VMs measured). Small, it fills once and is reused: on a
		// million articles phrase p95 fell from a median of 62 ms (32 MiB)
		// to 52 ms, word + site + dates no slower, and a one-shot herald
		// search from 0.25 to 0.20 s.
		v.Add("_pragma", "cache_size(-4096)")
	} else {
		// A bulk batch dirties pages all over the random-keyed indexes
		// (ids, hashes, URLs, LSH bands); a cache that holds them saves
		// writing a page to the log twice in one transaction. It is a
		// limit, not an allocation.
		v.Add("_pragma", "cache_size(-262144)") // 256 MiB
		// Statement journals and sorts in memory, not in temporary files.
		v.Add("_pragma", "temp_store(2)")
		// Checkpoint every 128 MiB of log rather than 16: pages that
		// successive batches rewrite (index pages, full-text segments
		// being merged) are copied into the database once, not once per
		// batch.
		v.Add("_pragma", "wal_autocheckpoint(8192)")
		v.Set("_txlock", "immediate")
	}
	for k, vs := range params {
		v[k] = vs
	}
	// In a URI file name, %, ? and # are not themselves: escaped, a path
	// holding them opens the file it names ("a#1.db" opened "a").
	return "file:" + uriPath.Replace(path) + "?" + v.Encode()
}

// uriPath escapes what a file name in a SQLite URI cannot hold as it is.
var uriPath = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

// ErrReadOnly is wrapped by the errors of Open when this process may not
// write the archive (a read-only file, folder or file system), and by every
// write to an archive opened with OpenReadOnly. Commands that only read
// then open the archive with OpenReadOnly instead.
var ErrReadOnly = errors.New("read-only")

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
	// little waste; page_size only takes effect while the file is new.
	for _, p := range []string{"PRAGMA page_size = 16384", "PRAGMA journal_mode = WAL"} {
		if _, err := w.ExecContext(ctx, p); err != nil {
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
	r, err := sql.Open("sqlite", dsn(path, true, nil))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db.r = r
	if err := db.loadDicts(ctx, db.w); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	textDicts.opened(db, true)
	return db, nil
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
	db.r = r
	if err := db.loadDicts(ctx, db.r); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	textDicts.opened(db, true)
	return db, nil
}

func newDB(path string, w *sql.DB) *DB {
	return &DB{path: path, w: w, sites: map[string]int64{}, authors: map[string]int64{}, tags: map[string]int64{},
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
	return nil, fmt.Errorf("archive %s is %w (opened for reading only)", c.path, ErrReadOnly)
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
		return fmt.Errorf("archive %s: folder %s is %w (%v)", path, filepath.Dir(path), ErrReadOnly, cause)
	}
	return fmt.Errorf("archive %s is %w (%v)", path, ErrReadOnly, cause)
}

// Close checkpoints the write-ahead log and closes both connection pools.
func (db *DB) Close() error {
	textDicts.opened(db, false)
	var errs []error
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	if db.w != nil {
		// Leave a small WAL behind: checkpoint what the writer can,
		// without waiting (best effort: the WAL is replayed on next open
		// anyway). A checkpoint that waited would hold up the exit of a
		// search while another process imports.
		_, _ = db.w.Exec("PRAGMA busy_timeout = 0")
		_, _ = db.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		errs = append(errs, db.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close %s: %w", db.path, err)
	}
	return nil
}

// Migration is one schema step.
type Migration = sqlschema.Migration

// Migrations returns the embedded migrations in order.
func Migrations() ([]Migration, error) {
	return sqlschema.ReadMigrations(migrations, "migrations")
}

// mustMigrations is Migrations for code that runs after Open has read them
// once: the embedded files cannot change, so they cannot fail then.
func mustMigrations() []Migration {
	ms, err := Migrations()
	if err != nil {
		panic(err)
	}
	return ms
}

// Migrate applies the migrations not yet recorded in schema_migrations,
// each in its own transaction, and returns the names of those it applied.
// Open calls it; `herald migrate` calls it explicitly.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	return db.migrate(ctx)
}

// Applied returns the names of the migrations applied so far.
func (db *DB) Applied(ctx context.Context) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("applied migrations: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("applied migrations: %w", err)
		}
		names = append(names, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("applied migrations: %w", err)
	}
	return names, nil
}

func (db *DB) migrate(ctx context.Context) ([]string, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("migrate %s: %w", db.path, err)
	}
	// Migrations from a newer Herald are not ours to skip: the tables they
	// changed would be written as this build thinks they are.
	var last Migration
	err = db.w.QueryRowContext(ctx, `SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1`).Scan(&last.Version, &last.Name)
	switch {
	case err == nil && last.Version > len(ms):
		return nil, newerError(db.path, last, ms)
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("migrate %s: %w", db.path, err)
	}
	var applied []string
	for _, m := range ms {
		done, err := db.applyMigration(ctx, m)
		if err != nil {
			return applied, fmt.Errorf("migrate %s: %s: %w", db.path, m.Name, err)
		}
		if done {
			applied = append(applied, m.Name)
		}
	}
	return applied, nil
}

func (db *DB) applyMigration(ctx context.Context, m Migration) (bool, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// Path returns the database file name.
func (db *DB) Path() string { return db.path }

// Checkpoint copies the write-ahead log into the database file and
// truncates the log, as Close does. Useful before measuring or copying the
// file.
func (db *DB) Checkpoint(ctx context.Context) error {
	if _, err := db.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return fmt.Errorf("checkpoint %s: %w", db.path, err)
	}
	return nil
}
