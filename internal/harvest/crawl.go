package harvest

import (
	"github.com/herald-archive/herald/internal/fetch"
)

// TEMPORARY adapters until internal/feed and internal/discover land.

func (r *run) crawlLinks(resp *fetch.Response, c crawl) []link { return nil }

func inScope(seedURL, u string) bool { return hostOf(seedURL) == hostOf(u) }

func discoverFeeds(resp *fetch.Response) []string { return nil }

func isFeed(resp *fetch.Response) bool { return false }

func (p *poller) feed(resp *fetch.Response) {}
