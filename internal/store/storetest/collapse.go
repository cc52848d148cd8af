package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/dedupe"
	"github.com/herald-archive/herald/internal/store"
)

// collapseEntries are three stories: c1, c2 and c3 one cluster, c2
// stored into c1's cluster but dated earlier; d1 and d2 a second
// cluster; solo alone. Each is on a site of its own.
func collapseEntries() []store.Entry {
	wire := "Fishing boats stayed in the harbour for a third day as the storm kept the ferry terminal closed " +
		"and the coastguard warned crews about waves higher than the outer breakwater."
	other := "The city council approved a new night bus line that will run from the port to the hospital " +
		"every half hour, starting in the first week of the new year, the mayor said."
	recs := []struct {
		id, cluster, day, text, title string
	}{
		{"c1", "c1", "2024-03-05", wire, "Storm keeps boats in harbour"},
		{"c2", "c1", "2024-03-04", wire, "Boats stay in port"},
		{"c3", "c1", "2024-03-06", wire, "Storm: day three"},
		{"d1", "d1", "2024-03-01", other, "Night bus approved"},
		{"d2", "d1", "2024-03-02", other, "New night bus"},
		{"solo", "solo", "2024-03-03", "A short note on the weather for the harbour, written once and printed once only, with nothing like it anywhere else at all today.", "Weather note"},
	}
	var entries []store.Entry
	for _, r := range recs {
		url := "https://" + r.id + ".example/story"
		rec := &store.Record{ID: r.id, Article: article.Article{URL: url, CanonicalURL: url, Title: r.title, Language: "en",
			Text: r.text, Published: date(r.day + "T09:00:00Z")}, FetchedAt: date("2024-04-01T00:00:00Z"), ClusterID: r.cluster, Version: 1}
		rec.WordCount = article.CountWords(r.text)
		rec.ContentHash = dedupe.ContentHash(r.text)
		entries = append(entries, store.Entry{Record: rec, Bands: dedupe.Sign(r.text).Bands()})
	}
	return entries
}

// testTimelineCollapsed: a collapsed timeline counts each cluster once,
// on the day of its earliest matching article; split by site, once per
// site (here every article is on a site of its own).
func testTimelineCollapsed(t *testing.T, st store.Store) {
	ctx := context.Background()
	Load(t, st, collapseEntries())
	days := func(q string, opts store.TimelineOptions) string {
		t.Helper()
		bs, err := st.Timeline(ctx, mustParse(t, q), opts)
		if err != nil {
			t.Fatalf("Timeline(%q, %+v): %v", q, opts, err)
		}
		var out []string
		for _, b := range bs {
			out = append(out, fmt.Sprintf("%s%s:%d", b.Start.Format("01-02"), map[bool]string{true: " " + b.Key, false: ""}[b.Key != ""], b.Count))
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		q    string
		opts store.TimelineOptions
		want string
	}{
		{"", store.TimelineOptions{Collapse: true}, "03-01:1,03-03:1,03-04:1"},
		{"", store.TimelineOptions{}, "03-01:1,03-02:1,03-03:1,03-04:1,03-05:1,03-06:1"},
		{"harbour", store.TimelineOptions{Collapse: true}, "03-03:1,03-04:1"},
		{`"storm keeps"`, store.TimelineOptions{Collapse: true}, "03-05:1"},
		{"harbour -site:c2.example", store.TimelineOptions{Collapse: true}, "03-03:1,03-05:1"},
		{"bus", store.TimelineOptions{Collapse: true, By: store.Month}, "03-01:1"},
		{"lang:en", store.TimelineOptions{Collapse: true, By: store.Week}, "02-26:2,03-04:1"},
		{"harbour", store.TimelineOptions{Collapse: true, Split: store.TopSite}, "03-03 solo.example:1,03-04 c2.example:1,03-05 c1.example:1,03-06 c3.example:1"},
	} {
		if got := days(tc.q, tc.opts); got != tc.want {
			t.Errorf("Timeline(%q, %+v) = %s, want %s", tc.q, tc.opts, got, tc.want)
		}
	}
}

// testScanCollapsed: store.ScanCollapsed keeps, of each cluster's
// matching articles, the first in Scan's order (collapseEntries).
func testScanCollapsed(t *testing.T, st store.Store) {
	ctx := context.Background()
	entries := collapseEntries()
	Load(t, st, entries)
	cl, ok := st.(store.ClusterLister)
	if !ok {
		t.Fatal("the backend is not a store.ClusterLister")
	}
	shared, err := cl.SharedClusters(ctx)
	if err != nil || len(shared) != 2 || !shared["c1"] || !shared["d1"] {
		t.Fatalf("SharedClusters = %v, %v; want c1 and d1", shared, err)
	}
	for _, tc := range []struct {
		q       string
		want    []string
		skipped int
	}{
		{"", []string{"d1", "solo", "c2"}, 3},
		{"harbour", []string{"solo", "c2"}, 2},
		{`"storm keeps"`, []string{"c1"}, 0}, // c1 alone matches: it is kept
		{"bus after:2024-03-02", []string{"d2"}, 0},
	} {
		var got []string
		skipped, err := store.ScanCollapsed(ctx, st, mustParse(t, tc.q), func(r *store.Record) error {
			got = append(got, r.ID)
			return nil
		})
		if err != nil || !slices.Equal(got, tc.want) || skipped != tc.skipped {
			t.Errorf("ScanCollapsed(%q) = %v, %d skipped, %v; want %v, %d skipped", tc.q, got, skipped, err, tc.want, tc.skipped)
		}
	}
}

// testTopStories: store.StoryLister lists the clusters of more than one
// matching article, most articles first, each with its earliest matching
// article (collapseEntries).
func testTopStories(t *testing.T, st store.Store) {
	ctx := context.Background()
	Load(t, st, collapseEntries())
	sl, ok := st.(store.StoryLister)
	if !ok {
		t.Fatal("the backend is not a store.StoryLister")
	}
	show := func(stories []store.Story) string {
		var out []string
		for _, s := range stories {
			out = append(out, fmt.Sprintf("%s:%d/%d first %s %s %q %s %s last %s", s.Cluster, s.Articles, s.Sites,
				s.First.ID, s.First.Site, s.First.Title, s.First.URL, s.First.Date.Format("01-02"), s.Last.Format("01-02")))
		}
		return strings.Join(out, "; ")
	}
	c1 := `c1:3/3 first c2 c2.example "Boats stay in port" https://c2.example/story 03-04 last 03-06`
	d1 := `d1:2/2 first d1 d1.example "Night bus approved" https://d1.example/story 03-01 last 03-02`
	for _, tc := range []struct {
		q    string
		n    int
		want string
	}{
		{"", 10, c1 + "; " + d1},
		{"", 1, c1},
		{"harbour", 10, c1},
		{`"storm keeps"`, 10, ""}, // one article of c1 matches: not a story
		{"harbour -site:c2.example", 10, `c1:2/2 first c1 c1.example "Storm keeps boats in harbour" https://c1.example/story 03-05 last 03-06`},
		{"bus after:2024-03-02", 10, ""},
	} {
		stories, err := sl.TopStories(ctx, mustParse(t, tc.q), tc.n)
		if err != nil {
			t.Fatalf("TopStories(%q, %d): %v", tc.q, tc.n, err)
		}
		if got := show(stories); got != tc.want || stories == nil {
			t.Errorf("TopStories(%q, %d) =\n%s\nwant\n%s", tc.q, tc.n, got, tc.want)
		}
	}
	// Ties: as many articles and sites, the earlier first article first.
	stories, err := sl.TopStories(ctx, mustParse(t, "lang:en -site:c3.example"), 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := show(stories), `d1:2/2 first d1 d1.example "Night bus approved" https://d1.example/story 03-01 last 03-02; `+
		`c1:2/2 first c2 c2.example "Boats stay in port" https://c2.example/story 03-04 last 03-05`; got != want {
		t.Errorf("TopStories with a tie =\n%s\nwant\n%s", got, want)
	}
	if stories, err = sl.TopStories(ctx, mustParse(t, "lang:en -site:c3.example"), 1); err != nil || len(stories) != 1 || stories[0].Cluster != "d1" {
		t.Errorf("TopStories with a tie, n=1 = %s, %v; want d1 alone", show(stories), err)
	}
	for _, n := range []int{0, store.MaxLimit + 1} {
		if _, err := sl.TopStories(ctx, mustParse(t, ""), n); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("TopStories(n=%d) = %v, want store.ErrInvalid", n, err)
		}
	}
}
