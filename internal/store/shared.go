package store

import (
	"context"
	"errors"
	"sync"
)

// WithSharedWork returns a context under which reads of an archive may
// share the work they have in common. The web attention page asks for a
// timeline, six top lists and the stories of one query at once; a
// backend that walks the query's full-text matches for each of them (the
// SQLite backend's caches) walks them once and lets the others reuse the
// result. Results are kept as long as the context is referenced, and
// reads under it may see the archive as of the first of them: use it for
// the reads of one request, not for a long-lived context.
func WithSharedWork(ctx context.Context) context.Context {
	return context.WithValue(ctx, sharedKey{}, &SharedWork{m: map[string]*sharedResult{}})
}

// SharedWorkOf returns the shared work of ctx (see WithSharedWork), nil
// when there is none.
func SharedWorkOf(ctx context.Context) *SharedWork {
	s, _ := ctx.Value(sharedKey{}).(*SharedWork)
	return s
}

type sharedKey struct{}

// SharedWork holds results that the reads made under one context share,
// by key. Its methods are safe for concurrent use.
type SharedWork struct {
	mu sync.Mutex
	m  map[string]*sharedResult
}

type sharedResult struct {
	done chan struct{}
	v    any
	err  error
}

// Do returns the result of fn for key: the first caller runs fn, and the
// others, concurrent or later, wait for its result and share it (an
// error too). A waiting caller gives up when ctx ends.
func (s *SharedWork) Do(ctx context.Context, key string, fn func() (any, error)) (any, error) {
	s.mu.Lock()
	r, ok := s.m[key]
	if !ok {
		r = &sharedResult{done: make(chan struct{})}
		s.m[key] = r
	}
	s.mu.Unlock()
	if ok {
		select {
		case <-r.done:
			return r.v, r.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	defer close(r.done) // waiters go on even if fn panics
	r.err = errSharedPanic
	r.v, r.err = fn()
	return r.v, r.err
}

// errSharedPanic is what the waiters of a Do whose fn panicked get.
var errSharedPanic = errors.New("shared work: the read computing it failed")
