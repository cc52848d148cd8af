package postgres_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// BenchmarkIngestBesideImport measures what a bulk import does to the
// workers of a fleet writing to the same PostgreSQL archive: four
// goroutines each store one article at a time through archive.Ingest (as
// herald worker does) for a few seconds, alone (import=0) and while an
// import stores batches of that many articles back to back (herald import
// uses 5000, import warc 500, a single-process harvest up to 64). It
// reports the workers' articles/s and latency, and the import's
// articles/s. $HERALD_BENCH_WINDOW sets the seconds measured (default 8).
//
//	HERALD_TEST_PG=postgres://… go test ./internal/store/postgres -run '^$' -bench IngestBesideImport -benchtime 1x
func BenchmarkIngestBesideImport(b *testing.B) {
	window := 8 * time.Second
	if s, err := strconv.Atoi(os.Getenv("HERALD_BENCH_WINDOW")); err == nil && s > 0 {
		window = time.Duration(s) * time.Second
	}
	for _, batch := range []int{0, 8, 64, 500, 5000} {
		b.Run(fmt.Sprintf("import=%d", batch), func(b *testing.B) {
			for range b.N {
				benchIngestBesideImport(b, batch, window)
			}
		})
	}
}

func benchIngestBesideImport(b *testing.B, batch int, window time.Duration) {
	b.StopTimer()
	ctx := context.Background()
	db := pgtest.Open(b)
	defer db.Close()
	const workers = 4
	g := storetest.NewGenerator(int64(batch) + 1)
	next := func(n int) []*store.Record {
		out := make([]*store.Record, n)
		for i := range out {
			r := g.Next().Record
			r.ID, r.ContentHash, r.ClusterID = "", "", ""
			out[i] = r
		}
		return out
	}
	// A few thousand articles in the archive already.
	for range 4 {
		if _, err := archive.Ingest(ctx, db, next(500)); err != nil {
			b.Fatal(err)
		}
	}
	// Enough for the window at this machine's rates, made beforehand.
	perWorker := make([][]*store.Record, workers)
	for w := range perWorker {
		perWorker[w] = next(int(window.Seconds()) * 100)
	}
	var imports [][]*store.Record
	if batch > 0 {
		for range max(3, 20000/batch) {
			imports = append(imports, next(batch))
		}
	}

	b.StartTimer()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var imported atomic.Int64
	var importTx []time.Duration
	if batch > 0 {
		wg.Go(func() {
			for _, recs := range imports {
				select {
				case <-stop:
					return
				default:
				}
				t0 := time.Now()
				if _, err := archive.Ingest(ctx, db, recs); err != nil {
					b.Error(err)
					return
				}
				importTx = append(importTx, time.Since(t0))
				imported.Add(int64(len(recs)))
			}
		})
		time.Sleep(200 * time.Millisecond) // the import under way
	}
	start := time.Now()
	lat := make([][]time.Duration, workers)
	for w := range workers {
		wg.Go(func() {
			for _, r := range perWorker[w] {
				select {
				case <-stop:
					return
				default:
				}
				t0 := time.Now()
				if _, err := archive.Ingest(ctx, db, []*store.Record{r}); err != nil {
					b.Error(err)
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		})
	}
	time.Sleep(window)
	importedInWindow := imported.Load()
	close(stop)
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()

	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	if len(all) == 0 {
		b.Fatal("no worker ingest finished")
	}
	pct := func(p float64) float64 {
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "worker-articles/s")
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(all[len(all)-1].Microseconds())/1000, "max-ms")
	if batch > 0 {
		b.ReportMetric(float64(importedInWindow)/window.Seconds(), "import-articles/s")
		slices.Sort(importTx)
		if len(importTx) > 0 {
			b.ReportMetric(float64(importTx[len(importTx)/2].Milliseconds()), "import-tx-ms")
		}
	}
}
