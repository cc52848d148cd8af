package archive

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/herald-archive/herald/internal/dedupe"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// ReclusterOptions configure Recluster.
type ReclusterOptions struct {
	// DryRun decides without storing anything.
	DryRun bool
	// BatchSize is how many articles alone in their cluster one
	// transaction decides and moves. Default 500.
	BatchSize int
	// Report, when set, is called for each article that joins a cluster
	// (or would, with DryRun), in the order decided.
	Report func(Joined)
}

// Joined is an article that Recluster put into another cluster.
type Joined struct {
	ID      string `json:"id"`
	URL     string `json:"url"`
	Cluster string `json:"cluster"`
}

// ReclusterSummary is what Recluster did.
type ReclusterSummary struct {
	// Articles counts the matching articles, Alone those of them that
	// were alone in their cluster, Joined those that joined one.
	Articles int `json:"articles"`
	Alone    int `json:"alone"`
	Joined   int `json:"joined"`
	// Gone counts the articles deleted (herald delete) after the run read
	// them and before it decided them: skipped.
	Gone     int    `json:"gone"`
	DryRun   bool   `json:"dry_run"`
	Duration Millis `json:"duration_ms"`
}

// reclusterFlushHook, when set (by tests), is called with each batch of
// ids before it is decided: where a concurrent herald delete can come
// between.
var reclusterFlushHook func(ids []string)

// Recluster runs the cluster decision of Ingest again for the articles
// matching q that are alone in their cluster, and moves each into the
// cluster that it would join if it were archived now (by its text, then
// by the original it names or that names it; see the package comment).
// Archives made before a change of those rules get the clusters the
// rules give today: declared copies, and word-for-word Chinese and
// Japanese copies, which older versions stored without LSH bands (near
// duplicates among those are not found: candidates come from the stored
// bands). Clusters of more than one
// article are left as they are: Recluster joins, it never splits, and
// it never merges two such clusters that today's rules would have made
// one: that would change the cluster id (and the story links) of
// articles already listed, and chains of near duplicates, which ingest
// never links (an article joins one cluster), could run many stories
// into one. A lone article matching both joins one of them.
//
// Each lone article's text is read once, when its batch is decided: the
// matches are listed without texts (store.ScanMeta), and with a query,
// the clusters of several articles (store.ClusterLister) tell which of
// them are alone.
//
// Articles are decided newest first, so a lone copy joins an older
// article's cluster, not the other way round. Running it again finds
// nothing more to join. An article that joins a cluster stops its old
// cluster (itself) being joined by others later in the run, so that two
// lone copies of one story end up together once, not crossed. The
// store's transactions must be store.ClusterMovers (both backends' are),
// unless DryRun.
func Recluster(ctx context.Context, st store.Store, q *query.Query, opts ReclusterOptions) (*ReclusterSummary, error) {
	start := time.Now()
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
	}
	sum := &ReclusterSummary{DryRun: opts.DryRun}
	// The matches, oldest first, and the members each cluster has among
	// them: a cluster with more than one is not looked at; one with one
	// may have members the query leaves out, which the store is asked
	// about. Listed without their texts: each lone article's text is
	// read once, when its batch is decided.
	type match struct{ id, cluster string }
	var matches []match
	members := map[string]int{}
	err := store.ScanMeta(ctx, st, q, func(r *store.Record) error {
		members[r.ClusterID]++
		matches = append(matches, match{r.ID, r.ClusterID})
		return nil
	})
	sum.Articles = len(matches)
	if err != nil {
		return nil, fmt.Errorf("recluster: %w", err)
	}
	// With a query, a cluster with one match may have members it leaves
	// out: the clusters of more than one article, listed at once when
	// the store can (else asked about one by one).
	var shared map[string]bool
	if cl, ok := st.(store.ClusterLister); ok && q.String() != "" {
		if shared, err = cl.SharedClusters(ctx); err != nil {
			return nil, fmt.Errorf("recluster: %w", err)
		}
	}
	rc := &reclusterer{st: st, opts: opts, sum: sum, grown: map[string]bool{}, moved: map[string]string{}}
	// Newest first: a lone copy joins the cluster of an older one, which
	// then is no longer alone, so the older article stays at the head of
	// its story as it would had the two been archived under today's rules.
	for i := len(matches) - 1; i >= 0 && err == nil; i-- {
		m := matches[i]
		if members[m.cluster] != 1 {
			continue
		}
		if shared != nil {
			if shared[m.cluster] {
				continue
			}
		} else if q.String() != "" {
			var all []*store.Record
			if all, err = st.Cluster(ctx, m.cluster); err != nil || len(all) != 1 {
				continue
			}
		}
		sum.Alone++
		rc.batch = append(rc.batch, m.id)
		if len(rc.batch) >= opts.BatchSize {
			err = rc.flush(ctx)
		}
	}
	if err == nil {
		err = rc.flush(ctx)
	}
	sum.Duration = Millis(time.Since(start))
	if err != nil {
		return sum, fmt.Errorf("recluster: %w", err)
	}
	return sum, nil
}

// reclusterer decides and moves a batch of lone articles at a time.
type reclusterer struct {
	st    store.Store
	opts  ReclusterOptions
	sum   *ReclusterSummary
	batch []string // ids
	// grown holds the clusters that articles joined or left in this run:
	// their first member is no longer alone, or they are gone.
	grown map[string]bool
	// moved maps the cluster of an article moved in this run (its own
	// id) to the one it joined: a dry run's lookups still see the old.
	moved map[string]string
}

func (rc *reclusterer) flush(ctx context.Context) error {
	if len(rc.batch) == 0 {
		return nil
	}
	batch := rc.batch
	rc.batch = nil
	if reclusterFlushHook != nil {
		reclusterFlushHook(batch)
	}
	var look store.Lookup = rc.st
	var mover store.ClusterMover
	if !rc.opts.DryRun {
		tx, err := rc.st.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		m, ok := tx.(store.ClusterMover)
		if !ok {
			return errors.New("this archive cannot move articles between clusters")
		}
		look, mover = tx, m
	}
	// The batch's articles and bands first, so that their candidates are
	// read ahead in one pass where the store can (a lookup each took a
	// third of the time).
	var entries []store.Entry
	lists := make([][]uint64, 0, len(batch))
	for _, id := range batch {
		r, err := look.Get(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			rc.sum.Gone++ // deleted since the scan
			continue
		}
		if err != nil {
			return err
		}
		_, sig := dedupe.Fingerprint(r.Text)
		bands := sig.Bands()
		entries = append(entries, store.Entry{Record: r, Bands: bands})
		lists = append(lists, bands)
	}
	switch l := look.(type) {
	case store.CandidatePrefetcher:
		if err := l.PrefetchCandidates(ctx, lists); err != nil {
			return err
		}
	case store.AheadLooker:
		ahead, err := l.LookAhead(ctx, lists)
		if err != nil {
			return err
		}
		look = ahead
	}
	for _, e := range entries {
		r := e.Record
		if rc.grown[r.ClusterID] {
			continue // joined by another lone article in this run
		}
		cluster, err := findCluster(ctx, look, e, nil, true)
		if err != nil {
			return err
		}
		for range len(rc.moved) { // a chain of moves is no longer than their number
			next, ok := rc.moved[cluster]
			if !ok {
				break
			}
			cluster = next
		}
		if cluster == "" || cluster == r.ClusterID {
			continue
		}
		if mover != nil {
			if err := mover.JoinCluster(ctx, r.ID, cluster); err != nil {
				return err
			}
		}
		rc.grown[cluster] = true
		rc.grown[r.ClusterID] = true // gone: nothing joins it after this
		rc.moved[r.ClusterID] = cluster
		rc.sum.Joined++
		if rc.opts.Report != nil {
			rc.opts.Report(Joined{ID: r.ID, URL: r.CanonicalURL, Cluster: cluster})
		}
	}
	if mover != nil {
		return look.(store.Tx).Commit()
	}
	return nil
}
