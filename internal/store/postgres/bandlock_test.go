package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
)

// TestBatchLocksOnlyItsBands: a transaction storing a batch of a few
// articles (a small import, a single-process harvest's batch) holds the
// buckets of its bands only, not the whole archive: a writer of an
// unrelated article meanwhile goes through without waiting for it, while
// one whose article shares a band waits for it to end, as before. A
// batch whose bands fall in more buckets than a transaction locks one by
// one (a bulk import) still holds the whole archive.
func TestBatchLocksOnlyItsBands(t *testing.T) {
	ctx := context.Background()
	db := pgtest.Open(t)
	defer db.Close()
	const numBands = 21
	// articles returns n band lists of an article each, all in buckets
	// from first on, one bucket a band.
	articles := func(first, n int) [][]uint64 {
		var out [][]uint64
		for i := range n {
			var l []uint64
			for j := range numBands {
				l = append(l, uint64(first+i*numBands+j)+3<<16) // the bucket is the band mod 65536
			}
			out = append(out, l)
		}
		return out
	}
	prefetch := func(tx store.Tx, lists [][]uint64) error {
		return tx.(store.CandidatePrefetcher).PrefetchCandidates(ctx, lists)
	}
	// waiting says whether a transaction of this archive waits for one of
	// its band locks (the first key names the archive's schema, so other
	// archives on the server do not count).
	waiting := func() bool {
		var n int
		err := postgres.RawDB(db).QueryRowContext(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
			AND NOT granted AND objsubid = 2 AND classid = hashtext('herald bands ' || current_schema())::oid`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
	// waitsFor stores (prefetches) one article's bands while batch holds
	// its locks, and reports whether it had to wait for batch to end.
	waitsFor := func(batch [][]uint64, article []uint64) bool {
		t.Helper()
		held, err := db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer held.Rollback()
		if err := prefetch(held, batch); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			tx, err := db.Begin(ctx)
			if err == nil {
				err = prefetch(tx, [][]uint64{article})
				tx.Rollback()
			}
			done <- err
		}()
		for {
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
				return false
			default:
			}
			if waiting() {
				held.Rollback()
				if err := <-done; err != nil {
					t.Fatal(err)
				}
				return true
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	batch := articles(0, 10)
	if waitsFor(batch, articles(5000, 1)[0]) {
		t.Error("storing an unrelated article waited for a batch of 10 to commit")
	}
	shared := articles(5000, 1)[0]
	shared[7] = batch[3][2]
	if !waitsFor(batch, shared) {
		t.Error("storing an article that shares a band with a batch did not wait for the batch")
	}
	big := articles(0, postgres.MaxBandLocks/numBands+1)
	if !waitsFor(big, articles(40000, 1)[0]) {
		t.Errorf("a batch of %d articles (over %d buckets) did not hold the whole archive", len(big), postgres.MaxBandLocks)
	}
}
