package queue

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// QueueStatus is one job kind's queue.
type QueueStatus struct {
	Kind Kind `json:"kind"`
	// Pending is jobs waiting to be delivered.
	Pending uint64 `json:"pending"`
	// InFlight is jobs delivered and not yet acked.
	InFlight int `json:"in_flight"`
	// Redelivered is in-flight jobs delivered more than once.
	Redelivered int `json:"redelivered"`
	// Waiting is worker pull requests waiting for a job.
	Waiting int `json:"waiting_pulls"`
}

// Status is the fleet at a glance.
type Status struct {
	At     time.Time     `json:"at"`
	Queues []QueueStatus `json:"queues"`
	// Dead is the number of dead-lettered jobs.
	Dead    int          `json:"dead"`
	Workers []WorkerInfo `json:"workers"`
	// Throughput is jobs acked per second by the live workers, over
	// their last heartbeat interval.
	Throughput float64 `json:"throughput"`
	// Hosts are the hosts with a request in flight or a next allowed
	// time in the future, latest first, among the HostsRead entries read
	// (at most maxStatusHosts); HostsKnown counts all entries.
	Hosts      []HostState `json:"hosts"`
	HostsKnown int         `json:"hosts_known"`
	HostsRead  int         `json:"hosts_read"`
}

// maxStatusHosts bounds the host entries a status reads (a variable for
// tests).
var maxStatusHosts = 10000

// Status reads queue depths, live workers and host states.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	s := &Status{At: time.Now().UTC()}
	for _, k := range Kinds {
		cons, err := c.jobs.Consumer(ctx, k.consumer())
		if err != nil {
			return nil, fmt.Errorf("consumer %s: %w", k.consumer(), err)
		}
		info, err := cons.Info(ctx)
		if err != nil {
			return nil, fmt.Errorf("consumer %s: %w", k.consumer(), err)
		}
		s.Queues = append(s.Queues, QueueStatus{Kind: k, Pending: info.NumPending, InFlight: info.NumAckPending,
			Redelivered: info.NumRedelivered, Waiting: info.NumWaiting})
	}
	di, err := c.dead.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	s.Dead = int(di.State.Msgs)
	if s.Workers, err = c.Workers(ctx); err != nil {
		return nil, err
	}
	for _, w := range s.Workers {
		s.Throughput += w.Rate
	}
	hs, err := c.hosts.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("hosts: %w", err)
	}
	hosts, err := c.HostStates(ctx, maxStatusHosts)
	if err != nil {
		return nil, err
	}
	// Every host entry is one message (the bucket keeps no history and
	// none is deleted): the count is the bucket's, not what was read.
	s.HostsKnown, s.HostsRead = max(int(hs.Values()), len(hosts)), len(hosts)
	now := time.Now()
	for _, h := range hosts {
		if h.Holder != "" || h.Next.After(now) {
			s.Hosts = append(s.Hosts, h)
		}
	}
	sort.Slice(s.Hosts, func(i, j int) bool {
		if !s.Hosts[i].Next.Equal(s.Hosts[j].Next) {
			return s.Hosts[i].Next.After(s.Hosts[j].Next)
		}
		return s.Hosts[i].Host < s.Hosts[j].Host
	})
	return s, nil
}

// Idle reports whether no job of any kind is pending or in flight.
func (c *Client) Idle(ctx context.Context) (bool, error) {
	info, err := c.jobs.Info(ctx)
	if err != nil {
		return false, fmt.Errorf("stream %s: %w", StreamJobs, err)
	}
	return info.State.Msgs == 0, nil
}
