package warc

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzReader feeds arbitrary bytes to the Reader. It must never panic or
// loop, must make progress on every call, and must keep offsets inside the
// input and in order. Input that is not a WARC file may end the stream
// with a *NotWARCError, only before any record.
func FuzzReader(f *testing.F) {
	var plain bytes.Buffer
	var perRecord bytes.Buffer
	for _, r := range handBuilt(f) {
		plain.Write(r)
		perRecord.Write(gzipBytes(f, r))
	}
	f.Add(plain.Bytes())
	f.Add(perRecord.Bytes())
	f.Add(gzipBytes(f, plain.Bytes()))
	f.Add(perRecord.Bytes()[:perRecord.Len()/2])
	f.Add([]byte("WARC/1.1\r\nContent-Length: 5\r\n\r\nabc"))
	f.Add([]byte("WARC/1.1\r\nWARC-Type: response\r\nContent-Type: application/http;msgtype=response\r\nContent-Length: 60\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nff\r\nabc\r\n\r\n\r\n"))
	f.Add([]byte{0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff, 1, 2, 3})
	f.Add([]byte("<!DOCTYPE html>\n<p>not a WARC file\nWARC/ in the middle"))
	f.Add(gzipBytes(f, []byte("<html>")))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data))
		last := int64(-1)
		for calls := 0; ; calls++ {
			if calls > len(data)+2 {
				t.Fatalf("%d calls on %d bytes: no progress", calls, len(data))
			}
			rec, err := r.Next()
			if err == io.EOF {
				return
			}
			var off int64
			switch {
			case err == nil:
				off = rec.Offset
				if int64(len(rec.Block)) > int64(len(data)) && len(data) > 0 && data[0] != 0x1f {
					t.Fatalf("block of %d bytes from %d bytes of plain input", len(rec.Block), len(data))
				}
			default:
				var nw *NotWARCError
				if errors.As(err, &nw) {
					if calls != 0 {
						t.Fatalf("not a WARC file after %d calls: %v", calls, err)
					}
					if _, err := r.Next(); err != io.EOF {
						t.Fatalf("after %v: %v, want io.EOF", nw, err)
					}
					return
				}
				var re *RecordError
				if !errors.As(err, &re) {
					t.Fatalf("error is not a *RecordError: %v", err)
				}
				off = re.Offset
			}
			if off < 0 || off > int64(len(data)) || off < last {
				t.Fatalf("offset %d out of order (last %d, input %d bytes)", off, last, len(data))
			}
			last = off
		}
	})
}
