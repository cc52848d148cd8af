package sitemap

import (
	"bytes"
	"testing"
)

func benchmarkParse(b *testing.B, data []byte, size int) {
	b.ReportAllocs()
	b.SetBytes(int64(size))
	for b.Loop() {
		sm, err := Parse(bytes.NewReader(data), "https://www.harbourtimes.example/sitemap.xml")
		if err != nil || len(sm.URLs) != 10_000 {
			b.Fatalf("err=%v URLs=%d", err, len(sm.URLs))
		}
	}
}

// BenchmarkParseNews reads a 10,000-entry news sitemap; bytes/s are of the
// uncompressed XML in both cases.
func BenchmarkParseNews(b *testing.B) {
	data := urlset(10_000, true)
	b.Run("xml", func(b *testing.B) { benchmarkParse(b, data, len(data)) })
	b.Run("gzip", func(b *testing.B) { benchmarkParse(b, gz(b, data), len(data)) })
}

func BenchmarkParseURLSet(b *testing.B) {
	data := urlset(10_000, false)
	benchmarkParse(b, data, len(data))
}
