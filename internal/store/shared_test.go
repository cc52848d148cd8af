package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// Do runs fn once per key for every caller under one context, concurrent
// or later, shares errors too, keeps keys apart, and lets a waiting
// caller go when its context ends.
func TestSharedWork(t *testing.T) {
	ctx := WithSharedWork(context.Background())
	s := SharedWorkOf(ctx)
	if s == nil || SharedWorkOf(context.Background()) != nil {
		t.Fatal("SharedWorkOf: want the context's work, and nil without")
	}
	var runs atomic.Int32
	release := make(chan struct{})
	fn := func() (any, error) {
		runs.Add(1)
		<-release
		return 42, nil
	}
	var wg sync.WaitGroup
	got := make([]any, 8)
	for i := range got {
		wg.Go(func() {
			v, err := s.Do(ctx, "walk", fn)
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		})
	}
	close(release)
	wg.Wait()
	if v, _ := s.Do(ctx, "walk", fn); runs.Load() != 1 || v != 42 {
		t.Errorf("%d runs, later caller got %v; want 1 run and 42", runs.Load(), v)
	}
	for i, v := range got {
		if v != 42 {
			t.Errorf("caller %d got %v", i, v)
		}
	}

	boom := errors.New("boom")
	for range 2 {
		if _, err := s.Do(ctx, "fails", func() (any, error) { return nil, boom }); !errors.Is(err, boom) {
			t.Errorf("err = %v, want the shared boom", err)
		}
	}
	if v, _ := s.Do(ctx, "other", func() (any, error) { return "x", nil }); v != "x" {
		t.Errorf("another key got %v", v)
	}

	// A caller waiting for a result that never comes gives up with its
	// context.
	block := make(chan struct{})
	started := make(chan struct{})
	go s.Do(ctx, "slow", func() (any, error) { close(started); <-block; return nil, nil })
	<-started
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Do(cctx, "slow", fn); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled waiter: %v", err)
	}
	close(block)

	// A panic in fn reaches its caller; the waiters get an error.
	func() {
		defer func() { recover() }()
		s.Do(ctx, "panics", func() (any, error) { panic("bad") })
	}()
	if _, err := s.Do(ctx, "panics", fn); err == nil {
		t.Error("the waiter of a panicked read got no error")
	}
}
