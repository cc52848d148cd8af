package postgres

import (
	"context"
	"fmt"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

var _ store.ClusterMover = (*tx)(nil)

// JoinCluster implements store.ClusterMover: the cluster is a column of
// the article's row alone. The near-duplicate candidates read ahead
// (PrefetchCandidates) may name the old cluster: they are dropped.
func (t *tx) JoinCluster(ctx context.Context, id, cluster string) error {
	n, err := sqlschema.Joinable(ctx, t.tx, dollar, id, cluster)
	if err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE articles SET cluster_id = $1 WHERE n = $2`, cluster, n); err != nil {
		return fmt.Errorf("join cluster: %w", err)
	}
	t.ahead, t.written = nil, nil
	return nil
}
