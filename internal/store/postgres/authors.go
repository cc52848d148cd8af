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
// The folded names are kept between queries, in a fulltext.AuthorIndex
// (DB.authorKeys), which the SQLite backend uses too.

// translate is the package's translate of q, with its author: filters
// matched first (the ids of the authors each matches).
func (db *DB) translate(ctx context.Context, q *query.Query) (*where, error) {
	ids, err := db.authorKeys.Match(ctx, db.db, fulltext.AuthorValues(q))
	if err != nil {
		return nil, fmt.Errorf("authors: %w", err)
	}
	return translate(q, db.unicodeLower, ids), nil
}
