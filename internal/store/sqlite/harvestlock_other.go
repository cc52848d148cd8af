//go:build !unix

package sqlite

import "context"

// LockHarvest implements store.HarvestLocker; without flock(2) harvests
// are not kept apart on this system.
func (db *DB) LockHarvest(context.Context, string) (func(), error) { return func() {}, nil }

// lockHolder is "": without flock(2) no process holds the lock.
func lockHolder(string) string { return "" }
