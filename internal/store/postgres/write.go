package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

// tx is a write transaction. PostgreSQL allows many at once: a Put locks
// the article row it reads (SELECT … FOR UPDATE), so two transactions
// writing one article take turns, and the unique id makes a concurrent
// insert of the same article wait for the first and then find it.
type tx struct {
	db *DB
	tx *sql.Tx
	// change in the total text size, added to counters at Commit.
	textDelta int64
	done      bool
	// ahead holds the band rows read by PrefetchCandidates, by band; once
	// there is something ahead, written holds the band rows this
	// transaction wrote, so that Candidates can answer from memory.
	ahead, written map[int64][]bandRow
	// withheld: the archive withholds some article ids, so Put asks
	// about each; withheldRead: that has been read (see isWithheld).
	withheld, withheldRead bool
	// archiveLocked: the transaction holds the whole-archive key of the
	// band locks, shared or exclusive (see lockBands and FenceWrites).
	archiveLocked bool
}

// bandRow is an article with a band: its row number, id and cluster.
type bandRow struct {
	n           int64
	id, cluster string
}

// Begin implements store.Store.
func (db *DB) Begin(ctx context.Context) (store.Tx, error) {
	t, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &tx{db: db, tx: t}, nil
}

func (t *tx) Commit() error {
	if t.done {
		return fmt.Errorf("commit: %w", sql.ErrTxDone)
	}
	ctx := context.Background()
	if t.textDelta != 0 {
		// Last, so that the counters row is locked only for the commit.
		if _, err := t.tx.ExecContext(ctx, `UPDATE counters SET text_bytes = text_bytes + $1`, t.textDelta); err != nil {
			t.Rollback()
			return fmt.Errorf("commit: %w", err)
		}
	}
	t.done = true
	if err := t.tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (t *tx) Rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	if err := t.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}

func (t *tx) Get(ctx context.Context, id string) (*store.Record, error) {
	return getRecord(ctx, t.tx, id)
}

func (t *tx) ByHash(ctx context.Context, hash string) ([]store.Candidate, error) {
	return byHash(ctx, t.tx, hash)
}

func (t *tx) FirstNaming(ctx context.Context, url string) (store.Candidate, bool, error) {
	return sqlschema.FirstNaming(ctx, t.tx, "$1", url)
}

func (t *tx) Candidates(ctx context.Context, bands []uint64, limit int) ([]store.Candidate, error) {
	if cs, ok := t.prefetched(bands, limit); ok {
		return cs, nil
	}
	return candidates(ctx, t.tx, bands, limit)
}

// PrefetchCandidates implements store.CandidatePrefetcher: one query
// reads the band rows (with each article's id and cluster) of every band
// of lists, and Candidates then answers from them and from the rows this
// transaction writes, without a round trip per article. First it locks
// those bands until the transaction ends (see lockBands), so that a
// concurrent transaction writing articles that share a band has
// committed before the read, or waits for this one's commit before its
// own: rows that other transactions commit meanwhile cannot be near
// duplicates of this batch's articles.
func (t *tx) PrefetchCandidates(ctx context.Context, lists [][]uint64) error {
	var all []uint64
	for _, l := range lists {
		all = append(all, l...)
	}
	keys := bandArgs(all)
	if len(keys) == 0 {
		return nil
	}
	if err := t.lockBands(ctx, keys); err != nil {
		return fmt.Errorf("prefetch candidates: %w", err)
	}
	if t.ahead == nil {
		t.ahead, t.written = map[int64][]bandRow{}, map[int64][]bandRow{}
	}
	for _, k := range keys {
		t.ahead[k] = t.ahead[k][:0] // read afresh: it includes what this transaction wrote
		delete(t.written, k)
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT b.band, a.n, a.id, a.cluster_id FROM article_bands b
		JOIN articles a ON a.n = b.n WHERE b.band = ANY($1)`, keys)
	if err != nil {
		return fmt.Errorf("prefetch candidates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k int64
		var r bandRow
		if err := rows.Scan(&k, &r.n, &r.id, &r.cluster); err != nil {
			return fmt.Errorf("prefetch candidates: %w", err)
		}
		t.ahead[k] = append(t.ahead[k], r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("prefetch candidates: %w", err)
	}
	return nil
}

// prefetched answers Candidates from the prefetched and written band
// rows, as the query in candidates would; false when a band was not
// prefetched.
func (t *tx) prefetched(bands []uint64, limit int) ([]store.Candidate, bool) {
	if t.ahead == nil || len(bands) == 0 || limit <= 0 {
		return nil, false
	}
	keys := bandArgs(bands)
	shared := map[int64]int{}
	info := map[int64]bandRow{}
	for _, k := range keys {
		stored, ok := t.ahead[k]
		if !ok {
			return nil, false
		}
		seen := map[int64]bool{}
		for _, rs := range [][]bandRow{stored, t.written[k]} {
			for _, r := range rs {
				if !seen[r.n] {
					seen[r.n] = true
					shared[r.n]++
					info[r.n] = r
				}
			}
		}
	}
	cs := make([]sqlschema.SharedBands, 0, len(shared))
	for n, c := range shared {
		cs = append(cs, sqlschema.SharedBands{Candidate: store.Candidate{ID: info[n].id, ClusterID: info[n].cluster}, Shared: c})
	}
	return sqlschema.TopCandidates(cs, limit), true
}

const metaCols = `published, modified, title, description, authors, tags, site_name, section,
	language, image, free, word_count, extractor_version, original_url`

// The stored row as Put compares it: identity, then the metadata a
// refresh may rewrite (see meta).
const selectForPut = `SELECT n, content_hash, cluster_id, version, fetched_at, ` + metaCols + `
	FROM articles WHERE id = $1 FOR UPDATE`

// articleCols are the columns insertArticle and updateArticle write, in
// articleArgs order.
const articleCols = `id, url, canonical_url, site_id, date, published, modified,
	fetched_at, title, description, authors, tags, site_name, section, language, image, free,
	word_count, source, capture_file, capture_offset, capture_record, extractor_version,
	content_hash, cluster_id, version, text_bytes, text, tsv, original_url`

// insertArticle writes a new article with its author and tag links and
// band hashes in one statement; it returns no row when the id exists.
const insertArticle = `WITH a AS (INSERT INTO articles (` + articleCols + `)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
		$21, $22, $23, $24, $25, $26, $27, $28, $29::tsvector, $30)
	ON CONFLICT (id) DO NOTHING RETURNING n),
	au AS (INSERT INTO article_authors (n, author_id) SELECT a.n, x FROM a, unnest($31::bigint[]) x),
	tg AS (INSERT INTO article_tags (n, tag_id) SELECT a.n, x FROM a, unnest($32::bigint[]) x),
	bd AS (INSERT INTO article_bands (band, n) SELECT x, a.n FROM a, unnest($33::bigint[]) x)
	SELECT n FROM a`

// updateArticle replaces article $31 with a new version (id unchanged).
const updateArticle = `UPDATE articles SET url = $2, canonical_url = $3, site_id = $4, date = $5,
	published = $6, modified = $7, fetched_at = $8, title = $9, description = $10, authors = $11,
	tags = $12, site_name = $13, section = $14, language = $15, image = $16, free = $17,
	word_count = $18, source = $19, capture_file = $20, capture_offset = $21, capture_record = $22,
	extractor_version = $23, content_hash = $24, cluster_id = $25, version = $26, text_bytes = $27,
	text = $28, tsv = $29::tsvector, original_url = $30
	WHERE n = $31 AND id = $1`

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
	for attempt := 0; ; attempt++ {
		var (
			n             int64
			hash, cluster string
			version       int
			fetched       string
			old           meta
		)
		err := t.tx.QueryRowContext(ctx, selectForPut, r.ID).Scan(append([]any{&n, &hash, &cluster, &version, &fetched}, old.dest()...)...)
		switch {
		case errors.Is(err, sql.ErrNoRows) && e.IfVersion > 0:
			// Deleted since it was read (or while this waited for its
			// row lock): not brought back.
			return store.Gone, nil
		case errors.Is(err, sql.ErrNoRows):
			clusterID := r.ClusterID
			if clusterID == "" {
				clusterID = r.ID
			}
			inserted, err := t.insert(ctx, e, clusterID)
			if err != nil {
				return 0, err
			}
			if !inserted && attempt == 0 {
				continue // another transaction stored it meanwhile: now it is known
			}
			if !inserted {
				return 0, fmt.Errorf("article inserted and gone")
			}
			r.ClusterID, r.Version = clusterID, 1
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
		if hash == r.ContentHash {
			r.Version, r.ClusterID = version, cluster
			cur := recordMeta(r)
			if cur == old {
				return store.Unchanged, nil
			}
			return store.Refreshed, t.refresh(ctx, n, fetched, old, cur, r)
		}
		return store.Updated, t.update(ctx, e, n, version, cluster)
	}
}

// insert writes a new article; false when its id exists already.
func (t *tx) insert(ctx context.Context, e store.Entry, clusterID string) (bool, error) {
	r := e.Record
	args, err := t.articleArgs(ctx, e, clusterID, 1)
	if err != nil {
		return false, err
	}
	authors, tags, err := t.linkIDs(ctx, r)
	if err != nil {
		return false, err
	}
	var n int64
	keys := bandArgs(e.Bands)
	err = t.tx.QueryRowContext(ctx, insertArticle, append(args, authors, tags, keys)...).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	t.wrote(keys, bandRow{n, r.ID, clusterID})
	return true, nil
}

// wrote notes band rows this transaction wrote, when Candidates answers
// from prefetched rows.
func (t *tx) wrote(keys []int64, row bandRow) {
	if t.ahead == nil {
		return
	}
	for _, k := range keys {
		t.written[k] = append(t.written[k], row)
	}
}

// update stores a new text for article n: the stored record moves to
// article_versions, the new one takes its place with version+1 in the same
// cluster.
func (t *tx) update(ctx context.Context, e store.Entry, n int64, version int, cluster string) error {
	r := e.Record
	prev, err := getRecord(ctx, t.tx, r.ID)
	if err != nil {
		return err
	}
	blob, err := json.Marshal(prev)
	if err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO article_versions (article_n, version, record) VALUES ($1, $2, $3)`,
		n, version, string(blob)); err != nil {
		return err
	}
	args, err := t.articleArgs(ctx, e, cluster, version+1)
	if err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, updateArticle, append(args, n)...); err != nil {
		return err
	}
	r.ClusterID, r.Version = cluster, version+1 // an article keeps its cluster across versions
	t.textDelta += int64(len(r.Text) - len(prev.Text))
	if err := t.relink(ctx, n, r); err != nil {
		return err
	}
	if keys := bandArgs(e.Bands); len(keys) > 0 {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO article_bands (band, n) SELECT x, $1 FROM unnest($2::bigint[]) x
			ON CONFLICT DO NOTHING`, n, keys); err != nil {
			return err
		}
		t.wrote(keys, bandRow{n, r.ID, cluster})
	}
	return nil
}

// refresh rewrites the metadata of stored row n (same text) from cur.
func (t *tx) refresh(ctx context.Context, n int64, fetched string, old, cur meta, r *store.Record) error {
	date := r.Published
	if date.IsZero() {
		var err error
		if date, err = parseTime(fetched); err != nil {
			return err
		}
	}
	args := []any{date.Unix(), cur.published, cur.modified, cur.title, cur.description, cur.authors, cur.tags,
		cur.siteName, cur.section, cur.language, cur.image, cur.free, cur.wordCount, cur.extractor, n, cur.original}
	q := `UPDATE articles SET date = $1, published = $2, modified = $3, title = $4, description = $5,
		authors = $6, tags = $7, site_name = $8, section = $9, language = $10, image = $11, free = $12,
		word_count = $13, extractor_version = $14, original_url = $16`
	if old.title != cur.title || old.description != cur.description || old.authors != cur.authors || old.tags != cur.tags {
		// Index the stored text (the new one has the same hash but may
		// differ in spacing or punctuation) with the new fields.
		var text string
		if err := t.tx.QueryRowContext(ctx, `SELECT text FROM articles WHERE n = $1`, n).Scan(&text); err != nil {
			return err
		}
		q += `, tsv = $17::tsvector`
		args = append(args, vector(cur.title, cur.description, cur.authors, cur.tags, text))
	}
	if _, err := t.tx.ExecContext(ctx, q+` WHERE n = $15`, args...); err != nil {
		return err
	}
	if old.authors != cur.authors || old.tags != cur.tags {
		return t.relink(ctx, n, r)
	}
	return nil
}

// preparedVector is an article's search vector built ahead of the
// transaction, with the fields it was built from.
type preparedVector struct {
	title, description, authors, tags, text string
	vector                                  string
}

// PrepareEntry implements store.EntryPreparer: it builds the search
// vector, the costliest part of a Put outside the database.
func (db *DB) PrepareEntry(e *store.Entry) {
	if r := e.Record; r != nil {
		p := &preparedVector{title: r.Title, description: r.Description, authors: joinLines(r.Authors),
			tags: joinLines(r.Tags), text: r.Text}
		p.vector = vector(p.title, p.description, p.authors, p.tags, p.text)
		e.Prepared = p
	}
}

// vectorOf returns e's search vector, from PrepareEntry when the record
// still has the fields it was built from.
func vectorOf(e store.Entry) string {
	r := e.Record
	authors, tags := joinLines(r.Authors), joinLines(r.Tags)
	if p, ok := e.Prepared.(*preparedVector); ok && p.title == r.Title && p.description == r.Description &&
		p.authors == authors && p.tags == tags && p.text == r.Text {
		return p.vector
	}
	return vector(r.Title, r.Description, authors, tags, r.Text)
}

// articleArgs returns the articleCols values for e (id first).
func (t *tx) articleArgs(ctx context.Context, e store.Entry, clusterID string, version int) ([]any, error) {
	r := e.Record
	site, err := t.db.dictID(ctx, t.db.sites, "sites", siteHost(r), "")
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
		r.ContentHash, clusterID, version, len(r.Text), r.Text, vectorOf(e), r.OriginalURL}, nil
}

// linkIDs returns the dictionary ids of r's authors and tags, creating
// the missing ones, each once.
func (t *tx) linkIDs(ctx context.Context, r *store.Record) (authors, tags []int64, err error) {
	for _, a := range r.Authors {
		if k := norm(a); k != "" {
			id, err := t.db.dictID(ctx, t.db.authors, "authors", k, a)
			if err != nil {
				return nil, nil, err
			}
			authors = append(authors, id)
		}
	}
	for _, g := range r.Tags {
		if k := norm(g); k != "" {
			id, err := t.db.dictID(ctx, t.db.tags, "tags", k, g)
			if err != nil {
				return nil, nil, err
			}
			tags = append(tags, id)
		}
	}
	slices.Sort(authors)
	slices.Sort(tags)
	return slices.Compact(authors), slices.Compact(tags), nil
}

// relink replaces the author and tag rows of article n with r's.
func (t *tx) relink(ctx context.Context, n int64, r *store.Record) error {
	authors, tags, err := t.linkIDs(ctx, r)
	if err != nil {
		return err
	}
	// Two statements: the parts of one statement all see the rows as they
	// were before it, so an insert there would collide with the rows its
	// neighbour deletes.
	if _, err := t.tx.ExecContext(ctx, `WITH da AS (DELETE FROM article_authors WHERE n = $1)
		DELETE FROM article_tags WHERE n = $1`, n); err != nil {
		return err
	}
	_, err = t.tx.ExecContext(ctx, `WITH ia AS (INSERT INTO article_authors (n, author_id) SELECT $1, x FROM unnest($2::bigint[]) x)
		INSERT INTO article_tags (n, tag_id) SELECT $1, x FROM unnest($3::bigint[]) x`, n, authors, tags)
	return err
}

// dictID returns the id of key in a dictionary table (sites, authors or
// tags), creating the row when missing. name is the display name stored
// with a new author or tag.
//
// A new row is written and committed at once on a connection of its own
// (db.dict), not in the caller's transaction. Writers running at once
// then never wait for each other's dictionary rows, which in one
// transaction could deadlock (one inserts author A then B, the other B
// then A), and the id can be cached as soon as it is known. A rolled back
// transaction may leave a dictionary row that no article uses; nothing
// counts those. The rows are written with synchronous_commit off: the
// article transaction that uses one commits after it and flushes the
// log up to its own commit, so the row is durable when it matters.
func (db *DB) dictID(ctx context.Context, shared map[string]int64, table, key, name string) (int64, error) {
	db.mu.Lock()
	id, ok := shared[key]
	db.mu.Unlock()
	if ok {
		return id, nil
	}
	var err error
	if table == "sites" {
		err = db.dict.QueryRowContext(ctx, `INSERT INTO sites (host) VALUES ($1)
			ON CONFLICT (host) DO UPDATE SET host = excluded.host RETURNING id`, key).Scan(&id)
	} else {
		err = db.dict.QueryRowContext(ctx, `INSERT INTO `+table+` (name, norm) VALUES ($1, $2)
			ON CONFLICT (norm) DO UPDATE SET norm = excluded.norm RETURNING id`, name, key).Scan(&id)
	}
	if err != nil {
		return 0, fmt.Errorf("%s %q: %w", table, key, err)
	}
	db.mu.Lock()
	shared[key] = id
	db.mu.Unlock()
	return id, nil
}
