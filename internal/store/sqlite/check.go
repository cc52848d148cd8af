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
// text takes. An archive opened with OpenReadOnly is checked through a
// copy of its index (checkIndexCopy).
func (db *DB) CheckIndex(ctx context.Context) ([]string, error) {
	_, err := db.w.ExecContext(ctx, `INSERT INTO article_fts (article_fts, rank) VALUES ('integrity-check', 1)`)
	if errors.Is(err, ErrReadOnly) {
		err = db.checkIndexCopy(ctx)
	}
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

// checkIndexCopy runs FTS5's integrity-check on an archive this process
// may not write. The check is an INSERT, which a read-only database
// refuses; so, on a reader connection, the index's tables are copied
// into an FTS5 table of the connection's TEMP database (in a temporary
// file: about the index's size, a fraction of the archive's) over the
// same texts (a TEMP view of article_text), and that one is checked, in
// the one transaction (one snapshot of the archive), rolled back after.
// The archive is only read; it is not locked, so writers go on meanwhile
// (what they store is not in the snapshot, so not checked). The TEMP
// objects go with the check.
func (db *DB) checkIndexCopy(ctx context.Context) (err error) {
	conn, err := db.r.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var ddl string
	if err := conn.QueryRowContext(ctx, `SELECT sql FROM main.sqlite_schema WHERE type = 'table' AND name = 'article_fts'`).Scan(&ddl); err != nil {
		return fmt.Errorf("full-text index: %w", err)
	}
	const create = "CREATE VIRTUAL TABLE article_fts"
	if !strings.HasPrefix(ddl, create) {
		return fmt.Errorf("full-text index: unexpected definition %.60q", ddl)
	}
	// Readers are query_only; TEMP objects need it off on this one
	// connection (mode=ro still keeps the archive itself from any write).
	if _, err := conn.ExecContext(ctx, `PRAGMA query_only = 0`); err != nil {
		return err
	}
	defer func() {
		for _, q := range []string{`DROP TABLE IF EXISTS temp.article_fts`, `DROP VIEW IF EXISTS temp.article_text`, `PRAGMA query_only = 1`} {
			if _, cerr := conn.ExecContext(context.WithoutCancel(ctx), q); cerr != nil && err == nil {
				err = cerr
			}
		}
	}()
	steps := []string{
		`PRAGMA temp_store = FILE`,
		`CREATE TEMP VIEW article_text AS SELECT * FROM main.article_text`,
		"CREATE VIRTUAL TABLE temp.article_fts" + strings.TrimPrefix(ddl, create),
		`BEGIN`,
	}
	for _, shadow := range []string{"data", "idx", "docsize", "config"} {
		t := "article_fts_" + shadow
		steps = append(steps, `DELETE FROM temp.`+t, `INSERT INTO temp.`+t+` SELECT * FROM main.`+t)
	}
	for _, q := range steps {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
			return fmt.Errorf("copy of the full-text index: %w", err)
		}
	}
	// The check runs in the transaction that made the copy, so it reads
	// the texts of the same snapshot: articles another process stores
	// meanwhile are in neither. The copy is then thrown away.
	_, err = conn.ExecContext(ctx, `INSERT INTO temp.article_fts (article_fts, rank) VALUES ('integrity-check', 1)`)
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`); rerr != nil && err == nil {
		err = rerr
	}
	return err
}
