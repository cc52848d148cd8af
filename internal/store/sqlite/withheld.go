package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

var (
	_ store.Withholder      = (*tx)(nil)
	_ store.WithheldLister  = (*DB)(nil)
	_ store.WithheldChecker = (*DB)(nil)
)

// Withhold implements store.Withholder.
func (t *tx) Withhold(ctx context.Context, w store.WithheldArticle) error {
	if t.done {
		return fmt.Errorf("withhold %s: %w", w.URL, sql.ErrTxDone)
	}
	if err := sqlschema.Withhold(ctx, t.tx, w, qmark); err != nil {
		return err
	}
	t.withheld, t.withheldRead = true, true
	return nil
}

// isWithheld reports whether Put must refuse id. The transaction asks
// once, at its first Put, whether the archive withholds anything, and
// about each article only if so (as the PostgreSQL backend does).
func (t *tx) isWithheld(ctx context.Context, id string) (bool, error) {
	if !t.withheldRead {
		some, err := sqlschema.AnyWithheld(ctx, t.tx)
		if err != nil {
			return false, err
		}
		t.withheld, t.withheldRead = some, true
	}
	if !t.withheld {
		return false, nil
	}
	return sqlschema.IsWithheld(ctx, t.tx, id, qmark)
}

// ListWithheld implements store.WithheldLister.
func (db *DB) ListWithheld(ctx context.Context) ([]store.WithheldArticle, error) {
	return sqlschema.ListWithheld(ctx, db.r)
}

// IsWithheld implements store.WithheldChecker.
func (db *DB) IsWithheld(ctx context.Context, id string) (bool, error) {
	return sqlschema.IsWithheld(ctx, db.r, id, qmark)
}

// Release implements store.WithheldLister.
func (db *DB) Release(ctx context.Context, ids []string) (int, error) {
	return sqlschema.Release(ctx, db.w, ids, qmark)
}
