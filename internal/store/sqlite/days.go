package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/cespare/xxhash/v2"
	sqlite "modernc.org/sqlite"
)

// herald_key(text) is the 64-bit xxhash of its argument: indexes on
// herald_key of a long value (the canonical URL) are a fraction of the
// size of indexes on the value, and queries check the value itself too.
func registerKey() error {
	return sqlite.RegisterDeterministicScalarFunction("herald_key", 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			switch v := args[0].(type) {
			case nil:
				return nil, nil
			case string:
				return int64(xxhash.Sum64String(v)), nil
			case []byte:
				return int64(xxhash.Sum64(v)), nil
			}
			return nil, fmt.Errorf("herald_key: want text, got %T", args[0])
		})
}

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

// A timeline of a common word counts hundreds of thousands of matches on
// a large archive; looking up each match's date in article_keys costs
// more than finding the match. dayCache keeps, per archive, the UTC day
// of every article by row number (4 bytes an article), and herald_ndays
// counts a query's matches by day from it, reading nothing but the
// full-text index.
//
// The cache must agree with the snapshot the query reads. Rows are never
// deleted and row numbers only grow, so within one read transaction the
// cache is brought up to date by loading the rows above the highest it
// holds, unless counters.dates_version (which a write transaction bumps
// when it changes the date of a stored article) differs from the one the
// cache was loaded at: then it is loaded again. A loaded view is never
// modified, only replaced, so queries running on an older one are not
// disturbed.
type dayCache struct {
	mu   sync.Mutex
	view *dayView
}

type dayView struct {
	days    []int32 // by row number; noDay where there is no article
	maxN    int64
	version int64
}

const noDay = math.MinInt32

// current returns a view matching the snapshot of read transaction q.
func (c *dayCache) current(ctx context.Context, q querier) (*dayView, error) {
	var maxN, version int64
	if err := q.QueryRowContext(ctx, `SELECT (SELECT coalesce(max(n), 0) FROM article_keys),
		(SELECT dates_version FROM counters)`).Scan(&maxN, &version); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.view
	if v != nil && v.version == version && v.maxN == maxN {
		return v, nil
	}
	from := int64(0)
	next := &dayView{maxN: maxN, version: version, days: make([]int32, 0, maxN+1)}
	if v != nil && v.version == version && v.maxN < maxN {
		from = v.maxN
		next.days = append(next.days, v.days[:v.maxN+1]...) // a copy: v stays as it is
	}
	// An aggregate fills the view, a call per row; reading the rows here
	// would cost several times as much (a million take 0.7 s).
	token, done := lendView(next)
	defer done()
	var loaded sql.NullInt64 // NULL when there are no rows
	if err := q.QueryRowContext(ctx, `SELECT herald_load_days(n, date, ?) FROM article_keys WHERE n > ? AND n <= ?`,
		token, from, maxN).Scan(&loaded); err != nil {
		return nil, err
	}
	for int64(len(next.days)) <= maxN {
		next.days = append(next.days, noDay)
	}
	c.view = next
	return next, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// views holds the views of the herald_ndays queries running, by token.
var views = struct {
	sync.Mutex
	next int64
	m    map[int64]*dayView
}{m: map[int64]*dayView{}}

func lendView(v *dayView) (token int64, done func()) {
	views.Lock()
	views.next++
	token = views.next
	views.m[token] = v
	views.Unlock()
	return token, func() {
		views.Lock()
		delete(views.m, token)
		views.Unlock()
	}
}

// lentView returns the view lent under token, for the SQL function fn.
func lentView(fn string, token int64) (*dayView, error) {
	views.Lock()
	defer views.Unlock()
	v := views.m[token]
	if v == nil {
		return nil, fmt.Errorf("%s: no view %d", fn, token)
	}
	return v, nil
}

// herald_ndays(n, token) counts its rows per day of article n, from the
// view lent under token; its result is encoded like herald_days'.
func registerNDays() error {
	return sqlite.RegisterFunction("herald_ndays", &sqlite.FunctionImpl{
		NArgs: 2,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) {
			return &nDayCounter{dayCounter: dayCounter{counts: map[int64]int64{}}}, nil
		},
	})
}

type nDayCounter struct {
	dayCounter
	view *dayView
}

func (d *nDayCounter) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	n, ok1 := args[0].(int64)
	token, ok2 := args[1].(int64)
	if !ok1 || !ok2 {
		return fmt.Errorf("herald_ndays: want integers, got %T, %T", args[0], args[1])
	}
	if d.view == nil {
		var err error
		if d.view, err = lentView("herald_ndays", token); err != nil {
			return err
		}
	}
	if n < 0 || n >= int64(len(d.view.days)) || d.view.days[n] == noDay {
		return fmt.Errorf("herald_ndays: no article %d in the view", n)
	}
	d.counts[int64(d.view.days[n])]++
	return nil
}

// herald_load_days(n, date, token) sets the day of article n in the view
// being loaded under token, and returns how many rows it set.
func registerLoadDays() error {
	return sqlite.RegisterFunction("herald_load_days", &sqlite.FunctionImpl{
		NArgs: 3,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) {
			return &dayLoader{}, nil
		},
	})
}

type dayLoader struct {
	view *dayView
	rows int64
}

func (l *dayLoader) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	n, ok1 := args[0].(int64)
	date, ok2 := args[1].(int64)
	token, ok3 := args[2].(int64)
	if !ok1 || !ok2 || !ok3 {
		return fmt.Errorf("herald_load_days: want integers, got %T, %T, %T", args[0], args[1], args[2])
	}
	if l.view == nil {
		var err error
		if l.view, err = lentView("herald_load_days", token); err != nil {
			return err
		}
	}
	if n < 0 || n > l.view.maxN {
		return fmt.Errorf("herald_load_days: row %d outside the view", n)
	}
	for int64(len(l.view.days)) <= n {
		l.view.days = append(l.view.days, noDay)
	}
	l.view.days[n] = int32(floorDiv(date, 86400))
	l.rows++
	return nil
}

func (l *dayLoader) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return fmt.Errorf("herald_load_days: not a window function")
}

func (l *dayLoader) WindowValue(*sqlite.FunctionContext) (driver.Value, error) { return l.rows, nil }

func (l *dayLoader) Final(*sqlite.FunctionContext) {}
