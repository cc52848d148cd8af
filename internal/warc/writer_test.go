package warc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gowarc "github.com/nlnwa/gowarc/v3"
)

func exchange(uri string, body []byte, extra ...string) Exchange {
	path := strings.TrimPrefix(uri, "http://news.example")
	return Exchange{
		TargetURI:   uri,
		Date:        time.Date(2026, 11, 25, 13, 0, 0, 123456000, time.UTC),
		IP:          "192.0.2.7",
		RequestRaw:  []byte("GET " + path + " HTTP/1.1\r\nHost: news.example\r\nUser-Agent: Herald/test\r\n\r\n"),
		ResponseRaw: httpResponse("text/html", body, extra...),
	}
}

func newTestWriter(t *testing.T, o WriterOptions) (*Writer, string) {
	t.Helper()
	dir := t.TempDir()
	w, err := NewWriter(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	return w, dir
}

func warcFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	return files
}

func readFile(t *testing.T, path string) ([]*Record, []error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return readAll(t, NewReader(f))
}

func TestRoundTrip(t *testing.T) {
	binary := make([]byte, 300<<10)
	for i := range binary {
		binary[i] = byte(rand.N(256)) // every byte value, incl. CR, LF, NUL
	}
	large := bytes.Repeat([]byte("<p>A long article paragraph, repeated.</p>\n"), (1<<20)/40+500) // > 1 MiB
	gz := gzipBytes(t, []byte(html))
	chunkedRaw := append([]byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"), chunked([]byte(html), 7)...)
	cases := []struct {
		name    string
		ex      Exchange
		payload []byte
	}{
		{"html", exchange("http://news.example/a", []byte(html)), []byte(html)},
		{"binary", exchange("http://news.example/b.bin", binary), binary},
		{"over 1 MiB", exchange("http://news.example/long", large), large},
		{"empty body", exchange("http://news.example/empty", nil), nil},
		{"gzip content encoding", exchange("http://news.example/gz", gz, "Content-Encoding: gzip"), []byte(html)},
		{"chunked", Exchange{TargetURI: "http://news.example/ch", ResponseRaw: chunkedRaw}, []byte(html)},
	}
	w, dir := newTestWriter(t, WriterOptions{Info: map[string]string{"operator": "tests", "isPartOf": "roundtrip"}})
	ctx := context.Background()
	refs := make([]Ref, len(cases))
	for i, tc := range cases {
		ref, err := w.WriteExchange(ctx, tc.ex)
		if err != nil {
			t.Fatal(err)
		}
		refs[i] = ref
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteExchange(ctx, cases[0].ex); !errors.Is(err, ErrClosed) {
		t.Errorf("write after close: %v", err)
	}

	files := warcFiles(t, dir)
	if len(files) != 1 {
		t.Fatalf("%d files, want 1", len(files))
	}
	if name := filepath.Base(files[0]); !regexp.MustCompile(`^herald-\d{8}T\d{6}Z-00001\.warc\.gz$`).MatchString(name) || refs[0].File != name {
		t.Errorf("file name %q, ref file %q", name, refs[0].File)
	}
	recs, errs := readFile(t, files[0])
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	if len(recs) != 1+2*len(cases)-1 { // warcinfo, pairs, the chunked case has no request
		t.Fatalf("%d records", len(recs))
	}
	info := recs[0]
	if info.Type != TypeWarcinfo || info.Header.Get("WARC-Filename") != refs[0].File ||
		!bytes.Contains(info.Block, []byte("operator: tests\r\n")) || info.Version != "WARC/1.1" {
		t.Errorf("warcinfo: %+v\n%s", info.Header, info.Block)
	}
	byID := map[string]*Record{}
	for _, r := range recs {
		byID[r.RecordID] = r
		if err := r.CheckBlockDigest(); err != nil {
			t.Error(err)
		}
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := byID[refs[i].RecordID]
			if resp == nil {
				t.Fatal("response record not found by id")
			}
			if resp.Offset != refs[i].Offset || resp.Type != TypeResponse || resp.TargetURI != tc.ex.TargetURI {
				t.Errorf("offset %d (ref %d) type %s uri %s", resp.Offset, refs[i].Offset, resp.Type, resp.TargetURI)
			}
			if !bytes.Equal(resp.Block, tc.ex.ResponseRaw) {
				t.Errorf("block has %d bytes, want the %d bytes written", len(resp.Block), len(tc.ex.ResponseRaw))
			}
			if len(resp.Payload) != len(tc.payload) || !bytes.Equal(resp.Payload, tc.payload) || resp.PayloadErr != nil {
				t.Errorf("payload %d bytes (err %v), want %d", len(resp.Payload), resp.PayloadErr, len(tc.payload))
			}
			if tc.ex.IP != "" && resp.Header.Get("WARC-IP-Address") != tc.ex.IP {
				t.Errorf("ip %q", resp.Header.Get("WARC-IP-Address"))
			}
			if !tc.ex.Date.IsZero() && !resp.Date.Equal(tc.ex.Date) {
				t.Errorf("date %v, want %v", resp.Date, tc.ex.Date)
			}
			if len(tc.ex.RequestRaw) > 0 {
				req := byID[resp.Header.Get("WARC-Concurrent-To")]
				if req == nil || req.Type != TypeRequest || !bytes.Equal(req.Block, tc.ex.RequestRaw) ||
					req.Header.Get("WARC-Concurrent-To") != resp.RecordID {
					t.Errorf("request record not linked both ways")
				}
			}
			// ReadAt fetches the same record back by its Ref.
			again, err := ReadAt(filepath.Join(dir, refs[i].File), refs[i].Offset)
			if err != nil {
				t.Fatal(err)
			}
			if again.RecordID != refs[i].RecordID || !bytes.Equal(again.Payload, tc.payload) || again.Offset != refs[i].Offset {
				t.Errorf("ReadAt got %s, %d payload bytes", again.RecordID, len(again.Payload))
			}
		})
	}

	// The payload digest covers the de-chunked entity body.
	resp := byID[refs[5].RecordID]
	if got, want := resp.Header.Get("WARC-Payload-Digest"), sha1Digest([]byte(html)); got != want {
		t.Errorf("payload digest %s, want %s", got, want)
	}
}

// TestGowarcReadsOurFiles cross-checks the writer with an independent WARC
// implementation using its default validation: every record parses, with
// the right type, length and a valid block digest.
func TestGowarcReadsOurFiles(t *testing.T) {
	w, dir := newTestWriter(t, WriterOptions{})
	big := bytes.Repeat([]byte("0123456789abcdef"), 80<<10) // 1.25 MiB
	lengths := map[string]int{}
	for i, body := range [][]byte{[]byte(html), big, nil} {
		ex := exchange(fmt.Sprintf("http://news.example/%d", i), body)
		ref, err := w.WriteExchange(context.Background(), ex)
		if err != nil {
			t.Fatal(err)
		}
		lengths[ref.RecordID] = len(ex.ResponseRaw)
	}
	w.Close()
	r, err := gowarc.NewWarcFileReader(warcFiles(t, dir)[0], 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var types []string
	for {
		rec, err := r.Next()
		if err != nil {
			break
		}
		if len(rec.Validation) != 0 {
			t.Errorf("gowarc validation: %v", rec.Validation)
		}
		types = append(types, rec.WarcRecord.Type().String())
		if want, ok := lengths[rec.WarcRecord.RecordId()]; ok {
			raw, err := rec.WarcRecord.Block().RawBytes()
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			b.ReadFrom(raw)
			if b.Len() != want {
				t.Errorf("gowarc read %d block bytes, want %d", b.Len(), want)
			}
		}
		if _, err := rec.WarcRecord.ValidateDigest(); err != nil {
			t.Errorf("gowarc digest check: %v", err)
		}
		rec.Close()
	}
	if got := strings.Join(types, " "); got != "warcinfo response request response request response request" {
		t.Errorf("gowarc saw %s", got)
	}
}

func TestRotation(t *testing.T) {
	clock := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
	w, dir := newTestWriter(t, WriterOptions{
		Prefix:       "test",
		MaxFileBytes: 4 << 10,
		Now:          func() time.Time { return clock },
	})
	body := make([]byte, 1500) // incompressible, so each exchange is ~1.7 KiB
	refs := map[string]Ref{}
	for i := range 10 {
		for j := range body {
			body[j] = byte(rand.N(256))
		}
		ex := exchange(fmt.Sprintf("http://news.example/%d", i), body)
		ref, err := w.WriteExchange(context.Background(), ex)
		if err != nil {
			t.Fatal(err)
		}
		refs[ref.RecordID] = ref
	}
	// One exchange larger than the limit still gets written, alone.
	huge := exchange("http://news.example/huge", bytes.Repeat([]byte{7}, 8<<10))
	huge.ResponseRaw = append(huge.ResponseRaw[:0:0], huge.ResponseRaw...)
	for i := range huge.ResponseRaw[100:] {
		huge.ResponseRaw[100+i] = byte(rand.N(256))
	}
	if _, err := w.WriteExchange(context.Background(), huge); err != nil {
		t.Fatal(err)
	}
	w.Close()

	files := warcFiles(t, dir)
	if len(files) < 5 {
		t.Fatalf("%d files, want rotation into at least 5", len(files))
	}
	seen := 0
	for i, f := range files {
		if want := fmt.Sprintf("test-20261125T130000Z-%05d.warc.gz", i+1); filepath.Base(f) != want {
			t.Errorf("file %d named %s, want %s", i, filepath.Base(f), want)
		}
		st, _ := os.Stat(f)
		recs, errs := readFile(t, f)
		if len(errs) != 0 {
			t.Fatal(errs)
		}
		if recs[0].Type != TypeWarcinfo {
			t.Errorf("%s does not start with warcinfo", f)
		}
		responses := 0
		for _, r := range recs {
			if r.Type == TypeResponse {
				responses++
				if ref, ok := refs[r.RecordID]; ok {
					seen++
					if ref.File != filepath.Base(f) || ref.Offset != r.Offset {
						t.Errorf("ref %+v, record in %s at %d", ref, filepath.Base(f), r.Offset)
					}
				}
			}
		}
		if st.Size() > 4<<10 && responses > 1 {
			t.Errorf("%s is %d bytes with %d exchanges", f, st.Size(), responses)
		}
	}
	if seen != 10 {
		t.Errorf("found %d of 10 responses", seen)
	}
}

func TestConcurrentWriters(t *testing.T) {
	w, dir := newTestWriter(t, WriterOptions{MaxFileBytes: 64 << 10})
	const goroutines, each = 8, 40
	var mu sync.Mutex
	refs := map[string]Ref{}
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				uri := fmt.Sprintf("http://news.example/%d/%d", g, i)
				ref, err := w.WriteExchange(context.Background(), exchange(uri, []byte(uri+" "+html)))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				refs[uri] = ref
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, f := range warcFiles(t, dir) {
		recs, errs := readFile(t, f)
		if len(errs) != 0 {
			t.Fatal(errs)
		}
		for i, r := range recs {
			if r.Type != TypeResponse {
				continue
			}
			found++
			ref := refs[r.TargetURI]
			if ref.RecordID != r.RecordID || ref.Offset != r.Offset || ref.File != filepath.Base(f) {
				t.Errorf("%s: ref %+v, record at %s@%d", r.TargetURI, ref, filepath.Base(f), r.Offset)
			}
			if string(r.Payload) != r.TargetURI+" "+html {
				t.Errorf("%s: payload belongs to another exchange", r.TargetURI)
			}
			// Each response is directly followed by its own request.
			if i+1 >= len(recs) || recs[i+1].Header.Get("WARC-Concurrent-To") != r.RecordID {
				t.Errorf("%s: request record not next to its response", r.TargetURI)
			}
		}
	}
	if found != goroutines*each {
		t.Errorf("found %d responses, want %d", found, goroutines*each)
	}
}

func TestWriterRefusesBadInput(t *testing.T) {
	w, _ := newTestWriter(t, WriterOptions{})
	defer w.Close()
	if _, err := w.WriteExchange(context.Background(), Exchange{TargetURI: "http://x/"}); err == nil {
		t.Error("an exchange without a response was accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := w.WriteExchange(ctx, exchange("http://news.example/x", []byte(html))); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestTruncatedExchange(t *testing.T) {
	w, dir := newTestWriter(t, WriterOptions{})
	refs := map[string]Ref{}
	for _, reason := range []string{"length", "time", "disconnect", "unspecified"} {
		ex := exchange("http://news.example/cut", []byte(html))
		ex.ResponseRaw = ex.ResponseRaw[:len(ex.ResponseRaw)-20]
		ex.Truncated = reason
		ref, err := w.WriteExchange(context.Background(), ex)
		if err != nil {
			t.Fatal(err)
		}
		refs[reason] = ref
	}
	w.Close()
	for reason, ref := range refs {
		rec, err := ReadAt(filepath.Join(dir, ref.File), ref.Offset)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Header.Get("WARC-Truncated") != reason || rec.Header.Get("WARC-Payload-Digest") != "" {
			t.Errorf("%s: header %v", reason, rec.Header)
		}
	}
	rec, err := ReadAt(filepath.Join(dir, refs["length"].File), refs["length"].Offset)
	if err != nil {
		t.Fatal(err)
	}
	if rec.PayloadErr == nil || string(rec.Payload) != html[:len(html)-20] {
		t.Errorf("payload %q err %v", rec.Payload, rec.PayloadErr)
	}
}

func TestReadAtErrors(t *testing.T) {
	w, dir := newTestWriter(t, WriterOptions{})
	ref, err := w.WriteExchange(context.Background(), exchange("http://news.example/a", []byte(html)))
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	path := filepath.Join(dir, ref.File)
	if _, err := ReadAt(path, ref.Offset+1); err == nil {
		t.Error("reading from inside a member succeeded")
	}
	if _, err := ReadAt(path, 1<<30); !errors.Is(err, ErrTruncated) {
		t.Errorf("past the end: %v", err)
	}
	if _, err := ReadAt(filepath.Join(dir, "missing.warc.gz"), 0); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
