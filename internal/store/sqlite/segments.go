package sqlite

import (
	"context"
	"fmt"

	"github.com/herald-archive/herald/internal/store"
)

var (
	_ store.Optimizer = (*DB)(nil)
	_ store.Tidier    = (*DB)(nil)
)

// The full-text index is a set of segments (b-trees). Each write
// transaction adds one; FTS5 merges four of a size ("level") into one of
// the next, so an archive built or harvested in many transactions keeps
// up to three per level, ten or so on a million articles. A search looks
// a word up in every segment, and the plan that probes the index article
// by article (words with selective filters) seeks in every segment per
// article, so it costs about twice as much on ten segments as on one.
//
// Two ways to fewer segments:
//   - FTS5's 'optimize' merges all of them into one. It rewrites the
//     whole index (31-43 s on a million articles), in one transaction that
//     holds the write lock throughout.
//   - Tidy merges segments of the same level two at a time, in steps of
//     tidyPages leaf pages, each step a transaction of its own. A merge
//     puts its output one level up, so new segments combine like the
//     carries of a binary counter and join a much larger segment only once
//     they have grown to a good share of it: each page is rewritten a
//     logarithmic number of times, as with automerge, and the count stays
//     at a few segments. After 50,000 articles imported into a merged
//     million it merged the new segments in 1.2 s and left two, where
//     'optimize' took 43 s. On a million articles built in batches it
//     ends with one segment, like 'optimize', at a higher cost in all
//     (57 s) but never holding the lock for more than a step (1.6 s).

// tidyPages is how many leaf pages of merged index one Tidy step writes:
// about 8 MiB, a fraction of a second.
var tidyPages = 2000

// IndexSegments returns the number of segments in the full-text index.
func (db *DB) IndexSegments(ctx context.Context) (int, error) {
	sizes, err := db.segmentSizes(ctx)
	return len(sizes), err
}

// segmentSizes returns the size of each full-text index segment, as its
// number of rows in article_fts_idx (one per leaf page that starts a
// term), in no particular order.
func (db *DB) segmentSizes(ctx context.Context) ([]int64, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT count(*) FROM article_fts_idx GROUP BY segid`)
	if err != nil {
		return nil, fmt.Errorf("index segments: %w", err)
	}
	defer rows.Close()
	var sizes []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("index segments: %w", err)
		}
		sizes = append(sizes, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("index segments: %w", err)
	}
	return sizes, nil
}

// dominated reports whether one segment holds at least half of the
// index, so that merging the others is far cheaper than rewriting it.
func dominated(sizes []int64) bool {
	var sum, largest int64
	for _, n := range sizes {
		sum += n
		largest = max(largest, n)
	}
	return len(sizes) > 1 && 2*largest >= sum
}

// Optimize implements store.Optimizer, after a bulk import. When one
// segment of the full-text index holds at least half of it (an import
// into a larger archive), it merges the others (Tidy); otherwise it
// merges the whole index into one segment with FTS5's 'optimize', in one
// transaction. Then it refreshes the query planner's statistics.
func (db *DB) Optimize(ctx context.Context) error {
	sizes, err := db.segmentSizes(ctx)
	if err != nil {
		return fmt.Errorf("optimize %s: %w", db.path, err)
	}
	if dominated(sizes) {
		return db.Tidy(ctx)
	}
	qs := []string{"PRAGMA optimize"}
	if len(sizes) > 1 {
		qs = append([]string{"INSERT INTO article_fts (article_fts) VALUES ('optimize')"}, qs...)
	}
	for _, q := range qs {
		if _, err := db.w.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("optimize %s: %w", db.path, err)
		}
	}
	return nil
}

// Tidy implements store.Tidier: it merges the full-text index's
// segments of the same level until no level has two, in steps of
// tidyPages pages, each its own write transaction so that other writers
// get their turn between steps, then refreshes the query planner's
// statistics. With one segment or none it only does the latter. A
// cancelled ctx stops it between steps; the index stays whole.
func (db *DB) Tidy(ctx context.Context) error {
	n, err := db.IndexSegments(ctx)
	if err != nil {
		return fmt.Errorf("tidy %s: %w", db.path, err)
	}
	if n > 1 {
		// 'merge' with a positive page count merges a level once it
		// has usermerge segments (4 by default); a setting of the
		// index, read only by this command.
		if _, err := db.w.ExecContext(ctx, `INSERT INTO article_fts (article_fts, rank) VALUES ('usermerge', 2)`); err != nil {
			return fmt.Errorf("tidy %s: %w", db.path, err)
		}
		for {
			worked, err := db.mergeStep(ctx)
			if err != nil {
				return fmt.Errorf("tidy %s: %w", db.path, err)
			}
			if !worked {
				break
			}
		}
	}
	if _, err := db.w.ExecContext(ctx, "PRAGMA optimize"); err != nil {
		return fmt.Errorf("tidy %s: %w", db.path, err)
	}
	return nil
}

// mergeStep runs one 'merge' of tidyPages pages in a transaction of its
// own and reports whether it merged anything: FTS5 documents that a
// merge with nothing to do changes fewer than two rows.
func (db *DB) mergeStep(ctx context.Context) (bool, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var before, after int64
	if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO article_fts (article_fts, rank) VALUES ('merge', ?)`, tidyPages); err != nil {
		return false, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after); err != nil {
		return false, err
	}
	return after-before >= 2, tx.Commit()
}
