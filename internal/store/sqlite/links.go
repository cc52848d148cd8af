package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	sqlite "modernc.org/sqlite"

	"github.com/herald-archive/herald/internal/store"
)

// The top tags and authors of a common word on a large archive look up
// the links of hundreds of thousands of matches, a seek each in
// article_tags or article_authors. The link caches keep, per archive, the
// tag ids and the author ids of every article by row number, loaded from
// tag_blocks and author_blocks (migration 0018; a few bytes a link, kept
// by the write transactions), so that herald_nkeys counts a query's
// matches by tag or author from memory, as it counts them by day and
// site (days.go). They follow the read transaction's snapshot as the
// block caches do: rows above the highest loaded are added, and a change
// of counters.dates_version (which a transaction bumps when it changes
// the links of a stored article) loads them again.
type linkCache struct {
	table, col string // the blocks table and its blob column
	mu         sync.Mutex
	view       *linkView
}

// linkView is a loaded link cache: the ids of row n are
// ids[start[n]:start[n+1]].
type linkView struct {
	viewSnap
	start []uint32 // maxN+2 entries
	ids   []int32
}

// of returns the ids of row n.
func (v *linkView) of(n int64) []int32 {
	if n < 0 || n+1 >= int64(len(v.start)) {
		return nil
	}
	return v.ids[v.start[n]:v.start[n+1]]
}

// current returns a view matching the snapshot of read transaction q.
func (c *linkCache) current(ctx context.Context, q querier) (*linkView, error) {
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
	next := &linkView{viewSnap: s, start: make([]uint32, 0, maxN+2)}
	from, ok := s.extends(v.snap())
	if ok {
		// Rows up to from are the old view's (copies: v stays as it is).
		next.start = append(next.start, v.start[:from+1]...)
		next.ids = slices.Clone(v.ids)
	}
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
		err := decodeLinks(b, func(i int, ids []int32) {
			n := block<<blockBits | int64(i)
			if n <= from || n > maxN {
				return
			}
			for int64(len(next.start)) <= n {
				next.start = append(next.start, uint32(len(next.ids)))
			}
			next.ids = append(next.ids, ids...)
		})
		if err != nil {
			return nil, fmt.Errorf("%s %d: %w", c.table, block, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for int64(len(next.start)) < maxN+2 {
		next.start = append(next.start, uint32(len(next.ids)))
	}
	if s.newer(v.snap()) {
		c.view = next
	}
	return next, nil
}

// snap returns what v was read at, nil for no view.
func (v *linkView) snap() *viewSnap {
	if v == nil {
		return nil
	}
	return &v.viewSnap
}

// decodeLinks calls fn with each row (its place in the block) and ids of
// link block b, in row order; ids is reused between calls.
func decodeLinks(b []byte, fn func(i int, ids []int32)) error {
	var ids []int32
	last := -1
	for len(b) > 0 {
		i, k := binary.Uvarint(b)
		if k <= 0 || i >= blockRows || int(i) <= last {
			return errors.New("bad link block: row")
		}
		b = b[k:]
		count, k := binary.Uvarint(b)
		if k <= 0 || count > uint64(len(b)) {
			return errors.New("bad link block: count")
		}
		b = b[k:]
		ids = ids[:0]
		for range count {
			id, k := binary.Uvarint(b)
			if k <= 0 || id > 1<<31-1 {
				return errors.New("bad link block: id")
			}
			b = b[k:]
			ids = append(ids, int32(id))
		}
		last = int(i)
		fn(last, ids)
	}
	return nil
}

// encodeLinks encodes the ids of the rows of one block (by place in the
// block; rows without ids are left out), each row's sorted and without
// repeats.
func encodeLinks(rows map[int][]int32) []byte {
	places := make([]int, 0, len(rows))
	for i, ids := range rows {
		if len(ids) > 0 {
			places = append(places, i)
		}
	}
	slices.Sort(places)
	b := []byte{} // never NULL
	for _, i := range places {
		ids := slices.Compact(slices.Sorted(slices.Values(rows[i])))
		b = binary.AppendUvarint(b, uint64(i))
		b = binary.AppendUvarint(b, uint64(len(ids)))
		for _, id := range ids {
			b = binary.AppendUvarint(b, uint64(id))
		}
	}
	return b
}

// herald_link_block(n, id) builds the link block of its rows (all of one
// block): migration 0018 fills tag_blocks and author_blocks with it.
func registerLinkBlocks() error {
	return sqlite.RegisterFunction("herald_link_block", &sqlite.FunctionImpl{
		NArgs: 2,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) {
			return &linkBuilder{rows: map[int][]int32{}}, nil
		},
	})
}

type linkBuilder struct {
	plainAggregate
	rows map[int][]int32
}

func (b *linkBuilder) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	n, ok1 := args[0].(int64)
	id, ok2 := args[1].(int64)
	if !ok1 || !ok2 || n < 0 || id <= 0 || id > 1<<31-1 {
		return fmt.Errorf("herald_link_block: want a row number and an id, got %v, %v", args[0], args[1])
	}
	i := int(n & (blockRows - 1))
	b.rows[i] = append(b.rows[i], int32(id))
	return nil
}

func (b *linkBuilder) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	return encodeLinks(b.rows), nil
}

// writeLinkBlocks brings the blocks of table (tag_blocks, author_blocks)
// in step with the links of the rows this transaction inserted or
// relinked (rows, by row number), a read and a write of each block they
// fall in.
func (t *tx) writeLinkBlocks(ctx context.Context, table, col string, rows map[int64][]int32) error {
	byBlock := map[int64][]int64{}
	for n := range rows {
		byBlock[n>>blockBits] = append(byBlock[n>>blockBits], n)
	}
	for block, ns := range byBlock {
		var b []byte
		s, err := t.stmt(ctx, `SELECT `+col+` FROM `+table+` WHERE block = ?`)
		if err != nil {
			return err
		}
		if err := s.QueryRowContext(ctx, block).Scan(&b); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s: %w", table, err)
		}
		places := map[int][]int32{}
		if err := decodeLinks(b, func(i int, ids []int32) { places[i] = slices.Clone(ids) }); err != nil {
			return fmt.Errorf("%s %d: %w", table, block, err)
		}
		for _, n := range ns {
			places[int(n&(blockRows-1))] = rows[n]
		}
		if _, err := t.exec(ctx, `INSERT OR REPLACE INTO `+table+` (block, `+col+`) VALUES (?, ?)`, block, encodeLinks(places)); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
	}
	clear(rows)
	return nil
}

// cachedTopLinks answers Top by tag or author from the caches when they
// can answer w (see keyFilterOf); ok is false when they cannot.
func (db *DB) cachedTopLinks(ctx context.Context, w *where, field store.TopField, n int) (out []store.Count, ok bool, err error) {
	if db.noCaches {
		return nil, false, nil
	}
	c := &keyCounter{linkField: field}
	ok, err = db.countedInCaches(ctx, w, c, func(tx *sql.Tx) (err error) {
		out, err = linkCounts(ctx, tx, c.counts, field, n)
		return err
	})
	if err != nil || !ok {
		return nil, false, err
	}
	return out, true, nil
}

// linkCounts returns the n tags or authors (field) counted most often in
// counts (by id), most first, ties by name, with their names read
// through tx.
func linkCounts(ctx context.Context, tx *sql.Tx, byID map[int64]int64, field store.TopField, n int) ([]store.Count, error) {
	out := []store.Count{}
	if len(byID) == 0 {
		return out, nil
	}
	// Names for the ids counted at least as often as the n-th.
	counts := make([]int64, 0, len(byID))
	for _, k := range byID {
		counts = append(counts, k)
	}
	slices.SortFunc(counts, func(a, b int64) int { return cmp.Compare(b, a) })
	bound := counts[min(n, len(counts))-1]
	var ids []int64
	for id, k := range byID {
		if k >= bound {
			ids = append(ids, id)
		}
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	dict := "tags"
	if field == store.TopAuthor {
		dict = "authors"
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM `+dict+` WHERE id IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out = append(out, store.Count{Key: name, Count: int(byID[id])})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b store.Count) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Key, b.Key))
	})
	return out[:min(n, len(out))], nil
}
