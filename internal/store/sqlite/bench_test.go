package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// The search benchmarks share one generated archive of HERALD_BENCH_N
// articles (default 10,000). With HERALD_BENCH_DB set to a path, the
// archive is kept there and reused by later runs of the same size:
//
//	HERALD_BENCH_N=100000 HERALD_BENCH_DB=/tmp/bench100k.db go test -run XXX -bench . ./internal/store/sqlite
var (
	benchOnce sync.Once
	benchDB   *sqlite.DB
	benchErr  error
)

const batchSize = 1000

func benchSize() int {
	if n, err := strconv.Atoi(os.Getenv("HERALD_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 10000
}

func benchArchive(b *testing.B) *sqlite.DB {
	benchOnce.Do(func() {
		ctx := context.Background()
		n := benchSize()
		path := os.Getenv("HERALD_BENCH_DB")
		if path == "" {
			dir, err := os.MkdirTemp("", "herald-bench")
			if err != nil {
				benchErr = err
				return
			}
			path = filepath.Join(dir, "bench.db")
		}
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			benchErr = err
			return
		}
		benchDB = db
		s, err := db.Stats(ctx)
		if err != nil {
			benchErr = err
			return
		}
		if s.Articles >= n {
			return
		}
		if s.Articles != 0 {
			benchErr = fmt.Errorf("%s holds %d articles, want 0 or %d", path, s.Articles, n)
			return
		}
		gen := storetest.NewGenerator(1)
		start := time.Now()
		for done := 0; done < n; done += batchSize {
			if benchErr = putBatch(ctx, db, gen, min(batchSize, n-done)); benchErr != nil {
				return
			}
		}
		elapsed := time.Since(start)
		if benchErr = db.Checkpoint(ctx); benchErr != nil {
			return
		}
		s, _ = db.Stats(ctx)
		fmt.Fprintf(os.Stderr, "built %s: %d articles in %v (%.0f articles/s); text %.1f MB, database %.1f MB (%.2f× text)\n",
			path, s.Articles, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(),
			float64(s.TextBytes)/1e6, float64(s.Bytes)/1e6, float64(s.Bytes)/float64(s.TextBytes))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDB
}

func putBatch(ctx context.Context, db store.Store, gen *storetest.Generator, n int) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for range n {
		if _, err := tx.Put(ctx, gen.Next()); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// BenchmarkPutBatch measures bulk writes through the store alone (no
// canonicalisation or fingerprinting): batches of 1,000 into a growing
// archive.
func BenchmarkPutBatch(b *testing.B) {
	ctx := context.Background()
	db := mustOpen(b)
	defer db.Close()
	gen := storetest.NewGenerator(2)
	entries := 0
	cpu := storetest.CPUTime()
	for b.Loop() {
		if err := putBatch(ctx, db, gen, batchSize); err != nil {
			b.Fatal(err)
		}
		entries += batchSize
	}
	cpu = storetest.CPUTime() - cpu
	b.ReportMetric(float64(entries)/b.Elapsed().Seconds(), "articles/s")
	b.ReportMetric(float64(entries)/cpu.Seconds(), "articles/cpu-s")
}

// timed runs op in a b.Loop and reports the 95th percentile latency and
// the CPU time per operation (steadier than wall time on a busy machine).
func timed(b *testing.B, op func() error) {
	var ds []time.Duration
	cpu := storetest.CPUTime()
	for b.Loop() {
		t := time.Now()
		if err := op(); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t))
	}
	cpu = storetest.CPUTime() - cpu
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(ds)), "cpu-ms/op")
}

func benchSearch(b *testing.B, q string, opts store.SearchOptions) {
	db := benchArchive(b)
	ctx := context.Background()
	pq := query.MustParse(q)
	var total int
	timed(b, func() error {
		res, err := db.Search(ctx, pq, opts)
		if err == nil {
			total = res.Total
		}
		return err
	})
	b.ReportMetric(float64(total), "matches")
}

func BenchmarkSearchCommonWord(b *testing.B) { benchSearch(b, "government", store.SearchOptions{}) }
func BenchmarkSearchRareWord(b *testing.B)   { benchSearch(b, "kalomi", store.SearchOptions{}) }
func BenchmarkSearchPhrase(b *testing.B)     { benchSearch(b, `"prime minister"`, store.SearchOptions{}) }
func BenchmarkSearchWordSiteDate(b *testing.B) {
	site := storetest.NewGenerator(1).Site(7)
	benchSearch(b, "government site:"+site+" after:2022-01-01 before:2024-01-01", store.SearchOptions{})
}
func BenchmarkSearchWordBroadSite(b *testing.B) {
	benchSearch(b, "government site:com after:2022-01-01 before:2023-01-01", store.SearchOptions{})
}
func BenchmarkSearchByDate(b *testing.B) {
	benchSearch(b, "government sort:date", store.SearchOptions{})
}
func BenchmarkSearchCollapsed(b *testing.B) {
	benchSearch(b, "government", store.SearchOptions{Collapse: true})
}
func BenchmarkSearchFiltersOnly(b *testing.B) {
	benchSearch(b, "lang:en after:2024-06-01", store.SearchOptions{})
}

func BenchmarkTimelineCommonWord(b *testing.B) {
	db := benchArchive(b)
	ctx := context.Background()
	q := query.MustParse("government")
	timed(b, func() error {
		_, err := db.Timeline(ctx, q, store.TimelineOptions{By: store.Month})
		return err
	})
}

func BenchmarkTopTags(b *testing.B) {
	db := benchArchive(b)
	ctx := context.Background()
	q := query.MustParse(`"climate change"`)
	timed(b, func() error {
		_, err := db.Top(ctx, q, store.TopTag, 10)
		return err
	})
}

// BenchmarkScan measures export speed: records streamed per second.
func BenchmarkScan(b *testing.B) {
	db := benchArchive(b)
	ctx := context.Background()
	n := 0
	cpu := storetest.CPUTime()
	for b.Loop() {
		if err := db.Scan(ctx, &query.Query{}, func(*store.Record) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	cpu = storetest.CPUTime() - cpu
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "articles/s")
	b.ReportMetric(float64(n)/cpu.Seconds(), "articles/cpu-s")
}
