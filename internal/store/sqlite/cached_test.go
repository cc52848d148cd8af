package sqlite

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// Timelines, top sites and top stories counted from the day, site and
// cluster caches (words, after:, before:, site:, split by site) give what
// counting in SQL gives, and queries the caches cannot answer still
// count right.
func TestCachedTimelines(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	g := storetest.NewGenerator(11)
	var entries []store.Entry
	for i := range 3000 {
		e := g.Next()
		// Stories of two and three articles: the cluster of an article
		// stored before.
		if i%10 == 1 || i%30 == 2 {
			e.Record.ClusterID = entries[i-i%10].Record.ID
		}
		entries = append(entries, e)
	}
	storetest.Load(t, db, entries)

	// Words of the first article, and two of its site's names.
	words := strings.Fields(strings.ToLower(entries[0].Record.Title))
	w1, w2 := strings.Trim(words[0], ".,;:'\""), strings.Trim(words[len(words)-1], ".,;:'\"")
	var host, news string
	if err := db.r.QueryRow(`SELECT host FROM sites WHERE host NOT LIKE 'news.%' ORDER BY id LIMIT 1`).Scan(&host); err != nil {
		t.Fatal(err)
	}
	if err := db.r.QueryRow(`SELECT host FROM sites WHERE host LIKE 'news.%' ORDER BY id LIMIT 1`).Scan(&news); err != nil {
		t.Fatal(err)
	}
	queries := []string{
		"", w1, w1 + " " + w2, `"` + w1 + ` ` + w2 + `"`, w1 + " -" + w2, "-" + w1,
		w1 + " after:2021-01-01 before:2022-06-15", "after:2023-02-03", "before:2020-03-01",
		"site:" + host, "site:" + host + " " + w1, "site:" + strings.TrimPrefix(news, "news."),
		"site:" + host + " site:" + news, "site:nowhere.example", "site:" + news + " after:2022-01-01 " + w2,
		w1 + " after:2030-01-01", "(site:" + host + " OR site:" + news + ") " + w1, "lang:en " + w1,
	}
	cached := 0
	for _, s := range queries {
		q, err := query.Parse(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if _, ok, err := keyFilterOf(ctx, db.r, translate(q)); err != nil {
			t.Fatal(err)
		} else if ok {
			cached++
		}
		for _, n := range []int{3, store.MaxLimit} {
			db.sqlTimelines = false
			gotStories, err := db.TopStories(ctx, q, n)
			if err != nil {
				t.Fatalf("%q: top stories: %v", s, err)
			}
			db.sqlTimelines = true
			wantStories, err := db.TopStories(ctx, q, n)
			if err != nil {
				t.Fatalf("%q: top stories in SQL: %v", s, err)
			}
			if !reflect.DeepEqual(gotStories, wantStories) {
				t.Errorf("%q: top %d stories from the caches %d, in SQL %d; first %+v, %+v", s, n,
					len(gotStories), len(wantStories), gotStories[:min(1, len(gotStories))], wantStories[:min(1, len(wantStories))])
			}
			if s == "" && n == store.MaxLimit && len(gotStories) < 10 {
				t.Errorf("the archive has %d stories, want some to compare", len(gotStories))
			}
			db.sqlTimelines = false
			got, err := db.Top(ctx, q, store.TopSite, n)
			if err != nil {
				t.Fatalf("%q: top sites: %v", s, err)
			}
			db.sqlTimelines = true
			want, err := db.Top(ctx, q, store.TopSite, n)
			if err != nil {
				t.Fatalf("%q: top sites in SQL: %v", s, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%q: top %d sites from the caches %v, in SQL %v", s, n, got[:min(len(got), 5)], want[:min(len(want), 5)])
			}
		}
		for _, split := range []store.TopField{"", store.TopSite} {
			for _, by := range []store.Interval{store.Day, store.Week, store.Month} {
				opts := store.TimelineOptions{By: by, Split: split}
				db.sqlTimelines = false
				got, err := db.Timeline(ctx, q, opts)
				if err != nil {
					t.Fatalf("%q %+v: %v", s, opts, err)
				}
				db.sqlTimelines = true
				want, err := db.Timeline(ctx, q, opts)
				if err != nil {
					t.Fatalf("%q %+v in SQL: %v", s, opts, err)
				}
				if len(got) == 0 && len(want) == 0 {
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%q by %s split %q: %d buckets from the caches, %d in SQL; first %+v, %+v",
						s, by, split, len(got), len(want), first(got), first(want))
				}
			}
		}
	}
	if cached != 15 {
		t.Errorf("the caches answer %d of the %d queries, want 15", cached, len(queries))
	}
}

func first(b []store.Bucket) any {
	if len(b) == 0 {
		return nil
	}
	return b[0]
}
