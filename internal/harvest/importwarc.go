package harvest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herald-archive/herald/extract"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// ImportOptions configure ImportWARC. The zero value is ready to use.
type ImportOptions struct {
	// Source is written on every record, e.g. "import:CC-NEWS-….warc.gz".
	// Default "import:warc".
	Source string
	// CapturePath, when set, is stored as each record's capture file (with
	// the record's offset and id), so that herald reextract can read it
	// again. Records of a whole-file gzip WARC share one offset and get
	// no capture reference.
	CapturePath string
	// Workers is how many records are extracted at once. Default
	// GOMAXPROCS.
	Workers int
	// BatchSize is the most records stored per transaction. Default 500.
	BatchSize int
	// Damaged, when set, is called for each damaged record (truncated,
	// corrupt, too large), which is skipped.
	Damaged func(*warc.RecordError)
	// Unreadable, when set, is called for each page record (an HTTP
	// response of status 2xx, or a resource record, of the sites Only
	// keeps) whose body could not be read: cut short of its
	// Content-Length (a crawler's size cap, WARC-Truncated), or in a
	// content coding that does not decode (rec.PayloadErr says why). It
	// is skipped (ReasonUnreadable). It is called from the goroutine
	// that reads the file, in file order.
	Unreadable func(*warc.Record)
	// Mismatch, when set, has the block of each page record of the sites
	// Only keeps checked against its WARC-Block-Digest, and is called
	// for each that does not match (a corrupted copy; err wraps
	// warc.ErrDigestMismatch). Its article is imported all the same,
	// and counted in ImportSummary.Mismatched: herald check --fixity and
	// export --format warc will call its capture damaged. It is called
	// from the goroutine that reads the file, in file order.
	Mismatch func(rec *warc.Record, err error)
	// Only narrows the import to some sites and languages.
	Only Only
	// CopyTo, when set, gets a copy of the records of each article
	// extracted: its response record, and its request record (the one
	// before it or after it), read from CopyFrom at their offsets (the
	// file being imported), and copied as stored
	// (warc.Writer.CopyRecords). The article's capture reference names
	// the copy, by its path relative to CaptureBase when under it, so the
	// imported file is no longer needed. An article the archive already
	// holds from this very record keeps the reference it has, and
	// nothing is copied twice; one the archive finds unchanged from
	// another capture leaves its copy unreferenced.
	CopyTo      *warc.Writer
	CopyFrom    io.ReaderAt
	CaptureBase string
	// CopyFailed, when set, is told of each article whose records could
	// not be copied, and why: it is skipped (ReasonNotCopied), not
	// stored naming a capture the archive does not have. It is called
	// from several goroutines at once.
	CopyFailed func(*warc.Record, error)
}

// Only narrows an import to the pages of some sites and the articles in
// some languages; the others are skipped and counted (ReasonOtherSite,
// ReasonOtherLanguage, ReasonLanguageUnknown). The zero value keeps
// everything.
type Only struct {
	// Sites are values of site: as query.FilterValue gives them: a page
	// is kept when its URL's host is one of them or under one, as site:
	// matches. Pages of other sites are skipped before they are
	// extracted.
	Sites []string
	// Languages are values of lang: as query.FilterValue gives them: an
	// article is kept when its language is one of them, as lang:
	// matches (pt keeps pt and pt-BR), which extraction tells.
	Languages []string
}

// Why a page Only does not keep is skipped.
const (
	ReasonOtherSite       = "other site"
	ReasonOtherLanguage   = "other language"
	ReasonLanguageUnknown = "language unknown"
)

// onSite reports whether Only keeps the pages of url's site.
func (o Only) onSite(rawURL string) bool {
	if len(o.Sites) == 0 {
		return true
	}
	u := rawURL
	if c, err := canon.URL(rawURL); err == nil {
		u = c // its host in lower-case ASCII (punycode), as the archive keeps hosts
	}
	host := store.SiteHost(u)
	return host != "" && slices.ContainsFunc(o.Sites, func(site string) bool { return query.OnSite(host, site) })
}

// languageSkip gives the reason an article in lang is not kept when
// only langs are (Only.Languages), "" when it is.
func languageSkip(langs []string, lang string) string {
	switch {
	case len(langs) == 0:
		return ""
	case lang == "":
		return ReasonLanguageUnknown
	case !slices.ContainsFunc(langs, func(tag string) bool { return query.InLanguage(lang, tag) }):
		return ReasonOtherLanguage
	}
	return ""
}

// ImportSummary is what an import did.
type ImportSummary struct {
	// Responses counts the pages read: HTTP response records and resource
	// records.
	Responses int `json:"responses"`
	// New, Updated, Refreshed, Unchanged and Duplicate are the archive's
	// verdicts; an article the archive withholds is skipped
	// (ReasonWithheld).
	New       int `json:"new"`
	Updated   int `json:"updated"`
	Refreshed int `json:"refreshed"`
	Unchanged int `json:"unchanged"`
	Duplicate int `json:"duplicate"`
	// Skipped counts records not stored, by reason: pages ("not html",
	// "http 404", "not article", "soft 404", "unreadable payload", …) and the records
	// that are not pages, by WARC-Type ("request records", "metadata
	// records", "warcinfo records", … and ReasonNotHTTP for a response
	// holding no HTTP response).
	Skipped map[string]int `json:"skipped"`
	// Damaged counts damaged records skipped (see ImportOptions.Damaged).
	Damaged int `json:"damaged"`
	// Mismatched counts the page records whose block did not match its
	// WARC-Block-Digest (see ImportOptions.Mismatch), imported all the
	// same.
	Mismatched int `json:"digest_mismatch,omitempty"`
	// NoCapture counts the articles written (new, updated, duplicate)
	// without a capture reference: in a file gzipped as one stream rather
	// than one gzip member per record, records after the first share the
	// stream's offset and cannot be read back one by one.
	NoCapture int `json:"without_capture,omitempty"`
	// Copied counts the articles whose records were copied
	// (ImportOptions.CopyTo). KeptSource counts those the archive held
	// already, unchanged, from this same file, whose capture references
	// still name it: it is still needed.
	Copied     int `json:"copied,omitempty"`
	KeptSource int `json:"kept_source,omitempty"`
	// Bytes is the payload bytes read.
	Bytes    int64          `json:"bytes"`
	Duration archive.Millis `json:"duration_ms"`
}

// Stored is the number of articles the archive accepted.
func (s *ImportSummary) Stored() int {
	return s.New + s.Updated + s.Refreshed + s.Unchanged + s.Duplicate
}

// ReasonUnreadable: a WARC response whose HTTP message could not be parsed
// or decoded.
const ReasonUnreadable = "unreadable payload"

// ReasonNotHTTP: a response record that holds no HTTP response (a DNS
// lookup, an FTP or Gopher exchange).
const ReasonNotHTTP = "response not http"

// warcPage reports whether a WARC record holds a page to extract: an HTTP
// response, or a resource record (a document stored as such, as wget and
// some crawlers write pages; its type decides later whether it is HTML).
// For any other record it returns the reason it is skipped, so that every
// record of a file is accounted for in the summary.
func warcPage(rec *warc.Record) (ok bool, skip string) {
	switch {
	case rec.Type == warc.TypeResource:
		return true, ""
	case rec.Type != warc.TypeResponse:
		if rec.Type == "" {
			return false, "no WARC-Type"
		}
		return false, rec.Type + " records"
	case !rec.IsHTTPResponse():
		return false, ReasonNotHTTP
	}
	return true, ""
}

// ImportWARC streams the WARC file r (plain, gzip per record or whole-file
// gzip, such as Common Crawl's CC-NEWS) and stores the articles of its HTML
// response and resource records through the same extraction and
// archive.Ingest path as a harvest. Other records, non-HTML pages, error
// statuses and pages that are not articles are counted as skipped; damaged
// records are reported to opts.Damaged and skipped. A storage failure or
// the end of ctx stops the import (what was extracted is stored first), as
// does a read error of r itself.
func ImportWARC(ctx context.Context, st store.Store, r io.Reader, opts ImportOptions) (*ImportSummary, error) {
	start := time.Now()
	source := opts.Source
	if source == "" {
		source = "import:warc"
	}
	sum := &ImportSummary{Skipped: map[string]int{}}
	noCapture := 0        // written by the storing goroutine, read after in.close
	var readers sync.Pool // *warc.StoredReader, one a worker at a time
	var copied, keptSource atomic.Int64
	in := newIngester(ctx, st, opts.Workers, opts.BatchSize, archive.Ingest, func(job any) (*store.Record, string) {
		wr := job.(importJob).rec
		rec, skip := warcRecord(wr, source, opts.CapturePath, opts.Only.Languages, false)
		if rec != nil && opts.CopyTo != nil && wr.Offset >= 0 {
			sr, _ := readers.Get().(*warc.StoredReader)
			if sr == nil {
				sr = new(warc.StoredReader)
			}
			c, how, err := copyCapture(ctx, st, sr, job.(importJob), rec, opts)
			readers.Put(sr)
			switch how {
			case copiedNow:
				copied.Add(1)
			case keptInSource:
				keptSource.Add(1)
			}
			if err != nil {
				if opts.CopyFailed != nil {
					opts.CopyFailed(wr, err)
				}
				return nil, ReasonNotCopied
			}
			rec.Capture = c
		}
		return rec, skip
	}, func(job any, res archive.Result, skip string) {
		if skip == "" && res.Err == nil && res.Outcome != store.Unchanged && res.Outcome != store.Withheld && job.(importJob).rec.Offset < 0 {
			noCapture++ // an unchanged article keeps the record (and reference) it had
		}
	})

	rd := warc.NewReader(r)
	prevOffset := int64(-1)
	shared := map[int64]bool{} // offsets holding more than one record
	var lastReq *warc.Record   // the last request record read
	var chains warc.ChainTracker
	var readErr error
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *warc.RecordError
		if errors.As(err, &re) {
			chains.Damaged()
			sum.Damaged++
			if opts.Damaged != nil {
				opts.Damaged(re)
			}
			continue
		}
		if err != nil {
			readErr = fmt.Errorf("import warc: %w", err)
			break
		}
		if rec.Offset == prevOffset {
			shared[rec.Offset] = true
		}
		prevOffset = rec.Offset
		if opts.CopyTo != nil {
			chains.Add(rec)
		}
		if ok, skip := warcPage(rec); !ok {
			sum.Skipped[skip]++
			if rec.Type == warc.TypeRequest {
				// Kept (its header) for the response after it, whose
				// request it may be, as crawlers write them (CC-NEWS).
				lastReq, rec.Block, rec.Payload = rec, nil, nil
			}
			continue
		}
		sum.Responses++
		sum.Bytes += int64(len(rec.Payload))
		if !opts.Only.onSite(rec.TargetURI) {
			sum.Skipped[ReasonOtherSite]++
			continue
		}
		opts.tellUnreadable(rec)
		if notPage(rec) == "" && opts.checkDigest(rec) {
			sum.Mismatched++
		}
		if shared[rec.Offset] {
			rec.Offset = -1 // no usable capture reference
		}
		rec.Block = nil // only the payload is needed from here on
		job := importJob{rec: rec, req: -1, chain: rec.Offset}
		if lastReq != nil && lastReq.Offset >= 0 && warc.Concurrent(rec, lastReq) {
			job.req = lastReq.Offset
		}
		if opts.CopyTo != nil && rec.Offset >= 0 {
			var err error
			job.chain, err = chains.Start()
			job.chainSure = err == nil
		}
		if !in.submit(job) {
			break
		}
	}
	err := in.close()
	sum.New, sum.Updated = in.outcomes[store.New], in.outcomes[store.Updated]
	sum.Unchanged, sum.Duplicate = in.outcomes[store.Unchanged], in.outcomes[store.Duplicate]
	sum.Refreshed = in.outcomes[store.Refreshed]
	if n := in.outcomes[store.Withheld]; n > 0 {
		sum.Skipped[ReasonWithheld] += n
	}
	sum.NoCapture = noCapture
	sum.Copied, sum.KeptSource = int(copied.Load()), int(keptSource.Load())
	for k, v := range in.skipped {
		sum.Skipped[k] += v
	}
	sum.Duration = archive.Millis(time.Since(start))
	switch {
	case err != nil:
		return sum, fmt.Errorf("import warc: %w", err)
	case readErr != nil:
		return sum, readErr
	case ctx.Err() != nil:
		return sum, fmt.Errorf("import warc: %w", ctx.Err())
	}
	return sum, nil
}

// importJob is a page of a WARC file to extract: its record, and where
// the request record for it is when it came just before it (-1 when
// not).
type importJob struct {
	rec *warc.Record
	req int64
	// chain is where the redirect chain written right before the record
	// starts (its own offset for none), found as the file was read
	// (warc.ChainTracker), for copies (ImportOptions.CopyTo); chainSure
	// says it may not have begun earlier.
	chain     int64
	chainSure bool
}

// How copyCapture gave an article its capture reference.
const (
	copiedNow     = iota // its records copied
	copiedBefore         // the copy made when it was imported before
	keptInSource         // unchanged: the reference it has, into the file being imported
	keptElsewhere        // unchanged: the reference it has, elsewhere
)

// copyCapture gives the article rec, extracted from j.rec, the capture
// reference it is to be stored with when its records are copied
// (ImportOptions.CopyTo): the reference it has already when the archive
// holds it from this very record, copied before, or holds its text
// unchanged (the archive keeps the capture it has: a copy would be
// referred to by nothing); else that of a copy made now, of the
// response record, then its request record (the one before it, as
// CC-NEWS writes them, or the one after it, as Herald does). An error is
// why the article cannot be stored: the archive must not name a capture
// it does not have.
func copyCapture(ctx context.Context, st store.Store, sr *warc.StoredReader, j importJob, rec *store.Record, opts ImportOptions) (*store.Capture, int, error) {
	wr := j.rec
	if id, hash := archive.Identify(rec); id != "" {
		old, err := st.Get(ctx, id)
		if err == nil && old.Capture != nil && old.Capture.File != "" {
			path := store.JoinCapture(old.Capture.File, opts.CaptureBase)
			switch {
			case old.Capture.RecordID == wr.RecordID && wr.RecordID != "" && store.InDir(path, opts.CopyTo.Dir()):
				return old.Capture, copiedBefore, nil
			case old.ContentHash == hash && opts.CapturePath != "" && filepath.Clean(path) == filepath.Clean(opts.CapturePath):
				return old.Capture, keptInSource, nil
			case old.ContentHash == hash:
				return old.Capture, keptElsewhere, nil
			}
		}
	}
	resp, req, err := sr.ReadExchange(opts.CopyFrom, wr.Offset, j.req)
	if err == nil && resp.RecordID != wr.RecordID {
		err = fmt.Errorf("another record (%s) at offset %d", resp.RecordID, wr.Offset)
	}
	if err != nil {
		return nil, 0, err
	}
	// The redirects that led to the response, when the file has them
	// right before it (found as it was read), are copied before it, then
	// the response and its request, as a harvest writes them. Where they
	// cannot be read as a chain (a damaged one), the response is copied
	// without them, and where it may have begun earlier than found, the
	// copy does not say where it starts.
	upTo := resp // the chain ends at the response, or at its request before it
	if req != nil && req.Offset < resp.Offset {
		upTo = req
	}
	chain, err := sr.ReadChain(opts.CopyFrom, j.chain, upTo)
	sure := j.chainSure && err == nil
	if err != nil {
		chain = nil
	}
	recs := append(chain, resp)
	if req != nil {
		recs = append(recs, req)
	}
	refs, err := opts.CopyTo.CopyRecords(ctx, opts.CopyFrom, recs...)
	if err != nil {
		return nil, 0, err
	}
	ref := refs[len(chain)]
	c := &store.Capture{File: capturePath(opts.CopyTo.Dir(), ref.File, opts.CaptureBase), Offset: ref.Offset, RecordID: ref.RecordID}
	if sure {
		c.ChainOffset = refs[0].Offset
	}
	return c, copiedNow, nil
}

// ReasonNotCopied: an article whose records could not be copied
// (ImportOptions.CopyTo, CopyFailed).
const ReasonNotCopied = "capture not copied"

// warcRecord extracts the article of a WARC response or resource record;
// langs, when given, are the languages to keep (Only.Languages). listed
// says that a feed or a news sitemap listed the page (see isArticle).
func warcRecord(wr *warc.Record, source, capturePath string, langs []string, listed bool) (*store.Record, string) {
	if skip := notPage(wr); skip != "" {
		return nil, skip
	}
	ct := wr.PayloadContentType()
	res, err := extractSafely(wr.Payload, extract.Options{
		URL:             wr.TargetURI,
		ContentType:     ct,
		ContentLanguage: wr.HTTPHeader.Get("Content-Language"),
		FetchedAt:       wr.Date,
	})
	if errors.Is(err, errCrashed) {
		return nil, ReasonCrashed
	}
	if err != nil {
		return nil, classify(err).reason
	}
	if !isArticle(res, wr.TargetURI, listed) {
		return nil, ReasonNotArticle
	}
	if isSoft404(res) {
		return nil, ReasonSoft404
	}
	if skip := languageSkip(langs, res.Article.Language); skip != "" {
		return nil, skip
	}
	rec := &store.Record{
		Article:          res.Article,
		FetchedAt:        wr.Date.UTC(),
		Source:           source,
		ExtractorVersion: extract.Version,
	}
	if capturePath != "" && wr.Offset >= 0 {
		rec.Capture = &store.Capture{File: capturePath, Offset: wr.Offset, RecordID: wr.RecordID}
	}
	return rec, ""
}

// notPage is the one page filter of a WARC response or resource record,
// before its payload is extracted: it returns why the record is no page
// to import (its HTTP status when not 2xx, ReasonUnreadable,
// ReasonNotHTML), or "" for a page. The status comes first: a redirect
// whose body was cut (WARC-Truncated) is a redirect, not an unreadable
// page.
func notPage(wr *warc.Record) string {
	if wr.HTTPStatus != 0 && (wr.HTTPStatus < 200 || wr.HTTPStatus > 299) {
		return fmt.Sprintf("http %d", wr.HTTPStatus)
	}
	if wr.PayloadErr != nil {
		return ReasonUnreadable
	}
	if ct := wr.PayloadContentType(); ct != "" && !isHTMLContentType(ct) {
		return ReasonNotHTML
	}
	return ""
}

// tellUnreadable tells opts.Unreadable of a page record whose payload
// could not be read, which warcRecord and CaptureJobs skip as
// ReasonUnreadable: its status is read first, as they do, so a cut
// redirect is a redirect, and a record declared to be something else than
// HTML (a cut video or PDF, counted all the same) is no page to name.
func (opts ImportOptions) tellUnreadable(rec *warc.Record) {
	if opts.Unreadable == nil || notPage(rec) != ReasonUnreadable {
		return
	}
	if ct := rec.PayloadContentType(); ct == "" || isHTMLContentType(ct) {
		opts.Unreadable(rec)
	}
}

// checkDigest checks rec's block against its WARC-Block-Digest when
// opts.Mismatch is set (callers ask it only of pages, notPage), tells it of a mismatch and reports whether there
// was one.
func (opts ImportOptions) checkDigest(rec *warc.Record) bool {
	if opts.Mismatch == nil {
		return false
	}
	err := rec.CheckBlockDigest()
	if err == nil {
		return false
	}
	opts.Mismatch(rec, err)
	return true
}

// isHTMLContentType reports whether a declared Content-Type may be HTML:
// HTML and XHTML, and the generic types servers send when they do not
// know (the extractor sniffs those).
func isHTMLContentType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	}
	switch mt {
	case "text/html", "application/xhtml+xml", "text/plain", "application/octet-stream", "":
		return true
	}
	return false
}
