package extract

import (
	"net/url"
	"time"

	"golang.org/x/net/html"
)

// metadata is what a page declares about itself, read before (and
// independently of) body extraction.
type metadata struct {
	// Fields of the record: CanonicalURL, Title, Description, Authors,
	// Published, Modified, SiteName, Section, Tags, Language, Image,
	// IsAccessibleForFree. Language is already normalised to BCP 47.
	Title, Description, SiteName, Section, Language, Image, CanonicalURL string
	Authors, Tags                                                       []string
	Published, Modified                                                 time.Time
	IsAccessibleForFree                                                 *bool

	// Sources maps a record field name ("published", "authors", ...) to
	// where its value came from ("json-ld:datePublished", "meta:og:title",
	// "url", "byline", ...).
	Sources map[string]string
	// Notes are remarks for the user (e.g. "json-ld unparsable: ...").
	Notes []string

	// ArticleBody is JSON-LD articleBody (or microdata itemprop=articleBody
	// text), if declared: a body signal, sometimes truncated or wrong.
	ArticleBody string
	// Type is the most specific declared page type: a schema.org type from
	// JSON-LD or microdata ("NewsArticle", "WebPage", ...) or else og:type
	// ("article", "website"). Empty when nothing is declared.
	Type string
	// BylineNodes are the elements identified as visible bylines or
	// datelines; body extraction drops them from the text.
	BylineNodes []*html.Node
}

// readMetadata reads every metadata source of doc. page is the page URL
// (may be nil); now bounds plausible dates (dates after it are rejected).
func readMetadata(doc *html.Node, page *url.URL, now time.Time) *metadata {
	return &metadata{Sources: map[string]string{}}
}
