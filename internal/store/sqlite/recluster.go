package sqlite

import (
	"context"
	"fmt"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

var _ store.ClusterMover = (*tx)(nil)

// JoinCluster implements store.ClusterMover. The article's keys row is
// marked with the cluster's first member (which is marked too if it was
// alone) and its full-text row gets the dup marker, as for a new article
// joining (joinCluster); counters.dates_version is bumped below
// marksKept, so that the cluster cache of every process sharing the
// archive loads whole (see clusterCache).
func (t *tx) JoinCluster(ctx context.Context, id, cluster string) error {
	n, err := sqlschema.Joinable(ctx, t.tx, func(i int) string { return fmt.Sprintf("?%d", i) }, id, cluster)
	if err != nil {
		return err
	}
	// Out of the full-text index with the values it was indexed with
	// (no dup marker), before its keys change.
	row, err := t.unindex(ctx, n)
	if err != nil {
		return fmt.Errorf("join cluster: %w", err)
	}
	t.pending[n] = row // back in at commit, whatever happens next
	mark, err := t.joinCluster(ctx, cluster)
	if err != nil {
		return fmt.Errorf("join cluster: %w", err)
	}
	if _, err := t.exec(ctx, `UPDATE articles SET cluster_id = ?, changed = `+nowMillis+` WHERE n = ?`, cluster, n); err != nil {
		return fmt.Errorf("join cluster: %w", err)
	}
	if _, err := t.exec(ctx, `UPDATE article_keys SET cluster = ? WHERE n = ?`, mark, n); err != nil {
		return fmt.Errorf("join cluster: %w", err)
	}
	row.dup = "x"
	t.pending[n] = row
	t.datesChanged, t.marksChanged = true, true
	t.naming = nil // an answer read ahead may name its old cluster
	return nil
}
