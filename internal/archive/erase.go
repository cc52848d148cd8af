package archive

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// CaptureSummary is what Delete did to the raw captures of the articles
// it deleted (DeleteOptions.EraseCaptures).
type CaptureSummary struct {
	// Erased counts the captures (of the articles and of their earlier
	// versions) erased from the archive's WARC files, by this run or by
	// an earlier one that stopped before deleting their articles; with
	// DryRun, those that would be.
	Erased int `json:"erased"`
	// Records counts the WARC records overwritten: the captured responses
	// with their request records, the records that refer to them and the
	// redirects that led to them. With DryRun, those that would be,
	// without the feed and sitemap captures that would be erased whole
	// (ErasedWhole), whose tied records only the run itself finds.
	Records int `json:"records"`
	// Unreferenced counts, among Erased, the captures of the deleted
	// pages that no article pointed at (DeleteOptions.CaptureOwner).
	Unreferenced int `json:"unreferenced,omitempty"`
	// Files counts the WARC files that held them, or feed and sitemap
	// captures Redacted or ErasedWhole.
	Files int `json:"files"`
	// Scanned counts the WARC files read to look for unreferenced
	// captures.
	Scanned int `json:"scanned,omitempty"`
	// Redacted counts the captures of feeds and sitemaps (RSS, Atom,
	// JSON Feed, XML and text sitemaps) and of HTML pages, in the files
	// Scanned, rewritten in place with their entries that name a deleted
	// page, or their links to it, blanked; and Entries those entries and
	// links (with an RSS 1.0 channel's references to them, each
	// counted); with DryRun, those that would be.
	Redacted int `json:"redacted,omitempty"`
	Entries  int `json:"redacted_entries,omitempty"`
	// ErasedWhole counts the feed and sitemap captures naming a deleted
	// page that were erased whole instead, their other entries with
	// them: a body in content codings that cannot be rewritten (two
	// stacked, or one other than gzip, deflate, br and zstd), a document
	// that breaks off after naming it, or a redacted copy that did not
	// fit in the record's space. Their records are counted in Records.
	ErasedWhole int `json:"erased_whole,omitempty"`
	// Whole lists those captures, and why each could not be redacted.
	Whole []WholeCapture  `json:"whole,omitempty"`
	files map[string]bool // counted in Files

	// Left lists the captures left where they are: in WARC files the
	// user imported (herald import warc), which Herald never rewrites,
	// or in files Herald did not write.
	Left []LeftCapture `json:"left,omitempty"`
}

// LeftCapture is a raw capture Delete did not erase, and why.
type LeftCapture struct {
	// ID is the article's.
	ID string `json:"id"`
	// File and Offset say where the capture is (File as stored, resolved
	// against DeleteOptions.CaptureBase when relative).
	File   string `json:"file"`
	Offset int64  `json:"offset"`
	// Why is "imported" (a WARC file the user imported) or "foreign" (a
	// file that is not one a harvest wrote: see warc.ErrForeignFile).
	Why string `json:"why"`
}

// WholeCapture is a capture of a feed or sitemap naming a deleted page
// that Delete erased whole rather than redacted (with DryRun, would).
type WholeCapture struct {
	// URL is the document's, File and Offset where its capture was.
	URL    string `json:"url"`
	File   string `json:"file"`
	Offset int64  `json:"offset"`
	// Why says why it could not be redacted in place: one of the Why
	// values of warc.RedactResult.Whole.
	Why string `json:"why"`
}

// Why values of LeftCapture.
const (
	LeftImported = "imported"
	LeftForeign  = "foreign"
)

// CaptureError is the error of Delete when a capture of a batch could
// not be erased (its file is missing or unreadable, or the record is
// not where the archive says). Nothing of that batch was deleted.
type CaptureError struct {
	ID, File string
	Err      error
}

func (e *CaptureError) Error() string {
	if e.ID == "" {
		return fmt.Sprintf("erase captures in %s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("erase the capture of %s in %s: %v", e.ID, e.File, e.Err)
}

func (e *CaptureError) Unwrap() error { return e.Err }

// eraseCaptures erases the raw captures of a batch's articles and of
// their earlier versions, before the batch is deleted: a run stopped
// between the two leaves the articles in the archive, and the next run
// finds their captures erased and deletes them.
//
// A capture belongs to the archive when the record that points at it was
// harvested, or when it lies in one of opts.WARCDirs (where import warc
// --copy-captures copies records): another record imported from a WARC
// file (source "import:…") points into the user's own file, which is
// left as it is and listed in sum.Left, as is a file that is not one
// Herald wrote.
func eraseCaptures(ctx context.Context, st store.Store, batch []Deleted, opts DeleteOptions, sum *CaptureSummary) error {
	type target struct {
		id       string
		relative bool // the stored path is relative to opts.CaptureBase
		t        warc.EraseTarget
	}
	files := map[string][]target{}
	for _, a := range batch {
		versions, err := st.Versions(ctx, a.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue // another process deleted it meanwhile
		}
		if err != nil {
			return err
		}
		seen := map[store.Capture]bool{}
		for _, r := range versions {
			c := r.Capture
			if c == nil || c.File == "" || seen[*c] {
				continue
			}
			seen[*c] = true
			path := store.CaptureFile(c.File, opts.CaptureBase)
			if !archiveOwns(r, path, opts) {
				sum.Left = append(sum.Left, LeftCapture{ID: a.ID, File: path, Offset: c.Offset, Why: LeftImported})
				continue
			}
			t := warc.EraseTarget{Offset: c.Offset, RecordID: c.RecordID, URLs: []string{r.URL, r.CanonicalURL}}
			if start, known := c.Chain(); known && start < c.Offset {
				t.ChainOffset = start // its redirects, meta refresh pages too
			}
			files[path] = append(files[path], target{a.ID, !filepath.IsAbs(c.File), t})
		}
	}
	for _, path := range slices.Sorted(maps.Keys(files)) {
		if err := ctx.Err(); err != nil {
			return err
		}
		ts := files[path]
		list := make([]warc.EraseTarget, len(ts))
		for i, t := range ts {
			list[i] = t.t
		}
		// A dry run reads the file as the erasure would, and so stops,
		// and leaves a file Herald did not write, where the run would.
		erase := warc.EraseRecords
		if opts.DryRun {
			erase = warc.CheckErasure
		}
		res, err := erase(path, list)
		if errors.Is(err, warc.ErrForeignFile) {
			for _, t := range ts {
				sum.Left = append(sum.Left, LeftCapture{ID: t.id, File: path, Offset: t.t.Offset, Why: LeftForeign})
			}
			continue
		}
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && ts[0].relative {
				err = fmt.Errorf("%w (relative capture paths are taken from %s)", err, absOr(opts.CaptureBase))
			}
			return &CaptureError{ID: ts[0].id, File: path, Err: err}
		}
		sum.Erased += len(ts)
		sum.Records += res.Records
		sum.file(path)
	}
	return nil
}

// file counts path among the files that held erased captures, once.
func (s *CaptureSummary) file(path string) {
	if s.files == nil {
		s.files = map[string]bool{}
	}
	if p := absOr(path); !s.files[p] {
		s.files[p] = true
		s.Files++
	}
}

// absOr returns dir made absolute, or as it is.
func absOr(dir string) string {
	if dir == "" {
		dir = "."
	}
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// archiveOwns reports whether the capture of r, in the WARC file at path,
// is the archive's to erase: harvested, or copied into one of
// opts.WARCDirs; not a record of a file the user imported.
func archiveOwns(r *store.Record, path string, opts DeleteOptions) bool {
	if !strings.HasPrefix(r.Source, "import:") {
		return true
	}
	return slices.ContainsFunc(opts.WARCDirs, func(d string) bool { return store.InDir(path, d) })
}

// chainURLs returns the URLs of the permanent redirects that led to the
// capture c, in the WARC file at path: the hops, read back from the
// capture, that answered 301 or 308 and were followed only by other
// such hops up to it (a short link, the http:// spelling, a story's old
// URL moved for good). A permanent redirect says its URL is the page's,
// so a link to it leads to the page as surely as a link to its URL, and
// the documents naming it are redacted for those too. A temporary one
// (302, 303, 307: /live or /latest sending to the day's story, a feed
// proxy that may send elsewhere tomorrow), a page met on the way that
// is not a redirect (a consent page, a meta refresh interstitial) and
// every hop before them do not count: a link to them is not a link to
// the page. The chain is read from where c says it starts
// (warc.StoredReader.ReadChain) or, where that was not recorded, found
// walking back from the response (FindChain). A file that cannot be
// read, or a chain that cannot be, gives what was found: the erasure
// itself reports the file. The caller drops the hops that are another
// stored article's URL (permanentHops).
func chainURLs(path string, c *store.Capture) []string {
	start, known := c.Chain()
	if known && start >= c.Offset {
		return nil // reached without redirects
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var sr warc.StoredReader
	final, err := sr.Read(f, c.Offset)
	if err != nil || c.RecordID != "" && final.RecordID != c.RecordID {
		return nil
	}
	var chain []*warc.Stored
	if known {
		chain, err = sr.ReadChain(f, start, final)
		if err != nil {
			return nil
		}
	} else {
		chain, _, _ = sr.FindChain(f, final) // what it found, if it stopped at its bound
	}
	var urls []string
	for i := len(chain) - 1; i >= 0; i-- {
		s := chain[i]
		if s.Type != warc.TypeResponse {
			continue // its request, a metadata record
		}
		if s.TargetURI == "" || s.RedirectLocation() == "" || s.HTTPStatus != 301 && s.HTTPStatus != 308 {
			break
		}
		urls = append(urls, s.TargetURI)
	}
	return urls
}

// permanentHops returns, of the hops of the deleted articles' redirect
// chains (chainURLs), once each (as warc.NormURL spells them), those
// that are not another stored article's URL (by its canonical URL's id)
// than the deleted ones, ids: a story the publisher removed and
// redirected for good to the deleted one, but still in the archive,
// keeps its teasers. A store error names the hop looked up.
func permanentHops(ctx context.Context, st store.Store, hops []string, ids map[string]bool) ([]string, error) {
	var kept []string
	seen := map[string]bool{}
	for _, u := range hops {
		n := warc.NormURL(u)
		if seen[n] {
			continue
		}
		seen[n] = true
		if cu, err := canon.URL(u); err == nil {
			id := canon.ID(cu)
			switch _, err := st.Get(ctx, id); {
			case err == nil && !ids[id]:
				continue // another article's
			case err != nil && !errors.Is(err, store.ErrNotFound):
				return nil, fmt.Errorf("looking up the redirect %s: %w", u, err)
			}
		}
		kept = append(kept, u)
	}
	return kept, nil
}

// eraseUnreferenced erases the captures of the targets' pages that no
// article points at: the response records, in the WARC files Herald
// wrote in the folders that hold the targets' own captures and in
// opts.WARCDirs, whose target URI is a URL of a target or of one of its
// versions and that opts.CaptureOwner (when set) files under a target.
// Captures an article points at are left to eraseCaptures. In the same
// files, the captures of feeds, sitemaps and pages that name one of
// those URLs, or a permanent redirect that led to a target's capture
// and is no other stored article's URL (chainURLs, permanentHops),
// are redacted: the entries naming it, the links to it, blanked
// (listing.redaction, warc.RedactRecords).
func eraseUnreferenced(ctx context.Context, st store.Store, targets []Deleted, opts DeleteOptions, sum *CaptureSummary) error {
	ids := map[string]bool{}
	urls := map[string]bool{}
	var hops []string                         // the permanent redirects that led to their captures
	referenced := map[string]map[int64]bool{} // absolute path → offsets
	dirs := map[string]bool{}
	for _, d := range opts.WARCDirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			dirs[absOr(d)] = true
		}
	}
	for _, a := range targets {
		ids[a.ID] = true
		versions, err := st.Versions(ctx, a.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		for _, r := range versions {
			for _, u := range []string{r.URL, r.CanonicalURL} {
				if u != "" {
					urls[warc.NormURL(u)] = true
				}
			}
			if c := r.Capture; c != nil && c.File != "" {
				path := absOr(store.CaptureFile(c.File, opts.CaptureBase))
				hops = append(hops, chainURLs(path, c)...)
				if referenced[path] == nil {
					referenced[path] = map[int64]bool{}
				}
				referenced[path][c.Offset] = true
				if archiveOwns(r, path, opts) {
					dirs[filepath.Dir(path)] = true
				}
			}
		}
	}
	hops, err := permanentHops(ctx, st, hops, ids)
	if err != nil {
		return err
	}
	named := maps.Clone(urls) // urls, and those hops
	for _, u := range hops {
		named[warc.NormURL(u)] = true
	}
	list := newListing(named)
	want := func(rec *warc.Record) bool {
		return opts.CaptureOwner != nil && urls[warc.NormURL(rec.TargetURI)] || list.mayList(rec)
	}
	for _, dir := range slices.Sorted(maps.Keys(dirs)) {
		names, err := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
		if err != nil {
			return err
		}
		for _, path := range names {
			if err := ctx.Err(); err != nil {
				return err
			}
			// An erasure a crash stopped is finished first: its torn
			// records would not show up as responses to erase.
			if !opts.DryRun {
				if err := warc.FinishErasure(path); err != nil {
					return &CaptureError{File: path, Err: err}
				}
			}
			var found, lists []warc.EraseTarget
			var would CaptureSummary             // a dry run's redactions
			listURL := map[string]WholeCapture{} // the documents to redact, by record id
			err := warc.ScanHTTPResponses(path, want, func(rec *warc.Record) error {
				if opts.CaptureOwner != nil && urls[warc.NormURL(rec.TargetURI)] {
					if !referenced[path][rec.Offset] && ids[opts.CaptureOwner(rec)] {
						found = append(found, warc.EraseTarget{Offset: rec.Offset, RecordID: rec.RecordID})
					}
					return nil
				}
				if !list.mentioned(rec.Payload) {
					return nil
				}
				if !opts.DryRun {
					lists = append(lists, warc.EraseTarget{Offset: rec.Offset, RecordID: rec.RecordID})
					listURL[rec.RecordID] = WholeCapture{URL: rec.TargetURI, File: path, Offset: rec.Offset}
					return nil
				}
				switch r := list.redaction(rec); {
				case r.Erase || r.Payload != nil && !rec.Rewritable():
					why := warc.WhyAsked
					if !r.Erase {
						why = warc.WhyEncoding
					}
					would.ErasedWhole++
					would.Whole = append(would.Whole, WholeCapture{URL: rec.TargetURI, File: path, Offset: rec.Offset, Why: why})
				case r.Payload != nil:
					would.Redacted++
					would.Entries += r.Entries
				}
				return nil
			})
			if errors.Is(err, warc.ErrForeignFile) {
				continue // not a file a harvest wrote
			}
			if err != nil {
				return err
			}
			sum.Scanned++
			if len(found) > 0 {
				erase := warc.EraseRecords
				if opts.DryRun {
					erase = warc.CheckErasure
				}
				res, err := erase(path, found)
				if err != nil {
					return &CaptureError{ID: "", File: path, Err: err}
				}
				sum.Records += res.Records
				sum.Erased += len(found)
				sum.Unreferenced += len(found)
				sum.file(path)
			}
			if len(lists) > 0 {
				res, err := warc.RedactRecords(path, lists, list.redaction)
				if err != nil {
					return &CaptureError{ID: "", File: path, Err: err}
				}
				would = CaptureSummary{Redacted: res.Redacted, Entries: res.Entries, ErasedWhole: res.Erased, Records: res.Records}
				for id, why := range res.Whole {
					w := listURL[id]
					w.Why = why
					would.Whole = append(would.Whole, w)
				}
				slices.SortFunc(would.Whole, func(a, b WholeCapture) int { return cmp.Compare(a.Offset, b.Offset) })
			}
			if would.Redacted+would.ErasedWhole > 0 {
				sum.Redacted += would.Redacted
				sum.Entries += would.Entries
				sum.ErasedWhole += would.ErasedWhole
				sum.Whole = append(sum.Whole, would.Whole...)
				sum.Records += would.Records
				sum.file(path)
			}
		}
	}
	return nil
}
