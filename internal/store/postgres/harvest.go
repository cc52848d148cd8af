package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

const sourceCols = `id, url, kind, interval_ms, paused, added, last_polled, next_poll, last_error, etag, last_modified`

func scanSource(s scanner) (*store.Source, error) {
	var src store.Source
	var interval, added, polled, next int64
	if err := s.Scan(&src.ID, &src.URL, &src.Kind, &interval, &src.Paused, &added, &polled, &next,
		&src.LastError, &src.ETag, &src.LastModified); err != nil {
		return nil, err
	}
	src.Interval = time.Duration(interval) * time.Millisecond
	src.Added, src.LastPolled, src.NextPoll = fromMilli(added), fromMilli(polled), fromMilli(next)
	return &src, nil
}

func checkSource(s *store.Source) error {
	switch {
	case s.URL == "":
		return fmt.Errorf("%w source: no URL", store.ErrInvalid)
	case s.Kind != store.KindFeed && s.Kind != store.KindSitemap && s.Kind != store.KindSite && s.Kind != store.KindList:
		return fmt.Errorf("%w source kind %q", store.ErrInvalid, s.Kind)
	case s.Interval < 0:
		return fmt.Errorf("%w source interval %v", store.ErrInvalid, s.Interval)
	}
	return nil
}

// AddSource implements store.Sources.
func (db *DB) AddSource(ctx context.Context, s *store.Source) error {
	if err := checkSource(s); err != nil {
		return fmt.Errorf("add source: %w", err)
	}
	if s.Added.IsZero() {
		s.Added = time.Now().UTC().Truncate(time.Millisecond)
	}
	err := db.db.QueryRowContext(ctx, `INSERT INTO sources (url, kind, interval_ms, paused, added,
		last_polled, next_poll, last_error, etag, last_modified) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (url) DO NOTHING RETURNING id`,
		s.URL, s.Kind, s.Interval.Milliseconds(), s.Paused, unixMilli(s.Added), unixMilli(s.LastPolled),
		unixMilli(s.NextPoll), s.LastError, s.ETag, s.LastModified).Scan(&s.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("add source %s: %w", s.URL, store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("add source %s: %w", s.URL, err)
	}
	return nil
}

// Source implements store.Sources.
func (db *DB) Source(ctx context.Context, id int64) (*store.Source, error) {
	s, err := scanSource(db.db.QueryRowContext(ctx, `SELECT `+sourceCols+` FROM sources WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("source %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("source %d: %w", id, err)
	}
	return s, nil
}

// ListSources implements store.Sources.
func (db *DB) ListSources(ctx context.Context) ([]*store.Source, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+sourceCols+` FROM sources ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	defer rows.Close()
	var out []*store.Source
	for rows.Next() {
		s, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("list sources: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	return out, nil
}

// UpdateSource implements store.Sources.
func (db *DB) UpdateSource(ctx context.Context, s *store.Source) error {
	if err := checkSource(s); err != nil {
		return fmt.Errorf("update source: %w", err)
	}
	res, err := db.db.ExecContext(ctx, `UPDATE sources SET url = $1, kind = $2, interval_ms = $3, paused = $4,
		last_polled = $5, next_poll = $6, last_error = $7, etag = $8, last_modified = $9 WHERE id = $10`,
		s.URL, s.Kind, s.Interval.Milliseconds(), s.Paused, unixMilli(s.LastPolled), unixMilli(s.NextPoll),
		s.LastError, s.ETag, s.LastModified, s.ID)
	if err != nil {
		if isUnique(err) {
			return fmt.Errorf("update source %d: %w", s.ID, store.ErrConflict)
		}
		return fmt.Errorf("update source %d: %w", s.ID, err)
	}
	return mustAffect(res, fmt.Sprintf("update source %d", s.ID))
}

// RemoveSource implements store.Sources.
func (db *DB) RemoveSource(ctx context.Context, id int64) error {
	res, err := db.db.ExecContext(ctx, `DELETE FROM sources WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("remove source %d: %w", id, err)
	}
	return mustAffect(res, fmt.Sprintf("remove source %d", id))
}

func mustAffect(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}

// LogFetch implements store.FetchLog.
func (db *DB) LogFetch(ctx context.Context, f *store.Fetch) error {
	var src any
	if f.SourceID != 0 {
		src = f.SourceID
	}
	if f.At.IsZero() {
		f.At = time.Now().UTC().Truncate(time.Millisecond)
	}
	err := db.db.QueryRowContext(ctx, `INSERT INTO fetches (source_id, url, at, status, duration_ms, bytes,
		error, article_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		src, f.URL, unixMilli(f.At), f.Status, f.Duration.Milliseconds(), f.Bytes, f.Error, f.ArticleID).Scan(&f.ID)
	if err != nil {
		return fmt.Errorf("log fetch %s: %w", f.URL, err)
	}
	return nil
}

// Fetches implements store.FetchLog.
func (db *DB) Fetches(ctx context.Context, sourceID int64, limit int) ([]*store.Fetch, error) {
	if limit <= 0 {
		limit = store.DefaultLimit
	}
	q := `SELECT id, coalesce(source_id, 0), url, at, status, duration_ms, bytes, error, article_id FROM fetches`
	args := []any{limit}
	if sourceID != 0 {
		q += ` WHERE source_id = $2`
		args = append(args, sourceID)
	}
	rows, err := db.db.QueryContext(ctx, q+` ORDER BY id DESC LIMIT $1`, args...)
	if err != nil {
		return nil, fmt.Errorf("fetches: %w", err)
	}
	defer rows.Close()
	var out []*store.Fetch
	for rows.Next() {
		var f store.Fetch
		var at, dur int64
		if err := rows.Scan(&f.ID, &f.SourceID, &f.URL, &at, &f.Status, &dur, &f.Bytes, &f.Error, &f.ArticleID); err != nil {
			return nil, fmt.Errorf("fetches: %w", err)
		}
		f.At, f.Duration = fromMilli(at), time.Duration(dur)*time.Millisecond
		out = append(out, &f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fetches: %w", err)
	}
	return out, nil
}

// Enqueue implements store.Frontier.
func (db *DB) Enqueue(ctx context.Context, items []store.FrontierItem) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	now := time.Now().UnixMilli()
	var urls, hosts, hints []string
	var srcs, depths, nbs, addeds, lastmods []int64
	var fetched []bool
	for _, it := range items {
		if it.URL == "" {
			return 0, fmt.Errorf("enqueue: %w item without URL", store.ErrInvalid)
		}
		at := unixMilli(it.Added)
		if at == 0 {
			at = now
		}
		urls, hosts = append(urls, it.URL), append(hosts, it.Host)
		srcs, depths = append(srcs, it.SourceID), append(depths, int64(it.Depth))
		nbs, addeds = append(nbs, unixMilli(it.NotBefore)), append(addeds, at)
		hints = append(hints, string(it.Hint))
		lastmods, fetched = append(lastmods, unixMilli(it.Lastmod)), append(fetched, it.LastmodFetched)
	}
	// One statement; WITH ORDINALITY keeps the items' order for seq, and
	// DISTINCT ON the first of repeated URLs.
	res, err := db.db.ExecContext(ctx, `INSERT INTO frontier (url, host, source_id, depth, state, not_before, added, hint,
			lastmod, lastmod_fetched)
		SELECT url, host, src, depth, 'queued', nb, added, hint, lastmod, fetched FROM (
			SELECT DISTINCT ON (url) url, host, src, depth, nb, added, hint, lastmod, fetched, i
			FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[],
					$8::bigint[], $9::boolean[])
				WITH ORDINALITY AS x (url, host, src, depth, nb, added, hint, lastmod, fetched, i)
			ORDER BY url, i) y
		ORDER BY i
		ON CONFLICT (url) DO NOTHING`, urls, hosts, srcs, depths, nbs, addeds, hints, lastmods, fetched)
	if err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	return int(n), nil
}

// Claim implements store.Frontier. Workers claiming at once skip each
// other's rows (FOR UPDATE SKIP LOCKED), so no item is claimed twice.
func (db *DB) Claim(ctx context.Context, now time.Time, n int) ([]store.FrontierItem, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := db.db.QueryContext(ctx, `UPDATE frontier SET state = 'in-flight', attempts = attempts + 1
		WHERE seq IN (SELECT seq FROM frontier WHERE state = 'queued' AND not_before <= $1
		              ORDER BY not_before, seq LIMIT $2 FOR UPDATE SKIP LOCKED)
		RETURNING seq, `+sqlschema.FrontierColumns,
		now.UnixMilli(), n)
	if err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	defer rows.Close()
	items, err := sqlschema.ClaimedItems(rows)
	if err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	return items, nil
}

func (db *DB) setState(ctx context.Context, what, url, q string, args ...any) error {
	res, err := db.db.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, url, err)
	}
	return mustAffect(res, what+" "+url)
}

// Done implements store.Frontier.
func (db *DB) Done(ctx context.Context, url string) error {
	return db.setState(ctx, "frontier done", url,
		`UPDATE frontier SET state = 'done', reason = '' WHERE url = $1`, url)
}

// Fail implements store.Frontier.
func (db *DB) Fail(ctx context.Context, url, reason string) error {
	return db.setState(ctx, "frontier fail", url,
		`UPDATE frontier SET state = 'failed', reason = $1 WHERE url = $2`, reason, url)
}

// Retry implements store.Frontier.
func (db *DB) Retry(ctx context.Context, url string, notBefore time.Time, reason string) error {
	return db.setState(ctx, "frontier retry", url,
		`UPDATE frontier SET state = 'queued', reason = $1, not_before = $2 WHERE url = $3`,
		reason, unixMilli(notBefore), url)
}

// Postpone implements store.Frontier.
func (db *DB) Postpone(ctx context.Context, url string, notBefore time.Time, reason string) error {
	return db.setState(ctx, "frontier postpone", url,
		`UPDATE frontier SET state = 'queued', attempts = greatest(attempts - 1, 0), reason = $1, not_before = $2 WHERE url = $3`,
		reason, unixMilli(notBefore), url)
}

// Revive implements store.Frontier.
func (db *DB) Revive(ctx context.Context, url string, notBefore time.Time, reasons []string) (bool, error) {
	q := `UPDATE frontier SET state = 'queued', attempts = 0, reason = '', not_before = $1 WHERE url = $2 AND state = 'failed'`
	args := []any{unixMilli(notBefore), url}
	if len(reasons) > 0 {
		marks := make([]string, len(reasons))
		for i, r := range reasons {
			args = append(args, r)
			marks[i] = fmt.Sprintf("$%d", len(args))
		}
		q += ` AND reason IN (` + strings.Join(marks, ", ") + `)`
	}
	n, err := sqlschema.Affected(ctx, db.db, "frontier revive "+url, q, args...)
	return n > 0, err
}

// KeepLastmod implements store.LastmodKeeper.
func (db *DB) KeepLastmod(ctx context.Context, url string, lastmod time.Time, fetched bool) (bool, error) {
	n, err := sqlschema.Affected(ctx, db.db, "frontier lastmod "+url, `UPDATE frontier SET lastmod = $1, lastmod_fetched = $2 WHERE url = $3`,
		unixMilli(lastmod), fetched, url)
	return n > 0, err
}

// RequeueInFlight implements store.Frontier.
func (db *DB) RequeueInFlight(ctx context.Context) (int, error) {
	n, err := sqlschema.Affected(ctx, db.db, "requeue in-flight", `UPDATE frontier SET state = 'queued' WHERE state = 'in-flight'`)
	return int(n), err
}

// FrontierItems implements store.Frontier.
func (db *DB) FrontierItems(ctx context.Context, urls []string) ([]store.FrontierItem, error) {
	return sqlschema.FrontierItems(ctx, db.db, urls, dollar)
}

// Waiting implements store.Frontier.
func (db *DB) Waiting(ctx context.Context) (int, time.Time, error) {
	return sqlschema.Waiting(ctx, db.db)
}

// FrontierCounts implements store.Frontier.
func (db *DB) FrontierCounts(ctx context.Context) (map[store.FrontierState]int, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT state, count(*) FROM frontier GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("frontier counts: %w", err)
	}
	defer rows.Close()
	out := map[store.FrontierState]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("frontier counts: %w", err)
		}
		out[store.FrontierState(s)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("frontier counts: %w", err)
	}
	return out, nil
}

// SitemapValidators implements store.ValidatorKeeper.
func (db *DB) SitemapValidators(ctx context.Context, url string) (store.Validators, error) {
	return sqlschema.SitemapValidators(ctx, db.db, url, dollar)
}

// KeepSitemapValidators implements store.ValidatorKeeper.
func (db *DB) KeepSitemapValidators(ctx context.Context, url string, v store.Validators) error {
	return sqlschema.KeepSitemapValidators(ctx, db.db, url, v, dollar)
}
