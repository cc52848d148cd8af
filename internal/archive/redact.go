package archive

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"path"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/redact"
	"github.com/herald-archive/herald/internal/warc"
)

// listing finds, in the captures of feeds and sitemaps, the entries that
// name a deleted page, and in the captures of HTML pages (section fronts,
// home pages, other articles) the links to it, for Delete to blank them
// (warc.RedactRecords): those captures list the page's URL, title,
// description and, in a full-content feed, its text.
type listing struct {
	norm  map[string]bool // the deleted pages' URLs, as warc.NormURL spells them
	canon map[string]bool // and as canon.URL does
	// needles are bytes one of which a document naming a deleted page
	// holds, whatever the spelling of its link (absolute or not): the
	// last segment of its path, or where that is shorter than 4 bytes a
	// pair of its query (queryNeedles), or else its host.
	needles [][]byte
}

// newListing returns a listing of the URLs (as warc.NormURL spells them).
func newListing(urls map[string]bool) *listing {
	l := &listing{norm: urls, canon: map[string]bool{}}
	seen := map[string]bool{}
	for u := range urls {
		if c, err := canon.URL(u); err == nil {
			l.canon[c] = true
		}
		p, err := url.Parse(u)
		if err != nil {
			continue
		}
		needles := []string{p.Hostname()}
		if seg := path.Base(strings.TrimSuffix(p.EscapedPath(), "/")); len(seg) >= 4 {
			needles = []string{seg}
			if raw, err := url.PathUnescape(seg); err == nil && raw != seg {
				needles = append(needles, raw)
			}
		} else if q := queryNeedles(u, p); len(q) > 0 {
			needles = q
		}
		for _, n := range needles {
			for _, f := range needleForms(n) {
				if f != "" && !seen[f] {
					seen[f] = true
					l.needles = append(l.needles, []byte(f))
				}
			}
		}
	}
	return l
}

// needleForms returns n and the other spellings of it a document may
// hold: with its percent escapes in the other case of hex digits
// (%c3%a9 for %C3%A9), and, where it holds a character beyond ASCII,
// as a JSON string escapes it (PHP's json_encode writes café as
// caf\u00e9), in both cases of hex digits.
func needleForms(n string) []string {
	forms := []string{n}
	if strings.Contains(n, "%") {
		forms = append(forms, hexCase(n, false), hexCase(n, true))
	}
	if strings.IndexFunc(n, func(r rune) bool { return r >= utf8.RuneSelf }) >= 0 {
		lower := jsonEscaped(n)
		forms = append(forms, lower, upperEscapes(lower))
	}
	return forms
}

// hexCase returns s with the hex digits of its percent escapes in upper
// case, or lower.
func hexCase(s string, upper bool) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' && isHex(b[i+1]) && isHex(b[i+2]) {
			for _, j := range []int{i + 1, i + 2} {
				if upper {
					b[j] = byte(unicode.ToUpper(rune(b[j])))
				} else {
					b[j] = byte(unicode.ToLower(rune(b[j])))
				}
			}
			i += 2
		}
	}
	return string(b)
}

// isHex reports whether c is a hex digit.
func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// jsonEscaped returns s with each character beyond ASCII written as a
// JSON \uXXXX escape (a pair of them beyond the first plane), hex digits
// in lower case.
func jsonEscaped(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, "\\u%04x\\u%04x", r1, r2)
		default:
			fmt.Fprintf(&b, "\\u%04x", r)
		}
	}
	return b.String()
}

// upperEscapes returns s, written by jsonEscaped, with the hex digits of
// its escapes in upper case.
func upperEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+5 < len(b); i++ {
		if b[i] == '\\' && b[i+1] == 'u' {
			for j := i + 2; j < i+6; j++ {
				b[j] = byte(unicode.ToUpper(rune(b[j])))
			}
			i += 5
		}
	}
	return string(b)
}

// queryNeedles returns, for a URL u (parsed, p) whose path ends in a
// segment too short to look for (/?p=123, a shortlink's), what every
// link naming it holds of the longest name=value pair of its query that
// its canonical URL keeps too (a tracking parameter may be left out of a
// link to it), if that pair is at least 4 bytes long; else none (the
// host is looked for). Where the pair holds a byte a link may write
// escaped or not (~ or %7E, é or %C3%A9), that is the pair up to that
// byte when it is 4 bytes long or more (id=caf for id=café), else each
// spelling of the pair: canon.URL's, u's own, every such byte escaped
// and none.
func queryNeedles(u string, p *url.URL) []string {
	c, err := canon.URL(u)
	if err != nil {
		return nil
	}
	cu, err := url.Parse(c)
	if err != nil {
		return nil
	}
	best := ""
	for pair := range strings.SplitSeq(cu.RawQuery, "&") {
		if len(pair) > len(best) && strings.Contains(pair, "=") && !strings.HasSuffix(pair, "=") {
			best = pair
		}
	}
	if len(best) < 4 {
		return nil
	}
	plain, err := url.QueryUnescape(best)
	if err != nil {
		plain = best
	}
	i := strings.IndexFunc(plain, func(r rune) bool { return !plainQueryRune(r) })
	switch {
	case i < 0:
		return []string{best}
	case i >= 4:
		return []string{plain[:i]}
	}
	key, _, _ := strings.Cut(plain, "=")
	spellings := []string{best, plain}
	for pair := range strings.SplitSeq(p.RawQuery, "&") {
		if k, _, _ := strings.Cut(pair, "="); k != pair && unescapedIs(k, key) {
			spellings = append(spellings, pair)
		}
	}
	var esc strings.Builder
	for j := 0; j < len(plain); j++ {
		if c := plain[j]; c < utf8.RuneSelf && plainQueryRune(rune(c)) {
			esc.WriteByte(c)
		} else {
			fmt.Fprintf(&esc, "%%%02X", c)
		}
	}
	return append(spellings, esc.String())
}

// plainQueryRune reports whether r is written as it is in every link's
// query: a letter or digit of ASCII, -, ., _ or =.
func plainQueryRune(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '.' || r == '_' || r == '='
}

// unescapedIs reports whether the query name k, unescaped, is key.
func unescapedIs(k, key string) bool {
	u, err := url.QueryUnescape(k)
	return err == nil && u == key
}

// named reports whether u, an absolute URL, is a deleted page's.
func (l *listing) named(u string) bool {
	if l.norm[warc.NormURL(u)] {
		return true
	}
	c, err := canon.URL(u)
	return err == nil && l.canon[c]
}

// mentioned reports whether doc may name a deleted page.
func (l *listing) mentioned(doc []byte) bool {
	for _, n := range l.needles {
		if bytes.Contains(doc, n) {
			return true
		}
	}
	return false
}

// mayList reports whether a response record may hold a feed, a sitemap
// or a page that names a deleted page, by its declared type (XML, JSON,
// HTML, plain text, or none) and, when its body is in no content coding
// or transfer coding, by whether its bytes hold one of the needles: a
// page or feed that does not is passed over without being parsed.
func (l *listing) mayList(rec *warc.Record) bool {
	if ct := rec.RawHTTPField("Content-Type"); ct != "" {
		switch mt := mediaType(ct); {
		case isPageType(mt), strings.Contains(mt, "xml"), strings.Contains(mt, "json"), strings.Contains(mt, "rss"), strings.Contains(mt, "atom"):
		case mt == "text/plain" || mt == "application/octet-stream" || mt == "binary/octet-stream":
		default:
			return false
		}
	}
	if rec.RawHTTPField("Content-Encoding") == "" && rec.RawHTTPField("Transfer-Encoding") == "" {
		return l.mentioned(rec.Block)
	}
	return true
}

// mediaType is the media type of a Content-Type value, lower case, read
// as far as it goes when the value is malformed.
func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(strings.ToLower(ct), ";")
		mt = strings.TrimSpace(mt)
	}
	return mt
}

// isPageType reports whether a media type is an HTML page's.
func isPageType(mt string) bool {
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// redaction is what to do with a feed, sitemap or page capture (a
// redact function of warc.RedactRecords): blank its entries that name a
// deleted page (redact.Blank) or, in an HTML page (declared so, or
// untyped), its links to one (redact.BlankPageMentioning, parsing only
// the scripts that hold a needle); erase it whole when it
// is a feed that breaks off (or turns malformed) and still holds a
// deleted page's mention after the entries read were blanked, as what
// is past the break cannot be told apart; leave it when it names no
// deleted page.
func (l *listing) redaction(rec *warc.Record) warc.Redaction {
	if !l.mentioned(rec.Payload) {
		return warc.Redaction{}
	}
	out, n, err := redact.Blank(rec.Payload, rec.TargetURI, l.named)
	if errors.Is(err, redact.ErrNotFeed) {
		if ct := rec.HTTPHeader.Get("Content-Type"); ct != "" && !isPageType(mediaType(ct)) {
			return warc.Redaction{}
		}
		out, n, err = redact.BlankPageMentioning(rec.Payload, rec.TargetURI, l.named, l.mentioned)
		if err != nil {
			return warc.Redaction{} // not a page either
		}
	}
	switch {
	case err != nil && l.mentioned(out):
		return warc.Redaction{Erase: true}
	case n == 0:
		return warc.Redaction{}
	}
	return warc.Redaction{Payload: out, Entries: n}
}
