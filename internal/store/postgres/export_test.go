package postgres

import (
	"database/sql"

	"github.com/herald-archive/herald/internal/store/fulltext"
)

// RawDB gives tests the connection pool, to look at columns that no
// method returns.
func RawDB(db *DB) *sql.DB { return db.db }

// RunVector is the search vector as Herald before migration 0007 built
// it, with a run of Han and kana characters one word, for the migration's
// test to make the old state.
func RunVector(title, description, authors, tags, text string) string {
	return buildVector(func(s string) []string {
		var ws []string
		for _, t := range fulltext.Tokenize(s, false) {
			ws = append(ws, t.Word)
		}
		return ws
	},
		title, description, authors, tags, text)
}

// Vector is the search vector Herald builds for these fields.
func Vector(title, description, authors, tags, text string) string {
	return vector(title, description, authors, tags, text)
}

// MaxBandLocks is the most band buckets a transaction locks one by one.
const MaxBandLocks = maxBandLocks
