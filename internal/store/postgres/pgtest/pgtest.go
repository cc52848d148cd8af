// Package pgtest gives tests a fresh PostgreSQL archive of their own.
//
// The server is named by $HERALD_TEST_PG, a connection string for a role
// that may create and drop schemas. Without it the tests that need
// PostgreSQL are skipped, unless $CI is "true": CI must run them, so
// there a missing server fails the test instead.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

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
// everything in it when tb ends, and returns a connection string whose
// search_path selects it. Tests running in parallel each get their own.
func Schema(tb testing.TB) string {
	tb.Helper()
	dsn := DSN(tb)
	b := make([]byte, 6)
	rand.Read(b)
	name := "herald_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
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
	db, err := postgres.Open(context.Background(), Schema(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return db
}
