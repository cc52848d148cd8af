package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
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

// plainAggregate gives Herald's aggregate functions the methods of
// sqlite.AggregateFunction that only window functions use.
type plainAggregate struct{}

func (plainAggregate) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return errors.New("not a window function")
}

func (plainAggregate) Final(*sqlite.FunctionContext) {}

type dayCounter struct {
	plainAggregate
	counts map[int64]int64
}

func (d *dayCounter) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	date, ok := args[0].(int64)
	if !ok {
		return fmt.Errorf("herald_days: want an integer date, got %T", args[0])
	}
	d.counts[floorDiv(date, 86400)]++ // floor, for dates before 1970 too
	return nil
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
// The cache is loaded from day_blocks (4 bytes an article, kept by the
// write transactions), not from article_keys: a million articles load in
// about 35 ms rather than 0.3 s, which a one-shot command such as herald
// timeline pays every time.
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

// noDayBits is noDay as stored in a day block (two's complement).
const noDayBits = 1 << 31

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
	// The blocks from the one holding row from+1 on; the rows up to from
	// are the old view's.
	rows, err := q.QueryContext(ctx, `SELECT block, days FROM day_blocks WHERE block >= ? AND block <= ? ORDER BY block`,
		(from+1)>>blockBits, maxN>>blockBits)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var block int64
		var b []byte
		if err := rows.Scan(&block, &b); err != nil {
			return nil, err
		}
		if len(b) != 4*blockRows {
			return nil, fmt.Errorf("day block %d: %d bytes, want %d", block, len(b), 4*blockRows)
		}
		// Rows lo to hi of this block, after any missing block's.
		lo, hi := max(block<<blockBits, from+1), min((block+1)<<blockBits-1, maxN)
		for int64(len(next.days)) < lo {
			next.days = append(next.days, noDay)
		}
		for n := lo; n <= hi; n++ {
			next.days = append(next.days, int32(binary.LittleEndian.Uint32(b[4*(n&(blockRows-1)):])))
		}
	}
	if err := rows.Err(); err != nil {
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

// lent holds the cached views (a *dayView, a *clusterView) that the
// queries running read through aggregate functions (herald_ndays,
// herald_nclusters), by token: SQL passes the token, not the view.
var lent = struct {
	sync.Mutex
	next int64
	m    map[int64]any
}{m: map[int64]any{}}

// lend registers v under a new token until done is called.
func lend(v any) (token int64, done func()) {
	lent.Lock()
	lent.next++
	token = lent.next
	lent.m[token] = v
	lent.Unlock()
	return token, func() {
		lent.Lock()
		delete(lent.m, token)
		lent.Unlock()
	}
}

// borrow returns the view lent under token, if it is a T.
func borrow[T any](token int64) (T, bool) {
	lent.Lock()
	defer lent.Unlock()
	v, ok := lent.m[token].(T)
	return v, ok
}

// rowAndView decodes the arguments (n, token) of an aggregate over the
// view lent under token (herald_ndays, herald_nclusters), borrowing the
// view into *view at the first row.
func rowAndView[T comparable](name string, args []driver.Value, view *T) (int64, error) {
	n, ok1 := args[0].(int64)
	token, ok2 := args[1].(int64)
	if !ok1 || !ok2 {
		return 0, fmt.Errorf("%s: want integers, got %T, %T", name, args[0], args[1])
	}
	var none T
	if *view == none {
		v, ok := borrow[T](token)
		if !ok {
			return 0, fmt.Errorf("%s: no view %d", name, token)
		}
		*view = v
	}
	return n, nil
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
	n, err := rowAndView("herald_ndays", args, &d.view)
	if err != nil {
		return err
	}
	if n < 0 || n >= int64(len(d.view.days)) || d.view.days[n] == noDay {
		return fmt.Errorf("herald_ndays: no article %d in the view", n)
	}
	d.counts[int64(d.view.days[n])]++
	return nil
}

// Day blocks (migration 0009): the days of blockRows consecutive row
// numbers, as little-endian int32, noDay where there is no article.
const (
	blockBits = 12
	blockRows = 1 << blockBits
)

// newBlock returns a block with no article in it.
func newBlock() []byte {
	b := make([]byte, 4*blockRows)
	for i := 0; i < len(b); i += 4 {
		binary.LittleEndian.PutUint32(b[i:], noDayBits)
	}
	return b
}

// setDay sets the day of row n in block b (the block of n).
func setDay(b []byte, n int64, day int32) {
	binary.LittleEndian.PutUint32(b[4*(n&(blockRows-1)):], uint32(day))
}

// dayOf is the UTC day of a date in Unix seconds.
func dayOf(date int64) int32 { return int32(floorDiv(date, 86400)) }

// herald_day_block(n, date) builds the day block of its rows (all of one
// block); migration 0009 fills day_blocks with it.
func registerDayBlock() error {
	return sqlite.RegisterFunction("herald_day_block", &sqlite.FunctionImpl{
		NArgs: 2,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) {
			return &blockBuilder{block: newBlock()}, nil
		},
	})
}

type blockBuilder struct {
	plainAggregate
	block []byte
}

func (b *blockBuilder) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	n, ok1 := args[0].(int64)
	date, ok2 := args[1].(int64)
	if !ok1 || !ok2 || n < 0 {
		return fmt.Errorf("herald_day_block: want a row number and a date, got %v, %v", args[0], args[1])
	}
	setDay(b.block, n, dayOf(date))
	return nil
}

func (b *blockBuilder) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	return b.block, nil
}

// writeDays brings day_blocks in step with the days of the rows this
// transaction inserted or re-dated (t.days), a read and a write of each
// block they fall in.
func (t *tx) writeDays(ctx context.Context) error {
	byBlock := map[int64][]int64{}
	for n := range t.days {
		byBlock[n>>blockBits] = append(byBlock[n>>blockBits], n)
	}
	for block, ns := range byBlock {
		var b []byte
		s, err := t.stmt(ctx, `SELECT days FROM day_blocks WHERE block = ?`)
		if err != nil {
			return err
		}
		switch err := s.QueryRowContext(ctx, block).Scan(&b); {
		case errors.Is(err, sql.ErrNoRows):
			b = newBlock()
		case err != nil:
			return fmt.Errorf("day blocks: %w", err)
		case len(b) != 4*blockRows:
			return fmt.Errorf("day block %d: %d bytes, want %d", block, len(b), 4*blockRows)
		}
		for _, n := range ns {
			setDay(b, n, t.days[n])
		}
		if _, err := t.exec(ctx, `INSERT OR REPLACE INTO day_blocks (block, days) VALUES (?, ?)`, block, b); err != nil {
			return fmt.Errorf("day blocks: %w", err)
		}
	}
	clear(t.days)
	return nil
}
