package fulltext

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"

	"github.com/herald-archive/herald/internal/query"
)

// AuthorIndex keeps the folded names (AuthorKey) of an archive's authors
// table, by id, for matching author: filters (AuthorMatches) in Go: both
// backends filter by the ids it returns. Authors rows are only ever added
// (never deleted or renamed), so between queries it reads only the rows
// added since, found by the table's highest id (an index lookup, not a
// scan). The zero AuthorIndex is empty and ready; it is safe for
// concurrent use.
type AuthorIndex struct {
	mu   sync.Mutex
	last int64    // the highest id read
	ids  []int64  // the ids read, and
	keys []string // their names' keys, each between spaces
}

// AuthorQuerier is what an AuthorIndex reads the authors table through
// (a *sql.DB; its committed rows).
type AuthorQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Match returns, for each of values (author: filters' values), the ids
// of the authors of db it matches, reading the authors added since the
// last call first; nil when values is empty.
func (x *AuthorIndex) Match(ctx context.Context, db AuthorQuerier, values []string) (map[string][]int64, error) {
	if len(values) == 0 {
		return nil, nil
	}
	var last int64
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM authors`).Scan(&last); err != nil {
		return nil, err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if last < x.last { // another archive at the same place: read it whole
		x.last, x.ids, x.keys = 0, nil, nil
	}
	if last > x.last {
		rows, err := db.QueryContext(ctx, `SELECT id, norm FROM authors WHERE id > `+strconv.FormatInt(x.last, 10)+` ORDER BY id`)
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
			x.ids = append(x.ids, id)
			x.keys = append(x.keys, " "+AuthorKey(name)+" ")
			x.last = max(x.last, id)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make(map[string][]int64, len(values))
	for _, v := range values {
		if _, ok := out[v]; ok {
			continue
		}
		ids := []int64{}
		if f := AuthorKey(v); f != "" {
			f = " " + f + " "
			for i, k := range x.keys {
				if strings.Contains(k, f) {
					ids = append(ids, x.ids[i])
				}
			}
		}
		out[v] = ids
	}
	return out, nil
}

// AuthorValues returns the values of q's author: filters, wherever they
// are in it (under NOT, AND, OR); none for a nil q.
func AuthorValues(q *query.Query) []string {
	var values []string
	var walk func(query.Node)
	walk = func(n query.Node) {
		switch n := n.(type) {
		case *query.Filter:
			if n.Field == query.Author {
				values = append(values, n.Value)
			}
		case *query.Not:
			walk(n.Node)
		case *query.And:
			for _, k := range n.Nodes {
				walk(k)
			}
		case *query.Or:
			for _, k := range n.Nodes {
				walk(k)
			}
		}
	}
	if q != nil {
		walk(q.Root)
	}
	return values
}
