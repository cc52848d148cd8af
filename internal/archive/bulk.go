package archive

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/herald-archive/herald/internal/store"
)

// Bulk stores a stream of batches as Ingest stores one, and overlaps the
// two halves of the work: while one batch is in its transaction (a single
// writer: one CPU), the next is prepared on the others (canonical URLs,
// fingerprints, compressed texts). Batches are stored in the order they
// were added, each in its own transaction.
//
// Use it as
//
//	b := archive.NewBulk(ctx, st)
//	for … { if err := b.Add(batch, func(res []Result) { … }); err != nil { … } }
//	err := b.Close()
//
// The records of a batch are modified as Ingest modifies them, while it
// is stored: the caller must not touch them or reuse the slice until its
// done function has been called.
type Bulk struct {
	ctx  context.Context
	st   store.Store
	jobs chan bulkJob
	wg   sync.WaitGroup
	once sync.Once

	mu  sync.Mutex
	err error // the first store failure; later batches are not stored
}

type bulkJob struct {
	prepared []preparedRecord
	done     func([]Result)
	wait     bool // no batch: Wait's marker, done with on receipt
}

// NewBulk starts a Bulk that stores into st until Close.
func NewBulk(ctx context.Context, st store.Store) *Bulk {
	b := &Bulk{ctx: ctx, st: st, jobs: make(chan bulkJob)}
	b.wg.Go(func() {
		for j := range b.jobs {
			if j.wait || b.failed() != nil {
				continue // drain: the first failure stops the stream
			}
			res, err := storeAll(ctx, st, j.prepared)
			if err != nil {
				b.mu.Lock()
				b.err = err // storeAll says "ingest: …"
				b.mu.Unlock()
				continue
			}
			if j.done != nil {
				j.done(res)
			}
		}
	})
	return b
}

func (b *Bulk) failed() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// Add prepares recs and queues them to be stored once the batch before
// has been; it returns when the batch is prepared and queued. done, when
// not nil, is called with the batch's results once it is stored, on
// Bulk's own goroutine, batch after batch in the order they were added.
// Add returns the failure of an earlier batch, if any, after which
// nothing more is stored.
func (b *Bulk) Add(recs []*store.Record, done func([]Result)) error {
	if err := b.failed(); err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	prepared, err := prepareAll(b.ctx, b.st, recs, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	select {
	case b.jobs <- bulkJob{prepared: prepared, done: done}:
	case <-b.ctx.Done():
		return fmt.Errorf("ingest: %w", b.ctx.Err())
	}
	return b.failed()
}

// Wait returns once every batch added before it has been stored and its
// done function has returned, or the stream has failed; it returns that
// failure. The batch Add prepares next is not held up by it: it only
// waits for the one being stored.
func (b *Bulk) Wait() error {
	if err := b.failed(); err != nil {
		return err
	}
	// The loader takes a job only when it is through with the one
	// before, done function and all: handing it one that stores nothing
	// is the wait.
	select {
	case b.jobs <- bulkJob{wait: true}:
	case <-b.ctx.Done():
		return fmt.Errorf("ingest: %w", b.ctx.Err())
	}
	return b.failed()
}

// Close waits until every batch added has been stored (or the first
// failure), and returns that failure. Calling it again returns the same.
func (b *Bulk) Close() error {
	b.once.Do(func() { close(b.jobs) })
	b.wg.Wait()
	return b.failed()
}
