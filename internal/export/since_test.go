package export

import (
	"strings"
	"testing"
	"time"
)

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 12, 7, 18, 30, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-12-01T06:00:00Z":         time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC),
		"2026-12-01T06:00:00.25+01:00": time.Date(2026, 12, 1, 5, 0, 0, 250e6, time.UTC),
		" 2026-12-01 ":                 time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		"90m":                          now.Add(-90 * time.Minute),
		"36h":                          now.Add(-36 * time.Hour),
		"7d":                           now.Add(-7 * 24 * time.Hour),
		"2026-12-07T18:30:00Z":         now,
	} {
		got, err := ParseSince(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, why := range map[string]string{
		"":                     "is not a time",
		"yesterday":            "is not a time",
		"-3h":                  "is not a time",
		"0d":                   "is not a time",
		"2026-13-01":           "is not a time",
		"2026-12-01T06:00":     "is not a time",
		"2026-12-08":           "in the future",
		"2027-01-01T00:00:00Z": "in the future",
	} {
		if _, err := ParseSince(in, now); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("ParseSince(%q): %v, want an error saying %q", in, err, why)
		}
	}
	if got := NextSince(time.Date(2026, 12, 7, 18, 30, 15, 900, time.FixedZone("", 3600))); got != "2026-12-07T17:29:15Z" {
		t.Errorf("NextSince = %s", got)
	}
}
