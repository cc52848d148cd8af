package warc

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gowarc "github.com/nlnwa/gowarc/v3"
)

// eraseFixture writes three captures into one file: a redirect chain
// ending at the story to erase, then two others. It returns the file
// and the refs of the story and the other two.
func eraseFixture(t *testing.T) (path string, story Ref, others []Ref) {
	t.Helper()
	w, dir := newTestWriter(t, WriterOptions{})
	ctx := context.Background()
	hop := exchange("http://news.example/s/17", nil)
	hop.ResponseRaw = []byte("HTTP/1.1 301 Moved Permanently\r\nLocation: /2026/jane-doe-story\r\nContent-Length: 0\r\n\r\n")
	refs, err := w.WriteExchanges(ctx, []Exchange{
		hop,
		exchange("http://news.example/2026/jane-doe-story", []byte("<p>Jane Doe private words</p>")),
	})
	if err != nil {
		t.Fatal(err)
	}
	story = refs[1]
	for _, u := range []string{"http://news.example/a", "http://news.example/b"} {
		ref, err := w.WriteExchange(ctx, exchange(u, []byte("<p>kept page "+u+"</p>")))
		if err != nil {
			t.Fatal(err)
		}
		others = append(others, ref)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, story.File), story, others
}

// plainText decompresses a whole gzip-per-record file.
func plainText(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkKept asserts that the other captures still read at their offsets.
func checkKept(t *testing.T, dir string, others []Ref) {
	t.Helper()
	for _, ref := range others {
		rec, err := ReadAt(filepath.Join(dir, ref.File), ref.Offset)
		if err != nil {
			t.Fatalf("kept capture %s: %v", ref.RecordID, err)
		}
		if rec.RecordID != ref.RecordID || !strings.Contains(string(rec.Payload), "kept page") {
			t.Errorf("kept capture at %d: record %s payload %q", ref.Offset, rec.RecordID, rec.Payload)
		}
	}
}

func TestEraseRecords(t *testing.T) {
	path, story, others := eraseFixture(t)
	before, _ := os.Stat(path)
	res, err := EraseRecords(path, []EraseTarget{{Offset: story.Offset, RecordID: story.RecordID}})
	if err != nil {
		t.Fatal(err)
	}
	// The hop's response and request, the story's response and request.
	if res.Records != 4 || res.Already != 0 {
		t.Errorf("erased %+v, want 4 records", res)
	}
	after, _ := os.Stat(path)
	if after.Size() != before.Size() {
		t.Errorf("file went from %d to %d bytes", before.Size(), after.Size())
	}
	text := plainText(t, path)
	for _, gone := range []string{"Jane Doe", "jane-doe-story", "/s/17", story.RecordID} {
		if strings.Contains(text, gone) {
			t.Errorf("the file still holds %q", gone)
		}
	}
	checkKept(t, filepath.Dir(path), others)
	recs, errs := readFile(t, path)
	if len(errs) != 0 {
		t.Fatalf("reading the erased file: %v", errs)
	}
	var types []string
	for _, r := range recs {
		types = append(types, r.Type)
		if r.IsErased() && r.Header.Get(ErasedField) != "4 records" {
			t.Errorf("erased record says %q", r.Header.Get(ErasedField))
		}
	}
	if got := strings.Join(types, " "); got != "warcinfo metadata response request response request" {
		t.Errorf("records after erasure: %s", got)
	}
	// Another WARC reader takes it as valid too.
	if n := gowarcRecords(t, path); n != 6 {
		t.Errorf("gowarc read %d records, want 6", n)
	}

	// Again: nothing more to do.
	res, err = EraseRecords(path, []EraseTarget{{Offset: story.Offset, RecordID: story.RecordID}})
	if err != nil || res.Records != 0 || res.Already != 1 {
		t.Errorf("erasing again: %+v, %v", res, err)
	}
}

// TestEraseRecordsTorn: a crash in the middle of the overwrite leaves the
// start of the new member over the old records; the next call finishes.
func TestEraseRecordsTorn(t *testing.T) {
	for _, cut := range []int{5, 40, 300, 900} {
		path, story, others := eraseFixture(t)
		target := []EraseTarget{{Offset: story.Offset, RecordID: story.RecordID}}
		tearAfter = cut
		_, err := EraseRecords(path, target)
		tearAfter = -1
		if !errors.Is(err, errTorn) {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if _, err := os.Stat(path + ".erasing"); err != nil {
			t.Fatalf("cut %d: no journal: %v", cut, err)
		}
		checkKept(t, filepath.Dir(path), others)
		if _, errs := readFile(t, path); len(errs) == 0 && cut > 10 {
			t.Errorf("cut %d: the file is not torn", cut)
		}
		if cut == 900 {
			// As a scan for unreferenced captures does before reading.
			if err := FinishErasure(path); err != nil {
				t.Fatalf("cut %d: %v", cut, err)
			}
			if _, errs := readFile(t, path); len(errs) != 0 {
				t.Errorf("cut %d: after FinishErasure: %v", cut, errs)
			}
		}
		res, err := EraseRecords(path, target)
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if res.Already != 1 {
			t.Errorf("cut %d: %+v, want the story already erased", cut, res)
		}
		text := plainText(t, path)
		for _, gone := range []string{"Jane Doe", "jane-doe-story", "/s/17", story.RecordID} {
			if strings.Contains(text, gone) {
				t.Errorf("cut %d: the file still holds %q", cut, gone)
			}
		}
		checkKept(t, filepath.Dir(path), others)
		if _, errs := readFile(t, path); len(errs) != 0 {
			t.Errorf("cut %d: reading the file: %v", cut, errs)
		}
		if _, err := os.Stat(path + ".erasing"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("cut %d: the journal stays: %v", cut, err)
		}
	}
}

func TestEraseRecordsRefusesForeignFiles(t *testing.T) {
	path, story, _ := eraseFixture(t)
	target := []EraseTarget{{Offset: story.Offset, RecordID: story.RecordID}}

	renamed := filepath.Join(filepath.Dir(path), "renamed.warc.gz")
	if err := os.Rename(path, renamed); err != nil {
		t.Fatal(err)
	}
	if _, err := EraseRecords(renamed, target); !errors.Is(err, ErrForeignFile) {
		t.Errorf("a file whose warcinfo names another: %v", err)
	}
	plain := filepath.Join(t.TempDir(), "plain.warc")
	if err := os.WriteFile(plain, record("response", "http://x.example/", "application/http;msgtype=response", httpResponse("text/html", []byte("hi"))), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := EraseRecords(plain, target); !errors.Is(err, ErrForeignFile) {
		t.Errorf("a plain file: %v", err)
	}
	if _, err := EraseRecords(filepath.Join(t.TempDir(), "missing.warc.gz"), target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
	if err := os.Rename(renamed, path); err != nil {
		t.Fatal(err)
	}
	if _, err := EraseRecords(path, []EraseTarget{{Offset: story.Offset + 1, RecordID: "<urn:uuid:nobody>"}}); !errors.Is(err, ErrRecordNotFound) {
		t.Errorf("an unknown record: %v", err)
	}
}

// TestErasedMemberSize: the member that replaces erased records has
// exactly their length, across stored-block and Content-Length digit
// boundaries, and reads as an erased record.
func TestErasedMemberSize(t *testing.T) {
	var sizes []int64
	for s := int64(150); s < 2000; s++ {
		sizes = append(sizes, s)
	}
	for k := int64(1); k <= 3; k++ {
		for d := int64(-40); d <= 40; d++ {
			sizes = append(sizes, k*(maxStored+5)+d, k*maxStored+d)
		}
	}
	sizes = append(sizes, 10_000, 1<<20, 3<<20+7)
	small := 0
	for _, s := range sizes {
		m, err := erasedMember(s, 2, time.Now())
		if err != nil {
			small++
			if s > 400 {
				t.Errorf("size %d: %v", s, err)
			}
			continue
		}
		if int64(len(m)) != s {
			t.Fatalf("size %d: member of %d bytes", s, len(m))
		}
		rec, err := NewReader(bytes.NewReader(m)).Next()
		if err != nil {
			t.Fatalf("size %d: %v", s, err)
		}
		if !rec.IsErased() {
			t.Fatalf("size %d: not an erased record: %v", s, rec.Header)
		}
	}
	if small == 0 {
		t.Error("no size was too small")
	}
}

// ScanHTTPResponses hands over the responses of the URLs asked for, not
// their requests nor other pages, and refuses a file Writer did not
// write.
func TestScanHTTPResponses(t *testing.T) {
	path, story, _ := eraseFixture(t)
	var got []string
	err := ScanHTTPResponses(path, func(r *Record) bool { return strings.Contains(r.TargetURI, "jane-doe") }, func(r *Record) error {
		got = append(got, r.RecordID)
		return nil
	})
	if err != nil || len(got) != 1 || got[0] != story.RecordID {
		t.Errorf("scan: %v, %v; want the story's response %s", got, err, story.RecordID)
	}
	renamed := filepath.Join(filepath.Dir(path), "renamed.warc.gz")
	if err := os.Rename(path, renamed); err != nil {
		t.Fatal(err)
	}
	if err := ScanHTTPResponses(renamed, func(*Record) bool { return true }, func(*Record) error { return nil }); !errors.Is(err, ErrForeignFile) {
		t.Errorf("a renamed file: %v", err)
	}
}

// A file a Writer still appends to can be erased from: the Writer's
// next records land after the erased ones, and every record reads.
func TestEraseRecordsWhileWriting(t *testing.T) {
	w, dir := newTestWriter(t, WriterOptions{})
	ctx := context.Background()
	gone, err := w.WriteExchange(ctx, exchange("http://news.example/gone", []byte("<p>Jane Doe private words</p>")))
	if err != nil {
		t.Fatal(err)
	}
	kept, err := w.WriteExchange(ctx, exchange("http://news.example/a", []byte("<p>kept page a</p>")))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, gone.File)
	if _, err := EraseRecords(path, []EraseTarget{{Offset: gone.Offset, RecordID: gone.RecordID}}); err != nil {
		t.Fatal(err)
	}
	later, err := w.WriteExchange(ctx, exchange("http://news.example/b", []byte("<p>kept page b</p>")))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if later.File != gone.File {
		t.Fatalf("the Writer moved to %s", later.File)
	}
	checkKept(t, dir, []Ref{kept, later})
	if text := plainText(t, path); strings.Contains(text, "Jane Doe") {
		t.Error("the erased page is still in the file")
	}
	if _, errs := readFile(t, path); len(errs) != 0 {
		t.Errorf("reading the file: %v", errs)
	}
}

// Erasures of one file at once (separate opens, as separate processes
// would) take turns: each finishes, and the file reads whole after.
func TestEraseRecordsConcurrent(t *testing.T) {
	w, dir := newTestWriter(t, WriterOptions{})
	ctx := context.Background()
	var refs []Ref
	for i := range 24 {
		ref, err := w.WriteExchange(ctx, exchange(fmt.Sprintf("http://news.example/%d", i), []byte(fmt.Sprintf("<p>page %d</p>", i))))
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, refs[0].File)
	var wg sync.WaitGroup
	errs := make([]error, len(refs))
	for i := 0; i < len(refs); i += 2 {
		wg.Go(func() {
			_, errs[i] = EraseRecords(path, []EraseTarget{{Offset: refs[i].Offset, RecordID: refs[i].RecordID}})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	recs, rerrs := readFile(t, path)
	if len(rerrs) != 0 {
		t.Fatalf("reading the file: %v", rerrs)
	}
	erased := 0
	for _, r := range recs {
		if r.IsErased() {
			erased++
		}
	}
	if erased != len(refs)/2 {
		t.Errorf("%d erased records, want %d", erased, len(refs)/2)
	}
	for i := 1; i < len(refs); i += 2 {
		if r, err := ReadAt(path, refs[i].Offset); err != nil || r.RecordID != refs[i].RecordID {
			t.Errorf("kept capture %d: %v", i, err)
		}
	}
}

// gowarcRecords reads the WARC file at path with gowarc, another WARC
// reader, checking each record's digests, and returns how many it read.
func gowarcRecords(t *testing.T, path string) int {
	t.Helper()
	gr, err := gowarc.NewWarcFileReader(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer gr.Close()
	n := 0
	for {
		rec, err := gr.Next()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatalf("gowarc: %v", err)
		}
		if _, err := rec.WarcRecord.ValidateDigest(); err != nil {
			t.Errorf("gowarc digest check of %s: %v", rec.WarcRecord.WarcHeader().Get("WARC-Record-ID"), err)
		}
		n++
		rec.Close()
	}
}
