package sqlite

import (
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"slices"

	sqlite "modernc.org/sqlite"
)

// herald_days(date) is an aggregate that counts its rows per UTC day of
// date (unix seconds) and returns the counts as a blob of uvarint pairs:
// day number, count, in day order. Timeline uses it to count a common
// word's matches: grouping in SQL sorts every match (GROUP BY has no hash
// plan), while a map here costs one lookup each.
func registerDays() error {
	return sqlite.RegisterFunction("herald_days", &sqlite.FunctionImpl{
		NArgs:         1,
		Deterministic: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) {
			return &dayCounter{counts: map[int64]int64{}}, nil
		},
	})
}

type dayCounter struct {
	counts map[int64]int64
}

func (d *dayCounter) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	date, ok := args[0].(int64)
	if !ok {
		return fmt.Errorf("herald_days: want an integer date, got %T", args[0])
	}
	day := date / 86400
	if date < 0 && date%86400 != 0 {
		day-- // floor, for dates before 1970
	}
	d.counts[day]++
	return nil
}

func (d *dayCounter) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return fmt.Errorf("herald_days: not a window function")
}

func (d *dayCounter) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	days := make([]int64, 0, len(d.counts))
	for day := range d.counts {
		days = append(days, day)
	}
	slices.Sort(days)
	out := make([]byte, 0, 8*len(days))
	for _, day := range days {
		out = binary.AppendVarint(out, day)
		out = binary.AppendUvarint(out, uint64(d.counts[day]))
	}
	return out, nil
}

func (d *dayCounter) Final(*sqlite.FunctionContext) {}

// decodeDays reverses dayCounter.WindowValue, calling fn for each day.
func decodeDays(b []byte, fn func(day, count int64)) error {
	for len(b) > 0 {
		day, n := binary.Varint(b)
		if n <= 0 {
			return fmt.Errorf("herald_days: bad result")
		}
		b = b[n:]
		count, m := binary.Uvarint(b)
		if m <= 0 {
			return fmt.Errorf("herald_days: bad result")
		}
		b = b[m:]
		fn(day, int64(count))
	}
	return nil
}
