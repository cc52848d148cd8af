package harvest

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// MinSourceInterval and MaxSourceInterval bound a source's re-poll
// interval (zero means the harvester's default), wherever a source is
// added: the API, the web form and herald source add, which all say "want
// 0 (the default) or MIN to MAX". More often than a minute is
// impolite (herald harvest --watch polled a sitemap 26 times in 12 s at
// 1ms), and a month covers any archive that is still being harvested.
const (
	MinSourceInterval = time.Minute
	MaxSourceInterval = 31 * 24 * time.Hour
)

// DuplicateSourceError refuses a source whose URL is, by canon.SourceKey, the
// URL of a source the archive has already: added, it would be polled
// twice a cycle. It matches store.ErrConflict, as the store's own refusal
// of an identical URL does (the API answers 409).
type DuplicateSourceError struct {
	// URL is the URL that was to be added.
	URL string
	// Existing is the source that has it already.
	Existing *store.Source
}

func (e *DuplicateSourceError) Error() string {
	if e.Existing.URL == e.URL {
		return fmt.Sprintf("source %s exists already (source %d)", e.URL, e.Existing.ID)
	}
	return fmt.Sprintf("source %s exists already as source %d, %s", e.URL, e.Existing.ID, e.Existing.URL)
}

// Is makes the error match store.ErrConflict.
func (e *DuplicateSourceError) Is(target error) bool { return target == store.ErrConflict }

// CheckNewSource returns a *DuplicateSourceError when st has a source
// whose URL has the same canon.SourceKey as raw. Sources added before this
// check, duplicates among them included, are left as they are. The
// sources are read in full: an archive has tens or hundreds of them, and
// the store offers no lookup by key.
func CheckNewSource(ctx context.Context, st store.Store, raw string) error {
	srcs, err := st.ListSources(ctx)
	if err != nil {
		return err
	}
	key := canon.SourceKey(raw)
	for _, s := range srcs {
		if canon.SourceKey(s.URL) == key {
			return &DuplicateSourceError{URL: raw, Existing: s}
		}
	}
	return nil
}

// SourceArticles counts the archived articles on src's host and its
// subdomains, as site: with the host of its URL finds them (up to
// store.MaxTotal; capped reports more): the archive files articles by
// site, not by the source that found them. herald source list, the
// sources API and the sources page all show this count.
func SourceArticles(ctx context.Context, st store.Store, src *store.Source) (n int, capped bool, err error) {
	u, err := url.Parse(src.URL)
	if err != nil || u.Hostname() == "" {
		return 0, false, nil
	}
	// Through the parser, as a user's site: is: an internationalised
	// host becomes the punycode the archive files hosts under.
	q, err := query.Parse(`site:"` + strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.") + `"`)
	if err != nil {
		return 0, false, nil // not a host site: can name
	}
	res, err := st.Search(ctx, q, store.SearchOptions{Limit: 1, Sort: query.SortNewest})
	if err != nil {
		return 0, false, fmt.Errorf("source %d: %w", src.ID, err)
	}
	return res.Total, res.TotalCapped, nil
}
