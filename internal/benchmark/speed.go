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
//   - Every page is extracted Runs times (passes); the pages of a pass are
//     shared between Workers goroutines. Wall time covers only the timed
//     passes, after one untimed warm-up pass (lazy initialisation, e.g.
//     compiled patterns or a language model, is not charged to the pages).
//   - PagesSec is pages over the total time of all passes; BestPagesSec is
//     the fastest single pass. On a machine shared with other work, the
//     best pass is the figure least disturbed by it; the gap between the
//     two shows how noisy the measurement was.
//   - CPU is the process's CPU time (user + system, from getrusage) over
//     the timed passes, and CPUPagesSec and BestCPUPagesSec are pages per
//     CPU-second over all passes and in the cheapest pass. Other processes
//     competing for the cores stretch wall time but barely change CPU time,
//     so on a busy machine these are the trustworthy one-core figures; on a
//     quiet one, with GOMAXPROCS=1, they equal the wall-clock rates. With
//     several workers they measure cost, not throughput.
//   - When several extractors are measured together (MeasureSpeeds), their
//     passes are interleaved, so slow drifts of the machine's load hit them
//     alike.
//   - AllocsPerPage and BytesPerPage are the runtime.MemStats Mallocs and
//     TotalAlloc deltas over the timed passes divided by the pages
//     extracted: everything the extractor allocated, garbage included.
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
	Workers      int           `json:"workers"`
	Runs         int           `json:"runs"`
	Pages        int           `json:"pages"`
	Bytes        int64         `json:"bytes"`
	Elapsed      time.Duration `json:"elapsed_ns"`
	Errors       int           `json:"errors"`
	PagesSec     float64       `json:"pages_per_sec"`
	BestPagesSec float64       `json:"best_pass_pages_per_sec"`
	MBSec        float64       `json:"mb_per_sec"`

	CPU             time.Duration `json:"cpu_ns,omitempty"`
	CPUPagesSec     float64       `json:"pages_per_cpu_sec,omitempty"`
	BestCPUPagesSec float64       `json:"best_pass_pages_per_cpu_sec,omitempty"`

	AllocsPerPage float64 `json:"allocs_per_page"`
	BytesPerPage  float64 `json:"bytes_per_page"`
	PeakPageBytes uint64  `json:"peak_page_bytes"`
	PeakPage      string  `json:"peak_page,omitempty"`

	best, bestCPU time.Duration
	mallocs, heap uint64
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
// with other measurements. It stops between passes, returning ctx's
// error, when ctx is done.
func MeasureSpeed(ctx context.Context, inputs []Input, fn Func, opts SpeedOptions) (Speed, error) {
	s, err := MeasureSpeeds(ctx, inputs, []Func{fn}, opts)
	if err != nil {
		return Speed{}, err
	}
	return s[0], nil
}

// MeasureSpeeds is MeasureSpeed for several extractors at once, their
// passes interleaved (pass 1 of each, then pass 2 of each, …) so that
// changes in the machine's load over the measurement affect them alike.
func MeasureSpeeds(ctx context.Context, inputs []Input, fns []Func, opts SpeedOptions) ([]Speed, error) {
	if len(inputs) == 0 {
		return nil, fmt.Errorf("measure speed: no pages")
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

	var bytes int64
	for _, in := range inputs {
		bytes += int64(len(in.HTML))
	}
	speeds := make([]Speed, len(fns))
	for i, fn := range fns {
		speeds[i] = Speed{Workers: workers, Runs: runs, Bytes: bytes * int64(runs), Pages: len(inputs) * runs}
		if err := warmUp(ctx, inputs, fn, &speeds[i]); err != nil {
			return nil, err
		}
	}
	for range runs {
		for i, fn := range fns {
			if err := timedPass(ctx, inputs, fn, workers, &speeds[i]); err != nil {
				return nil, err
			}
		}
	}
	for i := range speeds {
		s := &speeds[i]
		if secs := s.Elapsed.Seconds(); secs > 0 {
			s.PagesSec = float64(s.Pages) / secs
			s.MBSec = float64(s.Bytes) / 1e6 / secs
		}
		if s.best > 0 {
			s.BestPagesSec = float64(len(inputs)) / s.best.Seconds()
		}
		if s.CPU > 0 && s.bestCPU > 0 {
			s.CPUPagesSec = float64(s.Pages) / s.CPU.Seconds()
			s.BestCPUPagesSec = float64(len(inputs)) / s.bestCPU.Seconds()
		}
		s.AllocsPerPage = float64(s.mallocs) / float64(s.Pages)
		s.BytesPerPage = float64(s.heap) / float64(s.Pages)
	}
	return speeds, nil
}

// warmUp extracts every page once, on the calling goroutine, recording in
// s the page that allocated most.
func warmUp(ctx context.Context, inputs []Input, fn Func, s *Speed) error {
	sample := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			return err
		}
		metrics.Read(sample)
		before := sample[0].Value.Uint64()
		_, _ = safeCall(fn, in)
		metrics.Read(sample)
		if d := sample[0].Value.Uint64() - before; d > s.PeakPageBytes {
			s.PeakPageBytes, s.PeakPage = d, in.Name
		}
	}
	return nil
}

// timedPass extracts every page once with the given number of workers and
// adds the time, allocations and errors to s. A GC before the pass keeps
// one extractor's garbage from being collected on another's time.
func timedPass(ctx context.Context, inputs []Input, fn Func, workers int, s *Speed) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	var errs atomic.Int64
	cpu0, cpuOK := processCPU()
	start := time.Now()
	if workers == 1 {
		for _, in := range inputs {
			if _, err := safeCall(fn, in); err != nil {
				errs.Add(1)
			}
		}
	} else {
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
	d := time.Since(start)
	cpu1, _ := processCPU()
	runtime.ReadMemStats(&m1)
	s.Elapsed += d
	if s.best == 0 || d < s.best {
		s.best = d
	}
	if c := cpu1 - cpu0; cpuOK && c > 0 {
		s.CPU += c
		if s.bestCPU == 0 || c < s.bestCPU {
			s.bestCPU = c
		}
	}
	s.Errors += int(errs.Load())
	s.mallocs += m1.Mallocs - m0.Mallocs
	s.heap += m1.TotalAlloc - m0.TotalAlloc
	return nil
}
