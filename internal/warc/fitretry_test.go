package warc

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"strings"
	"testing"
)

// prosePage is a small page of paragraphs whose fifth links to the
// page taken down (/jane), and the same page with that link's target
// blanked: a copy a few bytes smaller than the old, compressed.
func prosePage(i int) (doc, redacted []byte) {
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><html><head><title>Section %d</title></head><body>`, i)
	for k := range 10 + i%40 {
		href := fmt.Sprintf("/2026/story-%d-%d", i, k)
		if k == 5 {
			href = "/jane"
		}
		fmt.Fprintf(&b, `<p>Text %d <a href="%s">link %d</a> more text.</p>`+"\n", k*i, href, k)
	}
	b.WriteString(`</body></html>`)
	doc = []byte(b.String())
	return doc, bytes.Replace(doc, []byte(`href="/jane"`), []byte(`href="     "`), 1)
}

// gzipRecord is the record of a response whose body is doc gzip-coded
// (as a server's gzip at its default level), in a member of its own as
// a Writer compresses it, with fixed ids and dates; and the member's
// size.
func gzipRecord(t *testing.T, doc []byte) (*Record, int64) {
	t.Helper()
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	zw.Write(doc)
	zw.Close()
	block := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n", body.Len()) + body.String()
	rec := "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n" +
		"WARC-Date: 2026-12-01T09:00:00Z\r\nWARC-Target-URI: https://news.example/section/\r\n" +
		"Content-Type: application/http;msgtype=response\r\nWARC-Payload-Digest: " + sha1Digest(body.Bytes()) + "\r\n" +
		"WARC-Block-Digest: " + sha1Digest([]byte(block)) + "\r\nContent-Length: " + fmt.Sprint(len(block)) + "\r\n\r\n" + block + "\r\n\r\n"
	var m bytes.Buffer
	mw, _ := gzip.NewWriterLevel(&m, DefaultCompressionLevel)
	mw.Write([]byte(rec))
	mw.Close()
	size := int64(m.Len())
	r, err := NewReader(&m).Next()
	if err != nil {
		t.Fatal(err)
	}
	return r, size
}

// A gzip-coded page with a link's target blanked: the first body that
// fits its length leaves a record whose member is a few bytes too long
// (the record's compression of a compressed body differs from the old
// one's by some bytes either way), so another compressor's body is
// tried, and the record is rewritten in place rather than erased whole.
func TestRedactedMemberTriesOtherBodies(t *testing.T) {
	doc, red := prosePage(4) // one where the first body's member does not fit
	rec, size := gzipRecord(t, doc)
	head := rec.Block[:bytes.Index(rec.Block, []byte("\r\n\r\n"))+4]
	body, ok := fitBody("gzip", nil, red, int64(len(rec.Block)-len(head)))
	if !ok {
		t.Fatal("no body fits") // the body alone fits; the member is the question
	}
	block := append(bytes.Clone(head), body...)
	for _, mark := range []bool{true, false} {
		if _, ok := fitGzip(redactedRecord(rec, block, body, "1 entry", mark), size); ok {
			t.Fatalf("the first body's record fits (marked %v): the page tries no other body", mark)
		}
	}
	m, why := redactedMember(rec, Redaction{Payload: red, Entries: 1}, size)
	if why != "" {
		t.Fatalf("redactedMember: %s", why)
	}
	if int64(len(m)) != size {
		t.Fatalf("member of %d bytes, was %d", len(m), size)
	}
	got, err := NewReader(bytes.NewReader(m)).Next()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Payload, red) || got.RecordID != rec.RecordID || got.CheckBlockDigest() != nil {
		t.Errorf("the member reads back as %s, %v:\n%s", got.RecordID, got.CheckBlockDigest(), got.Payload)
	}
}
