// Package sqlschema holds what Herald's two SQL backends (store/sqlite and
// store/postgres) share to the letter: reading their embedded, numbered
// migrations, and tables whose columns and encodings are the same in both
// schemas (fetches, frontier; times as Unix milliseconds, 0 for none),
// read through database/sql with SQL both dialects accept. Backends never import each other; both import this.
//
// It deliberately holds no SQL that differs between the dialects
// (placeholders, upserts, full-text search) and no connection handling:
// callers pass the *sql.DB (or reader) to use.
package sqlschema

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/store"
)

// Querier is what the dump functions read with: a *sql.DB, *sql.Conn or
// *sql.Tx.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// FromMilli decodes a stored Unix-millisecond time; 0 is the zero time.
func FromMilli(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// DumpFetches calls fn for every row of the fetch log, oldest first
// (store.Dumper).
func DumpFetches(ctx context.Context, q Querier, fn func(*store.Fetch) error) error {
	rows, err := q.QueryContext(ctx, `SELECT id, coalesce(source_id, 0), url, at, status, duration_ms, bytes,
		error, article_id FROM fetches ORDER BY id`)
	if err != nil {
		return fmt.Errorf("dump fetches: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f store.Fetch
		var at, dur int64
		if err := rows.Scan(&f.ID, &f.SourceID, &f.URL, &at, &f.Status, &dur, &f.Bytes, &f.Error, &f.ArticleID); err != nil {
			return fmt.Errorf("dump fetches: %w", err)
		}
		f.At, f.Duration = FromMilli(at), time.Duration(dur)*time.Millisecond
		if err := fn(&f); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("dump fetches: %w", err)
	}
	return nil
}

// SharedBands is a near-duplicate candidate with the number of LSH bands
// it shares with the text looked up.
type SharedBands struct {
	store.Candidate
	Shared int
}

// TopCandidates orders cs as store.Lookup.Candidates returns them (most
// shared bands first, ties by id in byte order) and keeps the first limit.
func TopCandidates(cs []SharedBands, limit int) []store.Candidate {
	slices.SortFunc(cs, func(a, b SharedBands) int {
		if c := cmp.Compare(b.Shared, a.Shared); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	out := make([]store.Candidate, 0, min(limit, len(cs)))
	for _, c := range cs[:min(limit, len(cs))] {
		out = append(out, c.Candidate)
	}
	return out
}

// FrontierColumns are the columns a frontier row is read with, in the
// order ScanFrontier expects them.
const FrontierColumns = `url, host, source_id, depth, state, attempts, reason, not_before, added, hint,
	lastmod, lastmod_fetched`

// ScanFrontier reads a frontier row selected as lead columns (scanned into
// lead) followed by FrontierColumns.
func ScanFrontier(rows *sql.Rows, lead ...any) (store.FrontierItem, error) {
	var it store.FrontierItem
	var src sql.NullInt64
	var nb, added, lastmod int64
	var state, hint string
	dest := append(lead, &it.URL, &it.Host, &src, &it.Depth, &state, &it.Attempts, &it.Reason, &nb, &added, &hint,
		&lastmod, &it.LastmodFetched)
	if err := rows.Scan(dest...); err != nil {
		return it, err
	}
	it.SourceID, it.State = src.Int64, store.FrontierState(state)
	it.NotBefore, it.Added, it.Lastmod = FromMilli(nb), FromMilli(added), FromMilli(lastmod)
	it.Hint = store.RawHint(hint)
	return it, nil
}

// ClaimedItems reads the rows of a claim (an UPDATE of the frontier
// RETURNING seq and FrontierColumns) and returns the items in the order
// they were due: by not_before, then by the order they were queued.
func ClaimedItems(rows *sql.Rows) ([]store.FrontierItem, error) {
	type claimed struct {
		seq int64
		it  store.FrontierItem
	}
	var cs []claimed
	for rows.Next() {
		var c claimed
		var err error
		if c.it, err = ScanFrontier(rows, &c.seq); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(cs, func(a, b claimed) int {
		if c := a.it.NotBefore.Compare(b.it.NotBefore); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	out := make([]store.FrontierItem, len(cs))
	for i, c := range cs {
		out[i] = c.it
	}
	return out, nil
}

// DumpFrontier calls fn for every frontier URL in the order it was added
// (store.Dumper).
func DumpFrontier(ctx context.Context, q Querier, fn func(store.FrontierItem) error) error {
	rows, err := q.QueryContext(ctx, `SELECT `+FrontierColumns+` FROM frontier ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("dump frontier: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		it, err := ScanFrontier(rows)
		if err != nil {
			return fmt.Errorf("dump frontier: %w", err)
		}
		if err := fn(it); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("dump frontier: %w", err)
	}
	return nil
}

// Migration is one schema step: a numbered file of SQL.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// ReadMigrations returns the migrations in dir of fsys, in order. Files
// are named NNNN_what.sql and numbered 1, 2, … without gaps; anything else
// in dir is an error, so that a misnamed file is never skipped silently.
func ReadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migrations: bad file name %s", name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrations: %s out of sequence, want version %d", m.Name, i+1)
		}
	}
	return ms, nil
}

// Balanced joins SQL conditions with op (" AND " or " OR ") in a
// balanced tree of parentheses, so that the expression is about log2(n)
// deep rather than n: SQLite refuses expressions deeper than 1000, which
// a query ORing a thousand site: filters was. Both dialects read it as
// the flat join.
func Balanced(parts []string, op string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return "(" + parts[0] + ")"
	}
	mid := len(parts) / 2
	return "(" + Balanced(parts[:mid], op) + op + Balanced(parts[mid:], op) + ")"
}

// Waiting implements store.Frontier's Waiting for both backends: the
// frontier's queued URLs and the earliest time one may be fetched.
func Waiting(ctx context.Context, q Querier) (int, time.Time, error) {
	var n int
	var next sql.NullInt64
	rows, err := q.QueryContext(ctx, `SELECT count(*), min(not_before) FROM frontier WHERE state = 'queued'`)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("frontier waiting: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		err = rows.Scan(&n, &next)
	}
	if err = errors.Join(err, rows.Err()); err != nil {
		return 0, time.Time{}, fmt.Errorf("frontier waiting: %w", err)
	}
	if n == 0 || !next.Valid {
		return n, time.Time{}, nil
	}
	return n, FromMilli(next.Int64), nil
}

// SharedClusters reads the ids of the clusters of more than one article
// (store.ClusterLister), from the articles table's cluster index: 0.2 s
// on a million articles in SQLite.
func SharedClusters(ctx context.Context, q Querier) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT cluster_id FROM articles GROUP BY cluster_id HAVING count(*) > 1`)
	if err != nil {
		return nil, fmt.Errorf("shared clusters: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("shared clusters: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// frontierItemsChunk bounds the URLs looked up in one statement.
const frontierItemsChunk = 500

// FrontierItems reads the frontier entries of urls (store.Frontier),
// in chunks; mark(i) is the backend's placeholder for the i-th argument
// of a statement, from 1 ("?" in SQLite, "$1" in PostgreSQL).
func FrontierItems(ctx context.Context, q Querier, urls []string, mark func(i int) string) ([]store.FrontierItem, error) {
	var out []store.FrontierItem
	for len(urls) > 0 {
		chunk := urls[:min(len(urls), frontierItemsChunk)]
		urls = urls[len(chunk):]
		marks := make([]string, len(chunk))
		args := make([]any, len(chunk))
		for i, u := range chunk {
			marks[i], args[i] = mark(i+1), u
		}
		rows, err := q.QueryContext(ctx, `SELECT `+FrontierColumns+` FROM frontier WHERE url IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("frontier items: %w", err)
		}
		for rows.Next() {
			it, err := ScanFrontier(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("frontier items: %w", err)
			}
			out = append(out, it)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("frontier items: %w", err)
		}
	}
	return out, nil
}

// Execer is what *sql.DB and *sql.Tx share for statements without rows.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// SitemapValidators reads the validators kept for a sitemap URL
// (store.ValidatorKeeper); none kept is the zero Validators. mark is as
// for FrontierItems.
func SitemapValidators(ctx context.Context, q Querier, url string, mark func(i int) string) (store.Validators, error) {
	var v store.Validators
	rows, err := q.QueryContext(ctx, `SELECT etag, last_modified FROM sitemap_validators WHERE url = `+mark(1), url)
	if err != nil {
		return v, fmt.Errorf("sitemap validators %s: %w", url, err)
	}
	defer rows.Close()
	if rows.Next() {
		err = rows.Scan(&v.ETag, &v.LastModified)
	}
	if err = errors.Join(err, rows.Err()); err != nil {
		return store.Validators{}, fmt.Errorf("sitemap validators %s: %w", url, err)
	}
	return v, nil
}

// DumpSitemapValidators calls fn for every sitemap's kept validators, by
// URL (store.Dumper).
func DumpSitemapValidators(ctx context.Context, q Querier, fn func(store.KeptValidators) error) error {
	rows, err := q.QueryContext(ctx, `SELECT url, etag, last_modified, kept FROM sitemap_validators ORDER BY url`)
	if err != nil {
		return fmt.Errorf("dump sitemap validators: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v store.KeptValidators
		var kept int64
		if err := rows.Scan(&v.URL, &v.ETag, &v.LastModified, &kept); err != nil {
			return fmt.Errorf("dump sitemap validators: %w", err)
		}
		v.Kept = FromMilli(kept)
		if err := fn(v); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("dump sitemap validators: %w", err)
	}
	return nil
}

// KeepSitemapValidators keeps v for a sitemap URL, or forgets the URL's
// when v is the zero Validators (store.ValidatorKeeper). mark is as for
// FrontierItems.
func KeepSitemapValidators(ctx context.Context, x Execer, url string, v store.Validators, mark func(i int) string) error {
	var err error
	if v == (store.Validators{}) {
		_, err = x.ExecContext(ctx, `DELETE FROM sitemap_validators WHERE url = `+mark(1), url)
	} else {
		_, err = x.ExecContext(ctx, `INSERT INTO sitemap_validators (url, etag, last_modified, kept)
			VALUES (`+mark(1)+`, `+mark(2)+`, `+mark(3)+`, `+mark(4)+`)
			ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, kept = excluded.kept`,
			url, v.ETag, v.LastModified, time.Now().UnixMilli())
	}
	if err != nil {
		return fmt.Errorf("keep sitemap validators %s: %w", url, err)
	}
	return nil
}

// NamingOriginal reads the articles whose original_url is url
// (store.OriginLister): up to n of them, columns cols scanned by scan,
// oldest first (ties by id), and how many there are (the rest are
// scanned only to be counted: an original's copies are few). mark is the
// backend's placeholder for the statement's one argument ("?", or "$1").
func NamingOriginal(ctx context.Context, q Querier, url string, n int, mark string,
	scan func(*sql.Rows) (*store.Record, error), cols string) ([]*store.Record, int, error) {
	out := []*store.Record{}
	if url == "" {
		return out, 0, nil // the empty original_url is every article that names none
	}
	// "<> ''" lets the planner use the partial index articles_original.
	rows, err := q.QueryContext(ctx, `SELECT `+cols+` FROM articles a
		WHERE a.original_url = `+mark+` AND a.original_url <> '' ORDER BY a.date, a.id`, url)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, 0, err
		}
		if len(out) < n {
			out = append(out, r)
		}
		total++
	}
	return out, total, rows.Err()
}

// FirstNamingSQL is the statement of store.Lookup's FirstNaming with the
// backend's placeholder mark for its one argument: the earliest article
// whose original_url is it (the test that it is not empty lets the
// planner use the partial index articles_original).
func FirstNamingSQL(mark string) string {
	return `SELECT id, cluster_id FROM articles WHERE original_url = ` + mark +
		` AND original_url <> '' ORDER BY date, id LIMIT 1`
}

// FirstNaming runs FirstNamingSQL through q (whose statement it may
// already be: a prepared one ignores the text).
func FirstNaming(ctx context.Context, q Querier, mark, url string) (store.Candidate, bool, error) {
	var c store.Candidate
	if url == "" {
		return c, false, nil // the empty original_url is every article that names none
	}
	rows, err := q.QueryContext(ctx, FirstNamingSQL(mark), url)
	if err != nil {
		return c, false, fmt.Errorf("first naming %s: %w", url, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return c, false, fmt.Errorf("first naming %s: %w", url, err)
		}
		return c, false, nil
	}
	if err := rows.Scan(&c.ID, &c.ClusterID); err != nil {
		return c, false, fmt.Errorf("first naming %s: %w", url, err)
	}
	return c, true, nil
}

// Joinable checks that article id may join cluster (store.ClusterMover):
// that the article is archived and alone in its cluster, and that
// cluster has articles. It returns the article's row number. mark gives
// the backend's placeholder for the i-th argument.
func Joinable(ctx context.Context, q Querier, mark func(i int) string, id, cluster string) (int64, error) {
	var n int64
	var own string
	var members, found int
	rows, err := q.QueryContext(ctx, `SELECT a.n, a.cluster_id,
		(SELECT count(*) FROM articles m WHERE m.cluster_id = a.cluster_id),
		(SELECT count(*) FROM (SELECT 1 FROM articles c WHERE c.cluster_id = `+mark(2)+` LIMIT 1) x)
		FROM articles a WHERE a.id = `+mark(1), id, cluster)
	if err != nil {
		return 0, fmt.Errorf("join cluster: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, fmt.Errorf("join cluster: %w", err)
		}
		return 0, fmt.Errorf("join cluster: article %s: %w", id, store.ErrNotFound)
	}
	if err := rows.Scan(&n, &own, &members, &found); err != nil {
		return 0, fmt.Errorf("join cluster: %w", err)
	}
	switch {
	case own == cluster:
		return 0, fmt.Errorf("join cluster: article %s is in cluster %s already: %w", id, cluster, store.ErrInvalid)
	case members != 1:
		return 0, fmt.Errorf("join cluster: article %s shares cluster %s with %d others: %w", id, own, members-1, store.ErrInvalid)
	case found == 0:
		return 0, fmt.Errorf("join cluster %s: %w", cluster, store.ErrNotFound)
	}
	return n, rows.Err()
}

// TopOriginals counts the original URLs that statement stmt (args)
// returns, with their article's row number (columns n, original_url),
// by the site they are on (store.SiteHost), keeping the rows keep
// accepts (all when it is nil), and returns the n most frequent, most
// first, ties by name in byte order: Top by store.TopOriginal on both
// backends. The articles that name an original are few, so stmt can read
// them through the partial index articles_original and the sites be
// counted here.
func TopOriginals(ctx context.Context, q Querier, stmt string, args []any, n int, keep func(n int64) bool) ([]store.Count, error) {
	rows, err := q.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var an int64
		var u string
		if err := rows.Scan(&an, &u); err != nil {
			return nil, err
		}
		if keep != nil && !keep(an) {
			continue
		}
		if h := store.SiteHost(u); h != "" {
			counts[h]++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]store.Count, 0, len(counts))
	for k, c := range counts {
		out = append(out, store.Count{Key: k, Count: c})
	}
	slices.SortFunc(out, func(a, b store.Count) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Key, b.Key))
	})
	return out[:min(n, len(out))], nil
}

// Affected runs statement q through x and returns how many rows it
// changed; errors are prefixed with what.
func Affected(ctx context.Context, x Execer, what, q string, args ...any) (int64, error) {
	res, err := x.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return n, nil
}

// Withhold records w in the withheld table unless its id is there
// already (store.Withholder). mark is as for FrontierItems.
func Withhold(ctx context.Context, x Execer, w store.WithheldArticle, mark func(i int) string) error {
	if w.ID == "" || w.URL == "" {
		return fmt.Errorf("withhold: %w: id and url are required", store.ErrInvalid)
	}
	at := w.At
	if at.IsZero() {
		at = time.Now()
	}
	_, err := x.ExecContext(ctx, `INSERT INTO withheld (id, url, at, reason) VALUES (`+mark(1)+`, `+mark(2)+`, `+mark(3)+`, `+mark(4)+`)
		ON CONFLICT (id) DO NOTHING`, w.ID, w.URL, at.UnixMilli(), w.Reason)
	if err != nil {
		return fmt.Errorf("withhold %s: %w", w.URL, err)
	}
	return nil
}

// IsWithheld reports whether id is withheld. mark is as for
// FrontierItems.
func IsWithheld(ctx context.Context, q Querier, id string, mark func(i int) string) (bool, error) {
	return exists(ctx, q, `SELECT EXISTS (SELECT 1 FROM withheld WHERE id = `+mark(1)+`)`, id)
}

// AnyWithheld reports whether the archive withholds anything: a write
// transaction asks once, and asks about each article only if so.
func AnyWithheld(ctx context.Context, q Querier) (bool, error) {
	return exists(ctx, q, `SELECT EXISTS (SELECT 1 FROM withheld)`)
}

// exists runs a statement of one boolean.
func exists(ctx context.Context, q Querier, stmt string, args ...any) (bool, error) {
	rows, err := q.QueryContext(ctx, stmt, args...)
	if err != nil {
		return false, fmt.Errorf("withheld: %w", err)
	}
	defer rows.Close()
	var yes bool
	if rows.Next() {
		err = rows.Scan(&yes)
	}
	if err = errors.Join(err, rows.Err()); err != nil {
		return false, fmt.Errorf("withheld: %w", err)
	}
	return yes, nil
}

// ListWithheld returns every withheld article, oldest first
// (store.WithheldLister).
func ListWithheld(ctx context.Context, q Querier) ([]store.WithheldArticle, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, url, at, reason FROM withheld ORDER BY at, id`)
	if err != nil {
		return nil, fmt.Errorf("list withheld: %w", err)
	}
	defer rows.Close()
	out := []store.WithheldArticle{}
	for rows.Next() {
		var w store.WithheldArticle
		var at int64
		if err := rows.Scan(&w.ID, &w.URL, &at, &w.Reason); err != nil {
			return nil, fmt.Errorf("list withheld: %w", err)
		}
		w.At = FromMilli(at)
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list withheld: %w", err)
	}
	return out, nil
}

// Release deletes ids from the withheld table and returns how many were
// there (store.WithheldLister). mark is as for FrontierItems.
func Release(ctx context.Context, x Execer, ids []string, mark func(i int) string) (int, error) {
	n := 0
	for _, id := range ids {
		k, err := Affected(ctx, x, "release "+id, `DELETE FROM withheld WHERE id = `+mark(1), id)
		if err != nil {
			return n, err
		}
		n += int(k)
	}
	return n, nil
}

// CaptureRefsSQL selects the capture references ScanCaptures reads; the
// caller appends the ORDER BY its database needs for file names in byte
// order.
const CaptureRefsSQL = `SELECT id, url, canonical_url, capture_file, capture_offset, capture_record, capture_chain
		FROM articles WHERE capture_file <> '' `

// ScanCaptures runs query (CaptureRefsSQL and its order) through q and
// calls fn with each reference, as store.CaptureScanner says.
func ScanCaptures(ctx context.Context, q Querier, query string, fn func(store.CaptureRef) error) error {
	wrap := func(err error) error { return fmt.Errorf("scan captures: %w", err) }
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return wrap(err)
	}
	return EachRow(rows, func(rows *sql.Rows) (c store.CaptureRef, err error) {
		err = rows.Scan(&c.ID, &c.URL, &c.CanonicalURL, &c.Capture.File, &c.Capture.Offset, &c.Capture.RecordID, &c.Capture.ChainOffset)
		return c, err
	}, fn, wrap)
}

// EachRow reads rows to their end with scan, calls fn with each value,
// and closes them. The errors of scan and of the rows go through wrap
// (which says what was being read); fn's are returned as they are.
func EachRow[T any](rows *sql.Rows, scan func(*sql.Rows) (T, error), fn func(T) error, wrap func(error) error) error {
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return wrap(err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return wrap(err)
	}
	return nil
}

// ChangedSince is the condition on articles a of store.ChangeScanner,
// whose single argument param stands for: written at or after since
// (a.changed, unix milliseconds), or never since the archive began to
// record when (a.changed 0) if since is not after that time, from.
func ChangedSince(since time.Time, from int64, param string) (string, []any) {
	ms := since.UnixMilli()
	if ms <= from {
		// Written since, or before changes were recorded (0): most of
		// the archive, which the scan reads in date order rather than
		// through the index on changed and a sort.
		return "a.changed NOT BETWEEN 1 AND " + param, []any{ms - 1}
	}
	return "a.changed >= " + param, []any{ms}
}

// DeletedSQL is the statement of ScanDeleted, after its placeholder for
// the time: the deletions recorded since then, in time then id order,
// of the articles the archive does not hold again.
const DeletedSQL = `SELECT d.id, d.canonical_url, d.deleted FROM deleted_articles d
	WHERE d.deleted >= %s AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = d.id)
	ORDER BY d.deleted, d.id`

// ScanDeleted runs query (DeletedSQL with the backend's placeholder and
// order) for since, the store.DeletionScanner of both backends.
func ScanDeleted(ctx context.Context, q Querier, query string, since time.Time, fn func(store.Deletion) error) error {
	wrap := func(err error) error { return fmt.Errorf("deleted articles: %w", err) }
	rows, err := q.QueryContext(ctx, query, since.UnixMilli())
	if err != nil {
		return wrap(err)
	}
	return EachRow(rows, func(rows *sql.Rows) (d store.Deletion, err error) {
		var ms int64
		err = rows.Scan(&d.ID, &d.CanonicalURL, &ms)
		d.Deleted = time.UnixMilli(ms).UTC()
		return d, err
	}, fn, wrap)
}

// MadeNew reports whether a migration run that applied the migrations
// named applied, of all the migrations ms, made the archive: it applied
// the first. (A run cut short and finished by the next counts as not.)
func MadeNew(applied []string, ms []Migration) bool {
	return len(applied) > 0 && len(ms) > 0 && applied[0] == ms[0].Name
}

// RecordedFromStart says that an archive the migrations have just made
// has recorded every deletion: none came before it. Its migration that
// began recording them set the time it ran, as it does on an archive
// upgraded then, whose earlier deletions are not known.
const RecordedFromStart = `UPDATE counters SET deletions_from = 0`

// DeletionsFrom is when the archive began to record deletions
// (counters.deletions_from), for store.DeletionScanner: the Unix epoch
// for an archive that did so from its start.
func DeletionsFrom(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) (time.Time, error) {
	var ms int64
	if err := q.QueryRowContext(ctx, `SELECT deletions_from FROM counters`).Scan(&ms); err != nil {
		return time.Time{}, fmt.Errorf("deleted articles: %w", err)
	}
	return time.UnixMilli(ms).UTC(), nil
}
