// Package sitemap reads sitemaps: XML <urlset> and <sitemapindex> documents
// (with the Google News and image extensions), plain-text URL lists, either
// of them gzip-compressed, and the Sitemap lines of a robots.txt file.
//
// Parse is a streaming parser built on an encoding/xml token loop: it keeps
// the entries it returns and nothing else (no document tree), stops reading
// at the entry cap, and refuses input that decompresses beyond a size cap,
// so a gzip bomb costs at most Options.MaxBytes of reading. Memory stays
// small for real sitemaps; the worst case is one giant text node, which
// encoding/xml buffers whole, so about MaxBytes.
//
// # What Parse accepts
//
//   - <urlset> with <url><loc>, <lastmod>; the news extension
//     (<news:news>: publication name and language, publication_date, title,
//     keywords) and the image extension (<image:image><image:loc>).
//   - <sitemapindex> with <sitemap><loc>, <lastmod>.
//   - Elements are matched by local name and position, not by namespace:
//     sitemaps in the wild declare wrong, outdated or no namespaces, and the
//     positions alone tell a <loc> of the page from an <image:loc>.
//   - Common breakage: an unescaped "&" in a URL, HTML entities such as
//     &nbsp;, a byte order mark (UTF-8 or UTF-16), surrounding whitespace
//     in values, a stray Windows-1252 byte in a document meant as UTF-8
//     (read as Windows-1252). The encoding declared in the XML header is honoured
//     (windows-1251, ISO-8859-1, Shift_JIS, ...); a label nobody knows is
//     read as UTF-8 rather than failing the whole file.
//   - Gzip-compressed input, recognised by its magic bytes whatever the
//     file is called.
//   - Plain-text sitemaps: one absolute URL per line, blank lines ignored.
//   - lastmod and publication_date in every W3C datetime precision (YYYY,
//     YYYY-MM, YYYY-MM-DD, with hours and minutes, seconds, fractions, and
//     a zone), plus the common "+0000" and space-separated spellings. A date
//     without a zone is taken as UTC; a date that cannot be read is left
//     zero, which never drops the entry.
//
// # What Parse returns
//
// Locations are resolved against the sitemap's URL, so a relative <loc>
// works; what does not end up as an absolute http or https URL is skipped
// and counted in Sitemap.Skipped, as is a repeated location (the first one
// wins). Locations on other hosts than the sitemap's are kept as they are:
// the protocol allows them for sitemaps submitted through robots.txt, and
// whether a URL is in a source's scope is decided in one place, by the
// caller (see internal/discover.InScope), not here.
//
// A sitemap with more entries than Options.MaxEntries (50,000 by default,
// the protocol's own limit) is not an error: Parse stops reading there and
// returns the first MaxEntries entries with Sitemap.Truncated set. Input
// larger than Options.MaxBytes once decompressed (50 MiB by default, again
// the protocol's limit) is an error, ErrTooLarge, since the rest of the
// document cannot be trusted to be well-formed. A document that merely
// stops mid-way gives its complete entries with Sitemap.Cut set (see
// Options.Parse). Other malformed XML is an error;
// a well-formed document whose root is neither <urlset> nor <sitemapindex>
// (an HTML page, a feed) is ErrNotSitemap, so the caller can try another
// reader.
//
// # What it deliberately does not do
//
// No fetching (the caller follows sitemap index entries and robots.txt),
// no scope or article-URL decisions, no URL canonicalisation beyond
// resolving relative references, no use of changefreq, priority, video or
// hreflang alternates.
package sitemap

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/strayutf8"
)

// Defaults used when the corresponding Options field is zero. Both are the
// sitemap protocol's own limits for one sitemap file.
const (
	DefaultMaxEntries = 50_000
	DefaultMaxBytes   = 50 << 20
)

// maxLocLen is the longest location kept. The protocol caps a URL at 2,048
// characters; real sites exceed that a little with percent-encoded slugs,
// and anything near this length is garbage.
const maxLocLen = 8 << 10

// maxTextLen caps the text collected for one element, so a pathological
// value cannot grow a field without bound (the size cap bounds the whole).
const maxTextLen = 64 << 10

var (
	// ErrNotSitemap means the input is neither a sitemap document nor a
	// plain-text URL list: an HTML page, a feed, an empty body, binary data.
	ErrNotSitemap = errors.New("not a sitemap")
	// ErrTooLarge means the input, once decompressed, is larger than
	// Options.MaxBytes.
	ErrTooLarge = errors.New("sitemap too large")
)

// Sitemap is what one sitemap file lists.
type Sitemap struct {
	// Index is true for a <sitemapindex>, whose entries are in Sitemaps;
	// otherwise the entries are in URLs.
	Index bool
	// Sitemaps are the child sitemaps of a sitemap index, in file order.
	Sitemaps []Ref
	// URLs are the pages of a <urlset> or a plain-text list, in file order.
	URLs []URL
	// Skipped counts entries dropped because their location was missing,
	// not an http(s) URL, too long, or a repeat of an earlier one.
	Skipped int
	// Truncated is true when the file had more entries than
	// Options.MaxEntries and only the first ones were read.
	Truncated bool
	// Cut is true when the document stops mid-way (a download cut short,
	// a gzip stream that ends early): the entries are the complete ones
	// before the cut, and those after it are missing.
	Cut bool
}

// Ref is one child sitemap of a sitemap index.
type Ref struct {
	// Loc is the child sitemap's absolute URL.
	Loc string
	// LastMod is when the child sitemap last changed, zero if not declared
	// or not readable.
	LastMod time.Time
}

// URL is one page listed by a sitemap.
type URL struct {
	// Loc is the page's absolute URL.
	Loc string
	// LastMod is when the page last changed, zero if not declared or not
	// readable.
	LastMod time.Time
	// News holds the Google News extension, nil when the entry has none.
	News *News
	// ImageLocs are the absolute URLs of the image extension's images, in
	// order, without repeats.
	ImageLocs []string
}

// News is the Google News sitemap extension of one page.
type News struct {
	// PublicationName is the publication's name (news:publication/news:name).
	PublicationName string
	// Language is the publication's language as declared (news:language),
	// e.g. "en", "zh-cn".
	Language string
	// PublicationDate is the article's first publication time, zero if not
	// declared or not readable.
	PublicationDate time.Time
	// Title is the article's title.
	Title string
	// Keywords are the comma-separated news:keywords, trimmed, without
	// empty or repeated ones.
	Keywords []string
}

// Options bound the work Parse does. The zero value means the defaults.
type Options struct {
	// MaxEntries is the most URLs (or, in an index, child sitemaps) read;
	// past it Parse stops and sets Sitemap.Truncated. Zero means
	// DefaultMaxEntries; a negative value means no limit.
	MaxEntries int
	// MaxBytes is the most bytes read after decompression; past it Parse
	// fails with ErrTooLarge. Zero means DefaultMaxBytes; a negative value
	// means no limit.
	MaxBytes int64
}

// Parse reads one sitemap from r with the default Options. sitemapURL is
// where the sitemap was fetched from; relative locations are resolved
// against it (an empty or unreadable sitemapURL leaves relative locations
// unresolvable, so they are skipped).
func Parse(r io.Reader, sitemapURL string) (*Sitemap, error) {
	return Options{}.Parse(r, sitemapURL)
}

// Parse reads one sitemap from r within the limits of o; see the package
// documentation for what is accepted and returned.
//
// A sitemap cut off mid-document (it ends inside an element, or its gzip
// stream ends early) is read up to its last complete entry, with
// Sitemap.Cut set, rather than failing whole. A cut plain-text list
// cannot be told from a whole one unless it is compressed; the caller
// knows from the transfer whether the body arrived whole.
func (o Options) Parse(r io.Reader, sitemapURL string) (*Sitemap, error) {
	sm, err := o.parse(r, sitemapURL)
	if err != nil {
		return nil, fmt.Errorf("parse sitemap %s: %w", sitemapURL, err)
	}
	return sm, nil
}

func (o Options) parse(r io.Reader, sitemapURL string) (*Sitemap, error) {
	maxEntries := o.MaxEntries
	if maxEntries == 0 {
		maxEntries = DefaultMaxEntries
	}
	maxBytes := o.MaxBytes
	if maxBytes == 0 {
		maxBytes = DefaultMaxBytes
	}

	br := bufio.NewReader(r)
	magic, _ := br.Peek(2)
	var src io.Reader = br
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		src = zr
	}
	capped := &capReader{r: src, left: maxBytes, unlimited: maxBytes < 0}
	in := bufio.NewReader(capped)

	p := &parser{
		base:       canon.ParseBase(sitemapURL),
		maxEntries: maxEntries,
		sm:         &Sitemap{},
		seen:       make(map[string]struct{}),
	}
	err := p.run(in)
	if capped.over {
		return nil, fmt.Errorf("more than %d bytes decompressed: %w", maxBytes, ErrTooLarge)
	}
	if err != nil {
		return nil, err
	}
	return p.sm, nil
}

// capReader reads at most left bytes from r and records whether the input
// went on past that. Recording it lets Parse report ErrTooLarge whatever
// the XML decoder or a charset transformer made of the read error.
type capReader struct {
	r         io.Reader
	left      int64
	unlimited bool
	over      bool
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.unlimited {
		return c.r.Read(p)
	}
	if c.over {
		return 0, ErrTooLarge
	}
	if c.left <= 0 {
		var one [1]byte
		n, err := io.ReadFull(c.r, one[:])
		if n > 0 {
			c.over = true
			return 0, ErrTooLarge
		}
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

type parser struct {
	base       *url.URL
	maxEntries int
	sm         *Sitemap
	seen       map[string]struct{}
}

// run decides between XML and plain text by the first significant byte
// and reads the rest accordingly.
func (p *parser) run(in *bufio.Reader) error {
	var src io.Reader = in
	transcoded := false
	head, err := in.Peek(3)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return fmt.Errorf("read: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xef, 0xbb, 0xbf}):
		in.Discard(3)
	case bytes.HasPrefix(head, []byte{0xfe, 0xff}), bytes.HasPrefix(head, []byte{0xff, 0xfe}):
		// encoding/xml reads ASCII-compatible encodings only; turn UTF-16
		// into UTF-8 here and ignore the label the header then declares.
		dec := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()
		src = transform.NewReader(in, dec)
		transcoded = true
	}
	if !transcoded {
		if prolog, _ := in.Peek(512); strayutf8.MeantAsUTF8(prolog) {
			src = transform.NewReader(in, strayutf8.Transformer{})
		}
	}
	br := bufio.NewReader(src)
	first, err := firstSignificant(br)
	if err == io.EOF {
		return fmt.Errorf("empty input: %w", ErrNotSitemap)
	}
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if first == '<' {
		return p.xml(br, transcoded)
	}
	return p.text(br)
}

// firstSignificant returns the first byte that is not whitespace, without
// consuming it.
func firstSignificant(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		}
		br.UnreadByte()
		return b, nil
	}
}

// Element positions, by depth below the document root (the root is 1).
const (
	depthRoot  = 1
	depthEntry = 2 // <url>, <sitemap>
	depthField = 3 // <loc>, <lastmod>, <news:news>, <image:image>
	depthExt   = 4 // <news:title>, <image:loc>, <news:publication>
	depthPub   = 5 // <news:name>, <news:language>
)

// field says which value the text being collected belongs to.
type field int

const (
	fieldNone field = iota
	fieldLoc
	fieldLastMod
	fieldNewsName
	fieldNewsLang
	fieldNewsDate
	fieldNewsTitle
	fieldNewsKeywords
	fieldImageLoc
)

// entry is the <url> or <sitemap> being read.
type entry struct {
	loc, lastmod string
	news         *newsText
	images       []string
}

type newsText struct {
	name, lang, date, title, keywords string
}

func (p *parser) xml(r io.Reader, transcoded bool) error {
	d := xml.NewDecoder(r)
	// Non-strict: sitemaps in the wild carry raw "&" in query strings and
	// HTML entities; truncated documents and unclosed elements still fail.
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		if transcoded {
			return in, nil
		}
		out, err := charset.NewReaderLabel(label, in)
		if err != nil {
			return in, nil // unknown label: read as UTF-8
		}
		return out, nil
	}

	var (
		depth   int
		inNews  bool // inside <news:news>
		inPub   bool // inside <news:publication>
		inImage bool // inside <image:image>
		cur     *entry
		want    field
		text    []byte
		entryEl string // "url" or "sitemap"
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if depth == 0 && entryEl == "" {
				return fmt.Errorf("no root element: %w", ErrNotSitemap)
			}
			return nil
		}
		if err != nil {
			if entryEl != "" && isCut(err) {
				// The entry being read when the document stopped is
				// dropped: its <loc> may itself be cut short.
				if len(p.sm.URLs)+len(p.sm.Sitemaps)+p.sm.Skipped == 0 {
					return fmt.Errorf("xml: cut off before its first complete entry: %w", err)
				}
				p.sm.Cut = true
				return nil
			}
			return fmt.Errorf("xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			name := strings.ToLower(t.Name.Local)
			switch depth {
			case depthRoot:
				switch name {
				case "urlset":
					entryEl = "url"
				case "sitemapindex":
					entryEl = "sitemap"
					p.sm.Index = true
				default:
					return fmt.Errorf("root element <%s>: %w", t.Name.Local, ErrNotSitemap)
				}
			case depthEntry:
				if name == entryEl {
					cur = &entry{}
				}
			case depthField:
				if cur == nil {
					break
				}
				switch name {
				case "loc":
					want = fieldLoc
				case "lastmod":
					want = fieldLastMod
				case "news":
					if entryEl == "url" {
						inNews = true
						if cur.news == nil {
							cur.news = &newsText{}
						}
					}
				case "image":
					inImage = entryEl == "url"
				}
			case depthExt:
				switch {
				case inNews:
					switch name {
					case "publication":
						inPub = true
					case "publication_date":
						want = fieldNewsDate
					case "title":
						want = fieldNewsTitle
					case "keywords":
						want = fieldNewsKeywords
					}
				case inImage && name == "loc":
					want = fieldImageLoc
				}
			case depthPub:
				if inPub {
					switch name {
					case "name":
						want = fieldNewsName
					case "language":
						want = fieldNewsLang
					}
				}
			}
			text = text[:0]

		case xml.CharData:
			if want != fieldNone && len(text)+len(t) <= maxTextLen {
				text = append(text, t...)
			}

		case xml.EndElement:
			if want != fieldNone && cur != nil {
				p.set(cur, want, string(text))
				want = fieldNone
			}
			switch depth {
			case depthEntry:
				if cur != nil {
					if !p.add(cur) {
						p.sm.Truncated = true
						return nil
					}
					cur = nil
				}
			case depthField:
				inNews, inImage = false, false
			case depthExt:
				inPub = false
			}
			depth--
		}
	}
}

// set stores collected text in the entry's field.
func (p *parser) set(e *entry, f field, s string) {
	switch f {
	case fieldLoc:
		e.loc = s
	case fieldLastMod:
		e.lastmod = s
	case fieldImageLoc:
		e.images = append(e.images, s)
	case fieldNewsName, fieldNewsLang, fieldNewsDate, fieldNewsTitle, fieldNewsKeywords:
		if e.news == nil {
			return
		}
		switch f {
		case fieldNewsName:
			e.news.name = s
		case fieldNewsLang:
			e.news.lang = s
		case fieldNewsDate:
			e.news.date = s
		case fieldNewsTitle:
			e.news.title = s
		case fieldNewsKeywords:
			e.news.keywords = s
		}
	}
}

// add turns a finished entry into a Ref or URL. It reports false when the
// entry cap is reached and reading should stop.
func (p *parser) add(e *entry) bool {
	loc, ok := canon.Resolve(p.base, e.loc)
	if !ok {
		p.sm.Skipped++
		return true
	}
	if _, dup := p.seen[loc]; dup {
		p.sm.Skipped++
		return true
	}
	if p.maxEntries > 0 && len(p.sm.URLs)+len(p.sm.Sitemaps) >= p.maxEntries {
		return false
	}
	p.seen[loc] = struct{}{}
	if p.sm.Index {
		p.sm.Sitemaps = append(p.sm.Sitemaps, Ref{Loc: loc, LastMod: parseDate(e.lastmod)})
		return true
	}
	u := URL{Loc: loc, LastMod: parseDate(e.lastmod)}
	for _, img := range e.images {
		if abs, ok := canon.Resolve(p.base, img); ok && !contains(u.ImageLocs, abs) {
			u.ImageLocs = append(u.ImageLocs, abs)
		}
	}
	if n := e.news; n != nil {
		u.News = &News{
			PublicationName: clean(n.name),
			Language:        clean(n.lang),
			PublicationDate: parseDate(n.date),
			Title:           clean(n.title),
			Keywords:        splitKeywords(n.keywords),
		}
	}
	p.sm.URLs = append(p.sm.URLs, u)
	return true
}

// text reads a plain-text sitemap: one absolute URL per line. Relative
// references are not resolved here, as the protocol requires full URLs and
// a relative-looking line is more likely prose than a path.
func (p *parser) text(br *bufio.Reader) error {
	sawText := false
	for {
		line, err := readLine(br)
		if err != nil && err != io.EOF && isCut(err) {
			// A compressed list that stops early: its last line may be a
			// URL cut short, and is dropped.
			p.sm.Cut = true
			break
		}
		if s := strings.TrimSpace(line); s != "" {
			sawText = true
			loc, ok := canon.Resolve(nil, s)
			_, dup := p.seen[loc]
			switch {
			case !ok || dup:
				p.sm.Skipped++
			case p.maxEntries > 0 && len(p.sm.URLs) >= p.maxEntries:
				p.sm.Truncated = true
				return nil
			default:
				p.seen[loc] = struct{}{}
				p.sm.URLs = append(p.sm.URLs, URL{Loc: loc})
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
	}
	if len(p.sm.URLs) == 0 && sawText {
		return fmt.Errorf("no URL in text: %w", ErrNotSitemap)
	}
	return nil
}

// isCut reports whether err says the input stopped mid-document: the XML
// decoder's "unexpected EOF", or a compressed stream's early end. The size
// cap's ErrTooLarge is not a cut: it is reported as such.
func isCut(err error) bool {
	if errors.Is(err, ErrTooLarge) {
		return false
	}
	var se *xml.SyntaxError
	return errors.Is(err, io.ErrUnexpectedEOF) || (errors.As(err, &se) && se.Msg == "unexpected EOF")
}

// readLine reads one line, keeping at most maxLocLen+1 bytes of it (a
// longer line is not a URL anyway and is skipped by the caller).
func readLine(br *bufio.Reader) (string, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line) <= maxLocLen {
			line = append(line, chunk[:min(len(chunk), maxLocLen+1-len(line))]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return string(line), err
	}
}

// clean trims a text value and folds its internal runs of whitespace.
func clean(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func splitKeywords(s string) []string {
	var out []string
	for k := range strings.SplitSeq(s, ",") {
		if k = clean(k); k != "" && !contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
