package sqlite

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// BenchmarkClusterReloadAfterBatch measures what the first collapsed
// search after a small harvest batch pays for the cluster cache: a batch
// re-dates a few stored articles (which bumps counters.dates_version),
// then the cache is brought up to date. It runs on a copy of an existing
// archive, HERALD_RELOAD_DB, which it modifies:
//
//	cp /tmp/m1m.db /tmp/x.db && HERALD_RELOAD_DB=/tmp/x.db go test -run XXX -bench ClusterReload ./internal/store/sqlite
func BenchmarkClusterReloadAfterBatch(b *testing.B) { benchReload(b, false) }

// BenchmarkSearchAfterBatch measures the whole first collapsed search
// after such a batch (every cache it reads brought up to date).
func BenchmarkSearchAfterBatch(b *testing.B) { benchReload(b, true) }

func benchReload(b *testing.B, search bool) {
	path := os.Getenv("HERALD_RELOAD_DB")
	if path == "" {
		b.Skip("HERALD_RELOAD_DB not set")
	}
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	load := func() *clusterView {
		tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		defer tx.Rollback()
		v, err := db.clusters.current(ctx, tx)
		if err != nil {
			b.Fatal(err)
		}
		return v
	}
	load()
	if search {
		q, _ := query.Parse("government minister")
		if _, err := db.Search(ctx, q, store.SearchOptions{Collapse: true, Limit: 10}); err != nil {
			b.Fatal(err)
		}
	}
	var ids []string
	rows, err := db.r.Query(`SELECT id FROM articles WHERE n % 100003 = 7 LIMIT 10`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		tx, err := db.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for _, id := range ids {
			r, err := tx.Get(ctx, id)
			if err != nil {
				b.Fatal(err)
			}
			r.Published = time.Date(2020, 1, 1+i%28, 0, 0, 0, 0, time.UTC).Add(time.Duration(len(id)) * time.Hour)
			if _, err := tx.Put(ctx, store.Entry{Record: r}); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if search {
			q, _ := query.Parse("government minister")
			if _, err := db.Search(ctx, q, store.SearchOptions{Collapse: true, Limit: 10}); err != nil {
				b.Fatal(err)
			}
			continue
		}
		v := load()
		if len(v.marked) == 0 {
			b.Fatal("no marks")
		}
	}
}
