package warc

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copies returns what CopyGzip and CopyPlain write for s.
func copies(t *testing.T, s *Stored, src io.ReaderAt) (gz, plain []byte) {
	t.Helper()
	var g, p bytes.Buffer
	zw, _ := gzip.NewWriterLevel(nil, DefaultCompressionLevel)
	if err := s.CopyGzip(&g, src, zw); err != nil {
		t.Fatal(err)
	}
	if err := s.CopyPlain(&p, src); err != nil {
		t.Fatal(err)
	}
	return g.Bytes(), p.Bytes()
}

// ReadStored and the copies: a gzip member is copied as it is, a plain
// record, or the first of a member gzipping several, gets a member of its
// own holding its bytes unchanged, and any comes out uncompressed as
// stored with its CRLF CRLF (added when the writer left it out).
func TestReadStoredAndCopy(t *testing.T) {
	resp := responseRecord("https://a.example/1", httpResponse("text/html", []byte("<p>one</p>")))
	req := record(TypeRequest, "https://a.example/1", "application/http; msgtype=request", []byte("GET /1 HTTP/1.1\r\n\r\n"))
	short := bytes.TrimSuffix(responseRecord("https://a.example/2", httpResponse("text/html", []byte("<p>two</p>"))), []byte("\r\n\r\n"))

	// Gzip per record.
	m1, m2 := gzipBytes(t, resp), gzipBytes(t, short)
	file := append(append(append([]byte{}, m1...), gzipBytes(t, req)...), m2...)
	src := bytes.NewReader(file)
	s, err := ReadStored(src, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Gzip || s.Offset != 0 || s.End != int64(len(m1)) || s.Type != TypeResponse {
		t.Fatalf("stored %+v", s)
	}
	gz, plain := copies(t, s, src)
	if !bytes.Equal(gz, m1) || !bytes.Equal(plain, resp) {
		t.Errorf("copies of a member:\n%q\n%q", gz, plain)
	}
	next, err := ReadStored(src, s.End)
	if err != nil || next.Type != TypeRequest {
		t.Fatalf("the record after: %+v %v", next, err)
	}
	last, err := ReadStored(src, int64(len(file)-len(m2)))
	if err != nil {
		t.Fatal(err)
	}
	if _, plain := copies(t, last, src); !bytes.Equal(plain, append(short, "\r\n\r\n"...)) {
		t.Errorf("a record without its CRLF CRLF, uncompressed: %q", plain)
	}
	if _, err := ReadStored(src, int64(len(file))); !errors.Is(err, ErrTruncated) {
		t.Errorf("past the end: %v", err)
	}

	// Plain, with the last record's CRLF CRLF missing.
	file = append(append([]byte("\r\n"), resp...), short...)
	src = bytes.NewReader(file)
	s, err = ReadStored(src, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s.Gzip || s.Offset != 2 || s.End != int64(2+len(resp)-4) {
		t.Fatalf("plain stored at %d..%d, gzip %v", s.Offset, s.End, s.Gzip)
	}
	gz, plain = copies(t, s, src)
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(zr); err != nil || !bytes.Equal(b, resp) || !bytes.Equal(plain, resp) {
		t.Errorf("copies of a plain record: %q %q %v", b, plain, err)
	}
	again, _ := copies(t, s, src)
	if !bytes.Equal(gz, again) {
		t.Error("two copies differ")
	}
	last, err = ReadStored(src, s.End+4)
	if err != nil {
		t.Fatal(err)
	}
	if _, plain := copies(t, last, src); !bytes.Equal(plain, append(short, "\r\n\r\n"...)) {
		t.Errorf("a plain record without its CRLF CRLF: %q", plain)
	}

	// Gzipped as one stream: the first record is taken out of the member
	// into one of its own.
	src = bytes.NewReader(gzipBytes(t, append(append([]byte{}, resp...), req...)))
	s, err = ReadStored(src, 0)
	if err != nil || !s.Shared || !s.Gzip || s.End != -1 || s.Type != TypeResponse {
		t.Fatalf("whole-file gzip: %+v %v", s, err)
	}
	gz, plain = copies(t, s, src)
	zr, err = gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(zr); err != nil || !bytes.Equal(b, resp) || !bytes.Equal(plain, resp) {
		t.Errorf("copies of a shared member's record: %q %q %v", b, plain, err)
	}
}

// WriteRecord makes the same bytes each time, compressed or not, and
// NamedRecordID the same id for the same name only.
func TestWriteRecordAndNamedRecordID(t *testing.T) {
	id := NamedRecordID([]byte("an export"))
	if id != NamedRecordID([]byte("an export")) || id == NamedRecordID([]byte("another")) || !strings.HasPrefix(id, "<urn:uuid:") || id[24] != '5' {
		t.Errorf("ids %s", id)
	}
	h := Fields{{"WARC-Type", TypeWarcinfo}, {"WARC-Record-ID", id}}
	var a, b, p bytes.Buffer
	zw, _ := gzip.NewWriterLevel(nil, DefaultCompressionLevel)
	for _, w := range []*bytes.Buffer{&a, &b} {
		if err := WriteRecord(w, zw, h, []byte("software: x\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteRecord(&p, nil, h, []byte("software: x\r\n")); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two writes differ")
	}
	for _, w := range []*bytes.Buffer{&a, &p} {
		recs, errs := readAll(t, NewReader(w))
		if len(errs) > 0 || len(recs) != 1 || recs[0].RecordID != id || recs[0].CheckBlockDigest() != nil || string(recs[0].Block) != "software: x\r\n" {
			t.Errorf("read back %v %v", recs, errs)
		}
	}
}

// A response and the request written before it (as Common Crawl writes
// them) are read as one exchange and copied into a Writer's file,
// response first, each unchanged: the Ref names the response, and the
// request follows it there, as Herald writes them.
func TestCopyRecordsOfAnExchange(t *testing.T) {
	req := record(TypeRequest, "https://a.example/1", "application/http; msgtype=request", []byte("GET /1 HTTP/1.1\r\n\r\n"))
	reqStored, err := ReadStored(bytes.NewReader(req), 0)
	if err != nil {
		t.Fatal(err)
	}
	resp := record(TypeResponse, "https://a.example/1", "application/http; msgtype=response",
		httpResponse("text/html", []byte("<p>one</p>")), "WARC-Concurrent-To: "+reqStored.RecordID)
	other := record(TypeRequest, "https://a.example/2", "application/http; msgtype=request", []byte("GET /2 HTTP/1.1\r\n\r\n"))
	file := append(append(append([]byte{}, req...), resp...), other...) // plain
	src := bytes.NewReader(file)
	var sr StoredReader
	r, q, err := sr.ReadExchange(src, int64(len(req)), 0)
	if err != nil || q == nil || q.RecordID != reqStored.RecordID {
		t.Fatalf("the exchange: %+v %+v %v", r, q, err)
	}
	if _, q, _ := sr.ReadExchange(src, int64(len(req)), -1); q != nil {
		t.Errorf("the request of another page, after the response, was taken for its own: %s", q.TargetURI)
	}
	w, err := NewWriter(t.TempDir(), WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, q, _ = sr.ReadExchange(src, int64(len(req)), 0)
	refs, err := w.CopyRecords(context.Background(), src, r, q)
	if err != nil {
		t.Fatal(err)
	}
	ref := refs[0]
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := os.Open(filepath.Join(w.Dir(), ref.File))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	got, next, err := sr.ReadExchange(out, ref.Offset, -1)
	if err != nil || got.RecordID != ref.RecordID || next == nil || next.RecordID != reqStored.RecordID {
		t.Fatalf("in the copy: %+v then %+v, %v", got, next, err)
	}
	if err := got.CheckBlockDigest(); err != nil {
		t.Error(err)
	}
	if _, plain := copies(t, got, out); !bytes.Equal(plain, resp) {
		t.Errorf("the response copied differs:\n%q\n%q", plain, resp)
	}
	if _, err := w.CopyRecords(context.Background(), src, r); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}
