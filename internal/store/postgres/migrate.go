package postgres

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
		rows, err := db.db.QueryContext(ctx, `SELECT a.n, `+recordCols+`, a.text FROM articles a
			WHERE a.n > $1 ORDER BY a.n LIMIT $2`, after, batch)
		if err != nil {
			return fmt.Errorf("history: %w", err)
		}
		var recs []*store.Record
		for rows.Next() {
			var text string
			r, err := scanRecord(prefixScanner{rows, &after}, false, &text)
			if err != nil {
				rows.Close()
				return fmt.Errorf("history: %w", err)
			}
			r.Text = text
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
	return sqlschema.DumpFetches(ctx, db.db, fn)
}

// DumpFrontier implements store.Dumper.
func (db *DB) DumpFrontier(ctx context.Context, fn func(store.FrontierItem) error) error {
	return sqlschema.DumpFrontier(ctx, db.db, fn)
}

// restore inserts rows given as arrays, one statement in one transaction,
// then moves the table's identity past the ids it was given (seqTable,
// when set), and returns how many rows were added.
func (db *DB) restore(ctx context.Context, what, q string, seqTable string, args ...any) (int, error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("restore %s: %w", what, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("restore %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("restore %s: %w", what, err)
	}
	if seqTable != "" {
		if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+seqTable+`', 'id'),
			greatest((SELECT max(id) FROM `+seqTable+`), 1))`); err != nil {
			return 0, fmt.Errorf("restore %s: %w", what, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("restore %s: %w", what, err)
	}
	return int(n), nil
}

// RestoreSources implements store.Restorer.
func (db *DB) RestoreSources(ctx context.Context, ss []*store.Source) (int, error) {
	var ids, intervals, added, polled, next []int64
	var urls, kinds, errs, etags, mods []string
	var paused []bool
	for _, s := range ss {
		ids, urls, kinds = append(ids, s.ID), append(urls, s.URL), append(kinds, s.Kind)
		intervals, paused = append(intervals, s.Interval.Milliseconds()), append(paused, s.Paused)
		added, polled, next = append(added, unixMilli(s.Added)), append(polled, unixMilli(s.LastPolled)), append(next, unixMilli(s.NextPoll))
		errs, etags, mods = append(errs, s.LastError), append(etags, s.ETag), append(mods, s.LastModified)
	}
	return db.restore(ctx, "sources", `INSERT INTO sources (id, url, kind, interval_ms, paused, added,
		last_polled, next_poll, last_error, etag, last_modified)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::boolean[], $6::bigint[],
			$7::bigint[], $8::bigint[], $9::text[], $10::text[], $11::text[])
		ON CONFLICT DO NOTHING`, "sources", ids, urls, kinds, intervals, paused, added, polled, next, errs, etags, mods)
}

// RestoreFetches implements store.Restorer.
func (db *DB) RestoreFetches(ctx context.Context, fs []*store.Fetch) (int, error) {
	var ids, srcs, ats, durs, sizes []int64
	var statuses []int32
	var urls, errs, articles []string
	for _, f := range fs {
		ids, srcs, ats = append(ids, f.ID), append(srcs, f.SourceID), append(ats, unixMilli(f.At))
		durs, sizes, statuses = append(durs, f.Duration.Milliseconds()), append(sizes, f.Bytes), append(statuses, int32(f.Status))
		urls, errs, articles = append(urls, f.URL), append(errs, f.Error), append(articles, f.ArticleID)
	}
	return db.restore(ctx, "fetches", `INSERT INTO fetches (id, source_id, url, at, status, duration_ms, bytes,
		error, article_id)
		SELECT id, nullif(src, 0), url, at, status, dur, bytes, err, article FROM
			unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::integer[], $6::bigint[], $7::bigint[],
				$8::text[], $9::text[]) AS x (id, src, url, at, status, dur, bytes, err, article)
		ON CONFLICT DO NOTHING`, "fetches", ids, srcs, urls, ats, statuses, durs, sizes, errs, articles)
}

// DumpSitemapValidators implements store.Dumper.
func (db *DB) DumpSitemapValidators(ctx context.Context, fn func(store.KeptValidators) error) error {
	return sqlschema.DumpSitemapValidators(ctx, db.db, fn)
}

// RestoreSitemapValidators implements store.Restorer.
func (db *DB) RestoreSitemapValidators(ctx context.Context, vs []store.KeptValidators) (int, error) {
	var urls, etags, mods []string
	var kept []int64
	for _, v := range vs {
		urls, etags, mods, kept = append(urls, v.URL), append(etags, v.ETag), append(mods, v.LastModified), append(kept, unixMilli(v.Kept))
	}
	return db.restore(ctx, "sitemap validators", `INSERT INTO sitemap_validators (url, etag, last_modified, kept)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
		ON CONFLICT (url) DO NOTHING`, "", urls, etags, mods, kept)
}

// RestoreFrontier implements store.Restorer.
func (db *DB) RestoreFrontier(ctx context.Context, items []store.FrontierItem) (int, error) {
	var urls, hosts, states, reasons, hints []string
	var srcs, nbs, addeds, lastmods []int64
	var depths, attempts []int32
	var fetched []bool
	for _, it := range items {
		urls, hosts, states, reasons = append(urls, it.URL), append(hosts, it.Host), append(states, string(it.State)), append(reasons, it.Reason)
		hints = append(hints, string(it.Hint))
		srcs, nbs, addeds = append(srcs, it.SourceID), append(nbs, unixMilli(it.NotBefore)), append(addeds, unixMilli(it.Added))
		depths, attempts = append(depths, int32(it.Depth)), append(attempts, int32(it.Attempts))
		lastmods, fetched = append(lastmods, unixMilli(it.Lastmod)), append(fetched, it.LastmodFetched)
	}
	return db.restore(ctx, "frontier", `INSERT INTO frontier (url, host, source_id, depth, state, attempts, reason,
		not_before, added, hint, lastmod, lastmod_fetched)
		SELECT url, host, src, depth, state, attempts, reason, nb, added, hint, lastmod, fetched FROM
			unnest($1::text[], $2::text[], $3::bigint[], $4::integer[], $5::text[], $6::integer[], $7::text[],
				$8::bigint[], $9::bigint[], $10::text[], $11::bigint[], $12::boolean[])
				WITH ORDINALITY AS x (url, host, src, depth, state, attempts, reason, nb, added, hint, lastmod, fetched, i)
		ORDER BY i
		ON CONFLICT (url) DO NOTHING`, "", urls, hosts, srcs, depths, states, attempts, reasons, nbs, addeds, hints, lastmods, fetched)
}
