package store

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/query"
)

// Highlight markers around matched words in Hit.Snippet. They are control
// characters that never occur in stored text (ingest strips them), so a UI
// can escape the snippet for HTML first and then replace the markers with
// <mark> and </mark> safely. SnippetParts does the splitting for templates.
const (
	HighlightStart = "\x02"
	HighlightEnd   = "\x03"
)

// Search limits.
const (
	DefaultLimit = 20
	MaxLimit     = 1000
)

// SearchOptions shape a Search. The zero value means: sort as the query
// says, else by relevance when it has words, else newest first; 20 hits
// from the first.
type SearchOptions struct {
	// Sort is used when the query itself has no sort:.
	Sort query.Sort
	// Limit is the page size: 0 means DefaultLimit; above MaxLimit is
	// ErrInvalid.
	Limit int
	// Offset skips that many hits (or clusters when collapsing).
	Offset int
	// Collapse returns one hit per near-duplicate cluster: the best
	// ranked member (ties broken as the result order breaks them), with
	// Duplicates counting the others that also match (among the
	// RankWindow ranked, for a query of words alone by relevance).
	Collapse bool
}

// CheckN checks how many results a caller asks Top, TopStories or
// NamingOriginal for: 1 to MaxLimit, else ErrInvalid.
func CheckN(n int) error {
	if n <= 0 || n > MaxLimit {
		return fmt.Errorf("%w n %d: want 1..%d", ErrInvalid, n, MaxLimit)
	}
	return nil
}

// Normalize applies the defaults to o for query q and checks it; backends
// call it first so that they all agree.
func (o SearchOptions) Normalize(q *query.Query) (SearchOptions, error) {
	if q.Sort != query.SortDefault {
		o.Sort = q.Sort
	}
	if o.Sort == query.SortDefault || o.Sort == query.SortRelevance && !q.Ranked() {
		// Nothing to rank by: no words, or words only under an OR
		// with a filter.
		o.Sort = query.SortNewest
		if q.Ranked() {
			o.Sort = query.SortRelevance
		}
	}
	switch {
	case o.Limit < 0 || o.Limit > MaxLimit:
		return o, fmt.Errorf("%w limit %d: want 0..%d", ErrInvalid, o.Limit, MaxLimit)
	case o.Offset < 0:
		return o, fmt.Errorf("%w offset %d", ErrInvalid, o.Offset)
	case o.Limit == 0:
		o.Limit = DefaultLimit
	}
	return o, nil
}

// Counting and ranking limits, the same for every backend. Without them a
// very common word on a large archive would cost a score (and a count) for
// hundreds of thousands of articles on every page.
const (
	// MaxTotal is where counting stops: a Total of MaxTotal with
	// TotalCapped set means "at least".
	MaxTotal = 100_000
	// RankWindow is how many matches relevance ranking considers for a
	// query of words alone: the most recently archived ones. Queries with
	// fewer matches, queries with filters and sorting by date see every
	// match. (5,000 until December 2026: scoring a match costs a lookup of
	// its field lengths, and 5,000 of them were a third of a common word's
	// search on a million articles.)
	RankWindow = 2_000
)

// SearchResult is one page of hits.
type SearchResult struct {
	// Total counts the matching articles (clusters when collapsing), up
	// to MaxTotal.
	Total int `json:"total"`
	// TotalCapped reports that counting stopped at MaxTotal.
	TotalCapped bool `json:"total_capped,omitempty"`
	// Reach, when not zero, is how many hits paging can reach: for a
	// query of words alone ranked by relevance, the matches in the rank
	// window (RankWindow), or the clusters among them when collapsing,
	// which may be fewer than Total. Zero: every hit Total counts can
	// be paged to.
	Reach int   `json:"-"`
	Hits  []Hit `json:"hits"`
}

// Pageable returns how many hits paging can reach: Total, or Reach when
// that is smaller.
func (r *SearchResult) Pageable() int {
	if r.Reach > 0 {
		return min(r.Total, r.Reach)
	}
	return r.Total
}

// Hit is one search result. Its Record has every field but Text, which
// search does not load; Get fetches the whole record.
type Hit struct {
	Record *Record `json:"record"`
	// Snippet is a short extract of the text (or the description when the
	// text does not match) with matched words between HighlightStart and
	// HighlightEnd; without words in the query, the start of the text.
	Snippet string `json:"snippet"`
	// Score is higher for better matches; its scale is the backend's own
	// and only comparable within one result. Zero when not ranked.
	Score float64 `json:"score"`
	// Duplicates is the number of other cluster members that match, when
	// collapsing.
	Duplicates int `json:"duplicates,omitempty"`
}

// SnippetPart is a piece of a snippet, matched or not.
type SnippetPart struct {
	Text  string
	Match bool
}

// SnippetParts splits a snippet at its highlight markers.
func SnippetParts(s string) []SnippetPart {
	var parts []SnippetPart
	match := false
	for s != "" {
		marker := HighlightStart
		if match {
			marker = HighlightEnd
		}
		i := strings.Index(s, marker)
		if i < 0 {
			i = len(s)
		}
		if i > 0 {
			parts = append(parts, SnippetPart{Text: stripMarkers(s[:i]), Match: match})
		}
		s = s[min(i+len(marker), len(s)):]
		match = !match
	}
	return parts
}

func stripMarkers(s string) string {
	return strings.NewReplacer(HighlightStart, "", HighlightEnd, "").Replace(s)
}

// Interval is a timeline bucket width.
type Interval string

// The timeline intervals. Buckets start at 00:00 UTC; weeks start on
// Monday (ISO 8601).
const (
	Day   Interval = "day"
	Week  Interval = "week"
	Month Interval = "month"
)

// Truncate returns the start of the bucket holding t.
func (i Interval) Truncate(t time.Time) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch i {
	case Week:
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	case Month:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return d
}

// TimelineOptions shape a Timeline.
type TimelineOptions struct {
	// By is the bucket width; "" means Day.
	By Interval
	// Split, when SplitSite, counts each site separately.
	Split TopField
	// Collapse counts stories instead of articles: each near-duplicate
	// cluster once, in the interval of its earliest matching article
	// (split by site: once per site, at that site's earliest).
	Collapse bool
}

// Normalize applies defaults and checks o.
func (o TimelineOptions) Normalize() (TimelineOptions, error) {
	if o.By == "" {
		o.By = Day
	}
	if o.By != Day && o.By != Week && o.By != Month {
		return o, fmt.Errorf("%w interval %q: want day, week or month", ErrInvalid, o.By)
	}
	if o.Split != "" && o.Split != TopSite {
		return o, fmt.Errorf("%w split %q: want site or nothing", ErrInvalid, o.Split)
	}
	return o, nil
}

// Bucket is the count of articles in one interval (and one site when split).
// Timelines hold non-empty buckets only, ordered by Start then Key.
type Bucket struct {
	Start time.Time `json:"start"`
	Key   string    `json:"key,omitempty"`
	Count int       `json:"count"`
	// Of and Share are set by SetShares, never by a Store: Of is the
	// number of all archived articles in the interval (and site, when
	// split by site), and Share is Count/Of.
	Of    int     `json:"of,omitempty"`
	Share float64 `json:"share,omitempty"`
}

// MarshalJSON writes share whenever of is set (a timeline with shares):
// a share of 0, articles in the period but none matching, is a value to
// be read as one, not left out like the shares of a timeline without.
func (b Bucket) MarshalJSON() ([]byte, error) {
	type plain Bucket // without this method
	if b.Of == 0 {
		return json.Marshal(plain(b))
	}
	return json.Marshal(struct {
		plain
		Share float64 `json:"share"`
	}{plain(b), b.Share})
}

// SetShares sets the Of and Share of each of the buckets from all, the
// timeline of every article with the same interval: matched by interval
// and key when bySite (both timelines split by site), by interval alone
// otherwise. It returns buckets with, added in timeline order, a bucket
// of Count 0 for each interval that all has articles in and buckets lack
// (split by site: each interval of a site that buckets have), so that a
// share of 0 (articles, none matching) is told from no bucket (no
// articles archived at all). all is best counted after buckets: articles
// are only added, so Of is then never less than Count; should it be (an
// article re-dated in between), Of is raised to Count.
func SetShares(buckets, all []Bucket, bySite bool) []Bucket {
	type slot struct {
		start time.Time
		key   string
	}
	at := func(b Bucket) slot {
		if bySite {
			return slot{b.Start.UTC(), b.Key}
		}
		return slot{start: b.Start.UTC()}
	}
	of := make(map[slot]int, len(all))
	for _, b := range all {
		of[at(b)] += b.Count
	}
	have, sites := map[slot]bool{}, map[string]bool{}
	out := make([]Bucket, 0, len(buckets))
	for _, b := range buckets {
		b.Of = max(of[at(b)], b.Count)
		b.Share = 0
		if b.Of > 0 {
			b.Share = float64(b.Count) / float64(b.Of)
		}
		have[at(b)], sites[b.Key] = true, true
		out = append(out, b)
	}
	added := false
	for _, b := range all {
		k := at(b)
		if have[k] || (bySite && !sites[b.Key]) {
			continue
		}
		have[k], added = true, true
		z := Bucket{Start: b.Start, Of: of[k]}
		if bySite {
			z.Key = b.Key
		}
		out = append(out, z)
	}
	if added {
		slices.SortStableFunc(out, func(a, b Bucket) int {
			if c := a.Start.Compare(b.Start); c != 0 {
				return c
			}
			return strings.Compare(a.Key, b.Key)
		})
	}
	return out
}

// TopField is a field Top can count.
type TopField string

// The fields Top counts. Sites are host names without "www.";
// languages and sections are counted as stored (a language as a BCP 47
// tag, a section as the page named it), and articles without one are
// not counted. TopOriginal counts the sites that articles name as their
// original (Record.OriginalURL, by SiteHost): which sources the matching
// copies republish; articles that name none are not counted.
const (
	TopSite     TopField = "site"
	TopTag      TopField = "tag"
	TopAuthor   TopField = "author"
	TopLang     TopField = "lang"
	TopSection  TopField = "section"
	TopOriginal TopField = "original"
)

// TopFields are the fields Top counts, in the order help texts list them.
var TopFields = []TopField{TopSite, TopTag, TopAuthor, TopLang, TopSection, TopOriginal}

// TopFieldList names the fields Top counts for messages and help texts:
// "site, tag, author, lang, section or original".
func TopFieldList() string {
	names := make([]string, len(TopFields))
	for i, f := range TopFields {
		names[i] = string(f)
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Valid reports whether Top counts f.
func (f TopField) Valid() bool { return slices.Contains(TopFields, f) }

// SiteHost is the site a URL is on, as Top and site: name it: the host in
// lower case, without "www." or a port; "" when raw has no host.
func SiteHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// Count is a value and how many articles have it.
type Count struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// Stats describes the archive.
type Stats struct {
	// Articles counts current records; Versions the earlier versions kept.
	Articles int `json:"articles"`
	Versions int `json:"versions"`
	// Clusters counts near-duplicate clusters with more than one member;
	// Duplicates the articles in them beyond the first.
	Clusters   int `json:"clusters"`
	Duplicates int `json:"duplicates"`
	Sites      int `json:"sites"`
	Sources    int `json:"sources"`
	// Withheld counts the articles kept out (store.Withholder).
	Withheld int `json:"withheld"`
	// Oldest and Newest are the range of article dates.
	Oldest time.Time `json:"oldest,omitzero"`
	Newest time.Time `json:"newest,omitzero"`
	// TextBytes is the total size of the current articles' text; Bytes the
	// storage used, as the backend measures it (0 when unknown).
	TextBytes int64 `json:"text_bytes"`
	Bytes     int64 `json:"bytes"`
}
