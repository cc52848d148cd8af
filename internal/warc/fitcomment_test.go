package warc

import (
	"bytes"
	"strings"
	"testing"
)

// A copy only a few bytes smaller than the old member (a link's target
// blanked in a small page) fits: one to five bytes over the smallest
// member any compressor makes, too few for an extra field, are a comment
// in the gzip header, which readers skip.
func TestFitGzipFewBytesOver(t *testing.T) {
	data := []byte(strings.Repeat(`<p>Text of a page <a href="/2026/story">a link</a> and more text.</p>`+"\n", 30))
	smallest := int64(1 << 40)
	for _, c := range compressors {
		var d bytes.Buffer
		zw := c(&d)
		zw.Write(data)
		zw.Close()
		smallest = min(smallest, int64(10+d.Len()+8))
	}
	for k := range int64(6) {
		size := smallest + k
		m, ok := fitGzip(data, size)
		if !ok {
			t.Errorf("%d bytes over the smallest member: did not fit", k)
			continue
		}
		if c := checkMember(t, m, size, data).Comment; strings.Trim(c, " ") != "" || len(c) >= int(max(k, 1)) {
			t.Errorf("size %d: comment %q", size, c) // spaces, fewer than the bytes over
		}
	}
}
