package harvest

import (
	"errors"

	"github.com/herald-archive/herald/internal/discover"
	"github.com/herald-archive/herald/internal/feed"
	"github.com/herald-archive/herald/internal/fetch"
)

// maxPaginationPages is how many further pages of one listing a site
// crawl follows ("next", "older posts", ?page=N): they keep the listing's
// depth, so without a bound a site's archive pages, or a calendar that
// goes back for ever, were crawled to their end.
const maxPaginationPages = 20

// crawlLinks returns the links of a listing page that a site crawl
// follows: those within the seed's site, article-looking ones first. A
// pagination link continues the same listing and keeps its depth, for at
// most maxPaginationPages pages; at the last depth only links that look
// like articles are queued, since a listing there could not be followed.
func (r *run) crawlLinks(resp *fetch.Response, c crawl) []link {
	var articles, others []link
	x := &hint{}
	if s := r.sources[c.sourceID]; s != nil {
		x.source = s.URL
	} else {
		x.source = c.scope
	}
	for _, l := range discover.Links(resp.Body, resp.URL) {
		if !discover.InScope(l.URL, c.scope, discover.Scope{}) {
			continue
		}
		depth := c.depth + 1
		nx := x
		if l.Pagination {
			if c.pages >= maxPaginationPages {
				continue
			}
			depth = max(c.depth, 1)
			nx = &hint{source: x.source, pages: c.pages + 1}
		}
		art, _ := discover.LooksLikeArticle(l.URL)
		nl := link{url: l.URL, depth: depth, sourceID: c.sourceID, hint: nx}
		switch {
		case art:
			articles = append(articles, nl)
		case depth < r.opts.MaxDepth:
			others = append(others, nl)
		}
	}
	return append(articles, others...)
}

// inScope reports whether a sitemap entry belongs to the site of the
// sitemap (or source) it came from; subdomains of the same registrable
// domain count, as sitemaps list www and bare hosts alike.
func inScope(seedURL, u string) bool {
	return discover.InScope(u, seedURL, discover.Scope{Subdomains: true})
}

// discoverFeeds returns the feeds a page announces.
func discoverFeeds(resp *fetch.Response) []string {
	return feed.Discover(resp.Body, resp.URL)
}

// looksLikeArticle guesses from a URL's shape whether it is an article's.
func looksLikeArticle(u string) bool {
	ok, _ := discover.LooksLikeArticle(u)
	return ok
}

// isFeed reports whether a response parses as a feed.
func isFeed(resp *fetch.Response) bool {
	_, err := feed.Parse(resp.Body, resp.URL)
	return err == nil
}

// feed queues the items of a fetched feed, with the feed's titles, dates,
// authors and tags as fallbacks for what extraction does not find.
func (p *poller) feed(resp *fetch.Response) {
	f, err := feed.Parse(resp.Body, resp.URL)
	if err != nil {
		p.fail(err)
		if errors.Is(err, feed.ErrNotFeed) {
			p.r.send(event{skip: ReasonNotFeed})
		}
		return
	}
	if resp.Cut || f.Cut {
		p.cutOff(resp.URL, "feed", len(f.Items))
	}
	links := make([]link, 0, len(f.Items))
	for _, it := range f.Items {
		links = append(links, link{url: it.URL, sourceID: p.sourceID(), hint: &hint{
			source:      p.sourceURL(),
			title:       it.Title,
			description: it.Summary,
			authors:     it.Authors,
			tags:        it.Tags,
			published:   it.Published,
			item:        true,
		}})
	}
	p.sendLinks(links)
}
