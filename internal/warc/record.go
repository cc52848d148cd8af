// Package warc writes and reads WARC files (ISO 28500, WARC/1.1 and 1.0),
// the web archive format Herald keeps every capture in.
//
// A Writer appends request/response pairs to gzip-per-record WARC files in
// a directory, rotating them by size and starting each with a warcinfo
// record; each write returns a Ref (file, offset, record id) that ReadAt
// turns back into the record. WriteExchanges writes a redirect chain (one
// exchange per hop, then the final one) in order and into one file.
//
// A Reader streams records from plain, gzip-per-record or whole-file gzip
// WARC files such as Common Crawl's CC-NEWS, parsing the HTTP message of
// response records and undoing its chunked transfer coding and its gzip,
// deflate, Brotli (br) or zstd content coding; a resource record's
// payload is its block. A damaged record (truncated, corrupt gzip member,
// bad header) is reported as a *RecordError carrying its offset, and
// reading can go on with the next record; an input that is not a WARC
// file at all is reported once, as a *NotWARCError.
//
// Digests follow the usual convention: SHA-1 in base32 ("sha1:…");
// WARC-Payload-Digest covers the HTTP entity body with transfer coding
// removed and content coding kept.
//
// The package does not fetch, extract, deduplicate (no revisit records
// are written), or log.
package warc

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// Record types defined by WARC/1.1.
const (
	TypeWarcinfo     = "warcinfo"
	TypeResponse     = "response"
	TypeResource     = "resource"
	TypeRequest      = "request"
	TypeMetadata     = "metadata"
	TypeRevisit      = "revisit"
	TypeConversion   = "conversion"
	TypeContinuation = "continuation"
)

// Field is one WARC header field, as written.
type Field struct {
	Name, Value string
}

// Fields is a WARC header in file order.
type Fields []Field

// Get returns the value of the first field named name (case-insensitive),
// or "".
func (f Fields) Get(name string) string {
	for _, x := range f {
		if strings.EqualFold(x.Name, name) {
			return x.Value
		}
	}
	return ""
}

// Record is one WARC record. Its byte slices are its own: they stay valid
// after the next call to Next.
type Record struct {
	// Version is the version line, e.g. "WARC/1.1".
	Version string
	// Header holds every WARC header field in file order.
	Header Fields
	// Type is WARC-Type, e.g. TypeResponse.
	Type string
	// TargetURI is WARC-Target-URI without the angle brackets some writers
	// add.
	TargetURI string
	// Date is WARC-Date; zero when missing or unparsable.
	Date time.Time
	// RecordID is WARC-Record-ID, e.g. "<urn:uuid:…>".
	RecordID string
	// ContentType is the record's Content-Type, e.g.
	// "application/http;msgtype=response".
	ContentType string
	// Offset is where the record starts in the file: the start of its
	// gzip member in a compressed file (a member holding several records,
	// as in whole-file gzip, gives them all its offset), else of its
	// "WARC/" line.
	Offset int64
	// Block is the record's content block, exactly Content-Length bytes.
	Block []byte

	// HTTPStatus, HTTPHeader and Payload are set for response records
	// holding an HTTP response (and for revisit records that carry one,
	// whose payload is usually empty): the status code, the headers as
	// received, and the entity body with chunked transfer coding and
	// content coding (gzip, deflate, br, zstd) undone. Payload may share
	// memory with Block. For a resource record (a document stored as
	// such, as wget writes pages), Payload is the block itself and
	// HTTPStatus and HTTPHeader stay unset; PayloadContentType gives its
	// type either way.
	HTTPStatus int
	HTTPHeader http.Header
	Payload    []byte
	// PayloadErr says why the HTTP message could not be fully parsed or
	// decoded (malformed, truncated, an unsupported Content-Encoding such
	// as compress). Payload then holds whatever could be recovered, which
	// may be still encoded: check PayloadErr before extracting.
	PayloadErr error
}

// IsHTTPResponse reports whether the record's block is an HTTP response:
// a response or revisit record of type application/http whose msgtype
// parameter, if any, is "response". The parameter may be quoted
// (msgtype="response") and names may be in any case, as media types
// allow; a record of type response without the parameter holds a
// response all the same.
func (r *Record) IsHTTPResponse() bool {
	if r.Type != TypeResponse && r.Type != TypeRevisit {
		return false
	}
	mt, params := parseMediaType(r.ContentType)
	if mt != "application/http" {
		return false
	}
	msg, ok := params["msgtype"]
	return !ok || strings.EqualFold(msg, "response")
}

// parseMediaType returns the lower-case media type and the parameters
// (names lower-cased, values unquoted) of a Content-Type. It is lenient,
// as WARC writers are not always exact: when mime.ParseMediaType refuses
// the parameters (a duplicate, a stray token), each "name=value" is
// taken as it stands rather than losing the type.
func parseMediaType(ct string) (string, map[string]string) {
	mt, params, err := mime.ParseMediaType(ct)
	if err == nil {
		return mt, params
	}
	head, rest, _ := strings.Cut(ct, ";")
	params = map[string]string{}
	for p := range strings.SplitSeq(rest, ";") {
		name, value, ok := strings.Cut(p, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || name == "" {
			continue
		}
		if _, dup := params[name]; !dup {
			params[name] = strings.Trim(strings.TrimSpace(value), `"`)
		}
	}
	return strings.ToLower(strings.TrimSpace(head)), params
}

// HTTPContentType returns the Content-Type of the HTTP response, or "".
func (r *Record) HTTPContentType() string {
	if r.HTTPHeader == nil {
		return ""
	}
	return r.HTTPHeader.Get("Content-Type")
}

// PayloadContentType returns the declared Content-Type of Payload: the
// HTTP response's for a record holding one, the record's own for a
// resource record (which holds the document itself, with no HTTP message
// around it), else "".
func (r *Record) PayloadContentType() string {
	if r.Type == TypeResource {
		return r.ContentType
	}
	return r.HTTPContentType()
}

// CheckBlockDigest verifies WARC-Block-Digest when the record has one in a
// known algorithm (sha1, sha256; base32 or base16). It returns nil when
// the digest matches or is absent, ErrDigestMismatch otherwise.
func (r *Record) CheckBlockDigest() error {
	want := r.Header.Get("WARC-Block-Digest")
	if want == "" {
		return nil
	}
	algo, enc, ok := strings.Cut(want, ":")
	if !ok {
		return fmt.Errorf("block digest %q: %w", want, ErrDigestMismatch)
	}
	var sum []byte
	switch strings.ToLower(strings.ReplaceAll(algo, "-", "")) {
	case "sha1":
		s := sha1.Sum(r.Block)
		sum = s[:]
	case "sha256":
		s := sha256.Sum256(r.Block)
		sum = s[:]
	default:
		return nil // unknown algorithm: nothing to check against
	}
	if strings.EqualFold(enc, base32.StdEncoding.EncodeToString(sum)) ||
		strings.EqualFold(enc, strings.TrimRight(base32.StdEncoding.EncodeToString(sum), "=")) ||
		strings.EqualFold(enc, fmt.Sprintf("%x", sum)) {
		return nil
	}
	return fmt.Errorf("block digest %s of record %s: %w", want, r.RecordID, ErrDigestMismatch)
}

// ErrDigestMismatch: a record's block does not match its declared digest.
var ErrDigestMismatch = errors.New("digest mismatch")

// sha1Digest formats a SHA-1 digest the conventional way for WARC.
func sha1Digest(b []byte) string {
	s := sha1.Sum(b)
	return "sha1:" + base32.StdEncoding.EncodeToString(s[:])
}

// maxPayloadBytes caps a decoded HTTP payload, against decompression
// bombs.
const maxPayloadBytes = 64 << 20

// parseHTTPResponse parses an HTTP response block. body is the entity body
// with transfer coding removed (content coding kept); payload has the
// content coding removed too. Without transfer or content coding both are
// sub-slices of block. On error, what was recovered is returned.
func parseHTTPResponse(block []byte) (status int, header http.Header, body, payload []byte, err error) {
	rd := bytes.NewReader(block)
	br := bufio.NewReader(rd)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return 0, nil, nil, nil, fmt.Errorf("parse http response: %w", err)
	}
	defer resp.Body.Close()
	status, header = resp.StatusCode, resp.Header
	if len(resp.TransferEncoding) == 0 && resp.Body != http.NoBody {
		// The body is the rest of the block, up to Content-Length.
		rest := block[len(block)-rd.Len()-br.Buffered():]
		body = rest
		if cl := resp.ContentLength; cl >= 0 && cl < int64(len(rest)) {
			body = rest[:cl]
		} else if cl > int64(len(rest)) {
			return status, header, rest, rest, fmt.Errorf("read http body: %w (%d of %d bytes)", io.ErrUnexpectedEOF, len(rest), cl)
		}
	} else {
		body, err = io.ReadAll(io.LimitReader(resp.Body, maxPayloadBytes+1))
		if err != nil {
			return status, header, body, body, fmt.Errorf("read http body: %w", err)
		}
	}
	if len(body) > maxPayloadBytes {
		return status, header, body, body, fmt.Errorf("http body over %d bytes", maxPayloadBytes)
	}
	payload, err = decodeContent(header.Values("Content-Encoding"), body)
	return status, header, body, payload, err
}

// contentCodings lists the content codings of Content-Encoding values,
// in the order applied, lower-cased and without identity.
func contentCodings(values []string) []string {
	var list []string
	for _, v := range values {
		for c := range strings.SplitSeq(v, ",") {
			if c = strings.ToLower(strings.TrimSpace(c)); c != "" && c != "identity" {
				list = append(list, c)
			}
		}
	}
	return list
}

// Rewritable reports whether RedactRecords can rewrite the record's HTTP
// body, whose header has been parsed, to its length: it has no content
// coding, or one of gzip, deflate, br and zstd (a dry run's count of what
// a redaction does).
func (r *Record) Rewritable() bool {
	return rewritableCodings(contentCodings(r.HTTPHeader.Values("Content-Encoding")))
}

// rewritableCodings reports whether a body in these content codings can be
// rewritten to its length (fitBodyEach): none, or one of gzip, deflate, br and
// zstd. Codings stacked one over another are not.
func rewritableCodings(codings []string) bool {
	if len(codings) == 0 {
		return true
	}
	switch {
	case len(codings) > 1:
		return false
	case codings[0] == "gzip", codings[0] == "x-gzip", codings[0] == "deflate", codings[0] == "br", codings[0] == "zstd":
		return true
	}
	return false
}

// decodeContent undoes the content codings of the Content-Encoding values
// given, last applied first.
func decodeContent(values []string, body []byte) ([]byte, error) {
	list := contentCodings(values)
	for i := len(list) - 1; i >= 0; i-- {
		if len(body) == 0 {
			return body, nil
		}
		var r io.Reader
		switch list[i] {
		case "gzip", "x-gzip":
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				return body, fmt.Errorf("gzip content encoding: %w", err)
			}
			r = zr
		case "deflate":
			if zr, err := zlib.NewReader(bytes.NewReader(body)); err == nil {
				r = zr
			} else {
				r = flate.NewReader(bytes.NewReader(body))
			}
		case "br":
			r = brotli.NewReader(bytes.NewReader(body))
		case "zstd":
			// A window larger than the payload cap could never be filled.
			zr, err := zstd.NewReader(bytes.NewReader(body), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxPayloadBytes))
			if err != nil {
				return body, fmt.Errorf("zstd content encoding: %w", err)
			}
			defer zr.Close()
			r = zr
		default:
			return body, fmt.Errorf("unsupported content encoding %q", list[i])
		}
		out, err := io.ReadAll(io.LimitReader(r, maxPayloadBytes+1))
		if err != nil {
			return body, fmt.Errorf("%s content encoding: %w", list[i], err)
		}
		if len(out) > maxPayloadBytes {
			return body, fmt.Errorf("%s content encoding: decoded body over %d bytes", list[i], maxPayloadBytes)
		}
		body = out
	}
	return body, nil
}

// IsCapture reports whether r is the record a capture reference names:
// the one whose WARC-Record-ID is id or, for a reference without a record
// id (a record imported from another tool's JSON lines), one whose
// WARC-Target-URI is one of urls (the article's fetched and canonical
// URLs). A reference read through a file of another archive that has the
// same name, or through a file replaced since, finds another record at
// its offset: the capture is not there.
func (r *Record) IsCapture(id string, urls ...string) bool {
	if id != "" {
		return r.RecordID == id
	}
	for _, u := range urls {
		if u != "" && r.TargetURI == u {
			return true
		}
	}
	return false
}
