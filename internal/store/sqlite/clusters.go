package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"

	sqlite "modernc.org/sqlite"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

// A collapsed search counts clusters, not articles. Most articles are
// alone in theirs; the few that share one (a few per cent) are "marked"
// (article_keys.cluster is set, and the full-text index holds a dup
// token for them). Counting a phrase's clusters with SQL alone takes two
// walks of its matches: the unmarked ones, then the clusters of the
// marked ones (29 and 17 ms for a phrase of two common words on a
// million articles). clusterCache keeps, per archive, the cluster of
// every marked article, so that herald_nclusters counts in one walk,
// looking each match up in a map.
//
// The cache follows the snapshot of the query's read transaction: row
// numbers only grow, so it loads the marked rows above the highest it
// holds. Marking happens when a new article joins a cluster, and a
// member's cluster is the row number of the cluster's first member,
// which is marked from then on: so a new marked row also tells that its
// first member is marked, an older row the cache may hold as alone. An
// older article moved into a cluster (JoinCluster, herald recluster)
// or a delete bumps the part of counters.dates_version below marksKept,
// which makes the cache load whole; a write that changes only dates,
// sites, facets or links (a harvest batch re-dating a few articles)
// bumps the part above, and the cache loads only the rows above the
// highest it holds, as for new rows. A view is never modified once made. The first load reads the partial
// index article_keys_marked in one statement (see parseMarks).
type clusterCache struct {
	mu   sync.Mutex
	view *clusterView
	// wholeLoads counts the loads of every marked row (for tests).
	wholeLoads int
}

type clusterView struct {
	viewSnap
	marked map[int64]int64 // row number → cluster, for marked articles
}

// snap returns what v was read at, nil for no view.
func (v *clusterView) snap() *viewSnap {
	if v == nil {
		return nil
	}
	return &v.viewSnap
}

// current returns a view matching the snapshot of read transaction q.
func (c *clusterCache) current(ctx context.Context, q querier) (*clusterView, error) {
	s, err := readSnap(ctx, q)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.view
	if v != nil && v.viewSnap == s {
		return v, nil
	}
	// Else the first load, a snapshot older than the cache's, or one
	// after articles were moved into clusters or deleted: a whole load.
	from, incremental := s.extendsMarks(v.snap())
	if incremental && from == s.maxN {
		// No new rows, marks unchanged: the same map, a new snapshot.
		next := &clusterView{viewSnap: s, marked: v.marked}
		if s.newer(v.snap()) {
			c.view = next
		}
		return next, nil
	}
	if !incremental {
		c.wholeLoads++
	}
	var list string
	if err := q.QueryRowContext(ctx, `SELECT coalesce(group_concat(n || ' ' || cluster, ' '), '')
		FROM article_keys INDEXED BY article_keys_marked
		WHERE cluster IS NOT NULL AND n > ? AND n <= ?`, from, s.maxN).Scan(&list); err != nil {
		return nil, err
	}
	next := &clusterView{viewSnap: s}
	if incremental {
		next.marked = maps.Clone(v.marked)
	} else {
		// About one entry for each pair (a row and, shared with its
		// cluster's other members, the first member), sized at once.
		next.marked = make(map[int64]int64, strings.Count(list, " ")/2+1)
	}
	if err := parseMarks(list, next.marked); err != nil {
		return nil, err
	}
	if s.newer(v.snap()) {
		c.view = next
	}
	return next, nil
}

// parseMarks adds the pairs of list, "n cluster n cluster …" (marked row
// numbers and their clusters), to marked, each cluster's first member
// too. The list comes from one group_concat: on a million articles
// (59,000 marked) that and this take 15-20 ms where an aggregate called
// from SQL for each row took 27-30, a Go call a row being most of it.
// The first collapsed search of a process pays it (two to three times as
// much then, either way: page faults).
func parseMarks(list string, marked map[int64]int64) error {
	if list == "" {
		return nil
	}
	var pair [2]int64
	i, digits := 0, 0
	for j := 0; j <= len(list); j++ {
		if j < len(list) && list[j] >= '0' && list[j] <= '9' {
			pair[i] = pair[i]*10 + int64(list[j]-'0')
			digits++
			continue
		}
		if digits == 0 || digits > 18 || (j < len(list) && list[j] != ' ') {
			return fmt.Errorf("cluster marks: bad list at byte %d", j)
		}
		digits = 0
		if i == 0 {
			i = 1
			continue
		}
		marked[pair[0]] = pair[1]
		marked[pair[1]] = pair[1] // the first member
		pair, i = [2]int64{}, 0
	}
	if i != 0 {
		return fmt.Errorf("cluster marks: odd list")
	}
	return nil
}

// herald_nclusters(n, token) counts its rows and the clusters among
// them, from the view lent under token: a row whose article is not
// marked is a cluster of its own. The result is two uvarints: rows,
// clusters.
func registerNClusters() error {
	return sqlite.RegisterFunction("herald_nclusters", &sqlite.FunctionImpl{
		NArgs: 2,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) {
			return &clusterCounter{shared: map[int64]struct{}{}}, nil
		},
	})
}

type clusterCounter struct {
	plainAggregate
	view        *clusterView
	rows, alone uint64
	shared      map[int64]struct{}
}

func (c *clusterCounter) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	n, err := rowAndView("herald_nclusters", args, &c.view)
	if err != nil {
		return err
	}
	c.rows++
	if cluster, ok := c.view.marked[n]; ok {
		c.shared[cluster] = struct{}{}
	} else {
		c.alone++
	}
	return nil
}

func (c *clusterCounter) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	out := binary.AppendUvarint(nil, c.rows)
	return binary.AppendUvarint(out, c.alone+uint64(len(c.shared))), nil
}

// countClustersOneWalk counts the clusters among the first limit matches
// of the full-text expression match (row number order) in one walk, and
// returns them with the number of matches walked.
func (db *DB) countClustersOneWalk(ctx context.Context, match string, limit int) (rows, clusters int, err error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	view, err := db.clusters.current(ctx, tx)
	if err != nil {
		return 0, 0, err
	}
	token, done := lend(view)
	defer done()
	var blob []byte
	if err := tx.QueryRowContext(ctx, `SELECT herald_nclusters(rowid, ?) FROM
		(SELECT rowid FROM article_fts WHERE article_fts MATCH ? LIMIT ?)`, token, match, limit).Scan(&blob); err != nil {
		return 0, 0, err
	}
	if len(blob) == 0 {
		return 0, 0, nil // no match: the aggregate saw no row
	}
	r, k := binary.Uvarint(blob)
	c, m := binary.Uvarint(blob[max(k, 0):])
	if k <= 0 || m <= 0 {
		return 0, 0, fmt.Errorf("herald_nclusters: bad result")
	}
	return int(r), int(c), nil
}

// window describes the rank window of a collapsed search: how many
// matches it holds (all of them when fewer than store.RankWindow) and
// the clusters among them.
type window struct{ rows, clusters int }

// rankAndCount returns the page of a collapsed search of words alone
// (rankWindowCollapsed), the number of clusters among all its matches
// (countClusters) and the number among those in the rank window, which
// is as far as paging goes. For a phrase of common words each costs a
// walk of the words' matches (the ranking's is bm25's, which counts the
// documents holding the phrase), so when the words have many matches the
// two run at once, on two connections: on a million articles, two cores
// bring "city council" from 75 to 44 ms. When there are few, the window
// runs alone first: it holds every match and so answers the count too.
func (db *DB) rankAndCount(ctx context.Context, match string, opts store.SearchOptions) (page []ranked, total, reach int, err error) {
	predicted, err := db.predictMatches(ctx, match)
	if err != nil {
		return nil, 0, 0, err
	}
	if predicted < int64(db.rankWindow) {
		page, win, err := db.rankWindowCollapsed(ctx, match, opts)
		if err != nil || win.rows < db.rankWindow {
			return page, win.clusters, win.clusters, err
		}
		n, err := db.countClusters(ctx, match, predicted)
		return page, n, win.clusters, err
	}
	// Neither holds a connection while it waits for the other, so a
	// full pool only delays them.
	var n int
	var cerr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		n, cerr = db.countClusters(ctx, match, predicted)
	}()
	page, win, err := db.rankWindowCollapsed(ctx, match, opts)
	<-done
	return page, n, win.clusters, errors.Join(err, cerr)
}

// predictWalk bounds the walk of predictMatches: it looks at the matches
// among this many of the newest articles at most.
const predictWalk = 20000

// predictMatches predicts how many articles match the full-text
// expression match from the density of matches among the newest
// articles: the newest 64 matches, or fewer among the newest
// predictWalk articles (a walk of a few per cent of the words' matches on
// a million articles).
func (db *DB) predictMatches(ctx context.Context, match string) (int64, error) {
	const probe = 64
	last, err := lastRow(ctx, db.r)
	if err != nil {
		return 0, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT rowid FROM article_fts WHERE article_fts MATCH ? AND rowid > ?
		ORDER BY rowid DESC LIMIT ?`, match, last-predictWalk, probe)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var seen, lowest int64
	for rows.Next() {
		if err := rows.Scan(&lowest); err != nil {
			return 0, err
		}
		seen++
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if seen == probe {
		return probe * last / max(last-lowest+1, 1), nil
	}
	return seen * last / max(min(last, predictWalk), 1), nil
}

// countClusters counts the near-duplicate clusters among the articles
// matching the full-text expression match, up to store.MaxTotal+1, of
// which there are about predicted. A word with more than MaxTotal
// matches is counted in SQL, walking the unmarked matches until MaxTotal
// of them (a fraction of its matches) and the marked ones only if not;
// anything rarer in one walk of every match (countClustersOneWalk).
func (db *DB) countClusters(ctx context.Context, match string, predicted int64) (int, error) {
	if predicted <= int64(db.oneWalkMax) {
		rows, clusters, err := db.countClustersOneWalk(ctx, match, db.oneWalkMax+1)
		if err != nil || rows <= db.oneWalkMax {
			return clusters, err
		}
		// More matches than predicted: count as for a common word.
	}
	alone, err := db.countUpTo(ctx, `SELECT 1 FROM article_fts WHERE article_fts MATCH ?`, store.MaxTotal, "("+match+") NOT "+dupMarked)
	if err != nil || alone > store.MaxTotal {
		return alone, err
	}
	var shared int
	err = db.r.QueryRowContext(ctx, `SELECT count(DISTINCT k.cluster) FROM article_fts
		JOIN article_keys k ON k.n = article_fts.rowid WHERE article_fts MATCH ?`, "("+match+") AND "+dupMarked).Scan(&shared)
	return alone + shared, err
}

var _ store.ClusterLister = (*DB)(nil)

// SharedClusters implements store.ClusterLister.
func (db *DB) SharedClusters(ctx context.Context) (map[string]bool, error) {
	return sqlschema.SharedClusters(ctx, db.r)
}
