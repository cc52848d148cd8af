// Package postgres is Herald's PostgreSQL archive backend (in progress).
package postgres

import (
	"context"
	"errors"

	"github.com/herald-archive/herald/internal/store"
)

// DB is a PostgreSQL archive.
type DB struct {
	store.Store // placeholder until the backend lands
}

// Open connects to the database at dsn.
func Open(ctx context.Context, dsn string) (*DB, error) {
	return nil, errors.New("the PostgreSQL store is not finished yet")
}
