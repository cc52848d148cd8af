package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/archive"
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

// Several writers at once, as a fleet of workers writes: different
// articles sharing sites, authors and tags, and the same articles written
// by every writer. Nothing is stored twice and nothing fails.
func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	db := pgtest.Open(t)
	defer db.Close()
	g := storetest.NewGenerator(5)
	var recs []*store.Record
	for range 400 {
		r := g.Next().Record
		r.ID, r.ContentHash, r.ClusterID = "", "", ""
		recs = append(recs, r)
	}
	const writers = 4
	errs := make(chan error, writers)
	for w := range writers {
		go func() {
			var err error
			// Each writer's own quarter, in small batches, then everything.
			mine := recs[w*100 : (w+1)*100]
			for lo := 0; lo < len(mine) && err == nil; lo += 10 {
				_, err = archive.Ingest(ctx, db, cloneRecords(mine[lo:lo+10]))
			}
			for lo := 0; lo < len(recs) && err == nil; lo += 50 {
				_, err = archive.Ingest(ctx, db, cloneRecords(recs[lo:lo+50]))
			}
			errs <- err
		}()
	}
	for range writers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]bool{}
	for _, r := range cloneRecords(recs) {
		e, err := archive.Prepare(r, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		ids[e.Record.ID] = true
	}
	st, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Articles != len(ids) || st.Versions != 0 {
		t.Errorf("after concurrent writes: %d articles, %d versions; want %d and 0", st.Articles, st.Versions, len(ids))
	}
	// The same again, from one writer, changes nothing.
	res, err := archive.Ingest(ctx, db, cloneRecords(recs))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Outcome != store.Unchanged {
			t.Fatalf("re-ingest of %s: %v", r.ID, r.Outcome)
		}
	}
}

func cloneRecords(recs []*store.Record) []*store.Record {
	out := make([]*store.Record, len(recs))
	for i, r := range recs {
		c := *r
		c.Authors = append([]string(nil), r.Authors...)
		c.Tags = append([]string(nil), r.Tags...)
		out[i] = &c
	}
	return out
}

// rerunMigration forgets that migration version ran on the archive at
// dsn, closes db and opens the archive again, which runs it; the archive
// opened is closed when the test ends.
func rerunMigration(t *testing.T, db *postgres.DB, dsn string, version int) *postgres.DB {
	t.Helper()
	if _, err := postgres.RawDB(db).ExecContext(context.Background(), `DELETE FROM schema_migrations WHERE version = $1`, version); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
