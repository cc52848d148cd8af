// Package pgtest gives tests a fresh PostgreSQL archive of their own.
//
// The server is named by $HERALD_TEST_PG, a connection string for a role
// that may create and drop schemas (and a database, for ICUDatabase).
// Without it the tests that need
// PostgreSQL are skipped, unless $CI is "true": CI must run them, so
// there a missing server fails the test instead.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/herald-archive/herald/internal/store/postgres"
)

// Env is the environment variable naming the test server.
const Env = "HERALD_TEST_PG"

// DSN returns the test server's connection string, skipping tb when there
// is none (failing it on CI).
func DSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(Env)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("$%s is not set: CI must run the PostgreSQL tests (see docs/TESTING.md)", Env)
		}
		tb.Skipf("$%s not set: no PostgreSQL server to test against", Env)
	}
	return dsn
}

// Schema creates an empty schema on the test server for tb, dropped with
// everything in it when tb ends (and by a later test if tb dies before
// its cleanup runs), and returns a connection string whose
// search_path selects it. Tests running in parallel each get their own.
func Schema(tb testing.TB) string {
	tb.Helper()
	return SchemaIn(tb, DSN(tb))
}

// SchemaIn is Schema on the database dsn names (one of ICUDatabase's).
func SchemaIn(tb testing.TB, dsn string) string {
	tb.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	name := fmt.Sprintf("%s%d_%s", prefix, time.Now().Unix(), hex.EncodeToString(b))
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	dropStale(ctx, admin)
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+name); err != nil {
		admin.Close()
		tb.Fatalf("create test schema: %v", err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), `DROP SCHEMA `+name+` CASCADE`); err != nil {
			tb.Errorf("drop test schema %s: %v", name, err)
		}
	})
	return WithSearchPath(dsn, name)
}

// icuDatabase is the name of the database ICUDatabase makes.
const icuDatabase = "herald_test_icu"

// ICUDatabase returns a connection string for a database on the test
// server whose default collation is ICU's en-US, as on many installations
// (the test server's own is C), made the first time and kept. A server
// built without ICU skips tb (fails it on CI, as DSN does).
func ICUDatabase(tb testing.TB) string {
	tb.Helper()
	dsn := DSN(tb)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	ctx := context.Background()
	var icu bool
	if err := admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collprovider = 'i')`).Scan(&icu); err != nil {
		tb.Fatal(err)
	}
	if !icu {
		if os.Getenv("CI") == "true" {
			tb.Fatal("the test server has no ICU collations: CI must run the tests that need one")
		}
		tb.Skip("the test server has no ICU collations")
	}
	_, err = admin.ExecContext(ctx, `CREATE DATABASE `+icuDatabase+` TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`)
	if pe := (*pgconn.PgError)(nil); err != nil && !(errors.As(err, &pe) && pe.Code == duplicateDatabase) {
		tb.Fatalf("create a database collating as ICU en-US: %v", err)
	}
	return withDatabase(tb, dsn, icuDatabase)
}

// duplicateDatabase is PostgreSQL's SQLSTATE for a database that exists
// already: made by an earlier run.
const duplicateDatabase = "42P04"

// withDatabase is dsn naming the database name instead of its own.
func withDatabase(tb testing.TB, dsn, name string) string {
	tb.Helper()
	if !strings.Contains(dsn, "://") {
		return dsn + " dbname=" + name
	}
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatalf("$%s: %v", Env, err)
	}
	u.Path = "/" + name
	return u.String()
}

// prefix starts the name of every test schema; the unix time of its
// creation follows.
const prefix = "herald_test_"

// staleAfter is the age at which a test schema is taken for the leftover
// of a test that died before its cleanup (a panic, a timeout, a kill).
const staleAfter = 6 * time.Hour

// dropStale drops the test schemas left behind by tests that died, best
// effort: a failure here only leaves them for the next run.
func dropStale(ctx context.Context, admin *sql.DB) {
	rows, err := admin.QueryContext(ctx, `SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)`, prefix)
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			break
		}
		sec, _, _ := strings.Cut(strings.TrimPrefix(name, prefix), "_")
		if t, err := strconv.ParseInt(sec, 10, 64); err == nil && time.Since(time.Unix(t, 0)) > staleAfter {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		_, _ = admin.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+name+` CASCADE`) // best effort, see above
	}
}

// WithSearchPath returns dsn with its search_path set to schema.
func WithSearchPath(dsn, schema string) string {
	if strings.Contains(dsn, "://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}

// Open opens a fresh archive in a schema of its own (see Schema); the
// caller closes it.
func Open(tb testing.TB) *postgres.DB {
	tb.Helper()
	return OpenIn(tb, DSN(tb))
}

// OpenIn is Open on the database dsn names (one of ICUDatabase's).
func OpenIn(tb testing.TB, dsn string) *postgres.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), SchemaIn(tb, dsn))
	if err != nil {
		tb.Fatal(err)
	}
	return db
}
