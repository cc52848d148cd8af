package fetch

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
)

// Accept says what kind of document a Fetch is for. It picks the Accept
// header sent and which content types are taken.
type Accept int

const (
	// AcceptPage (the zero value) takes only HTML: text/html or
	// application/xhtml+xml, sniffed when the header is missing, generic
	// or contradicted by the body. Anything else fails with ErrNotHTML.
	AcceptPage Accept = iota
	// AcceptFeed takes RSS, Atom and JSON feeds: any type but the plainly
	// binary ones (images, audio, video, PDF, archives other than gzip),
	// which fail with ErrUnexpectedType. Feeds are often mislabelled.
	AcceptFeed
	// AcceptSitemap takes XML, text and gzip sitemaps, with the same rule
	// as AcceptFeed. A .xml.gz sitemap sent without Content-Encoding is
	// returned still compressed.
	AcceptSitemap
	// AcceptAny takes every type.
	AcceptAny
	// AcceptSource is for a document whose kind is to be found out: a
	// feed, a sitemap, a URL list or a page. It takes what AcceptFeed and
	// AcceptSitemap take, asks for all of them, and reads up to the
	// sitemap size cap, the largest; the caller applies a smaller kind's
	// cap once it knows the kind.
	AcceptSource
)

func (a Accept) String() string {
	switch a {
	case AcceptPage:
		return "page"
	case AcceptFeed:
		return "feed"
	case AcceptSitemap:
		return "sitemap"
	case AcceptAny:
		return "any"
	case AcceptSource:
		return "source"
	}
	return fmt.Sprintf("Accept(%d)", int(a))
}

func (a Accept) header() string {
	switch a {
	case AcceptPage:
		return "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
	case AcceptFeed:
		return "application/rss+xml,application/atom+xml,application/feed+json,application/xml;q=0.9,text/xml;q=0.9,application/json;q=0.8,*/*;q=0.5"
	case AcceptSitemap:
		return "application/xml,text/xml;q=0.9,application/gzip;q=0.8,text/plain;q=0.5,*/*;q=0.3"
	case AcceptSource:
		return "application/rss+xml,application/atom+xml,application/feed+json,application/xml;q=0.9,text/xml;q=0.9," +
			"application/json;q=0.8,text/html;q=0.7,application/gzip;q=0.6,text/plain;q=0.5,*/*;q=0.3"
	}
	return "*/*"
}

// sniffLen is how much of the body http.DetectContentType looks at.
const sniffLen = 512

// mediaType returns the lower-case media type of a Content-Type value, ""
// when it is empty or unparsable.
func mediaType(ct string) string {
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		// Take what precedes any parameters; servers send odd values.
		mt, _, _ = strings.Cut(ct, ";")
		mt = strings.TrimSpace(mt)
	}
	return strings.ToLower(mt)
}

func isHTMLType(mt string) bool {
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// isGenericType reports declared types that say nothing useful, so the
// body is sniffed instead.
func isGenericType(mt string) bool {
	switch mt {
	case "", "application/octet-stream", "binary/octet-stream", "application/unknown",
		"unknown/unknown", "application/x-unknown-content-type", "text/plain", "*/*":
		return true
	}
	return false
}

// isBinaryType reports media types that cannot hold a page, feed or
// sitemap.
func isBinaryType(mt string) bool {
	for _, p := range []string{"image/", "audio/", "video/", "font/", "model/"} {
		if strings.HasPrefix(mt, p) {
			return true
		}
	}
	switch mt {
	case "application/pdf", "application/zip", "application/x-rar-compressed", "application/vnd.rar",
		"application/x-7z-compressed", "application/wasm", "application/postscript",
		"application/ogg", "application/vnd.ms-fontobject", "application/msword",
		"application/vnd.ms-excel", "application/vnd.ms-powerpoint", "application/x-shockwave-flash",
		"application/x-msdownload", "application/java-archive":
		return true
	}
	return strings.HasPrefix(mt, "application/vnd.openxmlformats")
}

// classify decides whether a response is taken for kind. declared is the
// Content-Type header; head is the start of the decoded body. It returns
// the content type to report and the rejection sentinel, or nil.
func classify(kind Accept, declared string, head []byte) (string, error) {
	mt := mediaType(declared)
	var sniffed string
	if len(head) > 0 {
		sniffed = mediaType(http.DetectContentType(head))
	}
	reported := declared
	if reported == "" && sniffed != "" {
		reported = sniffed
	}
	switch kind {
	case AcceptAny:
		return reported, nil
	case AcceptPage:
		switch {
		case isHTMLType(mt):
			// Trust the label unless the body is plainly something else
			// (a PDF or image served as text/html).
			if sniffed != "" && isBinaryType(sniffed) {
				return sniffed, ErrNotHTML
			}
			return reported, nil
		case isGenericType(mt) && sniffed == "text/html":
			return reported, nil
		case isGenericType(mt) && len(head) == 0 && mt == "":
			// An empty body with no type: nothing to extract, nothing wrong.
			return reported, nil
		}
		if isGenericType(mt) && sniffed != "" {
			return sniffed, ErrNotHTML
		}
		return reported, ErrNotHTML
	default: // feed, sitemap, source
		if isBinaryType(mt) || (sniffed != "" && isBinaryType(sniffed)) {
			return reported, ErrUnexpectedType
		}
		return reported, nil
	}
}

// errUnsupportedEncoding: a Content-Encoding we did not ask for and cannot
// undo. Not retried.
var errUnsupportedEncoding = errors.New("unsupported content encoding")

// acceptEncoding is the Accept-Encoding Fetch sends: every coding decoder
// undoes.
const acceptEncoding = "gzip, deflate, br, zstd"

// zstdMaxWindow caps the window a zstd-coded response may ask the decoder
// to allocate. RFC 9659 limits the zstd content coding to 8 MiB windows,
// so a frame asking for more is refused, not obeyed.
const zstdMaxWindow = 8 << 20

// decoder wraps body in a reader undoing Content-Encoding. Only the
// encodings Fetch asks for (gzip, deflate, br, zstd) and identity are
// known. The reader decodes as it is read: the caller's read limit bounds
// the decoded size, so a decompression bomb costs no more memory than
// MaxBodyBytes. A returned io.Closer must be closed.
func decoder(encoding string, body io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
		return body, nil
	case "br":
		return brotli.NewReader(body), nil
	case "zstd":
		zr, err := zstd.NewReader(body, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(zstdMaxWindow))
		if err != nil {
			return nil, fmt.Errorf("zstd content encoding: %w", err)
		}
		return zr.IOReadCloser(), nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, fmt.Errorf("gzip content encoding: %w", err)
		}
		return zr, nil
	case "deflate":
		// "deflate" is meant to be zlib-wrapped, but some servers send raw
		// DEFLATE; tell them apart by the zlib header.
		br := bufio.NewReader(body)
		h, _ := br.Peek(2)
		if len(h) == 2 && h[0]&0x0f == 8 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
			zr, err := zlib.NewReader(br)
			if err != nil {
				return nil, fmt.Errorf("deflate content encoding: %w", err)
			}
			return zr, nil
		}
		return flate.NewReader(br), nil
	}
	return nil, fmt.Errorf("%w %q", errUnsupportedEncoding, encoding)
}

// DecodeCharset converts body to UTF-8. The encoding is taken from, in
// order: a byte-order mark, the charset parameter of contentType, an HTML
// <meta> declaration or an XML declaration's encoding in the first 1024
// bytes; failing those, UTF-8 when the bytes are valid UTF-8, else
// windows-1252. Fetch never does this itself (the extractor decodes pages);
// feed and sitemap readers may. An XML decoder reading the result must not
// decode again: give it a CharsetReader that returns its input.
func DecodeCharset(body []byte, contentType string) ([]byte, error) {
	enc, name, certain := charset.DetermineEncoding(body, contentType)
	if !certain {
		if e, n := xmlDeclEncoding(body); e != nil {
			enc, name = e, n
		}
	}
	if enc == encoding.Nop || name == "utf-8" {
		return body, nil
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	return out, nil
}

// xmlDeclEncoding reads encoding="..." from a leading XML declaration.
func xmlDeclEncoding(body []byte) (encoding.Encoding, string) {
	body = bytes.TrimLeft(body, " \t\r\n")
	if !bytes.HasPrefix(body, []byte("<?xml")) {
		return nil, ""
	}
	end := bytes.Index(body, []byte("?>"))
	if end < 0 || end > 1024 {
		return nil, ""
	}
	decl := string(body[:end])
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return nil, ""
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t")
	rest, ok := strings.CutPrefix(rest, "=")
	if !ok {
		return nil, ""
	}
	rest = strings.TrimLeft(rest, " \t")
	if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
		return nil, ""
	}
	label, _, ok := strings.Cut(rest[1:], rest[:1])
	if !ok {
		return nil, ""
	}
	return charset.Lookup(label)
}
