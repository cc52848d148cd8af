package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"maps"
	"sync"

	sqlite "modernc.org/sqlite"

	"github.com/herald-archive/herald/internal/store"
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
// As with dayCache, the cache follows the snapshot of the query's read
// transaction: rows above the highest it holds are loaded and added, and
// when counters.clusters_version (bumped by a write transaction that
// marks a stored article) has moved, it is loaded again (30,000 marked
// articles on a million: a few milliseconds through the partial index
// article_keys_marked). A view is never modified once made.
type clusterCache struct {
	mu   sync.Mutex
	view *clusterView
}

type clusterView struct {
	marked  map[int64]int64 // row number → cluster, for marked articles
	maxN    int64
	version int64
}

// current returns a view matching the snapshot of read transaction q.
func (c *clusterCache) current(ctx context.Context, q querier) (*clusterView, error) {
	var maxN, version int64
	if err := q.QueryRowContext(ctx, `SELECT (SELECT coalesce(max(n), 0) FROM article_keys),
		(SELECT clusters_version FROM counters)`).Scan(&maxN, &version); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.view
	if v != nil && v.version == version && v.maxN == maxN {
		return v, nil
	}
	next := &clusterView{maxN: maxN, version: version}
	from := int64(0)
	if v != nil && v.version == version && v.maxN < maxN {
		from = v.maxN
		next.marked = maps.Clone(v.marked)
	} else {
		next.marked = map[int64]int64{}
	}
	rows, err := q.QueryContext(ctx, `SELECT n, cluster FROM article_keys INDEXED BY article_keys_marked
		WHERE cluster IS NOT NULL AND n > ? AND n <= ?`, from, maxN)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n, cluster int64
		if err := rows.Scan(&n, &cluster); err != nil {
			return nil, err
		}
		next.marked[n] = cluster
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	c.view = next
	return next, nil
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
	view        *clusterView
	rows, alone uint64
	shared      map[int64]struct{}
}

func (c *clusterCounter) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	n, ok1 := args[0].(int64)
	token, ok2 := args[1].(int64)
	if !ok1 || !ok2 {
		return fmt.Errorf("herald_nclusters: want integers, got %T, %T", args[0], args[1])
	}
	if c.view == nil {
		var ok bool
		if c.view, ok = borrow[*clusterView](token); !ok {
			return fmt.Errorf("herald_nclusters: no view %d", token)
		}
	}
	c.rows++
	if cluster, ok := c.view.marked[n]; ok {
		c.shared[cluster] = struct{}{}
	} else {
		c.alone++
	}
	return nil
}

func (c *clusterCounter) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return fmt.Errorf("herald_nclusters: not a window function")
}

func (c *clusterCounter) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	out := binary.AppendUvarint(nil, c.rows)
	return binary.AppendUvarint(out, c.alone+uint64(len(c.shared))), nil
}

func (c *clusterCounter) Final(*sqlite.FunctionContext) {}

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
// matches it holds (all of them when fewer than store.RankWindow), the
// lowest row number among them, and the clusters among them.
type window struct {
	rows, clusters int
	lowest         int64
}

// countClusters counts the near-duplicate clusters among the articles
// matching the full-text expression match, up to store.MaxTotal+1. win
// is the search's rank window: when it holds every match, it has the
// count already. Otherwise the density of matches among the newest
// articles predicts how many there are: a word with more than MaxTotal
// matches is counted in SQL, walking the unmarked matches until MaxTotal
// of them (a fraction of its matches) and the marked ones only if not;
// anything rarer in one walk of every match (countClustersOneWalk).
func (db *DB) countClusters(ctx context.Context, match string, win window) (int, error) {
	if win.rows < db.rankWindow {
		return win.clusters, nil
	}
	var last int64
	if err := db.r.QueryRowContext(ctx, `SELECT coalesce(max(n), 0) FROM article_keys`).Scan(&last); err != nil {
		return 0, err
	}
	if span := last - win.lowest + 1; span > 0 && int64(win.rows)*last/span <= int64(db.oneWalkMax) {
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
