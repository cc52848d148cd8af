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
// process may not write (a read-only file, folder or file system, or a
// file whose mode lets nobody write it, even for root) can be read through
// OpenReadOnly, which never writes.
//
// Article text is stored once, compressed (zstd with a dictionary made
// from the archive's own texts, or deflate; see compress.go). Open
// registers SQL functions with the driver: herald_inflate reads a text
// back inside SQL, herald_key hashes indexed URLs, herald_days and
// herald_nkeys count timelines, herald_day_block and herald_id_block
// build the blocks their date, site and facet caches load from (days.go,
// cached.go), herald_link_block the blocks of the tag and author caches
// (links.go), herald_pass filters a search's matches from those caches
// (cachedsearch.go), and herald_nclusters counts a
// search's clusters (clusters.go). The database needs this package (not
// the stock sqlite3 shell) to write articles, search, migrate or rebuild
// the index.
//
// Full-text search is an external-content FTS5 index over title,
// description, text, authors and tags (unicode61 tokenizer, diacritics
// removed, no stemming so that every language is treated alike; each Han
// or kana character a token of its own, see cjk.go), ranked by
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
	"embed"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/fulltext"
	"github.com/herald-archive/herald/internal/store/sqlschema"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a SQLite archive. It implements store.Store.
type DB struct {
	path string
	w    writer  // the single writer connection
	r    *sql.DB // query-only readers
	// readOnly is set by OpenReadOnly: every write fails (w's connector).
	readOnly bool
	// stmts holds statements prepared on r, by query text (see prepared).
	stmts sync.Map

	// authorKeys is the authors' folded names, for author: filters.
	authorKeys fulltext.AuthorIndex

	// dictionary caches (host, author or tag norm, facet key → id) of
	// committed rows.
	mu      sync.Mutex
	sites   map[string]int64
	authors map[string]int64
	tags    map[string]int64
	facets  map[string]int64

	probeRatio int // see defaultProbeRatio; tests change it

	codec       textCodec
	dictMinText int64 // see defaultDictMinText; tests change it

	// article dates, sites and facets by row number, for timelines and
	// filters (days.go)
	days, siteIDs, facetIDs blockCache
	// the tags and authors of every article, for top tags and authors
	// (links.go)
	tagLinks, authorLinks linkCache
	// clusters of the articles that share one, for collapsed counts
	clusters clusterCache
	// rankWindow is store.RankWindow, and oneWalkMax store.MaxTotal (see
	// countClusters), but for tests.
	rankWindow, oneWalkMax int
	// noCaches makes Search, Timeline, Top by site and TopStories use
	// SQL for what the caches would answer, for tests that compare the
	// two.
	noCaches bool

	// migrated lists the migrations applied since Open (see Migrated).
	migratedMu sync.Mutex
	migrated   []string
}

var (
	_ store.Store         = (*DB)(nil)
	_ store.Migrator      = (*DB)(nil)
	_ store.LastmodKeeper = (*DB)(nil)
)

// mmapSize is how much of the file a connection maps: SQLite's
// compile-time cap, a little under 2 GiB.
const mmapSize = 2147418112

// dsn is the driver's name for a connection to path: a writer, or a
// query-only reader; params are SQLite URI parameters (mode, immutable)
// for the readers of an archive opened with OpenReadOnly.
func dsn(path string, readOnly bool, params url.Values) string {
	// journal_mode is not set here: the driver applies these pragmas in
	// alphabetical order, and WAL mode must come after page_size (see
	// Open). It is persistent, so later connections inherit it.
	v := url.Values{}
	v.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutSeconds*1000))
	v.Add("_pragma", "foreign_keys(1)")
	v.Add("_pragma", "synchronous(NORMAL)")
	// Memory-mapped reads spare a system call per page; the page cache
	// backs up what the map does not reach.
	v.Add("_pragma", "mmap_size("+strconv.Itoa(mmapSize)+")")
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

// Close checkpoints the write-ahead log and closes both connection pools.
func (db *DB) Close() error {
	textDicts.opened(db, false)
	var errs []error
	db.stmts.Range(func(_, s any) bool {
		errs = append(errs, s.(*sql.Stmt).Close())
		return true
	})
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	if db.w.DB != nil {
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
	applied, err := db.migrate(ctx)
	db.migratedMu.Lock()
	db.migrated = append(db.migrated, applied...)
	db.migratedMu.Unlock()
	return applied, err
}

// Migrated implements store.Migrator.
func (db *DB) Migrated() []string {
	db.migratedMu.Lock()
	defer db.migratedMu.Unlock()
	return slices.Clone(db.migrated)
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
	// A migration may read texts back (herald_inflate, through the
	// article_text view): the archive's text dictionaries must be known
	// to this process first, if it has any yet.
	var dicts int
	if err := db.w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'text_dicts'`).Scan(&dicts); err != nil {
		return nil, fmt.Errorf("migrate %s: %w", db.path, err)
	}
	if dicts > 0 {
		if err := db.loadDicts(ctx, db.w); err != nil {
			return nil, fmt.Errorf("migrate %s: %w", db.path, err)
		}
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
	if sqlschema.MadeNew(applied, ms) {
		if _, err := db.w.ExecContext(ctx, sqlschema.RecordedFromStart); err != nil {
			return applied, fmt.Errorf("migrate %s: %w", db.path, err)
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

// qmark is SQLite's placeholder for sqlschema's statements that give
// each argument once, in order.
func qmark(int) string { return "?" }
