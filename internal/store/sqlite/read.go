package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// lastRow returns the highest article row number as q sees it (0 in an
// empty archive): row numbers only grow, so caches and plans scale by it.
func lastRow(ctx context.Context, q querier) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT coalesce(max(n), 0) FROM article_keys`).Scan(&n)
	return n, err
}

func getRecord(ctx context.Context, q querier, id string) (*store.Record, error) {
	row := q.QueryRowContext(ctx, `SELECT `+recordCols+`, a.text FROM articles a WHERE a.id = ?`, id)
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
	return getRecord(ctx, db.r, id)
}

func scanCandidates(rows *sql.Rows, err error) ([]store.Candidate, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cs []store.Candidate
	for rows.Next() {
		var c store.Candidate
		if err := rows.Scan(&c.ID, &c.ClusterID); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// byHashSQL finds articles by content hash through the index on its
// first 8 bytes (migration 0004).
const byHashSQL = `SELECT id, cluster_id FROM articles WHERE substr(content_hash, 1, 8) = substr(?1, 1, 8)
	AND content_hash = ?1 ORDER BY date, id`

func byHash(ctx context.Context, q querier, hash string) ([]store.Candidate, error) {
	cs, err := scanCandidates(q.QueryContext(ctx, byHashSQL, hashArg(hash)))
	if err != nil {
		return nil, fmt.Errorf("by hash: %w", err)
	}
	return cs, nil
}

// ByHash implements store.Lookup.
func (db *DB) ByHash(ctx context.Context, hash string) ([]store.Candidate, error) {
	return byHash(ctx, db.r, hash)
}

// FirstNaming implements store.Lookup.
func (db *DB) FirstNaming(ctx context.Context, url string) (store.Candidate, bool, error) {
	return sqlschema.FirstNaming(ctx, db.r, "?", url)
}

// Candidates implements store.Lookup.
func (db *DB) Candidates(ctx context.Context, bands []uint64, limit int) ([]store.Candidate, error) {
	if len(bands) == 0 || limit <= 0 {
		return nil, nil
	}
	keys, err := storedKeys(ctx, db.r, db.prepared, bands)
	if err != nil {
		return nil, fmt.Errorf("candidates: %w", err)
	}
	return rankCandidates(ctx, db.r, keys, bands, nil, limit)
}

var _ store.AheadLooker = (*DB)(nil)

// LookAhead implements store.AheadLooker: the band rows of lists read in
// one statement walking the band keys in order (prefetch), where a
// lookup per article runs a statement of 60 range queries.
func (db *DB) LookAhead(ctx context.Context, lists [][]uint64) (store.Lookup, error) {
	ahead, err := prefetch(ctx, db.r, lists)
	if err != nil {
		return nil, fmt.Errorf("look ahead: %w", err)
	}
	return aheadLookup{DB: db, ahead: ahead}, nil
}

// aheadLookup is the DB's Lookup with band rows read ahead.
type aheadLookup struct {
	*DB
	ahead map[int64][]int64
}

// Candidates implements store.Lookup.
func (a aheadLookup) Candidates(ctx context.Context, bands []uint64, limit int) ([]store.Candidate, error) {
	keys, ok := prefetched(a.ahead, bands)
	if !ok || len(bands) == 0 || limit <= 0 {
		return a.DB.Candidates(ctx, bands, limit)
	}
	return rankCandidates(ctx, a.r, keys, bands, nil, limit)
}

// prepared returns the readers' statement for query text q, prepared the
// first time it is asked for. The band lookup of Candidates is a UNION
// of two range queries per band (40 for 20 bands): preparing it took
// 18% of a herald recluster --dry-run on 100,000 articles (13.5 of 76
// CPU-seconds), which runs it once per lone article outside any
// transaction.
func (db *DB) prepared(q string) (querier, error) {
	if s, ok := db.stmts.Load(q); ok {
		return stmtQuerier{s.(*sql.Stmt)}, nil
	}
	s, err := db.r.Prepare(q)
	if err != nil {
		return nil, err
	}
	if old, loaded := db.stmts.LoadOrStore(q, s); loaded {
		s.Close()
		s = old.(*sql.Stmt)
	}
	return stmtQuerier{s}, nil
}

// Versions implements store.Store.
func (db *DB) Versions(ctx context.Context, id string) ([]*store.Record, error) {
	cur, err := db.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("versions: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT v.record FROM article_versions v
		JOIN articles a ON a.n = v.article_n WHERE a.id = ? ORDER BY v.version`, id)
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
		var blob []byte
		if err := rows.Scan(&blob); err != nil {
			return nil, err
		}
		js, err := inflate(blob)
		if err != nil {
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
	rows, err := db.r.QueryContext(ctx, `SELECT `+recordCols+`, a.text FROM articles a
		WHERE a.cluster_id = ? ORDER BY a.date, a.n`, clusterID)
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
	// articles_canonical indexes herald_key(canonical_url) (migration 0004).
	err := db.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM articles
		WHERE herald_key(canonical_url) = herald_key(?1) AND canonical_url = ?1)
		OR EXISTS (SELECT 1 FROM frontier WHERE url = ?1)
		OR EXISTS (SELECT 1 FROM withheld WHERE url = ?1)`, canonicalURL).Scan(&seen)
	if err != nil {
		return false, fmt.Errorf("seen %s: %w", canonicalURL, err)
	}
	return seen, nil
}

// Stats implements store.Store. Bytes is the size of the database file
// and its write-ahead log.
func (db *DB) Stats(ctx context.Context) (*store.Stats, error) {
	var s store.Stats
	var oldest, newest sql.NullInt64
	err := db.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM articles),
		(SELECT count(*) FROM article_versions),
		(SELECT count(*) FROM sites WHERE id IN (SELECT DISTINCT site_id FROM articles)),
		(SELECT count(*) FROM sources),
		(SELECT count(*) FROM withheld),
		(SELECT text_bytes FROM counters),
		(SELECT min(date) FROM articles),
		(SELECT max(date) FROM articles)`).Scan(
		&s.Articles, &s.Versions, &s.Sites, &s.Sources, &s.Withheld, &s.TextBytes, &oldest, &newest)
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	var dups sql.NullInt64
	err = db.r.QueryRowContext(ctx, `SELECT count(*), sum(c - 1) FROM
		(SELECT count(*) AS c FROM articles GROUP BY cluster_id HAVING c > 1)`).Scan(&s.Clusters, &dups)
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	s.Duplicates = int(dups.Int64)
	if oldest.Valid {
		s.Oldest = time.Unix(oldest.Int64, 0).UTC()
		s.Newest = time.Unix(newest.Int64, 0).UTC()
	}
	for _, p := range []string{db.path, db.path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			s.Bytes += fi.Size()
		}
	}
	return &s, nil
}

// Usage is the space one table or index takes in the database file.
type Usage struct {
	Name  string
	Bytes int64
}

// Space returns the space each table and index takes, largest first (from
// SQLite's dbstat table; the full-text index's shadow tables are named
// article_fts_*). It reads every page of the file: seconds on a large
// archive.
func (db *DB) Space(ctx context.Context) ([]Usage, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT name, sum(pgsize) AS b FROM dbstat GROUP BY name ORDER BY b DESC`)
	if err != nil {
		return nil, fmt.Errorf("space: %w", err)
	}
	defer rows.Close()
	var out []Usage
	for rows.Next() {
		var u Usage
		if err := rows.Scan(&u.Name, &u.Bytes); err != nil {
			return nil, fmt.Errorf("space: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("space: %w", err)
	}
	return out, nil
}

var _ store.OriginLister = (*DB)(nil)

// NamingOriginal implements store.OriginLister, through the partial
// index articles_original (migration 0019).
func (db *DB) NamingOriginal(ctx context.Context, url string, n int) ([]*store.Record, int, error) {
	if err := store.CheckN(n); err != nil {
		return nil, 0, fmt.Errorf("copies of %s: %w", url, err)
	}
	out, total, err := sqlschema.NamingOriginal(ctx, db.r, url, n, "?", func(rows *sql.Rows) (*store.Record, error) {
		return scanRecord(rows, false)
	}, recordCols)
	if err != nil {
		return nil, 0, fmt.Errorf("copies of %s: %w", url, err)
	}
	return out, total, nil
}

var _ store.CaptureScanner = (*DB)(nil)

// ScanCaptures implements store.CaptureScanner, in one statement.
func (db *DB) ScanCaptures(ctx context.Context, fn func(store.CaptureRef) error) error {
	return sqlschema.ScanCaptures(ctx, db.r, sqlschema.CaptureRefsSQL+`ORDER BY capture_file, capture_offset, id`, fn)
}
