package benchmark

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// Speed is the throughput and allocation figure of one measurement.
//
// How it is measured, and what each number means:
//
//   - Every page is extracted Runs times; the pages of a run are shared
//     between Workers goroutines. Wall time covers only the runs, after one
//     untimed warm-up pass (lazy initialisation, e.g. compiled patterns or
//     a language model, is not charged to the pages).
//   - AllocsPerPage and BytesPerPage are the runtime.MemStats Mallocs and
//     TotalAlloc deltas over the timed runs divided by the pages extracted:
//     everything the extractor allocated, garbage included.
//   - PeakPageBytes is the most that extracting one page allocated, and
//     PeakPage that page: the /gc/heap/allocs:bytes counter of
//     runtime/metrics, read (without stopping the world) before and after
//     each page of the warm-up pass, which runs on one goroutine. A page's
//     live heap can never exceed what it allocated, so this is an upper
//     bound on the heap one page needs on top of the input and the result:
//     cheap, exact for what it claims, and independent of the GC's pacing.
//     The true peak of live memory would need a sampler inside the
//     extractor; process-wide HeapInuse is dominated here by the 30 MB
//     corpus held in memory and by GOGC's headroom, so it is not reported.
type Speed struct {
	Workers  int           `json:"workers"`
	Runs     int           `json:"runs"`
	Pages    int           `json:"pages"`
	Bytes    int64         `json:"bytes"`
	Elapsed  time.Duration `json:"elapsed_ns"`
	Errors   int           `json:"errors"`
	PagesSec float64       `json:"pages_per_sec"`
	MBSec    float64       `json:"mb_per_sec"`

	AllocsPerPage float64 `json:"allocs_per_page"`
	BytesPerPage  float64 `json:"bytes_per_page"`
	PeakPageBytes uint64  `json:"peak_page_bytes"`
	PeakPage      string  `json:"peak_page,omitempty"`
}

// SpeedOptions configure MeasureSpeed.
type SpeedOptions struct {
	// Runs is how many times each page is extracted; 0 means 1.
	Runs int
	// Workers is the number of goroutines. 1 measures one core: GOMAXPROCS
	// is set to 1 for the measurement and restored afterwards. 0 means one
	// per core (runtime.NumCPU), with GOMAXPROCS raised to match if needed.
	Workers int
}

// MeasureSpeed extracts every input with fn opts.Runs times and reports
// throughput and allocations (see Speed for the method). Extraction
// errors are counted, not returned: a failing page still costs time.
// It changes GOMAXPROCS while it runs, so it must not run concurrently
// with other measurements. It stops between runs, returning ctx's error,
// when ctx is done.
func MeasureSpeed(ctx context.Context, inputs []Input, fn Func, opts SpeedOptions) (Speed, error) {
	if len(inputs) == 0 {
		return Speed{}, fmt.Errorf("measure speed: no pages")
	}
	runs := max(opts.Runs, 1)
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	procs := workers
	if workers > 1 {
		procs = max(workers, runtime.GOMAXPROCS(0))
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))

	s := Speed{Workers: workers, Runs: runs}
	for _, in := range inputs {
		s.Bytes += int64(len(in.HTML))
	}
	s.Bytes *= int64(runs)

	// Warm-up pass, on one goroutine, measuring each page's allocation.
	sample := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			return Speed{}, err
		}
		metrics.Read(sample)
		before := sample[0].Value.Uint64()
		_, _ = safeCall(fn, in)
		metrics.Read(sample)
		if d := sample[0].Value.Uint64() - before; d > s.PeakPageBytes {
			s.PeakPageBytes, s.PeakPage = d, in.Name
		}
	}

	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := time.Now()
	var errs atomic.Int64
	for range runs {
		if err := ctx.Err(); err != nil {
			return Speed{}, err
		}
		if workers == 1 {
			for _, in := range inputs {
				if _, err := safeCall(fn, in); err != nil {
					errs.Add(1)
				}
			}
			continue
		}
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for {
					i := int(next.Add(1)) - 1
					if i >= len(inputs) {
						return
					}
					if _, err := safeCall(fn, inputs[i]); err != nil {
						errs.Add(1)
					}
				}
			})
		}
		wg.Wait()
	}
	s.Elapsed = time.Since(start)
	runtime.ReadMemStats(&m1)

	s.Pages = len(inputs) * runs
	s.Errors = int(errs.Load())
	secs := s.Elapsed.Seconds()
	if secs > 0 {
		s.PagesSec = float64(s.Pages) / secs
		s.MBSec = float64(s.Bytes) / 1e6 / secs
	}
	s.AllocsPerPage = float64(m1.Mallocs-m0.Mallocs) / float64(s.Pages)
	s.BytesPerPage = float64(m1.TotalAlloc-m0.TotalAlloc) / float64(s.Pages)
	return s, nil
}
