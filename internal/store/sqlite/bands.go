package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/herald-archive/herald/internal/dedupe"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

// LSH band rows (migration 0006) live in article_lsh, a table of nothing
// but an integer key: the band hash folded to bandBits bits, then the
// article's row number in the low rowBits bits. A band's articles are one
// rowid range, found by a seek in an integer-keyed b-tree (cheaper than
// comparing records in an index) and stored in about 13 bytes a row
// instead of 17.
//
// Folding 64 bits to 35 makes a stranger share a band now and then: on a
// million articles (21 million rows) about one new article in seventy
// gets a false candidate, which the archive rejects by comparing
// signatures, as it rejects candidates that merely look alike. Row
// numbers must stay below 2^28 (268 million articles).
//
// Once article_lsh is large, new rows go to article_lsh_recent, the same
// layout, and are merged into article_lsh when there are enough of them
// (writeBands): lookups read both tables.
const (
	rowBits  = 28
	bandBits = 63 - rowBits
	rowMask  = 1<<rowBits - 1
	bandMask = 1<<bandBits - 1
)

// bandKey is the first key of band b's range.
func bandKey(b uint64) int64 {
	return int64(((b ^ b>>bandBits) & bandMask) << rowBits)
}

// bands records the LSH band rows of article n, to be written at Commit
// (see writeBands); until then Candidates in the transaction finds them
// in memory.
func (t *tx) bands(n int64, bands []uint64) error {
	if len(bands) == 0 {
		return nil
	}
	if n > rowMask {
		return fmt.Errorf("article number %d: the LSH index holds articles up to %d", n, rowMask)
	}
	for _, b := range bands {
		k := bandKey(b)
		if !slices.Contains(t.newBands[k], n) {
			t.newBands[k] = append(t.newBands[k], n)
		}
	}
	return nil
}

// dropBands deletes the band rows of article n, which is being deleted:
// those of texts (its text and its earlier versions', whose bands an
// updated article keeps), from both band tables, and forgets them in the
// rows Candidates read ahead. Left behind, they took space, and they
// became the bands of the next article stored if it took row number n
// again (a new row is numbered one past the highest, so deleting the
// newest article frees its number): a candidate for any near duplicate
// of the deleted text, which the archive compares and rejects.
//
// Once article_lsh is large (lshDirectBelow rows) its rows are not
// deleted at once but listed in article_lsh_gone, which lookups leave
// out (storedKeys, prefetch), and the next merge deletes them in key
// order (mergeBandsStep): a deleted article's twenty-odd rows lie on as
// many pages of article_lsh, so a batch of 500 rewrote some 8,500 of a
// million articles' 19,000 pages. Rows of article_lsh_recent, a small
// table, go at once.
func (t *tx) dropBands(ctx context.Context, n int64, texts []string) error {
	var keys []int64
	for _, text := range texts {
		_, sig := dedupe.Fingerprint(text)
		for _, b := range sig.Bands() {
			keys = append(keys, bandKey(b)|n)
		}
	}
	for k, ks := range t.ahead {
		t.ahead[k] = slices.DeleteFunc(ks, func(key int64) bool { return key&rowMask == n })
	}
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	var rows, recent, gone int64
	if err := t.tx.QueryRowContext(ctx, `SELECT lsh_rows, lsh_recent, lsh_gone FROM counters`).Scan(&rows, &recent, &gone); err != nil {
		return fmt.Errorf("lsh bands: %w", err)
	}
	if rows >= lshDirectBelow {
		ins, err := t.stmt(ctx, `INSERT OR IGNORE INTO article_lsh_gone (key) VALUES (?)`)
		if err != nil {
			return fmt.Errorf("lsh bands: %w", err)
		}
		listed, err := insertKeys(ctx, ins, keys)
		if err != nil {
			return fmt.Errorf("lsh bands: %w", err)
		}
		if _, err := t.tx.ExecContext(ctx, `UPDATE counters SET lsh_gone = lsh_gone + ?`, listed); err != nil {
			return fmt.Errorf("lsh bands: %w", err)
		}
		if recent+gone+listed >= lshMergeAt(rows) {
			t.bandsToMerge = recent + gone + listed // merged after the commit, in steps
		}
	}
	for _, tc := range [...]struct{ table, counter string }{{"article_lsh", "lsh_rows"}, {"article_lsh_recent", "lsh_recent"}} {
		if tc.table == "article_lsh" && rows >= lshDirectBelow {
			continue // listed as gone
		}
		del, err := t.stmt(ctx, `DELETE FROM `+tc.table+` WHERE key = ?`)
		if err != nil {
			return fmt.Errorf("lsh bands: %w", err)
		}
		var gone int64
		for _, k := range keys {
			res, err := del.ExecContext(ctx, k)
			if err != nil {
				return fmt.Errorf("lsh bands: %w", err)
			}
			m, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("lsh bands: %w", err)
			}
			gone += m
		}
		if gone > 0 {
			if _, err := t.tx.ExecContext(ctx, `UPDATE counters SET `+tc.counter+` = `+tc.counter+` - ?`, gone); err != nil {
				return fmt.Errorf("lsh bands: %w", err)
			}
		}
	}
	return nil
}

// writeBands writes the band rows recorded in the transaction, in key
// order, one row a statement: a statement that writes several rows at
// random places copies each page it touches into a statement journal
// first (16 KiB each), and in key order a batch walks the table once.
//
// While article_lsh is small (below lshDirectBelow rows) they go straight
// into it. Beyond that they go to article_lsh_recent, merged into
// article_lsh once it has grown to lshMergeAt rows (mergeBands): a batch
// of 5,000 articles writes 105,000 rows at random, which over a million
// articles' 21 million dirties almost every page of article_lsh (19,600
// of them, 300 MiB written to the log and then to the database) where the
// batch's own articles fill a few hundred. The small table takes the
// random writes, and a merge walks article_lsh once for many batches.
func (t *tx) writeBands(ctx context.Context) error {
	var keys []int64
	for k, ns := range t.newBands {
		for _, n := range ns {
			keys = append(keys, k|n)
		}
	}
	t.newBands = map[int64][]int64{}
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	var rows, recent, gone int64
	if err := t.tx.QueryRowContext(ctx, `SELECT lsh_rows, lsh_recent, lsh_gone FROM counters`).Scan(&rows, &recent, &gone); err != nil {
		return fmt.Errorf("lsh bands: %w", err)
	}
	if gone > 0 {
		// A new article took the row number of a deleted one and shares
		// a band with it: the row is its own now, not to be left out
		// nor deleted by the merge.
		var err error
		if gone, err = unlistGone(ctx, t.tx, keys); err != nil {
			return fmt.Errorf("lsh bands: %w", err)
		}
	}
	direct := rows < lshDirectBelow
	table := "article_lsh_recent"
	if direct {
		table = "article_lsh"
	}
	ins, err := t.stmt(ctx, `INSERT OR IGNORE INTO `+table+` (key) VALUES (?)`)
	if err != nil {
		return fmt.Errorf("lsh bands: %w", err)
	}
	added, err := insertKeys(ctx, ins, keys)
	if err != nil {
		return fmt.Errorf("lsh bands: %w", err)
	}
	if direct {
		if _, err := t.tx.ExecContext(ctx, `UPDATE counters SET lsh_rows = lsh_rows + ?`, added); err != nil {
			return fmt.Errorf("lsh bands: %w", err)
		}
		return nil
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE counters SET lsh_recent = lsh_recent + ?`, added); err != nil {
		return fmt.Errorf("lsh bands: %w", err)
	}
	if recent+added+gone >= lshMergeAt(rows) {
		t.bandsToMerge = recent + added + gone // merged after the commit, in steps
	}
	return nil
}

// unlistGone takes keys (sorted) out of article_lsh_gone, where they are,
// and returns how many rows it still holds. It reads the listed keys
// (fewer than a merge's worth) rather than look up each of a batch's
// hundred thousand.
func unlistGone(ctx context.Context, tx *sql.Tx, keys []int64) (int64, error) {
	listed, err := firstKeys(ctx, tx, `SELECT key FROM article_lsh_gone WHERE key BETWEEN ? AND ? ORDER BY key`, keys[0], keys[len(keys)-1])
	if err != nil {
		return 0, err
	}
	var del *sql.Stmt
	i, unlisted := 0, 0
	for _, k := range listed {
		for i < len(keys) && keys[i] < k {
			i++
		}
		if i == len(keys) || keys[i] != k {
			continue
		}
		if del == nil {
			if del, err = tx.PrepareContext(ctx, `DELETE FROM article_lsh_gone WHERE key = ?`); err != nil {
				return 0, err
			}
			defer del.Close()
		}
		if _, err := del.ExecContext(ctx, k); err != nil {
			return 0, err
		}
		unlisted++
	}
	var gone int64
	err = tx.QueryRowContext(ctx, `UPDATE counters SET lsh_gone = lsh_gone - ? RETURNING lsh_gone`, unlisted).Scan(&gone)
	return gone, err
}

// Thresholds (variables for tests): new rows go straight into an
// article_lsh of fewer than lshDirectBelow rows; otherwise
// article_lsh_recent is merged into an article_lsh of r rows once it holds
// sqrt(r × lshMergeScale) rows, and never below lshMergeMin.
//
// Every row that goes through article_lsh_recent is written twice, which
// costs more than rewriting a small article_lsh: building 100,000
// articles (2.1 million rows) through it ran at 1,960 articles/s against
// 2,068-2,147 written straight, while importing 50,000 into a million
// took 39 s, one merge included, against 45-49. lshDirectBelow (4 million
// rows, about 190,000 articles) is where the two estimates cross: a
// batch's direct writes cost about 90 µs a page of article_lsh, the second
// write of its 105,000 rows about 4 µs each.
//
// A merge costs a walk of article_lsh, so about r; each batch in between
// rewrites article_lsh_recent's pages, so about half the threshold. The
// square root balances the two for batches of about 5,000 articles
// (100,000 rows): on a million articles (21 million rows) it merges every
// 1.45 million rows (some 70,000 articles), and by that estimate writes a
// tenth of the bytes the direct writes did.
var (
	lshDirectBelow int64 = 4_000_000
	lshMergeMin    int64 = 50_000
	lshMergeScale        = 100_000.0
)

// lshMergeAt is how many rows article_lsh_recent holds before it is merged
// into an article_lsh of rows rows.
func lshMergeAt(rows int64) int64 {
	return max(lshMergeMin, int64(math.Sqrt(float64(rows)*lshMergeScale)))
}

// lshMergeStep is how many rows mergeBands moves in one transaction (a
// variable for tests).
var lshMergeStep = 250_000

// mergeBands moves the rows of article_lsh_recent, about rows of them,
// into article_lsh in key order, lshMergeStep rows a transaction: on a
// million articles (1.45 million rows, 7.6 s in one transaction) a step
// takes about a second, so other writers never wait long, and a merge at
// ten million stays in steps of the same size. A key is in one table or
// the other at every commit, so readers see every row throughout.
func (db *DB) mergeBands(ctx context.Context, rows int64) error {
	// Bounded, in case other writers keep adding rows meanwhile: what is
	// left waits for the next merge.
	for range rows/int64(lshMergeStep) + 2 {
		done, err := db.mergeBandsStep(ctx)
		if err != nil {
			return fmt.Errorf("lsh bands: merge: %w", err)
		}
		if done {
			break
		}
	}
	return nil
}

// mergeBandsStep moves the first lshMergeStep rows of article_lsh_recent
// into article_lsh, one row a statement (one INSERT … SELECT would copy
// every page of article_lsh it touches into a statement journal first: on
// a million articles 5.8 s and 600 MB more memory than 4.4 s), deletes
// from article_lsh the rows listed in article_lsh_gone up to the last
// key moved (all of them with the last step; up to lshMergeStep), on
// pages the step writes anyway, and reports whether that emptied both.
func (db *DB) mergeBandsStep(ctx context.Context) (done bool, err error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	keys, err := firstKeys(ctx, tx, `SELECT key FROM article_lsh_recent ORDER BY key LIMIT ?`, lshMergeStep)
	if err != nil {
		return false, err
	}
	upto := int64(math.MaxInt64)
	if len(keys) == lshMergeStep {
		upto = keys[len(keys)-1]
	}
	var moved, deleted int64
	if len(keys) > 0 {
		ins, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO article_lsh (key) VALUES (?)`)
		if err != nil {
			return false, err
		}
		defer ins.Close()
		if moved, err = insertKeys(ctx, ins, keys); err != nil {
			return false, err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM article_lsh_recent WHERE key <= ?`, keys[len(keys)-1])
		if err != nil {
			return false, err
		}
		if deleted, err = res.RowsAffected(); err != nil {
			return false, err
		}
	}
	gone, err := firstKeys(ctx, tx, `SELECT key FROM article_lsh_gone WHERE key <= ? ORDER BY key LIMIT ?`, upto, lshMergeStep)
	if err != nil {
		return false, err
	}
	var dropped int64
	if len(gone) > 0 {
		del, err := tx.PrepareContext(ctx, `DELETE FROM article_lsh WHERE key = ?`)
		if err != nil {
			return false, err
		}
		defer del.Close()
		for _, k := range gone {
			res, err := del.ExecContext(ctx, k)
			if err != nil {
				return false, err
			}
			m, err := res.RowsAffected()
			if err != nil {
				return false, err
			}
			dropped += m
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM article_lsh_gone WHERE key <= ?`, gone[len(gone)-1]); err != nil {
			return false, err
		}
	}
	if len(keys)+len(gone) == 0 {
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE counters SET lsh_rows = lsh_rows + ? - ?, lsh_recent = lsh_recent - ?, lsh_gone = lsh_gone - ?`,
		moved, dropped, deleted, len(gone)); err != nil {
		return false, err
	}
	return len(keys) < lshMergeStep && len(gone) < lshMergeStep, tx.Commit()
}

// firstKeys returns the keys query reads with args, in order.
func firstKeys(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []int64
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// insertKeys inserts keys into a band table through ins, an INSERT OR
// IGNORE of one key, one row a statement, and returns how many were not
// there already.
func insertKeys(ctx context.Context, ins *sql.Stmt, keys []int64) (int64, error) {
	var added int64
	for _, k := range keys {
		res, err := ins.ExecContext(ctx, k)
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		added += n
	}
	return added, nil
}

// candidatesSQLs holds candidatesSQL's answers by n: building the text
// took an eighth of the band lookup's time.
var candidatesSQLs sync.Map

// candidatesSQL returns the query for the rows of n bands: one rowid range
// each, in both band tables and in article_lsh_gone.
func candidatesSQL(n int) string {
	if q, ok := candidatesSQLs.Load(n); ok {
		return q.(string)
	}
	q := buildCandidatesSQL(n)
	candidatesSQLs.Store(n, q)
	return q
}

func buildCandidatesSQL(n int) string {
	parts := make([]string, 0, 2*n)
	for i := range n {
		lo, hi := 2*i+1, 2*i+2
		for _, table := range [...]string{"article_lsh", "article_lsh_recent"} {
			parts = append(parts, fmt.Sprintf("SELECT key FROM %s WHERE key BETWEEN ?%d AND ?%d", table, lo, hi))
		}
		// Rows listed as gone, complemented (negative) to tell them.
		parts = append(parts, fmt.Sprintf("SELECT ~key FROM article_lsh_gone WHERE key BETWEEN ?%d AND ?%d", lo, hi))
	}
	return strings.Join(parts, " UNION ALL ")
}

// withoutGone returns keys (as storedKeys and prefetch read them, sorted)
// without the rows listed in article_lsh_gone, which they hold
// complemented, and those complements; a row in both tables counts once.
func withoutGone(keys []int64) []int64 {
	slices.Sort(keys)
	keys = slices.Compact(keys)
	i, _ := slices.BinarySearch(keys, 0) // the complements come first
	if i == 0 {
		return keys
	}
	gone := keys[:i]
	return slices.DeleteFunc(keys[i:], func(k int64) bool {
		_, listed := slices.BinarySearch(gone, ^k)
		return listed
	})
}

// storedKeys returns the stored band rows in the ranges of bands, one
// range query each; prepared, when not nil, gives q's statement for a
// query text.
func storedKeys(ctx context.Context, q querier, prepared func(string) (querier, error), bands []uint64) ([]int64, error) {
	args := make([]any, 0, 2*len(bands))
	for _, b := range bands {
		k := bandKey(b)
		args = append(args, k, k|rowMask)
	}
	sq := candidatesSQL(len(bands))
	src := q
	if prepared != nil {
		var err error
		if src, err = prepared(sq); err != nil {
			return nil, err
		}
	}
	keys, err := firstKeys(ctx, src, sq, args...)
	if err != nil {
		return nil, err
	}
	// A row is in both tables when an updated article's new text shares a
	// band with the earlier one, merged already: it counts once.
	return withoutGone(keys), nil
}

// prefetchSQL reads the band rows of a JSON array of band keys, in the
// array's order.
const prefetchSQL = `SELECT j.value, l.key FROM json_each(?1) j
	JOIN article_lsh l ON l.key BETWEEN j.value AND j.value + ?2
	UNION ALL SELECT j.value, l.key FROM json_each(?1) j
	JOIN article_lsh_recent l ON l.key BETWEEN j.value AND j.value + ?2
	UNION ALL SELECT j.value, ~l.key FROM json_each(?1) j
	JOIN article_lsh_gone l ON l.key BETWEEN j.value AND j.value + ?2`

// prefetch reads the stored band rows in the ranges of every band of
// lists in one statement, walking the band keys in order (each page of
// article_lsh is read once, where a lookup per article reads pages all
// over the table), and returns them by band key; a band key with no rows
// maps to nil.
func prefetch(ctx context.Context, q querier, lists [][]uint64) (map[int64][]int64, error) {
	var ks []int64
	for _, bands := range lists {
		for _, b := range bands {
			ks = append(ks, bandKey(b))
		}
	}
	slices.Sort(ks)
	ks = slices.Compact(ks)
	out := make(map[int64][]int64, len(ks))
	if len(ks) == 0 {
		return out, nil
	}
	arr := make([]byte, 0, 12*len(ks)+2)
	arr = append(arr, '[')
	for i, k := range ks {
		if i > 0 {
			arr = append(arr, ',')
		}
		arr = strconv.AppendInt(arr, k, 10)
		out[k] = nil
	}
	arr = append(arr, ']')
	rows, err := q.QueryContext(ctx, prefetchSQL, string(arr), rowMask)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, key int64
		if err := rows.Scan(&k, &key); err != nil {
			return nil, err
		}
		out[k] = append(out[k], key)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for k, keys := range out {
		if len(keys) > 1 || len(keys) == 1 && keys[0] < 0 { // as in storedKeys
			out[k] = withoutGone(keys)
		}
	}
	return out, nil
}

// prefetched returns the stored band rows of bands from ahead (see
// prefetch), or false when ahead lacks one of them.
func prefetched(ahead map[int64][]int64, bands []uint64) ([]int64, bool) {
	var keys []int64
	for _, b := range bands {
		ks, ok := ahead[bandKey(b)]
		if !ok {
			return nil, false
		}
		keys = append(keys, ks...)
	}
	return keys, true
}

// rankCandidates implements Lookup.Candidates on q from the stored band
// rows keys of bands' ranges (as storedKeys returns them) and pending, the
// band rows not written yet (see tx.bands) by band key: the articles
// sharing most bands first, ties by id.
func rankCandidates(ctx context.Context, q querier, keys []int64, bands []uint64, pending map[int64][]int64, limit int) ([]store.Candidate, error) {
	shared := map[int64]int{}
	var stored map[int64]bool // keys read, when there are pending ones to tell apart
	if len(pending) > 0 {
		stored = make(map[int64]bool, len(keys))
	}
	for _, key := range keys {
		shared[key&rowMask]++
		if stored != nil {
			stored[key] = true
		}
	}
	// Pending rows count as the query will find them once written: once
	// for each band they are in, unless the row is stored already (an
	// updated article with a band of its earlier text).
	for _, b := range bands {
		k := bandKey(b)
		for _, n := range pending[k] {
			if !stored[k|n] {
				shared[n]++
			}
		}
	}
	if len(shared) == 0 {
		return nil, nil
	}
	ns := make([]any, 0, len(shared))
	for n := range shared {
		ns = append(ns, n)
	}
	rows, err := q.QueryContext(ctx, `SELECT n, id, cluster_id FROM articles WHERE n IN (?`+strings.Repeat(", ?", len(ns)-1)+`)`, ns...)
	if err != nil {
		return nil, fmt.Errorf("candidates: %w", err)
	}
	defer rows.Close()
	var cs []sqlschema.SharedBands
	for rows.Next() {
		var n int64
		var c sqlschema.SharedBands
		if err := rows.Scan(&n, &c.ID, &c.ClusterID); err != nil {
			return nil, fmt.Errorf("candidates: %w", err)
		}
		c.Shared = shared[n]
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("candidates: %w", err)
	}
	return sqlschema.TopCandidates(cs, limit), nil
}

// bandSweepSteps is how many key ranges DropDeletedBands walks the band
// tables in, one transaction each.
const bandSweepSteps = 64

// DropDeletedBands deletes the LSH band rows whose row number no article
// has: those herald delete left behind before it deleted an article's
// band rows with it (see dropBands), from both band tables, and returns
// how many it deleted. Such rows are never a wrong answer (Candidates
// reads the articles they name, and there are none), only space. It
// walks the tables in bandSweepSteps key ranges, each in a transaction
// of its own, so a harvest or herald serve writing to the archive waits
// one step at most; a cancelled ctx stops it between steps, with the
// steps done kept. A row left by an article whose row number a later
// article took cannot be told from that article's own, and stays: a
// candidate the archive compares by text and rejects, as any stranger
// sharing a band.
//
// It walks every row, about 21 a million articles: a minute for a
// million articles on a busy two-core machine, which is why herald
// optimize runs it rather than a migration at the first open.
func (db *DB) DropDeletedBands(ctx context.Context) (int64, error) {
	var total int64
	width := uint64(1) << 63 / uint64(bandSweepSteps)
	for i := range bandSweepSteps {
		lo := int64(uint64(i) * width)
		hi := int64(uint64(i+1)*width - 1)
		if i == bandSweepSteps-1 {
			hi = math.MaxInt64
		}
		n, err := db.dropDeletedBandsStep(ctx, lo, hi)
		if err != nil {
			return total, fmt.Errorf("drop band rows of deleted articles %s: %w", db.path, err)
		}
		total += n
	}
	return total, nil
}

// dropDeletedBandsStep deletes the band rows of keys lo to hi whose
// article is gone, in one transaction.
func (db *DB) dropDeletedBandsStep(ctx context.Context, lo, hi int64) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var total int64
	for _, tc := range [...]struct{ table, counter string }{{"article_lsh", "lsh_rows"}, {"article_lsh_recent", "lsh_recent"}} {
		res, err := tx.ExecContext(ctx, `DELETE FROM `+tc.table+` WHERE key BETWEEN ?1 AND ?2
			AND NOT EXISTS (SELECT 1 FROM article_keys k WHERE k.n = (`+tc.table+`.key & ?3))`, lo, hi, rowMask)
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		if n > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE counters SET `+tc.counter+` = `+tc.counter+` - ?`, n); err != nil {
				return 0, err
			}
		}
		total += n
	}
	// Rows listed as gone that the walk deleted need no listing; those of
	// a row number a later article took stay listed.
	res, err := tx.ExecContext(ctx, `DELETE FROM article_lsh_gone WHERE key BETWEEN ?1 AND ?2
		AND NOT EXISTS (SELECT 1 FROM article_lsh l WHERE l.key = article_lsh_gone.key)`, lo, hi)
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, err
	} else if n > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE counters SET lsh_gone = lsh_gone - ?`, n); err != nil {
			return 0, err
		}
	}
	return total, tx.Commit()
}
