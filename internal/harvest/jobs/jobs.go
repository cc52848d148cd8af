// Package jobs runs harvests submitted by callers that must answer before
// a harvest ends, such as the HTTP API's POST /api/harvest: a FIFO queue
// in front of one harvester, one job at a time, with each job's state and
// summary kept in memory for a while.
//
// It deliberately does not persist jobs (their work is in the archive:
// a harvest cut short leaves its URLs queued for the next one), check
// URLs (the caller decides which hosts are allowed) or run harvests in
// parallel (the harvester paces each host and owns the archive's
// writer).
package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/herald-archive/herald/internal/harvest"
)

// Harvester is what a Queue runs jobs with; *harvest.Harvester is one.
type Harvester interface {
	Harvest(ctx context.Context, urls []string) (*harvest.Summary, error)
	RunDue(ctx context.Context) (*harvest.Summary, error)
}

// ErrQueueFull reports a Submit refused because MaxQueued jobs are waiting.
var ErrQueueFull = errors.New("harvest queue full")

// ErrClosed reports a Submit after Close.
var ErrClosed = errors.New("harvest queue closed")

// State is where a submitted harvest stands.
type State string

// The states of a Job, in the order a job passes through them; done,
// failed and cancelled are final.
const (
	Queued    State = "queued"
	Running   State = "running"
	Done      State = "done"
	Failed    State = "failed"
	Cancelled State = "cancelled"
)

// Job is a harvest submitted to a Queue. The values a Queue returns are copies:
// a caller may keep them, and they do not change.
type Job struct {
	ID string `json:"id"`
	// URLs are the feeds, sitemaps or pages to harvest (as for
	// harvest.Harvester.Harvest); none means the sources that are due
	// (harvest.Harvester.RunDue).
	URLs      []string  `json:"urls,omitempty"`
	State     State     `json:"state"`
	Submitted time.Time `json:"submitted"`
	Started   time.Time `json:"started,omitzero"`
	Finished  time.Time `json:"finished,omitzero"`
	// Summary is the harvest's summary once it has finished (also when it
	// failed part-way).
	Summary *harvest.Summary `json:"summary,omitempty"`
	// Error says why a failed or cancelled job stopped.
	Error string `json:"error,omitempty"`
}

// Options tune a Queue. The zero value means the defaults.
type Options struct {
	// MaxQueued is how many jobs may wait behind the running one; more
	// are refused with ErrQueueFull. Zero means 16.
	MaxQueued int
	// Keep is how many finished jobs are remembered for Job and List.
	// Zero means 100.
	Keep int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Queue runs submitted harvests in the background, one at a time and in
// the order they were submitted, for callers that must answer before a
// harvest ends (the HTTP API). It owns one goroutine, started by New
// and waited for by Close. Jobs are kept in memory only: a restarted
// process forgets them, but not their work, which is in the archive (a
// harvest cut short leaves its URLs queued for the next one).
type Queue struct {
	h    Harvester
	opts Options

	ctx    context.Context
	cancel context.CancelFunc
	wake   chan struct{}
	done   chan struct{}

	mu      sync.Mutex
	closed  bool
	nextID  int
	jobs    []*Job // oldest first: finished, then running, then queued
	waiting int
}

// New starts running jobs with h, which it uses from its own
// goroutine only: the caller must not run h meanwhile. Cancelling ctx, or
// Close, stops the running job and cancels the queued ones.
func New(ctx context.Context, h Harvester, opts Options) *Queue {
	if opts.MaxQueued <= 0 {
		opts.MaxQueued = 16
	}
	if opts.Keep <= 0 {
		opts.Keep = 100
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ctx, cancel := context.WithCancel(ctx)
	j := &Queue{h: h, opts: opts, ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go j.run()
	return j
}

// Submit queues a harvest of urls (none: the due sources) and returns the
// job as queued. The caller checks the URLs (absolute http(s), allowed
// hosts); Submit only refuses when the queue is full or closed.
func (j *Queue) Submit(urls []string) (Job, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed || j.ctx.Err() != nil {
		return Job{}, ErrClosed
	}
	if j.waiting >= j.opts.MaxQueued {
		return Job{}, fmt.Errorf("%w: %d harvests are waiting", ErrQueueFull, j.waiting)
	}
	j.nextID++
	job := &Job{ID: strconv.Itoa(j.nextID), URLs: slices.Clone(urls), State: Queued, Submitted: j.opts.Now().UTC()}
	j.jobs = append(j.jobs, job)
	j.waiting++
	j.trim()
	select {
	case j.wake <- struct{}{}:
	default:
	}
	return copyJob(job), nil
}

// Job returns the job with id, if it is remembered.
func (j *Queue) Job(id string) (Job, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, job := range j.jobs {
		if job.ID == id {
			return copyJob(job), true
		}
	}
	return Job{}, false
}

// List returns the remembered jobs, newest first.
func (j *Queue) List() []Job {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Job, 0, len(j.jobs))
	for i := len(j.jobs) - 1; i >= 0; i-- {
		out = append(out, copyJob(j.jobs[i]))
	}
	return out
}

// Close stops the running job (its summary says how far it got), cancels
// the queued ones and waits for the goroutine to end. It does not close
// the Harvester, which the caller may close after Close returns.
func (j *Queue) Close() {
	j.mu.Lock()
	j.closed = true
	j.mu.Unlock()
	j.cancel()
	<-j.done
}

// run is the goroutine: it takes the oldest queued job until the context
// ends.
func (j *Queue) run() {
	defer close(j.done)
	for {
		job := j.next()
		if job == nil {
			select {
			case <-j.ctx.Done():
				j.cancelQueued()
				return
			case <-j.wake:
				continue
			}
		}
		var sum *harvest.Summary
		var err error
		if len(job.URLs) == 0 {
			sum, err = j.h.RunDue(j.ctx)
		} else {
			sum, err = j.h.Harvest(j.ctx, job.URLs)
		}
		j.finish(job, sum, err)
	}
}

// next marks the oldest queued job running and returns it, or nil.
func (j *Queue) next() *Job {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.ctx.Err() != nil {
		return nil
	}
	for _, job := range j.jobs {
		if job.State == Queued {
			job.State = Running
			job.Started = j.opts.Now().UTC()
			j.waiting--
			return job
		}
	}
	return nil
}

func (j *Queue) finish(job *Job, sum *harvest.Summary, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job.Finished = j.opts.Now().UTC()
	job.Summary = sum
	switch {
	case err != nil && j.ctx.Err() != nil:
		job.State = Cancelled
		job.Error = "stopped: the server is shutting down; the URLs left are queued for the next harvest"
	case err != nil:
		job.State = Failed
		job.Error = err.Error()
	default:
		job.State = Done
	}
	j.trim()
}

func (j *Queue) cancelQueued() {
	j.mu.Lock()
	defer j.mu.Unlock()
	now := j.opts.Now().UTC()
	for _, job := range j.jobs {
		if job.State == Queued {
			job.State = Cancelled
			job.Finished = now
			job.Error = "cancelled before it started: the server is shutting down"
			j.waiting--
		}
	}
	j.trim()
}

// trim forgets the oldest finished jobs beyond Keep. Callers hold mu.
func (j *Queue) trim() {
	finished := 0
	for _, job := range j.jobs {
		if job.Finished.IsZero() {
			continue
		}
		finished++
	}
	for i := 0; finished > j.opts.Keep && i < len(j.jobs); {
		if j.jobs[i].Finished.IsZero() {
			i++
			continue
		}
		j.jobs = slices.Delete(j.jobs, i, i+1)
		finished--
	}
}

// copyJob copies a job for a caller. A finished job's Summary is not
// written again, so it is shared.
func copyJob(job *Job) Job {
	c := *job
	c.URLs = slices.Clone(job.URLs)
	return c
}
