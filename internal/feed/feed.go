// Package feed reads news feeds (RSS 0.9x, 1.0 and 2.0, Atom, JSON Feed)
// into the list of article links a harvester fetches, and finds the feeds a
// web page announces.
//
// Parse uses github.com/mmcdole/gofeed's universal parser and turns its
// result into Items that are ready to queue: each has one absolute http(s)
// URL, resolved against the feed's URL (and xml:base, which gofeed applies
// first), without its fragment, and no URL appears twice in one Feed. The
// item's own title, dates, authors, summary, tags and image are kept as the
// publisher declared them, so the harvester can fall back on them when the
// article page lacks its own. A feed meant as UTF-8 with a stray byte that
// is not (a legacy CMS's curly quote) is read with that byte taken as
// Windows-1252, rather than rejected whole.
//
// # Choosing an item's URL
//
// The first usable candidate wins: the item's <link> (or JSON Feed url; a
// FeedBurner origLink before the tracking link it replaces), then its other
// links, then its identifier, but only where the identifier is meant to be
// a link: an RSS <guid> not marked isPermaLink="false", or an Atom id or
// JSON Feed id that is itself an absolute http(s) URL. Identifiers are never
// resolved against the feed's URL, since "12345" is not a path. An item with
// no usable candidate is skipped and counted in Feed.Skipped; a later item
// with the URL of an earlier one is dropped and counted in Feed.Duplicates.
//
// # What it deliberately does not do
//
// No fetching, no autodiscovery retries (Parse returns ErrNotFeed and the
// caller decides whether to look for a feed with Discover), no URL
// canonicalisation beyond resolving and dropping fragments, no author-name
// cleanup beyond dropping bare e-mail addresses, no full-content
// extraction: Summary is the declared description as plain text, and the
// article body is the extractor's business.
package feed

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	ext "github.com/mmcdole/gofeed/extensions"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/strayutf8"
)

// ErrNotFeed means the bytes are not a feed at all: an HTML page, a
// sitemap, an empty body, JSON that is not a JSON Feed. The caller may look
// for the page's feeds with Discover. A feed that is recognisably RSS, Atom
// or JSON Feed but broken gives a different error.
var ErrNotFeed = errors.New("not a feed")

// Feed is one parsed feed.
type Feed struct {
	// Title is the feed's title, whitespace folded.
	Title string
	// SiteURL is the absolute URL of the site the feed belongs to (RSS
	// <link>, Atom alternate link, JSON Feed home_page_url), empty if none
	// is declared or usable.
	SiteURL string
	// Items are the feed's entries with a usable URL, in feed order.
	Items []Item
	// Skipped counts entries dropped for lack of a usable http(s) URL.
	Skipped int
	// Duplicates counts entries dropped because an earlier entry had the
	// same URL.
	Duplicates int
	// Cut is set when the document stops mid-way (a download cut short):
	// Items are the complete entries before the cut, and the entries
	// after it are missing. See Parse.
	Cut bool
}

// Item is one feed entry, as the feed declares it.
type Item struct {
	// URL is the entry's absolute http(s) URL, without fragment.
	URL string
	// Title is the entry's title as plain text, whitespace folded.
	Title string
	// Published is the first publication time, zero if not declared or
	// not readable. An Atom entry with only <updated> leaves it zero.
	Published time.Time
	// Updated is the last modification time, zero if not declared or not
	// readable.
	Updated time.Time
	// Authors are the declared authors' names in order, without repeats
	// or bare e-mail addresses.
	Authors []string
	// Summary is the entry's description as plain text, whitespace folded.
	Summary string
	// Tags are the entry's categories and keywords, trimmed, without
	// repeats (compared case-insensitively, first spelling kept).
	Tags []string
	// ImageURL is the entry's lead image as an absolute http(s) URL, empty
	// if none is declared.
	ImageURL string
	// GUID is the entry's identifier as declared (RSS guid, Atom id, JSON
	// Feed id), empty if none.
	GUID string
}

// Parse reads a feed. feedURL is where the feed was fetched from; relative
// links are resolved against it (an empty or unreadable feedURL leaves
// relative links unusable, so their items are skipped).
//
// A feed cut off mid-document (it ends inside an element, or inside its
// JSON) is read up to its last complete entry, with Feed.Cut set; the
// caller should not take it for the whole feed. One cut before its first
// complete entry is an error, as is malformed markup anywhere else.
func Parse(data []byte, feedURL string) (f *Feed, err error) {
	// gofeed is third-party code run on untrusted input: a panic inside it
	// must fail this feed, not the harvest.
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("parse feed %s: parser panic: %v", feedURL, r)
		}
	}()

	p := gofeed.NewParser()
	p.KeepOriginalFeed = true
	// gofeed would build a whole HTML tree of every item's content to find
	// an image; image() scans for one with the tokenizer, and only when the
	// item declares none.
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	data = strayutf8.Fix(data)
	gf, err := p.Parse(bytes.NewReader(data))
	cut := false
	if err != nil && !errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		if fixed, ok := repairCut(data); ok {
			if gf2, err2 := p.Parse(bytes.NewReader(fixed)); err2 == nil {
				gf, err, cut = gf2, nil, true
			}
		}
	}
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return nil, fmt.Errorf("parse feed %s: %w", feedURL, ErrNotFeed)
	}
	if err != nil {
		return nil, fmt.Errorf("parse feed %s: %w", feedURL, err)
	}
	if jf, ok := gf.OriginalFeed().(*jsonfeed.Feed); ok && !isJSONFeed(jf) {
		return nil, fmt.Errorf("parse feed %s: json without a JSON Feed version or items: %w", feedURL, ErrNotFeed)
	}
	f = convert(gf, canon.ParseBase(feedURL))
	f.Cut = cut
	return f, nil
}

// isJSONFeed tells a JSON Feed from any other JSON document, which gofeed
// accepts as an empty feed.
func isJSONFeed(jf *jsonfeed.Feed) bool {
	return strings.Contains(jf.Version, "jsonfeed.org") || len(jf.Items) > 0
}

func convert(gf *gofeed.Feed, base *url.URL) *Feed {
	f := &Feed{Title: cleanText(gf.Title)}
	if site, ok := canon.Resolve(base, gf.Link); ok {
		f.SiteURL = site
	}
	var (
		atomEntries []*atom.Entry
		rssItems    []*rss.Item
		jsonItems   []*jsonfeed.Item
	)
	switch orig := gf.OriginalFeed().(type) {
	case *atom.Feed:
		atomEntries = orig.Entries
	case *rss.Feed:
		rssItems = orig.Items
	case *jsonfeed.Feed:
		jsonItems = orig.Items
	}
	seen := make(map[string]struct{}, len(gf.Items))
	f.Items = make([]Item, 0, len(gf.Items))
	for i, gi := range gf.Items {
		if gi == nil {
			f.Skipped++
			continue
		}
		var it Item
		var candidates []string
		var id string // an identifier that may serve as the URL
		switch {
		case i < len(rssItems) && rssItems[i] != nil:
			ri := rssItems[i]
			candidates = append(candidates, extValue(ri.Extensions, "feedburner", "origLink"), ri.Link)
			candidates = append(candidates, ri.Links...)
			if g := ri.GUID; g != nil && !strings.EqualFold(strings.TrimSpace(g.IsPermalink), "false") {
				id = g.Value
			}
			it.Published = declared(gi.Published, gi.PublishedParsed)
			it.Updated = declared(gi.Updated, gi.UpdatedParsed)
		case i < len(atomEntries) && atomEntries[i] != nil:
			ae := atomEntries[i]
			candidates = append(candidates, extValue(ae.Extensions, "feedburner", "origLink"))
			for _, l := range ae.Links {
				// Alternate links only: an entry's "self" link is its
				// own feed document, "edit" and "replies" are not pages.
				if l != nil && l.Rel == "alternate" {
					candidates = append(candidates, l.Href)
				}
			}
			id = ae.ID
			// gofeed copies <updated> into Published when <published> is
			// missing; a modification time is not a publication time.
			it.Published = declared(ae.Published, ae.PublishedParsed)
			it.Updated = declared(ae.Updated, ae.UpdatedParsed)
		case i < len(jsonItems) && jsonItems[i] != nil:
			ji := jsonItems[i]
			candidates = append(candidates, ji.URL, ji.ExternalURL)
			id = ji.ID
			it.Published = declared(gi.Published, gi.PublishedParsed)
			it.Updated = declared(gi.Updated, gi.UpdatedParsed)
		default:
			candidates = append(candidates, gi.Link)
			candidates = append(candidates, gi.Links...)
			it.Published = declared(gi.Published, gi.PublishedParsed)
			it.Updated = declared(gi.Updated, gi.UpdatedParsed)
		}
		it.URL = pickURL(base, candidates, id)
		if it.URL == "" {
			f.Skipped++
			continue
		}
		if _, dup := seen[it.URL]; dup {
			f.Duplicates++
			continue
		}
		seen[it.URL] = struct{}{}

		it.Title = htmlToText(gi.Title)
		it.GUID = strings.TrimSpace(gi.GUID)
		it.Summary = htmlToText(gi.Description)
		it.Authors = authors(gi)
		it.Tags = tags(gi.Categories)
		it.ImageURL = image(base, gi)
		f.Items = append(f.Items, it)
	}
	return f
}

// pickURL returns the first candidate that resolves to an http(s) URL, or
// else id when it is an absolute http(s) URL by itself.
func pickURL(base *url.URL, candidates []string, id string) string {
	for _, c := range candidates {
		if u, ok := canon.Resolve(base, c); ok {
			return u
		}
	}
	if u, ok := canon.Resolve(nil, id); ok {
		return u
	}
	return ""
}

// authors gathers the item's authors: gofeed's (the first of several
// sources for RSS, all of them for Atom and JSON Feed) and every
// dc:creator, which gofeed reduces to its first.
func authors(gi *gofeed.Item) []string {
	var out []string
	add := func(name string) {
		name = cleanText(name)
		if name == "" || isEmail(name) {
			return
		}
		for _, have := range out {
			if strings.EqualFold(have, name) {
				return
			}
		}
		out = append(out, name)
	}
	for _, p := range gi.Authors {
		if p != nil {
			add(p.Name)
		}
	}
	if dc := gi.DublinCoreExt; dc != nil {
		for _, c := range dc.Creator {
			add(c)
		}
	}
	return out
}

func isEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && !strings.ContainsAny(s, " \t") && strings.Contains(s[at:], ".")
}

// tags trims and dedupes categories; gofeed passes itunes keywords split on
// commas but untrimmed.
func tags(cats []string) []string {
	var out []string
	for _, c := range cats {
		c = htmlToText(c)
		if c == "" {
			continue
		}
		dup := false
		for _, have := range out {
			if strings.EqualFold(have, c) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, c)
		}
	}
	return out
}

// image returns the item's lead image: gofeed's choice (itunes:image, a
// media:content image, an image enclosure), then media:thumbnail,
// media:group images and Atom image enclosures, which gofeed does not look
// at, and last the first <img> of the item's content or description.
func image(base *url.URL, gi *gofeed.Item) string {
	var candidates []string
	if gi.Image != nil {
		candidates = append(candidates, gi.Image.URL)
	}
	media := gi.Extensions["media"]
	candidates = append(candidates, mediaImages(media)...)
	for _, g := range media["group"] {
		candidates = append(candidates, mediaImages(g.Children)...)
	}
	for _, e := range gi.Enclosures {
		if e != nil && strings.HasPrefix(strings.ToLower(e.Type), "image/") {
			candidates = append(candidates, e.URL)
		}
	}
	for _, c := range candidates {
		if u, ok := canon.Resolve(base, c); ok {
			return u
		}
	}
	for _, doc := range []string{gi.Content, gi.Description} {
		if u, ok := canon.Resolve(base, firstImageSrc(doc)); ok {
			return u
		}
	}
	return ""
}

// mediaImages lists Media RSS image URLs: media:content that says it is an
// image (by medium or type) and media:thumbnail.
func mediaImages(media map[string][]ext.Extension) []string {
	var out []string
	for _, c := range media["content"] {
		if strings.Contains(c.Attrs["medium"], "image") || strings.HasPrefix(c.Attrs["type"], "image/") {
			out = append(out, c.Attrs["url"])
		}
	}
	for _, c := range media["thumbnail"] {
		out = append(out, c.Attrs["url"])
	}
	return out
}

func extValue(exts ext.Extensions, space, name string) string {
	for _, e := range exts[space][name] {
		if v := strings.TrimSpace(e.Value); v != "" {
			return v
		}
	}
	return ""
}
