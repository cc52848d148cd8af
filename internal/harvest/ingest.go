package harvest

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
)

// ingester extracts on a pool of workers and stores the records in batches
// from one goroutine: the shared engine of WARC import and re-extraction,
// which have no network and no frontier. Jobs are submitted from one
// goroutine; close waits for everything submitted to be stored.
type ingester struct {
	st    store.Store
	batch int
	// write stores a batch: archive.Ingest, or archive.Rewrite for
	// records rebuilt from stored articles (herald reextract).
	write func(context.Context, store.Store, []*store.Record) ([]archive.Result, error)
	// work turns a job into a record, or a skip reason.
	work func(job any) (*store.Record, string)
	// done, when set, is called from the storing goroutine for each job:
	// with the archive's verdict when a record was stored, else with the
	// skip reason.
	done func(job any, res archive.Result, skip string)

	ctx    context.Context // ends: submit refuses more
	wctx   context.Context // for writes: outlives ctx to store what was extracted
	cancel context.CancelCauseFunc

	jobs    chan any
	results chan ingested
	workers sync.WaitGroup
	stored  chan struct{}

	// Owned by the storing goroutine until stored is closed.
	outcomes map[store.Outcome]int
	skipped  map[string]int
	err      error
}

type ingested struct {
	job  any
	rec  *store.Record
	skip string
}

func newIngester(ctx context.Context, st store.Store, workers, batch int, write func(context.Context, store.Store, []*store.Record) ([]archive.Result, error), work func(any) (*store.Record, string), done func(any, archive.Result, string)) *ingester {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if batch <= 0 {
		batch = 500
	}
	cctx, cancel := context.WithCancelCause(ctx)
	in := &ingester{
		st: st, batch: batch, write: write, work: work, done: done,
		ctx: cctx, wctx: context.WithoutCancel(ctx), cancel: cancel,
		jobs:     make(chan any, 2*workers),
		results:  make(chan ingested, 2*workers),
		stored:   make(chan struct{}),
		outcomes: map[store.Outcome]int{},
		skipped:  map[string]int{},
	}
	for range workers {
		in.workers.Add(1)
		go func() {
			defer in.workers.Done()
			for job := range in.jobs {
				rec, skip := in.work(job)
				in.results <- ingested{job: job, rec: rec, skip: skip}
			}
		}()
	}
	go func() {
		defer close(in.stored)
		in.store()
	}()
	return in
}

// submit hands a job to the workers; false when the ingester has stopped
// (the context ended or storing failed).
func (in *ingester) submit(job any) bool {
	select {
	case in.jobs <- job:
		return true
	case <-in.ctx.Done():
		return false
	}
}

// close waits for every submitted job to be stored and returns the first
// storage failure.
func (in *ingester) close() error {
	close(in.jobs)
	in.workers.Wait()
	close(in.results)
	<-in.stored
	in.cancel(nil)
	return in.err
}

func (in *ingester) store() {
	var recs []*store.Record
	var jobs []any
	flush := func() {
		if len(recs) == 0 || in.err != nil {
			recs, jobs = recs[:0], jobs[:0]
			return
		}
		res, err := in.write(in.wctx, in.st, recs)
		if err != nil {
			in.err = fmt.Errorf("store: %w", err)
			in.cancel(in.err)
			recs, jobs = recs[:0], jobs[:0]
			return
		}
		for i, r := range res {
			if r.Err != nil {
				in.skipped[ReasonBadRecord]++
			} else {
				in.outcomes[r.Outcome]++
			}
			if in.done != nil {
				in.done(jobs[i], r, "")
			}
		}
		recs, jobs = recs[:0], jobs[:0]
	}
	for r := range in.results {
		if r.rec == nil {
			in.skipped[r.skip]++
			if in.done != nil {
				in.done(r.job, archive.Result{}, r.skip)
			}
			continue
		}
		recs = append(recs, r.rec)
		jobs = append(jobs, r.job)
		if len(recs) >= in.batch {
			flush()
		}
	}
	flush()
}
