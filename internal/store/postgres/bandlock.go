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
// the band hash: bandBuckets of them. A batch whose bands fall in more
// than maxBandLocks buckets (more than two articles: a bulk import) takes
// the schema's whole-archive key exclusively instead, so that no
// transaction holds more than maxBandLocks+1 of them (the server's lock
// table has room for max_locks_per_transaction, 64 by default, times its
// connections), and every smaller one takes that key shared
// before its buckets, so the two kinds exclude each other too. Each
// transaction takes all of its locks in one statement, in one order
// (whole-archive key, then buckets ascending), before any other lock of
// its own, so they cannot deadlock.
const (
	bandBuckets  = 1 << 16
	maxBandLocks = 2 * 21 // two articles' bands (dedupe.NumBands each)
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
