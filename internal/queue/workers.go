package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// WorkerInfo is what a worker publishes about itself in its heartbeat.
type WorkerInfo struct {
	ID          string    `json:"id"`
	Hostname    string    `json:"hostname"`
	PID         int       `json:"pid"`
	Started     time.Time `json:"started"`
	Seen        time.Time `json:"seen"`
	Concurrency int       `json:"concurrency"`
	InFlight    int64     `json:"in_flight"`
	// Acked, Failed, Dead and Redelivered count jobs since the start.
	Acked       int64 `json:"acked"`
	Failed      int64 `json:"failed"`
	Dead        int64 `json:"dead"`
	Redelivered int64 `json:"redelivered"`
	// Rate is jobs acked per second over the last heartbeat interval.
	Rate float64 `json:"rate"`
	// Draining is set once the worker stopped taking jobs.
	Draining bool `json:"draining,omitempty"`
	// Silent is set by Workers when the last heartbeat is more than two
	// intervals old: the worker is probably gone, its entry not yet
	// expired.
	Silent bool `json:"silent,omitempty"`
}

// Heartbeat publishes info() every interval (<= 0: DefaultHeartbeat)
// until ctx ends, then removes the entry. Entries of a worker that stops
// beating expire on their own after three intervals.
func (c *Client) Heartbeat(ctx context.Context, interval time.Duration, info func() WorkerInfo) {
	if interval <= 0 {
		interval = DefaultHeartbeat
	}
	var key string
	beat := func() {
		wi := info()
		wi.Seen = time.Now().UTC()
		key = wi.ID
		data, _ := json.Marshal(wi)
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), interval)
		_, _ = c.workers.Put(pctx, key, data) // a missed beat is repaired by the next
		cancel()
	}
	beat()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			dctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = c.workers.Delete(dctx, key)
			cancel()
			return
		case <-t.C:
			beat()
		}
	}
}

// Workers returns the workers whose heartbeat has not expired, by id.
func (c *Client) Workers(ctx context.Context) ([]WorkerInfo, error) {
	lister, err := c.workers.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("workers: %w", err)
	}
	defer lister.Stop()
	var out []WorkerInfo
	for key := range lister.Keys() {
		e, err := c.workers.Get(ctx, key)
		if err != nil {
			continue
		}
		var wi WorkerInfo
		if json.Unmarshal(e.Value(), &wi) == nil {
			wi.Silent = time.Since(wi.Seen) > 2*DefaultHeartbeat
			out = append(out, wi)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
