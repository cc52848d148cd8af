package postgres

import (
	"context"
	"fmt"
	"slices"
)

// Band locks: two writers storing copies of one story at the same moment
// must not both miss each other. In READ COMMITTED each sees only what
// was committed before its own lookup, so without them both find no
// candidate and both start a cluster. A transaction therefore locks the
// bands of the articles it is about to look up, before the lookup, until
// it commits: near duplicates share at least one band (that is how they
// are found), so the second writer waits for the first to commit and
// then finds its rows. Writers of unrelated articles do not wait for
// each other, beyond the odd shared bucket.
//
// The locks are transaction-scoped advisory locks in the two-key space,
// the first key a hash of the archive's schema (archives in other
// schemas of the database never wait for these), the second a bucket of
// the band hash: bandBuckets of them. A transaction locks the buckets of
// its bands one by one up to maxBandLocks of them, taking the schema's
// whole-archive key shared first; a batch whose bands fall in more
// buckets (a bulk import) takes the whole-archive key exclusively
// instead, so that the two kinds exclude each other too. Each transaction
// takes all of its locks in one statement, in one order (whole-archive
// key, then buckets ascending), before any other lock of its own, so
// they cannot deadlock.
//
// The whole-archive key is also the takedown fence (FenceWrites, taken
// exclusively before a takedown reads anything): a transaction that
// stores articles without locking any band takes it shared at its first
// Put, before it asks whether anything is withheld (isWithheld). That
// comes after PrefetchCandidates when a transaction has both
// (archive.Ingest prefetches first), so none asks for the key
// exclusively while it holds it shared.
//
// Why not lock a bulk import's buckets too: the server keeps every lock
// in one table, sized max_locks_per_transaction (64 by default) times
// max_connections (100) with some slack, and a batch of 5000 articles has
// bands in some 52,000 buckets (PostgreSQL 15 then fails it: out of
// shared memory); and even a batch of 500 has them in 15% of the
// buckets, so that a single article's 21 bands meet one of them 97 times
// in 100 and its writer waits for the batch anyway. Up to maxBandLocks,
// the buckets of a batch of a few dozen articles, a single article meets
// them about a third of the time at most, and the table keeps room for the
// rest (BenchmarkIngestBesideImport measures both).
const (
	bandBuckets = 1 << 16
	// maxBandLocks is harvest.DefaultBatchSize articles' bands
	// (dedupe.NumBands each): a single-process harvest's batch.
	maxBandLocks = 64 * 21
	// wholeArchive is the whole-archive key: no bucket is negative.
	wholeArchive = -1
)

// bandNamespace is the first key of the band locks.
const bandNamespace = `hashtext('herald bands ' || current_schema())`

// lockBands takes the band locks for keys (band hashes as bandArgs
// returns them) until the transaction ends.
func (t *tx) lockBands(ctx context.Context, keys []int64) error {
	if len(keys) == 0 {
		return nil
	}
	buckets := bandBucketKeys(keys)
	var err error
	if len(buckets) > maxBandLocks {
		_, err = t.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(`+bandNamespace+`, $1)`, wholeArchive)
	} else {
		// A function scan yields the array in order, and each row's
		// lock is taken as the row is produced.
		_, err = t.tx.ExecContext(ctx, `SELECT CASE WHEN b = $2 THEN pg_advisory_xact_lock_shared(ns, b)
			ELSE pg_advisory_xact_lock(ns, b) END
			FROM (SELECT `+bandNamespace+` AS ns) s, unnest($1::int4[]) WITH ORDINALITY AS u(b, i) ORDER BY i`,
			append([]int32{wholeArchive}, buckets...), wholeArchive)
	}
	if err != nil {
		return fmt.Errorf("lock bands: %w", err)
	}
	t.archiveLocked = true
	return nil
}

// bandBucketKeys returns the distinct buckets of keys, ascending.
func bandBucketKeys(keys []int64) []int32 {
	out := make([]int32, 0, len(keys))
	for _, k := range keys {
		out = append(out, int32(uint64(k)%bandBuckets))
	}
	slices.Sort(out)
	return slices.Compact(out)
}
