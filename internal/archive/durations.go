package archive

import (
	"strconv"
	"time"
)

// Millis is a duration that JSON gives as whole milliseconds (a field
// named duration_ms), as the API's other durations are (a fetch's
// duration_ms, a source's interval_seconds): a number a spreadsheet or
// jq reads as it is, rather than Go's nanoseconds. The summaries of
// harvest, import warc, reextract, recluster and delete time their runs
// with it.
type Millis time.Duration

// MarshalJSON writes m in whole milliseconds.
func (m Millis) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, time.Duration(m).Milliseconds(), 10), nil
}

// UnmarshalJSON reads whole milliseconds, as MarshalJSON writes them.
func (m *Millis) UnmarshalJSON(b []byte) error {
	ms, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return err
	}
	*m = Millis(time.Duration(ms) * time.Millisecond)
	return nil
}
