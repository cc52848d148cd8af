package warc

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Errors a *RecordError wraps.
var (
	// ErrTruncated: the input ended inside a record (or gzip member).
	ErrTruncated = errors.New("truncated record")
	// ErrCorrupt: a record or gzip member is malformed; the reader skipped
	// to the next one it could find.
	ErrCorrupt = errors.New("corrupt record")
	// ErrRecordTooLarge: a record's block exceeds MaxBlockBytes; it was
	// skipped.
	ErrRecordTooLarge = errors.New("record too large")
)

// MaxBlockBytes caps the content block of one record the Reader holds in
// memory. Larger records are skipped and reported with ErrRecordTooLarge.
const MaxBlockBytes = 64 << 20

// blockLimit is MaxBlockBytes; tests lower it.
var blockLimit int64 = MaxBlockBytes

const (
	maxLineBytes   = 64 << 10
	maxHeaderBytes = 1 << 20
	// maxRewind caps the compressed bytes kept to resynchronise after a
	// corrupt gzip member; past it the reader scans forward instead.
	maxRewind = 2 * MaxBlockBytes
)

// RecordError reports a damaged record. Next can be called again to go on
// with the following record, unless the error wraps ErrTruncated at the
// end of the input, after which Next returns io.EOF.
type RecordError struct {
	// Offset is where the damaged record or gzip member starts.
	Offset int64
	// Err wraps ErrTruncated, ErrCorrupt or ErrRecordTooLarge, with the
	// cause.
	Err error
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("warc record at offset %d: %v", e.Offset, e.Err)
}

func (e *RecordError) Unwrap() error { return e.Err }

// NotWARCError is what Next returns, instead of a first record, for an
// input that is not a WARC file at all: its first bytes (decompressed,
// when it is gzip) are not a WARC version line. It is not a damaged
// record: nothing in such a file is a record, so reading stops there
// rather than scanning all of it for one. The record of a damaged WARC
// file that starts right, or ReadAt at an offset, still gives a
// *RecordError.
type NotWARCError struct {
	// Gzip is true when the file is gzip and its content is what does
	// not start as WARC does.
	Gzip bool
	// Start is the beginning of the (decompressed) input: its first line,
	// at most 40 bytes of it.
	Start string
}

func (e *NotWARCError) Error() string {
	what := "it"
	if e.Gzip {
		what = "its gzip content"
	}
	return fmt.Sprintf("not a WARC file: %s does not start with WARC/1.0 or WARC/1.1 (it starts %q)", what, e.Start)
}

// notWARC reports whether start, the first bytes of the input, cannot be
// the beginning of a WARC version line, and if so, the error for it.
func notWARC(start []byte, gz bool) error {
	n := min(len(start), len(versionPrefix))
	if bytes.Equal(start[:n], versionPrefix[:n]) {
		return nil
	}
	if i := bytes.IndexAny(start, "\r\n"); i >= 0 {
		start = start[:i]
	}
	return &NotWARCError{Gzip: gz, Start: string(start)}
}

var versionPrefix = []byte("WARC/")

// Reader streams the records of one WARC file. It is not safe for
// concurrent use.
type Reader struct {
	in      *input
	mode    int // modeUnknown, modePlain, modeGzip
	done    bool
	gz      *gzip.Reader
	member  *bufio.Reader // the current gzip member, decompressed; nil between members
	memBuf  *bufio.Reader // member's buffer, reused across members
	memOff  int64         // offset of the current member
	memRecs int           // records read from the current member

	// checkStart asks for a *NotWARCError when the input does not start
	// as a WARC file; set for a whole file (NewReader), not for ReadAt,
	// whose offset may simply be wrong.
	checkStart bool
	// blocksOnly leaves the HTTP message of response records unparsed
	// (HTTPStatus, HTTPHeader, Payload unset), for scans that look at
	// headers: see parseHTTP.
	blocksOnly bool
}

const (
	modeUnknown = iota
	modePlain
	modeGzip
)

// NewReader returns a Reader for a WARC file read from r: plain, gzip per
// record, or gzip over the whole file (found out from the first bytes).
// Offsets count from the start of r.
func NewReader(r io.Reader) *Reader {
	rd := newReaderAt(r, 0)
	rd.checkStart = true
	return rd
}

// NewBlockReader is NewReader for reads that need the records' blocks
// but not their HTTP messages (verifying digests, listing records): the
// HTTP message of a response record is left unparsed and its payload
// undecoded, so HTTPStatus, HTTPHeader and Payload stay unset.
func NewBlockReader(r io.Reader) *Reader {
	rd := NewReader(r)
	rd.blocksOnly = true
	return rd
}

func newReaderAt(r io.Reader, base int64) *Reader {
	return &Reader{in: newInput(r, base)}
}

// reset makes r read src from base as a new Reader would (without the
// start check), keeping its buffers and gzip reader.
func (r *Reader) reset(src io.Reader, base int64) {
	buf := r.in.buf[:0]
	if cap(buf) > 1<<20 {
		buf = nil // grown for a large record: not kept
	}
	*r.in = input{src: src, buf: buf, base: base, mk: -1, chunkN: 64 << 10}
	if r.in.buf == nil {
		r.in.buf = make([]byte, 0, 64<<10)
	}
	r.mode, r.done, r.member, r.memOff, r.memRecs, r.checkStart = modeUnknown, false, nil, 0, 0, false
}

// Next returns the next record, io.EOF at the end of the input, or a
// *RecordError for a damaged record (call Next again to continue). An
// input that is not a WARC file gives a *NotWARCError first. Other errors
// come from the underlying reader and end the stream; so does a
// *NotWARCError.
func (r *Reader) Next() (*Record, error) {
	if r.done {
		return nil, io.EOF
	}
	if r.mode == modeUnknown {
		if err := r.in.skipSpace(); err != nil {
			return nil, r.finish(err)
		}
		if r.in.hasPrefix(gzipMagic) {
			r.mode = modeGzip
		} else {
			r.mode = modePlain
			if err := r.checkPlainStart(); err != nil {
				return nil, err
			}
		}
	}
	if r.mode == modeGzip {
		return r.nextGzip()
	}
	return r.nextPlain()
}

// NextResponse returns the next HTTP response record, skipping the others
// (warcinfo, request, metadata, resource, revisit, ...). Errors are as for
// Next.
func (r *Reader) NextResponse() (*Record, error) {
	for {
		rec, err := r.Next()
		if err != nil || (rec.Type == TypeResponse && rec.IsHTTPResponse()) {
			return rec, err
		}
	}
}

// finish turns an input error into Next's result: io.EOF ends quietly,
// anything else is returned and ends the stream too.
func (r *Reader) finish(err error) error {
	r.done = true
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	return fmt.Errorf("read warc: %w", err)
}

var gzipMagic = []byte{0x1f, 0x8b, 0x08}

// checkPlainStart runs before the first record of a plain file. A file
// that does not start with a version line may still be a WARC file with
// junk in front (a damaged first record, then good ones), so the reader
// looks for a later line starting "WARC/": if there is one, the junk is
// reported as a corrupt record, as before, and reading goes on from
// there; if there is none, the file is not a WARC file.
func (r *Reader) checkPlainStart() error {
	if !r.checkStart {
		return nil
	}
	r.checkStart = false
	r.in.hasPrefix(versionPrefix) // reads enough to compare
	start := bytes.Clone(r.in.buf[r.in.r:min(r.in.w, r.in.r+40)])
	err := notWARC(start, false)
	if err == nil {
		return nil
	}
	off := r.in.offset()
	line, _, _ := bytes.Cut(start, []byte("\n"))
	r.in.seekLine(versionPrefix)
	if !r.in.hasPrefix(versionPrefix) {
		r.done = true
		return err
	}
	return &RecordError{Offset: off, Err: fmt.Errorf("%w: expected WARC version line, got %q", ErrCorrupt, clip(strings.TrimRight(string(line), "\r")))}
}

func (r *Reader) nextPlain() (*Record, error) {
	if err := r.in.skipSpace(); err != nil {
		return nil, r.finish(err)
	}
	off := r.in.offset()
	rec, err := parseRecord(r.in, !r.blocksOnly)
	if err == nil {
		rec.Offset = off
		return rec, nil
	}
	if r.in.err != nil && !errors.Is(r.in.err, io.EOF) {
		return nil, r.finish(r.in.err)
	}
	if errors.Is(err, ErrTruncated) {
		r.done = true
		return nil, &RecordError{Offset: off, Err: err}
	}
	if !errors.Is(err, ErrRecordTooLarge) {
		// A bad header: every line read so far belonged to it, so the next
		// record starts at a later line beginning "WARC/".
		r.in.seekLine([]byte("WARC/"))
	}
	return nil, &RecordError{Offset: off, Err: err}
}

func (r *Reader) nextGzip() (*Record, error) {
	for {
		if r.member == nil {
			if err := r.startMember(); err != nil {
				return nil, err
			}
		}
		// Records inside a member are separated by blank lines; a member
		// that has none left is finished.
		if err := skipBlankLines(r.member); err == io.EOF {
			r.endMember()
			continue
		} else if err != nil {
			return nil, r.memberFailed(err)
		}
		if r.checkStart {
			// The first member decompresses; what it holds must be WARC.
			// A member is a unit, unlike a line of a plain file: one whose
			// content is something else (a gzipped page) makes the file
			// something else. Bytes that could not be read (a corrupt
			// member) are left to the damaged-record path below.
			r.checkStart = false
			start, err := r.member.Peek(40)
			if len(start) > 0 && (err == nil || err == io.EOF) {
				if err := notWARC(start, true); err != nil {
					r.done = true
					r.member = nil
					return nil, err
				}
			}
		}
		rec, err := parseRecord(lineReader{r.member}, !r.blocksOnly)
		if err != nil {
			if errors.Is(err, ErrRecordTooLarge) {
				// Its block was read past; the member goes on intact.
				r.memRecs++
				return nil, &RecordError{Offset: r.memOff, Err: err}
			}
			return nil, r.memberFailed(err)
		}
		rec.Offset = r.memOff
		r.memRecs++
		// Read on to the member's end now if nothing else is in it, so its
		// CRC is checked before the record is handed out.
		if err := skipBlankLines(r.member); err == io.EOF {
			r.endMember()
		} else if err != nil {
			return nil, r.memberFailed(err)
		} else {
			// More records in this member (whole-file gzip): they cannot
			// be rewound to, so stop keeping history for them.
			r.in.unmark()
		}
		return rec, nil
	}
}

// startMember positions the reader on the next gzip member.
func (r *Reader) startMember() error {
	for {
		if err := r.in.skipSpace(); err != nil {
			return r.finish(err)
		}
		off := r.in.offset()
		if !r.in.hasPrefix(gzipMagic) {
			// Garbage between members: report it once and resync.
			r.in.skip(1)
			r.in.seek(gzipMagic)
			return &RecordError{Offset: off, Err: fmt.Errorf("%w: no gzip member here", ErrCorrupt)}
		}
		r.memOff = off
		r.memRecs = 0
		r.in.mark()
		var err error
		if r.gz == nil {
			r.gz, err = gzip.NewReader(r.in)
		} else {
			err = r.gz.Reset(r.in)
		}
		if err != nil {
			return r.memberFailed(err)
		}
		r.gz.Multistream(false)
		if r.memBuf == nil {
			r.memBuf = bufio.NewReaderSize(r.gz, 64<<10)
		}
		r.memBuf.Reset(r.gz)
		r.member = r.memBuf
		return nil
	}
}

func (r *Reader) endMember() {
	r.member = nil
	r.in.unmark()
}

// memberFailed reports the current member as damaged and resynchronises
// on the next gzip header after its start.
func (r *Reader) memberFailed(cause error) error {
	off := r.memOff
	r.member = nil
	if r.in.err != nil && !errors.Is(r.in.err, io.EOF) {
		return r.finish(r.in.err)
	}
	truncated := errors.Is(cause, ErrTruncated) || errors.Is(cause, io.ErrUnexpectedEOF) || errors.Is(cause, io.EOF)
	if truncated && r.in.atEOF() {
		r.done = true
		return &RecordError{Offset: off, Err: errJoin(ErrTruncated, cause)}
	}
	// Look for the next member from just after this one's start; when the
	// history is gone (a long whole-file member), from here on.
	r.in.rewind(off + 1)
	r.in.unmark()
	r.in.seek(gzipMagic)
	return &RecordError{Offset: off, Err: errJoin(ErrCorrupt, cause)}
}

// errJoin wraps cause under sentinel unless it already is one.
func errJoin(sentinel, cause error) error {
	if errors.Is(cause, sentinel) {
		return cause
	}
	return fmt.Errorf("%w: %w", sentinel, cause)
}

// skipBlankLines consumes CR/LF bytes. It returns io.EOF when the stream
// ends first.
func skipBlankLines(br *bufio.Reader) error {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return err
		}
		if b != '\r' && b != '\n' {
			return br.UnreadByte()
		}
	}
}

// source is what records are parsed from: the plain input or a
// decompressed gzip member.
type source interface {
	io.Reader
	readLine() ([]byte, error)
}

type lineReader struct{ *bufio.Reader }

func (l lineReader) readLine() ([]byte, error) {
	var line []byte
	for {
		chunk, err := l.ReadSlice('\n')
		line = append(line, chunk...)
		switch {
		case err == nil:
			return line, nil
		case errors.Is(err, bufio.ErrBufferFull):
			if len(line) > maxLineBytes {
				return nil, fmt.Errorf("%w: header line over %d bytes", ErrCorrupt, maxLineBytes)
			}
		default:
			return line, err
		}
	}
}

// parseRecord reads one record: version line, header fields, blank line,
// Content-Length bytes of block, and the two CRLFs that end it.
func parseRecord(src source, parseHTTP bool) (*Record, error) {
	line, err := src.readLine()
	if err != nil {
		return nil, truncatedOr(err, "version line")
	}
	version := strings.TrimRight(string(line), "\r\n")
	if !strings.HasPrefix(version, "WARC/") {
		return nil, fmt.Errorf("%w: expected WARC version line, got %q", ErrCorrupt, clip(version))
	}
	rec := &Record{Version: version}
	size := 0
	for {
		line, err := src.readLine()
		if err != nil {
			return nil, truncatedOr(err, "header")
		}
		size += len(line)
		if size > maxHeaderBytes {
			return nil, fmt.Errorf("%w: header over %d bytes", ErrCorrupt, maxHeaderBytes)
		}
		text := strings.TrimRight(string(line), "\r\n")
		if text == "" {
			break
		}
		if text[0] == ' ' || text[0] == '\t' {
			// A continuation of the previous field (WARC/1.0 folding).
			if len(rec.Header) == 0 {
				return nil, fmt.Errorf("%w: continuation line before any field", ErrCorrupt)
			}
			last := &rec.Header[len(rec.Header)-1]
			last.Value += " " + strings.TrimSpace(text)
			continue
		}
		name, value, ok := strings.Cut(text, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("%w: malformed header line %q", ErrCorrupt, clip(text))
		}
		rec.Header = append(rec.Header, Field{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
	}
	cl := rec.Header.Get("Content-Length")
	n, err := strconv.ParseInt(cl, 10, 64)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("%w: bad Content-Length %q", ErrCorrupt, clip(cl))
	}
	rec.fillFromHeader()
	if n > blockLimit {
		if _, err := io.CopyN(io.Discard, src, n); err != nil {
			return nil, truncatedOr(err, "block")
		}
		return nil, fmt.Errorf("%w: %s record %s has a %d-byte block (limit %d)", ErrRecordTooLarge, rec.Type, rec.RecordID, n, blockLimit)
	}
	if rec.Block, err = readBlock(src, n); err != nil {
		return nil, truncatedOr(err, "block")
	}
	// The block is followed by CRLF CRLF. Missing ones are tolerated (some
	// writers get it wrong), but a record that ends in mid-terminator at
	// EOF is still complete.
	if parseHTTP {
		rec.parseHTTP()
	}
	return rec, nil
}

// parseHTTP fills in the HTTP fields and the payload of a record read
// with its block only.
func (rec *Record) parseHTTP() {
	switch {
	case rec.IsHTTPResponse():
		rec.HTTPStatus, rec.HTTPHeader, _, rec.Payload, rec.PayloadErr = parseHTTPResponse(rec.Block)
	case rec.Type == TypeResource:
		rec.Payload = rec.Block
	}
}

// readBlock reads exactly n bytes. It grows its buffer as bytes arrive
// rather than trusting n up front: a damaged header must not cost its
// claimed size in memory.
func readBlock(src io.Reader, n int64) ([]byte, error) {
	const step = 1 << 20
	buf := make([]byte, 0, min(n, step))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, int(min(n-int64(len(buf)), int64(len(buf)))))
		}
		k, err := io.ReadFull(src, buf[len(buf):min(int64(cap(buf)), n)])
		buf = buf[:len(buf)+k]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

func (rec *Record) fillFromHeader() {
	rec.Type = strings.ToLower(rec.Header.Get("WARC-Type"))
	rec.TargetURI = strings.TrimSuffix(strings.TrimPrefix(rec.Header.Get("WARC-Target-URI"), "<"), ">")
	rec.RecordID = rec.Header.Get("WARC-Record-ID")
	rec.ContentType = rec.Header.Get("Content-Type")
	if d := rec.Header.Get("WARC-Date"); d != "" {
		if t, err := time.Parse(time.RFC3339Nano, d); err == nil {
			rec.Date = t
		}
	}
}

func truncatedOr(err error, where string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: input ends in the %s", ErrTruncated, where)
	}
	if errors.Is(err, ErrCorrupt) {
		return err
	}
	return fmt.Errorf("%w: %s: %w", ErrCorrupt, where, err)
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// ReadAt reads the record starting at offset in the WARC file at path, as
// given by a Ref from Writer.WriteExchange or Record.Offset from a Reader.
func ReadAt(path string, offset int64) (*Record, error) {
	f, err := os.Open(path)
	if err != nil {
		// Name the file once: "read warc record F@N: no such file or
		// directory", not "…: open F: no such file or directory".
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("read warc record %s@%d: %w", path, offset, err)
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read warc record %s@%d: %w", path, offset, err)
	}
	rec, err := newReaderAt(f, offset).Next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("%w: no record at offset %d", ErrTruncated, offset)
		}
		return nil, fmt.Errorf("read warc record %s@%d: %w", path, offset, err)
	}
	return rec, nil
}

// input is the raw byte stream (compressed or plain) with its offset. It
// reads byte by byte for the gzip reader without over-reading, and keeps
// the bytes since a mark so the reader can rewind into a damaged gzip
// member and look for the next one.
type input struct {
	src    io.Reader
	buf    []byte
	r, w   int
	base   int64 // stream offset of buf[0]
	mk     int   // buf index of the mark, or -1
	err    error // sticky error from src
	chunkN int
}

func newInput(src io.Reader, base int64) *input {
	return &input{src: src, buf: make([]byte, 0, 64<<10), base: base, mk: -1, chunkN: 64 << 10}
}

func (in *input) offset() int64 { return in.base + int64(in.r) }

func (in *input) mark()   { in.mk = in.r }
func (in *input) unmark() { in.mk = -1 }

// rewind moves back to off if it lies within the kept history.
func (in *input) rewind(off int64) bool {
	if in.mk < 0 || off < in.base+int64(in.mk) || off > in.base+int64(in.w) {
		return false
	}
	in.r = int(off - in.base)
	return true
}

func (in *input) atEOF() bool { return in.r == in.w && in.err != nil }

// fill reads more from src. It returns false when nothing more can come.
func (in *input) fill() bool {
	if in.err != nil {
		return false
	}
	keep := in.r
	if in.mk >= 0 {
		if in.w-in.mk > maxRewind {
			in.mk = -1 // too much history: give up the ability to rewind
		} else {
			keep = in.mk
		}
	}
	if keep > 0 && (in.w == cap(in.buf) || keep > cap(in.buf)/2) {
		n := copy(in.buf[:cap(in.buf)], in.buf[keep:in.w])
		in.buf = in.buf[:n]
		in.w = n
		in.r -= keep
		if in.mk >= 0 {
			in.mk -= keep
		}
		in.base += int64(keep)
	}
	if in.w+in.chunkN > cap(in.buf) {
		nb := make([]byte, in.w, max(2*cap(in.buf), in.w+in.chunkN))
		copy(nb, in.buf[:in.w])
		in.buf = nb
	}
	for range 100 {
		n, err := in.src.Read(in.buf[in.w : in.w+in.chunkN])
		in.w += n
		in.buf = in.buf[:in.w]
		if err != nil {
			in.err = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	in.err = io.ErrNoProgress
	return false
}

func (in *input) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if in.r == in.w && !in.fill() {
		return 0, in.err
	}
	n := copy(p, in.buf[in.r:in.w])
	in.r += n
	return n, nil
}

func (in *input) ReadByte() (byte, error) {
	if in.r == in.w && !in.fill() {
		return 0, in.err
	}
	b := in.buf[in.r]
	in.r++
	return b, nil
}

func (in *input) readLine() ([]byte, error) {
	scanned := 0 // bytes after in.r already searched; in.r stays put so fill keeps them
	for {
		if i := bytes.IndexByte(in.buf[in.r+scanned:in.w], '\n'); i >= 0 {
			end := in.r + scanned + i + 1
			line := bytes.Clone(in.buf[in.r:end])
			in.r = end
			return line, nil
		}
		scanned = in.w - in.r
		if scanned > maxLineBytes {
			in.r = in.w
			return nil, fmt.Errorf("%w: header line over %d bytes", ErrCorrupt, maxLineBytes)
		}
		if !in.fill() {
			line := bytes.Clone(in.buf[in.r:in.w])
			in.r = in.w
			return line, in.errOrEOF()
		}
	}
}

func (in *input) errOrEOF() error {
	if in.err == nil {
		return io.EOF
	}
	return in.err
}

// hasPrefix reports whether the unread input starts with p.
func (in *input) hasPrefix(p []byte) bool {
	for in.w-in.r < len(p) {
		if !in.fill() {
			break
		}
	}
	return bytes.HasPrefix(in.buf[in.r:in.w], p)
}

// skipSpace consumes whitespace and NULs between records or members.
// It returns io.EOF (or the source's error) at the end of the input.
func (in *input) skipSpace() error {
	for {
		for in.r < in.w {
			switch in.buf[in.r] {
			case '\r', '\n', ' ', '\t', 0:
				in.r++
			default:
				return nil
			}
		}
		if !in.fill() {
			return in.errOrEOF()
		}
	}
}

func (in *input) skip(n int) {
	for n > 0 {
		if in.r == in.w && !in.fill() {
			return
		}
		k := min(n, in.w-in.r)
		in.r += k
		n -= k
	}
}

// seek advances to the next occurrence of p, or to the end.
func (in *input) seek(p []byte) {
	for {
		if i := bytes.Index(in.buf[in.r:in.w], p); i >= 0 {
			in.r += i
			return
		}
		// Keep a possible partial match at the end of the buffer.
		in.r = max(in.r, in.w-len(p)+1)
		if !in.fill() {
			in.r = in.w
			return
		}
	}
}

// seekLine advances to the next line that starts with p (the current
// position counts as a line start), or to the end.
func (in *input) seekLine(p []byte) {
	if in.hasPrefix(p) {
		return
	}
	nl := append([]byte{'\n'}, p...)
	for {
		if i := bytes.Index(in.buf[in.r:in.w], nl); i >= 0 {
			in.r += i + 1
			return
		}
		in.r = max(in.r, in.w-len(nl)+1)
		if !in.fill() {
			in.r = in.w
			return
		}
	}
}
