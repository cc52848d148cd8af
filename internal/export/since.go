package export

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DeltaOverlap is how far before an export's start the next delta should
// begin (NextSince): an article is stamped when its transaction writes it
// and seen once the transaction commits, a few seconds later at most, so
// one written just before an export began may only appear after it
// read. Such articles come again in the next delta rather than never;
// loading records by id makes the repeats harmless.
const DeltaOverlap = time.Minute

// ParseSince reads the time an export of changes starts from (herald
// export --changed-since, the API's changed_since): an RFC 3339 time
// (2026-12-01T06:00:00Z, fractions of a second allowed), a day
// (2026-12-01: from 00:00 UTC), or a time ago from now (90m, 36h, 7d).
// A time after now is refused: nothing can have changed since.
func ParseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	bad := func() error {
		return fmt.Errorf("%q is not a time: want one such as 2026-12-01T06:00:00Z, a day (2026-12-01, from 00:00 UTC) or a time ago (90m, 36h, 7d)", s)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = time.Parse(time.DateOnly, s)
	}
	if err != nil {
		d, agoErr := sinceAgo(s)
		if agoErr != nil {
			return time.Time{}, bad()
		}
		t = now.Add(-d)
	}
	if t.After(now) {
		return time.Time{}, fmt.Errorf("%s is in the future: nothing can have changed since", t.Format(time.RFC3339))
	}
	return t, nil
}

// sinceAgo reads a positive duration, in Go's units or in days (7d).
func sinceAgo(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.ParseUint(n, 10, 16)
		if err != nil || days == 0 {
			return 0, errors.New("not a number of days")
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, errors.New("not a duration")
	}
	return d, nil
}

// NextSince is the --changed-since of the delta after one that started
// at start: DeltaOverlap before it, to the second, in UTC.
func NextSince(start time.Time) string {
	return start.Add(-DeltaOverlap).UTC().Truncate(time.Second).Format(time.RFC3339)
}
