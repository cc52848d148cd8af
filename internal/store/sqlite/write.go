package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/herald-archive/herald/internal/store"
)

// tx is a write transaction on the single writer connection.
type tx struct {
	db    *DB
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	// dictionary ids created in this transaction, published to the DB's
	// caches only on Commit (a rollback would make them dangle).
	sites, authors, tags map[string]int64
	// rows written but not yet in article_fts, indexed at Commit.
	unindexed map[int64]bool
	// change in the total text size, added to counters at Commit.
	textDelta int64
	done      bool
}

// Begin starts a write transaction (BEGIN IMMEDIATE: it waits for the
// write lock up front rather than failing to upgrade later).
func (db *DB) Begin(ctx context.Context) (store.Tx, error) {
	t, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &tx{db: db, tx: t, stmts: map[string]*sql.Stmt{},
		sites: map[string]int64{}, authors: map[string]int64{}, tags: map[string]int64{},
		unindexed: map[int64]bool{}}, nil
}

func (t *tx) Commit() error {
	if err := t.index(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if t.textDelta != 0 {
		if _, err := t.tx.Exec(`UPDATE counters SET text_bytes = text_bytes + ?`, t.textDelta); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
	}
	if err := t.tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	t.done = true
	t.closeStmts()
	t.db.mu.Lock()
	for k, v := range t.sites {
		t.db.sites[k] = v
	}
	for k, v := range t.authors {
		t.db.authors[k] = v
	}
	for k, v := range t.tags {
		t.db.tags[k] = v
	}
	t.db.mu.Unlock()
	return nil
}

func (t *tx) Rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	t.closeStmts()
	if err := t.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}

// index adds the rows written in this transaction to article_fts, a few
// hundred per statement.
func (t *tx) index() error {
	ns := make([]any, 0, len(t.unindexed))
	for n := range t.unindexed {
		ns = append(ns, n)
	}
	for len(ns) > 0 {
		chunk := ns[:min(len(ns), 500)]
		ns = ns[len(chunk):]
		_, err := t.tx.Exec(`INSERT INTO article_fts (rowid, title, description, text, authors, tags)
			SELECT n, title, description, text, authors, tags FROM article_text
			WHERE n IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`, chunk...)
		if err != nil {
			return fmt.Errorf("index: %w", err)
		}
	}
	t.unindexed = map[int64]bool{}
	return nil
}

func (t *tx) closeStmts() {
	for _, s := range t.stmts {
		s.Close()
	}
	t.stmts = nil
}

// stmt prepares q once per transaction.
func (t *tx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if s, ok := t.stmts[q]; ok {
		return s, nil
	}
	s, err := t.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	t.stmts[q] = s
	return s, nil
}

func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	s, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

func (t *tx) Get(ctx context.Context, id string) (*store.Record, error) {
	return getRecord(ctx, t.tx, id)
}

// The lookups in a transaction reuse prepared statements: an ingest makes
// them for every article.

func (t *tx) ByHash(ctx context.Context, hash string) ([]store.Candidate, error) {
	s, err := t.stmt(ctx, byHashSQL)
	if err != nil {
		return nil, fmt.Errorf("by hash: %w", err)
	}
	cs, err := scanCandidates(s.QueryContext(ctx, hash))
	if err != nil {
		return nil, fmt.Errorf("by hash: %w", err)
	}
	return cs, nil
}

func (t *tx) Candidates(ctx context.Context, bands []uint64, limit int) ([]store.Candidate, error) {
	if len(bands) == 0 || limit <= 0 {
		return nil, nil
	}
	query, args := candidatesSQL(bands, limit)
	s, err := t.stmt(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("candidates: %w", err)
	}
	cs, err := scanCandidates(s.QueryContext(ctx, args...))
	if err != nil {
		return nil, fmt.Errorf("candidates: %w", err)
	}
	return cs, nil
}

const insertArticle = `INSERT INTO articles (id, url, canonical_url, site_id, date, published, modified,
	fetched_at, title, description, authors, tags, site_name, section, language, image, free,
	word_count, source, capture_file, capture_offset, capture_record, extractor_version,
	content_hash, cluster_id, version, text)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const updateArticle = `UPDATE articles SET url = ?, canonical_url = ?, site_id = ?, date = ?,
	published = ?, modified = ?, fetched_at = ?, title = ?, description = ?, authors = ?, tags = ?,
	site_name = ?, section = ?, language = ?, image = ?, free = ?, word_count = ?, source = ?,
	capture_file = ?, capture_offset = ?, capture_record = ?, extractor_version = ?,
	content_hash = ?, cluster_id = ?, version = ?, text = ?
	WHERE n = ?`

// Put implements store.Tx.
func (t *tx) Put(ctx context.Context, e store.Entry) (store.Outcome, error) {
	r := e.Record
	if r == nil || r.ID == "" || r.URL == "" && r.CanonicalURL == "" || r.ContentHash == "" {
		return 0, fmt.Errorf("put: %w record: id, url and content hash are required", store.ErrInvalid)
	}
	out, err := t.put(ctx, e)
	if err != nil {
		return 0, fmt.Errorf("put %s: %w", r.ID, err)
	}
	return out, nil
}

func (t *tx) put(ctx context.Context, e store.Entry) (store.Outcome, error) {
	r := e.Record
	var (
		n             int64
		hash, cluster []byte
		version       int
	)
	s, err := t.stmt(ctx, `SELECT n, content_hash, cluster_id, version FROM articles WHERE id = ?`)
	if err != nil {
		return 0, err
	}
	err = s.QueryRowContext(ctx, r.ID).Scan(&n, &hash, &cluster, &version)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if r.ClusterID == "" {
			r.ClusterID = r.ID
		}
		r.Version = 1
		if err := t.insert(ctx, e); err != nil {
			return 0, err
		}
		t.textDelta += int64(len(r.Text))
		if r.ClusterID != r.ID {
			return store.Duplicate, nil
		}
		return store.New, nil
	case err != nil:
		return 0, err
	}
	if string(hash) == r.ContentHash {
		r.Version, r.ClusterID = version, string(cluster)
		return store.Unchanged, nil
	}
	// A new text at a known URL: keep the old record as a version.
	old, err := getRecord(ctx, t.tx, r.ID)
	if err != nil {
		return 0, err
	}
	blob, err := json.Marshal(old)
	if err != nil {
		return 0, err
	}
	if _, err := t.exec(ctx, `INSERT INTO article_versions (article_n, version, record) VALUES (?, ?, ?)`, n, version, deflate(blob)); err != nil {
		return 0, err
	}
	if !t.unindexed[n] {
		// Take the stored version out of the index (external-content
		// FTS5 needs the exact values it indexed).
		if _, err := t.exec(ctx, `INSERT INTO article_fts (article_fts, rowid, title, description, text, authors, tags)
			SELECT 'delete', n, title, description, text, authors, tags FROM article_text WHERE n = ?`, n); err != nil {
			return 0, err
		}
		t.unindexed[n] = true
	}
	t.textDelta += int64(len(r.Text) - len(old.Text))
	r.ClusterID = string(cluster) // an article keeps its cluster across versions
	r.Version = version + 1
	args, err := t.articleArgs(ctx, e)
	if err != nil {
		return 0, err
	}
	if _, err := t.exec(ctx, updateArticle, append(args[1:], n)...); err != nil {
		return 0, err
	}
	for _, q := range []string{
		`DELETE FROM article_authors WHERE n = ?`,
		`DELETE FROM article_tags WHERE n = ?`,
	} {
		if _, err := t.exec(ctx, q, n); err != nil {
			return 0, err
		}
	}
	if err := t.links(ctx, n, e); err != nil {
		return 0, err
	}
	return store.Updated, nil
}

func (t *tx) insert(ctx context.Context, e store.Entry) error {
	args, err := t.articleArgs(ctx, e)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, insertArticle, args...)
	if err != nil {
		return err
	}
	n, err := res.LastInsertId()
	if err != nil {
		return err
	}
	t.unindexed[n] = true
	return t.links(ctx, n, e)
}

// articleArgs returns the insertArticle arguments for e (id first).
func (t *tx) articleArgs(ctx context.Context, e store.Entry) ([]any, error) {
	r := e.Record
	site, err := t.dictID(ctx, t.sites, t.db.sites, `sites`, siteHost(r), "")
	if err != nil {
		return nil, err
	}
	var free any
	if r.IsAccessibleForFree != nil {
		free = *r.IsAccessibleForFree
	}
	var capFile, capRecord string
	var capOffset int64
	if c := r.Capture; c != nil {
		capFile, capOffset, capRecord = c.File, c.Offset, c.RecordID
	}
	return []any{r.ID, r.URL, r.CanonicalURL, site, r.Date().Unix(), formatTime(r.Published),
		formatTime(r.Modified), formatTime(r.FetchedAt), r.Title, r.Description,
		joinLines(r.Authors), joinLines(r.Tags), r.SiteName, r.Section, r.Language, r.Image, free,
		r.WordCount, r.Source, capFile, capOffset, capRecord, r.ExtractorVersion,
		r.ContentHash, r.ClusterID, r.Version, deflate([]byte(r.Text))}, nil
}

// links writes the author, tag and band rows of article n.
func (t *tx) links(ctx context.Context, n int64, e store.Entry) error {
	for _, a := range e.Record.Authors {
		k := norm(a)
		if k == "" {
			continue
		}
		id, err := t.dictID(ctx, t.authors, t.db.authors, `authors`, k, a)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `INSERT OR IGNORE INTO article_authors (n, author_id) VALUES (?, ?)`, n, id); err != nil {
			return err
		}
	}
	for _, g := range e.Record.Tags {
		k := norm(g)
		if k == "" {
			continue
		}
		id, err := t.dictID(ctx, t.tags, t.db.tags, `tags`, k, g)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `INSERT OR IGNORE INTO article_tags (n, tag_id) VALUES (?, ?)`, n, id); err != nil {
			return err
		}
	}
	if len(e.Bands) > 0 {
		args := make([]any, 0, 2*len(e.Bands))
		for _, b := range e.Bands {
			args = append(args, int64(b), n)
		}
		q := `INSERT OR IGNORE INTO article_bands (band, n) VALUES (?, ?)` + strings.Repeat(", (?, ?)", len(e.Bands)-1)
		if _, err := t.exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// dictID returns the id of key in a dictionary table (sites, authors or
// tags), creating the row when missing. name is the display name stored
// with a new author or tag.
func (t *tx) dictID(ctx context.Context, local, shared map[string]int64, table, key, name string) (int64, error) {
	if id, ok := local[key]; ok {
		return id, nil
	}
	t.db.mu.Lock()
	id, ok := shared[key]
	t.db.mu.Unlock()
	if ok {
		return id, nil
	}
	var q string
	var args []any
	if table == "sites" {
		q = `INSERT INTO sites (host) VALUES (?) ON CONFLICT (host) DO UPDATE SET host = excluded.host RETURNING id`
		args = []any{key}
	} else {
		q = `INSERT INTO ` + table + ` (name, norm) VALUES (?, ?) ON CONFLICT (norm) DO UPDATE SET norm = excluded.norm RETURNING id`
		args = []any{name, key}
	}
	s, err := t.stmt(ctx, q)
	if err != nil {
		return 0, err
	}
	if err := s.QueryRowContext(ctx, args...).Scan(&id); err != nil {
		return 0, fmt.Errorf("%s %q: %w", table, key, err)
	}
	local[key] = id
	return id, nil
}
