package archive

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"mime"
	"net/url"
	"path"
	"strings"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/redact"
	"github.com/herald-archive/herald/internal/warc"
)

// listing finds, in the captures of feeds and sitemaps, the entries that
// name a deleted page, for Delete to blank them (warc.RedactRecords):
// those captures list the page's URL, title, description and, in a
// full-content feed, its text.
type listing struct {
	norm  map[string]bool // the deleted pages' URLs, as warc.NormURL spells them
	canon map[string]bool // and as canon.URL does
	// needles are bytes one of which a document naming a deleted page
	// holds, whatever the spelling of its link (absolute or not): the
	// last segment of its path, or its host.
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
		}
		for _, n := range needles {
			if n != "" && !seen[n] {
				seen[n] = true
				l.needles = append(l.needles, []byte(n))
			}
		}
	}
	return l
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

// mayList reports whether a response record may hold a feed or sitemap,
// by its declared type: XML, JSON, plain text, or none; or, declared a
// page (text/html), by how its body starts (see listStart), as servers
// that send feeds as text/html are not rare and a harvest polls them all
// the same.
func mayList(rec *warc.Record) bool {
	ct := rec.RawHTTPField("Content-Type")
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(strings.ToLower(ct), ";")
		mt = strings.TrimSpace(mt)
	}
	switch {
	case mt == "text/html" || mt == "application/xhtml+xml":
		return listStart(rec)
	case strings.Contains(mt, "xml"), strings.Contains(mt, "json"), strings.Contains(mt, "rss"), strings.Contains(mt, "atom"):
		return true
	}
	return mt == "text/plain" || mt == "application/octet-stream" || mt == "binary/octet-stream"
}

// listStart reports whether the start of a response's body (its first
// kilobyte, decoded from chunks and gzip) is that of a feed or sitemap:
// an XML document whose root is rss, feed, rdf:RDF, urlset or
// sitemapindex, a JSON Feed, or a text sitemap's first URL. A page is
// not: an article page is the common case, so the test reads little.
func listStart(rec *warc.Record) bool {
	_, body, ok := bytes.Cut(rec.Block, []byte("\r\n\r\n"))
	if !ok {
		return false
	}
	if strings.Contains(strings.ToLower(rec.RawHTTPField("Transfer-Encoding")), "chunked") {
		// The first chunk's size line; a start that spans chunks is rare.
		if _, rest, ok := bytes.Cut(body, []byte("\r\n")); ok {
			body = rest
		}
	}
	const peek = 1024
	switch strings.ToLower(strings.TrimSpace(rec.RawHTTPField("Content-Encoding"))) {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return false
		}
		start, _ := io.ReadAll(io.LimitReader(zr, peek))
		body = start
	default:
		return false
	}
	if len(body) > peek {
		body = body[:peek]
	}
	start := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case bytes.HasPrefix(start, []byte("http://")), bytes.HasPrefix(start, []byte("https://")):
		return true // a text sitemap
	case bytes.HasPrefix(start, []byte("{")):
		return bytes.Contains(start, []byte("jsonfeed.org/version"))
	case !bytes.HasPrefix(start, []byte("<")):
		return false
	}
	lower := bytes.ToLower(start)
	if bytes.Contains(lower, []byte("<html")) || bytes.Contains(lower, []byte("<!doctype html")) {
		return false
	}
	for _, root := range []string{"<rss", "<feed", "<rdf:rdf", "<urlset", "<sitemapindex"} {
		if bytes.Contains(lower, []byte(root)) {
			return true
		}
	}
	return false
}

// redaction is what to do with a feed or sitemap capture (a redact
// function of warc.RedactRecords): blank its entries that name a deleted
// page; erase it whole when it breaks off (or turns malformed) and still
// holds a deleted page's mention after the entries read were blanked,
// as what is past the break cannot be told apart; leave it when it is
// not a feed or sitemap, or names no deleted page.
func (l *listing) redaction(rec *warc.Record) warc.Redaction {
	if !l.mentioned(rec.Payload) {
		return warc.Redaction{}
	}
	out, n, err := redact.Blank(rec.Payload, rec.TargetURI, l.named)
	switch {
	case errors.Is(err, redact.ErrNotFeed):
		return warc.Redaction{}
	case err != nil && l.mentioned(out):
		return warc.Redaction{Erase: true}
	case n == 0:
		return warc.Redaction{}
	}
	return warc.Redaction{Payload: out, Entries: n}
}
