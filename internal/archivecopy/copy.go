// Package archivecopy copies a whole archive from one store to another
// (SQLite to PostgreSQL and back, for herald migrate-archive): every
// article with every version, in the order they were first stored, with
// their clusters and capture references; the sources with their ids and
// validators; the fetch log; the frontier with each URL's state and
// sitemap lastmod; the validators kept for child sitemaps; the withheld
// articles (takedowns); the recorded deletions (herald deleted), and into
// a new archive when their recording began. What else the
// schemas hold is derived from the articles (search indexes, facets,
// counters, band index) and rebuilt by the destination as it stores them.
//
// Articles go through Tx.Put, version after version, so the destination
// applies its own rules (and indexes, and counters) exactly as if it had
// archived them itself; near-duplicate band hashes are recomputed from
// each version's text, as internal/archive computes them. Both stores
// must implement store.Dumper (the source) and store.Restorer (the
// destination).
//
// Copy refuses a destination that holds anything unless Options.Merge is
// set. Merging is idempotent: an article the destination holds with the
// same versions is skipped, one whose stored versions are the first of
// the source's gets the rest, and one whose history differs is left alone
// and counted as a conflict, never overwritten; sources, fetches and
// frontier URLs and sitemap validators the destination holds already (by
// id or URL) stay as they are. So an interrupted copy can be run again with Merge to finish it.
package archivecopy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/herald-archive/herald/internal/dedupe"
	"github.com/herald-archive/herald/internal/store"
)

// ErrNotEmpty is returned when the destination holds data and
// Options.Merge is not set.
var ErrNotEmpty = errors.New("destination archive is not empty")

// Options shape a Copy. The zero value copies into an empty archive.
type Options struct {
	// Merge allows a destination that holds data (see the package doc).
	Merge bool
	// Batch is the number of articles per destination transaction; 0
	// means 500.
	Batch int
	// Progress, when set, is called after each batch with the articles
	// copied so far.
	Progress func(articles int)
}

// Summary says what a Copy did.
type Summary struct {
	Articles  int `json:"articles"`  // articles written (new, or given more versions)
	Versions  int `json:"versions"`  // versions written, current ones included
	Skipped   int `json:"skipped"`   // articles the destination held already, the same
	Conflicts int `json:"conflicts"` // articles whose history differs in the destination, left alone
	Sources   int `json:"sources"`   // sources added
	Fetches   int `json:"fetches"`   // fetch log entries added
	Frontier  int `json:"frontier"`  // frontier URLs added
	// Validators is the number of child sitemaps whose kept validators
	// were added (store.ValidatorKeeper): without them, the first poll
	// after a copy reads every child sitemap whole again.
	Validators int `json:"sitemap_validators"`
	// Withheld is the number of withheld articles added (takedowns kept
	// out: store.WithheldLister).
	Withheld int `json:"withheld"`
	// Deletions is the number of recorded deletions added
	// (store.DeletionScanner: herald deleted).
	Deletions int `json:"deletions"`
	// ConflictIDs lists the first conflicting article ids (up to 20).
	ConflictIDs []string `json:"conflict_ids,omitempty"`
}

// Copy copies src into dst.
func Copy(ctx context.Context, src, dst store.Store, opts Options) (*Summary, error) {
	dump, ok := src.(store.Dumper)
	if !ok {
		return nil, fmt.Errorf("copy: the source archive cannot list its whole contents (no store.Dumper)")
	}
	rest, ok := dst.(store.Restorer)
	if !ok {
		return nil, fmt.Errorf("copy: the destination archive cannot restore sources and logs (no store.Restorer)")
	}
	if opts.Batch <= 0 {
		opts.Batch = 500
	}
	if !opts.Merge {
		empty, err := isEmpty(ctx, dst)
		if err != nil {
			return nil, fmt.Errorf("copy: %w", err)
		}
		if !empty {
			return nil, fmt.Errorf("copy: %w", ErrNotEmpty)
		}
	}
	sum := &Summary{}
	// Sources first: the fetch log and the frontier point at them.
	sources, err := src.ListSources(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	if len(sources) > 0 {
		if sum.Sources, err = rest.RestoreSources(ctx, sources); err != nil {
			return sum, fmt.Errorf("copy: %w", err)
		}
	}
	// Withheld articles before the articles: none of them is archived
	// in the source, and a takedown must hold in the copy from the start.
	if sum.Withheld, err = copyWithheld(ctx, src, dst); err != nil {
		return sum, fmt.Errorf("copy: %w", err)
	}
	// Deletions before the articles too, so that a copy interrupted
	// among its articles has them (an id the copy holds is not listed).
	if sum.Deletions, err = copyDeletions(ctx, src, dst, opts.Merge); err != nil {
		return sum, fmt.Errorf("copy: %w", err)
	}
	if err := copyArticles(ctx, dump, dst, opts, sum); err != nil {
		return sum, fmt.Errorf("copy: %w", err)
	}
	var fetches []*store.Fetch
	flushFetches := func() error {
		n, err := rest.RestoreFetches(ctx, fetches)
		sum.Fetches += n
		fetches = fetches[:0]
		return err
	}
	err = dump.DumpFetches(ctx, func(f *store.Fetch) error {
		fetches = append(fetches, f)
		if len(fetches) >= 5000 {
			return flushFetches()
		}
		return nil
	})
	if err == nil && len(fetches) > 0 {
		err = flushFetches()
	}
	if err != nil {
		return sum, fmt.Errorf("copy: %w", err)
	}
	var items []store.FrontierItem
	flushItems := func() error {
		n, err := rest.RestoreFrontier(ctx, items)
		sum.Frontier += n
		items = items[:0]
		return err
	}
	err = dump.DumpFrontier(ctx, func(it store.FrontierItem) error {
		items = append(items, it)
		if len(items) >= 5000 {
			return flushItems()
		}
		return nil
	})
	if err == nil && len(items) > 0 {
		err = flushItems()
	}
	if err != nil {
		return sum, fmt.Errorf("copy: %w", err)
	}
	var vs []store.KeptValidators
	flushValidators := func() error {
		n, err := rest.RestoreSitemapValidators(ctx, vs)
		sum.Validators += n
		vs = vs[:0]
		return err
	}
	err = dump.DumpSitemapValidators(ctx, func(v store.KeptValidators) error {
		vs = append(vs, v)
		if len(vs) >= 5000 {
			return flushValidators()
		}
		return nil
	})
	if err == nil && len(vs) > 0 {
		err = flushValidators()
	}
	if err != nil {
		return sum, fmt.Errorf("copy: %w", err)
	}
	return sum, nil
}

// isEmpty reports whether st holds nothing Copy copies: no article,
// source, fetch, frontier URL, kept sitemap validators or withheld
// article. Counting a
// table out would let Copy merge into a destination unasked.
func isEmpty(ctx context.Context, st store.Store) (bool, error) {
	s, err := st.Stats(ctx)
	if err != nil {
		return false, err
	}
	if s.Articles > 0 || s.Sources > 0 || s.Withheld > 0 {
		return false, nil
	}
	fs, err := st.Fetches(ctx, 0, 1)
	if err != nil {
		return false, err
	}
	counts, err := st.FrontierCounts(ctx)
	if err != nil {
		return false, err
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	if len(fs) > 0 || n > 0 {
		return false, nil
	}
	d, ok := st.(store.Dumper)
	if !ok {
		return false, errors.New("the destination archive cannot list its sitemap validators (no store.Dumper)")
	}
	err = d.DumpSitemapValidators(ctx, func(store.KeptValidators) error { return errFound })
	if errors.Is(err, errFound) {
		return false, nil
	}
	return err == nil, err
}

// copyWithheld copies the articles src withholds that dst does not, in
// one transaction, and returns how many.
func copyWithheld(ctx context.Context, src, dst store.Store) (int, error) {
	from, ok := src.(store.WithheldLister)
	if !ok {
		return 0, nil
	}
	list, err := from.ListWithheld(ctx)
	if err != nil || len(list) == 0 {
		return 0, err
	}
	to, ok := dst.(store.WithheldLister)
	if !ok {
		return 0, errors.New("the destination archive cannot withhold articles, and the source withholds some")
	}
	have, err := to.ListWithheld(ctx)
	if err != nil {
		return 0, err
	}
	there := map[string]bool{}
	for _, w := range have {
		there[w.ID] = true
	}
	tx, err := dst.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	wh, ok := tx.(store.Withholder)
	if !ok {
		return 0, errors.New("the destination archive cannot withhold articles, and the source withholds some")
	}
	n := 0
	for _, w := range list {
		if there[w.ID] {
			continue
		}
		if err := wh.Withhold(ctx, w); err != nil {
			return 0, err
		}
		n++
	}
	return n, tx.Commit()
}

// copyDeletions copies the deletions src recorded (store.DeletionScanner)
// into dst, and returns how many dst added. Into a new archive (not
// merge) it also sets when dst began recording them to when src did
// (the new archive says it has recorded them all from its start): herald
// deleted on the copy then lists what it would have listed on src, and
// warns where src would. Merged into an archive with a history of its
// own, dst keeps its own start.
func copyDeletions(ctx context.Context, src, dst store.Store, merge bool) (int, error) {
	from, ok := src.(store.DeletionScanner)
	if !ok {
		return 0, nil
	}
	to, ok := dst.(store.DeletionRestorer)
	if !ok {
		return 0, errors.New("the destination archive cannot record deletions")
	}
	var ds []store.Deletion
	if err := from.ScanDeleted(ctx, time.Time{}, func(d store.Deletion) error {
		ds = append(ds, d)
		return nil
	}); err != nil {
		return 0, err
	}
	n := 0
	for len(ds) > 0 {
		k := min(len(ds), 5000)
		added, err := to.RestoreDeletions(ctx, ds[:k])
		if err != nil {
			return n, err
		}
		n, ds = n+added, ds[k:]
	}
	if merge {
		return n, nil
	}
	start, err := from.DeletionsFrom(ctx)
	if err != nil {
		return n, err
	}
	return n, to.RestoreDeletionsFrom(ctx, start)
}

// errFound stops a dump at its first item.
var errFound = errors.New("found")

// copyArticles copies every article's versions, a batch of articles per
// destination transaction.
func copyArticles(ctx context.Context, dump store.Dumper, dst store.Store, opts Options, sum *Summary) error {
	var batch [][]*store.Record
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := writeBatch(ctx, dst, batch, opts.Merge, sum); err != nil {
			return err
		}
		batch = batch[:0]
		if opts.Progress != nil {
			opts.Progress(sum.Articles + sum.Skipped + sum.Conflicts)
		}
		return nil
	}
	err := dump.History(ctx, func(vs []*store.Record) error {
		batch = append(batch, vs)
		if len(batch) >= opts.Batch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

func writeBatch(ctx context.Context, dst store.Store, batch [][]*store.Record, merge bool, sum *Summary) error {
	tx, err := dst.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var s Summary
	for _, vs := range batch {
		from := 0
		if merge {
			var err error
			if from, err = alreadyThere(ctx, dst, tx, vs); err != nil {
				return err
			}
			switch {
			case from < 0:
				s.Conflicts++
				if len(sum.ConflictIDs)+len(s.ConflictIDs) < 20 {
					s.ConflictIDs = append(s.ConflictIDs, vs[0].ID)
				}
				continue
			case from == len(vs):
				s.Skipped++
				continue
			}
		}
		for _, v := range vs[from:] {
			if err := putVersion(ctx, tx, v); err != nil {
				return err
			}
			s.Versions++
		}
		s.Articles++
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	sum.Articles += s.Articles
	sum.Versions += s.Versions
	sum.Skipped += s.Skipped
	sum.Conflicts += s.Conflicts
	sum.ConflictIDs = append(sum.ConflictIDs, s.ConflictIDs...)
	return nil
}

// alreadyThere compares the versions vs of an article with what dst
// holds: the number of leading versions it holds the same (len(vs) when
// all), or -1 when its history differs.
func alreadyThere(ctx context.Context, dst store.Store, tx store.Tx, vs []*store.Record) (int, error) {
	if _, err := tx.Get(ctx, vs[0].ID); errors.Is(err, store.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	have, err := dst.Versions(ctx, vs[0].ID)
	if err != nil {
		return 0, err
	}
	if len(have) > len(vs) {
		return -1, nil
	}
	for i, h := range have {
		a, err := json.Marshal(h)
		if err != nil {
			return 0, err
		}
		b, err := json.Marshal(vs[i])
		if err != nil {
			return 0, err
		}
		if string(a) != string(b) {
			return -1, nil
		}
	}
	return len(have), nil
}

// putVersion writes one version of an article as it was stored: with its
// cluster, and the band hashes of its text.
func putVersion(ctx context.Context, tx store.Tx, v *store.Record) error {
	r := *v
	e := store.Entry{Record: &r, Bands: dedupe.Sign(r.Text).Bands()}
	if _, err := tx.Put(ctx, e); err != nil {
		return err
	}
	if r.Version != v.Version || r.ClusterID != v.ClusterID {
		return fmt.Errorf("article %s: stored as version %d of cluster %s, was version %d of %s",
			v.ID, r.Version, r.ClusterID, v.Version, v.ClusterID)
	}
	return nil
}
