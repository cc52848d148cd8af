//go:build race

package benchmark

// raceEnabled lets slow cross-checks shrink under the race detector, which
// makes this package's pure-computation tests about twenty times slower.
const raceEnabled = true
