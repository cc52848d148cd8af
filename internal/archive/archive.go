// Package archive is the single way articles enter the store: it files a
// record under its canonical URL, fingerprints its text, decides whether
// it is new, unchanged, a new version or a (near-)duplicate of something
// archived, and writes it.
//
// The decision is backend-neutral and lives here once, on top of the
// store.Tx primitives, so SQLite and PostgreSQL archives deduplicate
// identically:
//
//  1. The canonical URL is canon.Choose(URL, CanonicalURL) (or the
//     canonical form of CanonicalURL when there is no fetched URL), and the
//     id is canon.ID of it. Re-importing the same input never duplicates.
//  2. Same id and same content hash (dedupe.ContentHash of the text): the
//     store reports Unchanged and writes nothing.
//  3. Same id, different hash: the store keeps the old version and the
//     article, still in its cluster, becomes version n+1 (Updated).
//  4. A new id whose text identifies an article (at least dedupe.MinWords
//     words once normalised, see identifies) and whose content hash equals
//     an archived article's joins that article's cluster; otherwise, one
//     that is a near duplicate of an LSH candidate (found by its MinHash
//     bands, then confirmed by the exact Jaccard similarity of the two
//     texts' shingle sets ≥ dedupe.Threshold) joins the candidate's
//     cluster (Duplicate).
//  5. Otherwise, a new article that names an archived article as its
//     original (OriginalURL: its rel=canonical points to that article on
//     another site) joins that article's cluster; one whose original is
//     not archived joins the earliest archived copy of the same original;
//     and a new article that archived copies name as their original joins
//     the earliest copy's (Duplicate), whatever their texts: a teaser or
//     a rewrite of a wire story is the same story by its publisher's word. Anything else,
//     and every other text shorter than dedupe.MinWords words (empty, a
//     paywall stub), starts its own cluster (New).
//
// Duplicates are stored and linked, never dropped.
//
// Ingest runs the decisions and writes of a batch in one transaction, so
// copies within one batch find each other and an interrupted batch leaves
// nothing half-written. The package does no I/O of its own beyond the
// store.
package archive

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/dedupe"
	"github.com/herald-archive/herald/internal/store"
)

// ErrNoURL is a record whose URL cannot be canonicalised. It is a per-record
// failure, reported in Result.Err.
var ErrNoURL = errors.New("no usable http(s) URL")

// noURLError is ErrNoURL said of one record: that it has no URL, or
// which URL it has that is not one.
type noURLError struct{ msg string }

func (e *noURLError) Error() string        { return e.msg }
func (e *noURLError) Is(target error) bool { return target == ErrNoURL }

// noURL is the ErrNoURL of a record whose URL (or, without one, canonical
// URL) u cannot be filed under.
func noURL(u string) error {
	if u == "" {
		return &noURLError{"no url: a record needs the http(s) URL of its page"}
	}
	return &noURLError{fmt.Sprintf("url %q: want an http(s) URL", u)}
}

// maxCandidates bounds the near-duplicate candidates compared per article.
const maxCandidates = 16

// identifies reports whether e's text is long enough to tell which
// article it belongs to: at least dedupe.MinWords (20) words once
// normalised, which is exactly when it has LSH bands. Only such a text is
// matched against other articles', by content hash or as a near
// duplicate; a shorter one leaves its article alone in its own cluster.
//
// A syndicated copy is the same body text on another URL, and news
// bodies are long: the shortest of the 181 in the scrapinghub benchmark
// set has 66 normalised words. What is shorter and the same on two URLs
// is what surrounds or replaces an article, not the article: the empty
// text of a page the extractor found nothing on or of a header-only
// `import text` file, a paywall stub ("Subscribe to read.", 3 words), a
// one-line cookie notice. Matched by hash, every empty-bodied article of
// an import became one cluster. The minimum is the near-duplicate path's
// own: a higher one for the hash alone would not keep equal texts apart,
// since two equal texts with bands are near duplicates too (J = 1).
// Identity by URL does not depend on it: the same canonical URL is the
// same article, and the store still tells Unchanged from Updated by the
// content hash.
func identifies(e store.Entry) bool { return len(e.Bands) > 0 }

// Result is what became of one record.
type Result struct {
	// ID is the article id (empty when Err is set).
	ID      string
	Outcome store.Outcome
	// ClusterID and Version are the stored values.
	ClusterID string
	Version   int
	// Err is a problem with this record alone (it was not stored); store
	// failures are returned by Ingest instead.
	Err error
}

// Prepare fills in the fields the archive derives from a record: the
// canonical URL, id, content hash, word count and fetch time (now, when
// unset), strips control characters other than newline and tab from
// the text fields (so highlight markers can never come from a page), and
// holds an imported record to the record's rules as the extractor does
// (see tidy). It returns the store entry with the LSH band hashes. It
// modifies rec.
func Prepare(rec *store.Record, now time.Time) (store.Entry, error) {
	e, err := prepare(rec, now)
	return e, err
}

// Identify gives the id and content hash Prepare would give rec (an
// article the archive holds with both is found unchanged or refreshed,
// and keeps its capture), without changing rec or computing its
// near-duplicate signature; "" for a record without a usable URL.
func Identify(rec *store.Record) (id, contentHash string) {
	cu := canonicalOf(rec)
	if cu == "" {
		return "", ""
	}
	return canon.ID(cu), dedupe.ContentHash(tidyText(clean(rec.Text)))
}

// canonicalOf is the canonical URL Prepare files rec under, "" when it
// has none.
func canonicalOf(rec *store.Record) string {
	cu := ""
	if rec.URL != "" {
		cu = canon.Choose(rec.URL, rec.CanonicalURL)
	} else if rec.CanonicalURL != "" {
		cu, _ = canon.URL(rec.CanonicalURL) // "" on error
	}
	return cu
}

func prepare(rec *store.Record, now time.Time) (store.Entry, error) {
	cu := canonicalOf(rec)
	if cu == "" {
		return store.Entry{}, noURL(firstNonEmpty(rec.URL, rec.CanonicalURL))
	}
	rec.CanonicalURL = cu
	if rec.URL == "" {
		rec.URL = cu
	}
	if rec.OriginalURL != "" {
		// Normalised as canonical URLs are (an imported record's may not
		// be); one that is not a URL, or is the article's own, names no
		// original.
		if ou, err := canon.URL(rec.OriginalURL); err == nil && ou != cu {
			rec.OriginalURL = ou
		} else {
			rec.OriginalURL = ""
		}
	}
	rec.ID = canon.ID(cu)
	rec.Title = clean(rec.Title)
	rec.Description = clean(rec.Description)
	rec.Text = clean(rec.Text)
	for i, a := range rec.Authors {
		rec.Authors[i] = clean(a)
	}
	for i, t := range rec.Tags {
		rec.Tags[i] = clean(t)
	}
	rec.SiteName = clean(rec.SiteName)
	rec.Section = clean(rec.Section)
	tidy(rec)
	// Derived from the text, whatever an imported record says (a count
	// from another tool, or a negative one, would disagree with the rest
	// of the archive's).
	rec.WordCount = article.CountWords(rec.Text)
	if rec.FetchedAt.IsZero() {
		rec.FetchedAt = now
	}
	// One normalisation for both fingerprints.
	var sig dedupe.Signature
	rec.ContentHash, sig = dedupe.Fingerprint(rec.Text)
	return store.Entry{Record: rec, Bands: sig.Bands()}, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// clean drops control characters but newline and tab.
func clean(s string) string {
	if strings.IndexFunc(s, isStray) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isStray(r) {
			return -1
		}
		return r
	}, s)
}

func isStray(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }

// Ingest stores recs in one transaction and reports each one's fate. It
// modifies the records (see Prepare and store.Tx.Put). A record that
// cannot be filed gets Result.Err and the others go on; a store failure
// or a cancelled context rolls the whole batch back and is returned.
//
// The work that needs no lookups (canonical URL, cleaning, fingerprints,
// and the store's own preparation such as compressing the text) is done
// first, on all CPUs, before the transaction; the transaction then only
// decides clusters and writes, so it holds the write lock briefly. Bulk
// imports should pass batches of a few thousand records: the store's
// random-access indexes are rewritten page by page at each commit, and a
// bigger batch shares those pages among more articles.
func Ingest(ctx context.Context, st store.Store, recs []*store.Record) ([]Result, error) {
	prepared, err := prepareAll(ctx, st, recs, time.Now().UTC())
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	return storeAll(ctx, st, prepared)
}

// Rewrite stores recs as Ingest does, each as a rewrite of the version
// of the stored article it was made from (its Version; see
// store.Entry.IfVersion): an article deleted since it was read is not
// stored again (store.Gone), and one stored at another version since is
// left alone (store.Superseded). An ordinary Put of it would bring a
// deleted article back, or store an old reading over a newer version.
// A record without a Version gets Result.Err. herald reextract stores
// what it rebuilt with Rewrite.
func Rewrite(ctx context.Context, st store.Store, recs []*store.Record) ([]Result, error) {
	prepared, err := prepareAll(ctx, st, recs, time.Now().UTC())
	if err != nil {
		return nil, fmt.Errorf("rewrite: %w", err)
	}
	for i := range prepared {
		p := &prepared[i]
		switch {
		case p.err != nil:
		case recs[i].Version < 1:
			p.err = fmt.Errorf("rewrite %s: %w: no version read", recs[i].ID, store.ErrInvalid)
		default:
			p.entry.IfVersion = recs[i].Version
		}
	}
	return storeAll(ctx, st, prepared)
}

// storeAll is Ingest's transaction, for records prepared by prepareAll.
func storeAll(ctx context.Context, st store.Store, prepared []preparedRecord) ([]Result, error) {
	tx, err := st.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	defer tx.Rollback()
	if pf, ok := tx.(store.NamingPrefetcher); ok {
		// FirstNaming is asked of the originals the batch names and of
		// its own canonical URLs (see declaredCluster).
		var urls []string
		for _, p := range prepared {
			if p.err == nil {
				urls = append(urls, p.entry.Record.CanonicalURL, p.entry.Record.OriginalURL)
			}
		}
		if err := pf.PrefetchNaming(ctx, urls); err != nil {
			return nil, fmt.Errorf("ingest: %w", err)
		}
	}
	if pf, ok := tx.(store.CandidatePrefetcher); ok {
		lists := make([][]uint64, 0, len(prepared))
		for _, p := range prepared {
			if p.err == nil && len(p.entry.Bands) > 0 {
				lists = append(lists, p.entry.Bands)
			}
		}
		if err := pf.PrefetchCandidates(ctx, lists); err != nil {
			return nil, fmt.Errorf("ingest: %w", err)
		}
	}
	results := make([]Result, len(prepared))
	// The texts written in this batch, by id: a copy later in the batch
	// compares with them without reading them back.
	batch := make(map[string]string, len(prepared))
	for i := range prepared {
		p := &prepared[i]
		if p.err != nil {
			results[i].Err = p.err
			continue
		}
		res, err := put(ctx, tx, p.entry, batch)
		if errors.Is(err, store.ErrInvalid) {
			results[i].Err = err
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("ingest: %w", err)
		}
		results[i] = res
		switch res.Outcome {
		case store.Withheld, store.Gone, store.Superseded:
			continue // not stored: nothing later in the batch joins it
		}
		// Whatever the outcome, the stored text now normalises as this one.
		batch[res.ID] = p.entry.Record.Text
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	return results, nil
}

type preparedRecord struct {
	entry store.Entry
	err   error
}

// minPerWorker is the fewest records worth a goroutine of their own.
const minPerWorker = 16

// prepareAll prepares recs concurrently, one goroutine per CPU, and lets
// the store prepare its part of each entry when it can.
func prepareAll(ctx context.Context, st store.Store, recs []*store.Record, now time.Time) ([]preparedRecord, error) {
	out := make([]preparedRecord, len(recs))
	sp, _ := st.(store.EntryPreparer)
	one := func(i int) {
		p := &out[i]
		p.entry, p.err = prepare(recs[i], now)
		if p.err == nil && sp != nil {
			sp.PrepareEntry(&p.entry)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), (len(recs)+minPerWorker-1)/minPerWorker)
	if workers <= 1 {
		for i := range recs {
			one(i)
		}
		return out, ctx.Err()
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(recs) {
					return
				}
				one(i)
			}
		})
	}
	wg.Wait()
	return out, ctx.Err()
}

// put decides the cluster of a prepared entry and writes it.
func put(ctx context.Context, tx store.Tx, e store.Entry, batch map[string]string) (Result, error) {
	r := e.Record
	cluster, err := findCluster(ctx, tx, e, batch, false)
	if err != nil {
		return Result{}, fmt.Errorf("put %s: %w", r.CanonicalURL, err)
	}
	r.ClusterID = cluster
	out, err := tx.Put(ctx, e)
	if err != nil {
		return Result{}, err
	}
	return Result{ID: r.ID, Outcome: out, ClusterID: r.ClusterID, Version: r.Version}, nil
}

// findCluster returns the cluster a new article should join, or "" for
// its own. For an article already archived the store ignores it. Its
// text decides first (similarCluster); failing that, what the publishers
// declared (declaredCluster). With stored, e is an archived article
// whose cluster is decided again (Recluster): it is no match of its own.
func findCluster(ctx context.Context, tx store.Lookup, e store.Entry, batch map[string]string, stored bool) (string, error) {
	if identifies(e) {
		cluster, known, err := similarCluster(ctx, tx, e, batch, stored)
		if err != nil || cluster != "" || known {
			return cluster, err
		}
	}
	return declaredCluster(ctx, tx, e)
}

// declaredCluster returns the cluster of the archived article that e
// names as its original (OriginalURL, the canonical URL it declares on
// another site); else that of the earliest archived article naming the
// same original (a copy of it); else that of the earliest archived
// article that names e as its original; else "". A declared copy is the
// same story even when its text is too short or too edited to match by
// text (a teaser, a rewrite of a wire story), in whichever order the
// original and its copies are archived.
func declaredCluster(ctx context.Context, tx store.Lookup, e store.Entry) (string, error) {
	r := e.Record
	if r.OriginalURL != "" {
		o, err := tx.Get(ctx, canon.ID(r.OriginalURL))
		switch {
		case err == nil:
			return o.ClusterID, nil
		case !errors.Is(err, store.ErrNotFound):
			return "", err
		}
		if c, ok, err := tx.FirstNaming(ctx, r.OriginalURL); err != nil || ok && c.ID != r.ID {
			return c.ClusterID, err
		}
	}
	c, ok, err := tx.FirstNaming(ctx, r.CanonicalURL)
	if err != nil || !ok || c.ID == r.ID {
		return "", err
	}
	return c.ClusterID, nil
}

// similarCluster returns the cluster of an archived article whose text
// is e's or a near duplicate of it, or "" for none; known is true when
// e's own article already holds this text (the store will say
// Unchanged). With stored, e is an archived article (herald recluster):
// its own row is no match, and known is never true. Candidates come from the LSH bands; each is confirmed by
// the exact Jaccard similarity of its text's shingles with the new
// text's (the MinHash estimate alone misses about 6% of pairs at J =
// 0.85). A candidate's text is read from the store unless it was written
// earlier in this batch (batch holds those texts by id).
func similarCluster(ctx context.Context, tx store.Lookup, e store.Entry, batch map[string]string, stored bool) (cluster string, known bool, err error) {
	id := e.Record.ID
	same, err := tx.ByHash(ctx, e.Record.ContentHash)
	if err != nil {
		return "", false, err
	}
	if !stored && slices.ContainsFunc(same, func(c store.Candidate) bool { return c.ID == id }) {
		return "", true, nil // unchanged: the store will say so
	}
	for _, c := range same {
		if c.ID != id {
			return c.ClusterID, false, nil // the oldest other
		}
	}
	cands, err := tx.Candidates(ctx, e.Bands, maxCandidates)
	if err != nil {
		return "", false, err
	}
	var mine dedupe.Shingles // the new text's, once there is a candidate
	best, bestSim := "", 0.0
	for _, c := range cands {
		if c.ID == id {
			continue
		}
		text, ok := batch[c.ID]
		if !ok {
			r, err := tx.Get(ctx, c.ID)
			if err != nil {
				return "", false, err
			}
			text = r.Text
		}
		if mine == nil {
			mine = dedupe.ShingleSet(e.Record.Text)
		}
		if s := mine.Jaccard(dedupe.ShingleSet(text)); s >= dedupe.Threshold && s > bestSim {
			best, bestSim = c.ClusterID, s
		}
	}
	return best, false, nil
}
