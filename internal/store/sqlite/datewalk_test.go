package sqlite_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// Words sorted by date walk the articles in date order and probe the
// full-text index for each, falling back to sorting every match when the
// walk comes up short. Here the matches of "alpha" are the oldest
// articles, so a walk from the newest finds too few; of "beta", spread
// evenly, so it finds a page. Both plans must give the same pages as
// sorting by hand: by date, ties by id (ids run against archiving order).
func TestWordsByDateWalkAndFallback(t *testing.T) {
	const n = 400
	type art struct {
		id   string
		date time.Time
		text string
	}
	var arts []art
	var entries []store.Entry
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		a := art{id: fmt.Sprintf("d%03d", n-i), text: "gamma"}
		if i%8 < 3 {
			a.text += " alpha"
			a.date = base.Add(time.Duration(i/2) * time.Hour) // ties in pairs
		} else {
			a.date = base.AddDate(1, 0, 0).Add(time.Duration(i/2) * time.Hour)
		}
		if i%3 == 0 {
			a.text += " beta"
		}
		arts = append(arts, a)
		entries = append(entries, store.Entry{Record: &store.Record{ID: a.id, ContentHash: "hash-" + a.id,
			Article: article.Article{URL: "https://example.com/" + a.id, Title: a.id, Text: a.text, Published: a.date}}})
	}
	db := mustOpen(t)
	t.Cleanup(func() { db.Close() })
	storetest.Load(t, db, entries)
	ctx := context.Background()
	for _, word := range []string{"alpha", "beta", "gamma", "nothing"} {
		for _, sort := range []query.Sort{query.SortNewest, query.SortOldest} {
			var want []string
			var matched []art
			for _, a := range arts {
				if containsWord(a.text, word) {
					matched = append(matched, a)
				}
			}
			slices.SortFunc(matched, func(x, y art) int {
				c := x.date.Compare(y.date)
				if sort == query.SortNewest {
					c = -c
				}
				return cmp.Or(c, cmp.Compare(x.id, y.id))
			})
			for _, a := range matched {
				want = append(want, a.id)
			}
			for _, off := range []int{0, 5, 20, 140, 145, 390} {
				res, err := db.Search(ctx, query.MustParse(word), store.SearchOptions{Sort: sort, Offset: off, Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, h := range res.Hits {
					got = append(got, h.Record.ID)
				}
				w := want[min(off, len(want)):min(off+10, len(want))]
				if !slices.Equal(got, w) || res.Total != len(want) {
					t.Errorf("%s sort %v offset %d: got %d %v, want %d %v", word, sort, off, res.Total, got, len(want), w)
				}
			}
		}
	}
}

func containsWord(text, word string) bool {
	return slices.Contains(strings.Fields(text), word)
}
