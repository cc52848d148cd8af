package harvest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/archive"
)

// A summary's run time is whole milliseconds in JSON, named duration_ms,
// last; and a summary embedded in another object (import warc --queue
// --json adds "queued" before it) keeps the object's own fields: the
// summary used to have a MarshalJSON of its own, which the embedding
// object took over, losing "queued".
func TestSummaryDurationJSON(t *testing.T) {
	s := ImportSummary{Responses: 2, Skipped: map[string]int{}, Duration: archive.Millis(1500*time.Millisecond + 700*time.Microsecond)}
	b, err := json.Marshal(struct {
		Queued int `json:"queued"`
		*ImportSummary
	}{3, &s})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["queued"] != 3.0 || got["duration_ms"] != 1500.0 || got["responses"] != 2.0 {
		t.Errorf("embedded summary: %s; want queued 3, responses 2, duration_ms 1500", b)
	}
	for _, v := range []any{Summary{Duration: archive.Millis(time.Second)}, ReextractSummary{Duration: archive.Millis(time.Second)}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if want := `,"duration_ms":1000}`; len(b) < len(want) || string(b[len(b)-len(want):]) != want {
			t.Errorf("%T: %s, want it to end %s", v, b, want)
		}
	}
}
