package warc

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The item a redaction blanks in the test feeds, and the feed around it.
const (
	goneItem = `<item><title>Jane Doe speaks</title><link>http://news.example/2026/jane-doe-story</link><description>Jane Doe private words</description></item>`
	testFeed = `<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>
<item><title>Kept one</title><link>http://news.example/a</link><description>first kept item</description></item>
` + goneItem + `
<item><title>Kept two</title><link>http://news.example/b</link><description>second kept item</description></item>
</channel></rss>`
)

// blankGone is a redact function for RedactRecords: it blanks goneItem.
func blankGone(rec *Record) Redaction {
	i := bytes.Index(rec.Payload, []byte(goneItem))
	if i < 0 {
		return Redaction{}
	}
	p := bytes.Clone(rec.Payload)
	copy(p[i:], bytes.Repeat([]byte(" "), len(goneItem)))
	return Redaction{Payload: p, Entries: 1}
}

// feedFixture writes a page, a feed response (raw as given) and another
// page; it returns the file, the feed's ref and the pages' refs.
func feedFixture(t *testing.T, feedRaw []byte) (string, Ref, []Ref) {
	t.Helper()
	w, dir := newTestWriter(t, WriterOptions{})
	ctx := context.Background()
	a, err := w.WriteExchange(ctx, exchange("http://news.example/a", []byte("<p>kept page a</p>")))
	if err != nil {
		t.Fatal(err)
	}
	ex := exchange("http://news.example/feed.xml", nil)
	ex.ResponseRaw = feedRaw
	feed, err := w.WriteExchange(ctx, ex)
	if err != nil {
		t.Fatal(err)
	}
	b, err := w.WriteExchange(ctx, exchange("http://news.example/b", []byte("<p>kept page b</p>")))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, feed.File), feed, []Ref{a, b}
}

// checkRedacted asserts that the feed record reads, with its digests
// true (ours and gowarc's), the kept items in place and the gone one
// blank, and that nothing of it is left in the file.
func checkRedacted(t *testing.T, path string, feed Ref, others []Ref) {
	t.Helper()
	rec, err := ReadAt(path, feed.Offset)
	if err != nil {
		t.Fatal(err)
	}
	if rec.RecordID != feed.RecordID || rec.Header.Get(RedactedField) != "1 entry" {
		t.Errorf("redacted record %s, %s %q", rec.RecordID, RedactedField, rec.Header.Get(RedactedField))
	}
	if rec.PayloadErr != nil {
		t.Errorf("payload: %v", rec.PayloadErr)
	}
	want := strings.Replace(testFeed, goneItem, strings.Repeat(" ", len(goneItem)), 1)
	if string(rec.Payload) != want {
		t.Errorf("payload after redaction:\n%s", rec.Payload)
	}
	if err := rec.CheckBlockDigest(); err != nil {
		t.Error(err)
	}
	if text := plainText(t, path); strings.Contains(text, "Jane Doe") || strings.Contains(text, "jane-doe-story") {
		t.Error("the file still holds the blanked item")
	}
	checkKept(t, filepath.Dir(path), others)
	if _, errs := readFile(t, path); len(errs) != 0 {
		t.Errorf("reading the file: %v", errs)
	}
	if n := gowarcRecords(t, path); n != 7 {
		t.Errorf("gowarc read %d records, want 7", n)
	}
}

func TestRedactRecords(t *testing.T) {
	chunkedGzip := append([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"),
		chunked(gzipBytes(t, []byte(testFeed)), 100)...)
	for _, c := range []struct {
		name string
		raw  []byte
	}{
		{"plain", httpResponse("application/rss+xml", []byte(testFeed))},
		{"chunked", append([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nTransfer-Encoding: chunked\r\n\r\n"), chunked([]byte(testFeed), 64)...)},
		{"gzip", httpResponse("application/rss+xml", gzipBytes(t, []byte(testFeed)), "Content-Encoding: gzip")},
		{"chunked gzip", chunkedGzip},
		{"deflate", httpResponse("application/rss+xml", zlibBytes(t, []byte(testFeed)), "Content-Encoding: deflate")},
		{"raw deflate", httpResponse("application/rss+xml", rawDeflateBytes(t, []byte(testFeed)), "Content-Encoding: deflate")},
		{"br", httpResponse("application/rss+xml", brotliBytes(t, []byte(testFeed)), "Content-Encoding: br")},
		{"zstd", httpResponse("application/rss+xml", zstdBytes(t, []byte(testFeed)), "Content-Encoding: zstd")},
		{"chunked zstd", append([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Encoding: zstd\r\nTransfer-Encoding: chunked\r\n\r\n"),
			chunked(zstdBytes(t, []byte(testFeed)), 100)...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, feed, others := feedFixture(t, c.raw)
			before, _ := os.Stat(path)
			res, err := RedactRecords(path, []EraseTarget{{Offset: feed.Offset, RecordID: feed.RecordID}}, blankGone)
			if err != nil {
				t.Fatal(err)
			}
			if res.Redacted != 1 || res.Entries != 1 || res.Erased != 0 {
				t.Errorf("result %+v", res)
			}
			after, _ := os.Stat(path)
			if after.Size() != before.Size() {
				t.Errorf("file went from %d to %d bytes", before.Size(), after.Size())
			}
			checkRedacted(t, path, feed, others)
			// Again: the record is found blank, nothing to do.
			res, err = RedactRecords(path, []EraseTarget{{Offset: feed.Offset, RecordID: feed.RecordID}}, blankGone)
			if err != nil || res.Redacted != 0 {
				t.Errorf("again: %+v, %v", res, err)
			}
		})
	}
}

// A body in content codings that cannot be rewritten to its length
// (two of them, one over the other), or a document the caller cannot read to its end: the record is
// erased whole, with its request, and the other records stay.
func TestRedactRecordsErasesWhole(t *testing.T) {
	for _, c := range []struct {
		name   string
		raw    []byte
		redact func(*Record) Redaction
		why    string
	}{
		{"gzip then br", httpResponse("application/rss+xml", brotliBytes(t, gzipBytes(t, []byte(testFeed))), "Content-Encoding: gzip, br"), blankGone, WhyEncoding},
		{"asked", httpResponse("application/rss+xml", []byte(testFeed)), func(*Record) Redaction { return Redaction{Erase: true} }, WhyAsked},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, feed, others := feedFixture(t, c.raw)
			res, err := RedactRecords(path, []EraseTarget{{Offset: feed.Offset, RecordID: feed.RecordID}}, c.redact)
			if err != nil {
				t.Fatal(err)
			}
			if res.Redacted != 0 || res.Erased != 1 || res.Records != 2 || res.Whole[feed.RecordID] != c.why {
				t.Errorf("result %+v", res)
			}
			rec, err := ReadAt(path, feed.Offset)
			if err != nil || !rec.IsErased() {
				t.Fatalf("the feed's record: %v", err)
			}
			if text := plainText(t, path); strings.Contains(text, "Kept one") {
				t.Error("the feed is still in the file")
			}
			checkKept(t, filepath.Dir(path), others)
		})
	}
}

// A crash after the journal, in the middle of writing the redacted
// member: the next erasure of the file (FinishErasure, as delete's scan
// does, or RedactRecords itself) writes it whole.
func TestRedactRecordsTorn(t *testing.T) {
	for _, finishFirst := range []bool{true, false} {
		path, feed, others := feedFixture(t, httpResponse("application/rss+xml", []byte(testFeed)))
		target := []EraseTarget{{Offset: feed.Offset, RecordID: feed.RecordID}}
		tearAfter = 60
		_, err := RedactRecords(path, target, blankGone)
		tearAfter = -1
		if !errors.Is(err, errTorn) {
			t.Fatalf("torn redaction: %v", err)
		}
		if _, errs := readFile(t, path); len(errs) == 0 {
			t.Fatal("the file is not torn")
		}
		checkKept(t, filepath.Dir(path), others)
		if finishFirst {
			if err := FinishErasure(path); err != nil {
				t.Fatal(err)
			}
		} else {
			res, err := RedactRecords(path, target, blankGone)
			if err != nil || res.Redacted != 0 {
				t.Fatalf("after the crash: %+v, %v", res, err)
			}
		}
		if _, err := os.Stat(path + ".erasing"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the journal stays: %v", err)
		}
		checkRedacted(t, path, feed, others)
	}
}

// fitGzip makes members of exactly the size asked, across the sizes its
// extra field and its empty stored blocks take, and they read back.
func TestFitGzip(t *testing.T) {
	data := []byte(strings.Repeat("<item>some feed text</item>\n", 40))
	noise := make([]byte, 3000)
	rng := rand.New(rand.NewPCG(1, 2)) // the same noise each run, so a failing size can be seen again
	for i := range noise {
		noise[i] = byte(rng.IntN(256))
	}
	data = append(data, noise...)
	var d bytes.Buffer
	zw := gzip.NewWriter(&d)
	zw.Write(data)
	zw.Close()
	least := int64(d.Len()) + 10 // gzip.Writer's member, and a few bytes more
	for _, size := range []int64{least, least + 1, least + 2, least + 3, least + 4, least + 5, least + 6, least + 100,
		least + 65531, least + 65537, least + 65538, least + 65542, least + 1<<20, least + 1<<20 + 3} {
		m, ok := fitGzip(data, size)
		if !ok {
			t.Errorf("size %d: did not fit", size)
			continue
		}
		checkMember(t, m, size, data)
	}
	if _, ok := fitGzip(data, 100); ok {
		t.Error("fitted in 100 bytes")
	}
}

// fitBody makes bodies of exactly the size asked in each content coding,
// from the size of the old body (which a redacted copy is smaller than
// as a rule) up to sizes that take more than one padding block, and they
// decode to the data (by decodeContent, and for deflate by the standard
// library's own readers too).
func TestFitBody(t *testing.T) {
	data := []byte(strings.Repeat("<item>some feed text</item>\n", 40))
	noise := make([]byte, 3000)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range noise {
		noise[i] = byte(rng.IntN(256))
	}
	data = append(data, noise...)
	for _, c := range []struct {
		name, coding string
		old          []byte
	}{
		{"gzip", "gzip", gzipBytes(t, data)},
		{"deflate", "deflate", zlibBytes(t, data)},
		{"raw deflate", "deflate", rawDeflateBytes(t, data)},
		{"deflate, small window", "deflate", smallWindow(zlibBytes(t, data))},
		{"br", "br", brotliBytes(t, data)},
		{"zstd", "zstd", zstdBytes(t, data)},
	} {
		t.Run(c.name, func(t *testing.T) {
			least := int64(len(c.old)) + 10 // the old body, and a few bytes more
			var sizes []int64
			// Below it, near the streams' own lengths, sizes may not fit
			// (those that do take the smallest paddings).
			for d := range int64(90) {
				sizes = append(sizes, least-50+d)
			}
			sizes = append(sizes, least+257, least+258, least+259, least+260, least+261,
				least+65535, least+65539, least+65540, least+65541, least+1<<20, least+1<<20+3)
			for _, size := range sizes {
				body, ok := fitBody(c.coding, c.old, data, size)
				if !ok {
					if size >= least {
						t.Errorf("size %d: did not fit", size)
					}
					continue
				}
				if int64(len(body)) != size {
					t.Fatalf("size %d: %d bytes", size, len(body))
				}
				got, err := decodeContent([]string{c.coding}, body)
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("size %d: decoded %d bytes, %v", size, len(got), err)
				}
				if c.coding != "deflate" {
					continue
				}
				var r io.Reader
				if c.name != "raw deflate" {
					if body[0] != 0x78 || (uint(body[0])<<8|uint(body[1]))%31 != 0 {
						t.Fatalf("size %d: zlib header % x, want a 32 KiB window", size, body[:2])
					}
					zr, err := zlib.NewReader(bytes.NewReader(body))
					if err != nil {
						t.Fatalf("size %d: %v", size, err)
					}
					r = zr
				} else {
					r = flate.NewReader(bytes.NewReader(body))
				}
				if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, data) {
					t.Fatalf("size %d: the standard library read %d bytes, %v", size, len(got), err)
				}
			}
			if _, ok := fitBody(c.coding, c.old, data, 100); ok {
				t.Error("fitted in 100 bytes")
			}
		})
	}
}

// smallWindow rewrites a zlib stream's header to declare a 1 KiB window,
// as a server's zlib set so writes it (its stream is no different here).
func smallWindow(z []byte) []byte {
	out := bytes.Clone(z)
	out[0], out[1] = 0x28, out[1]&0xc0
	out[1] |= byte((31 - (uint(out[0])<<8|uint(out[1]))%31) % 31)
	return out
}

// checkMember checks that m, a gzip member fitted to size, is size bytes
// and reads back data, and returns its header.
func checkMember(t *testing.T, m []byte, size int64, data []byte) gzip.Header {
	t.Helper()
	if int64(len(m)) != size {
		t.Fatalf("size %d: %d bytes", size, len(m))
	}
	zr, err := gzip.NewReader(bytes.NewReader(m))
	if err != nil {
		t.Fatalf("size %d: %v", size, err)
	}
	zr.Multistream(false)
	got, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("size %d: read back %d bytes, %v", size, len(got), err)
	}
	return zr.Header
}
