//go:build !unix

package benchmark

import "time"

// processCPU reports no CPU time where getrusage is unavailable; speed
// figures then have no per-CPU-second rates.
func processCPU() (time.Duration, bool) { return 0, false }
