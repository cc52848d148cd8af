package sqlite_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// TestCheckIndexReadOnlyWhileStoring: a read-only check of the index
// (a copy of it, checked) finds a sound archive sound while another
// process stores articles into it. The copy and the check used to run in
// two snapshots, so an article stored in between made the copy look
// damaged ("database disk image is malformed").
func TestCheckIndexReadOnlyWhileStoring(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.db")
	w, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	g := storetest.NewGenerator(7)
	var first []store.Entry
	for range 100 {
		first = append(first, g.Next())
	}
	storetest.Load(t, w, first)

	ro, err := sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			tx, err := w.Begin(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			for range 5 {
				if _, err := tx.Put(ctx, g.Next()); err != nil {
					tx.Rollback()
					t.Error(err)
					return
				}
			}
			if err := tx.Commit(); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := range 10 {
		p, err := ro.CheckIndex(ctx)
		if err != nil || len(p) != 0 {
			t.Errorf("check %d while storing: problems %q, error %v; want none", i, p, err)
		}
	}
	close(stop)
	wg.Wait()
}
