package postgres

import (
	"context"
	"fmt"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store/fulltext"
)

// author: filters match an author's name as the SQLite backend matches
// it: the filter's words, folded as the full-text index folds them, in a
// row among the name's (fulltext.AuthorMatches). PostgreSQL cannot fold
// words that way itself (it has no unicode61 and, without the unaccent
// extension, no way to drop diacritics), so the names are folded here,
// in Go, and the filter becomes the ids of the authors it matches.
//
// The folded names are kept between queries: authors rows are only ever
// added (never deleted or renamed), so the table is read again only when
// its count or its highest id has changed since.

// authorKeys is the folded names of the authors table, by id.
type authorKeys struct {
	count, maxID int64
	keys         map[int64]string
}

// authorIDs returns, for each value of an author: filter in q, the ids of
// the authors it matches; nil when q has no author: filter.
func (db *DB) authorIDs(ctx context.Context, q *query.Query) (map[string][]int64, error) {
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
	if len(values) == 0 {
		return nil, nil
	}
	keys, err := db.loadAuthorKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("authors: %w", err)
	}
	out := make(map[string][]int64, len(values))
	for _, v := range values {
		if _, ok := out[v]; ok {
			continue
		}
		f := fulltext.AuthorKey(v)
		ids := []int64{}
		for id, k := range keys {
			if fulltext.AuthorMatches(k, f) {
				ids = append(ids, id)
			}
		}
		out[v] = ids
	}
	return out, nil
}

// loadAuthorKeys returns the folded names of every author, reading the
// table again only when it has changed (see above).
func (db *DB) loadAuthorKeys(ctx context.Context) (map[int64]string, error) {
	var count, maxID int64
	if err := db.db.QueryRowContext(ctx, `SELECT count(*), coalesce(max(id), 0) FROM authors`).Scan(&count, &maxID); err != nil {
		return nil, err
	}
	db.authorMu.Lock()
	defer db.authorMu.Unlock()
	if c := db.authorKeys; c != nil && c.count == count && c.maxID == maxID {
		return c.keys, nil
	}
	rows, err := db.db.QueryContext(ctx, `SELECT id, norm FROM authors`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	c := &authorKeys{keys: map[int64]string{}}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		c.keys[id] = fulltext.AuthorKey(name)
		c.count++
		c.maxID = max(c.maxID, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	db.authorKeys = c
	return c.keys, nil
}

// translate is the package's translate of q, with its author: filters
// matched first (authorIDs).
func (db *DB) translate(ctx context.Context, q *query.Query) (*where, error) {
	ids, err := db.authorIDs(ctx, q)
	if err != nil {
		return nil, err
	}
	return translate(q, db.unicodeLower, ids), nil
}
