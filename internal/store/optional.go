package store

import "context"

// Optional capabilities. Not every backend has them, so they are not part
// of Store: callers check for them with a type assertion and say clearly
// when the archive they opened lacks one.

// Migrator is a backend with a versioned schema (numbered migrations
// applied in order and recorded in the archive).
type Migrator interface {
	// Migrate applies the migrations not applied yet and returns their
	// names; opening a store already does this.
	Migrate(ctx context.Context) ([]string, error)
	// Applied returns the names of the migrations applied so far, in order.
	Applied(ctx context.Context) ([]string, error)
}

// Optimizer is a backend that can reorganise its indexes after a bulk
// import (SQLite merges its full-text index; PostgreSQL vacuums and
// analyses).
type Optimizer interface {
	Optimize(ctx context.Context) error
}

// Checkpointer is a backend with a write-ahead log that can be folded back
// into the main file on demand (SQLite), before measuring or copying it.
type Checkpointer interface {
	Checkpoint(ctx context.Context) error
}
