package harvest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Durations in JSON are whole milliseconds, named duration_ms, as the
// API's other durations are (a fetch's duration_ms, a source's
// interval_seconds): a number a spreadsheet or jq reads as it is, rather
// than Go's nanoseconds.

// withMillis is the JSON object of fields (a pointer to a struct type
// without a MarshalJSON method) with d as duration_ms, last.
func withMillis(fields any, d time.Duration) ([]byte, error) {
	b, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimSuffix(b, []byte("}"))
	if len(b) > 1 {
		b = append(b, ',')
	}
	return fmt.Appendf(b, `"duration_ms":%d}`, d.Milliseconds()), nil
}

// MarshalJSON writes the summary with Duration as duration_ms.
func (s Summary) MarshalJSON() ([]byte, error) {
	type fields Summary
	return withMillis((*fields)(&s), s.Duration)
}

// MarshalJSON writes the summary with Duration as duration_ms.
func (s ImportSummary) MarshalJSON() ([]byte, error) {
	type fields ImportSummary
	return withMillis((*fields)(&s), s.Duration)
}

// MarshalJSON writes the summary with Duration as duration_ms.
func (s ReextractSummary) MarshalJSON() ([]byte, error) {
	type fields ReextractSummary
	return withMillis((*fields)(&s), s.Duration)
}
