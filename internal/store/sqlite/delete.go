package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

var (
	_ store.Deleter        = (*tx)(nil)
	_ store.StorageOrderer = (*DB)(nil)
)

// StorageOrder implements store.StorageOrderer: ids by row number. A
// delete changes the day, site, facet, tag and author blocks of its rows
// (4,096 rows a block) and the pages of the tables keyed by row number;
// deleting 2,154 articles of a million in the order a search lists them,
// 500 a transaction, rewrote every block five times.
func (db *DB) StorageOrder(ctx context.Context, ids []string) ([]string, error) {
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT a.id FROM json_each(?) j JOIN articles a ON a.id = j.value ORDER BY a.n`, string(list))
	if err != nil {
		return nil, fmt.Errorf("storage order: %w", err)
	}
	defer rows.Close()
	out := make([]string, 0, len(ids))
	held := make(map[string]bool, len(ids))
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("storage order: %w", err)
		}
		if !held[id] {
			held[id] = true
			out = append(out, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage order: %w", err)
	}
	for _, id := range ids {
		if !held[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// Delete implements store.Deleter. Every trace of the article's row goes:
// its full-text row, keys row, links, versions, and its places in the
// day, site, facet, tag and author blocks (written at Commit, like an
// insert's), and its LSH band rows, those of its text and of its earlier
// versions' (see dropBands).
//
// A cluster keeps its other members. Its marks (article_keys.cluster, the
// row number of the member first marked) must not name a row a later
// article may take, so when the article was the mark the others take the
// next member's; a member left alone loses its mark and dup marker, as
// if it had never been joined. counters.dates_version is bumped below
// marksKept, so the caches of every process sharing the archive load
// whole, the cluster cache included.
func (t *tx) Delete(ctx context.Context, id string) error {
	if t.done {
		return fmt.Errorf("delete %s: %w", id, sql.ErrTxDone)
	}
	if err := t.delete(ctx, id); err != nil {
		return fmt.Errorf("delete %s: %w", id, err)
	}
	return nil
}

func (t *tx) delete(ctx context.Context, id string) error {
	var n int64
	var mark sql.NullInt64
	err := t.tx.QueryRowContext(ctx, `SELECT a.n, k.cluster FROM articles a JOIN article_keys k ON k.n = a.n WHERE a.id = ?`, id).Scan(&n, &mark)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	if err != nil {
		return err
	}
	rec, err := getRecord(ctx, t.tx, id)
	if err != nil {
		return err
	}
	// Out of the full-text index at Commit, with the values it holds,
	// read while its keys still say what its dup marker was (or out of
	// the rows still to be indexed).
	row, indexed, err := t.indexed(ctx, n)
	if err != nil {
		return err
	}
	delete(t.pending, n)
	if indexed {
		if t.dropped == nil {
			t.dropped = map[int64]ftsRow{}
		}
		t.dropped[n] = row
	}
	if mark.Valid {
		if err := t.unmark(ctx, n, mark.Int64); err != nil {
			return err
		}
	}
	texts, err := t.versionTexts(ctx, n)
	if err != nil {
		return err
	}
	if err := t.dropBands(ctx, n, append(texts, rec.Text)); err != nil {
		return err
	}
	if _, err := t.exec(ctx, recordDeletion, id, deletedURL(rec)); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM article_versions WHERE article_n = ?`,
		`DELETE FROM article_tags WHERE n = ?`,
		`DELETE FROM article_authors WHERE n = ?`,
		`DELETE FROM article_keys WHERE n = ?`,
		`DELETE FROM articles WHERE n = ?`,
	} {
		if _, err := t.exec(ctx, q, n); err != nil {
			return err
		}
	}
	t.days[n], t.siteRows[n], t.facetRows[n] = noValue, noValue, noValue
	t.tagRows[n], t.authorRows[n] = nil, nil
	for k, ns := range t.newBands {
		if i := slices.Index(ns, n); i >= 0 {
			t.newBands[k] = slices.Delete(ns, i, i+1)
		}
	}
	t.textDelta -= int64(len(rec.Text))
	// Any delete, marked or not: a later article may take the row
	// number of the last one (see marksKept).
	t.datesChanged, t.marksChanged = true, true
	t.deleted = true
	t.naming = nil // an answer read ahead may be this article
	return nil
}

// recordDeletion notes a deletion for herald deleted (migration 0025),
// on the clock of articles.changed; an article deleted again takes the
// later time.
const recordDeletion = `INSERT INTO deleted_articles (id, canonical_url, deleted) VALUES (?, ?, ` + nowMillis + `)
	ON CONFLICT (id) DO UPDATE SET canonical_url = excluded.canonical_url, deleted = excluded.deleted`

// deletedURL is the URL a deletion records: the canonical one, or the
// article's own when it has none.
func deletedURL(r *store.Record) string {
	if r.CanonicalURL != "" {
		return r.CanonicalURL
	}
	return r.URL
}

var _ store.DeletionScanner = (*DB)(nil)

// ScanDeleted implements store.DeletionScanner from deleted_articles
// (migration 0025), through its index on the time.
func (db *DB) ScanDeleted(ctx context.Context, since time.Time, fn func(store.Deletion) error) error {
	return sqlschema.ScanDeleted(ctx, db.r, fmt.Sprintf(sqlschema.DeletedSQL, "?")+``, since, fn)
}

// DeletionsFrom implements store.DeletionScanner: when migration 0025
// ran.
func (db *DB) DeletionsFrom(ctx context.Context) (time.Time, error) {
	return sqlschema.DeletionsFrom(ctx, db.r)
}

var _ store.DeletionRestorer = (*DB)(nil)

// RestoreDeletions implements store.DeletionRestorer.
func (db *DB) RestoreDeletions(ctx context.Context, ds []store.Deletion) (int, error) {
	return db.restore(ctx, "deletions", `INSERT INTO deleted_articles (id, canonical_url, deleted) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET canonical_url = excluded.canonical_url, deleted = excluded.deleted
		WHERE excluded.deleted > deleted_articles.deleted`, len(ds), func(i int) []any {
		return []any{ds[i].ID, ds[i].CanonicalURL, ds[i].Deleted.UnixMilli()}
	})
}

// RestoreDeletionsFrom implements store.DeletionRestorer.
func (db *DB) RestoreDeletionsFrom(ctx context.Context, from time.Time) error {
	if _, err := db.w.ExecContext(ctx, `UPDATE counters SET deletions_from = ?`, from.UnixMilli()); err != nil {
		return fmt.Errorf("restore deletions: %w", err)
	}
	return nil
}

// unmark takes row n, about to be deleted, out of the cluster marked
// mark: the other members take the next member's row number as their
// mark when n was it, and a member left alone is unmarked.
func (t *tx) unmark(ctx context.Context, n, mark int64) error {
	rows, err := t.tx.QueryContext(ctx, `SELECT n FROM article_keys WHERE cluster = ? AND n <> ? ORDER BY n`, mark, n)
	if err != nil {
		return err
	}
	var others []int64
	for rows.Next() {
		var o int64
		if err := rows.Scan(&o); err != nil {
			rows.Close()
			return err
		}
		others = append(others, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	switch {
	case len(others) == 1:
		// Alone now: out of the index with its dup marker, back in
		// without it.
		row, err := t.unindex(ctx, others[0])
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE article_keys SET cluster = NULL WHERE n = ?`, others[0]); err != nil {
			return err
		}
		row.dup = ""
		t.pending[others[0]] = row
	case len(others) > 1 && mark == n:
		if _, err := t.exec(ctx, `UPDATE article_keys SET cluster = ? WHERE cluster = ?`, others[0], mark); err != nil {
			return err
		}
	}
	return nil
}

// releaseMemory hands back, after a transaction that deleted articles has
// committed, what the writer connection holds of the pages it touched.
// A delete changes a leaf page of every index of articles, of
// article_keys and of the link tables, at random places in the file: a
// batch of 500 touches thousands of 16 KiB pages, which stay in the
// connection's page cache (up to its cache_size, 256 MiB) and in its
// memory map (up to 2 GB, counted in the process's resident memory),
// batch after batch. herald delete of four sites (8,520 articles of a
// million) grew to 1.6 GB; released after each batch, a run holds about
// one batch's pages whatever it deletes. Failing to release is not an
// error: the transaction has committed, and the memory is released when
// the connection closes.
func (t *tx) releaseMemory() {
	ctx := context.Background()
	for _, p := range []string{"PRAGMA shrink_memory", "PRAGMA mmap_size = 0", "PRAGMA mmap_size = " + strconv.Itoa(mmapSize)} {
		if _, err := t.conn.ExecContext(ctx, p); err != nil {
			return
		}
	}
}

// versionTexts returns the texts of the earlier versions of row n.
func (t *tx) versionTexts(ctx context.Context, n int64) ([]string, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT record FROM article_versions WHERE article_n = ?`, n)
	if err != nil {
		return nil, err
	}
	versions, err := readVersions(rows)
	if err != nil {
		return nil, fmt.Errorf("version of row %d: %w", n, err)
	}
	texts := make([]string, len(versions))
	for i, v := range versions {
		texts[i] = v.Text
	}
	return texts, nil
}
