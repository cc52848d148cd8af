// Package postgres is Herald's PostgreSQL archive backend, for archives
// that outgrow one machine or are written by several workers at once. It
// implements store.Store and passes the same conformance suite as the
// SQLite backend, with the same search semantics: the same articles match
// a query, in the same order when sorted by date, with the same paging,
// collapsing, timelines, Top lists and Scan order.
//
// It talks to the server through database/sql with pgx's driver
// (pgx/v5/stdlib) rather than pgx's native interface and pgxpool: the
// rest of Herald's SQL is database/sql, so both backends read alike and
// share habits (one pool, explicit transactions, rows scanned the same
// way); its pool and transactions are all this package needs; and pgx
// still encodes the arguments, arrays included, which is what the bulk
// writes rely on (one statement writes an article's row, its author and
// tag links and its band hashes). The price is a conversion layer per
// row, small beside the server's work.
//
// The schema is a series of numbered SQL files embedded from migrations/,
// applied in order on Open (under an advisory lock, so that workers
// starting together do not race) and recorded in schema_migrations. The
// tables live in the connection's current schema (search_path), so one
// database can hold several archives.
//
// Full-text search uses a tsvector column with a GIN index. The vector is
// built in Go with the tokenisation of SQLite's FTS5 unicode61 tokenizer
// with diacritics removed, and each Han or kana character a word of its
// own as the SQLite backend indexes it (package fulltext, which both
// backends share; tokenize.go builds the vectors), queries become tsquery
// literals with the same words, and so both backends match alike;
// matching is not stemmed, as in SQLite. Relevance is ts_rank over field
// weights (title highest, then description and tags, authors, text) with
// length normalisation, over a second vector that PostgreSQL stems with
// the text search configuration of the article's language where it has
// one (so "election" also counts "elections"), else over the matching
// vector: close to SQLite's bm25 in spirit, but without a word's rarity
// and with stems, so relevance orders may differ between backends; date
// orders never do. Snippets are cut in Go from the page's texts.
//
// Several transactions may write at once; a Put locks the article row it
// changes. The package does not parse queries; it translates the tree
// from internal/query.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/fulltext"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a PostgreSQL archive. It implements store.Store.
type DB struct {
	db *sql.DB
	// dict writes dictionary rows (sites, authors, tags) outside the
	// write transactions; see dictID.
	dict *sql.DB

	// unicodeLower is the collation clause under which lower() folds
	// every letter as Go's strings.ToLower does (the article columns are
	// COLLATE "C", which folds A-Z only): see sectionCollation.
	unicodeLower string

	// authorKeys is the authors' folded names, for author: filters.
	authorKeys fulltext.AuthorIndex

	// dictionary caches (host, author or tag norm → id) of committed rows.
	mu      sync.Mutex
	sites   map[string]int64
	authors map[string]int64
	tags    map[string]int64

	// migrated lists the migrations applied since Open (see Migrated).
	migratedMu sync.Mutex
	migrated   []string
}

var (
	_ store.Store         = (*DB)(nil)
	_ store.Migrator      = (*DB)(nil)
	_ store.Optimizer     = (*DB)(nil)
	_ store.ClusterLister = (*DB)(nil)
	_ store.EntryPreparer = (*DB)(nil)
	_ store.Pinger        = (*DB)(nil)
	_ store.LastmodKeeper = (*DB)(nil)
)

// Ping implements store.Pinger: it checks that the server answers, on a
// connection of the pool (a new one when those held were broken by a
// restart).
func (db *DB) Ping(ctx context.Context) error {
	if err := db.db.PingContext(ctx); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// Open connects to the database named by dsn (a postgres:// URL or a
// libpq key=value string; search_path selects the schema), checks that
// the server answers, and applies pending migrations.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: bad connection string: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(maxConns)
	pool.SetMaxIdleConns(maxConns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s:%d: %w", cfg.Host, cfg.Port, err)
	}
	dictCfg := cfg.Copy()
	dictCfg.RuntimeParams["synchronous_commit"] = "off"
	dict := stdlib.OpenDB(*dictCfg)
	dict.SetMaxOpenConns(2)
	db := &DB{db: pool, dict: dict, sites: map[string]int64{}, authors: map[string]int64{}, tags: map[string]int64{}}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.unicodeLower, err = sectionCollation(ctx, pool); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return db, nil
}

// sectionCollation returns the COLLATE clause for comparing sections
// case-insensitively beyond ASCII, as the SQLite backend does in Go
// (section:Économie, section:мир): the C library's "C.utf8" collation
// where the server has one (its lower() maps each letter as Go's
// strings.ToLower does; ICU's would give a final sigma), else the
// database's default collation.
func sectionCollation(ctx context.Context, q *sql.DB) (string, error) {
	var name string
	err := q.QueryRowContext(ctx, `SELECT collname FROM pg_collation
		WHERE collname IN ('C.utf8', 'C.UTF-8') AND collprovider = 'c' ORDER BY collname LIMIT 1`).Scan(&name)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ` COLLATE "default"`, nil
	case err != nil:
		return "", fmt.Errorf("collations: %w", err)
	}
	return ` COLLATE "` + name + `"`, nil
}

// maxConns bounds the connections one DB opens.
const maxConns = 16

// Close closes the connection pool.
func (db *DB) Close() error {
	if err := errors.Join(db.db.Close(), db.dict.Close()); err != nil {
		return fmt.Errorf("postgres: close: %w", err)
	}
	return nil
}

// Migration is one schema step.
type Migration = sqlschema.Migration

// Migrations returns the embedded migrations in order.
func Migrations() ([]Migration, error) {
	return sqlschema.ReadMigrations(migrations, "migrations")
}

// migrateLock is the advisory lock key held while migrating.
const migrateLock = 0x4845524c44 // "HERLD"

// Migrate implements store.Migrator: it applies the migrations not yet
// recorded in schema_migrations, each in its own transaction, and
// returns the names of those it applied.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	var applied []string
	defer func() {
		db.migratedMu.Lock()
		db.migrated = append(db.migrated, applied...)
		db.migratedMu.Unlock()
	}()
	for _, m := range ms {
		done, err := db.applyMigration(ctx, m)
		if err != nil {
			return applied, fmt.Errorf("migrate: %s: %w", m.Name, err)
		}
		if done {
			applied = append(applied, m.Name)
		}
	}
	if sqlschema.MadeNew(applied, ms) {
		if _, err := db.db.ExecContext(ctx, sqlschema.RecordedFromStart); err != nil {
			return applied, fmt.Errorf("migrate: %w", err)
		}
	}
	return applied, nil
}

// Migrated implements store.Migrator.
func (db *DB) Migrated() []string {
	db.migratedMu.Lock()
	defer db.migratedMu.Unlock()
	return slices.Clone(db.migrated)
}

func (db *DB) applyMigration(ctx context.Context, m Migration) (bool, error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	// Transaction-level: released at commit or rollback.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrateLock)); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return false, err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, err
	}
	if step := goSteps[m.Version]; step != nil {
		if err := step(ctx, tx); err != nil {
			return false, err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// Applied implements store.Migrator.
func (db *DB) Applied(ctx context.Context) ([]string, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY version`)
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

// Optimize implements store.Optimizer: VACUUM ANALYZE of the article
// tables, which folds the GIN index's pending list into the index and
// refreshes the planner's statistics. Run it after a bulk import.
func (db *DB) Optimize(ctx context.Context) error {
	for _, t := range []string{"articles", "article_bands", "article_authors", "article_tags", "sites", "authors", "tags"} {
		if _, err := db.db.ExecContext(ctx, "VACUUM (ANALYZE) "+t); err != nil {
			return fmt.Errorf("optimize: %s: %w", t, err)
		}
	}
	return nil
}

// isUnique reports whether err is a unique-constraint violation.
func isUnique(err error) bool {
	var pe interface{ SQLState() string }
	return errors.As(err, &pe) && pe.SQLState() == "23505"
}

// Usage is the space one table (with its indexes and TOAST data) takes.
type Usage struct {
	Name  string
	Bytes int64
}

// Space returns the space each table of the archive takes, largest
// first, indexes counted with their table.
func (db *DB) Space(ctx context.Context) ([]Usage, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT c.relname, pg_total_relation_size(c.oid) AS b FROM pg_class c
		JOIN pg_namespace ns ON ns.oid = c.relnamespace
		WHERE ns.nspname = current_schema() AND c.relkind = 'r' ORDER BY b DESC`)
	if err != nil {
		return nil, fmt.Errorf("space: %w", err)
	}
	defer rows.Close()
	var out []Usage
	for rows.Next() {
		var u Usage
		if err := rows.Scan(&u.Name, &u.Bytes); err != nil {
			return nil, fmt.Errorf("space: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("space: %w", err)
	}
	return out, nil
}

// DataDirectory returns the server's data directory, when the role may
// see it (superusers and pg_read_all_settings), else "".
func (db *DB) DataDirectory(ctx context.Context) string {
	var dir string
	if err := db.db.QueryRowContext(ctx, `SELECT current_setting('data_directory')`).Scan(&dir); err != nil {
		return ""
	}
	return dir
}

// dollar is PostgreSQL's placeholder for sqlschema's statements: $i.
func dollar(i int) string { return fmt.Sprintf("$%d", i) }
