// Package redact blanks, in a copy of a feed or sitemap, the entries that
// name given URLs (Blank), and in a copy of an HTML page the links to
// them (BlankPage), keeping every other byte where it was: the document
// keeps its length, so a raw capture of it can be rewritten in place
// (herald delete --erase-captures).
//
// Blank reads RSS (0.9x, 2.0 and 1.0/RDF), Atom, JSON Feed, XML sitemaps
// (urlset, with news, image and alternate-language extensions) and text
// sitemaps. An entry (RSS item, Atom entry, JSON Feed item, sitemap url)
// names a URL when one of its links does: an RSS link, guid or
// feedburner:origLink, an Atom link href or id, a sitemap loc or
// xhtml:link href, a JSON Feed url, external_url or id, or the RDF item's
// rdf:about, resolved against the document's URL. An XML entry's bytes,
// from its start tag to its end tag, become spaces; a JSON Feed item
// becomes {} and spaces (the array stays valid JSON); a text sitemap's
// line becomes spaces. An RSS 1.0 channel's rdf:li naming the URL is
// blanked too. Text elsewhere (another item's description linking to the
// page) is left: it is that item's.
//
// BlankPage reads HTML as browsers tokenize it. A link (an a element)
// whose href, resolved against the page's URL or its base element, names
// a URL is blanked whole, start tag to end tag, headline, image and all:
// on a section front, a home page or a related-articles list, the link
// is the page's listing, and a teaser holding only that story (its card,
// list item or article element, with its standfirst and date) goes with
// it. In running text (a paragraph or blockquote, or an article body's
// list item or table cell, with words of its own besides such links:
// another article's prose, which the takedown of one article does not
// rewrite) only the href's value becomes spaces: the sentence stays as
// its author wrote it, and leads nowhere. A meta or link element naming
// the URL loses the value; a JSON-LD script loses its entries naming it
// and stays valid JSON of its length, and a script of other JSON data
// (__NEXT_DATA__) has the objects describing it emptied in place. A
// noscript element's links go as the page's do; references that are not
// a elements (an area, an iframe's src, a meta refresh,
// data-href, data-url, onclick) lose the value naming it. Tags are never
// cut: a span blanked starts and ends on tag boundaries. Other mentions
// that are not links (another script's text, an image's alt outside a
// link) are left.
//
// The package does not decode content codings, transcode (a document in
// an encoding that is not a superset of ASCII, such as UTF-16, is not
// read), or decide which URLs are the same page: named does.
package redact

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"
)

// ErrNotFeed: the document is not a feed or sitemap Blank reads (an HTML
// page, a sitemap index, an image, UTF-16 text).
var ErrNotFeed = errors.New("not a feed or sitemap")

// Blank returns a copy of doc, a feed or sitemap fetched from docURL,
// with the entries that name a URL named accepts blanked, and how many
// places were blanked (the entries, and the rdf:li references of an RSS
// 1.0 channel to them). The copy has doc's length.
//
// A document that is not a feed or sitemap gives ErrNotFeed and no
// copy. One that breaks off or turns malformed part way gives the
// entries blanked before that point, with an error saying where: the
// rest of it was not read, and the caller decides what to do with it.
func Blank(doc []byte, docURL string, named func(string) bool) ([]byte, int, error) {
	base, _ := url.Parse(docURL)
	b := &blanker{out: bytes.Clone(doc), base: base, named: named}
	var err error
	switch first := firstSignificant(doc); {
	case first == '<':
		err = b.xml(doc)
	case first == '{':
		err = b.json(doc)
	case first == 'h' || first == 'H':
		err = b.text(doc)
	default:
		err = ErrNotFeed
	}
	if errors.Is(err, ErrNotFeed) {
		return nil, 0, err
	}
	return b.out, b.n, err
}

// blanker holds a copy being blanked.
type blanker struct {
	out   []byte
	base  *url.URL
	named func(string) bool
	n     int // entries blanked
	// seen memoizes names (a page links to a story twice, its JSON-LD
	// again); emptied when base changes.
	seen map[string]bool
	// mentioned, when set, tells whether a text may name a URL named
	// accepts (see BlankPageMentioning).
	mentioned func([]byte) bool
}

// mayName reports whether text may name a URL named accepts: always,
// unless mentioned says it does not.
func (b *blanker) mayName(text []byte) bool {
	return b.mentioned == nil || b.mentioned(text)
}

// names reports whether ref, a link as written, resolves to a URL named
// accepts.
func (b *blanker) names(ref string) bool {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return false
	}
	if v, ok := b.seen[ref]; ok {
		return v
	}
	if b.seen == nil {
		b.seen = map[string]bool{}
	}
	v := b.resolvesNamed(ref)
	b.seen[ref] = v
	return v
}

// resolvesNamed is names without its memo.
func (b *blanker) resolvesNamed(ref string) bool {
	if b.base != nil {
		if u, err := b.base.Parse(ref); err == nil {
			ref = u.String()
		}
	}
	if b.named(ref) {
		return true
	}
	// A link to a place in the page (#comments) is a link to the page.
	if at := strings.IndexByte(ref, '#'); at > 0 {
		return b.named(ref[:at])
	}
	return false
}

// spaces blanks out[from:to], keeping line ends (so line numbers of the
// rest stay true).
func (b *blanker) spaces(from, to int) {
	for i := from; i < to; i++ {
		if c := b.out[i]; c != '\n' && c != '\r' {
			b.out[i] = ' '
		}
	}
}

// firstSignificant returns the first byte of doc after a byte-order mark
// and white space, or 0.
func firstSignificant(doc []byte) byte {
	doc = bytes.TrimPrefix(doc, []byte("\xef\xbb\xbf"))
	doc = bytes.TrimLeft(doc, " \t\r\n")
	if len(doc) == 0 {
		return 0
	}
	return doc[0]
}

// entryElements are the XML elements that are one entry each, by root.
var entryElements = map[string]string{
	"rss":    "item",
	"RDF":    "item",
	"feed":   "entry",
	"urlset": "url",
}

// linkElements are the elements of an entry whose text is a link.
var linkElements = map[string]bool{"link": true, "guid": true, "id": true, "loc": true, "origLink": true}

// xml blanks the entries of an XML feed or sitemap. The decoder reads a
// copy whose bytes that are not UTF-8 are made '?' (a Latin-1 feed, a
// stray byte), so offsets into it are offsets into doc.
func (b *blanker) xml(doc []byte) error {
	work := asciiSafe(doc)
	d := xml.NewDecoder(bytes.NewReader(work))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "utf-16", "utf-16le", "utf-16be", "utf-32", "ucs-2":
			return nil, ErrNotFeed
		}
		return in, nil // ASCII is ASCII in the rest; other bytes were made '?'
	}
	var (
		entry      string // the entry element, once the root is known
		depth      int
		entryStart int64 // offset of the open entry's start tag, or -1
		entryDepth int
		hit        bool   // the open entry names a URL
		linkDepth  int    // depth of the open link element, or 0
		text       []byte // its text so far
	)
	entryStart = -1
	for {
		before := d.InputOffset()
		tok, err := d.RawToken()
		if err != nil && entry == "" {
			return ErrNotFeed
		}
		if err != nil && entryStart >= 0 && hit {
			// Cut off in an entry already seen to name a URL: the rest is
			// that entry's.
			b.spaces(int(entryStart), len(b.out))
			b.n++
		}
		if err == io.EOF && depth != 0 {
			return fmt.Errorf("the document stops at byte %d inside an element", before)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("at byte %d: %w", before, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if entry == "" {
				if entry = entryElements[t.Name.Local]; entry == "" {
					return ErrNotFeed // an HTML page, a sitemap index…
				}
				continue
			}
			switch {
			case entryStart < 0 && t.Name.Local == entry:
				entryStart, entryDepth, hit = before, depth, false
				for _, a := range t.Attr {
					if a.Name.Local == "about" && b.names(a.Value) {
						hit = true
					}
				}
			case entryStart >= 0 && linkDepth == 0:
				for _, a := range t.Attr {
					// Atom's link, a sitemap's xhtml:link; not the
					// anchors of XHTML content (links to other pages).
					if a.Name.Local == "href" && t.Name.Local == "link" && b.names(a.Value) {
						hit = true
					}
				}
				if linkElements[t.Name.Local] {
					linkDepth, text = depth, text[:0]
				}
			case entryStart < 0 && t.Name.Local == "li":
				// RSS 1.0 lists its items in the channel: <rdf:li rdf:resource="…"/>.
				for _, a := range t.Attr {
					if a.Name.Local == "resource" && b.names(a.Value) {
						end := d.InputOffset()
						if bytes.HasSuffix(bytes.TrimRight(work[before:end], " \t\r\n"), []byte("/>")) {
							b.spaces(int(before), int(end))
							b.n++
						}
					}
				}
			}
		case xml.CharData:
			if linkDepth > 0 {
				text = append(text, t...)
			}
		case xml.EndElement:
			if linkDepth == depth {
				if b.names(string(text)) {
					hit = true
				}
				linkDepth = 0
			}
			if entryStart >= 0 && depth == entryDepth {
				if hit {
					b.spaces(int(entryStart), int(d.InputOffset()))
					b.n++
				}
				entryStart = -1
			}
			depth--
		}
	}
}

// asciiSafe returns doc, or a copy of it whose bytes that are not part of
// valid UTF-8 are '?': the same length, the same ASCII.
func asciiSafe(doc []byte) []byte {
	if utf8.Valid(doc) {
		return doc
	}
	out := bytes.Clone(doc)
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRune(out[i:])
		if r == utf8.RuneError && size <= 1 {
			out[i] = '?'
			size = 1
		}
		i += size
	}
	return out
}

// jsonItem is what a JSON Feed item links to.
type jsonItem struct {
	ID          any    `json:"id"`
	URL         string `json:"url"`
	ExternalURL string `json:"external_url"`
}

// json blanks the items of a JSON Feed (any version: its "version" names
// jsonfeed.org).
func (b *blanker) json(doc []byte) error {
	d := json.NewDecoder(bytes.NewReader(doc))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return ErrNotFeed
	}
	var spans [][2]int // items to blank
	feed := false
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return notFeedOr(feed, err)
		}
		key, _ := tok.(string)
		switch key {
		case "version":
			var v string
			if err := d.Decode(&v); err != nil {
				return notFeedOr(feed, err)
			}
			feed = strings.Contains(v, "jsonfeed.org")
		case "items":
			if tok, err := d.Token(); err != nil || tok != json.Delim('[') {
				return notFeedOr(feed, fmt.Errorf("items is not an array"))
			}
			for d.More() {
				var raw json.RawMessage
				if err := d.Decode(&raw); err != nil {
					return notFeedOr(feed, err)
				}
				to := int(d.InputOffset())
				from := to - len(raw) // raw is the item's own bytes, as written
				var it jsonItem
				if json.Unmarshal(raw, &it) != nil {
					continue // not an object: nothing it names
				}
				id, _ := it.ID.(string)
				if b.names(it.URL) || b.names(it.ExternalURL) || b.names(id) {
					spans = append(spans, [2]int{from, to})
				}
			}
			if _, err := d.Token(); err != nil {
				return notFeedOr(feed, err)
			}
		default:
			var skip json.RawMessage
			if err := d.Decode(&skip); err != nil {
				return notFeedOr(feed, err)
			}
		}
	}
	if !feed {
		return ErrNotFeed
	}
	for _, s := range spans {
		b.spaces(s[0], s[1])
		copy(b.out[s[0]:], "{}")
		b.n++
	}
	if _, err := d.Token(); err != nil {
		return fmt.Errorf("at byte %d: %w", d.InputOffset(), err)
	}
	return nil
}

// notFeedOr is ErrNotFeed until the document has shown it is a JSON Feed,
// then err. Items before the version are not blanked in a document that
// breaks off: the caller sees the error.
func notFeedOr(feed bool, err error) error {
	if !feed {
		return ErrNotFeed
	}
	return fmt.Errorf("json feed: %w", err)
}

// text blanks the lines of a text sitemap (one absolute URL a line) that
// name a URL. A document with a line that is not an http(s) URL is not
// one.
func (b *blanker) text(doc []byte) error {
	var spans [][2]int
	for at := 0; at < len(doc); {
		end := bytes.IndexByte(doc[at:], '\n')
		if end < 0 {
			end = len(doc)
		} else {
			end += at
		}
		line := strings.TrimSpace(string(doc[at:end]))
		if line != "" {
			low := strings.ToLower(line)
			if !strings.HasPrefix(low, "http://") && !strings.HasPrefix(low, "https://") || strings.ContainsAny(line, " \t<") {
				return ErrNotFeed
			}
			if b.names(line) {
				spans = append(spans, [2]int{at, end})
			}
		}
		at = end + 1
	}
	for _, s := range spans {
		b.spaces(s[0], s[1])
		b.n++
	}
	return nil
}
