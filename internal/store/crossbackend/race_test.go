//go:build race

package crossbackend

// raceEnabled: the race detector slows SQLite (transpiled C) and the
// comparisons by an order of magnitude, so the tests do less under it.
const raceEnabled = true
