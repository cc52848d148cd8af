package sqlite

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/fulltext"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

// bm25 ranks matches, weighing the FTS columns title, description, text,
// authors and tags (and not dup, which only marks cluster members).
const bm25 = `bm25(article_fts, 10.0, 3.0, 1.0, 2.0, 3.0, 0.0)`

// textColumns restricts a full-text expression to the columns a user
// searches, leaving out the dup marker.
func textColumns(e string) string {
	return "{title description text authors tags} : (" + e + ")"
}

// userColumns restricts e, the FTS5 form of nodes, to the user's columns
// when it needs to be: only a term that can match the dup marker's one
// token "x" could find something in the dup column. Without the column
// filter FTS5 walks a term's matches by row number alone; with it, it
// decodes every match's position list to look at its columns, which costs
// about as much again on a common word.
func userColumns(e string, nodes ...query.Node) string {
	for _, n := range nodes {
		if mayMatchDup(n) {
			return textColumns(e)
		}
	}
	return e
}

// mayMatchDup reports whether a term of n could match the token "x" of
// the dup column: a word or phrase of one token that folds to "x" (as
// FTS5 folds it: fulltext), or a prefix of "x" ("x*", or "*" alone).
// Phrases of several tokens cannot match a column of one token.
func mayMatchDup(n query.Node) bool {
	check := func(text string, prefix bool) bool {
		toks := fulltext.Tokens(text)
		if prefix && len(toks) == 0 {
			return true // "*" alone
		}
		return len(toks) == 1 && toks[0].Word == "x"
	}
	switch n := n.(type) {
	case *query.Word:
		return check(n.Text, n.Prefix)
	case *query.Phrase:
		return check(n.Text, false)
	case *query.Not:
		return mayMatchDup(n.Node)
	case *query.And:
		return slices.ContainsFunc(n.Nodes, mayMatchDup)
	case *query.Or:
		return slices.ContainsFunc(n.Nodes, mayMatchDup)
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// The dup marker: members of clusters with more than one article.
const dupMarked = "dup : x"

// where is a query translated to SQL over "articles a": match is the FTS5
// expression that ranks (empty when the query has no positive text at
// the top level) and cond the SQL conditions, joined with AND.
type where struct {
	match string
	cond  []string
	args  []any
	// indexed is set when a top-level condition can be answered from an
	// index (site, author, tag, date range), so that it may be selective
	// enough to drive the query instead of the full-text match.
	indexed bool
	// driveFromArticles makes from() loop over the filtered articles and
	// probe the full-text index for each (see Search).
	driveFromArticles bool
	// kcond is cond with the site and date filters on article_keys k
	// instead of articles a; keyed is set when there is such a filter.
	// When the full-text index drives, from() checks them on the narrow
	// key row of each match and reads the article row only for the
	// matches that pass.
	kcond []string
	keyed bool
	// keyFilters are the top-level after:, before: and site: filters,
	// which the day and site caches can answer (cached.go), and rowNodes
	// the top-level conditions made of lang:, section:, tag: and author:
	// filters alone, which the facet and link caches can; otherCond is
	// set when a condition is anything else.
	keyFilters []*query.Filter
	rowNodes   []query.Node
	otherCond  bool
	// authorIDs is, for each author: filter's value, the ids of the
	// authors it matches (DB.translate).
	authorIDs map[string][]int64
}

// from returns the FROM and WHERE clauses; the FTS table is joined only
// when there is a match expression.
func (w *where) from() (string, []any) {
	var b strings.Builder
	var args []any
	switch {
	case w.match != "" && w.driveFromArticles:
		b.WriteString(" FROM articles a CROSS JOIN article_fts ON article_fts.rowid = a.n WHERE article_fts MATCH ?")
		args = append(args, w.match)
	case w.match != "" && w.keyed:
		b.WriteString(" FROM article_fts JOIN article_keys k ON k.n = article_fts.rowid JOIN articles a ON a.n = k.n WHERE article_fts MATCH ?")
		args = append(args, w.match)
		for _, c := range w.kcond {
			b.WriteString(" AND ")
			b.WriteString(c)
		}
		return b.String(), append(args, w.args...)
	case w.match != "":
		b.WriteString(" FROM article_fts JOIN articles a ON a.n = article_fts.rowid WHERE article_fts MATCH ?")
		args = append(args, w.match)
	default:
		b.WriteString(" FROM articles a WHERE 1")
	}
	for _, c := range w.cond {
		b.WriteString(" AND ")
		b.WriteString(c)
	}
	return b.String(), append(args, w.args...)
}

// empty reports whether the query matches everything.
func (w *where) empty() bool { return w.match == "" && len(w.cond) == 0 }

// translate is translate of q, with its author: filters matched first
// (the ids of the authors each matches: see fulltext.AuthorIndex).
func (db *DB) translate(ctx context.Context, q *query.Query) (*where, error) {
	ids, err := db.authorKeys.Match(ctx, db.r, fulltext.AuthorValues(q))
	if err != nil {
		return nil, fmt.Errorf("authors: %w", err)
	}
	return translate(q, ids), nil
}

// translate turns q into SQL. authorIDs holds the ids of the authors
// each author: filter's value matches (DB.translate fills it). Text-only conjuncts become one FTS5 MATCH
// (the one bm25 ranks); exclusions of text fold into it with NOT where
// there is something to subtract from; everything else becomes SQL.
func translate(q *query.Query, authorIDs map[string][]int64) *where {
	w := &where{authorIDs: authorIDs}
	var pos, neg []string
	var text, rest []query.Node
	for _, n := range q.Conjuncts() {
		if not, ok := n.(*query.Not); ok {
			if e, ok := fts(not.Node); ok {
				neg = append(neg, e)
				text = append(text, n)
				continue
			}
		}
		if e, ok := fts(n); ok {
			pos = append(pos, e)
			text = append(text, n)
			continue
		}
		rest = append(rest, n)
	}
	if len(pos) > 0 {
		w.match = strings.Join(pos, " AND ")
		for _, e := range neg {
			w.match = "(" + w.match + ") NOT " + e
		}
		w.match = userColumns(w.match, text...)
	} else {
		for i, e := range neg {
			w.cond = append(w.cond, "a.n NOT IN (SELECT rowid FROM article_fts WHERE article_fts MATCH ?)")
			w.kcond = append(w.kcond, w.cond[len(w.cond)-1])
			w.args = append(w.args, userColumns(e, text[i]))
		}
	}
	w.otherCond = len(w.cond) > 0 // exclusions with nothing to subtract from
	for _, n := range rest {
		f, ok := n.(*query.Filter)
		if ok && f.Field != query.Lang && f.Field != query.Section {
			w.indexed = true
		}
		switch {
		case ok && (f.Field == query.Site || f.Field == query.After || f.Field == query.Before):
			w.keyFilters = append(w.keyFilters, f)
		case onlyFilters(n, query.Lang, query.Section, query.Tag, query.Author):
			w.rowNodes = append(w.rowNodes, n)
		default:
			w.otherCond = true
		}
		c, args := w.sqlExpr(n)
		w.cond = append(w.cond, c)
		w.kcond = append(w.kcond, c)
		if ok && (f.Field == query.Site || f.Field == query.After || f.Field == query.Before) {
			// These conditions read only a.site_id or a.date (filterExpr).
			w.kcond[len(w.kcond)-1] = strings.NewReplacer("a.site_id", "k.site_id", "a.date", "k.date").Replace(c)
			w.keyed = true
		}
		w.args = append(w.args, args...)
	}
	return w
}

// onlyFilters reports whether n is made of filters of the given fields
// alone (negated, or combined with AND and OR).
func onlyFilters(n query.Node, fields ...query.Field) bool {
	switch n := n.(type) {
	case *query.Filter:
		return slices.Contains(fields, n.Field)
	case *query.Not:
		return onlyFilters(n.Node, fields...)
	case *query.And:
		return !slices.ContainsFunc(n.Nodes, func(c query.Node) bool { return !onlyFilters(c, fields...) })
	case *query.Or:
		return !slices.ContainsFunc(n.Nodes, func(c query.Node) bool { return !onlyFilters(c, fields...) })
	}
	return false
}

// fts returns n as an FTS5 expression when n is pure text that FTS5 can
// evaluate on its own: NOT in FTS5 is binary, so every exclusion must sit
// in an And beside something positive.
func fts(n query.Node) (string, bool) {
	switch n := n.(type) {
	case *query.Word:
		s := ftsString(n.Text)
		if n.Prefix {
			s += " *"
		}
		return s, true
	case *query.Phrase:
		return ftsString(n.Text), true
	case *query.Or:
		parts := make([]string, len(n.Nodes))
		for i, c := range n.Nodes {
			e, ok := fts(c)
			if !ok {
				return "", false
			}
			parts[i] = e
		}
		return "(" + strings.Join(parts, " OR ") + ")", true
	case *query.And:
		var pos, neg []string
		for _, c := range n.Nodes {
			if not, ok := c.(*query.Not); ok {
				e, ok := fts(not.Node)
				if !ok {
					return "", false
				}
				neg = append(neg, e)
				continue
			}
			e, ok := fts(c)
			if !ok {
				return "", false
			}
			pos = append(pos, e)
		}
		if len(pos) == 0 {
			return "", false
		}
		s := "(" + strings.Join(pos, " AND ") + ")"
		for _, e := range neg {
			s = "(" + s + " NOT " + e + ")"
		}
		return s, true
	}
	return "", false
}

// ftsString quotes s as an FTS5 string: the tokenizer then splits it, so
// a word with punctuation matches as a phrase of its parts, and a word of
// Chinese or Japanese characters, spaced as the index holds them
// (FTSText), as the phrase of its characters (地铁 is "地 铁"; with a
// prefix, "地 铁" *, whose last token is the prefix).
func ftsString(s string) string {
	return `"` + strings.ReplaceAll(FTSText(s), `"`, `""`) + `"`
}

// likeEscape escapes LIKE wildcards for ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// sqlExpr translates any node to a SQL condition on "articles a".
func (w *where) sqlExpr(n query.Node) (string, []any) {
	if e, ok := fts(n); ok {
		return "a.n IN (SELECT rowid FROM article_fts WHERE article_fts MATCH ?)", []any{userColumns(e, n)}
	}
	switch n := n.(type) {
	case *query.Not:
		c, args := w.sqlExpr(n.Node)
		return "NOT (" + c + ")", args
	case *query.And, *query.Or:
		var nodes []query.Node
		op := " AND "
		if a, ok := n.(*query.And); ok {
			nodes = a.Nodes
		} else {
			nodes, op = n.(*query.Or).Nodes, " OR "
		}
		parts := make([]string, len(nodes))
		var args []any
		for i, c := range nodes {
			s, a := w.sqlExpr(c)
			parts[i] = s
			args = append(args, a...)
		}
		// Balanced: SQLite refuses an expression tree deeper than 1000,
		// which a list of a thousand site: filters joined by OR was.
		return sqlschema.Balanced(parts, op), args
	case *query.Filter:
		return w.filterExpr(n)
	}
	// A lone word or phrase was handled by fts above.
	return "1", nil
}

func (w *where) filterExpr(f *query.Filter) (string, []any) {
	switch f.Field {
	case query.Site:
		if !f.Subdomains() {
			return `a.site_id IN (SELECT id FROM sites WHERE host = ?)`, []any{f.Value}
		}
		return `a.site_id IN (SELECT id FROM sites WHERE host = ? OR host LIKE ? ESCAPE '\')`,
			[]any{f.Value, "%." + likeEscape(f.Value)}
	case query.Author:
		ids, args := w.linkIDs(f)
		return `a.n IN (SELECT aa.n FROM article_authors aa WHERE aa.author_id IN (` + ids + `))`, args
	case query.Tag:
		ids, args := w.linkIDs(f)
		return `a.n IN (SELECT at.n FROM article_tags at WHERE at.tag_id IN (` + ids + `))`, args
	case query.Lang:
		return `(a.language LIKE ? ESCAPE '\' OR a.language LIKE ? ESCAPE '\')`,
			[]any{likeEscape(f.Value), likeEscape(f.Value) + "-%"}
	case query.Section:
		// SQL's lower() folds A-Z only: a value beyond ASCII (Économie,
		// Мир) compares through Go's (herald_norm).
		if isASCII(f.Value) {
			return `lower(a.section) = ?`, []any{strings.ToLower(f.Value)}
		}
		return `herald_norm(a.section) = ?`, []any{norm(f.Value)}
	case query.Original:
		// original_url is a canonical URL: a lower-case http or https
		// scheme and host (articles_original indexes the few that are
		// set).
		pats := originalPatterns(f)
		c := `(a.original_url <> '' AND (a.original_url LIKE ? ESCAPE '\' OR a.original_url LIKE ? ESCAPE '\'`
		if len(pats) > 2 {
			c += ` OR a.original_url LIKE ? ESCAPE '\' OR a.original_url LIKE ? ESCAPE '\'`
		}
		args := make([]any, len(pats))
		for i, p := range pats {
			args[i] = p
		}
		return c + `))`, args
	case query.After:
		return `a.date >= ?`, []any{f.Date.Unix()}
	case query.Before:
		return `a.date < ?`, []any{f.Date.Unix()}
	}
	return "0", nil
}

// originalPatterns are the LIKE patterns (escape \) an original: filter
// matches canonical URLs with: its host, with or without a port, and
// when it has them (see query.Filter.Subdomains) the hosts under it.
// "http%" is http or https, the only schemes of canonical URLs.
func originalPatterns(f *query.Filter) []string {
	h := likeEscape(f.Value)
	pats := []string{"http%://" + h + "/%", "http%://" + h + ":%"}
	if f.Subdomains() {
		pats = append(pats, "http%://%."+h+"/%", "http%://%."+h+":%")
	}
	return pats
}

// linkIDs returns the ids, or the query of the ids, of the authors or
// tags an author: or tag: filter f matches: an author's name holding the
// filter's words in a row, as the full-text index folds words (see
// fulltext.AuthorMatches; w.authorIDs holds the ids), a tag's whole name.
func (w *where) linkIDs(f *query.Filter) (string, []any) {
	if f.Field == query.Author {
		ids := w.authorIDs[f.Value]
		if len(ids) == 0 {
			return `SELECT au.id FROM authors au WHERE 0`, nil
		}
		var b strings.Builder
		for i, id := range ids {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatInt(id, 10))
		}
		return b.String(), nil
	}
	return `SELECT t.id FROM tags t WHERE t.norm = ?`, []any{norm(f.Value)}
}

func orderBy(s query.Sort) string {
	switch s {
	case query.SortRelevance:
		return "score, a.id"
	case query.SortOldest:
		return "a.date, a.id"
	case query.SortArchived:
		return "a.n DESC"
	}
	return "a.date DESC, a.id"
}

// Plan choice for words with selective filters (see Search): probing
// the full-text index costs about defaultProbeRatio steps of walking its
// matches, and is never tried for more than maxProbes articles.
const (
	defaultProbeRatio = 100
	maxProbes         = 2000
)

// sampleRows is how many of the most recently archived rows moreMatches
// looks at to estimate how many articles match.
const sampleRows = 20000

// moreMatches reports whether more than limit articles match the
// full-text expression match. Counting up to limit costs as much as
// walking that many matches, which is what the caller is trying to
// avoid; so when limit is large, the count is estimated from the matches
// among the sampleRows most recently archived rows (the index finds them
// without walking the older ones), scaled to the whole archive. The answer
// only chooses a plan, never a result.
func (db *DB) moreMatches(ctx context.Context, match string, limit int) (bool, error) {
	last, err := lastRow(ctx, db.r)
	if err != nil {
		return false, err
	}
	if limit < sampleRows || last <= 2*sampleRows {
		n, err := db.countUpTo(ctx, "SELECT 1 FROM article_fts WHERE article_fts MATCH ?", limit, match)
		return n > limit, err
	}
	var n int64
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM article_fts WHERE article_fts MATCH ? AND rowid > ?`,
		match, last-sampleRows).Scan(&n); err != nil {
		return false, err
	}
	return n*last/sampleRows > int64(limit), nil
}

// countUpTo counts the rows of q, stopping after limit+1.
func (db *DB) countUpTo(ctx context.Context, q string, limit int, args ...any) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM (`+q+` LIMIT ?)`, append(args, limit+1)...).Scan(&n)
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

func (db *DB) search(ctx context.Context, q *query.Query, opts store.SearchOptions) (*store.SearchResult, error) {
	w, err := db.translate(ctx, q)
	if err != nil {
		return nil, err
	}
	if w.match != "" && w.indexed {
		// Probing the full-text index for one article costs about a hundred
		// times a step through a word's matches, so drive from the
		// filtered articles only when they are that many times fewer.
		nf, err := db.countUpTo(ctx, "SELECT 1 FROM articles a WHERE "+strings.Join(w.cond, " AND "), maxProbes, w.args...)
		if err != nil {
			return nil, err
		}
		if nf <= maxProbes {
			many, err := db.moreMatches(ctx, w.match, nf*db.probeRatio)
			if err != nil {
				return nil, err
			}
			w.driveFromArticles = many
		}
	}
	from, args := w.from()
	score := "0"
	if w.match != "" && opts.Sort == query.SortRelevance {
		score = bm25
	}
	if opts.Sort == query.SortRelevance && w.match == "" {
		opts.Sort = query.SortNewest // ranking words sit below an OR with a filter
	}
	if db.useCachedSearch(w, opts) {
		res, ok, err := db.cachedSearch(ctx, q, w, opts)
		if err != nil || ok {
			return res, err
		}
	}
	res := &store.SearchResult{Hits: []store.Hit{}}
	if w.driveFromArticles && opts.Sort == query.SortRelevance {
		page, total, err := db.rankProbed(ctx, q, w, opts)
		if err != nil {
			return nil, err
		}
		res.Total = total
		ns := make([]any, len(page))
		byN := map[int64]int{}
		for i, r := range page {
			ns[i] = r.n
			byN[r.n] = i
			res.Hits = append(res.Hits, store.Hit{Score: r.score, Duplicates: r.members})
		}
		if err := db.fillHits(ctx, q, res, ns, byN); err != nil {
			return nil, err
		}
		return res, nil
	}

	// 1. The page: row numbers and scores only. Where the ordering has to
	// see every match anyway, the same pass counts them (count(*) OVER);
	// otherwise a separate count stops at MaxTotal.
	count := func(q string, args ...any) error {
		n, err := db.countUpTo(ctx, q, store.MaxTotal, args...)
		res.Total, res.TotalCapped = min(n, store.MaxTotal), n > store.MaxTotal
		return err
	}
	counted := false
	wordsOnly := w.match != "" && len(w.cond) == 0 && opts.Sort == query.SortRelevance
	var page string
	switch {
	case opts.Collapse && wordsOnly:
		// Rank within the window, but count every matching cluster.
		page, n, reach, err := db.rankAndCount(ctx, w.match, opts)
		if err != nil {
			return nil, err
		}
		res.Total, res.TotalCapped, res.Reach = min(n, store.MaxTotal), n > store.MaxTotal, reach
		ns := make([]any, len(page))
		byN := map[int64]int{}
		for i, r := range page {
			ns[i] = r.n
			byN[r.n] = i
			res.Hits = append(res.Hits, store.Hit{Score: r.score, Duplicates: r.members})
		}
		if err := db.fillHits(ctx, q, res, ns, byN); err != nil {
			return nil, err
		}
		return res, nil
	case opts.Collapse:
		page = `WITH m AS MATERIALIZED (SELECT a.n, a.id, a.date, a.cluster_id, ` + score + ` AS score` + from + `),
			r AS (SELECT m.*, row_number() OVER (PARTITION BY cluster_id ORDER BY ` +
			strings.ReplaceAll(orderBy(opts.Sort), "a.", "") + `) AS rk,
			count(*) OVER (PARTITION BY cluster_id) AS members FROM m)
			SELECT n, score, members - 1, count(*) OVER () FROM r AS a WHERE rk = 1
			ORDER BY ` + orderBy(opts.Sort) + ` LIMIT ? OFFSET ?`
	case wordsOnly:
		// Words only, by relevance: the full-text index alone answers,
		// without reading an article row per match. Ties go by row
		// number (insertion order).
		if err := count(`SELECT 1 FROM article_fts WHERE article_fts MATCH ?`, w.match); err != nil {
			return nil, err
		}
		counted = true
		res.Reach = min(res.Total, db.rankWindow)
		// Rank only the RankWindow most recently archived matches: the
		// index walks them newest first and stops there.
		page = `WITH f AS MATERIALIZED (SELECT rowid, ` + bm25 + ` AS score FROM article_fts WHERE article_fts MATCH ?
			ORDER BY rowid DESC LIMIT ?) SELECT rowid, score, 0, -1 FROM f ORDER BY score, rowid LIMIT ? OFFSET ?`
		args = []any{w.match, db.rankWindow}
	case w.match != "" && len(w.cond) == 0 && !opts.Collapse:
		// Words by date: count from the full-text index alone (every
		// match, as the sorting plan and the PostgreSQL backend do: the
		// index walks a common word's matches in a few milliseconds),
		// then walk the newest (or oldest) articles in date order,
		// probing the index for each, until a page of matches; a word
		// too rare for that to be short sorts every match instead (see
		// walkByDate).
		if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM article_fts WHERE article_fts MATCH ?`, w.match).Scan(&res.Total); err != nil {
			return nil, err
		}
		counted = true
		if opts.Sort == query.SortArchived {
			// The full-text index walks its matches by row number,
			// the order they were first stored in: it alone answers.
			page = `SELECT rowid, 0, 0, -1 FROM article_fts WHERE article_fts MATCH ? ORDER BY rowid DESC LIMIT ? OFFSET ?`
			args = []any{w.match}
			break
		}
		ns, ok, err := db.walkByDate(ctx, w.match, opts, res.Total)
		if err != nil {
			return nil, err
		}
		if ok {
			byN := map[int64]int{}
			for i, n := range ns {
				byN[n.(int64)] = i
				res.Hits = append(res.Hits, store.Hit{})
			}
			if err := db.fillHits(ctx, q, res, ns, byN); err != nil {
				return nil, err
			}
			return res, nil
		}
		page = `WITH m AS MATERIALIZED (SELECT a.n, a.id, a.date` + from + `)
			SELECT n, 0, 0, -1 FROM m AS a ORDER BY ` + orderBy(opts.Sort) + ` LIMIT ? OFFSET ?`
	case w.match != "":
		// bm25() must run in the query that does the MATCH, not under a
		// window function: hence the materialised step.
		page = `WITH m AS MATERIALIZED (SELECT a.n, a.id, a.date, ` + score + ` AS score` + from + `)
			SELECT n, score, 0, count(*) OVER () FROM m AS a ORDER BY ` + orderBy(opts.Sort) + ` LIMIT ? OFFSET ?`
	default:
		// Filters only: the date index gives the order, the page stops
		// early, and counting is a separate walk.
		if err := count(`SELECT 1`+from, args...); err != nil {
			return nil, err
		}
		counted = true
		page = `SELECT a.n, 0, 0, -1` + from + ` ORDER BY ` + orderBy(opts.Sort) + ` LIMIT ? OFFSET ?`
	}
	rows, err := db.r.QueryContext(ctx, page, append(args, opts.Limit, opts.Offset)...)
	if err != nil {
		return nil, err
	}
	var ns []any
	byN := map[int64]int{}
	for rows.Next() {
		var n int64
		var h store.Hit
		var bm float64
		var total int
		if err := rows.Scan(&n, &bm, &h.Duplicates, &total); err != nil {
			rows.Close()
			return nil, err
		}
		if !counted {
			res.Total = total
		}
		h.Score = -bm
		byN[n] = len(res.Hits)
		ns = append(ns, n)
		res.Hits = append(res.Hits, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ns) == 0 {
		if !counted && opts.Offset > 0 {
			// Past the end: the page had no row to carry the count.
			cq := `SELECT 1` + from
			if opts.Collapse {
				cq = `SELECT DISTINCT a.cluster_id` + from
			}
			if err := count(cq, args...); err != nil {
				return nil, err
			}
		}
		return res, nil
	}

	if err := db.fillHits(ctx, q, res, ns, byN); err != nil {
		return nil, err
	}
	return res, nil
}

// maxDateWalk bounds how many articles walkByDate probes for one page:
// probing the full-text index for an article costs about as much as
// reading a hundred of a word's matches, so a longer walk would cost more
// than sorting a word's matches when they are few.
const maxDateWalk = 20000

// walkByDate finds the page of opts (sorted by date) of the articles
// matching the full-text expression match, of which there are matches,
// by walking the date
// index from the newest (or oldest) article and probing the full-text
// index for each article, stopping after offset+limit matches. The walk
// is bounded by what the density of matches predicts, with a margin;
// ok is false when the walk would be too long or ended short of a page
// before the end of the archive, and the caller then sorts every match.
func (db *DB) walkByDate(ctx context.Context, match string, opts store.SearchOptions, matches int) (ns []any, ok bool, err error) {
	if matches == 0 {
		return nil, true, nil
	}
	last, err := lastRow(ctx, db.r)
	if err != nil {
		return nil, false, err
	}
	need := int64(opts.Offset + opts.Limit)
	walk := 3*need*last/int64(matches) + 100
	if walk > maxDateWalk {
		return nil, false, nil
	}
	order := orderBy(opts.Sort)
	rows, err := db.r.QueryContext(ctx, `SELECT a.n FROM (SELECT n, date, id FROM articles a ORDER BY `+order+` LIMIT ?) a
		CROSS JOIN article_fts ON article_fts.rowid = a.n WHERE article_fts MATCH ?
		ORDER BY `+order+` LIMIT ? OFFSET ?`, walk, match, opts.Limit, opts.Offset)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, false, err
		}
		ns = append(ns, n)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	// Row numbers are unique and positive: walking at least the highest
	// one walks every article.
	if int64(len(ns)) < int64(opts.Limit) && walk < last {
		return nil, false, nil
	}
	return ns, true, nil
}

// rankWindowCollapsed ranks the store.RankWindow most recently archived
// matches of match (the rank window; the index walks them newest first and
// stops there) by bm25, ties in archiving order, and returns one page of
// the best match of each cluster with the number of the cluster's other
// matches in the window. Clusters come from article_keys (a narrow row
// per match), and the grouping is done here rather than with window
// functions over the article rows, which cost more than the ranking. It
// also describes the window, for countClusters.
func (db *DB) rankWindowCollapsed(ctx context.Context, match string, opts store.SearchOptions) ([]ranked, window, error) {
	rows, err := db.r.QueryContext(ctx, `WITH f AS MATERIALIZED (SELECT rowid AS n, `+bm25+` AS score FROM article_fts
		WHERE article_fts MATCH ? ORDER BY rowid DESC LIMIT ?)
		SELECT f.n, f.score, k.cluster FROM f JOIN article_keys k ON k.n = f.n`, match, db.rankWindow)
	if err != nil {
		return nil, window{}, err
	}
	defer rows.Close()
	type row struct {
		n       int64
		score   float64
		cluster int64
	}
	var all []row
	for rows.Next() {
		var r row
		var cluster sql.NullInt64
		if err := rows.Scan(&r.n, &r.score, &cluster); err != nil {
			return nil, window{}, err
		}
		r.cluster = -r.n // alone in its cluster
		if cluster.Valid {
			r.cluster = cluster.Int64
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		return nil, window{}, err
	}
	slices.SortFunc(all, func(a, b row) int {
		if c := cmp.Compare(a.score, b.score); c != 0 {
			return c // bm25: lower is better
		}
		return cmp.Compare(a.n, b.n)
	})
	win := window{rows: len(all)}
	var kept []ranked
	at := map[int64]int{}
	for _, r := range all {
		if i, ok := at[r.cluster]; ok {
			kept[i].members++
			continue
		}
		at[r.cluster] = len(kept)
		kept = append(kept, ranked{n: r.n, score: -r.score})
	}
	win.clusters = len(kept)
	lo := min(opts.Offset, len(kept))
	return kept[lo:min(lo+opts.Limit, len(kept))], win, nil
}

// fillHits reads the records of the page's rows ns (in any order; byN
// gives each one's place) and cuts their snippets.
func (db *DB) fillHits(ctx context.Context, q *query.Query, res *store.SearchResult, ns []any, byN map[int64]int) error {
	if len(ns) == 0 {
		return nil
	}
	in := "(?" + strings.Repeat(", ?", len(ns)-1) + ")"
	rows, err := db.r.QueryContext(ctx, `SELECT a.n, `+recordCols+`, a.text, a.description
		FROM articles a WHERE a.n IN `+in, ns...)
	if err != nil {
		return err
	}
	defer rows.Close()
	hl := fulltext.NewHighlighter(q)
	for rows.Next() {
		var n int64
		var raw []byte
		var desc string
		r, err := scanRecord(prefixScanner{rows, &n}, false, &raw, &desc)
		if err != nil {
			return err
		}
		text, err := inflate(raw)
		if err != nil {
			return err
		}
		h := &res.Hits[byN[n]]
		h.Record = r
		h.Snippet = fulltext.Snippet(hl, text, desc)
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

// Timeline implements store.Store.
func (db *DB) Timeline(ctx context.Context, q *query.Query, opts store.TimelineOptions) ([]store.Bucket, error) {
	opts, err := opts.Normalize()
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	w, err := db.translate(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	if !opts.Collapse && !db.noCaches {
		// Words, dates and sites: counted from the caches (cached.go).
		out, ok, err := db.cachedTimeline(ctx, w, opts)
		if err != nil {
			return nil, fmt.Errorf("timeline %q: %w", q.String(), err)
		}
		if ok {
			return out, nil
		}
	}
	from, args := w.keysFrom()
	if opts.Collapse {
		// A story per cluster (and site), dated by its earliest match.
		// article_keys marks an article of a shared cluster with the
		// cluster's first row number; the articles table has its id.
		cluster := "coalesce(a.cluster, -a.n)"
		if len(w.cond) > 0 {
			cluster = "a.cluster_id"
		}
		if opts.Split == store.TopSite {
			from = ` FROM (SELECT min(a.date) AS date, a.site_id` + from + ` GROUP BY a.site_id, ` + cluster + `) a`
		} else {
			from = ` FROM (SELECT min(a.date) AS date` + from + ` GROUP BY ` + cluster + `) a`
		}
	}
	var bucket string
	switch opts.By {
	case store.Day:
		bucket = `a.date - ((a.date % 86400) + 86400) % 86400`
	case store.Week:
		// 1970-01-01 was a Thursday; shift so weeks start on Monday.
		bucket = `a.date - ((a.date + 259200) % 604800 + 604800) % 604800`
	case store.Month:
		bucket = `unixepoch(a.date, 'unixepoch', 'start of month')`
	}
	if opts.Split != store.TopSite {
		// Count per day and add the days up into weeks or months here:
		// there are at most a few thousand of them. herald_days counts
		// the rows in a map, where GROUP BY would sort every match.
		var blob []byte
		if err := db.r.QueryRowContext(ctx, `SELECT herald_days(a.date)`+from, args...).Scan(&blob); err != nil {
			return nil, fmt.Errorf("timeline %q: %w", q.String(), err)
		}
		var out []store.Bucket
		err = decodeDays(blob, func(day, count int64) {
			start := opts.By.Truncate(time.Unix(day*86400, 0))
			if n := len(out); n > 0 && out[n-1].Start.Equal(start) {
				out[n-1].Count += int(count)
				return
			}
			out = append(out, store.Bucket{Start: start, Count: int(count)})
		})
		if err != nil {
			return nil, fmt.Errorf("timeline %q: %w", q.String(), err)
		}
		return out, nil
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+bucket+` AS b, (SELECT host FROM sites WHERE id = a.site_id), count(*)`+from+
		` GROUP BY b, a.site_id ORDER BY b, 2`, args...)
	if err != nil {
		return nil, fmt.Errorf("timeline %q: %w", q.String(), err)
	}
	defer rows.Close()
	var out []store.Bucket
	for rows.Next() {
		var b store.Bucket
		var start int64
		if err := rows.Scan(&start, &b.Key, &b.Count); err != nil {
			return nil, fmt.Errorf("timeline %q: %w", q.String(), err)
		}
		b.Start = time.Unix(start, 0).UTC()
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("timeline %q: %w", q.String(), err)
	}
	return out, nil
}

// keysFrom is from() over article_keys instead of articles when the query
// has no condition but its words (or nothing at all): timelines and site
// counts then read one narrow row per match. The table is aliased a, and
// has the columns n, date, site_id and cluster.
func (w *where) keysFrom() (string, []any) {
	switch {
	case len(w.cond) > 0:
		return w.from()
	case w.match != "":
		return " FROM article_fts JOIN article_keys a ON a.n = article_fts.rowid WHERE article_fts MATCH ?", []any{w.match}
	}
	return " FROM article_keys a WHERE 1", nil
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
	from, args := w.from()
	var sqlq string
	if field == store.TopTag || field == store.TopAuthor {
		out, ok, err := db.cachedTopLinks(ctx, w, field, n)
		if err != nil {
			return nil, fmt.Errorf("top %s %q: %w", field, q.String(), err)
		}
		if ok {
			return out, nil
		}
	}
	switch field {
	case store.TopSite:
		if !db.noCaches {
			// Words, dates and sites: counted from the caches (cached.go).
			out, ok, err := db.cachedTopSites(ctx, w, n)
			if err != nil {
				return nil, fmt.Errorf("top %s %q: %w", field, q.String(), err)
			}
			if ok {
				return out, nil
			}
		}
		from, args = w.keysFrom()
		sqlq = `SELECT s.host, c FROM (SELECT a.site_id, count(*) AS c` + from + ` GROUP BY a.site_id) x
			JOIN sites s ON s.id = x.site_id ORDER BY c DESC, s.host LIMIT ?`
	case store.TopTag, store.TopAuthor:
		// Walk the matching articles and look up their links (the link
		// table's key starts with the article), rather than test every
		// link for membership in the matches.
		src := ``
		switch {
		case w.match != "" && len(w.cond) == 0:
			src = `(SELECT rowid AS n FROM article_fts WHERE article_fts MATCH ?) m`
			args = []any{w.match}
		case !w.empty():
			src = `(SELECT a.n` + from + `) m`
		}
		sqlq = topLinks(field, src)
	case store.TopLang, store.TopSection:
		if !db.noCaches {
			out, ok, err := db.cachedTopFacets(ctx, w, field, n)
			if err != nil {
				return nil, fmt.Errorf("top %s %q: %w", field, q.String(), err)
			}
			if ok {
				return out, nil
			}
		}
		col := map[store.TopField]string{store.TopLang: "a.language", store.TopSection: "a.section"}[field]
		sqlq = `SELECT ` + col + `, count(*) AS c` + from + ` AND ` + col + ` <> '' GROUP BY 1 ORDER BY c DESC, 1 LIMIT ?`
	case store.TopOriginal:
		if !db.noCaches {
			out, ok, err := db.cachedTopOriginals(ctx, w, n)
			if err != nil {
				return nil, fmt.Errorf("top %s %q: %w", field, q.String(), err)
			}
			if ok {
				return out, nil
			}
		}
		// The few articles that name an original, through the partial
		// index articles_original, each tested against the matches (their
		// keys, without reading article rows when the query allows).
		sqlq = originalsSQL
		if !w.empty() {
			from, args = w.keysFrom()
			sqlq += ` AND o.n IN (SELECT a.n` + from + `)`
		}
		out, err := sqlschema.TopOriginals(ctx, db.r, sqlq, args, n, nil)
		if err != nil {
			return nil, fmt.Errorf("top %s %q: %w", field, q.String(), err)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("top: %w field %q: want %s", store.ErrInvalid, field, store.TopFieldList())
	}
	rows, err := db.r.QueryContext(ctx, sqlq, append(args, n)...)
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

// topLinks is the statement counting the tags or authors (field) of the
// articles whose row numbers n the subquery src gives (every article when
// it is empty), most first, ties by name, with a LIMIT parameter.
func topLinks(field store.TopField, src string) string {
	link, dict, col := "article_tags", "tags", "tag_id"
	if field == store.TopAuthor {
		link, dict, col = "article_authors", "authors", "author_id"
	}
	from := link + ` l`
	if src != "" {
		from = src + ` CROSS JOIN ` + link + ` l ON l.n = m.n`
	}
	return `SELECT d.name, c FROM (SELECT l.` + col + ` AS id, count(*) AS c FROM ` + from +
		` GROUP BY l.` + col + `) x JOIN ` + dict + ` d ON d.id = x.id ORDER BY c DESC, d.name LIMIT ?`
}

// Scan implements store.Store. It runs one statement, so it reads one
// consistent snapshot; the rows stream from SQLite (sorted through its
// on-disk sorter when the full-text index drives the query).
//
// It is a small pipeline, so that an export keeps more than one CPU busy:
// one goroutine reads rows in batches of scanBatch, the texts of a batch
// are decompressed by several goroutines, and fn is called in order, on
// the caller's goroutine. At most three batches are in memory at once.
func (db *DB) Scan(ctx context.Context, q *query.Query, fn func(*store.Record) error) error {
	return db.scan(ctx, q, "", nil, fn)
}

var _ store.ChangeScanner = (*DB)(nil)

// ScanChanged implements store.ChangeScanner: Scan, with a condition on
// articles.changed (migration 0024).
//
// SQLite's planner, to save a sort, walks the date index over the whole
// archive even when a handful of articles changed (8 s at a million for
// none): when fewer than one in smallDelta changed, counted first on the
// index on changed, the statement picks them through that index and
// sorts them instead (milliseconds).
func (db *DB) ScanChanged(ctx context.Context, q *query.Query, since time.Time, fn func(*store.Record) error) error {
	wrap := func(err error) error { return fmt.Errorf("scan %q: %w", q.String(), err) }
	var from, articles int64
	if err := db.r.QueryRowContext(ctx, `SELECT changes_from, (SELECT count(*) FROM article_keys) FROM counters`).Scan(&from, &articles); err != nil {
		return wrap(err)
	}
	cond, args := sqlschema.ChangedSince(since, from, "?")
	if since.UnixMilli() > from {
		var changed int64
		if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM articles WHERE changed >= ?`, since.UnixMilli()).Scan(&changed); err != nil {
			return wrap(err)
		}
		if changed*smallDelta < articles {
			cond = "a.n IN (SELECT n FROM articles WHERE " + strings.TrimPrefix(cond, "a.") + ")"
		}
	}
	return db.scan(ctx, q, cond, args, fn)
}

// smallDelta: a delta of fewer than one article in smallDelta is read
// through the index on changed (see ScanChanged).
const smallDelta = 10

// ChangeClock implements store.ChangeScanner: this process's clock,
// which SQLite reads to stamp articles.
func (db *DB) ChangeClock(context.Context) (time.Time, error) { return time.Now(), nil }

// scan is Scan with cond, on articles a, added to the query's conditions.
func (db *DB) scan(ctx context.Context, q *query.Query, cond string, condArgs []any, fn func(*store.Record) error) error {
	w, err := db.translate(ctx, q)
	if err != nil {
		return fmt.Errorf("scan %q: %w", q.String(), err)
	}
	from, args := w.from()
	if cond != "" {
		from += " AND " + cond
		args = append(args, condArgs...)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows, err := db.r.QueryContext(ctx, `SELECT `+recordCols+`, a.text`+from+` ORDER BY a.date, a.id`, args...)
	if err != nil {
		return fmt.Errorf("scan %q: %w", q.String(), err)
	}
	type batch struct {
		recs []*store.Record
		raw  [][]byte
		err  error
	}
	read := make(chan *batch, 1)
	go func() {
		defer close(read)
		defer rows.Close()
		for {
			b := &batch{}
			for len(b.recs) < scanBatch && rows.Next() {
				var raw sql.RawBytes
				r, err := scanRecord(rows, false, &raw)
				if err != nil {
					b.err = err
					break
				}
				b.recs = append(b.recs, r)
				b.raw = append(b.raw, bytes.Clone(raw))
			}
			if b.err == nil {
				b.err = rows.Err()
			}
			last := b.err != nil || len(b.recs) < scanBatch
			select {
			case read <- b:
			case <-ctx.Done():
				return
			}
			if last {
				return
			}
		}
	}()
	decoded := make(chan *batch, 1)
	go func() {
		defer close(decoded)
		workers := max(1, runtime.GOMAXPROCS(0))
		for b := range read {
			var wg sync.WaitGroup
			errs := make([]error, workers)
			for i := range workers {
				wg.Go(func() {
					for j := i; j < len(b.recs); j += workers {
						if b.recs[j].Text, errs[i] = inflate(b.raw[j]); errs[i] != nil {
							return
						}
					}
				})
			}
			wg.Wait()
			if b.err == nil {
				b.err = errors.Join(errs...)
			}
			b.raw = nil
			select {
			case decoded <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	for b := range decoded {
		for _, r := range b.recs {
			if err := fn(r); err != nil {
				return err // the deferred cancel stops the other stages
			}
		}
		if b.err != nil {
			return fmt.Errorf("scan %q: %w", q.String(), b.err)
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("scan %q: %w", q.String(), err)
	}
	return nil
}

var _ store.MetaScanner = (*DB)(nil)

// ScanMeta implements store.MetaScanner: Scan's statement without the
// text column, whose compressed bytes (most of an article row, often in
// overflow pages) are then not read at all.
func (db *DB) ScanMeta(ctx context.Context, q *query.Query, fn func(*store.Record) error) error {
	w, err := db.translate(ctx, q)
	if err != nil {
		return fmt.Errorf("scan %q: %w", q.String(), err)
	}
	from, args := w.from()
	wrap := func(err error) error { return fmt.Errorf("scan %q: %w", q.String(), err) }
	rows, err := db.r.QueryContext(ctx, `SELECT `+recordCols+from+` ORDER BY a.date, a.id`, args...)
	if err != nil {
		return wrap(err)
	}
	return sqlschema.EachRow(rows, func(rows *sql.Rows) (*store.Record, error) { return scanRecord(rows, false) }, fn, wrap)
}

// scanBatch is how many records a Scan reads ahead and decompresses at once.
const scanBatch = 256
