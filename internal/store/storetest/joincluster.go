package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// testJoinCluster checks store.ClusterMover: an article alone in its
// cluster moves into another, and every read sees it there afterwards,
// collapsed searches, timelines and stories included, also when they had
// read the clusters before the move (the SQLite backend caches them);
// what cannot move is refused and leaves the archive as it was.
func testJoinCluster(t *testing.T, st store.Store) {
	ctx := context.Background()
	var entries []store.Entry
	for i, site := range []string{"first.example", "second.example", "third.example", "fourth.example"} {
		text := fmt.Sprintf("Lighthouse bulletin from %s about the night the lamp failed, number %d.", site, i)
		cluster := fmt.Sprintf("j%d", i)
		if i == 3 {
			cluster = "j2" // j2 and j3: a cluster of two
		}
		entries = append(entries, store.Entry{Record: &store.Record{ID: fmt.Sprintf("j%d", i), Article: article.Article{
			URL: "https://" + site + "/lamp", CanonicalURL: "https://" + site + "/lamp", Title: "Lamp failed",
			Published: date("2024-04-0" + fmt.Sprint(i+1) + "T10:00:00Z"), Text: text, WordCount: article.CountWords(text),
		}, ContentHash: Hash(text), ClusterID: cluster, FetchedAt: date("2024-04-09T00:00:00Z")}})
	}
	Load(t, st, entries)
	collapsed := func() (total int, dups []int) {
		t.Helper()
		res, err := st.Search(ctx, mustParse(t, "lighthouse"), store.SearchOptions{Collapse: true, Sort: query.SortOldest})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			dups = append(dups, h.Duplicates)
		}
		return res.Total, dups
	}
	if total, dups := collapsed(); total != 3 || !slices.Equal(dups, []int{0, 0, 1}) {
		t.Fatalf("before: %d stories, duplicates %v; want 3, [0 0 1]", total, dups)
	}

	join := func(id, cluster string) error {
		t.Helper()
		tx, err := st.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		m, ok := tx.(store.ClusterMover)
		if !ok {
			t.Skip("not a ClusterMover")
		}
		if err := m.JoinCluster(ctx, id, cluster); err != nil {
			return err
		}
		return tx.Commit()
	}
	for _, tc := range []struct {
		id, cluster string
		want        error
	}{
		{"nope", "j0", store.ErrNotFound},
		{"j1", "no-such-cluster", store.ErrNotFound},
		{"j3", "j0", store.ErrInvalid}, // shares j2 with j2
		{"j0", "j0", store.ErrInvalid}, // in it already
	} {
		if err := join(tc.id, tc.cluster); !errors.Is(err, tc.want) {
			t.Errorf("JoinCluster(%s, %s) = %v, want %v", tc.id, tc.cluster, err, tc.want)
		}
	}
	if total, _ := collapsed(); total != 3 {
		t.Fatalf("after refused moves: %d stories, want 3", total)
	}

	if err := join("j1", "j0"); err != nil {
		t.Fatalf("JoinCluster(j1, j0): %v", err)
	}
	if total, dups := collapsed(); total != 2 || !slices.Equal(dups, []int{1, 1}) {
		t.Errorf("after the move: %d stories, duplicates %v; want 2, [1 1]", total, dups)
	}
	members, err := st.Cluster(ctx, "j0")
	if err != nil || !slices.Equal(recordIDs(members), []string{"j0", "j1"}) {
		t.Errorf("Cluster(j0) = %v, %v; want [j0 j1]", recordIDs(members), err)
	}
	if r, err := st.Get(ctx, "j1"); err != nil || r.ClusterID != "j0" {
		t.Errorf("Get(j1): cluster %v, %v; want j0", r, err)
	}
	if _, err := st.Cluster(ctx, "j1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Cluster(j1) err = %v, want ErrNotFound: it has no articles now", err)
	}
	buckets, err := st.Timeline(ctx, mustParse(t, "lighthouse"), store.TimelineOptions{By: store.Month, Collapse: true})
	if err != nil || len(buckets) != 1 || buckets[0].Count != 2 {
		t.Errorf("collapsed timeline = %v, %v; want one month of 2 stories", buckets, err)
	}
	if sl, ok := st.(store.StoryLister); ok {
		stories, err := sl.TopStories(ctx, mustParse(t, "lighthouse"), 10)
		if err != nil || len(stories) != 2 || stories[0].Cluster != "j0" || stories[0].Articles != 2 || stories[0].First.ID != "j0" {
			t.Errorf("TopStories = %+v, %v; want j0 (2 articles, first j0) and j2", stories, err)
		}
	}
	// The moved article is still found by its words, once.
	assertIDs(t, st, `"number 1"`, "j1")
	// And a new article archived into the cluster joins it too.
	text := "Lighthouse bulletin from a fifth site about the night the lamp failed, number 4."
	put(t, st, store.Entry{Record: &store.Record{ID: "j4", Article: article.Article{
		URL: "https://fifth.example/lamp", CanonicalURL: "https://fifth.example/lamp", Title: "Lamp failed",
		Published: date("2024-04-06T10:00:00Z"), Text: text, WordCount: article.CountWords(text),
	}, ContentHash: Hash(text), ClusterID: "j0", FetchedAt: date("2024-04-09T00:00:00Z")}})
	if total, dups := collapsed(); total != 2 || !slices.Equal(dups, []int{2, 1}) {
		t.Errorf("after a new member: %d stories, duplicates %v; want 2, [2 1]", total, dups)
	}
}
