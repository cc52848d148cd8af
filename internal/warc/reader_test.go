package warc

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const html = `<!doctype html><html><head><title>Harbour reopens</title></head><body><p>The harbour reopened.</p></body></html>`

// handBuilt is a small WARC as other crawlers write it: warcinfo, a
// request, a chunked response, a gzip content-encoded response, and the
// record types a news import skips.
func handBuilt(t testing.TB) [][]byte {
	gz := gzipBytes(t, []byte(html))
	chunkedMsg := append([]byte("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"), chunked([]byte(html), 17)...)
	gzipMsg := httpResponse("text/html", gz, "Content-Encoding: gzip")
	both := append([]byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"), chunked(gz, 10)...)
	return [][]byte{
		record(TypeWarcinfo, "", "application/warc-fields", []byte("software: hand\r\nformat: WARC File Format 1.0\r\n")),
		record(TypeRequest, "http://news.example/a", "application/http; msgtype=request", []byte("GET /a HTTP/1.1\r\nHost: news.example\r\n\r\n")),
		responseRecord("http://news.example/a", chunkedMsg),
		responseRecord("<http://news.example/b>", gzipMsg),
		record(TypeMetadata, "http://news.example/b", "application/warc-fields", []byte("fetchTimeMs: 12\r\n")),
		record(TypeResource, "http://news.example/logo.png", "image/png", []byte("\x89PNG\r\n\x1a\nnot really")),
		record(TypeRevisit, "http://news.example/a", "application/http; msgtype=response",
			[]byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"),
			"WARC-Profile: http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"),
		responseRecord("http://news.example/c", both),
		responseRecord("http://news.example/photo.jpg", httpResponse("image/jpeg", []byte{0xff, 0xd8, 0xff, 0xe0, 0, 1, 2})),
	}
}

func TestReadHandBuilt(t *testing.T) {
	recs := handBuilt(t)
	var plain, perRecord bytes.Buffer
	for _, r := range recs {
		plain.Write(r)
		perRecord.Write(gzipBytes(t, r))
	}
	inputs := map[string][]byte{
		"plain":      plain.Bytes(),
		"per-record": perRecord.Bytes(),
		"whole-file": gzipBytes(t, plain.Bytes()),
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			got, errs := readAll(t, NewReader(bytes.NewReader(data)))
			if len(errs) != 0 {
				t.Fatalf("errors: %v", errs)
			}
			if len(got) != len(recs) {
				t.Fatalf("%d records, want %d", len(got), len(recs))
			}
			wantTypes := []string{"warcinfo", "request", "response", "response", "metadata", "resource", "revisit", "response", "response"}
			for i, r := range got {
				if r.Type != wantTypes[i] {
					t.Errorf("record %d: type %q, want %q", i, r.Type, wantTypes[i])
				}
			}
			for _, i := range []int{2, 3, 7} {
				r := got[i]
				if r.HTTPStatus != 200 || string(r.Payload) != html || r.PayloadErr != nil {
					t.Errorf("record %d (%s): status %d payload %q err %v", i, r.TargetURI, r.HTTPStatus, r.Payload, r.PayloadErr)
				}
			}
			if got[3].TargetURI != "http://news.example/b" {
				t.Errorf("angle brackets kept: %q", got[3].TargetURI)
			}
			if got[2].Date.Year() != 2021 || !strings.HasPrefix(got[2].RecordID, "<urn:uuid:") {
				t.Errorf("date %v id %q", got[2].Date, got[2].RecordID)
			}
			// Offsets: per-record members and plain records each start where
			// their bytes do; a whole-file member gives all its offset 0.
			var off int64
			for i, r := range got {
				want := off
				if name == "whole-file" {
					want = 0
				}
				if r.Offset != want {
					t.Errorf("record %d offset %d, want %d", i, r.Offset, want)
				}
				if name == "per-record" {
					off += int64(len(gzipBytes(t, recs[i])))
				} else {
					off += int64(len(recs[i]))
				}
			}
		})
	}

	// NextResponse skips everything but HTTP responses.
	r := NewReader(bytes.NewReader(perRecord.Bytes()))
	var uris []string
	for {
		rec, err := r.NextResponse()
		if err != nil {
			break
		}
		uris = append(uris, rec.TargetURI)
	}
	if want := "http://news.example/a http://news.example/b http://news.example/c http://news.example/photo.jpg"; strings.Join(uris, " ") != want {
		t.Errorf("responses %q", uris)
	}
}

func TestReadDamaged(t *testing.T) {
	good := func(uri string) []byte { return responseRecord(uri, httpResponse("text/html", []byte(html))) }
	member := func(b []byte) []byte { return gzipBytes(t, b) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

	m1, m2, m3 := member(good("http://x/1")), member(good("http://x/2")), member(good("http://x/3"))
	flipped := bytes.Clone(m2)
	flipped[len(flipped)/2] ^= 0xff // damage the deflate data
	badCRC := bytes.Clone(m2)
	badCRC[len(badCRC)-6] ^= 0x01 // damage the CRC-32 in the trailer
	badHeader := member(bytes.Replace(good("http://x/2"), []byte("Content-Length"), []byte("Content-Lenth"), 1))

	tests := []struct {
		name     string
		data     []byte
		wantURIs string
		wantErrs []error
		errAt    []int64
	}{
		{"truncated gzip file", cat(m1, m2[:len(m2)/2]), "http://x/1", []error{ErrTruncated}, []int64{int64(len(m1))}},
		{"truncated plain file", cat(good("http://x/1"), good("http://x/2")[:150]), "http://x/1", []error{ErrTruncated}, []int64{int64(len(good("http://x/1")))}},
		{"corrupt member then good", cat(m1, flipped, m3), "http://x/1 http://x/3", []error{ErrCorrupt}, []int64{int64(len(m1))}},
		{"bad crc then good", cat(m1, badCRC, m3), "http://x/1 http://x/3", []error{ErrCorrupt}, []int64{int64(len(m1))}},
		{"bad warc header then good", cat(m1, badHeader, m3), "http://x/1 http://x/3", []error{ErrCorrupt}, []int64{int64(len(m1))}},
		{"garbage between members", cat(m1, []byte("garbage!"), m3), "http://x/1 http://x/3", []error{ErrCorrupt}, []int64{int64(len(m1))}},
		{"garbage before plain record", cat([]byte("junk line\r\n"), good("http://x/1"), good("http://x/2")), "http://x/1 http://x/2", []error{ErrCorrupt}, []int64{0}},
		{"bad plain header then good", cat(good("http://x/1"), []byte("WARC/1.0\r\nWARC-Type response\r\n\r\n"), good("http://x/3")), "http://x/1 http://x/3", []error{ErrCorrupt}, []int64{int64(len(good("http://x/1")))}},
		{"empty input", nil, "", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, errs := readAll(t, NewReader(bytes.NewReader(tc.data)))
			var uris []string
			for _, r := range recs {
				uris = append(uris, r.TargetURI)
				if string(r.Payload) != html {
					t.Errorf("%s: payload %q", r.TargetURI, r.Payload)
				}
			}
			if got := strings.Join(uris, " "); got != tc.wantURIs {
				t.Errorf("records %q, want %q", got, tc.wantURIs)
			}
			if len(errs) != len(tc.wantErrs) {
				t.Fatalf("errors %v, want %v", errs, tc.wantErrs)
			}
			for i, err := range errs {
				var re *RecordError
				if !errors.Is(err, tc.wantErrs[i]) || !errors.As(err, &re) || re.Offset != tc.errAt[i] {
					t.Errorf("error %d: %v, want %v at offset %d", i, err, tc.wantErrs[i], tc.errAt[i])
				}
			}
		})
	}
}

func TestPayloadErrors(t *testing.T) {
	tests := []struct {
		name    string
		msg     []byte
		payload string
		errSub  string
	}{
		{"compress", httpResponse("text/html", []byte("xx"), "Content-Encoding: compress"), "xx", "unsupported content encoding"},
		{"brotli", httpResponse("text/html", brotliBytes(t, []byte(html)), "Content-Encoding: br"), html, ""},
		{"zstd", httpResponse("text/html", zstdBytes(t, []byte(html)), "Content-Encoding: zstd"), html, ""},
		{"gzip then brotli", httpResponse("text/html", brotliBytes(t, gzipBytes(t, []byte(html))), "Content-Encoding: gzip, br"), html, ""},
		{"bad brotli", httpResponse("text/html", []byte("not brotli at all"), "Content-Encoding: br"), "not brotli at all", "br content encoding"},
		{"bad zstd", httpResponse("text/html", []byte("not zstd"), "Content-Encoding: zstd"), "not zstd", "zstd content encoding"},
		{"bad gzip", httpResponse("text/html", []byte("not gzip"), "Content-Encoding: gzip"), "not gzip", "gzip"},
		{"short body", []byte("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this"), "only this", "unexpected EOF"},
		{"not http", []byte("hello"), "", "parse http response"},
		{"no length", []byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + html), html, ""},
		{"304", []byte("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"), "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := NewReader(bytes.NewReader(responseRecord("http://x/", tc.msg))).Next()
			if err != nil {
				t.Fatal(err)
			}
			if string(rec.Payload) != tc.payload {
				t.Errorf("payload %q, want %q", rec.Payload, tc.payload)
			}
			if tc.errSub == "" && rec.PayloadErr != nil || tc.errSub != "" && (rec.PayloadErr == nil || !strings.Contains(rec.PayloadErr.Error(), tc.errSub)) {
				t.Errorf("payload error %v, want %q", rec.PayloadErr, tc.errSub)
			}
		})
	}
}

func TestHeaderFolding(t *testing.T) {
	data := []byte("WARC/1.0\r\nWARC-Type: resource\r\nWARC-Target-URI: http://x/\r\nX-Long: one\r\n  two\r\nContent-Length: 2\r\n\r\nok\r\n\r\n")
	rec, err := NewReader(bytes.NewReader(data)).Next()
	if err != nil {
		t.Fatal(err)
	}
	if v := rec.Header.Get("x-long"); v != "one two" || string(rec.Block) != "ok" {
		t.Errorf("folded %q block %q", v, rec.Block)
	}
}

func TestRecordTooLargeSkipped(t *testing.T) {
	defer func(old int64) { blockLimit = old }(blockLimit)
	blockLimit = 1 << 20
	var b bytes.Buffer
	b.WriteString("WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 2000000\r\n\r\n")
	b.Write(make([]byte, 2000000))
	b.WriteString("\r\n\r\n")
	b.Write(responseRecord("http://x/after", httpResponse("text/html", []byte(html))))
	for name, data := range map[string][]byte{"plain": b.Bytes(), "gzip": gzipBytes(t, b.Bytes())} {
		t.Run(name, func(t *testing.T) {
			recs, errs := readAll(t, NewReader(bytes.NewReader(data)))
			if len(errs) != 1 || !errors.Is(errs[0], ErrRecordTooLarge) {
				t.Errorf("errors %v, want one ErrRecordTooLarge", errs)
			}
			if len(recs) != 1 || recs[0].TargetURI != "http://x/after" {
				t.Errorf("records %d", len(recs))
			}
		})
	}
}

func TestIsHTTPResponse(t *testing.T) {
	tests := []struct {
		typ, ct string
		want    bool
	}{
		{TypeResponse, "application/http;msgtype=response", true},
		{TypeResponse, "application/http; msgtype=response", true},
		// A quoted parameter value and other cases are the same media type.
		{TypeResponse, `application/http; msgtype="response"`, true},
		{TypeResponse, "Application/HTTP; MsgType=Response", true},
		// The record type says what the message is when msgtype is absent.
		{TypeResponse, "application/http", true},
		// Parameters mime.ParseMediaType refuses still give the type.
		{TypeResponse, `application/http; msgtype="response"; msgtype=x`, true},
		{TypeResponse, "application/http; msgtype=response; stray", true},
		{TypeRevisit, `application/http; msgtype="response"`, true},
		{TypeResponse, "application/http; msgtype=request", false},
		{TypeResponse, `application/http; msgtype="request"`, false},
		{TypeResponse, "text/html", false},
		{TypeResponse, "text/plain; note=msgtype=response", false},
		{TypeResponse, "", false},
		{TypeRequest, "application/http; msgtype=response", false},
		{TypeResource, "text/html", false},
	}
	for _, tc := range tests {
		r := &Record{Type: tc.typ, ContentType: tc.ct}
		if got := r.IsHTTPResponse(); got != tc.want {
			t.Errorf("%s %q: IsHTTPResponse = %v, want %v", tc.typ, tc.ct, got, tc.want)
		}
	}
}

// A response record whose msgtype is quoted is parsed as one: its HTTP
// message is read, and NextResponse returns it.
func TestQuotedMsgtypeParsed(t *testing.T) {
	data := record(TypeResponse, "http://news.example/q", `application/http; msgtype="response"`, httpResponse("text/html; charset=utf-8", []byte(html)))
	rec, err := NewReader(bytes.NewReader(data)).NextResponse()
	if err != nil {
		t.Fatal(err)
	}
	if rec.HTTPStatus != 200 || string(rec.Payload) != html || rec.PayloadContentType() != "text/html; charset=utf-8" {
		t.Errorf("status %d, type %q, payload %q", rec.HTTPStatus, rec.PayloadContentType(), rec.Payload)
	}
}

// A resource record holds the document itself: its payload is its block,
// typed by the record's Content-Type, with no HTTP message to parse.
func TestResourcePayload(t *testing.T) {
	data := bytes.Join([][]byte{
		record(TypeResource, "http://news.example/page.html", "text/html; charset=koi8-r", []byte(html)),
		record(TypeMetadata, "http://news.example/page.html", "application/warc-fields", []byte("via: x\r\n")),
	}, nil)
	recs, errs := readAll(t, NewReader(bytes.NewReader(data)))
	if len(errs) != 0 || len(recs) != 2 {
		t.Fatalf("records %d, errors %v", len(recs), errs)
	}
	res := recs[0]
	if string(res.Payload) != html || res.PayloadContentType() != "text/html; charset=koi8-r" || res.HTTPHeader != nil || res.HTTPStatus != 0 || res.PayloadErr != nil {
		t.Errorf("resource: payload %q, type %q, header %v, status %d, err %v", res.Payload, res.PayloadContentType(), res.HTTPHeader, res.HTTPStatus, res.PayloadErr)
	}
	if res.IsHTTPResponse() {
		t.Error("a resource record is not an HTTP response")
	}
	if md := recs[1]; md.Payload != nil || md.PayloadContentType() != "" {
		t.Errorf("metadata record: payload %q, type %q", md.Payload, md.PayloadContentType())
	}
}

func TestNotWARC(t *testing.T) {
	page := []byte("<!DOCTYPE html>\n<html><body><p>A page, not an archive.</p></body></html>\n")
	tests := []struct {
		name  string
		data  []byte
		gzip  bool
		start string
	}{
		{"html", page, false, "<!DOCTYPE html>"},
		// Without a line end it used to be "input ends in the version line".
		{"one line, no newline", []byte("<html>hello</html>"), false, "<html>hello</html>"},
		{"after blank lines", append([]byte("\r\n\r\n"), page...), false, "<!DOCTYPE html>"},
		{"short", []byte("hi"), false, "hi"},
		{"gzipped html", gzipBytes(t, page), true, "<!DOCTYPE html>"},
		{"gzipped, then a WARC member", append(gzipBytes(t, page), gzipBytes(t, responseRecord("http://x/1", httpResponse("text/html", []byte(html))))...), true, "<!DOCTYPE html>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(bytes.NewReader(tc.data))
			rec, err := r.Next()
			var nw *NotWARCError
			if !errors.As(err, &nw) {
				t.Fatalf("got record %v, error %v; want a *NotWARCError", rec, err)
			}
			if nw.Gzip != tc.gzip || nw.Start != tc.start {
				t.Errorf("gzip %v, start %q; want %v, %q", nw.Gzip, nw.Start, tc.gzip, tc.start)
			}
			want := "not a WARC file: it does not start with WARC/1.0 or WARC/1.1"
			if tc.gzip {
				want = "not a WARC file: its gzip content does not start with WARC/1.0 or WARC/1.1"
			}
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("message %q, want it to start %q", err, want)
			}
			if _, err := r.Next(); err != io.EOF {
				t.Errorf("then %v, want io.EOF", err)
			}
		})
	}

	// What starts as WARC is a WARC file, damaged or not.
	good := responseRecord("http://x/1", httpResponse("text/html", []byte(html)))
	for name, data := range map[string][]byte{
		"truncated version line": []byte("WARC/1."),
		"truncated header":       good[:30],
		"junk line, then WARC":   append([]byte("junk\n"), good...),
		"gzip, truncated":        gzipBytes(t, good)[:20],
	} {
		_, errs := readAll(t, NewReader(bytes.NewReader(data)))
		for _, err := range errs {
			var nw *NotWARCError
			if errors.As(err, &nw) {
				t.Errorf("%s: %v", name, err)
			}
		}
		if len(errs) == 0 {
			t.Errorf("%s: no error", name)
		}
	}
}

// ReadAt at an offset that holds no record reports a damaged record, not
// a file that is not WARC; a missing file is named once.
func TestReadAtPlainErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.warc")
	good := responseRecord("http://x/1", httpResponse("text/html", []byte(html)))
	if err := os.WriteFile(path, good, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadAt(path, 5); !errors.Is(err, ErrCorrupt) {
		t.Errorf("wrong offset: %v, want a corrupt record", err)
	}
	missing := filepath.Join(dir, "gone.warc")
	_, err := ReadAt(missing, 7)
	if !errors.Is(err, fs.ErrNotExist) || strings.Count(err.Error(), missing) != 1 || !strings.Contains(err.Error(), missing+"@7") {
		t.Errorf("missing file: %v", err)
	}
}
