package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

// tx is a write transaction on the single writer connection.
type tx struct {
	db    *DB
	conn  *sql.Conn
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	// dictionary ids created in this transaction, published to the DB's
	// caches only on Commit (a rollback would make them dangle).
	sites, authors, tags, facets map[string]int64
	// pending holds the searchable values of the rows written in this
	// transaction, added to article_fts at Commit (see index).
	pending map[int64]ftsRow
	// dropped holds the indexed values of the rows this transaction
	// deleted, taken out of article_fts at Commit in row order (see
	// unindexDropped).
	dropped map[int64]ftsRow
	// newBands holds the LSH band rows of this transaction's articles,
	// row numbers by band key, written at Commit (see writeBands).
	newBands map[int64][]int64
	// ahead holds stored band rows read by PrefetchCandidates, by band
	// key; the stored rows do not change while the transaction lasts.
	ahead map[int64][]int64
	// days holds the UTC days of the rows inserted or re-dated in this
	// transaction, written to day_blocks at Commit, and siteRows the site
	// ids of the rows inserted or moved to another site, written to
	// site_blocks, and facetRows the facets of the rows inserted or whose
	// language or section changed, written to facet_blocks (see
	// writeBlocks).
	days, siteRows, facetRows map[int64]int32
	// tagRows and authorRows hold the tag and author ids of the rows
	// inserted or relinked, written to tag_blocks and author_blocks (see
	// writeLinkBlocks).
	tagRows, authorRows map[int64][]int32
	// change in the total text size, added to counters at Commit.
	textDelta int64
	// datesChanged: a stored article's date, site or facet may have
	// changed; marksChanged: a stored article's cluster mark may have
	// (see counters.dates_version and marksKept).
	datesChanged, marksChanged bool
	// deleted: this transaction deleted an article (see releaseMemory).
	deleted bool
	// bandsToMerge: article_lsh_recent has grown to be merged (about this
	// many rows), after the commit (see writeBands).
	bandsToMerge int64
	// naming holds FirstNaming's answer for each URL PrefetchNaming read,
	// kept up to date by this transaction's inserts; nil when nothing is
	// read ahead, or after a write that could make an answer stale.
	naming map[string]namedBy
	// withheld: the archive withholds some article ids, so Put asks
	// about each; withheldRead: that has been read (see isWithheld).
	withheld, withheldRead bool
	done                   bool
}

// namedBy is the earliest article (by date, then id) naming a URL as its
// original; found is false when none does.
type namedBy struct {
	date    int64
	id      string
	cluster string
	found   bool
}

// ftsRow is what article_fts indexes for one article; dup is "x" for a
// member of a cluster with more than one article. The text fields are
// indexed as FTSText gives them (see spaced); a row read back from the
// article_text view already has them so.
type ftsRow struct{ title, description, text, authors, tags, dup string }

// spaced returns r with its text fields as the index is given them, as
// the article_text view gives them (herald_fts): a Han or kana character
// is a token of its own (see cjk.go). FTSText is idempotent, so fields
// read back from the view may go through it again.
func (r ftsRow) spaced() ftsRow {
	r.title, r.description, r.text = FTSText(r.title), FTSText(r.description), FTSText(r.text)
	r.authors, r.tags = FTSText(r.authors), FTSText(r.tags)
	return r
}

// Begin starts a write transaction (BEGIN IMMEDIATE: it waits for the
// write lock up front rather than failing to upgrade later).
//
// Foreign key checks are off for the transaction (PRAGMA foreign_keys is
// set on the connection around it; it cannot change inside one). With
// them on, every insert into a table with a REFERENCES clause may abort
// and so needs a statement journal, a copy of each page it is about to
// change: with 16 KiB pages that was most of the cost of a bulk import.
// The transaction writes only ids it has just read or created, so the
// references hold by construction; the other writes (sources, fetch log,
// frontier) keep the checks and cascades.
func (db *DB) Begin(ctx context.Context) (store.Tx, error) {
	c, err := db.w.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	if _, err := c.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		c.Close()
		return nil, fmt.Errorf("begin: %w", err)
	}
	t, err := c.BeginTx(ctx, nil)
	if err != nil {
		releaseConn(c)
		return nil, fmt.Errorf("begin: %w", busy(db.path, err))
	}
	// Another process may have made the text dictionary meanwhile.
	if err := db.loadDicts(ctx, t); err != nil {
		t.Rollback()
		releaseConn(c)
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &tx{db: db, conn: c, tx: t, stmts: map[string]*sql.Stmt{},
		sites: map[string]int64{}, authors: map[string]int64{}, tags: map[string]int64{}, facets: map[string]int64{},
		pending: map[int64]ftsRow{}, newBands: map[int64][]int64{}, ahead: map[int64][]int64{},
		days: map[int64]int32{}, siteRows: map[int64]int32{}, facetRows: map[int64]int32{},
		tagRows: map[int64][]int32{}, authorRows: map[int64][]int32{}}, nil
}

// releaseConn turns foreign key checks back on and returns the writer
// connection to its pool; a connection where that fails is discarded.
func releaseConn(c *sql.Conn) {
	if _, err := c.ExecContext(context.Background(), "PRAGMA foreign_keys = ON"); err != nil {
		_ = c.Raw(func(any) error { return driver.ErrBadConn }) // drops the connection
	}
	c.Close()
}

func (t *tx) Commit() error {
	if t.done {
		return fmt.Errorf("commit: %w", sql.ErrTxDone)
	}
	if err := t.writeBands(context.Background()); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if err := t.writeBlocks(context.Background(), "day_blocks", "days", t.days); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if err := t.writeBlocks(context.Background(), "site_blocks", "sites", t.siteRows); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if err := t.writeBlocks(context.Background(), "facet_blocks", "facets", t.facetRows); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if err := t.writeLinkBlocks(context.Background(), "tag_blocks", "tags", t.tagRows); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if err := t.writeLinkBlocks(context.Background(), "author_blocks", "authors", t.authorRows); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if err := t.unindexDropped(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if err := t.index(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	after, err := t.makeDict(context.Background())
	if err != nil {
		return fmt.Errorf("commit: text dictionary: %w", err)
	}
	var bump int64
	switch {
	case t.marksChanged:
		bump = 1 // whatever else changed: every cache loads whole
	case t.datesChanged:
		bump = marksKept
	}
	if t.textDelta != 0 || bump != 0 {
		if _, err := t.tx.Exec(`UPDATE counters SET text_bytes = text_bytes + ?, dates_version = dates_version + ?`,
			t.textDelta, bump); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
	}
	if err := t.tx.Commit(); err != nil {
		t.finish()
		return fmt.Errorf("commit: %w", err)
	}
	if t.deleted {
		t.releaseMemory()
	}
	t.finish()
	if after != nil {
		if err := after(); err != nil {
			return fmt.Errorf("commit: %w", err) // committed; new texts stay deflated until the next Begin loads it
		}
	}
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
	for k, v := range t.facets {
		t.db.facets[k] = v
	}
	t.db.mu.Unlock()
	if t.bandsToMerge > 0 {
		if err := t.db.mergeBands(context.Background(), t.bandsToMerge); err != nil {
			return fmt.Errorf("commit: %w (the batch is stored; the next commit merges again)", err)
		}
	}
	return nil
}

func (t *tx) Rollback() error {
	if t.done {
		return nil
	}
	err := t.tx.Rollback()
	t.finish()
	if err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}

// finish releases what the transaction holds, once it has ended.
func (t *tx) finish() {
	if t.done {
		return
	}
	t.done = true
	for _, s := range t.stmts {
		s.Close()
	}
	t.stmts = nil
	t.pending, t.dropped = nil, nil
	t.newBands, t.ahead, t.days, t.siteRows, t.facetRows = nil, nil, nil, nil, nil
	t.tagRows, t.authorRows = nil, nil
	releaseConn(t.conn)
}

// index adds the rows written in this transaction to article_fts, from
// the values kept in memory (no need to read back and inflate the texts
// just written), in row order. Each is a one-row statement: a statement
// that writes several rows into an FTS5 table opens a statement journal,
// at which FTS5 flushes its pending terms as a new index segment, while
// one-row statements let the whole batch gather in memory (up to the
// hashsize set by migration 0003) and become one segment at commit.
func (t *tx) index() error {
	ns := make([]int64, 0, len(t.pending))
	for n := range t.pending {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	s, err := t.tx.Prepare(`INSERT INTO article_fts (rowid, title, description, text, authors, tags, dup) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	defer s.Close()
	for _, n := range ns {
		r := t.pending[n].spaced()
		if _, err := s.Exec(n, r.title, r.description, r.text, r.authors, r.tags, r.dup); err != nil {
			return fmt.Errorf("index: %w", err)
		}
	}
	t.pending = map[int64]ftsRow{}
	return nil
}

// unindex takes stored row n out of article_fts unless it is pending
// (written in this transaction, so not indexed yet), and returns what was
// indexed. External-content FTS5 needs the exact values it indexed, which
// the article_text view gives (spaced, as index gives them) as long as
// article_keys still says what dup was.
func (t *tx) unindex(ctx context.Context, n int64) (ftsRow, error) {
	r, indexed, err := t.indexed(ctx, n)
	if err != nil || !indexed {
		return r, err
	}
	_, err = t.exec(ctx, ftsDelete, n, r.title, r.description, r.text, r.authors, r.tags, r.dup)
	return r, err
}

// indexed returns what article_fts holds for row n, or, when n is
// pending (indexed is false), what it will.
func (t *tx) indexed(ctx context.Context, n int64) (r ftsRow, indexed bool, err error) {
	if r, ok := t.pending[n]; ok {
		return r, false, nil
	}
	s, err := t.stmt(ctx, `SELECT title, description, text, authors, tags, dup FROM article_text WHERE n = ?`)
	if err != nil {
		return r, false, err
	}
	if err := s.QueryRowContext(ctx, n).Scan(&r.title, &r.description, &r.text, &r.authors, &r.tags, &r.dup); err != nil {
		return r, false, err
	}
	return r, true, nil
}

const ftsDelete = `INSERT INTO article_fts (article_fts, rowid, title, description, text, authors, tags, dup)
	VALUES ('delete', ?, ?, ?, ?, ?, ?, ?)`

// unindexDropped takes the rows this transaction deleted out of
// article_fts, in row order: FTS5 gathers changes in memory only while
// their row numbers ascend, and flushes a segment (merging, often) at
// each step back, so deletes in another order cost about 30 times more.
func (t *tx) unindexDropped() error {
	if len(t.dropped) == 0 {
		return nil
	}
	s, err := t.tx.Prepare(ftsDelete)
	if err != nil {
		return fmt.Errorf("unindex: %w", err)
	}
	defer s.Close()
	for _, n := range slices.Sorted(maps.Keys(t.dropped)) {
		r := t.dropped[n]
		if _, err := s.Exec(n, r.title, r.description, r.text, r.authors, r.tags, r.dup); err != nil {
			return fmt.Errorf("unindex: %w", err)
		}
	}
	t.dropped = map[int64]ftsRow{}
	return nil
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
	cs, err := scanCandidates(s.QueryContext(ctx, hashArg(hash)))
	if err != nil {
		return nil, fmt.Errorf("by hash: %w", err)
	}
	return cs, nil
}

// FirstNaming answers from what PrefetchNaming read when it read url,
// else through a prepared statement: ingest asks it for every new article
// that finds no near duplicate.
func (t *tx) FirstNaming(ctx context.Context, url string) (store.Candidate, bool, error) {
	if b, ok := t.naming[url]; ok {
		return store.Candidate{ID: b.id, ClusterID: b.cluster}, b.found, nil
	}
	s, err := t.stmt(ctx, sqlschema.FirstNamingSQL("?"))
	if err != nil {
		return store.Candidate{}, false, fmt.Errorf("first naming: %w", err)
	}
	return sqlschema.FirstNaming(ctx, stmtQuerier{s}, "?", url)
}

var _ store.NamingPrefetcher = (*tx)(nil)

// PrefetchNaming implements store.NamingPrefetcher: one statement over
// the partial index articles_original for every URL of the batch.
func (t *tx) PrefetchNaming(ctx context.Context, urls []string) error {
	naming := make(map[string]namedBy, len(urls))
	var ask []string
	for _, u := range urls {
		if _, ok := naming[u]; !ok && u != "" {
			naming[u] = namedBy{}
			ask = append(ask, u)
		}
	}
	list, err := json.Marshal(ask)
	if err != nil {
		return err
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT original_url, date, id, cluster_id FROM articles
		WHERE original_url IN (SELECT value FROM json_each(?)) AND original_url <> ''`, string(list))
	if err != nil {
		return fmt.Errorf("prefetch naming: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		var b namedBy
		if err := rows.Scan(&u, &b.date, &b.id, &b.cluster); err != nil {
			return fmt.Errorf("prefetch naming: %w", err)
		}
		b.found = true
		if b.earlier(naming[u]) {
			naming[u] = b
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("prefetch naming: %w", err)
	}
	t.naming = naming
	return nil
}

// earlier reports whether b comes before c in FirstNaming's order (an
// article before none).
func (b namedBy) earlier(c namedBy) bool {
	return !c.found || b.date < c.date || b.date == c.date && b.id < c.id
}

// named keeps the answers read ahead up to date with an article this
// transaction inserted.
func (t *tx) named(r *store.Record) {
	if t.naming == nil || r.OriginalURL == "" {
		return
	}
	cur, ok := t.naming[r.OriginalURL]
	if b := (namedBy{date: r.Date().Unix(), id: r.ID, cluster: r.ClusterID, found: true}); ok && b.earlier(cur) {
		t.naming[r.OriginalURL] = b
	}
}

func (t *tx) Candidates(ctx context.Context, bands []uint64, limit int) ([]store.Candidate, error) {
	if len(bands) == 0 || limit <= 0 {
		return nil, nil
	}
	keys, ok := prefetched(t.ahead, bands)
	if !ok {
		var err error
		keys, err = storedKeys(ctx, t.tx, func(q string) (querier, error) {
			s, err := t.stmt(ctx, q)
			return stmtQuerier{s}, err
		}, bands)
		if err != nil {
			return nil, fmt.Errorf("candidates: %w", err)
		}
	}
	return rankCandidates(ctx, t.tx, keys, bands, t.newBands, limit)
}

// PrefetchCandidates implements store.CandidatePrefetcher: it reads the
// stored band rows of every band of lists in one pass, and Candidates
// then answers from them (with the rows this transaction writes, which
// it keeps in memory until Commit).
func (t *tx) PrefetchCandidates(ctx context.Context, lists [][]uint64) error {
	ahead, err := prefetch(ctx, t.tx, lists)
	if err != nil {
		return fmt.Errorf("prefetch candidates: %w", err)
	}
	maps.Copy(t.ahead, ahead)
	return nil
}

// stmtQuerier runs a prepared statement as a querier; the query text is
// the statement's own.
type stmtQuerier struct{ s *sql.Stmt }

func (q stmtQuerier) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return q.s.QueryContext(ctx, args...)
}

func (q stmtQuerier) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return q.s.QueryRowContext(ctx, args...)
}

const insertArticle = `INSERT INTO articles (id, url, canonical_url, site_id, date, published, modified,
	fetched_at, title, description, authors, tags, site_name, section, language, image, free,
	word_count, source, capture_file, capture_offset, capture_record, extractor_version,
	content_hash, cluster_id, version, original_url, text, capture_chain, changed)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ` + nowMillis + `)`

// nowMillis is the time of the statement in unix milliseconds, what
// articles.changed records (migration 0024).
const nowMillis = `CAST(unixepoch('subsec') * 1000 AS INTEGER)`

const updateArticle = `UPDATE articles SET url = ?, canonical_url = ?, site_id = ?, date = ?,
	published = ?, modified = ?, fetched_at = ?, title = ?, description = ?, authors = ?, tags = ?,
	site_name = ?, section = ?, language = ?, image = ?, free = ?, word_count = ?, source = ?,
	capture_file = ?, capture_offset = ?, capture_record = ?, extractor_version = ?,
	content_hash = ?, cluster_id = ?, version = ?, original_url = ?, text = ?, capture_chain = ?,
	changed = ` + nowMillis + `
	WHERE n = ?`

// The stored row as Put compares it: identity, then the metadata a
// refresh may rewrite (see meta).
const selectForPut = `SELECT n, content_hash, cluster_id, version, fetched_at, date, site_id, ` + metaCols + `
	FROM articles WHERE id = ?`

const metaCols = `published, modified, title, description, authors, tags, site_name, section,
	language, image, free, word_count, extractor_version, original_url`

const refreshArticle = `UPDATE articles SET date = ?, published = ?, modified = ?, title = ?,
	description = ?, authors = ?, tags = ?, site_name = ?, section = ?, language = ?, image = ?,
	free = ?, word_count = ?, extractor_version = ?, original_url = ?, changed = ` + nowMillis + ` WHERE n = ?`

// meta is the part of a record that a Put with an unchanged text may
// refresh, in its stored form (metaCols order).
type meta struct {
	published, modified, title, description, authors, tags, siteName, section,
	language, image string
	free      sql.NullBool
	wordCount int
	extractor string
	original  string
}

func recordMeta(r *store.Record) meta {
	m := meta{published: formatTime(r.Published), modified: formatTime(r.Modified), title: r.Title,
		description: r.Description, authors: joinLines(r.Authors), tags: joinLines(r.Tags),
		siteName: r.SiteName, section: r.Section, language: r.Language, image: r.Image,
		wordCount: r.WordCount, extractor: r.ExtractorVersion, original: r.OriginalURL}
	if r.IsAccessibleForFree != nil {
		m.free = sql.NullBool{Bool: *r.IsAccessibleForFree, Valid: true}
	}
	return m
}

func (m *meta) dest() []any {
	return []any{&m.published, &m.modified, &m.title, &m.description, &m.authors, &m.tags,
		&m.siteName, &m.section, &m.language, &m.image, &m.free, &m.wordCount, &m.extractor, &m.original}
}

func (m *meta) args() []any {
	var free any
	if m.free.Valid {
		free = m.free.Bool
	}
	return []any{m.published, m.modified, m.title, m.description, m.authors, m.tags,
		m.siteName, m.section, m.language, m.image, free, m.wordCount, m.extractor, m.original}
}

// Put implements store.Tx.
func (t *tx) Put(ctx context.Context, e store.Entry) (store.Outcome, error) {
	r := e.Record
	if r == nil || r.ID == "" || r.URL == "" && r.CanonicalURL == "" || r.ContentHash == "" {
		return 0, fmt.Errorf("put: %w record: id, url and content hash are required", store.ErrInvalid)
	}
	if t.done {
		return 0, fmt.Errorf("put %s: %w", r.ID, sql.ErrTxDone)
	}
	if kept, err := t.isWithheld(ctx, r.ID); err != nil {
		return 0, fmt.Errorf("put %s: %w", r.ID, err)
	} else if kept {
		return store.Withheld, nil
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
		fetched       string
		date          int64 // the stored date
		site          int64 // the stored site id
		old           meta
	)
	s, err := t.stmt(ctx, selectForPut)
	if err != nil {
		return 0, err
	}
	err = s.QueryRowContext(ctx, r.ID).Scan(append([]any{&n, &hash, &cluster, &version, &fetched, &date, &site}, old.dest()...)...)
	switch {
	case errors.Is(err, sql.ErrNoRows) && e.IfVersion > 0:
		return store.Gone, nil // deleted since it was read: not brought back
	case errors.Is(err, sql.ErrNoRows):
		if r.ClusterID == "" {
			r.ClusterID = r.ID
		}
		r.Version = 1
		if err := t.insert(ctx, e); err != nil {
			return 0, err
		}
		t.named(r)
		t.textDelta += int64(len(r.Text))
		if r.ClusterID != r.ID {
			return store.Duplicate, nil
		}
		return store.New, nil
	case err != nil:
		return 0, err
	case e.IfVersion > 0 && version != e.IfVersion:
		return store.Superseded, nil
	}
	if bytes.Equal(hash, hashKey(r.ContentHash)) {
		r.Version, r.ClusterID = version, string(cluster)
		cur := recordMeta(r)
		if cur == old {
			return store.Unchanged, nil
		}
		t.naming = nil // its original or date may change: answers read ahead may be stale
		return store.Refreshed, t.refresh(ctx, n, fetched, date, old, cur, e)
	}
	t.naming = nil // a new version: its original or date may change
	// A new text at a known URL: keep the old record as a version.
	prev, err := getRecord(ctx, t.tx, r.ID)
	if err != nil {
		return 0, err
	}
	blob, err := json.Marshal(prev)
	if err != nil {
		return 0, err
	}
	if _, err := t.exec(ctx, `INSERT INTO article_versions (article_n, version, record) VALUES (?, ?, ?)`, n, version, deflate(blob)); err != nil {
		return 0, err
	}
	was, err := t.unindex(ctx, n)
	if err != nil {
		return 0, err
	}
	t.textDelta += int64(len(r.Text) - len(prev.Text))
	r.ClusterID = string(cluster) // an article keeps its cluster across versions
	r.Version = version + 1
	args, err := t.articleArgs(ctx, e)
	if err != nil {
		return 0, err
	}
	if _, err := t.exec(ctx, updateArticle, append(args[1:], n)...); err != nil {
		return 0, err
	}
	if _, err := t.exec(ctx, `UPDATE article_keys SET date = ?, site_id = ? WHERE n = ?`, args[4], args[3], n); err != nil {
		return 0, err
	}
	if d := args[4].(int64); d != date {
		t.datesChanged = true
		t.days[n] = dayOf(d)
	}
	if id := args[3].(int64); id != site {
		t.datesChanged = true
		t.siteRows[n] = int32(id)
	}
	cur := recordMeta(r)
	if err := t.refacet(ctx, n, old, cur); err != nil {
		return 0, err
	}
	if old.authors != cur.authors || old.tags != cur.tags {
		t.datesChanged = true // the link caches reload (see linkCache)
	}
	if err := t.relink(ctx, n, r); err != nil {
		return 0, err
	}
	row := searchable(r, r.Text)
	row.dup = was.dup
	t.pending[n] = row
	return store.Updated, t.bands(n, e.Bands)
}

// refresh rewrites the metadata of stored row n (same text) from cur;
// stored is the row's date.
func (t *tx) refresh(ctx context.Context, n int64, fetched string, stored int64, old, cur meta, e store.Entry) error {
	r := e.Record
	date := r.Published
	if date.IsZero() {
		var err error
		if date, err = parseTime(fetched); err != nil {
			return err
		}
	}
	if old.title != cur.title || old.description != cur.description || old.authors != cur.authors || old.tags != cur.tags {
		// Index the stored text (the new one has the same hash but may
		// differ in spacing or punctuation) with the new fields; the
		// old ones leave the index before the row changes.
		row, err := t.unindex(ctx, n)
		if err != nil {
			return err
		}
		row.title, row.description, row.authors, row.tags = cur.title, cur.description, cur.authors, cur.tags
		t.pending[n] = row
	}
	if _, err := t.exec(ctx, refreshArticle, append(append([]any{date.Unix()}, cur.args()...), n)...); err != nil {
		return err
	}
	if date.Unix() != stored {
		if _, err := t.exec(ctx, `UPDATE article_keys SET date = ? WHERE n = ?`, date.Unix(), n); err != nil {
			return err
		}
		// Most refreshes keep the date; only a changed one makes the
		// date caches of timelines reload (see blockCache).
		t.datesChanged = true
		t.days[n] = dayOf(date.Unix())
	}
	if err := t.refacet(ctx, n, old, cur); err != nil {
		return err
	}
	if old.authors != cur.authors || old.tags != cur.tags {
		t.datesChanged = true // the link caches reload (see linkCache)
		return t.relink(ctx, n, r)
	}
	return nil
}

// refacet records the new facet of stored row n when its language or
// section changes from old to cur.
func (t *tx) refacet(ctx context.Context, n int64, old, cur meta) error {
	if old.language == cur.language && old.section == cur.section {
		return nil
	}
	id, err := t.facetID(ctx, cur.language, cur.section)
	if err != nil {
		return err
	}
	// Facet filters read the facet cache, which reloads (see blockCache).
	t.datesChanged = true
	t.facetRows[n] = int32(id)
	return nil
}

// facetID returns the id of the facet (language, section), adding it to
// the facets table if new.
func (t *tx) facetID(ctx context.Context, language, section string) (int64, error) {
	key := strconv.Itoa(len(language)) + ":" + language + section // unambiguous
	return t.dictID(ctx, t.facets, t.db.facets, "facets", key, language, section)
}

// joinCluster returns the article_keys.cluster value for a new article
// in cluster, and marks the cluster's first member when it had been alone
// until now: its keys row and its full-text dup marker change.
func (t *tx) joinCluster(ctx context.Context, cluster string) (any, error) {
	var first int64
	var mark sql.NullInt64
	s, err := t.stmt(ctx, `SELECT k.n, k.cluster FROM articles a JOIN article_keys k ON k.n = a.n
		WHERE a.cluster_id = ? ORDER BY a.n LIMIT 1`)
	if err != nil {
		return nil, err
	}
	err = s.QueryRowContext(ctx, cluster).Scan(&first, &mark)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil // the first member: alone so far
	case err != nil:
		return nil, err
	case mark.Valid:
		return mark.Int64, nil
	}
	row, err := t.unindex(ctx, first)
	if err != nil {
		return nil, err
	}
	row.dup = "x"
	t.pending[first] = row
	if _, err := t.exec(ctx, `UPDATE article_keys SET cluster = ? WHERE n = ?`, first, first); err != nil {
		return nil, err
	}
	return first, nil
}

// searchable is what article_fts indexes for r with its text.
func searchable(r *store.Record, text string) ftsRow {
	return ftsRow{title: r.Title, description: r.Description, text: text,
		authors: joinLines(r.Authors), tags: joinLines(r.Tags)}
}

func (t *tx) insert(ctx context.Context, e store.Entry) error {
	r := e.Record
	cluster, err := t.joinCluster(ctx, r.ClusterID)
	if err != nil {
		return err
	}
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
	row := searchable(r, r.Text)
	if cluster != nil {
		row.dup = "x"
	}
	t.pending[n] = row
	if _, err := t.exec(ctx, `INSERT INTO article_keys (n, date, site_id, cluster) VALUES (?, ?, ?, ?)`,
		n, args[4], args[3], cluster); err != nil {
		return err
	}
	t.days[n] = dayOf(args[4].(int64))
	t.siteRows[n] = int32(args[3].(int64))
	facet, err := t.facetID(ctx, r.Language, r.Section)
	if err != nil {
		return err
	}
	t.facetRows[n] = int32(facet)
	if err := t.links(ctx, n, r); err != nil {
		return err
	}
	return t.bands(n, e.Bands)
}

// preparedText is a text compressed ahead of the transaction.
type preparedText struct {
	text string
	z    []byte
}

// PrepareEntry implements store.EntryPreparer: it compresses the text.
func (db *DB) PrepareEntry(e *store.Entry) {
	if e.Record != nil {
		e.Prepared = &preparedText{text: e.Record.Text, z: db.codec.compress(e.Record.Text)}
	}
}

// compressedText returns e's text compressed, from PrepareEntry when the
// text is still the one it compressed.
func (t *tx) compressedText(e store.Entry) []byte {
	if p, ok := e.Prepared.(*preparedText); ok && p.text == e.Record.Text {
		return p.z
	}
	return t.db.codec.compress(e.Record.Text)
}

// articleArgs returns the insertArticle arguments for e (id first).
func (t *tx) articleArgs(ctx context.Context, e store.Entry) ([]any, error) {
	r := e.Record
	site, err := t.dictID(ctx, t.sites, t.db.sites, `sites`, siteHost(r), siteHost(r))
	if err != nil {
		return nil, err
	}
	var free any
	if r.IsAccessibleForFree != nil {
		free = *r.IsAccessibleForFree
	}
	var capFile, capRecord string
	var capOffset, capChain int64
	if c := r.Capture; c != nil {
		capFile, capOffset, capRecord, capChain = c.File, c.Offset, c.RecordID, c.ChainOffset
	}
	url := r.URL
	if url == r.CanonicalURL {
		url = "" // read back as the canonical URL
	}
	return []any{r.ID, url, r.CanonicalURL, site, r.Date().Unix(), formatTime(r.Published),
		formatTime(r.Modified), formatTime(r.FetchedAt), r.Title, r.Description,
		joinLines(r.Authors), joinLines(r.Tags), r.SiteName, r.Section, r.Language, r.Image, free,
		r.WordCount, r.Source, capFile, capOffset, capRecord, r.ExtractorVersion,
		hashArg(r.ContentHash), r.ClusterID, r.Version, r.OriginalURL, t.compressedText(e), capChain}, nil
}

// relink replaces the author and tag rows of article n with r's.
func (t *tx) relink(ctx context.Context, n int64, r *store.Record) error {
	for _, q := range []string{
		`DELETE FROM article_authors WHERE n = ?`,
		`DELETE FROM article_tags WHERE n = ?`,
	} {
		if _, err := t.exec(ctx, q, n); err != nil {
			return err
		}
	}
	return t.links(ctx, n, r)
}

// links writes the author and tag rows of article n.
func (t *tx) links(ctx context.Context, n int64, r *store.Record) error {
	authors, tags := []int32{}, []int32{}
	defer func() { t.authorRows[n], t.tagRows[n] = authors, tags }()
	for _, a := range r.Authors {
		k := norm(a)
		if k == "" {
			continue
		}
		id, err := t.dictID(ctx, t.authors, t.db.authors, `authors`, k, a, k)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `INSERT OR IGNORE INTO article_authors (n, author_id) VALUES (?, ?)`, n, id); err != nil {
			return err
		}
		authors = append(authors, int32(id))
	}
	for _, g := range r.Tags {
		k := norm(g)
		if k == "" {
			continue
		}
		id, err := t.dictID(ctx, t.tags, t.db.tags, `tags`, k, g, k)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `INSERT OR IGNORE INTO article_tags (n, tag_id) VALUES (?, ?)`, n, id); err != nil {
			return err
		}
		tags = append(tags, int32(id))
	}
	return nil
}

// dictID returns the id of key in a dictionary table (sites, authors,
// tags or facets), creating the row when missing from vals: the host of
// a site, the display name and norm of an author or tag, the language
// and section of a facet.
func (t *tx) dictID(ctx context.Context, local, shared map[string]int64, table, key string, vals ...any) (int64, error) {
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
	switch table {
	case "sites":
		q = `INSERT INTO sites (host) VALUES (?) ON CONFLICT (host) DO UPDATE SET host = excluded.host RETURNING id`
	case "facets":
		q = `INSERT INTO facets (language, section) VALUES (?, ?)
			ON CONFLICT (language, section) DO UPDATE SET language = excluded.language RETURNING id`
	default:
		q = `INSERT INTO ` + table + ` (name, norm) VALUES (?, ?) ON CONFLICT (norm) DO UPDATE SET norm = excluded.norm RETURNING id`
	}
	s, err := t.stmt(ctx, q)
	if err != nil {
		return 0, err
	}
	if err := s.QueryRowContext(ctx, vals...).Scan(&id); err != nil {
		return 0, fmt.Errorf("%s %q: %w", table, key, err)
	}
	local[key] = id
	return id, nil
}
