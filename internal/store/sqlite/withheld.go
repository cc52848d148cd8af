package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

var (
	_ store.Withholder     = (*tx)(nil)
	_ store.WithheldLister = (*DB)(nil)
)

// qmark is the placeholder of sqlschema's statements in SQLite.
func qmark(int) string { return "?" }

// Withhold implements store.Withholder.
func (t *tx) Withhold(ctx context.Context, w store.WithheldArticle) error {
	if t.done {
		return fmt.Errorf("withhold %s: %w", w.URL, sql.ErrTxDone)
	}
	if err := sqlschema.Withhold(ctx, t.tx, w, qmark); err != nil {
		return err
	}
	t.withheld = true
	return nil
}

// isWithheld reports whether Put must refuse id: asked only when the
// archive withholds anything (read at Begin) or this transaction
// withheld something.
func (t *tx) isWithheld(ctx context.Context, id string) (bool, error) {
	if !t.withheld {
		return false, nil
	}
	return sqlschema.IsWithheld(ctx, t.tx, id, qmark)
}

// ListWithheld implements store.WithheldLister.
func (db *DB) ListWithheld(ctx context.Context) ([]store.WithheldArticle, error) {
	return sqlschema.ListWithheld(ctx, db.r)
}

// Release implements store.WithheldLister.
func (db *DB) Release(ctx context.Context, ids []string) (int, error) {
	return sqlschema.Release(ctx, db.w, ids, qmark)
}
