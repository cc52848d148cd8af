package archive

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// DeleteOptions configure Delete.
type DeleteOptions struct {
	// DryRun lists what would be deleted without deleting anything.
	DryRun bool
	// BatchSize is how many articles one transaction deletes. Default
	// 500.
	BatchSize int
	// Report, when set, is called for each article deleted (or that
	// would be, with DryRun), once its transaction has committed.
	Report func(Deleted)
	// Withhold keeps the deleted articles out for good, in the same
	// transactions (store.Withholder): harvests and imports do not
	// archive their URLs again until herald withheld release. Reason is
	// recorded with them, without the blanks around it.
	Withhold bool
	Reason   string
	// EraseCaptures erases the raw captures of the deleted articles and
	// of their earlier versions from the WARC files a harvest wrote,
	// before each batch is deleted (see CaptureSummary): the records are
	// overwritten in place (warc.EraseRecords), so the other captures in
	// those files keep their offsets; the captures of feeds, sitemaps and
	// HTML pages naming them, in the WARC files read for CaptureOwner (the folders
	// of their captures, WARCDirs), are redacted in place, before the
	// first batch (warc.RedactRecords). With DryRun they are counted.
	EraseCaptures bool
	// CaptureBase is the folder relative capture paths are taken from:
	// the archive's folder.
	CaptureBase string
	// CaptureOwner, with EraseCaptures, looks for the captures of the
	// deleted pages that no article points at (a refetch whose text was
	// unchanged leaves the article on its earlier capture): given a
	// response record whose target URI is the URL of a deleted article
	// or version, it returns the id of the article the record would be
	// filed under ("" for none: not an article); those of deleted
	// articles are erased too, before the first batch. Every WARC file
	// Herald wrote in the folders that hold the deleted articles'
	// captures, and in WARCDirs, is read (for feeds, sitemaps and pages
	// too). nil: not looked for (the files are still read for feeds,
	// sitemaps and pages).
	CaptureOwner func(*warc.Record) string
	// WARCDirs are more folders to look in with CaptureOwner (the
	// harvest's default WARC folder); a missing one is passed over.
	WARCDirs []string
}

// Deleted is an article that Delete removed.
type Deleted struct {
	ID    string `json:"id"`
	URL   string `json:"url"`
	Title string `json:"title"`
	// Copies counts the other members of its cluster, which stay.
	Copies int `json:"copies,omitempty"`
	// fetched is the URL the article was fetched from, canonicalised,
	// when it is not URL (rel=canonical named another): withheld too.
	fetched string
}

// DeleteSummary is what Delete did.
type DeleteSummary struct {
	Matched int  `json:"matched"`
	Deleted int  `json:"deleted"`
	DryRun  bool `json:"dry_run"`
	// Captures is set with DeleteOptions.EraseCaptures.
	Captures *CaptureSummary `json:"captures,omitempty"`
	Duration Millis          `json:"duration_ms"`
}

// NotArchivedError is the error of Delete for an id the archive does not
// hold; it matches store.ErrNotFound.
type NotArchivedError struct{ ID string }

func (e *NotArchivedError) Error() string { return "article " + e.ID + " is not in the archive" }

// Is makes errors.Is(err, store.ErrNotFound) true.
func (e *NotArchivedError) Is(target error) bool { return target == store.ErrNotFound }

// Delete removes for good the archived articles that ids name or, when
// ids is empty, those matching q, every copy (a search collapses
// clusters; Delete does not), with their earlier versions. The other
// members of a deleted article's cluster stay, in the same cluster. An
// unknown id is an error (a NotArchivedError) before anything is deleted.
//
// Each batch is one transaction: an interrupted run leaves whole batches
// deleted and the rest as it was, and running it again finishes. The
// articles are deleted, and reported, in the order the store keeps them
// where it can say (store.StorageOrderer), else in the query's order. Raw
// captures stay in their WARC files unless opts.EraseCaptures, which
// erases them before each batch is deleted; a capture that cannot be
// erased (a missing file) stops the run before its batch with a
// *CaptureError. The store's transactions must be store.Deleters (both
// backends' are), unless DryRun.
func Delete(ctx context.Context, st store.Store, q *query.Query, ids []string, opts DeleteOptions) (*DeleteSummary, error) {
	start := time.Now()
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
	}
	sum := &DeleteSummary{DryRun: opts.DryRun}
	if opts.EraseCaptures {
		sum.Captures = &CaptureSummary{}
	}
	var targets []Deleted
	clusters := map[string]string{} // id → cluster
	add := func(r *store.Record) {
		d := Deleted{ID: r.ID, URL: r.CanonicalURL, Title: r.Title}
		if cu, err := canon.URL(r.Article.URL); err == nil && cu != r.CanonicalURL && canon.ID(cu) != r.ID {
			d.fetched = cu
		}
		targets = append(targets, d)
		clusters[r.ID] = r.ClusterID
	}
	if len(ids) > 0 {
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			r, err := st.Get(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				return nil, &NotArchivedError{ID: id}
			}
			if err != nil {
				return nil, fmt.Errorf("delete %s: %w", id, err)
			}
			add(r)
		}
	} else {
		// Without texts: a delete needs none (an erase reads the
		// captures, not the texts).
		err := store.ScanMeta(ctx, st, q, func(r *store.Record) error { add(r); return nil })
		if err != nil {
			return nil, fmt.Errorf("delete: %w", err)
		}
	}
	sum.Matched = len(targets)
	if opts.EraseCaptures {
		if err := eraseUnreferenced(ctx, st, targets, opts, sum.Captures); err != nil {
			sum.Duration = Millis(time.Since(start))
			return sum, fmt.Errorf("delete: %w", err)
		}
	}
	// The copies that stay: members of the targets' clusters that are
	// not deleted themselves.
	going := map[string]int{}
	for _, c := range clusters {
		going[c]++
	}
	var shared map[string]bool // nil: ask about every cluster
	if cl, ok := st.(store.ClusterLister); ok {
		var err error
		if shared, err = cl.SharedClusters(ctx); err != nil {
			return nil, fmt.Errorf("delete: %w", err)
		}
	}
	sizes := map[string]int{}
	for c := range going {
		if shared != nil && !shared[c] {
			sizes[c] = 1
			continue
		}
		members, err := st.Cluster(ctx, c)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("delete: %w", err)
		}
		sizes[c] = len(members)
	}
	for i := range targets {
		c := clusters[targets[i].ID]
		targets[i].Copies = max(sizes[c]-going[c], 0)
	}
	if err := storageOrder(ctx, st, targets); err != nil {
		return nil, fmt.Errorf("delete: %w", err)
	}
	for len(targets) > 0 {
		n := min(opts.BatchSize, len(targets))
		batch := targets[:n]
		targets = targets[n:]
		if opts.EraseCaptures {
			if err := eraseCaptures(ctx, st, batch, opts, sum.Captures); err != nil {
				sum.Duration = Millis(time.Since(start))
				return sum, fmt.Errorf("delete: %w", err)
			}
		}
		if err := deleteBatch(ctx, st, batch, opts); err != nil {
			sum.Duration = Millis(time.Since(start))
			return sum, fmt.Errorf("delete: %w", err)
		}
		sum.Deleted += len(batch)
		if opts.Report != nil {
			for _, d := range batch {
				opts.Report(d)
			}
		}
	}
	sum.Duration = Millis(time.Since(start))
	return sum, nil
}

// storageOrder sorts targets in the order the store keeps them, when it
// can say (store.StorageOrderer): each batch then rewrites the pages of
// neighbouring articles, not pages all over the archive.
func storageOrder(ctx context.Context, st store.Store, targets []Deleted) error {
	so, ok := st.(store.StorageOrderer)
	if !ok || len(targets) < 2 {
		return nil
	}
	ids := make([]string, len(targets))
	for i, d := range targets {
		ids[i] = d.ID
	}
	order, err := so.StorageOrder(ctx, ids)
	if err != nil {
		return err
	}
	place := make(map[string]int, len(order))
	for i, id := range order {
		if _, ok := place[id]; !ok {
			place[id] = i
		}
	}
	slices.SortStableFunc(targets, func(a, b Deleted) int { return cmp.Compare(place[a.ID], place[b.ID]) })
	return nil
}

func deleteBatch(ctx context.Context, st store.Store, batch []Deleted, opts DeleteOptions) error {
	if opts.DryRun {
		return ctx.Err()
	}
	tx, err := st.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	d, ok := tx.(store.Deleter)
	if !ok {
		return errors.New("this archive cannot delete articles")
	}
	w, ok := tx.(store.Withholder)
	if opts.Withhold && !ok {
		return errors.New("this archive cannot withhold articles")
	}
	if opts.Withhold {
		if err := fence(ctx, tx); err != nil {
			return err
		}
	}
	now := time.Now()
	for _, a := range batch {
		if opts.Withhold {
			if err := w.Withhold(ctx, store.WithheldArticle{ID: a.ID, URL: a.URL, At: now, Reason: strings.TrimSpace(opts.Reason)}); err != nil {
				return err
			}
			if err := withholdFetched(ctx, tx, w, a, now, opts.Reason); err != nil {
				return err
			}
		}
		err := d.Delete(ctx, a.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue // another process deleted it meanwhile
		}
		if err != nil {
			return err
		}
	}
	return tx.Commit()
}

// withholdFetched withholds, beside a deleted article, the URL it was
// fetched from when that is not its canonical URL (a mobile copy or a URL
// with a parameter that declared another canonical URL): a harvest asks
// whether a URL is withheld before fetching it, knowing only the URL, and
// would otherwise fetch the page, and capture it in its WARC files, again
// after the takedown. It is a withheld row of its own (the table keys
// URLs by id, and has no place to tie it to the article's), listed and
// released on its own; it is not withheld when another article the
// archive holds has it as its canonical URL.
func withholdFetched(ctx context.Context, tx store.Tx, w store.Withholder, a Deleted, now time.Time, reason string) error {
	if a.fetched == "" {
		return nil
	}
	id := canon.ID(a.fetched)
	_, err := tx.Get(ctx, id)
	switch {
	case err == nil:
		return nil // another article's own URL
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	return w.Withhold(ctx, store.WithheldArticle{ID: id, URL: a.fetched, At: now, Reason: strings.TrimSpace(reason)})
}

// HeldError is the error of Withhold for an article the archive holds:
// it is deleted with Delete and DeleteOptions.Withhold instead.
type HeldError struct{ URL string }

func (e *HeldError) Error() string { return "the archive holds " + e.URL }

// Withhold keeps out articles the archive does not hold (yet), in one
// transaction: harvests and imports will not archive them until they are
// released (store.WithheldLister). If the archive holds any of them,
// nothing is withheld and the error is a HeldError.
func Withhold(ctx context.Context, st store.Store, ws []store.WithheldArticle) error {
	tx, err := st.Begin(ctx)
	if err != nil {
		return fmt.Errorf("withhold: %w", err)
	}
	defer tx.Rollback()
	wh, ok := tx.(store.Withholder)
	if !ok {
		return errors.New("this archive cannot withhold articles")
	}
	if err := fence(ctx, tx); err != nil {
		return fmt.Errorf("withhold: %w", err)
	}
	for _, w := range ws {
		// Asked in the transaction, so that no harvest archives it
		// between the question and the answer.
		_, err := tx.Get(ctx, w.ID)
		if err == nil {
			return &HeldError{URL: w.URL}
		}
		if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("withhold: %w", err)
		}
		if err := wh.Withhold(ctx, w); err != nil {
			return fmt.Errorf("withhold: %w", err)
		}
	}
	return tx.Commit()
}

// fence makes a takedown's transaction wait for the writes already under
// way and hold back new ones until it ends (store.WriteFencer), where the
// backend lets several processes write at once.
func fence(ctx context.Context, tx store.Tx) error {
	if f, ok := tx.(store.WriteFencer); ok {
		return f.FenceWrites(ctx)
	}
	return nil
}
