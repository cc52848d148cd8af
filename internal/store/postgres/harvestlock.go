package postgres

import (
	"context"
	"fmt"

	"github.com/herald-archive/herald/internal/store"
)

var _ store.HarvestLocker = (*DB)(nil)

// LockHarvest implements store.HarvestLocker with a session advisory lock
// keyed by the archive's schema, held on a connection of its own for the
// run: the server releases it when that connection ends, so a harvest
// that dies never leaves it held. Harvests of other schemas (other
// archives) on the same server do not wait for each other.
func (db *DB) LockHarvest(ctx context.Context, _ string) (release func(), err error) {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("harvest lock: %w", err)
	}
	const key = `hashtextextended('herald harvest ' || current_schema(), 0)`
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(`+key+`)`).Scan(&got); err != nil {
		conn.Close()
		return nil, fmt.Errorf("harvest lock: %w", err)
	}
	if !got {
		conn.Close()
		return nil, fmt.Errorf("%w (another process holds its advisory lock on this server)", store.ErrHarvestRunning)
	}
	return func() {
		// Unlocked explicitly: the connection goes back to the pool, and
		// a session lock would outlive the run on it.
		conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(`+key+`)`)
		conn.Close()
	}, nil
}
