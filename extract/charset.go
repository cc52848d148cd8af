package extract

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"
)

// sniffBinary reports a reason when src is clearly not an HTML page: a
// known binary signature, or control bytes that text never contains.
func sniffBinary(src []byte) string {
	head := src
	if len(head) > 512 {
		head = head[:512]
	}
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "PDF document"
	case bytes.HasPrefix(head, []byte("\x89PNG")):
		return "PNG image"
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		return "JPEG image"
	case bytes.HasPrefix(head, []byte("GIF8")):
		return "GIF image"
	case bytes.HasPrefix(head, []byte("RIFF")) && len(head) > 12 && string(head[8:12]) == "WEBP":
		return "WebP image"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "ZIP archive"
	case bytes.HasPrefix(head, []byte("\x1f\x8b")):
		return "gzip data"
	}
	// UTF-16 pages start with a BOM; without one, NUL bytes mean binary.
	if bytes.HasPrefix(head, []byte("\xfe\xff")) || bytes.HasPrefix(head, []byte("\xff\xfe")) {
		return ""
	}
	// Binary formats are full of NULs; a page may carry a stray one or
	// two (a CMS bug in a <title>): more than one in 64 bytes is binary.
	ctl, nul := 0, 0
	for _, c := range head {
		if c == 0 {
			if nul++; nul*64 > len(head) {
				return "binary data"
			}
		}
		if c < 0x09 || (c > 0x0d && c < 0x20) {
			ctl++
		}
	}
	if ctl > len(head)/10 {
		return "binary data"
	}
	if !bytes.Contains(src[:min(len(src), 64<<10)], []byte("<")) {
		return "no markup"
	}
	return ""
}

// decodeUTF8 converts src to UTF-8. The encoding is chosen in the order
// browsers use: byte-order mark, the Content-Type charset, a <meta>
// declaration, then detection. It returns the encoding's name.
func decodeUTF8(src []byte, contentType string) ([]byte, string, error) {
	enc, name := Charset(src, contentType)
	if name == "utf-8" {
		if utf8.Valid(src) {
			return src, name, nil
		}
		return bytes.ToValidUTF8(src, []byte("\uFFFD")), name, nil
	}
	out, _, err := transform.Bytes(enc.NewDecoder(), src)
	if err != nil {
		return nil, name, fmt.Errorf("decode %s: %w", name, err)
	}
	if !utf8.Valid(out) {
		out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
	}
	return out, name, nil
}

// Charset is the character encoding of an HTML page's bytes src, sent
// with contentType, and its WHATWG name ("utf-8", "windows-1251",
// "shift_jis" …), chosen as the extractor decodes pages: byte-order mark,
// the Content-Type charset, a <meta> declaration within 64 KiB; without
// one, UTF-8 when src is valid UTF-8, else what the bytes look like
// (windows-1252 when nothing else fits).
func Charset(src []byte, contentType string) (encoding.Encoding, string) {
	enc, name, certain := charset.DetermineEncoding(src, contentType)
	if !certain {
		// DetermineEncoding only pre-scans 1024 bytes and otherwise guesses
		// windows-1252; look further for a declaration, then detect.
		// Valid UTF-8 is UTF-8 whatever a <meta> says: legacy text with
		// non-ASCII bytes is almost never valid UTF-8, while pages re-saved
		// as UTF-8 often keep their old declaration.
		if utf8.Valid(src) {
			return encoding.Nop, "utf-8"
		}
		if name == "windows-1252" || name == "utf-8" {
			if e, n := findMetaCharset(src); e != nil {
				enc, name = e, n
			} else if e, n := detectCharset(src); e != nil {
				enc, name = e, n
			}
		}
	}
	return enc, name
}

// findMetaCharset looks for a charset declaration in the first 64 KiB,
// beyond the 1024 bytes the HTML standard's pre-scan covers: many pages
// put it after long comment blocks or inline scripts.
func findMetaCharset(src []byte) (encoding.Encoding, string) {
	head := src[:min(len(src), 64<<10)]
	lower := make([]byte, len(head))
	for i, c := range head {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	for off := 0; ; {
		i := bytes.Index(lower[off:], []byte("charset"))
		if i < 0 {
			return nil, ""
		}
		off += i + len("charset")
		// Only inside a <meta ...> tag.
		lt := bytes.LastIndexByte(lower[:off], '<')
		if lt < 0 || !bytes.HasPrefix(lower[lt:], []byte("<meta")) || bytes.IndexByte(lower[lt:off], '>') >= 0 {
			continue
		}
		rest := bytes.TrimLeft(lower[off:], " \t\r\n")
		if len(rest) == 0 || rest[0] != '=' {
			continue
		}
		rest = bytes.TrimLeft(rest[1:], " \t\r\n\"'")
		end := bytes.IndexAny(rest, "\"'; \t\r\n/>")
		if end < 0 {
			continue
		}
		name := string(rest[:end])
		if e, err := htmlindex.Get(name); err == nil {
			canon, _ := htmlindex.Name(e)
			return e, canon
		}
	}
}
