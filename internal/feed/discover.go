package feed

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"

	"github.com/herald-archive/herald/internal/canon"
)

// feedTypes are the <link type> values that announce a feed. Compared
// case-insensitively, parameters such as "; charset=utf-8" ignored.
var feedTypes = map[string]bool{
	"application/rss+xml":   true,
	"application/atom+xml":  true,
	"application/feed+json": true,
	"application/json":      true,
}

// Discover returns the feeds an HTML page announces, as absolute URLs
// without fragments, in document order, without repeats. pageURL is where
// the page was fetched from; a <base href> in the page takes precedence, as
// in a browser.
//
// First come the <link rel="alternate"> elements whose type is RSS, Atom,
// JSON Feed or plain JSON. WordPress also announces its REST API as
// rel="alternate" type="application/json" on every page; such links (a
// /wp-json/ path or a rest_route query) are left out.
//
// Then, as a conservative fallback for sites that only link their feed
// from the page body, <a href> links whose path ends in /feed or /rss (with
// or without a trailing slash), .rss or .atom, or ends in .xml and
// contains "rss", "feed" or "atom" (so /rss.xml and /feeds/news.xml, not
// /sitemap.xml). These are guesses: the caller should still Parse what it
// fetches and drop what is ErrNotFeed.
//
// Discover does not fetch anything, does not guess well-known paths that
// the page does not link, and does not judge whether a feed is the site's
// main one: callers usually take the first.
func Discover(page []byte, pageURL string) []string {
	var announced, linked []string
	var baseHref string
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if !hasAttr {
			continue
		}
		switch string(name) {
		case "base":
			if href, ok := attrs(z)["href"]; ok && baseHref == "" {
				baseHref = href
			}
		case "link":
			a := attrs(z)
			if hasToken(a["rel"], "alternate") && feedTypes[mediaType(a["type"])] && !isWPJSON(a["href"]) {
				announced = append(announced, a["href"])
			}
		case "a":
			if href := attrs(z)["href"]; looksLikeFeedLink(href) {
				linked = append(linked, href)
			}
		}
	}

	base := canon.ParseBase(pageURL)
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
	var out []string
	seen := make(map[string]struct{})
	for _, href := range append(announced, linked...) {
		u, ok := canon.Resolve(base, href)
		if !ok {
			continue
		}
		if _, dup := seen[u]; dup {
			continue
		}
		seen[u] = struct{}{}
		out = append(out, u)
	}
	return out
}

// attrs returns the current tag's attributes, keys lower-cased by the
// tokenizer; the first of repeated attributes wins, as in a browser.
func attrs(z *html.Tokenizer) map[string]string {
	m := make(map[string]string, 4)
	for {
		k, v, more := z.TagAttr()
		if _, dup := m[string(k)]; !dup {
			m[string(k)] = string(v)
		}
		if !more {
			return m
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

// mediaType lower-cases a type attribute and drops its parameters.
func mediaType(s string) string {
	s, _, _ = strings.Cut(s, ";")
	return strings.ToLower(strings.TrimSpace(s))
}

func isWPJSON(href string) bool {
	h := strings.ToLower(href)
	return strings.Contains(h, "/wp-json/") || strings.Contains(h, "rest_route=")
}

// looksLikeFeedLink applies the <a href> fallback rule to a raw href.
func looksLikeFeedLink(href string) bool {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	p := strings.ToLower(strings.TrimSuffix(u.Path, "/"))
	for _, suffix := range []string{"/feed", "/rss", ".rss", ".atom"} {
		if strings.HasSuffix(p, suffix) {
			return true
		}
	}
	if strings.HasSuffix(p, ".xml") {
		return strings.Contains(p, "rss") || strings.Contains(p, "feed") || strings.Contains(p, "atom")
	}
	return false
}
