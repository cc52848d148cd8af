//go:build !race

package crossbackend

const raceEnabled = false
