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
	"errors"
	"time"

	"github.com/herald-archive/herald/article"
)

// Version identifies the extraction logic. Stored records carry it so that
// `herald reextract` can tell which records an upgrade may change. Bump it
// whenever a change alters the output for some page.
const Version = "0.1.0"

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
func Extract(src []byte, opts Options) (*Result, error) {
	return nil, errors.New("not implemented yet")
}
