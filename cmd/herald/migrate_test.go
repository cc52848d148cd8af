package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/store/postgres"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
	"github.com/herald-archive/herald/internal/store/sqlite"
)

// herald migrate says what it did: created the archive (from nothing or
// an empty file), brought it up to date (naming the migrations applied
// now), or found it up to date, with the schema version each time.
func TestMigrateSaysWhatItDid(t *testing.T) {
	ms, err := sqlite.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	n := len(ms)
	dir := t.TempDir()
	fresh := filepath.Join(dir, "new.db")
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o644)
	for _, path := range []string{fresh, empty} {
		out, stderr, code := herald(t, "", "--db", path, "migrate")
		want := fmt.Sprintf("created archive at %s, schema version %d (%d migrations applied)\n", path, n, n)
		if code != 0 || !strings.HasPrefix(out, want) || strings.Contains(out, "(applied now)") {
			t.Errorf("migrate %s: exit %d, want %q first\n%s%s", filepath.Base(path), code, want, out, stderr)
		}
	}
	out, stderr, code := herald(t, "", "--db", fresh, "migrate")
	want := fmt.Sprintf("%s: schema up to date, version %d (%d migrations applied)\n  %s\n", fresh, n, n, ms[0].Name)
	if code != 0 || !strings.HasPrefix(out, want) {
		t.Errorf("migrate again: exit %d, want %q first\n%s%s", code, want, out, stderr)
	}

	// An archive from before migration 14 (which can run again) is
	// brought up to date.
	raw, err := sql.Open("sqlite", "file:"+fresh)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(context.Background(), `DELETE FROM schema_migrations WHERE version = 14`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	out, stderr, code = herald(t, "", "--db", fresh, "migrate")
	want = fmt.Sprintf("%s: schema brought up to date, version %d (1 of %d migrations applied now)\n", fresh, n, n)
	if code != 0 || !strings.HasPrefix(out, want) || !strings.Contains(out, "  "+ms[13].Name+"  (applied now)\n") ||
		strings.Count(out, "(applied now)") != 1 {
		t.Errorf("migrate an older archive: exit %d, want %q first and %s marked\n%s%s", code, want, ms[13].Name, out, stderr)
	}
}

// The same on PostgreSQL: an empty schema is created.
func TestMigrateSaysWhatItDidPostgres(t *testing.T) {
	pg := pgtest.Schema(t)
	ms, err := postgres.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	n := len(ms)
	out, stderr, code := herald(t, "", "--db", pg, "migrate")
	want := fmt.Sprintf("created archive in %s, schema version %d (%d migrations applied)\n", archiveName(pg), n, n)
	if code != 0 || !strings.HasPrefix(out, want) {
		t.Errorf("migrate: exit %d, want %q first\n%s%s", code, want, out, stderr)
	}
	out, stderr, code = herald(t, "", "--db", pg, "migrate")
	want = fmt.Sprintf("%s: schema up to date, version %d (%d migrations applied)\n", archiveName(pg), n, n)
	if code != 0 || !strings.HasPrefix(out, want) {
		t.Errorf("migrate again: exit %d, want %q first\n%s%s", code, want, out, stderr)
	}
}
