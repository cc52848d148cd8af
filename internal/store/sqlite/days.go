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
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/herald-archive/herald/internal/store"
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
// more than finding the match. The day cache keeps, per archive, the UTC
// day of every article by row number (4 bytes an article), and the site
// cache its site id; herald_nkeys counts a query's matches by day (and
// site) from them, reading nothing but the full-text index.
//
// The caches are loaded from day_blocks and site_blocks (4 bytes an
// article each, kept by the write transactions), not from article_keys: a
// million articles load in about 35 ms rather than 0.3 s, which a one-shot
// command such as herald timeline pays every time. The site cache is
// loaded only by what needs it (a timeline split by site, a site: filter).
//
// A cache must agree with the snapshot the query reads. Rows are never
// deleted and row numbers only grow, so within one read transaction a
// cache is brought up to date by loading the rows above the highest it
// holds, unless counters.dates_version (which a write transaction bumps
// when it changes the date or the site of a stored article) differs from
// the one the cache was loaded at: then it is loaded again. A loaded view
// is never modified, only replaced, so queries running on an older one
// are not disturbed.
type blockCache struct {
	table, col string // the blocks table and its blob column
	mu         sync.Mutex
	view       *blockView
}

// blockView is a loaded cache: the value of every row.
type blockView struct {
	viewSnap
	vals []int32 // by row number; noValue where there is no article
}

// noValue marks a row with no article, in a view and in a block.
const noValue = math.MinInt32

// noValueBits is noValue as stored in a block (two's complement).
const noValueBits = 1 << 31

// viewSnap is what the block, link and cluster caches follow of the
// snapshot of a read transaction: its highest row number and
// counters.dates_version. Row numbers only grow, so a view read at the
// same version and fewer rows is extended by the rows above its own; a
// change of version means a whole load.
type viewSnap struct{ maxN, version int64 }

// readSnap returns the viewSnap of read transaction q.
func readSnap(ctx context.Context, q querier) (s viewSnap, err error) {
	err = q.QueryRowContext(ctx, `SELECT (SELECT coalesce(max(n), 0) FROM article_keys),
		(SELECT dates_version FROM counters)`).Scan(&s.maxN, &s.version)
	return s, err
}

// extends reports whether a view for s can be made from one read at old
// (nil: there is none) by reading only the rows above from, old.maxN.
func (s viewSnap) extends(old *viewSnap) (from int64, ok bool) {
	if old != nil && old.version == s.version && old.maxN < s.maxN {
		return old.maxN, true
	}
	return 0, false
}

// marksKept is how much a write transaction adds to
// counters.dates_version when it changes the date, site, facet, tags or
// authors of stored articles but none of their cluster marks; one that
// may change a stored article's mark (a delete, an article moved into a
// cluster) adds 1, as every write did before. The part below marksKept,
// version % marksKept, thus changes exactly when marks may have (and
// also when a Herald from before this split wrote), so the cluster
// cache, which reads marks only, stays incremental across a harvest
// batch that re-dates a few articles, while the other caches, which
// compare the whole version, load whole as ever. 2^31 such batches fit.
const marksKept = 1 << 32

// extendsMarks is extends for the cluster cache: it only needs the marks
// of the rows up to old.maxN to be unchanged, which they are unless the
// part of the version below marksKept differs. ok with from == s.maxN
// means the old view holds every row already.
func (s viewSnap) extendsMarks(old *viewSnap) (from int64, ok bool) {
	if old != nil && old.version%marksKept == s.version%marksKept && old.maxN <= s.maxN && old.version <= s.version {
		return old.maxN, true
	}
	return 0, false
}

// newer reports whether a view read at s should replace one read at old
// (nil: there is none) in its cache: the newest snapshot's view is kept,
// so that a long read transaction does not push it out.
func (s viewSnap) newer(old *viewSnap) bool {
	return old == nil || old.version < s.version || old.version == s.version && old.maxN < s.maxN
}

// snap returns what v was read at, nil for no view.
func (v *blockView) snap() *viewSnap {
	if v == nil {
		return nil
	}
	return &v.viewSnap
}

// current returns a view matching the snapshot of read transaction q.
func (c *blockCache) current(ctx context.Context, q querier) (*blockView, error) {
	s, err := readSnap(ctx, q)
	if err != nil {
		return nil, err
	}
	maxN := s.maxN
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.view
	if v != nil && v.viewSnap == s {
		return v, nil
	}
	next := &blockView{viewSnap: s, vals: make([]int32, 0, maxN+1)}
	from, ok := s.extends(v.snap())
	if ok {
		next.vals = append(next.vals, v.vals[:v.maxN+1]...) // a copy: v stays as it is
	}
	// The blocks from the one holding row from+1 on; the rows up to from
	// are the old view's.
	rows, err := q.QueryContext(ctx, `SELECT block, `+c.col+` FROM `+c.table+` WHERE block >= ? AND block <= ? ORDER BY block`,
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
			return nil, fmt.Errorf("%s %d: %d bytes, want %d", c.table, block, len(b), 4*blockRows)
		}
		// Rows lo to hi of this block, after any missing block's.
		lo, hi := max(block<<blockBits, from+1), min((block+1)<<blockBits-1, maxN)
		for int64(len(next.vals)) < lo {
			next.vals = append(next.vals, noValue)
		}
		for n := lo; n <= hi; n++ {
			next.vals = append(next.vals, int32(binary.LittleEndian.Uint32(b[4*(n&(blockRows-1)):])))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for int64(len(next.vals)) <= maxN {
		next.vals = append(next.vals, noValue)
	}
	if s.newer(v.snap()) {
		c.view = next
	}
	return next, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// lent holds the cached views (a *keyCounter, a *clusterView) that the
// queries running read through aggregate functions (herald_nkeys,
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

// herald_nkeys(n, token) counts its rows into the keyCounter lent under
// token, by the day (and site) of article n; its value is the number of
// rows counted.
func registerNKeys() error {
	return sqlite.RegisterFunction("herald_nkeys", &sqlite.FunctionImpl{
		NArgs: 2,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) {
			return &nKeyCounter{}, nil
		},
	})
}

type nKeyCounter struct {
	plainAggregate
	c    *keyCounter
	rows int64
}

func (d *nKeyCounter) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	n, err := rowAndView("herald_nkeys", args, &d.c)
	if err != nil {
		return err
	}
	if !d.c.add(n) {
		return fmt.Errorf("herald_nkeys: no article %d in the view", n)
	}
	d.rows++
	return nil
}

func (d *nKeyCounter) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	return d.rows, nil
}

// keyCounter counts articles by day, week or month (by), by site and
// period when split, or by site alone when sitesOnly, from the day, site
// and facet caches, keeping those within a range of days, a set of sites
// and the tests of other filters (see keyFilter). With marked set it counts nothing
// and collects the articles that pass and share a cluster instead (see
// TopStories); with collect set, every article that passes (see
// cachedSearch).
type keyCounter struct {
	days, sites, facets *blockView // sites and facets are nil unless needed
	f                   keyFilter
	split, sitesOnly    bool
	by                  store.Interval
	// counts by day (dayBuckets adds them up into periods), by site<<32
	// | uint32(first day of the period) when split, by site when
	// sitesOnly.
	counts map[int64]int64
	// periods maps a day to the first day of its week or month.
	periods map[int32]int32
	// marked is the cluster cache's marked rows; inClusters collects
	// the rows that pass and are marked.
	marked     map[int64]int64
	inClusters []int64
	// collect makes add collect the rows that pass in passed.
	collect bool
	passed  []int64
	// linkField (tag or author) makes add count the rows that pass by
	// their tags or authors (by id, in counts), from links (tagView or
	// authorView).
	linkField store.TopField
	links     *linkView
	// byFacet makes add count the rows that pass by facet (in counts).
	byFacet             bool
	tagView, authorView *linkView // nil unless needed
}

// admit reports whether row n passes c.f, and its day and site (0
// unless the site cache is loaded); ok is false when the views have no
// article n.
func (c *keyCounter) admit(n int64) (day, site int32, pass, ok bool) {
	if n < 0 || n >= int64(len(c.days.vals)) || c.days.vals[n] == noValue {
		return 0, 0, false, false
	}
	day = c.days.vals[n]
	if day < c.f.from || day >= c.f.until {
		return day, 0, false, true
	}
	if c.facets != nil && n >= int64(len(c.facets.vals)) {
		return 0, 0, false, false
	}
	for _, t := range c.f.tests {
		if !t.pass(c, n) {
			return day, 0, false, true
		}
	}
	if c.sites != nil {
		if n >= int64(len(c.sites.vals)) {
			return 0, 0, false, false
		}
		site = c.sites.vals[n]
		if c.f.sites != nil && !c.f.sites[site] {
			return day, site, false, true
		}
	}
	return day, site, true, true
}

// add counts row n, if it passes the filter; it reports false when the
// views have no article n.
func (c *keyCounter) add(n int64) bool {
	day, site, pass, ok := c.admit(n)
	if !pass {
		return ok
	}
	switch {
	case c.collect:
		c.passed = append(c.passed, n)
		return true
	case c.byFacet:
		c.counts[int64(c.facets.vals[n])]++
		return true
	case c.links != nil:
		for _, id := range c.links.of(n) {
			c.counts[int64(id)]++
		}
		return true
	case c.sitesOnly:
		c.counts[int64(site)]++
		return true
	case c.marked != nil:
		if _, ok := c.marked[n]; ok {
			c.inClusters = append(c.inClusters, n)
		}
		return true
	case !c.split:
		c.counts[int64(day)]++ // a few thousand days: added up into periods after
		return true
	}
	if c.by != store.Day {
		// Split, days times sites would be up to a million keys: count
		// by period instead.
		p, ok := c.periods[day]
		if !ok {
			p = dayOf(c.by.Truncate(time.Unix(int64(day)*86400, 0)).Unix())
			c.periods[day] = p
		}
		day = p
	}
	c.counts[int64(site)<<32|int64(uint32(day))]++
	return true
}

// Blocks (day_blocks, migration 0009; site_blocks, 0015; facet_blocks,
// 0017): the
// values of blockRows consecutive row numbers, as little-endian int32,
// noValue where there is no article.
const (
	blockBits = 12
	blockRows = 1 << blockBits
)

// newBlock returns a block with no article in it.
func newBlock() []byte {
	b := make([]byte, 4*blockRows)
	for i := 0; i < len(b); i += 4 {
		binary.LittleEndian.PutUint32(b[i:], noValueBits)
	}
	return b
}

// setValue sets the value of row n in block b (the block of n).
func setValue(b []byte, n int64, v int32) {
	binary.LittleEndian.PutUint32(b[4*(n&(blockRows-1)):], uint32(v))
}

// dayOf is the UTC day of a date in Unix seconds.
func dayOf(date int64) int32 { return int32(floorDiv(date, 86400)) }

// herald_day_block(n, date) builds the day block of its rows (all of one
// block); migration 0009 fills day_blocks with it. herald_id_block(n, id)
// builds a block of ids (positive int32): migration 0015 fills
// site_blocks with it, under its first name herald_site_block, and 0017
// facet_blocks.
func registerBlockBuilders() error {
	id := func(id int64) (int32, bool) { return int32(id), id > 0 && id <= math.MaxInt32 }
	for name, value := range map[string]func(int64) (int32, bool){
		"herald_day_block":  func(date int64) (int32, bool) { return dayOf(date), true },
		"herald_site_block": id,
		"herald_id_block":   id,
	} {
		err := sqlite.RegisterFunction(name, &sqlite.FunctionImpl{
			NArgs: 2,
			MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) {
				return &blockBuilder{name: name, value: value, block: newBlock()}, nil
			},
		})
		if err != nil {
			return err
		}
	}
	return nil
}

type blockBuilder struct {
	plainAggregate
	name  string
	value func(int64) (int32, bool)
	block []byte
}

func (b *blockBuilder) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	n, ok1 := args[0].(int64)
	v, ok2 := args[1].(int64)
	if !ok1 || !ok2 || n < 0 {
		return fmt.Errorf("%s: want a row number and an integer, got %v, %v", b.name, args[0], args[1])
	}
	val, ok := b.value(v)
	if !ok {
		return fmt.Errorf("%s: row %d: value %d out of range", b.name, n, v)
	}
	setValue(b.block, n, val)
	return nil
}

func (b *blockBuilder) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	return b.block, nil
}

// writeBlocks brings the blocks of table (day_blocks, site_blocks,
// facet_blocks) in
// step with the values of the rows this transaction inserted or changed
// (vals), a read and a write of each block they fall in.
func (t *tx) writeBlocks(ctx context.Context, table, col string, vals map[int64]int32) error {
	byBlock := map[int64][]int64{}
	for n := range vals {
		byBlock[n>>blockBits] = append(byBlock[n>>blockBits], n)
	}
	for block, ns := range byBlock {
		var b []byte
		s, err := t.stmt(ctx, `SELECT `+col+` FROM `+table+` WHERE block = ?`)
		if err != nil {
			return err
		}
		switch err := s.QueryRowContext(ctx, block).Scan(&b); {
		case errors.Is(err, sql.ErrNoRows):
			b = newBlock()
		case err != nil:
			return fmt.Errorf("%s: %w", table, err)
		case len(b) != 4*blockRows:
			return fmt.Errorf("%s %d: %d bytes, want %d", table, block, len(b), 4*blockRows)
		}
		for _, n := range ns {
			setValue(b, n, vals[n])
		}
		if _, err := t.exec(ctx, `INSERT OR REPLACE INTO `+table+` (block, `+col+`) VALUES (?, ?)`, block, b); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
	}
	clear(vals)
	return nil
}
