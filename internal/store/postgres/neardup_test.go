package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// Two workers storing two copies of one story at the same instant, as a
// fleet does when a wire story lands on several sites at once: whichever
// commits second must see the first and join its cluster, for an exact
// copy and for a lightly edited one alike, and when one copy comes in a
// batch of several articles (which locks its bands' buckets) or of many
// (whose bands are too many to lock one by one: it locks the whole
// archive). Many pairs run, several at a time, each pair's two ingests
// released together.
func TestConcurrentCopiesShareCluster(t *testing.T) {
	ctx := context.Background()
	db := pgtest.Open(t)
	defer db.Close()
	g := storetest.NewGenerator(11)
	const pairs, atOnce = 400, 4
	type pair struct {
		a, b *store.Record
		// with goes into b's batch, after it.
		with []*store.Record
	}
	var ps []pair
	for i := range pairs {
		a := g.Next().Record
		a.ID, a.ContentHash, a.ClusterID = "", "", ""
		b := cloneRecords([]*store.Record{a})[0]
		b.URL = fmt.Sprintf("https://copy%d.example.net/story.html", i)
		b.CanonicalURL = b.URL
		if i%2 == 1 {
			// A light edit: the copy's own last sentence.
			b.Text = strings.TrimSuffix(b.Text, ".") + " Reporting by the wire desk."
		}
		p := pair{a: a, b: b}
		if i%10 == 3 {
			n := 4
			if i%50 == 3 {
				n = postgres.MaxBandLocks/21 + 1
			}
			for range n {
				o := g.Next().Record
				o.ID, o.ContentHash, o.ClusterID = "", "", ""
				p.with = append(p.with, o)
			}
		}
		ps = append(ps, p)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, atOnce)
	)
	clusters := make([][2]string, pairs)
	for i, p := range ps {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			start := make(chan struct{})
			var two sync.WaitGroup
			for j, batch := range [][]*store.Record{{p.a}, append([]*store.Record{p.b}, p.with...)} {
				two.Go(func() {
					<-start
					res, err := archive.Ingest(ctx, db, batch)
					if err == nil && res[0].Err != nil {
						err = res[0].Err
					}
					if err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
						return
					}
					clusters[i][j] = res[0].ClusterID
				})
			}
			close(start)
			two.Wait()
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d ingests failed, first: %v", len(errs), errs[0])
	}
	split := 0
	for i, c := range clusters {
		if c[0] != c[1] {
			split++
			if split <= 3 {
				t.Errorf("pair %d: copies in clusters %s and %s", i, c[0], c[1])
			}
		}
	}
	if split > 0 {
		t.Errorf("%d of %d simultaneous pairs split across clusters", split, pairs)
	}
	// What Ingest reported is what is stored.
	for i, p := range ps[:10] {
		for j, r := range []*store.Record{p.a, p.b} {
			got, err := db.Get(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ClusterID != clusters[i][j] {
				t.Errorf("pair %d copy %d: stored cluster %s, Ingest said %s", i, j, got.ClusterID, clusters[i][j])
			}
		}
	}
}
