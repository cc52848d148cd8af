package postgres_test

import (
	"context"
	"testing"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
	"github.com/herald-archive/herald/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return pgtest.Open(t) })
}

func TestMigrationsRecordedAndIdempotent(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, db, storetest.Fixture()[:2])
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = postgres.Open(ctx, dsn) // reopening applies nothing twice
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if again, err := db.Migrate(ctx); err != nil || len(again) != 0 {
		t.Fatalf("second Migrate applied %v, %v", again, err)
	}
	applied, err := db.Applied(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := postgres.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != len(ms) || applied[0] != "0001_init.sql" {
		t.Errorf("applied = %v, want the %d embedded migrations", applied, len(ms))
	}
	if _, err := db.Get(ctx, "a1"); err != nil {
		t.Errorf("data lost across reopen: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	for _, dsn := range []string{
		"postgres://nobody@127.0.0.1:1/none?connect_timeout=5", // nothing listens on port 1
		"postgres://%zz",
	} {
		if db, err := postgres.Open(ctx, dsn); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
}

func TestDumpRestore(t *testing.T) {
	storetest.RunDump(t, func(t *testing.T) store.Store { return pgtest.Open(t) })
}
