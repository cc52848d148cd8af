package warc

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// httpResponse builds a raw HTTP/1.1 response with a Content-Length.
func httpResponse(contentType string, body []byte, extra ...string) []byte {
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 200 OK\r\n")
	fmt.Fprintf(&b, "Content-Type: %s\r\n", contentType)
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(body))
	b.Write(body)
	return b.Bytes()
}

// chunked encodes body with chunked transfer coding in pieces of n bytes.
func chunked(body []byte, n int) []byte {
	var b bytes.Buffer
	for len(body) > 0 {
		k := min(n, len(body))
		fmt.Fprintf(&b, "%x\r\n", k)
		b.Write(body[:k])
		b.WriteString("\r\n")
		body = body[k:]
	}
	b.WriteString("0\r\n\r\n")
	return b.Bytes()
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// record builds one uncompressed WARC record by hand, the way other tools
// write them (WARC/1.0, fields in their own order).
func record(typ, uri, contentType string, block []byte, extra ...string) []byte {
	var b bytes.Buffer
	b.WriteString("WARC/1.0\r\n")
	fmt.Fprintf(&b, "WARC-Type: %s\r\n", typ)
	if uri != "" {
		fmt.Fprintf(&b, "WARC-Target-URI: %s\r\n", uri)
	}
	b.WriteString("WARC-Date: 2021-06-03T10:00:00Z\r\n")
	fmt.Fprintf(&b, "WARC-Record-ID: <urn:uuid:%08x-0000-4000-8000-000000000000>\r\n", rand.Uint32())
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	if contentType != "" {
		fmt.Fprintf(&b, "Content-Type: %s\r\n", contentType)
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(block))
	b.Write(block)
	b.WriteString("\r\n\r\n")
	return b.Bytes()
}

func responseRecord(uri string, httpMsg []byte) []byte {
	return record(TypeResponse, uri, "application/http; msgtype=response", httpMsg)
}

// readAll reads every record and error from r until io.EOF, with a bound
// so a reader that stops making progress fails instead of hanging.
func readAll(t testing.TB, r *Reader) (recs []*Record, errs []error) {
	t.Helper()
	for range 100000 {
		rec, err := r.Next()
		if err == io.EOF {
			return recs, errs
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		recs = append(recs, rec)
	}
	t.Fatal("reader did not reach EOF")
	return nil, nil
}

// zlibBytes compresses b as HTTP's deflate coding says: a zlib stream.
func zlibBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := zlib.NewWriter(&out)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// rawDeflateBytes compresses b as some servers send deflate: a bare
// deflate stream, without zlib's frame.
func rawDeflateBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw, _ := flate.NewWriter(&out, flate.DefaultCompression)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func brotliBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	bw := brotli.NewWriter(&out)
	if _, err := bw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := bw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func zstdBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	zw, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer zw.Close()
	return zw.EncodeAll(b, nil)
}
