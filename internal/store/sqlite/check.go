package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/herald-archive/herald/internal/store"
)

var _ store.Checker = (*DB)(nil)

// CheckStorage implements store.Checker with SQLite's own check of the
// file (PRAGMA quick_check: every b-tree page, record and free-list
// entry; indexes are not compared with their tables, which
// integrity_check does at several times the cost). It reads in one
// transaction on a reader connection, so writers go on meanwhile.
func (db *DB) CheckStorage(ctx context.Context) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `PRAGMA quick_check`)
	if err != nil {
		return nil, fmt.Errorf("check storage: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, fmt.Errorf("check storage: %w", err)
		}
		// One row can hold several lines, under a heading naming the
		// database ("*** in database main ***").
		for l := range strings.SplitSeq(line, "\n") {
			if l != "ok" && l != "" && !strings.HasPrefix(l, "*** ") {
				problems = append(problems, l)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("check storage: %w", err)
	}
	return problems, nil
}

// CheckIndex implements store.Checker with FTS5's integrity-check of the
// full-text index against the texts it indexes (the rank value 1 asks
// for the comparison with the content table: every text is read,
// inflated and tokenized again). FTS5 runs it as an INSERT, so it holds
// the archive's write lock while it runs: about as long as reading every
// text takes.
func (db *DB) CheckIndex(ctx context.Context) ([]string, error) {
	_, err := db.w.ExecContext(ctx, `INSERT INTO article_fts (article_fts, rank) VALUES ('integrity-check', 1)`)
	if err == nil {
		return nil, nil
	}
	// FTS5 reports an index that does not match with SQLITE_CORRUPT_VTAB
	// ("database disk image is malformed"); anything else is an error of
	// the check itself.
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CORRUPT {
		return []string{"full-text index: " + err.Error()}, nil
	}
	return nil, fmt.Errorf("check index: %w", err)
}
