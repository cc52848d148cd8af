package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/herald-archive/herald/internal/dedupe"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

var _ store.Deleter = (*tx)(nil)

// Delete implements store.Deleter: the article's row goes, and with it
// (ON DELETE CASCADE) its versions; its full-text vectors are columns of
// the row. Its author and tag links and its LSH band rows, which have no
// foreign key since migration 0002 (see 0013), are deleted here: left
// behind, the links were counted in top lists of the whole archive. The
// band rows are those of its text and of its earlier versions', whose
// bands an updated article keeps. The other members of its cluster keep
// the cluster's id. The near-duplicate candidates read ahead may name
// the article: they are dropped.
func (t *tx) Delete(ctx context.Context, id string) error {
	if t.done {
		return fmt.Errorf("delete %s: %w", id, sql.ErrTxDone)
	}
	if err := t.delete(ctx, id); err != nil {
		return fmt.Errorf("delete %s: %w", id, err)
	}
	t.ahead, t.written = nil, nil
	return nil
}

func (t *tx) delete(ctx context.Context, id string) error {
	// The earlier versions' texts, read before the cascade deletes them.
	rows, err := t.tx.QueryContext(ctx, `SELECT v.record FROM article_versions v
		JOIN articles a ON a.n = v.article_n WHERE a.id = $1`, id)
	if err != nil {
		return err
	}
	versions, err := readVersions(rows)
	if err != nil {
		return fmt.Errorf("a version: %w", err)
	}
	texts := make([]string, len(versions))
	for i, v := range versions {
		texts[i] = v.Text
	}
	var n, size int64
	var text string
	err = t.tx.QueryRowContext(ctx, `DELETE FROM articles WHERE id = $1 RETURNING n, text_bytes, text`, id).Scan(&n, &size, &text)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	if err != nil {
		return err
	}
	var bands []uint64
	for _, s := range append(texts, text) {
		_, sig := dedupe.Fingerprint(s)
		bands = append(bands, sig.Bands()...)
	}
	if _, err := t.tx.ExecContext(ctx, `WITH da AS (DELETE FROM article_authors WHERE n = $1),
		dt AS (DELETE FROM article_tags WHERE n = $1)
		DELETE FROM article_bands WHERE band = ANY($2) AND n = $1`, n, bandArgs(bands)); err != nil {
		return err
	}
	// The deletion is recorded for herald deleted by the trigger of
	// migration 0017.
	t.textDelta -= size
	return nil
}

var _ store.DeletionScanner = (*DB)(nil)

// ScanDeleted implements store.DeletionScanner from deleted_articles
// (migration 0016), through its index on the time.
func (db *DB) ScanDeleted(ctx context.Context, since time.Time, fn func(store.Deletion) error) error {
	return sqlschema.ScanDeleted(ctx, db.db, fmt.Sprintf(sqlschema.DeletedSQL, "$1")+` COLLATE "C"`, since, fn)
}

var _ store.DeletionRestorer = (*DB)(nil)

// RestoreDeletions implements store.DeletionRestorer.
func (db *DB) RestoreDeletions(ctx context.Context, ds []store.Deletion) (int, error) {
	var ids, urls []string
	var at []int64
	for _, d := range ds {
		ids, urls, at = append(ids, d.ID), append(urls, d.CanonicalURL), append(at, d.Deleted.UnixMilli())
	}
	return db.restore(ctx, "deletions", `INSERT INTO deleted_articles (id, canonical_url, deleted)
		SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
		ON CONFLICT (id) DO UPDATE SET canonical_url = excluded.canonical_url, deleted = excluded.deleted
		WHERE excluded.deleted > deleted_articles.deleted`, "", ids, urls, at)
}

// RestoreDeletionsFrom implements store.DeletionRestorer.
func (db *DB) RestoreDeletionsFrom(ctx context.Context, from time.Time) error {
	if _, err := db.db.ExecContext(ctx, `UPDATE counters SET deletions_from = $1`, from.UnixMilli()); err != nil {
		return fmt.Errorf("restore deletions: %w", err)
	}
	return nil
}

// DeletionsFrom implements store.DeletionScanner: when migration 0016
// ran.
func (db *DB) DeletionsFrom(ctx context.Context) (time.Time, error) {
	return sqlschema.DeletionsFrom(ctx, db.db)
}
