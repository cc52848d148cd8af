package archive_test

import (
	"context"
	"testing"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// BenchmarkIngest measures the whole write path on generated articles:
// canonical URL, content hash, MinHash signature and bands, duplicate
// lookups and the SQLite write, in batches of 1,000.
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	st := mustOpen(b)
	gen := storetest.NewGenerator(3)
	n := 0
	var dups int
	cpu := storetest.CPUTime()
	for b.Loop() {
		recs := make([]*store.Record, 1000)
		for i := range recs {
			r := gen.Next().Record
			r.ID, r.ContentHash = "", "" // the archive derives them
			recs[i] = r
		}
		res, err := archive.Ingest(ctx, st, recs)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
			if r.Outcome == store.Duplicate {
				dups++
			}
		}
		n += len(recs)
	}
	cpu = storetest.CPUTime() - cpu
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "articles/s")
	b.ReportMetric(float64(n)/cpu.Seconds(), "articles/cpu-s")
	b.ReportMetric(float64(dups)/float64(n)*100, "%dup")
}
