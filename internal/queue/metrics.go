package queue

import (
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// Metrics counts what a worker's queue and host gate did, for the
// Prometheus text exposition (WritePrometheus) and heartbeats. Safe for
// concurrent use.
type Metrics struct {
	kinds map[Kind]*kindMetrics

	hostWaits, hostHeld, hostConflicts, hostLost atomic.Int64
	hostWait                                     seconds
}

type kindMetrics struct {
	received, redelivered, acked, naked, failed, dead, ackErrors atomic.Int64
	inFlight                                                     atomic.Int64
	seconds                                                      seconds
}

// seconds accumulates durations.
type seconds struct{ ns atomic.Int64 }

func (s *seconds) add(d time.Duration) { s.ns.Add(int64(d)) }
func (s *seconds) get() float64        { return time.Duration(s.ns.Load()).Seconds() }

// NewMetrics returns zeroed counters.
func NewMetrics() *Metrics {
	m := &Metrics{kinds: map[Kind]*kindMetrics{}}
	for _, k := range Kinds {
		m.kinds[k] = &kindMetrics{}
	}
	return m
}

func (m *Metrics) kind(k Kind) *kindMetrics {
	if km := m.kinds[k]; km != nil {
		return km
	}
	return &kindMetrics{} // unknown kinds are not counted
}

// Totals are a Metrics snapshot summed over kinds.
type Totals struct {
	Received, Acked, Failed, Dead, Redelivered, InFlight int64
}

// Totals sums the job counters over kinds.
func (m *Metrics) Totals() Totals {
	var t Totals
	for _, km := range m.kinds {
		t.Received += km.received.Load()
		t.Acked += km.acked.Load()
		t.Failed += km.failed.Load()
		t.Dead += km.dead.Load()
		t.Redelivered += km.redelivered.Load()
		t.InFlight += km.inFlight.Load()
	}
	return t
}

// WritePrometheus writes the counters in the Prometheus text format
// (version 0.0.4).
func (m *Metrics) WritePrometheus(w io.Writer) error {
	type series struct {
		name, help, typ string
		get             func(*kindMetrics) float64
	}
	perKind := []series{
		{"herald_jobs_received_total", "Jobs delivered to this worker.", "counter", func(k *kindMetrics) float64 { return float64(k.received.Load()) }},
		{"herald_jobs_redelivered_total", "Jobs delivered to this worker that had been delivered before.", "counter", func(k *kindMetrics) float64 { return float64(k.redelivered.Load()) }},
		{"herald_jobs_acked_total", "Jobs finished and acknowledged.", "counter", func(k *kindMetrics) float64 { return float64(k.acked.Load()) }},
		{"herald_jobs_failed_total", "Job attempts whose handler failed.", "counter", func(k *kindMetrics) float64 { return float64(k.failed.Load()) }},
		{"herald_jobs_nacked_total", "Jobs put back in the queue (failed or drained).", "counter", func(k *kindMetrics) float64 { return float64(k.naked.Load()) }},
		{"herald_jobs_dead_total", "Jobs moved to the dead-letter stream.", "counter", func(k *kindMetrics) float64 { return float64(k.dead.Load()) }},
		{"herald_jobs_in_flight", "Jobs being processed now.", "gauge", func(k *kindMetrics) float64 { return float64(k.inFlight.Load()) }},
		{"herald_job_seconds_total", "Time spent in job handlers.", "counter", func(k *kindMetrics) float64 { return k.seconds.get() }},
	}
	for _, s := range perKind {
		if _, err := fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", s.name, s.help, s.name, s.typ); err != nil {
			return err
		}
		for _, k := range Kinds {
			if _, err := fmt.Fprintf(w, "%s{kind=%q} %g\n", s.name, k, s.get(m.kinds[k])); err != nil {
				return err
			}
		}
	}
	single := []struct {
		name, help, typ string
		v               float64
	}{
		{"herald_host_waits_total", "Requests that waited for a host held or paced by the fleet.", "counter", float64(m.hostWaits.Load())},
		{"herald_host_wait_seconds_total", "Time spent waiting for hosts.", "counter", m.hostWait.get()},
		{"herald_host_held_total", "Requests refused because their host asked to wait (Retry-After) or is paused after failing.", "counter", float64(m.hostHeld.Load())},
		{"herald_host_lease_conflicts_total", "Host leases lost to another worker's compare-and-set.", "counter", float64(m.hostConflicts.Load())},
		{"herald_host_leases_lost_total", "Host leases that ran out while held (renewals failed).", "counter", float64(m.hostLost.Load())},
	}
	for _, s := range single {
		if _, err := fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n%s %g\n", s.name, s.help, s.name, s.typ, s.name, s.v); err != nil {
			return err
		}
	}
	return nil
}
