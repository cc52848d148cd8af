package export

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// WARCOptions configure a WARCWriter.
type WARCOptions struct {
	// Open opens a capture's WARC file by the name the archive keeps for
	// it (relative names are the caller's to resolve). Its error is said
	// to the user as the reason the capture is left out: name the file.
	Open func(name string) (*os.File, error)
	// Versions, when set, gives an article's versions, oldest first and
	// the article itself last (store.Versions): the captures of its
	// earlier versions are written before its own. Nil leaves them out.
	Versions func(ctx context.Context, id string) ([]*store.Record, error)
	// Plain writes the records uncompressed (a .warc file) rather than
	// each as its own gzip member (.warc.gz).
	Plain bool
	// Skip, when set, is called for each capture left out and each
	// article without one, as it is met.
	Skip func(Skip)
}

// Skip is a capture a WARC export left out, or an article it had none
// for.
type Skip struct {
	// ID is the article's id, Version the earlier version's number (0
	// for the article as it stands), URL its URL.
	ID      string
	Version int
	URL     string
	// File and Offset are the capture reference, empty for an article
	// without one.
	File   string
	Offset int64
	// Chain says the capture itself was written, but not the redirects
	// that led to it (they lie from ChainOffset up to Offset, when that
	// was recorded, else right before Offset).
	Chain       bool
	ChainOffset int64
	// Reason says why, in words.
	Reason string
}

// NoCapture is the Reason of a Skip for an article without a capture.
const NoCapture = "no raw capture was kept (imported from JSON lines or text, or harvested with captures off)"

// String gives the skip as one line: the article, the capture and why.
func (s Skip) String() string {
	var b strings.Builder
	b.WriteString(s.ID)
	if s.Version > 0 {
		fmt.Fprintf(&b, " (version %d)", s.Version)
	}
	if s.URL != "" {
		b.WriteString(" " + s.URL)
	}
	if s.File != "" {
		fmt.Fprintf(&b, ": capture %s at offset %d", s.File, s.Offset)
	}
	if s.Chain {
		b.WriteString(" was written, but not the redirects before it")
		if s.ChainOffset > 0 && s.ChainOffset < s.Offset {
			fmt.Fprintf(&b, " (from offset %d)", s.ChainOffset)
		}
	}
	b.WriteString(": " + s.Reason)
	return b.String()
}

// WARCSummary counts what a WARCWriter wrote and left out.
type WARCSummary struct {
	// Articles counts the articles given to Write; Captures the captures
	// copied (the articles' and their earlier versions'), Records the
	// records written for them (responses and their requests, and the
	// redirects before them).
	Articles int `json:"articles"`
	Captures int `json:"captures"`
	Records  int `json:"records"`
	// Chains counts the captures written with the redirects that led to
	// them, Redirects those redirects' records (responses and requests;
	// counted in Records too).
	Chains    int `json:"chains"`
	Redirects int `json:"redirect_records"`
	// NoCapture counts the articles that had none; Skipped the captures
	// that could not be copied; ChainsSkipped the captures written
	// without the redirects that led to them, which could not be copied
	// (Skip.Chain).
	NoCapture     int `json:"no_capture"`
	Skipped       int `json:"skipped"`
	ChainsSkipped int `json:"chains_skipped"`
	// ChainsUnsure counts the captures that do not say where their
	// redirects start (stored before chain offsets were recorded) for
	// which the walk back from the response stopped at a record it could
	// not read within its bound, or at MaxChainRecords records of
	// redirects (warc.ErrChainUnsure): the redirects written, if any, may
	// have begun earlier.
	ChainsUnsure int `json:"chains_unsure"`
}

// WARCInfo describes an export for its warcinfo record.
type WARCInfo struct {
	// Software names the program and its version (fetch.DefaultUserAgent()).
	Software string
	// Query is the query as given ("" for every article); Collapse and
	// Versions say how the export was made.
	Query    string
	Collapse bool
	Versions bool
	// ChangedSince, when set, is the time a delta starts from (herald
	// export --changed-since).
	ChangedSince time.Time
	// Archive names the archive exported (its file name, a database).
	Archive string
	// Filename is the WARC file's name, when it has one.
	Filename string
	// Print is what the export holds (Fingerprint), from which the
	// warcinfo record's id and date are made, so that the same export
	// of the same archive gives the same bytes.
	Print *Fingerprint
}

// Fingerprint sums up the articles an export will write: a digest of
// their ids, versions and capture references, and the newest fetch time.
// Feed it the same articles, in the same order, that are then written.
type Fingerprint struct {
	h hash.Hash
	// Newest is the newest fetch time of the articles added, N how many
	// were.
	Newest time.Time
	N      int
}

// Add counts r in the fingerprint.
func (f *Fingerprint) Add(r *store.Record) {
	if f.h == nil {
		f.h = sha256.New()
	}
	f.N++
	if r.FetchedAt.After(f.Newest) {
		f.Newest = r.FetchedAt
	}
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(r.Version))
	f.h.Write([]byte(r.ID))
	f.h.Write(n[:])
	if c := r.Capture; c != nil {
		binary.BigEndian.PutUint64(n[:], uint64(c.Offset))
		f.h.Write([]byte(c.File + "\x00" + c.RecordID + "\x00"))
		f.h.Write(n[:])
		if c.ChainOffset != 0 { // as before for references without one
			binary.BigEndian.PutUint64(n[:], uint64(c.ChainOffset))
			f.h.Write([]byte("chain"))
			f.h.Write(n[:])
		}
	}
	f.h.Write([]byte{0})
}

func (f *Fingerprint) sum() []byte {
	if f == nil || f.h == nil {
		return nil
	}
	return f.h.Sum(nil)
}

// maxListed caps the captures listed by the trailing record of what was
// left out; the rest are counted.
const maxListed = 10000

// WARCWriter writes the raw captures of archived articles as one WARC
// file: a warcinfo record describing the export, then for each article
// the response record of each of its captures copied as stored (the
// request record that follows it too), and, when anything was left out,
// a metadata record listing it. Only one record is held in memory at a
// time.
type WARCWriter struct {
	w     io.Writer
	opts  WARCOptions
	zw    *gzip.Writer
	sum   WARCSummary
	files map[string]openFile
	read  warc.StoredReader

	infoID, date string
	listed       []string
}

type openFile struct {
	f   *os.File
	err error
}

// NewWARCWriter returns a WARCWriter to w. Call Begin, then Write for
// each article, then Finish.
func NewWARCWriter(w io.Writer, opts WARCOptions) *WARCWriter {
	zw, _ := gzip.NewWriterLevel(nil, warc.DefaultCompressionLevel) // a valid level
	if opts.Plain {
		zw = nil
	}
	return &WARCWriter{w: w, opts: opts, zw: zw, files: map[string]openFile{}}
}

// Begin writes the warcinfo record. Its id and date derive from
// info.Print (the date is the newest fetch time of the articles, the
// Unix epoch for none), not from the clock.
func (w *WARCWriter) Begin(info WARCInfo) error {
	newest := time.Unix(0, 0)
	if info.Print != nil && !info.Print.Newest.IsZero() {
		newest = info.Print.Newest
	}
	w.date = warc.FormatDate(newest)
	var block strings.Builder
	field := func(name, value string) {
		if value != "" {
			// A field value is one line.
			value = strings.Join(strings.Fields(value), " ")
			block.WriteString(name + ": " + value + "\r\n")
		}
	}
	field("software", info.Software)
	field("format", "WARC File Format 1.1")
	field("conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/")
	field("description", "raw captures of archived articles, exported by herald export --format warc")
	field("herald-archive", info.Archive)
	q := info.Query
	if q == "" {
		q = "(every article)"
	}
	field("herald-query", q)
	field("herald-collapse", strconv.FormatBool(info.Collapse))
	field("herald-earlier-versions", strconv.FormatBool(info.Versions))
	if !info.ChangedSince.IsZero() {
		field("herald-changed-since", info.ChangedSince.UTC().Format(time.RFC3339Nano))
	}
	if info.Print != nil {
		field("herald-articles", strconv.Itoa(info.Print.N))
	}
	seed := fmt.Sprintf("herald export warcinfo\x00%s\x00%s\x00%s\x00%s\x00%t\x00%t\x00%x", info.Software, info.Archive, info.Filename, info.Query, info.Collapse, info.Versions, info.Print.sum())
	if !info.ChangedSince.IsZero() {
		seed += "\x00" + info.ChangedSince.UTC().Format(time.RFC3339Nano)
	}
	w.infoID = warc.NamedRecordID([]byte(seed))
	h := warc.Fields{
		{Name: "WARC-Type", Value: warc.TypeWarcinfo},
		{Name: "WARC-Record-ID", Value: w.infoID},
		{Name: "WARC-Date", Value: w.date},
	}
	if info.Filename != "" {
		h = append(h, warc.Field{Name: "WARC-Filename", Value: info.Filename})
	}
	h = append(h, warc.Field{Name: "Content-Type", Value: "application/warc-fields"})
	return warc.WriteRecord(w.w, w.zw, h, []byte(block.String()))
}

// Write writes the captures of r: those of its earlier versions (when
// WARCOptions.Versions is set), then its own. A capture that cannot be
// copied is left out and reported (WARCOptions.Skip, Summary, the
// trailing record); the error is for a failure to write, which ends the
// export.
func (w *WARCWriter) Write(ctx context.Context, r *store.Record) error {
	w.sum.Articles++
	type ref struct {
		version int
		c       *store.Capture
		urls    []string // the page's, for a reference without a record id
	}
	var refs []ref
	if w.opts.Versions != nil && r.Version > 1 {
		versions, err := w.opts.Versions(ctx, r.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) { // deleted since: its own capture is still said
			return err
		}
		for _, v := range versions {
			if v.Version < r.Version && v.Capture != nil && v.Capture.File != "" {
				refs = append(refs, ref{v.Version, v.Capture, []string{v.URL, v.CanonicalURL}})
			}
		}
	}
	if r.Capture == nil || r.Capture.File == "" {
		w.sum.NoCapture++
		w.skip(Skip{ID: r.ID, URL: r.URL, Reason: NoCapture})
	} else {
		refs = append(refs, ref{0, r.Capture, []string{r.URL, r.CanonicalURL}})
	}
	type at struct {
		file   string
		offset int64
	}
	seen := map[at]bool{} // versions that kept one capture
	for _, x := range refs {
		if seen[at{x.c.File, x.c.Offset}] {
			continue
		}
		seen[at{x.c.File, x.c.Offset}] = true
		why, chainWhy, err := w.copy(x.c, x.urls)
		if err != nil {
			return err
		}
		s := Skip{ID: r.ID, Version: x.version, URL: r.URL, File: x.c.File, Offset: x.c.Offset, Reason: why}
		switch {
		case why != "":
			w.sum.Skipped++
			w.skip(s)
		case chainWhy != "":
			w.sum.ChainsSkipped++
			s.Chain, s.ChainOffset, s.Reason = true, x.c.ChainOffset, chainWhy
			w.skip(s)
		}
	}
	return nil
}

func (w *WARCWriter) skip(s Skip) {
	if w.opts.Skip != nil {
		w.opts.Skip(s)
	}
	if len(w.listed) < maxListed {
		w.listed = append(w.listed, s.String())
	}
}

// copy writes the capture c of the page at urls: the records of the
// redirects that led to it, its response record and the request record
// after it. It returns why the capture was left out ("" when written),
// why the redirects were ("" when written, or when there were none), or
// an error writing.
func (w *WARCWriter) copy(c *store.Capture, urls []string) (why, chainWhy string, err error) {
	of, ok := w.files[c.File]
	if !ok {
		if len(w.files) >= 16 {
			w.closeFiles()
		}
		of.f, of.err = w.opts.Open(c.File)
		w.files[c.File] = of
	}
	if of.err != nil {
		return "the WARC file cannot be read: " + of.err.Error(), "", nil
	}
	resp, req, err := w.read.ReadExchange(of.f, c.Offset, -1)
	switch { // each case returns why the capture is left out
	case err != nil:
		return "the record cannot be read: " + err.Error(), "", nil
	case resp.IsErased():
		return "the capture was erased (herald delete --erase-captures)", "", nil
	case c.RecordID != "" && resp.RecordID != c.RecordID:
		return fmt.Sprintf("the record at this offset is %s, not %s", resp.RecordID, c.RecordID), "", nil
	case !resp.IsCapture(c.RecordID, urls...):
		// A reference without a record id (another tool's JSON lines):
		// the record must be the page's, as every reader of captures checks.
		return fmt.Sprintf("the record at this offset is a capture of %s, not of this article", resp.TargetURI), "", nil
	}
	if err := resp.CheckBlockDigest(); err != nil {
		return "the record is damaged: " + err.Error(), "", nil
	}
	chain, before, chainWhy := w.chain(of.f, c, resp)
	// The request record, when the writer put it right after (as Herald
	// does) or right before (as wget and Common Crawl do) and the two
	// name each other, and it is sound.
	if req == nil {
		req = before
	}
	if req != nil && req.CheckBlockDigest() != nil {
		req = nil
	}
	for _, s := range chain {
		if err := w.put(s, of.f); err != nil {
			return "", "", err
		}
	}
	if len(chain) > 0 {
		w.sum.Chains++
		w.sum.Redirects += len(chain)
	}
	if err := w.put(resp, of.f); err != nil {
		return "", "", err
	}
	w.sum.Captures++
	if req != nil {
		if err := w.put(req, of.f); err != nil {
			return "", "", err
		}
	}
	return "", chainWhy, nil
}

// chain reads the records of the redirects that led to resp, the
// response of capture c in f: from where c says its chain starts, or,
// for a capture that does not say (stored before chain offsets were
// recorded, or imported), those found right before it
// (warc.StoredReader.FindChain, which reads a bounded stretch before each
// record). It returns them in file order, or why they cannot be copied;
// and, when it walked back, resp's own request found right before it.
func (w *WARCWriter) chain(f *os.File, c *store.Capture, resp *warc.Stored) (chain []*warc.Stored, req *warc.Stored, why string) {
	start, known := c.Chain()
	if known {
		chain, err := w.read.ReadChain(f, start, resp)
		if err != nil {
			return nil, nil, err.Error()
		}
		return chain, nil, ""
	}
	chain, req, err := w.read.FindChain(f, resp)
	switch {
	case errors.Is(err, warc.ErrChainUnsure):
		w.sum.ChainsUnsure++
	case err != nil:
		return nil, req, "the records before it cannot be read: " + err.Error()
	}
	for _, s := range chain {
		if err := s.CheckBlockDigest(); err != nil {
			return nil, req, fmt.Sprintf("the record at offset %d is damaged: %v", s.Offset, err)
		}
	}
	return chain, req, ""
}

func (w *WARCWriter) put(s *warc.Stored, f *os.File) error {
	var err error
	if w.opts.Plain {
		err = s.CopyPlain(w.w, f)
	} else {
		err = s.CopyGzip(w.w, f, w.zw)
	}
	if err != nil {
		return fmt.Errorf("copy record %s of %s: %w", s.RecordID, f.Name(), err)
	}
	w.sum.Records++
	return nil
}

// Finish writes, when anything was left out (a capture, or the redirects
// before one), a metadata record listing it (the first 10,000; the rest
// counted), and closes the files read.
func (w *WARCWriter) Finish() error {
	w.closeFiles()
	left := w.sum.Skipped + w.sum.NoCapture + w.sum.ChainsSkipped
	if left == 0 {
		return nil
	}
	var block strings.Builder
	fmt.Fprintf(&block, "herald-left-out: %d\r\n", left)
	fmt.Fprintf(&block, "herald-without-capture: %d\r\n", w.sum.NoCapture)
	fmt.Fprintf(&block, "herald-not-copied: %d\r\n", w.sum.Skipped)
	if w.sum.ChainsSkipped > 0 {
		fmt.Fprintf(&block, "herald-redirects-not-copied: %d\r\n", w.sum.ChainsSkipped)
	}
	for _, s := range w.listed {
		block.WriteString("left-out: " + strings.Join(strings.Fields(s), " ") + "\r\n")
	}
	if more := left - len(w.listed); more > 0 {
		fmt.Fprintf(&block, "left-out-unlisted: %d\r\n", more)
	}
	h := warc.Fields{
		{Name: "WARC-Type", Value: warc.TypeMetadata},
		{Name: "WARC-Record-ID", Value: warc.NamedRecordID([]byte("herald export left out\x00" + w.infoID + "\x00" + block.String()))},
		{Name: "WARC-Date", Value: w.date},
		{Name: "WARC-Refers-To", Value: w.infoID},
		{Name: "WARC-Warcinfo-ID", Value: w.infoID},
		{Name: "Content-Type", Value: "application/warc-fields"},
	}
	return warc.WriteRecord(w.w, w.zw, h, []byte(block.String()))
}

// Each calls fn for each record of an export, in the export's order,
// ending at fn's first error. WriteWARC calls it twice; both calls must
// give the same records.
type Each func(ctx context.Context, fn func(*store.Record) error) error

// WriteWARC writes the captures of the records each gives to w as one
// WARC file: it calls each once to fingerprint what the export holds
// (WARCInfo.Print, from which the warcinfo record's id and date derive),
// then again to write the records between Begin and Finish. Nothing is
// written to w before the first call has ended, so an error of that call
// leaves w untouched. The WARC files read are closed whatever happens.
// The summary says what was written and left out, as far as it went.
func WriteWARC(ctx context.Context, w io.Writer, each Each, info WARCInfo, opts WARCOptions) (WARCSummary, error) {
	print := &Fingerprint{}
	if err := each(ctx, func(r *store.Record) error { print.Add(r); return nil }); err != nil {
		return WARCSummary{}, err
	}
	info.Print = print
	ww := NewWARCWriter(w, opts)
	defer ww.closeFiles()
	err := ww.Begin(info)
	if err == nil {
		err = each(ctx, func(r *store.Record) error { return ww.Write(ctx, r) })
	}
	if err == nil {
		err = ww.Finish()
	}
	return ww.Summary(), err
}

// Summary says what was written and left out so far.
func (w *WARCWriter) Summary() WARCSummary { return w.sum }

func (w *WARCWriter) closeFiles() {
	for name, of := range w.files {
		if of.f != nil {
			of.f.Close()
		}
		delete(w.files, name)
	}
}
