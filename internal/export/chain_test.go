package export

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// A capture that does not say where its redirects start has them looked
// for right before its response: found, they are written before it; the
// walk back stopping at a record longer than its bound (a 3 MiB
// incompressible download written before the hops) is counted as
// ChainsUnsure, not as anything left out, and what was found is written.
func TestWARCWriterChainUnsure(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ww, err := warc.NewWriter(dir, warc.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ex := func(uri string, msg []byte) warc.Exchange {
		return warc.Exchange{TargetURI: uri, RequestRaw: []byte("GET " + uri + " HTTP/1.1\r\n\r\n"), ResponseRaw: msg}
	}
	big := make([]byte, 3<<20)
	rand.Read(big)
	page := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 17\r\n\r\n<p>The story.</p>")
	if _, err := ww.WriteExchange(ctx, ex("https://a.example/big", fmt.Appendf(nil, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(big), big))); err != nil {
		t.Fatal(err)
	}
	refs, err := ww.WriteExchanges(ctx, []warc.Exchange{
		ex("https://a.example/go", []byte("HTTP/1.1 301 Moved\r\nLocation: /story\r\nContent-Length: 0\r\n\r\n")),
		ex("https://a.example/story", page),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := ww.Close(); err != nil {
		t.Fatal(err)
	}
	r := &store.Record{ID: "s1", Article: article.Article{URL: "https://a.example/story"}, Version: 1,
		Capture: &store.Capture{File: refs[1].File, Offset: refs[1].Offset, RecordID: refs[1].RecordID}}
	var buf bytes.Buffer
	var skips []Skip
	sum, err := WriteWARC(ctx, &buf, func(ctx context.Context, fn func(*store.Record) error) error { return fn(r) },
		WARCInfo{Software: "Herald/test"}, WARCOptions{
			Open: func(name string) (*os.File, error) { return os.Open(filepath.Join(dir, name)) },
			Skip: func(s Skip) { skips = append(skips, s) },
		})
	if err != nil {
		t.Fatal(err)
	}
	if sum.ChainsUnsure != 1 || sum.Chains != 1 || sum.Redirects != 2 || sum.ChainsSkipped != 0 || len(skips) != 0 {
		t.Errorf("summary %+v, skips %v", sum, skips)
	}
	rd := warc.NewReader(&buf)
	var got []string
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec.Type+" "+rec.TargetURI)
	}
	want := []string{"warcinfo ", "response https://a.example/go", "request https://a.example/go", "response https://a.example/story", "request https://a.example/story"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("records %q, want %q", got, want)
	}
}
