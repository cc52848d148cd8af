package warc

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Stored is a record as it lies in a file, for copying it out unchanged:
// a response of a capture, say, into an export.
type Stored struct {
	// Record is the record, read with its block only (no HTTP parsing).
	*Record
	// End is where the record's bytes end in the file: the end of its
	// gzip member, or, in a plain file, of its block (the CRLF CRLF that
	// should follow is not counted: copies write it themselves). It is
	// -1 for a Shared record, whose member goes on.
	End int64
	// Gzip says the record is compressed: the bytes from Record.Offset to
	// End are one gzip member holding this record alone, unless Shared.
	Gzip bool
	// Shared says the gzip member starting at Record.Offset holds more
	// records after this one (a file gzipped as one stream): the record
	// is the member's first, and copies take its bytes out of it.
	Shared bool
}

// ReadStored reads the record starting at offset in src (an open WARC
// file: plain, gzip per record, or gzip over several records, of which
// offset can only name the first) and says where its bytes end, for
// CopyGzip and CopyPlain. Nothing at offset gives an error wrapping
// ErrTruncated. The block digest is not checked: see CheckBlockDigest.
func ReadStored(src io.ReaderAt, offset int64) (*Stored, error) {
	var sr StoredReader
	return sr.Read(src, offset)
}

// StoredReader is ReadStored for reading many records: it keeps its
// buffers and decompressor from one read to the next. It is not safe for
// concurrent use; the zero value is ready.
type StoredReader struct {
	rd *Reader
}

// Read is ReadStored.
func (sr *StoredReader) Read(src io.ReaderAt, offset int64) (*Stored, error) {
	sec := io.NewSectionReader(src, offset, 1<<62)
	if sr.rd == nil {
		sr.rd = newReaderAt(sec, offset)
		sr.rd.blocksOnly = true
	} else {
		sr.rd.reset(sec, offset)
	}
	rd := sr.rd
	rec, err := rd.Next()
	if errors.Is(err, io.EOF) {
		err = fmt.Errorf("%w: no record at offset %d", ErrTruncated, offset)
	}
	if err != nil {
		return nil, err
	}
	s := &Stored{Record: rec, End: rd.in.offset(), Gzip: rd.mode == modeGzip}
	if s.Gzip && rd.member != nil {
		s.Shared, s.End = true, -1
	}
	return s, nil
}

// CopyGzip writes the record to w as one gzip member: the member as
// stored when the file holds it in one of its own, else the record's bytes
// (version line, header and block, unchanged, then CRLF CRLF) compressed
// by zw into a new one. src is the file ReadStored read it from. Either
// way the record's header and block are byte for byte those stored, so
// its WARC-Record-ID and WARC-Block-Digest stay true. The output depends
// only on the stored bytes and zw's level: copying twice gives the same
// bytes.
func (s *Stored) CopyGzip(w io.Writer, src io.ReaderAt, zw *gzip.Writer) error {
	if s.Gzip && !s.Shared {
		_, err := io.Copy(w, io.NewSectionReader(src, s.Offset, s.End-s.Offset))
		return err
	}
	zw.Reset(w)
	if err := s.CopyPlain(zw, src); err != nil {
		return err
	}
	return zw.Close()
}

// CopyPlain writes the record to w uncompressed: its version line, header
// and block as stored, then CRLF CRLF.
func (s *Stored) CopyPlain(w io.Writer, src io.ReaderAt) error {
	if !s.Gzip {
		if _, err := io.Copy(w, io.NewSectionReader(src, s.Offset, s.End-s.Offset)); err != nil {
			return err
		}
		_, err := w.Write(recordEnd)
		return err
	}
	size := s.End - s.Offset
	if s.Shared {
		size = 1 << 62 // the member goes on past the record
	}
	zr, err := gzip.NewReader(io.NewSectionReader(src, s.Offset, size))
	if err != nil {
		return err
	}
	zr.Multistream(false)
	// The member holds the record and the line ends after it, as written
	// (the usual CRLF CRLF, or fewer from a writer that got them wrong),
	// and, when shared, more records: the record is copied up to its
	// block's end, then ended as WARC says.
	br := bufio.NewReaderSize(zr, 32<<10)
	length, err := copyHeader(w, br)
	if err != nil {
		return err
	}
	if _, err := io.CopyN(w, br, length); err != nil {
		return err
	}
	_, err = w.Write(recordEnd)
	return err
}

var recordEnd = []byte("\r\n\r\n")

// copyHeader copies a record's version line and header, up to and with
// the blank line that ends it, from r to w as they are, and returns the
// record's Content-Length. Nothing is written unless all of it was read.
func copyHeader(w io.Writer, r *bufio.Reader) (int64, error) {
	length := int64(-1)
	var head bytes.Buffer
	for {
		line, err := lineReader{r}.readLine()
		if err != nil {
			return 0, truncatedOr(err, "header")
		}
		if head.Len()+len(line) > maxHeaderBytes {
			return 0, fmt.Errorf("%w: header over %d bytes", ErrCorrupt, maxHeaderBytes)
		}
		head.Write(line)
		text := strings.TrimRight(string(line), "\r\n")
		if text == "" {
			if length < 0 {
				return 0, fmt.Errorf("%w: no Content-Length", ErrCorrupt)
			}
			_, err := w.Write(head.Bytes())
			return length, err
		}
		if name, value, ok := strings.Cut(text, ":"); ok && length < 0 && strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil || n < 0 {
				return 0, fmt.Errorf("%w: bad Content-Length %q", ErrCorrupt, clip(value))
			}
			length = n
		}
	}
}

// WriteRecord writes one WARC/1.1 record to w, with the header fields h
// and then WARC-Block-Digest and Content-Length, which it adds: as one
// gzip member made by zw, or uncompressed when zw is nil. For records
// made rather than copied (an export's warcinfo); their bytes depend only
// on h, block and zw's level.
func WriteRecord(w io.Writer, zw *gzip.Writer, h Fields, block []byte) error {
	var buf bytes.Buffer
	if zw != nil {
		if err := writeMember(&buf, zw, h, block); err != nil {
			return err
		}
	} else {
		writeHead(&buf, h, block)
		buf.Write(block)
		buf.Write(recordEnd)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// NamedRecordID returns a record id derived from name alone (a version 5
// style UUID of its SHA-1), for records that must come out the same each
// time they are made: "<urn:uuid:…>".
func NamedRecordID(name []byte) string {
	s := sha1.Sum(name)
	u := s[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("<urn:uuid:%x-%x-%x-%x-%x>", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// FormatDate renders t as a WARC-Date: UTC, with microseconds.
func FormatDate(t time.Time) string { return formatDate(t) }

// Concurrent reports whether a and b name each other (or one names the
// other) in WARC-Concurrent-To: a response and the request that got it.
func Concurrent(a, b *Record) bool {
	names := func(r *Record, id string) bool {
		for _, f := range r.Header {
			if strings.EqualFold(f.Name, "WARC-Concurrent-To") && f.Value == id {
				return true
			}
		}
		return false
	}
	return a.RecordID != "" && b.RecordID != "" && (names(a, b.RecordID) || names(b, a.RecordID))
}

// ReadExchange reads, for copying, the record at offset in src and the
// request record for it (Concurrent): the one at reqOffset when it is not
// -1 (a request written before its response, as Common Crawl does), else
// the next record when it is that request (as Herald writes them). req
// is nil when there is none.
func (sr *StoredReader) ReadExchange(src io.ReaderAt, offset, reqOffset int64) (resp, req *Stored, err error) {
	resp, err = sr.Read(src, offset)
	if err != nil {
		return nil, nil, err
	}
	at := reqOffset
	if at < 0 {
		if resp.Shared {
			return resp, nil, nil // a record sharing its member has no next offset to read at
		}
		at = resp.End
	}
	if r, err := sr.Read(src, at); err == nil && r.Type == TypeRequest && Concurrent(resp.Record, r.Record) {
		req = r
	}
	return resp, req, nil
}
