// Package extract turns the HTML of a news page into an article.Article:
// the metadata the page declares (JSON-LD, OpenGraph, meta tags, microdata,
// visible bylines and datelines, the URL) and the article body as clean
// paragraphs, with navigation, teasers, share bars, comments, credits, ads
// and footers removed.
//
// Extract is pure: it does no I/O, keeps no global state and does not log.
// It is safe to call from many goroutines at once. Callers that fetch pages
// (internal/fetch) or read archives (internal/warc) hand it bytes and the
// page URL. Charset decoding happens here, from the Content-Type the caller
// passes, a byte-order mark, a <meta charset> declaration or, failing all
// of those, detection; the output is always valid UTF-8.
package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/canon"
)

// Version identifies the extraction logic. Stored records carry it so that
// `herald reextract` can tell which records an upgrade may change. Bump it
// whenever a change alters the output for some page.
const Version = "0.3.0"

// DefaultMaxBytes is the input size cap used when Options.MaxBytes is zero.
const DefaultMaxBytes = 16 << 20

// Errors returned for input that is not an HTML page. Callers branch on them
// with errors.Is: a harvest records them as "skipped", not as failures.
var (
	ErrEmpty    = errors.New("empty input")
	ErrTooLarge = errors.New("input larger than the size cap")
	ErrNotHTML  = errors.New("input is not HTML")
)

// Options adjust one extraction. The zero value is ready to use.
type Options struct {
	// URL is the page URL, used to resolve relative links, to read dates
	// from the path and as the record's url. Empty means unknown.
	URL string
	// ContentType is the HTTP Content-Type header, if any; its charset
	// parameter takes precedence over in-document declarations.
	ContentType string
	// ContentLanguage is the HTTP Content-Language header, if any.
	ContentLanguage string
	// FetchedAt is when the page was fetched; dates after it are rejected
	// as implausible. Zero means time.Now().
	FetchedAt time.Time
	// MaxBytes caps the input size; 0 means DefaultMaxBytes, negative
	// means no cap.
	MaxBytes int64
	// NoLanguageDetection turns off statistical language detection, which
	// otherwise runs (loading its model on first use) only when the page
	// declares no language.
	NoLanguageDetection bool
}

// Result is the outcome of one extraction.
type Result struct {
	// Article is the extracted record. Its Text may be empty for pages
	// that are not articles (home pages, section listings); Notes says why.
	Article article.Article
	// Sources says, for each metadata field that was filled, where the
	// value came from, e.g. "published": "json-ld:datePublished".
	Sources map[string]string `json:"sources,omitempty"`
	// Notes are remarks about the page a user may want to know, such as
	// "listing page: no article body" or "json-ld unparsable".
	Notes []string `json:"notes,omitempty"`
}

// Extract extracts the article from the HTML page src.
//
// It returns ErrEmpty, ErrTooLarge or ErrNotHTML (wrapped with detail) for
// input that is not a page; any page that parses, however malformed, gives
// a Result. A page that is not an article (a home page, a listing) gives a
// Result whose Article has metadata but an empty Text, with a note saying
// why.
func Extract(src []byte, opts Options) (*Result, error) {
	max := opts.MaxBytes
	if max == 0 {
		max = DefaultMaxBytes
	}
	if max > 0 && int64(len(src)) > max {
		return nil, fmt.Errorf("%w: %d bytes, cap %d", ErrTooLarge, len(src), max)
	}
	if len(bytes.TrimSpace(src)) == 0 {
		return nil, ErrEmpty
	}
	if why := sniffBinary(src); why != "" {
		return nil, fmt.Errorf("%w: %s", ErrNotHTML, why)
	}
	utf, _, err := decodeUTF8(src, opts.ContentType)
	if err != nil {
		return nil, err
	}
	doc, err := parseHTML(utf)
	if err != nil {
		return nil, err
	}
	now := opts.FetchedAt
	if now.IsZero() {
		now = time.Now()
	}
	var page *url.URL
	if opts.URL != "" {
		if u, err := url.Parse(opts.URL); err == nil && u.IsAbs() {
			page = u
		}
	}
	md := readMetadata(doc, page, now)
	res := &Result{Sources: md.Sources, Notes: md.Notes}
	a := &res.Article
	a.URL = opts.URL
	// The canonical URL is normalised (tracking parameters, AMP and print
	// variants, case, ports) and a declared one is used only when it is
	// plausible for the page (same site, not a home or section page, see
	// canon.Choose). Its source names what was used.
	switch {
	case page != nil:
		cu, refused := canon.ChooseWhy(opts.URL, md.CanonicalURL)
		a.CanonicalURL = cu
		if refused != "" {
			// The page URL was used: say so, and what was declared.
			res.Notes = append(res.Notes, fmt.Sprintf("declared canonical URL %s (%s) not followed: %s; canonical_url is the page URL",
				md.CanonicalURL, md.Sources["canonical_url"], refused))
		}
		if refused == canon.RefusedOtherSite {
			// Another site's article: the original this page republishes.
			if ou, err := canon.URL(md.CanonicalURL); err == nil {
				a.OriginalURL = ou
				md.Sources["original_url"] = md.Sources["canonical_url"]
			}
		}
		if refused != "" || md.CanonicalURL == "" {
			md.Sources["canonical_url"] = srcURL
		}
	case md.CanonicalURL != "":
		if cu, err := canon.URL(md.CanonicalURL); err == nil {
			a.CanonicalURL = cu
		}
	}
	if a.CanonicalURL == "" {
		delete(md.Sources, "canonical_url")
	}
	a.Title = md.Title
	a.Description = md.Description
	a.Authors = md.Authors
	a.Published = md.Published
	a.Modified = md.Modified
	a.SiteName = md.SiteName
	a.Section = md.Section
	a.Tags = md.Tags
	a.Language = md.Language
	a.Image = md.Image
	a.IsAccessibleForFree = md.IsAccessibleForFree

	body := extractBody(bodyElement(doc), md)
	a.Text = strings.Join(body.paragraphs, "\n\n")
	a.WordCount = article.CountWords(a.Text)
	if body.note != "" {
		res.Notes = append(res.Notes, body.note)
	}
	if a.Language == "" && opts.ContentLanguage != "" {
		if l := article.NormalizeLanguage(opts.ContentLanguage); l != "" {
			a.Language = l
			setSource(res, "language", "http:content-language")
		}
	}
	if a.Language == "" && !opts.NoLanguageDetection && a.WordCount >= 20 {
		if l := detectLanguage(a.Text); l != "" {
			a.Language = l
			setSource(res, "language", "detected")
		}
	}
	return res, nil
}

func setSource(r *Result, field, src string) {
	if r.Sources == nil {
		r.Sources = map[string]string{}
	}
	r.Sources[field] = src
}

// FromReader reads the page from r, up to the size cap, and extracts it.
func FromReader(r io.Reader, opts Options) (*Result, error) {
	max := opts.MaxBytes
	if max == 0 {
		max = DefaultMaxBytes
	}
	var src []byte
	var err error
	if max > 0 {
		src, err = io.ReadAll(io.LimitReader(r, max+1))
	} else {
		src, err = io.ReadAll(r)
	}
	if err != nil {
		return nil, fmt.Errorf("read page: %w", err)
	}
	return Extract(src, opts)
}

// bodyElement returns the <body> of a parsed document (the parser always
// creates one), or the document itself.
func bodyElement(doc *html.Node) *html.Node {
	for n := doc.FirstChild; n != nil; n = n.NextSibling {
		if n.Type == html.ElementNode && n.DataAtom == atom.Html {
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && c.DataAtom == atom.Body {
					return c
				}
			}
		}
	}
	return doc
}
