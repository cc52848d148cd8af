//go:build !unix

package sqlite

import "context"

// LockHarvest implements store.HarvestLocker; without flock(2) harvests
// are not kept apart on this system.
func (db *DB) LockHarvest(context.Context) (func(), error) { return func() {}, nil }
