package sqlite

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
	err := db.w.QueryRowContext(ctx, `INSERT INTO sources (url, kind, interval_ms, paused, added,
		last_polled, next_poll, last_error, etag, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
	s, err := scanSource(db.r.QueryRowContext(ctx, `SELECT `+sourceCols+` FROM sources WHERE id = ?`, id))
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
	rows, err := db.r.QueryContext(ctx, `SELECT `+sourceCols+` FROM sources ORDER BY id`)
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
	res, err := db.w.ExecContext(ctx, `UPDATE sources SET url = ?, kind = ?, interval_ms = ?, paused = ?,
		last_polled = ?, next_poll = ?, last_error = ?, etag = ?, last_modified = ? WHERE id = ?`,
		s.URL, s.Kind, s.Interval.Milliseconds(), s.Paused, unixMilli(s.LastPolled), unixMilli(s.NextPoll),
		s.LastError, s.ETag, s.LastModified, s.ID)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return fmt.Errorf("update source %d: %w", s.ID, store.ErrConflict)
		}
		return fmt.Errorf("update source %d: %w", s.ID, err)
	}
	return mustAffect(res, fmt.Sprintf("update source %d", s.ID))
}

// RemoveSource implements store.Sources.
func (db *DB) RemoveSource(ctx context.Context, id int64) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM sources WHERE id = ?`, id)
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
	err := db.w.QueryRowContext(ctx, `INSERT INTO fetches (source_id, url, at, status, duration_ms, bytes,
		error, article_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
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
	args := []any{}
	if sourceID != 0 {
		q += ` WHERE source_id = ?`
		args = append(args, sourceID)
	}
	rows, err := db.r.QueryContext(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
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
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO frontier (url, host, source_id, depth, state, not_before, added, hint,
		lastmod, lastmod_fetched) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING`)
	if err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	defer stmt.Close()
	now := time.Now().UnixMilli()
	added := 0
	for _, it := range items {
		if it.URL == "" {
			return 0, fmt.Errorf("enqueue: %w item without URL", store.ErrInvalid)
		}
		at := unixMilli(it.Added)
		if at == 0 {
			at = now
		}
		res, err := stmt.ExecContext(ctx, it.URL, it.Host, it.SourceID, it.Depth, unixMilli(it.NotBefore), at, string(it.Hint),
			unixMilli(it.Lastmod), it.LastmodFetched)
		if err != nil {
			return 0, fmt.Errorf("enqueue %s: %w", it.URL, err)
		}
		n, _ := res.RowsAffected() // the sqlite driver always reports it
		added += int(n)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	return added, nil
}

// Claim implements store.Frontier.
func (db *DB) Claim(ctx context.Context, now time.Time, n int) ([]store.FrontierItem, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := db.w.QueryContext(ctx, `UPDATE frontier SET state = 'in-flight', attempts = attempts + 1
		WHERE seq IN (SELECT seq FROM frontier WHERE state = 'queued' AND not_before <= ?
		              ORDER BY not_before, seq LIMIT ?)
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
	res, err := db.w.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, url, err)
	}
	return mustAffect(res, what+" "+url)
}

// Done implements store.Frontier.
func (db *DB) Done(ctx context.Context, url string) error {
	return db.setState(ctx, "frontier done", url,
		`UPDATE frontier SET state = 'done', reason = '' WHERE url = ?`, url)
}

// Fail implements store.Frontier.
func (db *DB) Fail(ctx context.Context, url, reason string) error {
	return db.setState(ctx, "frontier fail", url,
		`UPDATE frontier SET state = 'failed', reason = ? WHERE url = ?`, reason, url)
}

// Retry implements store.Frontier.
func (db *DB) Retry(ctx context.Context, url string, notBefore time.Time, reason string) error {
	return db.setState(ctx, "frontier retry", url,
		`UPDATE frontier SET state = 'queued', reason = ?, not_before = ? WHERE url = ?`,
		reason, unixMilli(notBefore), url)
}

// Postpone implements store.Frontier.
func (db *DB) Postpone(ctx context.Context, url string, notBefore time.Time, reason string) error {
	return db.setState(ctx, "frontier postpone", url,
		`UPDATE frontier SET state = 'queued', attempts = max(attempts - 1, 0), reason = ?, not_before = ? WHERE url = ?`,
		reason, unixMilli(notBefore), url)
}

// Revive implements store.Frontier.
func (db *DB) Revive(ctx context.Context, url string, notBefore time.Time, reasons []string) (bool, error) {
	// Nearly every URL a feed or sitemap lists again was fetched: look
	// on a reader first, so that those cost no write transaction (and no
	// wait for the writer's batches).
	var failed bool
	if err := db.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM frontier WHERE url = ? AND state = 'failed')`, url).Scan(&failed); err != nil {
		return false, fmt.Errorf("frontier revive %s: %w", url, err)
	}
	if !failed {
		return false, nil
	}
	q := `UPDATE frontier SET state = 'queued', attempts = 0, reason = '', not_before = ? WHERE url = ? AND state = 'failed'`
	args := []any{unixMilli(notBefore), url}
	if len(reasons) > 0 {
		q += ` AND reason IN (?` + strings.Repeat(", ?", len(reasons)-1) + `)`
		for _, r := range reasons {
			args = append(args, r)
		}
	}
	n, err := sqlschema.Affected(ctx, db.w, "frontier revive "+url, q, args...)
	return n > 0, err
}

// KeepLastmod implements store.LastmodKeeper.
func (db *DB) KeepLastmod(ctx context.Context, url string, lastmod time.Time, fetched bool) (bool, error) {
	n, err := sqlschema.Affected(ctx, db.w, "frontier lastmod "+url, `UPDATE frontier SET lastmod = ?, lastmod_fetched = ? WHERE url = ?`,
		unixMilli(lastmod), fetched, url)
	return n > 0, err
}

// RequeueInFlight implements store.Frontier.
func (db *DB) RequeueInFlight(ctx context.Context) (int, error) {
	n, err := sqlschema.Affected(ctx, db.w, "requeue in-flight", `UPDATE frontier SET state = 'queued' WHERE state = 'in-flight'`)
	return int(n), err
}

// FrontierItems implements store.Frontier.
func (db *DB) FrontierItems(ctx context.Context, urls []string) ([]store.FrontierItem, error) {
	return sqlschema.FrontierItems(ctx, db.r, urls, qmark)
}

// Waiting implements store.Frontier.
func (db *DB) Waiting(ctx context.Context) (int, time.Time, error) {
	return sqlschema.Waiting(ctx, db.r)
}

// FrontierCounts implements store.Frontier.
func (db *DB) FrontierCounts(ctx context.Context) (map[store.FrontierState]int, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT state, count(*) FROM frontier GROUP BY state`)
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
	return sqlschema.SitemapValidators(ctx, db.r, url, qmark)
}

// KeepSitemapValidators implements store.ValidatorKeeper.
func (db *DB) KeepSitemapValidators(ctx context.Context, url string, v store.Validators) error {
	return sqlschema.KeepSitemapValidators(ctx, db.w, url, v, qmark)
}
