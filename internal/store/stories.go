package store

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/query"
)

// Story is a near-duplicate cluster among the articles matching a query:
// one story carried by more than one article (syndicated, copied,
// lightly edited). Who ran a story first, how far and how long it
// spread, is what researchers of syndication and disinformation ask.
type Story struct {
	// Cluster is the cluster's id (that of its first stored article).
	Cluster string `json:"cluster"`
	// Articles counts the cluster's articles that match the query, Sites
	// the sites they are on.
	Articles int `json:"articles"`
	Sites    int `json:"sites"`
	// First is the earliest dated of them; of several dated alike (a wire
	// story run at the same minute, copies without a date of their own
	// filed under their fetch time), the one archived first (the lowest
	// row number: the order the archive stored them in). Last is the date
	// of the latest.
	First StoryArticle `json:"first"`
	Last  time.Time    `json:"last"`
}

// StoryArticle names an article of a story.
type StoryArticle struct {
	ID    string    `json:"id"`
	Title string    `json:"title"`
	Site  string    `json:"site"`
	URL   string    `json:"url"`
	Date  time.Time `json:"date"`
	// OriginalURL is the original the article names (Record.OriginalURL):
	// when the first archived article of a story is a declared copy, the
	// story began elsewhere, at an original the archive does not hold.
	OriginalURL string `json:"original_url,omitempty"`
}

// StoryLister is a backend that lists the stories among a query's
// matches that the most articles carry (both backends).
type StoryLister interface {
	// TopStories returns at most n (1..MaxLimit) stories of more than one
	// matching article, in StoryOrder.
	TopStories(ctx context.Context, q *query.Query, n int) ([]Story, error)
}

// StoryOrder orders stories: most articles first, then most sites, the
// earliest first article, and the cluster id.
func StoryOrder(a, b Story) int {
	return cmp.Or(cmp.Compare(b.Articles, a.Articles), cmp.Compare(b.Sites, a.Sites),
		a.First.Date.Compare(b.First.Date), strings.Compare(a.Cluster, b.Cluster))
}

// SortStories sorts stories in StoryOrder and keeps the first n.
func SortStories(stories []Story, n int) []Story {
	slices.SortFunc(stories, StoryOrder)
	return stories[:min(n, len(stories))]
}
