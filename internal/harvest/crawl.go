package harvest

import (
	"errors"
	"strings"

	"github.com/herald-archive/herald/internal/feed"
	"github.com/herald-archive/herald/internal/fetch"
)

// TEMPORARY adapters until internal/discover lands.

func (r *run) crawlLinks(resp *fetch.Response, c crawl) []link { return nil }

func inScope(seedURL, u string) bool { return hostOf(seedURL) == hostOf(u) }

func discoverFeeds(resp *fetch.Response) []string { return nil }

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
	links := make([]link, 0, len(f.Items))
	for _, it := range f.Items {
		links = append(links, link{url: it.URL, sourceID: p.sourceID(), hint: &hint{
			source:      p.sourceURL(),
			title:       it.Title,
			description: it.Summary,
			authors:     it.Authors,
			tags:        it.Tags,
			published:   it.Published,
		}})
	}
	p.sendLinks(links)
}

func looksLikeArticle(u string) bool { return strings.HasSuffix(u, ".html") }
