package harvest

import (
	"context"
	"errors"
	"fmt"

	"github.com/herald-archive/herald/internal/fetch"
)

// ErrUnknownKind: a URL is neither a feed, a sitemap nor an HTML page.
var ErrUnknownKind = errors.New("not a feed, sitemap or web page")

// DetectKind fetches rawURL once, politely, and says what kind of source it
// is: store.KindList (a plain-text list of page URLs), store.KindSitemap
// (a sitemap or sitemap index), store.KindFeed, or store.KindSite for an
// HTML page. Only the fetch
// fields of opts (user agent, private addresses, timeout, size cap) apply.
// The size cap is that of feeds and pages: a sitemap is read up to the
// sitemap protocol's 50 MiB whatever it is.
func DetectKind(ctx context.Context, rawURL string, opts Options) (string, error) {
	o := opts.withDefaults()
	c := fetch.New(fetch.Options{
		UserAgent:    o.UserAgent,
		AllowPrivate: o.AllowPrivate,
		Timeout:      o.Timeout,
		MaxBodyBytes: o.MaxBodyBytes,
		RetryBackoff: o.RetryBackoff,
	})
	defer c.Close()
	resp, err := c.Fetch(ctx, fetch.Request{URL: rawURL, Accept: fetch.AcceptSource})
	if err != nil {
		return "", fmt.Errorf("detect kind of %s: %w", rawURL, err)
	}
	k, tooLarge := kindOf(resp, bodyCap(o.MaxBodyBytes))
	if tooLarge {
		return "", fmt.Errorf("detect kind of %s: not a sitemap, and larger than %d bytes: %w", rawURL, bodyCap(o.MaxBodyBytes), fetch.ErrTooLarge)
	}
	if k == "" {
		return "", fmt.Errorf("detect kind of %s: %w", rawURL, ErrUnknownKind)
	}
	return k, nil
}

// maxBodyBytes is the size cap of feeds and pages (Options.MaxBodyBytes,
// as the fetcher applies it).
func (h *Harvester) maxBodyBytes() int64 { return bodyCap(h.opts.MaxBodyBytes) }

func bodyCap(n int64) int64 {
	if n <= 0 {
		return fetch.DefaultMaxBodyBytes
	}
	return n
}
