package postgres_test

import (
	"context"
	"testing"

	"github.com/herald-archive/herald/internal/store/postgres"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// An archive with the short-text clusters of Herald before December 2026
// loses them in migration 0006 (steps.go) when it is next opened.
func TestMigrateShortTextClusters(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, db, storetest.ShortClusters())
	var clusters int
	if err := postgres.RawDB(db).QueryRowContext(ctx, `SELECT count(DISTINCT cluster_id) FROM articles`).Scan(&clusters); err != nil || clusters != 4 {
		t.Fatalf("before the migration: %d clusters (%v), want the old 4", clusters, err)
	}
	db = rerunMigration(t, db, dsn, 6)
	storetest.CheckShortClustersRepaired(t, db)
}
