package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/herald-archive/herald/internal/store"
)

// testHarvestLock: a store that keeps harvests apart (store.HarvestLocker)
// lets one hold its harvest lock at a time, refuses a second at once with
// ErrHarvestRunning, and lets it be taken again once released.
func testHarvestLock(t *testing.T, st store.Store) {
	l, ok := st.(store.HarvestLocker)
	if !ok {
		t.Skip("the store does not keep harvests apart")
	}
	ctx := context.Background()
	release, err := l.LockHarvest(ctx, "herald test")
	if err != nil {
		t.Fatal(err)
	}
	if again, err := l.LockHarvest(ctx, "herald test"); !errors.Is(err, store.ErrHarvestRunning) {
		if again != nil {
			again()
		}
		t.Errorf("second lock while the first is held: %v, want ErrHarvestRunning", err)
	}
	release()
	release2, err := l.LockHarvest(ctx, "herald test")
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	release2()
}
