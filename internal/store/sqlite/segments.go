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
// Two ways to fewer segments, both in steps of tidyPages leaf pages,
// each step a write transaction of its own, so that other writers (a
// harvest beside herald serve) get their turn between steps:
//   - MergeIndex merges all segments into one (FTS5's incremental
//     optimize: a 'merge' with a negative page count starts it). It
//     rewrites the whole index: 33 s on a million articles, as long as
//     FTS5's one-statement 'optimize' (31-43 s), which holds the write
//     lock throughout; no step took more than 3 s.
//   - Tidy merges segments of the same level two at a time. A merge puts
//     its output one level up, so new segments combine like the carries
//     of a binary counter and join a much larger segment only once they
//     have grown to a good share of it: each page is rewritten a
//     logarithmic number of times, as with automerge, and the count stays
//     at a few segments. After 50,000 articles imported into a merged
//     million it merged the new segments in 1.2 s and left two, where a
//     full merge took 43 s. On a million articles built in batches it
//     ends with one segment too, at a higher cost in all (57 s).
//
// Two segments still cost more than one for the probing plan (word +
// site + dates on a million articles: p50 44 ms against 30), which is
// what herald optimize (MergeIndex) is for.

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

// Optimize implements store.Optimizer, after a bulk import: when one
// segment of the full-text index holds at least half of it (an import
// into a larger archive) it merges the others (Tidy), else it merges all
// (MergeIndex).
func (db *DB) Optimize(ctx context.Context) error {
	return db.mergeSegments(ctx, "optimize", func(sizes []int64) int {
		if dominated(sizes) {
			return tidyPages
		}
		return -tidyPages
	})
}

// MergeIndex merges the full-text index into one segment, in steps (see
// above), and refreshes the query planner's statistics. A cancelled ctx
// stops it between steps; the index stays whole, and a later MergeIndex
// or Tidy goes on with the merge.
func (db *DB) MergeIndex(ctx context.Context) error {
	return db.mergeSegments(ctx, "merge index", func([]int64) int { return -tidyPages })
}

// Tidy implements store.Tidier: it merges the full-text index's
// segments of the same level until no level has two, in steps (see
// above), and refreshes the query planner's statistics. A cancelled ctx
// stops it between steps; the index stays whole.
func (db *DB) Tidy(ctx context.Context) error {
	return db.mergeSegments(ctx, "tidy", func([]int64) int { return tidyPages })
}

// mergeSegments reads the segments' sizes and merges them (merge), the
// first step of first(sizes) pages; what names the job in errors.
func (db *DB) mergeSegments(ctx context.Context, what string, first func(sizes []int64) int) error {
	sizes, err := db.segmentSizes(ctx)
	if err == nil {
		err = db.merge(ctx, len(sizes), first(sizes))
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, db.path, err)
	}
	return nil
}

// merge runs 'merge' steps on an index of n segments while they find
// work, the first with first pages (negative: merge everything, as
// MergeIndex; positive: segments of a level, as Tidy), the others with
// tidyPages, then PRAGMA optimize. With one segment or none only the
// latter.
func (db *DB) merge(ctx context.Context, n, first int) error {
	if n > 1 {
		// A 'merge' with a positive page count merges a level once it
		// has usermerge segments (4 by default), or goes on with a merge
		// begun before; the setting is the index's, read only by this
		// command.
		if _, err := db.w.ExecContext(ctx, `INSERT INTO article_fts (article_fts, rank) VALUES ('usermerge', 2)`); err != nil {
			return err
		}
		for pages := first; ; pages = tidyPages {
			worked, err := db.mergeStep(ctx, pages)
			if err != nil {
				return err
			}
			if !worked {
				break
			}
		}
	}
	if _, err := db.w.ExecContext(ctx, "PRAGMA optimize"); err != nil {
		return err
	}
	return db.releaseFreePages(ctx)
}

// FileSpace is the size of an archive file and the free pages in it.
type FileSpace struct {
	Pages     int64 // the file's pages, the free ones included
	FreePages int64 // pages no table uses
	PageSize  int64 // bytes
	// Releasing is whether merges hand free pages back to the system
	// (incremental auto-vacuum, set on every file Herald has made since
	// merges release free pages). Archives made before keep their free pages for later writes;
	// only rewriting the file (herald migrate-archive into a new one)
	// makes it smaller.
	Releasing bool
}

// FileSpace returns the archive file's size and free pages.
func (db *DB) FileSpace(ctx context.Context) (FileSpace, error) {
	var sp FileSpace
	var mode int
	for _, p := range []struct {
		name string
		v    any
	}{{"page_count", &sp.Pages}, {"freelist_count", &sp.FreePages}, {"page_size", &sp.PageSize}, {"auto_vacuum", &mode}} {
		if err := db.r.QueryRowContext(ctx, "PRAGMA "+p.name).Scan(p.v); err != nil {
			return FileSpace{}, fmt.Errorf("file space of %s: %w", db.path, err)
		}
	}
	sp.Releasing = mode != 0 // 2, incremental; 1 (full) releases at every commit
	return sp, nil
}

// releasePages is how many free pages one releaseFreePages step hands
// back: 32 MiB, a fraction of a second.
var releasePages = 2048

// releaseFreePages shrinks the file by the pages that merges and
// deletions left free, in steps of releasePages, each a write
// transaction of its own (PRAGMA incremental_vacuum moves pages from the
// end of the file into the free ones and truncates it). Archives made
// before incremental auto-vacuum was set on new files (auto_vacuum 0)
// keep their free pages for later writes: only a VACUUM could change
// that, rewriting the whole file. A cancelled ctx stops it between steps.
func (db *DB) releaseFreePages(ctx context.Context) error {
	var mode int
	if err := db.w.QueryRowContext(ctx, "PRAGMA auto_vacuum").Scan(&mode); err != nil || mode != 2 {
		return err
	}
	last := -1
	for {
		var free int
		if err := db.w.QueryRowContext(ctx, "PRAGMA freelist_count").Scan(&free); err != nil {
			return err
		}
		if free == 0 || free == last { // done, or nothing more to move
			return nil
		}
		last = free
		if _, err := db.w.ExecContext(ctx, fmt.Sprintf("PRAGMA incremental_vacuum(%d)", min(free, releasePages))); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// mergeStep runs one 'merge' of pages pages in a transaction of its own
// and reports whether it merged anything: FTS5 documents that a merge
// with nothing to do changes fewer than two rows.
func (db *DB) mergeStep(ctx context.Context, pages int) (bool, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var before, after int64
	if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO article_fts (article_fts, rank) VALUES ('merge', ?)`, pages); err != nil {
		return false, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after); err != nil {
		return false, err
	}
	return after-before >= 2, tx.Commit()
}
