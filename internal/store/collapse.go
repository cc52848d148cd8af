package store

import (
	"context"
	"fmt"

	"github.com/herald-archive/herald/internal/query"
)

// ScanCollapsed is Scan with near-duplicates left out: of each cluster's
// articles that match q it calls fn for the first in Scan's order (the
// earliest dated, which is usually where a syndicated story was first
// published) and skips the others, returning how many it skipped. It
// remembers only the clusters of more than one article (ClusterLister),
// a few per cent of an archive, so its memory grows with those alone.
// A cluster that gains its second article during the scan may give two.
func ScanCollapsed(ctx context.Context, st Store, q *query.Query, fn func(*Record) error) (skipped int, err error) {
	cl, ok := st.(ClusterLister)
	if !ok {
		return 0, fmt.Errorf("%w: this archive backend cannot list its clusters, so it cannot leave out near-duplicates", ErrInvalid)
	}
	shared, err := cl.SharedClusters(ctx)
	if err != nil {
		return 0, fmt.Errorf("scan: %w", err)
	}
	done := make(map[string]bool, len(shared))
	err = st.Scan(ctx, q, func(r *Record) error {
		if shared[r.ClusterID] {
			if done[r.ClusterID] {
				skipped++
				return nil
			}
			done[r.ClusterID] = true
		}
		return fn(r)
	})
	return skipped, err
}
