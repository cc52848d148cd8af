package sqlite

import (
	"context"
	"fmt"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

// This file implements store.Dumper and store.Restorer, for copying a
// whole archive to another store (herald migrate-archive).

var (
	_ store.Dumper   = (*DB)(nil)
	_ store.Restorer = (*DB)(nil)
)

// History implements store.Dumper, in row number order (the order the
// articles were first stored). Each batch of rows is read in full before
// fn sees it, so fn may use the store.
func (db *DB) History(ctx context.Context, fn func(versions []*store.Record) error) error {
	const batch = 500
	after := int64(0)
	for {
		rows, err := db.r.QueryContext(ctx, `SELECT a.n, `+recordCols+`, a.text FROM articles a
			WHERE a.n > ? ORDER BY a.n LIMIT ?`, after, batch)
		if err != nil {
			return fmt.Errorf("history: %w", err)
		}
		var recs []*store.Record
		for rows.Next() {
			var raw []byte
			r, err := scanRecord(prefixScanner{rows, &after}, false, &raw)
			if err == nil {
				r.Text, err = inflate(raw)
			}
			if err != nil {
				rows.Close()
				return fmt.Errorf("history: %w", err)
			}
			recs = append(recs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("history: %w", err)
		}
		for _, r := range recs {
			vs := []*store.Record{r}
			if r.Version > 1 {
				if vs, err = db.Versions(ctx, r.ID); err != nil {
					return fmt.Errorf("history: %w", err)
				}
			}
			if err := fn(vs); err != nil {
				return err
			}
		}
		if len(recs) < batch {
			return nil
		}
	}
}

// DumpFetches implements store.Dumper.
func (db *DB) DumpFetches(ctx context.Context, fn func(*store.Fetch) error) error {
	return sqlschema.DumpFetches(ctx, db.r, fn)
}

// DumpFrontier implements store.Dumper.
func (db *DB) DumpFrontier(ctx context.Context, fn func(store.FrontierItem) error) error {
	return sqlschema.DumpFrontier(ctx, db.r, fn)
}

// restore runs one INSERT … ON CONFLICT DO NOTHING per row in one
// transaction and counts the rows added.
func (db *DB) restore(ctx context.Context, what, q string, n int, args func(i int) []any) (int, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("restore %s: %w", what, err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("restore %s: %w", what, err)
	}
	defer stmt.Close()
	added := 0
	for i := range n {
		res, err := stmt.ExecContext(ctx, args(i)...)
		if err != nil {
			return 0, fmt.Errorf("restore %s: %w", what, err)
		}
		k, _ := res.RowsAffected() // the sqlite driver always reports it
		added += int(k)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("restore %s: %w", what, err)
	}
	return added, nil
}

// RestoreSources implements store.Restorer.
func (db *DB) RestoreSources(ctx context.Context, ss []*store.Source) (int, error) {
	return db.restore(ctx, "sources", `INSERT INTO sources (id, url, kind, interval_ms, paused, added,
		last_polled, next_poll, last_error, etag, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, len(ss), func(i int) []any {
		s := ss[i]
		return []any{s.ID, s.URL, s.Kind, s.Interval.Milliseconds(), s.Paused, unixMilli(s.Added),
			unixMilli(s.LastPolled), unixMilli(s.NextPoll), s.LastError, s.ETag, s.LastModified}
	})
}

// RestoreFetches implements store.Restorer.
func (db *DB) RestoreFetches(ctx context.Context, fs []*store.Fetch) (int, error) {
	return db.restore(ctx, "fetches", `INSERT INTO fetches (id, source_id, url, at, status, duration_ms, bytes,
		error, article_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, len(fs), func(i int) []any {
		f := fs[i]
		var src any
		if f.SourceID != 0 {
			src = f.SourceID
		}
		return []any{f.ID, src, f.URL, unixMilli(f.At), f.Status, f.Duration.Milliseconds(), f.Bytes, f.Error, f.ArticleID}
	})
}

// DumpSitemapValidators implements store.Dumper.
func (db *DB) DumpSitemapValidators(ctx context.Context, fn func(store.KeptValidators) error) error {
	return sqlschema.DumpSitemapValidators(ctx, db.r, fn)
}

// RestoreSitemapValidators implements store.Restorer.
func (db *DB) RestoreSitemapValidators(ctx context.Context, vs []store.KeptValidators) (int, error) {
	return db.restore(ctx, "sitemap validators", `INSERT INTO sitemap_validators (url, etag, last_modified, kept)
		VALUES (?, ?, ?, ?) ON CONFLICT (url) DO NOTHING`, len(vs), func(i int) []any {
		v := vs[i]
		return []any{v.URL, v.ETag, v.LastModified, unixMilli(v.Kept)}
	})
}

// RestoreFrontier implements store.Restorer.
func (db *DB) RestoreFrontier(ctx context.Context, items []store.FrontierItem) (int, error) {
	return db.restore(ctx, "frontier", `INSERT INTO frontier (url, host, source_id, depth, state, attempts, reason,
		not_before, added, hint, lastmod, lastmod_fetched) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING`, len(items), func(i int) []any {
		it := items[i]
		return []any{it.URL, it.Host, it.SourceID, it.Depth, string(it.State), it.Attempts, it.Reason,
			unixMilli(it.NotBefore), unixMilli(it.Added), string(it.Hint), unixMilli(it.Lastmod), it.LastmodFetched}
	})
}
