package warc

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hop is a WARC exchange of a GET of uri answered by msg.
func hop(uri string, msg []byte) Exchange {
	return Exchange{TargetURI: uri, RequestRaw: []byte("GET " + uri + " HTTP/1.1\r\n\r\n"), ResponseRaw: msg}
}

// redirect is a raw HTTP response sending the client to location.
func redirect(status int, location string) []byte {
	return fmt.Appendf(nil, "HTTP/1.1 %d Moved\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n", status, location)
}

// chainFile writes exchanges with a Writer, each call one WriteExchanges,
// and returns the file (opened) and the Refs of each call.
func chainFile(t *testing.T, calls ...[]Exchange) (*os.File, [][]Ref) {
	t.Helper()
	w, err := NewWriter(t.TempDir(), WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var refs [][]Ref
	for _, exs := range calls {
		r, err := w.WriteExchanges(context.Background(), exs)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(w.Dir(), refs[0][0].File))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, refs
}

// chainOf describes records as "type uri" lines.
func chainOf(recs []*Stored) string {
	var b strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&b, "%s %s\n", r.Type, r.TargetURI)
	}
	return b.String()
}

// FindChain walks back from a response over the redirects that led to it
// (301 then 302, each response with its request after it, as a harvest
// writes them), relative and absolute Locations alike, and stops at the
// exchange written before them; a response reached without redirects,
// and the file's first exchange, have none; a redirect to another URL
// right before a response is not its chain. ReadChain reads the same
// records from where the writer said the chain starts.
func TestFindChain(t *testing.T) {
	page := httpResponse("text/html", []byte("<p>The story.</p>"))
	f, refs := chainFile(t,
		[]Exchange{hop("https://a.example/first", page)},
		[]Exchange{
			hop("https://a.example/go/1", redirect(301, "/r/1")),
			hop("https://a.example/r/1", redirect(302, "https://a.example/news/1")),
			hop("https://a.example/news/1", page),
		},
		[]Exchange{hop("https://a.example/news/2", page)},
		[]Exchange{hop("https://a.example/elsewhere", redirect(302, "https://b.example/"))},
		[]Exchange{hop("https://a.example/news/3", page)},
	)
	var sr StoredReader
	final := func(ref Ref) *Stored {
		t.Helper()
		s, err := sr.Read(f, ref.Offset)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	chain, own, err := sr.FindChain(f, final(refs[1][2]))
	want := "response https://a.example/go/1\nrequest https://a.example/go/1\nresponse https://a.example/r/1\nrequest https://a.example/r/1\n"
	if err != nil || chainOf(chain) != want || own != nil {
		t.Errorf("FindChain: %v\n%swant\n%s(own request %v)", err, chainOf(chain), want, own)
	}
	if len(chain) > 0 && chain[0].Offset != refs[1][0].Offset {
		t.Errorf("the chain starts at %d, the writer wrote it at %d", chain[0].Offset, refs[1][0].Offset)
	}
	read, err := sr.ReadChain(f, refs[1][0].Offset, final(refs[1][2]))
	if err != nil || chainOf(read) != want {
		t.Errorf("ReadChain: %v\n%s", err, chainOf(read))
	}
	for i, ref := range []Ref{refs[0][0], refs[2][0], refs[4][0]} {
		if chain, _, err := sr.FindChain(f, final(ref)); err != nil || len(chain) > 0 {
			t.Errorf("response %d without redirects: %v\n%s", i, err, chainOf(chain))
		}
	}
}

// In a file written as wget and Common Crawl write (each request before
// its response, plain or gzip per record), FindChain takes the redirects'
// requests too, in the file's order; the final response's own request is
// not a redirect: it is returned apart, and a page reached without
// redirects has no chain.
func TestFindChainRequestsFirst(t *testing.T) {
	req := func(uri string) []byte {
		return record(TypeRequest, uri, "application/http; msgtype=request", []byte("GET "+uri+" HTTP/1.1\r\n\r\n"))
	}
	resp := func(uri string, msg []byte) []byte {
		return responseRecord(uri, msg)
	}
	// Pairs them as WARC-Concurrent-To does.
	pair := func(q, r []byte) []byte {
		qid := string(bytes.Fields(bytes.SplitN(q, []byte("WARC-Record-ID: "), 2)[1])[0])
		r = bytes.Replace(r, []byte("WARC-Date:"), []byte("WARC-Concurrent-To: "+qid+"\r\nWARC-Date:"), 1)
		return append(q, r...)
	}
	page := httpResponse("text/html", []byte("<p>The story.</p>"))
	parts := [][]byte{
		pair(req("https://a.example/before"), resp("https://a.example/before", page)),
		pair(req("https://a.example/go"), resp("https://a.example/go", redirect(301, "/story"))),
		pair(req("https://a.example/story"), resp("https://a.example/story", page)),
	}
	want := "request https://a.example/go\nresponse https://a.example/go\n"
	for _, gz := range []bool{false, true} {
		var file []byte
		for _, p := range parts {
			if !gz {
				file = append(file, p...)
				continue
			}
			for _, rec := range bytes.SplitAfter(p, []byte("\r\n\r\nWARC/")) {
				// Each record its own member (SplitAfter leaves the next one's "WARC/" on this one).
				rec = bytes.TrimSuffix(rec, []byte("WARC/"))
				if !bytes.HasPrefix(rec, []byte("WARC/")) {
					rec = append([]byte("WARC/"), rec...)
				}
				file = append(file, gzipBytes(t, rec)...)
			}
		}
		rd := bytes.NewReader(file)
		recs, errs := readAll(t, NewReader(bytes.NewReader(file)))
		if len(errs) > 0 || len(recs) != 6 {
			t.Fatalf("gzip %t: %d records, %v", gz, len(recs), errs)
		}
		var sr StoredReader
		final, err := sr.Read(rd, recs[5].Offset)
		if err != nil {
			t.Fatal(err)
		}
		chain, own, err := sr.FindChain(rd, final)
		if err != nil || chainOf(chain) != want || own == nil || own.Offset != recs[4].Offset {
			t.Errorf("gzip %t: %v\n%swant\n%s(own request %v)", gz, err, chainOf(chain), want, own)
		}
		// The first page, reached without redirects: no chain.
		first, err := sr.Read(rd, recs[1].Offset)
		if err != nil {
			t.Fatal(err)
		}
		if chain, own, err := sr.FindChain(rd, first); err != nil || len(chain) > 0 || own == nil || own.Offset != recs[0].Offset {
			t.Errorf("gzip %t: a page without redirects: %v\n%s(own request %v)", gz, err, chainOf(chain), own)
		}
	}
}

// A record before the response that is longer than FindChain looks back
// (an incompressible page of 3 MiB) cannot be told from a redirect:
// FindChain says so rather than calling the chain complete.
func TestFindChainBound(t *testing.T) {
	big := make([]byte, 3<<20)
	rand.Read(big)
	f, refs := chainFile(t,
		[]Exchange{hop("https://a.example/big", httpResponse("application/octet-stream", big))},
		[]Exchange{hop("https://a.example/news/1", httpResponse("text/html", []byte("<p>The story.</p>")))},
	)
	var sr StoredReader
	final, err := sr.Read(f, refs[1][0].Offset)
	if err != nil {
		t.Fatal(err)
	}
	if chain, _, err := sr.FindChain(f, final); !errors.Is(err, ErrChainUnsure) || len(chain) > 0 {
		t.Errorf("FindChain past the bound: %v\n%s", err, chainOf(chain))
	}
}

// A chain whose start the writer recorded is read whole, a meta refresh
// interstitial (a 200 page, no Location) among it, which FindChain cannot
// tell from any page; EraseRecords given the chain start erases it with
// the response, where the Location rule alone leaves it.
func TestChainOffsetMetaRefresh(t *testing.T) {
	page := httpResponse("text/html", []byte("<p>The story.</p>"))
	interstitial := httpResponse("text/html", []byte(`<meta http-equiv="refresh" content="0; url=/news/1">`))
	for _, withChain := range []bool{false, true} {
		f, refs := chainFile(t,
			[]Exchange{hop("https://a.example/other", page)},
			[]Exchange{hop("https://a.example/wait", interstitial), hop("https://a.example/news/1", page)},
		)
		var sr StoredReader
		final, err := sr.Read(f, refs[1][1].Offset)
		if err != nil {
			t.Fatal(err)
		}
		chain, err := sr.ReadChain(f, refs[1][0].Offset, final)
		if want := "response https://a.example/wait\nrequest https://a.example/wait\n"; err != nil || chainOf(chain) != want {
			t.Errorf("ReadChain: %v\n%s", err, chainOf(chain))
		}
		if found, _, _ := sr.FindChain(f, final); len(found) > 0 {
			t.Errorf("FindChain took the interstitial: %s", chainOf(found))
		}
		target := EraseTarget{Offset: refs[1][1].Offset, RecordID: refs[1][1].RecordID}
		if withChain {
			target.ChainOffset = refs[1][0].Offset
		}
		res, err := EraseRecords(f.Name(), []EraseTarget{target})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{false: 2, true: 4}[withChain]; res.Records != want {
			t.Errorf("chain offset given %t: %d records erased, want %d", withChain, res.Records, want)
		}
		rec, err := ReadAt(f.Name(), refs[0][0].Offset)
		if err != nil || rec.TargetURI != "https://a.example/other" {
			t.Errorf("the exchange before: %v %v", rec, err)
		}
		if _, err := sr.ReadChain(f, refs[1][0].Offset, final); withChain && err == nil {
			t.Error("ReadChain read an erased chain")
		}
	}
}

// Erasing a capture with its recorded chain erases that chain's records
// and no other article's: a meta refresh interstitial in the chain does
// not make every redirect in the file that leads to its URL (another
// article's chain through the same consent page) one to erase.
func TestChainOffsetEraseKeepsOtherChains(t *testing.T) {
	page := httpResponse("text/html", []byte("<p>The story.</p>"))
	consent := httpResponse("text/html", []byte(`<meta http-equiv="refresh" content="0; url=/next">`))
	f, refs := chainFile(t,
		[]Exchange{hop("https://a.example/consent", consent), hop("https://a.example/news/1", page)},
		[]Exchange{
			hop("https://a.example/go/2", redirect(302, "/consent")),
			hop("https://a.example/consent", consent),
			hop("https://a.example/news/2", page),
		},
	)
	a, b := refs[0], refs[1]
	res, err := EraseRecords(f.Name(), []EraseTarget{{Offset: a[1].Offset, RecordID: a[1].RecordID, ChainOffset: a[0].Offset}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 4 {
		t.Errorf("%d records erased, want article A's 4", res.Records)
	}
	var sr StoredReader
	final, err := sr.Read(f, b[2].Offset)
	if err != nil {
		t.Fatal(err)
	}
	chain, err := sr.ReadChain(f, b[0].Offset, final)
	want := "response https://a.example/go/2\nrequest https://a.example/go/2\nresponse https://a.example/consent\nrequest https://a.example/consent\n"
	if err != nil || chainOf(chain) != want {
		t.Errorf("article B's chain after erasing A's: %v\n%s", err, chainOf(chain))
	}
}

// A chain offset that is not a chain (an edited or foreign chain_offset:
// no record starts there, a record other than a request or response
// lies in the span, or more than MaxChainRecords do) is refused: the
// capture is erased with its request, and the records before it are kept.
func TestChainOffsetEraseRefusesBadSpans(t *testing.T) {
	page := httpResponse("text/html", []byte("<p>The story.</p>"))
	note := record(TypeMetadata, "https://a.example/note", "application/warc-fields", []byte("note: kept\r\n"))
	var sr StoredReader
	noteRec, err := sr.Read(bytes.NewReader(note), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"inside a record", "metadata record", "too many"} {
		w, err := NewWriter(t.TempDir(), WriterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		var kept []Ref
		n := 2
		if c == "too many" {
			n = MaxChainRecords/2 + 1
		}
		for i := range n {
			ref, err := w.WriteExchange(ctx, hop(fmt.Sprintf("https://a.example/other/%d", i), page))
			if err != nil {
				t.Fatal(err)
			}
			kept = append(kept, ref)
			if c == "metadata record" && i == 0 {
				if _, err := w.CopyRecords(ctx, bytes.NewReader(note), noteRec); err != nil {
					t.Fatal(err)
				}
			}
		}
		target, err := w.WriteExchange(ctx, hop("https://a.example/news/1", page))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		start := kept[0].Offset
		if c == "inside a record" {
			start++
		}
		path := filepath.Join(w.Dir(), target.File)
		res, err := EraseRecords(path, []EraseTarget{{Offset: target.Offset, RecordID: target.RecordID, ChainOffset: start}})
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if res.Records != 2 {
			t.Errorf("%s: %d records erased, want the capture's 2", c, res.Records)
		}
		for _, ref := range kept {
			if rec, err := ReadAt(path, ref.Offset); err != nil || rec.RecordID != ref.RecordID || rec.IsErased() {
				t.Errorf("%s: the exchange at %d is not kept: %v", c, ref.Offset, err)
			}
		}
	}
}

// A chain longer than FindChain takes (more than MaxChainRecords records
// of redirects before the response) is not called complete: FindChain
// says it stopped at its bound. One of exactly MaxChainRecords is whole.
func TestFindChainRecordCap(t *testing.T) {
	page := httpResponse("text/html", []byte("<p>The story.</p>"))
	for _, hops := range []int{MaxChainRecords / 2, MaxChainRecords/2 + 1} {
		var exs []Exchange
		for i := range hops {
			exs = append(exs, hop(fmt.Sprintf("https://a.example/hop/%d", i), redirect(302, fmt.Sprintf("/hop/%d", i+1))))
		}
		exs = append(exs, hop(fmt.Sprintf("https://a.example/hop/%d", hops), page))
		f, refs := chainFile(t, []Exchange{hop("https://a.example/before", page)}, exs)
		var sr StoredReader
		final, err := sr.Read(f, refs[1][hops].Offset)
		if err != nil {
			t.Fatal(err)
		}
		chain, _, err := sr.FindChain(f, final)
		if len(chain) != MaxChainRecords {
			t.Errorf("%d hops: %d records found, want %d", hops, len(chain), MaxChainRecords)
		}
		if long := hops > MaxChainRecords/2; long != errors.Is(err, ErrChainUnsure) || !long && err != nil {
			t.Errorf("%d hops: %v", hops, err)
		}
	}
}

// A chain start that is not where a record starts (inside a record, or
// inside the space of records erased together) is said plainly, not as
// the bytes the reader found there.
func TestReadChainStartInsideRecord(t *testing.T) {
	page := httpResponse("text/html", []byte("<p>The story.</p>"))
	f, refs := chainFile(t,
		[]Exchange{hop("https://a.example/other", page)},
		[]Exchange{hop("https://a.example/go/1", redirect(302, "/news/1")), hop("https://a.example/news/1", page)},
	)
	var sr StoredReader
	final, err := sr.Read(f, refs[1][1].Offset)
	if err != nil {
		t.Fatal(err)
	}
	hop, err := sr.Read(f, refs[1][0].Offset)
	if err != nil {
		t.Fatal(err)
	}
	start := refs[1][0].Offset + 20
	_, err = sr.ReadChain(f, start, final)
	if want := fmt.Sprintf("no record starts at offset %d", start); err == nil || err.Error() != want {
		t.Errorf("ReadChain from %d: %v, want %q", start, err, want)
	}
	if _, err := EraseRecords(f.Name(), []EraseTarget{{Offset: final.Offset, RecordID: final.RecordID, ChainOffset: refs[1][0].Offset}}); err != nil {
		t.Fatal(err)
	}
	// The hop's request, after its response, is inside the erased space now.
	_, err = sr.ReadChain(f, hop.End, final)
	if want := fmt.Sprintf("no record starts at offset %d", hop.End); err == nil || err.Error() != want {
		t.Errorf("ReadChain from inside an erased space: %v, want %q", err, want)
	}
}

// ChainTracker, fed a file in order, finds for every response the chain
// start FindChain finds walking back, without reading the file again; a
// damaged record before a chain makes it unsure.
func TestChainTracker(t *testing.T) {
	page := httpResponse("text/html", []byte("<p>The story.</p>"))
	f, _ := chainFile(t,
		[]Exchange{hop("https://a.example/first", page)},
		[]Exchange{
			hop("https://a.example/go/1", redirect(301, "/r/1")),
			hop("https://a.example/r/1", redirect(302, "https://a.example/news/1")),
			hop("https://a.example/news/1", page),
		},
		[]Exchange{hop("https://a.example/news/2", page)},
	)
	data, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	var ct ChainTracker
	var sr StoredReader
	rd := NewReader(bytes.NewReader(data))
	chains := 0
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct.Add(rec)
		if rec.Type != TypeResponse {
			continue
		}
		start, err := ct.Start()
		final, rerr := sr.Read(f, rec.Offset)
		if rerr != nil {
			t.Fatal(rerr)
		}
		chain, _, ferr := sr.FindChain(f, final)
		want := rec.Offset
		if len(chain) > 0 {
			want = chain[0].Offset
			chains++
		}
		if err != nil || ferr != nil || start != want {
			t.Errorf("%s: the tracker says %d (%v), FindChain %d (%v)", rec.TargetURI, start, err, want, ferr)
		}
	}
	if chains != 2 { // news/1, and r/1 (go/1 leads to it)
		t.Errorf("%d chains found", chains)
	}
	ct = ChainTracker{}
	ct.Damaged()
	ct.Add(&Record{Type: TypeResponse, Offset: 10, ContentType: "application/http; msgtype=response", Block: redirect(302, "https://a.example/x"), TargetURI: "https://a.example/w"})
	ct.Add(&Record{Type: TypeResponse, Offset: 20, ContentType: "application/http; msgtype=response", Block: page, TargetURI: "https://a.example/x"})
	if start, err := ct.Start(); start != 10 || !errors.Is(err, ErrChainUnsure) {
		t.Errorf("a chain after a damaged record: %d, %v", start, err)
	}
}
