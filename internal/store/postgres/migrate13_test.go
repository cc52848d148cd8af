package postgres_test

import (
	"context"
	"testing"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// An archive where herald delete left the band rows and author and tag
// links of deleted articles behind (before their rows were deleted with
// them) has them deleted by migration 0013 when it is next opened; the
// rows of the articles still archived stay, and top lists count what is
// archived.
func TestMigrateDeletedLinkRows(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, db, storetest.Fixture())
	raw := postgres.RawDB(db)
	counts := func() (bands, authors, tags int) {
		t.Helper()
		if err := postgres.RawDB(db).QueryRowContext(ctx, `SELECT (SELECT count(*) FROM article_bands),
			(SELECT count(*) FROM article_authors), (SELECT count(*) FROM article_tags)`).Scan(&bands, &authors, &tags); err != nil {
			t.Fatal(err)
		}
		return bands, authors, tags
	}
	b0, a0, t0 := counts()
	if b0 == 0 || a0 == 0 || t0 == 0 {
		t.Fatalf("the fixture has %d band rows, %d author and %d tag links; want some of each", b0, a0, t0)
	}
	top0, err := db.Top(ctx, &query.Query{}, store.TopAuthor, 1)
	if err != nil || len(top0) != 1 {
		t.Fatal(top0, err)
	}
	// The rows of a deleted article (row 999999), as herald delete left
	// them: its author is the most frequent one's.
	for _, q := range []string{
		`INSERT INTO article_bands (band, n) VALUES (1, 999999), (2, 999999)`,
		`INSERT INTO article_authors (n, author_id) SELECT 999999, id FROM authors WHERE name = '` + top0[0].Key + `'`,
		`INSERT INTO article_tags (n, tag_id) SELECT 999999, id FROM tags LIMIT 1`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db = rerunMigration(t, db, dsn, 13)
	applied, err := db.Applied(ctx)
	if err != nil || len(applied) < 13 || applied[12] != "0013_deleted_link_rows.sql" {
		t.Fatalf("applied %v (%v)", applied, err)
	}
	if b, a, tg := counts(); b != b0 || a != a0 || tg != t0 {
		t.Errorf("after the migration: %d band rows, %d author and %d tag links; want the archived articles' %d, %d and %d", b, a, tg, b0, a0, t0)
	}
	if top, err := db.Top(ctx, &query.Query{}, store.TopAuthor, 1); err != nil || len(top) != 1 || top[0] != top0[0] {
		t.Errorf("top author after the migration = %v (%v), want %v", top, err, top0)
	}
}
