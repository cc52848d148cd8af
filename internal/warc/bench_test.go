package warc

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchPage makes a news-like HTML page of about size bytes, with varied
// words so it compresses like real text (about 3-4x), not like a repeat.
func benchPage(size int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	syllables := strings.Fields("ha bour ci ty coun sil re pair break wa ter win ofi cial ship turn res i dent wel come fund storm de fence north coast riv er mouth mar ket gov ern ment plan port vote")
	vocab := make([]string, 800)
	for i := range vocab {
		var w strings.Builder
		for range 1 + r.IntN(3) {
			w.WriteString(syllables[r.IntN(len(syllables))])
		}
		vocab[i] = w.String()
	}
	var b bytes.Buffer
	b.WriteString("<!doctype html><html><head><title>Harbour reopens</title></head><body><article>")
	for b.Len() < size {
		b.WriteString("<p>")
		for range 20 + r.IntN(60) {
			b.WriteString(vocab[r.IntN(r.IntN(len(vocab))+1)]) // frequent words first, like text
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%d.</p>\n", r.IntN(100000))
	}
	b.WriteString("</article></body></html>")
	return b.Bytes()
}

// BenchmarkWriteExchange writes request/response pairs with 100 KB pages.
// Bytes/s counts the raw HTTP response bytes.
func BenchmarkWriteExchange(b *testing.B) {
	w, err := NewWriter(b.TempDir(), WriterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	ex := exchange("http://news.example/a", benchPage(100<<10, 1))
	ctx := context.Background()
	b.SetBytes(int64(len(ex.ResponseRaw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.WriteExchange(ctx, ex); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "exchanges/s")
}

// BenchmarkWriteExchangeParallel is BenchmarkWriteExchange from
// GOMAXPROCS goroutines sharing one Writer: compression runs in the
// callers, only the file write is serialised.
func BenchmarkWriteExchangeParallel(b *testing.B) {
	w, err := NewWriter(b.TempDir(), WriterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	ex := exchange("http://news.example/a", benchPage(100<<10, 1))
	b.SetBytes(int64(len(ex.ResponseRaw)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := w.WriteExchange(context.Background(), ex); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "exchanges/s")
}

// BenchmarkReadResponses reads a gzip-per-record file of 200 exchanges
// (100 KB pages) from memory, parsing HTTP and payloads. Bytes/s counts
// the raw HTTP response bytes; records/s counts every record (responses
// and requests).
func BenchmarkReadResponses(b *testing.B) {
	dir := b.TempDir()
	w, err := NewWriter(dir, WriterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	const n = 200
	var raw int64
	for i := range n {
		ex := exchange(fmt.Sprintf("http://news.example/%d", i), benchPage(100<<10, uint64(i)))
		raw += int64(len(ex.ResponseRaw))
		if _, err := w.WriteExchange(context.Background(), ex); err != nil {
			b.Fatal(err)
		}
	}
	w.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	data, err := os.ReadFile(files[0])
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(raw)
	b.ReportAllocs()
	records := 0
	for b.Loop() {
		r := NewReader(bytes.NewReader(data))
		for {
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil || rec.PayloadErr != nil {
				b.Fatal(err, rec.PayloadErr)
			}
			records++
		}
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
