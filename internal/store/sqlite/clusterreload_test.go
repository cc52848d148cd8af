package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// The cluster cache brought up to date after each of a random sequence
// of write batches (new articles alone and joining clusters, re-dated
// and re-sited articles, deletes, articles moved into clusters) holds
// what a fresh load holds, and it loads whole only after a batch that
// deleted or moved articles: a batch that only adds articles or changes
// dates keeps it incremental (before marksKept, any version bump made
// it load whole).
func TestClusterCacheIncremental(t *testing.T) {
	ctx := context.Background()
	db, _ := cacheArchive(t, 400)
	rng := rand.New(rand.NewPCG(15, 7))
	gen := storetest.NewGenerator(99)
	view := func(c *clusterCache) *clusterView {
		t.Helper()
		tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		v, err := c.current(ctx, tx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ids := func() (all, alone []string, clusters []string) {
		t.Helper()
		rows, err := db.r.QueryContext(ctx, `SELECT id, cluster_id, (SELECT count(*) FROM articles m WHERE m.cluster_id = a.cluster_id) FROM articles a ORDER BY n`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, cluster string
			var members int
			if err := rows.Scan(&id, &cluster, &members); err != nil {
				t.Fatal(err)
			}
			all = append(all, id)
			if members == 1 {
				alone = append(alone, id)
			}
			clusters = append(clusters, cluster)
		}
		return all, alone, clusters
	}
	view(&db.clusters)
	kinds := map[string]int{}
	for step := range 60 {
		all, alone, clusters := ids()
		kind := []string{"insert", "redate", "delete", "join", "mixed"}[rng.IntN(5)]
		kinds[kind]++
		tx, err := db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		moved := false
		for range 1 + rng.IntN(6) {
			k := kind
			if k == "mixed" {
				k = []string{"insert", "redate", "delete", "join"}[rng.IntN(4)]
			}
			switch k {
			case "insert":
				e := gen.Next()
				if rng.IntN(2) == 0 {
					e.Record.ClusterID = clusters[rng.IntN(len(clusters))]
				}
				if _, err := tx.Put(ctx, e); err != nil {
					t.Fatal(err)
				}
			case "redate":
				r, err := tx.Get(ctx, all[rng.IntN(len(all))])
				if errors.Is(err, store.ErrNotFound) {
					continue // deleted in this batch
				}
				if err != nil {
					t.Fatal(err)
				}
				r.Published = time.Date(2019, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
				if rng.IntN(3) == 0 {
					r.Language = "de"
				}
				if _, err := tx.Put(ctx, store.Entry{Record: r}); err != nil {
					t.Fatal(err)
				}
			case "delete":
				err := tx.(store.Deleter).Delete(ctx, all[rng.IntN(len(all))])
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					t.Fatal(err)
				}
				moved = moved || err == nil
			case "join":
				id, cluster := alone[rng.IntN(len(alone))], clusters[rng.IntN(len(clusters))]
				err := tx.(store.ClusterMover).JoinCluster(ctx, id, cluster)
				if err != nil && !errors.Is(err, store.ErrInvalid) && !errors.Is(err, store.ErrNotFound) {
					t.Fatal(err)
				}
				moved = moved || err == nil
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		before := db.clusters.wholeLoads
		got := view(&db.clusters)
		want := view(&clusterCache{})
		if got.viewSnap != want.viewSnap || !maps.Equal(got.marked, want.marked) {
			t.Fatalf("step %d (%s): the cache holds %d marks at %+v, a fresh load %d at %+v",
				step, kind, len(got.marked), got.viewSnap, len(want.marked), want.viewSnap)
		}
		if whole := db.clusters.wholeLoads > before; whole != moved {
			t.Errorf("step %d (%s): loaded whole: %v, want %v", step, kind, whole, moved)
		}
	}
	// A Herald from before marksKept bumps the version by 1 for any
	// change: the cache cannot tell, and loads whole.
	if _, err := db.w.ExecContext(ctx, `UPDATE counters SET dates_version = dates_version + 1`); err != nil {
		t.Fatal(err)
	}
	before := db.clusters.wholeLoads
	view(&db.clusters)
	if db.clusters.wholeLoads != before+1 {
		t.Errorf("after a bump of 1 the cache did not load whole")
	}
	for _, k := range []string{"insert", "redate", "delete", "join", "mixed"} {
		if kinds[k] == 0 {
			t.Errorf("no %s batch", k)
		}
	}
}
