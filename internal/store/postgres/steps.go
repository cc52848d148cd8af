package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/herald-archive/herald/internal/dedupe"
)

// goSteps are the parts of migrations that SQL cannot do, by migration
// version; each runs in its migration's transaction, after its SQL.
var goSteps = map[int]func(ctx context.Context, tx *sql.Tx) error{
	6: unclusterShortTexts,
}

// unclusterShortTexts gives each article whose text is too short to
// identify it (dedupe.Signable is false) its own cluster again, and then
// any article that is left alone in a cluster it does not name. Only the
// members of clusters of two or more are read.
func unclusterShortTexts(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT n, text FROM articles WHERE cluster_id IN
		(SELECT cluster_id FROM articles GROUP BY cluster_id HAVING count(*) > 1)`)
	if err != nil {
		return err
	}
	var short []int64
	for rows.Next() {
		var n int64
		var text string
		if err := rows.Scan(&n, &text); err != nil {
			rows.Close()
			return err
		}
		if !dedupe.Signable(text) {
			short = append(short, n)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(short) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET cluster_id = id WHERE n = ANY($1)`, short); err != nil {
			return fmt.Errorf("short texts: %w", err)
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE articles a SET cluster_id = a.id WHERE a.cluster_id <> a.id
		AND NOT EXISTS (SELECT 1 FROM articles b WHERE b.cluster_id = a.cluster_id AND b.n <> a.n)`)
	return err
}
