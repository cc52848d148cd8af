package warc

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"
)

// DefaultMaxFileBytes is the rotation size used when
// WriterOptions.MaxFileBytes is zero.
const DefaultMaxFileBytes = 1 << 30

// ErrClosed: the Writer was closed.
var ErrClosed = errors.New("warc writer closed")

// WriterOptions configures a Writer. The zero value is ready to use.
type WriterOptions struct {
	// Prefix starts every file name: <prefix>-<UTC time>-<serial>.warc.gz,
	// e.g. herald-20261125T130000Z-00001.warc.gz. Default "herald".
	Prefix string
	// MaxFileBytes is the size (compressed) past which a new file is
	// started. A file always takes at least one exchange, so one larger
	// than this gets a file of its own. Default 1 GiB.
	MaxFileBytes int64
	// Software names the writer in each file's warcinfo record.
	// Default "Herald (+https://github.com/herald-archive/herald)".
	Software string
	// Info adds fields to each warcinfo record (e.g. "operator",
	// "isPartOf"), written sorted by name.
	Info map[string]string
	// CompressionLevel is the gzip level, 1 (fastest) to 9 (smallest).
	// Default 4: on news HTML it keeps about 90% of level 6's saving at
	// several times its speed, which matters on a small machine.
	CompressionLevel int
	// Now is the clock used for file names; default time.Now. For tests.
	Now func() time.Time
}

// DefaultCompressionLevel is the gzip level used when
// WriterOptions.CompressionLevel is zero.
const DefaultCompressionLevel = 4

// Exchange is one HTTP request and its response, as they crossed the wire.
type Exchange struct {
	// TargetURI is the URL requested.
	TargetURI string
	// Date is when the request was sent; default now.
	Date time.Time
	// IP is the server's address, if known.
	IP string
	// RequestRaw is the request as sent: request line and headers (and a
	// body, if any). Empty: no request record is written.
	RequestRaw []byte
	// ResponseRaw is the response as received: status line, headers and
	// the body as transferred (chunked framing and content coding intact).
	ResponseRaw []byte
	// Truncated says why ResponseRaw is short of the full response, as
	// the record's WARC-Truncated field: "length" (past a size limit of
	// the crawler's), "time" (past its time limit), "disconnect" (the
	// connection broke), "unspecified". "" is a whole response.
	Truncated string
}

// Ref says where a response record was written.
type Ref struct {
	// File is the WARC file's base name in the Writer's directory.
	File string
	// Offset is where the record's gzip member starts in File.
	Offset int64
	// Length is the size of that gzip member.
	Length int64
	// RecordID is the response record's WARC-Record-ID.
	RecordID string
}

// Writer appends exchanges to rotating gzip-per-record WARC/1.1 files in
// one directory. It is safe for concurrent use: records are built and
// compressed by the calling goroutines in parallel, and written one
// exchange at a time, the response record and its request record kept
// together in one file.
type Writer struct {
	dir   string
	opts  WriterOptions
	gzips sync.Pool // *gzip.Writer at opts.CompressionLevel

	mu     sync.Mutex
	f      *os.File
	name   string
	size   int64
	used   bool // the current file holds at least one exchange
	serial int
	closed bool
}

// NewWriter returns a Writer creating files in dir (made if missing). No
// file is created until the first exchange is written.
func NewWriter(dir string, opts WriterOptions) (*Writer, error) {
	if opts.Prefix == "" {
		opts.Prefix = "herald"
	}
	if opts.MaxFileBytes <= 0 {
		opts.MaxFileBytes = DefaultMaxFileBytes
	}
	if opts.Software == "" {
		opts.Software = "Herald (+https://github.com/herald-archive/herald)"
	}
	if opts.CompressionLevel == 0 {
		opts.CompressionLevel = DefaultCompressionLevel
	}
	if opts.CompressionLevel < gzip.BestSpeed || opts.CompressionLevel > gzip.BestCompression {
		return nil, fmt.Errorf("warc writer: compression level %d not in 1..9", opts.CompressionLevel)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("warc writer: %w", err)
	}
	w := &Writer{dir: dir, opts: opts}
	w.gzips.New = func() any {
		zw, _ := gzip.NewWriterLevel(nil, opts.CompressionLevel) // level checked above
		return zw
	}
	return w, nil
}

// WriteExchange writes a response record and, when ex.RequestRaw is set,
// a request record, linked by WARC-Concurrent-To, and returns where the
// response record is. ctx is checked before writing; a write in progress
// is not interrupted, so files are never left with half an exchange by a
// cancellation.
func (w *Writer) WriteExchange(ctx context.Context, ex Exchange) (Ref, error) {
	refs, err := w.WriteExchanges(ctx, []Exchange{ex})
	if err != nil {
		return Ref{}, err
	}
	return refs[0], nil
}

// WriteExchanges writes several exchanges, in order, as WriteExchange
// writes one, all into the same file: a redirect chain (each hop's
// exchange, then the final one) stays together. It returns one Ref per
// exchange. Either every exchange is written or, on error, none is
// (unless the file itself failed mid-write; see WriteExchange).
func (w *Writer) WriteExchanges(ctx context.Context, exs []Exchange) ([]Ref, error) {
	if len(exs) == 0 {
		return nil, nil
	}
	var buf bytes.Buffer
	zw := w.gzips.Get().(*gzip.Writer)
	defer w.gzips.Put(zw)
	refs := make([]Ref, len(exs))
	offs := make([]int64, len(exs)) // of each response record within buf
	for i, ex := range exs {
		if ex.TargetURI == "" || len(ex.ResponseRaw) == 0 {
			return nil, errors.New("write warc exchange: target URI and response are required")
		}
		if ex.Date.IsZero() {
			ex.Date = time.Now()
		}
		respID, reqID := newRecordID(), newRecordID()
		offs[i] = int64(buf.Len())
		if err := writeMember(&buf, zw, w.responseHeader(ex, respID, reqID), ex.ResponseRaw); err != nil {
			return nil, fmt.Errorf("write warc exchange %s: %w", ex.TargetURI, err)
		}
		refs[i] = Ref{Length: int64(buf.Len()) - offs[i], RecordID: respID}
		if len(ex.RequestRaw) > 0 {
			if err := writeMember(&buf, zw, w.requestHeader(ex, reqID, respID), ex.RequestRaw); err != nil {
				return nil, fmt.Errorf("write warc exchange %s: %w", ex.TargetURI, err)
			}
		}
	}
	target := exs[len(exs)-1].TargetURI
	name, off, err := w.append(ctx, buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("write warc exchange %s: %w", target, err)
	}
	for i := range refs {
		refs[i].File, refs[i].Offset = name, off+offs[i]
	}
	return refs, nil
}

// CopyRecords copies records of another WARC file, src, into the current
// file, together and in order: each is written as stored (a gzip member
// copied byte for byte; a record of a plain file, or one sharing its
// member, in a member of its own: Stored.CopyGzip), so its record id and
// digests stay the original's. It returns where each is, in the order
// given: a capture's redirect chain, then its response and request, say,
// whose reference names the response. ctx is checked before writing, as
// WriteExchange does.
func (w *Writer) CopyRecords(ctx context.Context, src io.ReaderAt, recs ...*Stored) ([]Ref, error) {
	if len(recs) == 0 {
		return nil, errors.New("copy warc records: none given")
	}
	var buf bytes.Buffer
	zw := w.gzips.Get().(*gzip.Writer)
	defer w.gzips.Put(zw)
	refs := make([]Ref, len(recs))
	for i, r := range recs {
		off := int64(buf.Len())
		if err := r.CopyGzip(&buf, src, zw); err != nil {
			return nil, fmt.Errorf("copy warc record %s: %w", r.RecordID, err)
		}
		refs[i] = Ref{Offset: off, Length: int64(buf.Len()) - off, RecordID: r.RecordID}
	}
	name, off, err := w.append(ctx, buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("copy warc record %s: %w", recs[0].RecordID, err)
	}
	for i := range refs {
		refs[i].File, refs[i].Offset = name, off+refs[i].Offset
	}
	return refs, nil
}

// append writes b, whole gzip members, to the current file (starting the
// next one when b would take it past MaxFileBytes) and returns the
// file's name and where b starts in it.
func (w *Writer) append(ctx context.Context, b []byte) (name string, off int64, err error) {
	if err := ctx.Err(); err != nil {
		return "", 0, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return "", 0, ErrClosed
	}
	if w.f != nil && w.used && w.size+int64(len(b)) > w.opts.MaxFileBytes {
		if err := w.closeFile(); err != nil {
			return "", 0, err
		}
	}
	if w.f == nil {
		if err := w.openFile(); err != nil {
			return "", 0, err
		}
	}
	off = w.size
	n, err := w.f.Write(b)
	w.size += int64(n)
	if err != nil {
		// The file may now end in a partial exchange; readers will report
		// it as truncated. Start afresh in a new file next time.
		_ = w.closeFile()
		return "", 0, err
	}
	w.used = true
	return w.name, off, nil
}

// Close closes the current file after syncing it to disk. Later writes
// return ErrClosed.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	if w.f == nil {
		return nil
	}
	return w.closeFile()
}

// Dir returns the directory the Writer writes to.
func (w *Writer) Dir() string { return w.dir }

func (w *Writer) closeFile() error {
	f := w.f
	w.f, w.name, w.size, w.used = nil, "", 0, false
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", f.Name(), err)
	}
	return nil
}

// openFile creates the next file, never overwriting one (another Writer or
// process may share the directory and prefix), and writes its warcinfo.
func (w *Writer) openFile() error {
	stamp := w.opts.Now().UTC().Format("20060102T150405Z")
	for range 1000 {
		w.serial++
		name := fmt.Sprintf("%s-%s-%05d.warc.gz", w.opts.Prefix, stamp, w.serial)
		f, err := os.OpenFile(filepath.Join(w.dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("create warc file: %w", err)
		}
		var buf bytes.Buffer
		zw := w.gzips.Get().(*gzip.Writer)
		err = writeMember(&buf, zw, w.warcinfoHeader(name), w.warcinfoBlock())
		w.gzips.Put(zw)
		if err == nil {
			_, err = f.Write(buf.Bytes())
		}
		if err != nil {
			f.Close()
			return fmt.Errorf("write warcinfo to %s: %w", name, err)
		}
		w.f, w.name, w.size, w.used = f, name, int64(buf.Len()), false
		return nil
	}
	return fmt.Errorf("create warc file: no free name for %s-%s", w.opts.Prefix, stamp)
}

func (w *Writer) warcinfoBlock() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "software: %s\r\n", w.opts.Software)
	b.WriteString("format: WARC File Format 1.1\r\n")
	b.WriteString("conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n")
	for _, k := range slices.Sorted(maps.Keys(w.opts.Info)) {
		fmt.Fprintf(&b, "%s: %s\r\n", k, w.opts.Info[k])
	}
	return b.Bytes()
}

func (w *Writer) warcinfoHeader(name string) Fields {
	return Fields{
		{"WARC-Type", TypeWarcinfo},
		{"WARC-Date", formatDate(w.opts.Now())},
		{"WARC-Filename", name},
		{"WARC-Record-ID", newRecordID()},
		{"Content-Type", "application/warc-fields"},
	}
}

func (w *Writer) responseHeader(ex Exchange, id, reqID string) Fields {
	h := Fields{
		{"WARC-Type", TypeResponse},
		{"WARC-Record-ID", id},
		{"WARC-Date", formatDate(ex.Date)},
		{"WARC-Target-URI", ex.TargetURI},
	}
	if ex.IP != "" {
		h = append(h, Field{"WARC-IP-Address", ex.IP})
	}
	if len(ex.RequestRaw) > 0 {
		h = append(h, Field{"WARC-Concurrent-To", reqID})
	}
	if ex.Truncated != "" {
		h = append(h, Field{"WARC-Truncated", ex.Truncated})
	} else if _, _, body, _, err := parseHTTPResponse(ex.ResponseRaw); err == nil {
		h = append(h, Field{"WARC-Payload-Digest", sha1Digest(body)})
	}
	return append(h, Field{"Content-Type", "application/http;msgtype=response"})
}

func (w *Writer) requestHeader(ex Exchange, id, respID string) Fields {
	h := Fields{
		{"WARC-Type", TypeRequest},
		{"WARC-Record-ID", id},
		{"WARC-Date", formatDate(ex.Date)},
		{"WARC-Target-URI", ex.TargetURI},
	}
	if ex.IP != "" {
		h = append(h, Field{"WARC-IP-Address", ex.IP})
	}
	return append(h,
		Field{"WARC-Concurrent-To", respID},
		Field{"Content-Type", "application/http;msgtype=request"},
	)
}

// writeMember appends one record, as its own gzip member, to buf. The
// Content-Length and WARC-Block-Digest fields are added here.
func writeMember(buf *bytes.Buffer, zw *gzip.Writer, h Fields, block []byte) error {
	zw.Reset(buf)
	var head bytes.Buffer
	writeHead(&head, h, block)
	if _, err := zw.Write(head.Bytes()); err != nil {
		return err
	}
	if _, err := zw.Write(block); err != nil {
		return err
	}
	if _, err := zw.Write([]byte("\r\n\r\n")); err != nil {
		return err
	}
	return zw.Close()
}

// writeHead writes a record's version line and header, h then the
// WARC-Block-Digest and Content-Length of block, and the blank line.
func writeHead(head *bytes.Buffer, h Fields, block []byte) {
	head.WriteString("WARC/1.1\r\n")
	for _, f := range h {
		head.WriteString(f.Name)
		head.WriteString(": ")
		head.WriteString(f.Value)
		head.WriteString("\r\n")
	}
	head.WriteString("WARC-Block-Digest: ")
	head.WriteString(sha1Digest(block))
	head.WriteString("\r\nContent-Length: ")
	head.WriteString(strconv.Itoa(len(block)))
	head.WriteString("\r\n\r\n")
}

// formatDate renders a WARC-Date: UTC, with microseconds (WARC/1.1).
func formatDate(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// newRecordID returns a fresh "<urn:uuid:…>" (random, version 4).
func newRecordID() string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("<urn:uuid:%x-%x-%x-%x-%x>", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
