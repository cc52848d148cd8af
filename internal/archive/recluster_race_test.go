package archive_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// TestReclusterDeletedMeanwhile: an article deleted (herald delete) after
// herald recluster read the matches and before it decided the article's
// batch is skipped and counted; the run goes on and decides the others.
// It used to stop the run with "not found", rolling the batch back.
// Recluster never wrote a deleted article back: it moves articles
// between clusters, it does not store them. On both backends.
func TestReclusterDeletedMeanwhile(t *testing.T) {
	for _, bk := range backends {
		t.Run(bk.name, func(t *testing.T) {
			ctx := context.Background()
			st := bk.open(t)
			at := func(day int, r *store.Record) *store.Record {
				r.Published = time.Date(2024, 5, day, 9, 0, 0, 0, time.UTC)
				return r
			}
			ids := oldArchive(t, st, []*store.Record{
				at(1, page("https://wire.example/2024/05/harbour", "Council approves harbour budget", story)),
				at(2, page("https://same.example/1", "Harbour budget", story)),
				at(3, page("https://again.example/1", "Harbour budget, again", story)),
			})
			gone := ids["https://again.example/1"]
			defer archive.SetReclusterFlushHook(func(batch []string) {
				if !slices.Contains(batch, gone) {
					t.Errorf("batch %v without %s", batch, gone)
					return
				}
				if _, err := archive.Delete(ctx, st, nil, []string{gone}, archive.DeleteOptions{}); err != nil {
					t.Errorf("delete meanwhile: %v", err)
				}
			})()
			sum, err := archive.Recluster(ctx, st, &query.Query{}, archive.ReclusterOptions{})
			if err != nil || sum.Gone != 1 || sum.Joined != 1 || sum.Alone != 3 {
				t.Fatalf("recluster: %+v, %v; want 1 deleted meanwhile and 1 joined of 3 alone", sum, err)
			}
			if _, err := st.Get(ctx, gone); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the deleted article after recluster: %v, want not found", err)
			}
			r, err := st.Get(ctx, ids["https://same.example/1"])
			if err != nil || r.ClusterID != ids["https://wire.example/2024/05/harbour"] {
				t.Errorf("the other copy: %+v %v, want it in the wire story's cluster", r, err)
			}
		})
	}
}
