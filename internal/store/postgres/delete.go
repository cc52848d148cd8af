package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/herald-archive/herald/internal/store"
)

var _ store.Deleter = (*tx)(nil)

// Delete implements store.Deleter: the article's row goes, and with it
// (ON DELETE CASCADE) its versions, links and band rows; its full-text
// vectors are columns of the row. The other members of its cluster keep
// the cluster's id. The near-duplicate candidates read ahead may name
// the article: they are dropped.
func (t *tx) Delete(ctx context.Context, id string) error {
	if t.done {
		return fmt.Errorf("delete %s: %w", id, sql.ErrTxDone)
	}
	var size int64
	err := t.tx.QueryRowContext(ctx, `DELETE FROM articles WHERE id = $1 RETURNING text_bytes`, id).Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("delete %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("delete %s: %w", id, err)
	}
	t.textDelta -= size
	t.ahead, t.written = nil, nil
	return nil
}
