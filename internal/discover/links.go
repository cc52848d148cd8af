// Package discover holds the pure helpers of a site crawl: it extracts the
// links of an HTML page (Links), keeps a crawl within its site (InScope),
// and guesses from a URL's shape alone whether it leads to an article or to
// a listing, section, tag, author, search or pagination page, or to an
// asset (LooksLikeArticle).
//
// Everything here works on bytes and strings and returns values: no
// fetching, no frontier, no depth or page-count bookkeeping, no robots.txt;
// those belong to the harvester that calls these helpers.
//
// LooksLikeArticle sees only the URL. Whether the page behind it really is
// an article (article metadata such as og:type=article or a JSON-LD
// NewsArticle, a headline, a body of several paragraphs, a publication
// date) can only be told after fetching and extracting it, so that check
// belongs to the harvester, which has the extraction result. A crawl uses
// LooksLikeArticle to decide what to fetch first and what to only follow
// for links, not to decide what to store.
package discover

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"

	"github.com/herald-archive/herald/internal/canon"
)

// maxTextLen caps a link's anchor text, in bytes.
const maxTextLen = 512

// Link is one outgoing link of a page.
type Link struct {
	// URL is absolute http(s), without fragment.
	URL string
	// Text is the anchor text with whitespace folded; for a link without
	// text, an image's alt text or the link's aria-label or title. Capped
	// at 512 bytes.
	Text string
	// Pagination is true for a link to another page of the same listing:
	// rel="next", text such as "Next", "Older posts" or "Page 2", or a URL
	// with a page number (?page=N, ?paged=N, /page/N/).
	Pagination bool
}

// Links returns the links of an HTML page, in document order, each URL
// once. pageURL is where the page was fetched from; a <base href> in the
// page takes precedence, as in a browser.
//
// It reads <a href> and <area href>, and <link rel="next"> (which only
// marks pagination). Links are resolved to absolute URLs and their
// fragments dropped; what is not http or https (javascript:, mailto:,
// tel:, data:, ...) and links back to the page itself are left out. A URL
// linked several times is reported once, at its first place, with the
// first non-empty text, and marked Pagination if any of its links is.
func Links(page []byte, pageURL string) []Link {
	type raw struct {
		href, text string
		pagination bool
	}
	var (
		links    []raw
		baseHref string
		open     = -1 // index in links of the <a> being read, -1 if none
		text     []byte
		fallback string // alt, aria-label or title of the open link
	)
	closeLink := func() {
		if open < 0 {
			return
		}
		t := fold(string(text))
		if t == "" {
			t = fold(fallback)
		}
		links[open].text = truncate(t, maxTextLen)
		if isPaginationText(t) {
			links[open].pagination = true
		}
		open, text, fallback = -1, text[:0], ""
	}

	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		switch tt {
		case html.TextToken:
			if open >= 0 && len(text) < 4*maxTextLen {
				// Raw avoids Text's copy; it differs only by character
				// references, and by newline forms that fold removes.
				if raw := z.Raw(); bytes.IndexByte(raw, '&') < 0 {
					text = append(text, raw...)
				} else {
					text = append(text, z.Text()...)
				}
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "a", "area":
				closeLink() // <a> does not nest
				if !hasAttr {
					continue
				}
				a := attrs(z)
				if !a.hasHref {
					continue
				}
				links = append(links, raw{href: a.href, pagination: hasToken(a.rel, "next")})
				if tt == html.SelfClosingTagToken || string(name) == "area" {
					t := fold(a.alt + " " + a.ariaLabel)
					if t == "" {
						t = fold(a.title)
					}
					links[len(links)-1].text = truncate(t, maxTextLen)
					links[len(links)-1].pagination = links[len(links)-1].pagination || isPaginationText(t)
					continue
				}
				open = len(links) - 1
				fallback = a.ariaLabel
				if fallback == "" {
					fallback = a.title
				}
			case "img":
				if open >= 0 && fallback == "" && hasAttr {
					fallback = attrs(z).alt
				}
			case "link":
				if !hasAttr {
					continue
				}
				a := attrs(z)
				if hasToken(a.rel, "next") && a.href != "" {
					links = append(links, raw{href: a.href, pagination: true})
				}
			case "base":
				if hasAttr && baseHref == "" {
					baseHref = attrs(z).href
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if string(name) == "a" {
				closeLink()
			}
		}
	}
	closeLink()

	base := canon.ParseBase(pageURL)
	self := ""
	if base != nil {
		self, _ = canon.Resolve(nil, base.String())
	}
	if baseHref != "" {
		if b, err := url.Parse(strings.TrimSpace(baseHref)); err == nil {
			if base != nil {
				b = base.ResolveReference(b)
			}
			if b.IsAbs() && b.Host != "" {
				base = b
			}
		}
	}

	var out []Link
	index := make(map[string]int)
	for _, l := range links {
		u, ok := canon.Resolve(base, l.href)
		if !ok || u == self {
			continue
		}
		pagination := l.pagination || isPaginationURL(u)
		if i, dup := index[u]; dup {
			if out[i].Text == "" {
				out[i].Text = l.text
			}
			out[i].Pagination = out[i].Pagination || pagination
			continue
		}
		index[u] = len(out)
		out = append(out, Link{URL: u, Text: l.text, Pagination: pagination})
	}
	return out
}

// paginationWords are anchor texts (lower case, arrows and punctuation
// removed) that lead to the next or an older page of a listing, in the
// languages Herald meets most.
var paginationWords = map[string]bool{
	"next": true, "next page": true, "next articles": true, "next stories": true,
	"older": true, "older posts": true, "older entries": true, "older articles": true,
	"older stories": true, "older news": true, "previous posts": true, "previous entries": true,
	"more articles": true, "more stories": true, "more news": true, "load more": true, "show more": true,
	"suivant": true, "suivante": true, "page suivante": true, "weiter": true, "nächste": true,
	"nächste seite": true, "siguiente": true, "página siguiente": true, "successiva": true,
	"successivo": true, "próxima": true, "próxima página": true, "volgende": true, "nästa": true,
	"следующая": true, "следующая страница": true, "далее": true, "дальше": true, "ещё": true,
	"次へ": true, "次のページ": true, "下一页": true, "다음": true,
}

var pageNumberText = regexp.MustCompile(`^(page|p\.|seite|página|pagina|страница) ?\d+$`)

// isPaginationText reports whether folded anchor text names another page
// of a listing. A bare number ("2") is not enough on its own: it is as
// often a comment count; such links are caught by their URL.
func isPaginationText(t string) bool {
	t = strings.ToLower(strings.TrimFunc(t, func(r rune) bool {
		return strings.ContainsRune(" »«›‹→←>< .…:|-–—", r)
	}))
	return paginationWords[t] || pageNumberText.MatchString(t)
}

var pagePath = regexp.MustCompile(`(?i)/page/\d+/?$`)

// isPaginationURL reports whether an absolute URL is a numbered page of a
// listing: /page/N at the end of the path, or a page, paged or pg query
// parameter with a number.
func isPaginationURL(s string) bool {
	ls := strings.ToLower(s)
	if !strings.Contains(ls, "page") && !strings.Contains(ls, "pg=") {
		return false // cheap test first: most links are not paginated
	}
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	if pagePath.MatchString(u.Path) {
		return true
	}
	for k, vs := range u.Query() {
		switch strings.ToLower(k) {
		case "page", "paged", "pg":
			for _, v := range vs {
				if v != "" && strings.Trim(v, "0123456789") == "" {
					return true
				}
			}
		}
	}
	return false
}

// tagAttrs are the attributes Links reads.
type tagAttrs struct {
	href, rel, alt, title, ariaLabel string
	hasHref                          bool
}

// attrs reads the current tag's attributes that Links uses (keys are
// lower-cased by the tokenizer); the first of repeated attributes wins, as
// in a browser. Only those values are copied out of the tokenizer.
func attrs(z *html.Tokenizer) tagAttrs {
	var a tagAttrs
	var seen uint8
	for {
		k, v, more := z.TagAttr()
		var bit uint8
		var dst *string
		switch string(k) {
		case "href":
			bit, dst = 1, &a.href
			a.hasHref = true
		case "rel":
			bit, dst = 2, &a.rel
		case "alt":
			bit, dst = 4, &a.alt
		case "title":
			bit, dst = 8, &a.title
		case "aria-label":
			bit, dst = 16, &a.ariaLabel
		}
		if dst != nil && seen&bit == 0 {
			seen |= bit
			*dst = string(v)
		}
		if !more {
			return a
		}
	}
}

// hasToken reports whether the space-separated list s holds tok, ignoring
// case.
func hasToken(s, tok string) bool {
	for _, f := range strings.Fields(s) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

// fold trims s and folds its runs of whitespace into single spaces.
func fold(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
