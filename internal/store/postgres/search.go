package postgres

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/fulltext"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

// rank scores a match with herald_rank (migration 0004): ts_rank with
// the field weights {D text, C authors, B description and tags, A title}
// (the proportions of the SQLite backend's bm25 weights 1, 2, 3 and 10)
// and normalisation 1, which divides by 1 + the logarithm of the
// article's length, over the article's stemmed vector when its language
// has a text search configuration (so "election" counts "elections"),
// else over the vector that matched.
const rank = `herald_rank(a.stems, a.tsv, a.ts_config, %s)`

// where is a query translated to SQL over "articles a": match is the
// tsquery that ranks (empty when the query has no positive text at the
// top level) and cond the SQL conditions, joined with AND. Arguments are
// numbered in the order args holds them; match, when set, is $1.
type where struct {
	match string
	cond  []string
	args  []any
	// unicodeLower is DB.unicodeLower.
	unicodeLower string
	// authorIDs is, for each author: filter's value, the ids of the
	// authors it matches (DB.authorIDs).
	authorIDs map[string][]int64
}

func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

// from returns the FROM and WHERE clauses.
func (w *where) from() string {
	var b strings.Builder
	b.WriteString(" FROM articles a WHERE true")
	if w.match != "" {
		b.WriteString(" AND a.tsv @@ $1::tsquery")
	}
	for _, c := range w.cond {
		b.WriteString(" AND ")
		b.WriteString(c)
	}
	return b.String()
}

// empty reports whether the query matches everything.
func (w *where) empty() bool { return w.match == "" && len(w.cond) == 0 }

// next is the placeholder of the next argument appended after args.
func (w *where) next(k int) string { return "$" + strconv.Itoa(len(w.args)+k) }

// translate turns q into SQL, as the SQLite backend splits it: text-only
// conjuncts become one tsquery (the one that ranks), exclusions of text
// fold into it where there is something to subtract from, everything else
// becomes SQL conditions. authorIDs holds the ids of the authors each
// author: filter's value matches (DB.authorIDs; DB.translate fills it).
func translate(q *query.Query, unicodeLower string, authorIDs map[string][]int64) *where {
	w := &where{unicodeLower: unicodeLower, authorIDs: authorIDs}
	var pos, neg []string
	var rest []query.Node
	for _, n := range q.Conjuncts() {
		if not, ok := n.(*query.Not); ok {
			if e, ok := tsq(not.Node); ok {
				neg = append(neg, e)
				continue
			}
		}
		if e, ok := tsq(n); ok {
			pos = append(pos, e)
			continue
		}
		rest = append(rest, n)
	}
	if len(pos) > 0 {
		m := strings.Join(pos, " & ")
		for _, e := range neg {
			m = "(" + m + ") & !" + e
		}
		w.match = m
		w.args = append(w.args, m)
	} else {
		for _, e := range neg {
			w.cond = append(w.cond, "NOT (a.tsv @@ "+w.arg(e)+"::tsquery)")
		}
	}
	for _, n := range rest {
		w.cond = append(w.cond, w.sqlExpr(n))
	}
	return w
}

// nothing is the tsquery of a word or phrase with no letters or digits in
// it: the empty query, which PostgreSQL drops from the expression around
// it (with a notice) and which alone matches no article. That is what
// FTS5 makes of an empty phrase (the cross-backend test checks the
// combinations).
const nothing = `''`

// tsq returns n as a tsquery when n is pure text that can be evaluated
// on its own: an exclusion must sit in an And beside something positive,
// as in the SQLite backend, whose FTS5 NOT is binary.
func tsq(n query.Node) (string, bool) {
	switch n := n.(type) {
	case *query.Word:
		return phrase(n.Text, n.Prefix), true
	case *query.Phrase:
		return phrase(n.Text, false), true
	case *query.Or:
		parts := make([]string, len(n.Nodes))
		for i, c := range n.Nodes {
			e, ok := tsq(c)
			if !ok {
				return "", false
			}
			parts[i] = e
		}
		return "(" + strings.Join(parts, " | ") + ")", true
	case *query.And:
		var pos, neg []string
		for _, c := range n.Nodes {
			if not, ok := c.(*query.Not); ok {
				e, ok := tsq(not.Node)
				if !ok {
					return "", false
				}
				neg = append(neg, e)
				continue
			}
			e, ok := tsq(c)
			if !ok {
				return "", false
			}
			pos = append(pos, e)
		}
		if len(pos) == 0 {
			return "", false
		}
		s := "(" + strings.Join(pos, " & ") + ")"
		for _, e := range neg {
			s = "(" + s + " & !" + e + ")"
		}
		return s, true
	}
	return "", false
}

// phrase is the tsquery of the words of s next to each other, the last
// one a prefix when prefix is set.
func phrase(s string, prefix bool) string {
	ws := fulltext.Words(s)
	if len(ws) == 0 {
		return nothing
	}
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = quoteLexeme(w)
	}
	if prefix {
		parts[len(parts)-1] += ":*"
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " <-> ") + ")"
}

// likeEscape escapes LIKE wildcards for ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// isASCII reports whether s is ASCII only.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// asciiLower lower-cases ASCII letters only, as SQLite's LIKE and lower()
// compare (and PostgreSQL's lower() in the "C" collation).
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 32
		}
		return r
	}, s)
}

// sqlExpr translates any node to a SQL condition on "articles a".
func (w *where) sqlExpr(n query.Node) string {
	if e, ok := tsq(n); ok {
		return "a.tsv @@ " + w.arg(e) + "::tsquery"
	}
	switch n := n.(type) {
	case *query.Not:
		return "NOT (" + w.sqlExpr(n.Node) + ")"
	case *query.And, *query.Or:
		var nodes []query.Node
		op := " AND "
		if a, ok := n.(*query.And); ok {
			nodes = a.Nodes
		} else {
			nodes, op = n.(*query.Or).Nodes, " OR "
		}
		parts := make([]string, len(nodes))
		for i, c := range nodes {
			parts[i] = w.sqlExpr(c)
		}
		return sqlschema.Balanced(parts, op)
	case *query.Filter:
		return w.filterExpr(n)
	}
	return "true"
}

// filterExpr translates a field filter. The comparisons are SQLite's:
// LIKE there ignores the case of ASCII letters only, and so do these.
func (w *where) filterExpr(f *query.Filter) string {
	switch f.Field {
	case query.Site:
		if !f.Subdomains() {
			return `a.site_id IN (SELECT id FROM sites WHERE host = ` + w.arg(f.Value) + `)`
		}
		return `a.site_id IN (SELECT id FROM sites WHERE host = ` + w.arg(f.Value) +
			` OR lower(host) LIKE ` + w.arg(asciiLower("%."+likeEscape(f.Value))) + `)`
	case query.Author:
		ids := w.authorIDs[f.Value]
		if len(ids) == 0 {
			return "false"
		}
		return `a.n IN (SELECT aa.n FROM article_authors aa WHERE aa.author_id = ANY(` + w.arg(ids) + `))`
	case query.Tag:
		return `a.n IN (SELECT at.n FROM tags t JOIN article_tags at ON at.tag_id = t.id WHERE t.norm = ` +
			w.arg(norm(f.Value)) + `)`
	case query.Lang:
		return `(lower(a.language) LIKE ` + w.arg(asciiLower(likeEscape(f.Value))) +
			` OR lower(a.language) LIKE ` + w.arg(asciiLower(likeEscape(f.Value)+"-%")) + `)`
	case query.Section:
		// ASCII values compare as SQLite's lower() does; others, in the
		// SQLite backend, through Go's strings.ToLower.
		if isASCII(f.Value) {
			return `lower(a.section) = ` + w.arg(strings.ToLower(f.Value))
		}
		return `lower(a.section` + w.unicodeLower + `) = ` + w.arg(strings.ToLower(f.Value))
	case query.Original:
		// As SQLite's: see its originalPatterns.
		h := likeEscape(f.Value)
		pats := []string{"http%://" + h + "/%", "http%://" + h + ":%"}
		if f.Subdomains() {
			pats = append(pats, "http%://%."+h+"/%", "http%://%."+h+":%")
		}
		var parts []string
		for _, p := range pats {
			parts = append(parts, `a.original_url LIKE `+w.arg(p))
		}
		return `(a.original_url <> '' AND (` + strings.Join(parts, " OR ") + `))`
	case query.After:
		return `a.date >= ` + w.arg(f.Date.Unix())
	case query.Before:
		return `a.date < ` + w.arg(f.Date.Unix())
	}
	return "false"
}

// orderBy is the ORDER BY of a sort; score is higher for better matches.
func orderBy(s query.Sort) string {
	switch s {
	case query.SortRelevance:
		return "score DESC, a.id"
	case query.SortOldest:
		return "a.date, a.id"
	case query.SortArchived:
		return "a.n DESC"
	}
	return "a.date DESC, a.id"
}

// countUpTo counts the rows of q, stopping after limit+1.
func (db *DB) countUpTo(ctx context.Context, q string, limit int, args ...any) (int, error) {
	var n int
	err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM (`+q+` LIMIT `+strconv.Itoa(limit+1)+`) x`, args...).Scan(&n)
	return n, err
}

// Search implements store.Store.
func (db *DB) Search(ctx context.Context, q *query.Query, opts store.SearchOptions) (*store.SearchResult, error) {
	opts, err := opts.Normalize(q)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	res, err := db.search(ctx, q, opts)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.String(), err)
	}
	return res, nil
}

// search follows the SQLite backend's plans, result for result: which
// matches are ranked (every one, or for words alone the RankWindow most
// recently archived), where counting stops (MaxTotal) and how ties break.
func (db *DB) search(ctx context.Context, q *query.Query, opts store.SearchOptions) (*store.SearchResult, error) {
	w, err := db.translate(ctx, q)
	if err != nil {
		return nil, err
	}
	from, args := w.from(), w.args
	score := "0::real"
	if w.match != "" && opts.Sort == query.SortRelevance {
		score = fmt.Sprintf(rank, "$1::tsquery")
	}
	if opts.Sort == query.SortRelevance && w.match == "" {
		opts.Sort = query.SortNewest // ranking words sit below an OR with a filter
	}
	res := &store.SearchResult{Hits: []store.Hit{}}
	count := func(q string, args ...any) error {
		n, err := db.countUpTo(ctx, q, store.MaxTotal, args...)
		res.Total, res.TotalCapped = min(n, store.MaxTotal), n > store.MaxTotal
		return err
	}
	counted := false
	wordsOnly := w.match != "" && len(w.cond) == 0 && opts.Sort == query.SortRelevance
	lim := w.next(1) + " OFFSET " + w.next(2)
	var page string
	switch {
	case wordsOnly:
		// Rank within the window, but count every match (or matching
		// cluster); ties go by row number (archiving order), as in SQLite.
		total, reach, page, err := db.rankWindow(ctx, w.match, opts)
		if err != nil {
			return nil, err
		}
		res.Total, res.TotalCapped, res.Reach = min(total, store.MaxTotal), total > store.MaxTotal, reach
		return res, db.fillHits(ctx, q, res, page)
	case opts.Collapse:
		page = `WITH m AS MATERIALIZED (SELECT a.n, a.id, a.date, a.cluster_id, ` + score + ` AS score` + from + `),
			r AS (SELECT m.*, row_number() OVER (PARTITION BY cluster_id ORDER BY ` +
			strings.ReplaceAll(orderBy(opts.Sort), "a.", "") + `) AS rk,
			count(*) OVER (PARTITION BY cluster_id) AS members FROM m)
			SELECT n, score, members - 1, count(*) OVER () FROM r AS a WHERE rk = 1
			ORDER BY ` + orderBy(opts.Sort) + ` LIMIT ` + lim
	case w.match != "":
		page = `SELECT a.n, ` + score + ` AS score, 0, count(*) OVER ()` + from + ` ORDER BY ` + orderBy(opts.Sort) + ` LIMIT ` + lim
	default:
		// Filters only: counting is a separate walk.
		if err := count(`SELECT 1`+from, args...); err != nil {
			return nil, err
		}
		counted = true
		page = `SELECT a.n, 0::real, 0, -1` + from + ` ORDER BY ` + orderBy(opts.Sort) + ` LIMIT ` + lim
	}
	rows, err := db.db.QueryContext(ctx, page, append(slices.Clip(args), opts.Limit, opts.Offset)...)
	if err != nil {
		return nil, err
	}
	var page2 []ranked
	for rows.Next() {
		var r ranked
		var total int
		var score float32
		if err := rows.Scan(&r.n, &score, &r.members, &total); err != nil {
			rows.Close()
			return nil, err
		}
		r.score = float64(score)
		if !counted {
			res.Total = total
		}
		page2 = append(page2, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(page2) == 0 {
		if !counted && opts.Offset > 0 {
			// Past the end: the page had no row to carry the count.
			cq := `SELECT 1` + from
			if opts.Collapse {
				cq = `SELECT DISTINCT a.cluster_id` + from
			}
			if err := count(cq, w.args...); err != nil {
				return nil, err
			}
		}
		return res, nil
	}
	return res, db.fillHits(ctx, q, res, page2)
}

// ranked is one hit of a page before its record is read.
type ranked struct {
	n       int64
	score   float64
	members int
}

// rankWindow ranks a query of words alone, in one statement: it walks the
// matches once (the index finds them; only their row numbers and clusters
// are read), counts them (or their clusters, when collapsing), keeps the
// RankWindow most recently archived and scores only those. It returns the
// count, how many hits the window holds (its matches, or its clusters
// when collapsing: as far as paging goes) and the page asked for: ties in
// archiving order, and when collapsing the best match of each cluster
// with the number of the cluster's other matches in the window.
func (db *DB) rankWindow(ctx context.Context, match string, opts store.SearchOptions) (total, reach int, page []ranked, err error) {
	count := "(SELECT count(*) FROM m)"
	if opts.Collapse {
		// A hash aggregate: count(DISTINCT) sorts, about four times
		// slower on tens of thousands of matches.
		count = "(SELECT count(*) FROM (SELECT cluster_id FROM m GROUP BY cluster_id) g)"
	}
	rows, err := db.db.QueryContext(ctx, `WITH m AS MATERIALIZED (SELECT a.n, a.cluster_id FROM articles a
			WHERE a.tsv @@ $1::tsquery),
		w AS (SELECT n, cluster_id FROM m ORDER BY n DESC LIMIT `+strconv.Itoa(store.RankWindow)+`)
		SELECT w.n, `+fmt.Sprintf(rank, "$1::tsquery")+`, w.cluster_id, `+count+`
		FROM w JOIN articles a ON a.n = w.n`, match)
	if err != nil {
		return 0, 0, nil, err
	}
	defer rows.Close()
	type row struct {
		n       int64
		score   float32
		cluster string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.n, &r.score, &r.cluster, &total); err != nil {
			return 0, 0, nil, err
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		return 0, 0, nil, err
	}
	slices.SortFunc(all, func(a, b row) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.n, b.n)
	})
	var kept []ranked
	at := map[string]int{}
	for _, r := range all {
		if opts.Collapse {
			if i, ok := at[r.cluster]; ok {
				kept[i].members++
				continue
			}
			at[r.cluster] = len(kept)
		}
		kept = append(kept, ranked{n: r.n, score: float64(r.score)})
	}
	lo := min(opts.Offset, len(kept))
	return total, len(kept), kept[lo:min(lo+opts.Limit, len(kept))], nil
}

// fillHits reads the records of the page's rows and cuts their snippets.
func (db *DB) fillHits(ctx context.Context, q *query.Query, res *store.SearchResult, page []ranked) error {
	if len(page) == 0 {
		return nil
	}
	ns := make([]int64, len(page))
	at := map[int64]int{}
	for i, r := range page {
		ns[i] = r.n
		at[r.n] = len(res.Hits)
		res.Hits = append(res.Hits, store.Hit{Score: r.score, Duplicates: r.members})
	}
	rows, err := db.db.QueryContext(ctx, `SELECT a.n, `+recordCols+`, a.text FROM articles a WHERE a.n = ANY($1)`, ns)
	if err != nil {
		return err
	}
	defer rows.Close()
	hl := fulltext.NewHighlighter(q)
	for rows.Next() {
		var n int64
		var text string
		r, err := scanRecord(prefixScanner{rows, &n}, false, &text)
		if err != nil {
			return err
		}
		h := &res.Hits[at[n]]
		h.Record = r
		h.Snippet = fulltext.Snippet(hl, text, r.Description)
	}
	return rows.Err()
}

// prefixScanner scans a leading column into n before the record columns.
type prefixScanner struct {
	rows *sql.Rows
	n    *int64
}

func (p prefixScanner) Scan(dest ...any) error {
	return p.rows.Scan(append([]any{p.n}, dest...)...)
}

// Timeline implements store.Store. It counts per UTC day (and site when
// split) in SQL and adds the days up into weeks or months here.
func (db *DB) Timeline(ctx context.Context, q *query.Query, opts store.TimelineOptions) ([]store.Bucket, error) {
	opts, err := opts.Normalize()
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	w, err := db.translate(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	day := `floor(a.date / 86400.0)::bigint`
	from := w.from()
	if opts.Collapse {
		// A story per cluster (and site), dated by its earliest match.
		if opts.Split == store.TopSite {
			from = ` FROM (SELECT min(a.date) AS date, a.site_id` + from + ` GROUP BY a.site_id, a.cluster_id) a`
		} else {
			from = ` FROM (SELECT min(a.date) AS date` + from + ` GROUP BY a.cluster_id) a`
		}
	}
	var sqlq string
	if opts.Split == store.TopSite {
		sqlq = `SELECT d, s.host, c FROM (SELECT ` + day + ` AS d, a.site_id, count(*) AS c` + from +
			` GROUP BY 1, 2) x JOIN sites s ON s.id = x.site_id ORDER BY d, s.host`
	} else {
		sqlq = `SELECT ` + day + ` AS d, '', count(*)` + from + ` GROUP BY 1 ORDER BY 1`
	}
	rows, err := db.db.QueryContext(ctx, sqlq, w.args...)
	if err != nil {
		return nil, fmt.Errorf("timeline %q: %w", q.String(), err)
	}
	defer rows.Close()
	type key struct {
		start time.Time
		site  string
	}
	counts := map[key]int{}
	var order []key
	for rows.Next() {
		var d int64
		var site string
		var c int
		if err := rows.Scan(&d, &site, &c); err != nil {
			return nil, fmt.Errorf("timeline %q: %w", q.String(), err)
		}
		k := key{opts.By.Truncate(time.Unix(d*86400, 0)), site}
		if _, ok := counts[k]; !ok {
			order = append(order, k)
		}
		counts[k] += c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("timeline %q: %w", q.String(), err)
	}
	slices.SortFunc(order, func(a, b key) int {
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		return strings.Compare(a.site, b.site)
	})
	var out []store.Bucket
	for _, k := range order {
		out = append(out, store.Bucket{Start: k.start, Key: k.site, Count: counts[k]})
	}
	return out, nil
}

// Top implements store.Store.
func (db *DB) Top(ctx context.Context, q *query.Query, field store.TopField, n int) ([]store.Count, error) {
	if err := store.CheckN(n); err != nil {
		return nil, fmt.Errorf("top: %w", err)
	}
	w, err := db.translate(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("top: %w", err)
	}
	from := w.from()
	var sqlq string
	switch field {
	case store.TopSite:
		sqlq = `SELECT s.host, c FROM (SELECT a.site_id, count(*) AS c` + from + ` GROUP BY a.site_id) x
			JOIN sites s ON s.id = x.site_id ORDER BY c DESC, s.host LIMIT ` + w.next(1)
	case store.TopTag, store.TopAuthor:
		link, dict, col := "article_tags", "tags", "tag_id"
		if field == store.TopAuthor {
			link, dict, col = "article_authors", "authors", "author_id"
		}
		src := link + ` l`
		if !w.empty() {
			src = `(SELECT a.n` + from + `) m JOIN ` + link + ` l ON l.n = m.n`
		}
		sqlq = `SELECT d.name, c FROM (SELECT l.` + col + ` AS id, count(*) AS c FROM ` + src +
			` GROUP BY l.` + col + `) x JOIN ` + dict + ` d ON d.id = x.id ORDER BY c DESC, d.name LIMIT ` + w.next(1)
	case store.TopLang, store.TopSection:
		col := map[store.TopField]string{store.TopLang: "a.language", store.TopSection: "a.section"}[field]
		sqlq = `SELECT ` + col + `, count(*) AS c` + from + ` AND ` + col + ` <> '' GROUP BY 1 ORDER BY c DESC, 1 LIMIT ` + w.next(1)
	case store.TopOriginal:
		// The few articles that name an original, through the partial
		// index articles_original, each tested against the matches.
		sqlq = `SELECT o.n, o.original_url FROM articles o WHERE o.original_url <> ''`
		if !w.empty() {
			sqlq += ` AND o.n IN (SELECT a.n` + from + `)`
		}
		out, err := sqlschema.TopOriginals(ctx, db.db, sqlq, w.args, n, nil)
		if err != nil {
			return nil, fmt.Errorf("top %s %q: %w", field, q.String(), err)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("top: %w field %q: want %s", store.ErrInvalid, field, store.TopFieldList())
	}
	rows, err := db.db.QueryContext(ctx, sqlq, append(w.args, n)...)
	if err != nil {
		return nil, fmt.Errorf("top %s %q: %w", field, q.String(), err)
	}
	defer rows.Close()
	out := []store.Count{}
	for rows.Next() {
		var c store.Count
		if err := rows.Scan(&c.Key, &c.Count); err != nil {
			return nil, fmt.Errorf("top %s %q: %w", field, q.String(), err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("top %s %q: %w", field, q.String(), err)
	}
	return out, nil
}

// Scan implements store.Store. It runs one statement, so it reads one
// consistent snapshot; rows stream from the server as fn consumes them.
func (db *DB) Scan(ctx context.Context, q *query.Query, fn func(*store.Record) error) error {
	w, err := db.translate(ctx, q)
	if err != nil {
		return fmt.Errorf("scan %q: %w", q.String(), err)
	}
	return db.scan(ctx, q, w, true, fn)
}

var _ store.ChangeScanner = (*DB)(nil)

// ScanChanged implements store.ChangeScanner: Scan, with a condition on
// articles.changed (migration 0015), whose index drives the statement
// when few articles changed.
func (db *DB) ScanChanged(ctx context.Context, q *query.Query, since time.Time, fn func(*store.Record) error) error {
	var from int64
	if err := db.db.QueryRowContext(ctx, `SELECT changes_from FROM counters`).Scan(&from); err != nil {
		return fmt.Errorf("scan %q: %w", q.String(), err)
	}
	w, err := db.translate(ctx, q)
	if err != nil {
		return fmt.Errorf("scan %q: %w", q.String(), err)
	}
	cond, args := sqlschema.ChangedSince(since, from, w.next(1))
	w.cond, w.args = append(w.cond, cond), append(w.args, args...)
	return db.scan(ctx, q, w, true, fn)
}

// ChangeClock implements store.ChangeScanner: the server's clock, which
// stamps articles (migration 0015).
func (db *DB) ChangeClock(ctx context.Context) (time.Time, error) {
	var t time.Time
	if err := db.db.QueryRowContext(ctx, `SELECT clock_timestamp()`).Scan(&t); err != nil {
		return time.Time{}, fmt.Errorf("server clock: %w", err)
	}
	return t, nil
}

var _ store.MetaScanner = (*DB)(nil)

// ScanMeta implements store.MetaScanner: Scan's statement without the
// text column.
func (db *DB) ScanMeta(ctx context.Context, q *query.Query, fn func(*store.Record) error) error {
	w, err := db.translate(ctx, q)
	if err != nil {
		return fmt.Errorf("scan %q: %w", q.String(), err)
	}
	return db.scan(ctx, q, w, false, fn)
}

// scan is Scan of q, translated (w), with the texts or (ScanMeta) without.
func (db *DB) scan(ctx context.Context, q *query.Query, w *where, withText bool, fn func(*store.Record) error) error {
	cols := recordCols
	if withText {
		cols += ", a.text"
	}
	wrap := func(err error) error { return fmt.Errorf("scan %q: %w", q.String(), err) }
	rows, err := db.db.QueryContext(ctx, `SELECT `+cols+w.from()+` ORDER BY a.date, a.id`, w.args...)
	if err != nil {
		return wrap(err)
	}
	return sqlschema.EachRow(rows, func(rows *sql.Rows) (*store.Record, error) { return scanRecord(rows, withText) }, fn, wrap)
}

// SharedClusters implements store.ClusterLister.
func (db *DB) SharedClusters(ctx context.Context) (map[string]bool, error) {
	return sqlschema.SharedClusters(ctx, db.db)
}
