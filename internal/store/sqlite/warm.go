package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// Warm implements store.Warmer: it loads the date, site and facet caches
// (days.go), the tag and author caches (links.go) and the
// cluster cache (clusters.go) as the first timeline and the first
// collapsed search of words would. On a million articles these are the
// first timeline's extra 30-40 ms and the first collapsed phrase
// search's 15-70 ms.
func (db *DB) Warm(ctx context.Context) error {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("warm: %w", err)
	}
	defer tx.Rollback()
	if _, err := db.days.current(ctx, tx); err != nil {
		return fmt.Errorf("warm: dates: %w", err)
	}
	if _, err := db.siteIDs.current(ctx, tx); err != nil {
		return fmt.Errorf("warm: sites: %w", err)
	}
	if _, err := db.facetIDs.current(ctx, tx); err != nil {
		return fmt.Errorf("warm: facets: %w", err)
	}
	if _, err := db.tagLinks.current(ctx, tx); err != nil {
		return fmt.Errorf("warm: tags: %w", err)
	}
	if _, err := db.authorLinks.current(ctx, tx); err != nil {
		return fmt.Errorf("warm: authors: %w", err)
	}
	if _, err := db.clusters.current(ctx, tx); err != nil {
		return fmt.Errorf("warm: clusters: %w", err)
	}
	return nil
}
