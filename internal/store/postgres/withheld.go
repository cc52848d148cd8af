package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

var (
	_ store.Withholder      = (*tx)(nil)
	_ store.WriteFencer     = (*tx)(nil)
	_ store.WithheldLister  = (*DB)(nil)
	_ store.WithheldChecker = (*DB)(nil)
)

// Withhold implements store.Withholder.
func (t *tx) Withhold(ctx context.Context, w store.WithheldArticle) error {
	if t.done {
		return fmt.Errorf("withhold %s: %w", w.URL, sql.ErrTxDone)
	}
	if err := sqlschema.Withhold(ctx, t.tx, w, dollar); err != nil {
		return err
	}
	t.withheld, t.withheldRead = true, true
	return nil
}

// FenceWrites implements store.WriteFencer with the whole-archive key of
// the band locks (bandlock.go), taken exclusively: every transaction that
// stores articles holds that key, shared or exclusive, from before its
// first look at the withheld table until it ends (lockBands, or
// isWithheld when it locked no bands).
func (t *tx) FenceWrites(ctx context.Context) error {
	if t.done {
		return fmt.Errorf("fence writes: %w", sql.ErrTxDone)
	}
	if _, err := t.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(`+bandNamespace+`, $1)`, wholeArchive); err != nil {
		return fmt.Errorf("fence writes: %w", err)
	}
	t.archiveLocked = true
	return nil
}

// isWithheld reports whether Put must refuse id. The transaction asks
// once, at its first Put, whether the archive withholds anything, and
// about each article only if so. Before it asks, it holds the
// whole-archive key (see FenceWrites): a takedown that fenced first has
// committed by then, and one that fences later waits for this
// transaction to end, then deletes what it stored.
func (t *tx) isWithheld(ctx context.Context, id string) (bool, error) {
	if !t.withheldRead {
		if !t.archiveLocked {
			// A separate statement: the question below must be asked
			// after the wait, with what was committed during it.
			if _, err := t.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock_shared(`+bandNamespace+`, $1)`, wholeArchive); err != nil {
				return false, err
			}
			t.archiveLocked = true
		}
		some, err := sqlschema.AnyWithheld(ctx, t.tx)
		if err != nil {
			return false, err
		}
		t.withheld, t.withheldRead = some, true
	}
	if !t.withheld {
		return false, nil
	}
	return sqlschema.IsWithheld(ctx, t.tx, id, dollar)
}

// ListWithheld implements store.WithheldLister.
func (db *DB) ListWithheld(ctx context.Context) ([]store.WithheldArticle, error) {
	return sqlschema.ListWithheld(ctx, db.db)
}

// IsWithheld implements store.WithheldChecker.
func (db *DB) IsWithheld(ctx context.Context, id string) (bool, error) {
	return sqlschema.IsWithheld(ctx, db.db, id, dollar)
}

// Release implements store.WithheldLister.
func (db *DB) Release(ctx context.Context, ids []string) (int, error) {
	return sqlschema.Release(ctx, db.db, ids, dollar)
}
