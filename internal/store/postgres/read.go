package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func getRecord(ctx context.Context, q querier, id string) (*store.Record, error) {
	row := q.QueryRowContext(ctx, `SELECT `+recordCols+`, a.text FROM articles a WHERE a.id = $1`, id)
	r, err := scanRecord(row, true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("article %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("article %s: %w", id, err)
	}
	return r, nil
}

// Get implements store.Lookup.
func (db *DB) Get(ctx context.Context, id string) (*store.Record, error) {
	return getRecord(ctx, db.db, id)
}

func byHash(ctx context.Context, q querier, hash string) ([]store.Candidate, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, cluster_id FROM articles WHERE content_hash = $1 ORDER BY date, id`, hash)
	if err != nil {
		return nil, fmt.Errorf("by hash: %w", err)
	}
	defer rows.Close()
	var cs []store.Candidate
	for rows.Next() {
		var c store.Candidate
		if err := rows.Scan(&c.ID, &c.ClusterID); err != nil {
			return nil, fmt.Errorf("by hash: %w", err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("by hash: %w", err)
	}
	return cs, nil
}

// ByHash implements store.Lookup.
func (db *DB) ByHash(ctx context.Context, hash string) ([]store.Candidate, error) {
	return byHash(ctx, db.db, hash)
}

// FirstNaming implements store.Lookup.
func (db *DB) FirstNaming(ctx context.Context, url string) (store.Candidate, bool, error) {
	return sqlschema.FirstNaming(ctx, db.db, "$1", url)
}

// candidates implements Lookup.Candidates on q: the articles sharing most
// bands first, ties by id.
func candidates(ctx context.Context, q querier, bands []uint64, limit int) ([]store.Candidate, error) {
	if len(bands) == 0 || limit <= 0 {
		return nil, nil
	}
	keys := bandArgs(bands)
	rows, err := q.QueryContext(ctx, `SELECT a.id, a.cluster_id, x.shared FROM
		(SELECT n, count(*) AS shared FROM article_bands WHERE band = ANY($1) GROUP BY n) x
		JOIN articles a ON a.n = x.n`, keys)
	if err != nil {
		return nil, fmt.Errorf("candidates: %w", err)
	}
	defer rows.Close()
	var cs []sqlschema.SharedBands
	for rows.Next() {
		var c sqlschema.SharedBands
		if err := rows.Scan(&c.ID, &c.ClusterID, &c.Shared); err != nil {
			return nil, fmt.Errorf("candidates: %w", err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("candidates: %w", err)
	}
	// Sorted here, by byte order of the ids, as the SQLite backend sorts.
	return sqlschema.TopCandidates(cs, limit), nil
}

// bandArgs is bands as stored: each uint64 bit for bit as an int64,
// duplicates removed.
func bandArgs(bands []uint64) []int64 {
	out := make([]int64, 0, len(bands))
	for _, b := range bands {
		out = append(out, int64(b))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Candidates implements store.Lookup.
func (db *DB) Candidates(ctx context.Context, bands []uint64, limit int) ([]store.Candidate, error) {
	return candidates(ctx, db.db, bands, limit)
}

// Versions implements store.Store.
func (db *DB) Versions(ctx context.Context, id string) ([]*store.Record, error) {
	tx, err := db.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("versions %s: %w", id, err)
	}
	defer tx.Rollback()
	cur, err := getRecord(ctx, tx, id)
	if err != nil {
		return nil, fmt.Errorf("versions: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT v.record FROM article_versions v
		JOIN articles a ON a.n = v.article_n WHERE a.id = $1 ORDER BY v.version`, id)
	if err != nil {
		return nil, fmt.Errorf("versions %s: %w", id, err)
	}
	out, err := readVersions(rows)
	if err != nil {
		return nil, fmt.Errorf("versions %s: %w", id, err)
	}
	return append(out, cur), nil
}

// readVersions decodes rows of article_versions.record, closing rows.
func readVersions(rows *sql.Rows) ([]*store.Record, error) {
	defer rows.Close()
	var out []*store.Record
	for rows.Next() {
		var js string
		if err := rows.Scan(&js); err != nil {
			return nil, err
		}
		var r store.Record
		if err := json.Unmarshal([]byte(js), &r); err != nil {
			return nil, err
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

// Cluster implements store.Store.
func (db *DB) Cluster(ctx context.Context, clusterID string) ([]*store.Record, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+recordCols+`, a.text FROM articles a
		WHERE a.cluster_id = $1 ORDER BY a.date, a.n`, clusterID)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", clusterID, err)
	}
	defer rows.Close()
	var out []*store.Record
	for rows.Next() {
		r, err := scanRecord(rows, true)
		if err != nil {
			return nil, fmt.Errorf("cluster %s: %w", clusterID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cluster %s: %w", clusterID, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("cluster %s: %w", clusterID, store.ErrNotFound)
	}
	return out, nil
}

// Seen implements store.Store.
func (db *DB) Seen(ctx context.Context, canonicalURL string) (bool, error) {
	var seen bool
	err := db.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM articles WHERE canonical_url = $1)
		OR EXISTS (SELECT 1 FROM frontier WHERE url = $1)
		OR EXISTS (SELECT 1 FROM withheld WHERE url = $1)`, canonicalURL).Scan(&seen)
	if err != nil {
		return false, fmt.Errorf("seen %s: %w", canonicalURL, err)
	}
	return seen, nil
}

// Stats implements store.Store. Bytes is the space the archive's tables
// and indexes take in the current schema.
func (db *DB) Stats(ctx context.Context) (*store.Stats, error) {
	tx, err := db.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	defer tx.Rollback()
	var s store.Stats
	var oldest, newest, dups sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM articles),
		(SELECT count(*) FROM article_versions),
		(SELECT count(DISTINCT site_id) FROM articles),
		(SELECT count(*) FROM sources),
		(SELECT count(*) FROM withheld),
		(SELECT text_bytes FROM counters),
		(SELECT min(date) FROM articles),
		(SELECT max(date) FROM articles),
		(SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
			JOIN pg_namespace ns ON ns.oid = c.relnamespace
			WHERE ns.nspname = current_schema() AND c.relkind IN ('r', 'm'))`).Scan(
		&s.Articles, &s.Versions, &s.Sites, &s.Sources, &s.Withheld, &s.TextBytes, &oldest, &newest, &s.Bytes)
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	err = tx.QueryRowContext(ctx, `SELECT count(*), sum(c - 1) FROM
		(SELECT count(*) AS c FROM articles GROUP BY cluster_id HAVING count(*) > 1) x`).Scan(&s.Clusters, &dups)
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	s.Duplicates = int(dups.Int64)
	if oldest.Valid {
		s.Oldest = time.Unix(oldest.Int64, 0).UTC()
		s.Newest = time.Unix(newest.Int64, 0).UTC()
	}
	return &s, nil
}

var _ store.OriginLister = (*DB)(nil)

// NamingOriginal implements store.OriginLister, through the partial
// index articles_original (migration 0010).
func (db *DB) NamingOriginal(ctx context.Context, url string, n int) ([]*store.Record, int, error) {
	if err := store.CheckN(n); err != nil {
		return nil, 0, fmt.Errorf("copies of %s: %w", url, err)
	}
	out, total, err := sqlschema.NamingOriginal(ctx, db.db, url, n, "$1", func(rows *sql.Rows) (*store.Record, error) {
		return scanRecord(rows, false)
	}, recordCols)
	if err != nil {
		return nil, 0, fmt.Errorf("copies of %s: %w", url, err)
	}
	return out, total, nil
}

var _ store.CaptureScanner = (*DB)(nil)

// ScanCaptures implements store.CaptureScanner, in one statement; file
// names in byte order whatever the database's collation.
func (db *DB) ScanCaptures(ctx context.Context, fn func(store.CaptureRef) error) error {
	return sqlschema.ScanCaptures(ctx, db.db, sqlschema.CaptureRefsSQL+`ORDER BY capture_file COLLATE "C", capture_offset, id COLLATE "C"`, fn)
}
