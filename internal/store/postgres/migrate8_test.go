package postgres_test

import (
	"context"
	"testing"

	"github.com/herald-archive/herald/internal/store/postgres"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// An archive whose imported records kept stray white space in their
// single-line fields (a section " World "), as Herald stored them before
// the archive tidied records, has them made one line in migration 0008
// when it is next opened. The search vectors, which the migration leaves
// alone, are those of the tidied fields.
func TestMigrateOneLineFields(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, db, storetest.UntidyLines())
	if r, err := db.Get(ctx, "w1"); err != nil || r.Section != " World " {
		t.Fatalf("before the migration: %+v %v", r, err)
	}
	db = rerunMigration(t, db, dsn, 8)
	applied, err := db.Applied(ctx)
	if err != nil || len(applied) < 8 || applied[7] != "0008_one_line_fields.sql" {
		t.Fatalf("applied %v (%v)", applied, err)
	}
	storetest.CheckLinesTidied(t, db)
	rows, err := postgres.RawDB(db).QueryContext(ctx, `SELECT id, title, description, authors, tags, text, tsv::text FROM articles`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, title, desc, authors, tags, text, tsv string
		if err := rows.Scan(&id, &title, &desc, &authors, &tags, &text, &tsv); err != nil {
			t.Fatal(err)
		}
		var want string
		if err := postgres.RawDB(db).QueryRowContext(ctx, `SELECT $1::tsvector::text`,
			postgres.Vector(title, desc, authors, tags, text)).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if tsv != want {
			t.Errorf("%s: search vector %s, want that of the tidied fields %s", id, tsv, want)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
