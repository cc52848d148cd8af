package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// DeleteIDs deletes ids in one transaction and commits it, or returns
// Delete's first error with the transaction rolled back. A store that is
// not a Deleter skips the test.
func DeleteIDs(t *testing.T, st store.Store, ids ...string) error {
	t.Helper()
	return deleteIn(t, st, true, ids...)
}

// deleteIn is DeleteIDs, with the transaction rolled back instead of
// committed unless commit.
func deleteIn(t *testing.T, st store.Store, commit bool, ids ...string) error {
	t.Helper()
	ctx := context.Background()
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	d, ok := tx.(store.Deleter)
	if !ok {
		t.Skip("not a Deleter")
	}
	for _, id := range ids {
		if err := d.Delete(ctx, id); err != nil {
			return err
		}
	}
	if !commit {
		return nil
	}
	return tx.Commit()
}

// testDelete checks store.Deleter: deleted articles leave every read
// (search, collapsed search, timelines, top lists, stories, stats, the
// lookups ingest makes), also reads that had filled the SQLite backend's
// caches before; the other members of a deleted article's cluster stay
// in it, and articles archived afterwards cluster as they should, the
// one that takes a deleted article's place included.
func testDelete(t *testing.T, st store.Store) {
	ctx := context.Background()
	mk := func(id, site, day, text, cluster string, tags ...string) store.Entry {
		text = "Harbour report: " + text
		return store.Entry{Record: &store.Record{ID: id, Article: article.Article{
			URL: "https://" + site + "/" + id, CanonicalURL: "https://" + site + "/" + id, Title: "Harbour " + id,
			Published: date(day + "T08:00:00Z"), Text: text, WordCount: article.CountWords(text), Tags: tags,
			Authors: []string{"Writer " + strings.ToUpper(id)}, Language: "en", Section: "port",
		}, ContentHash: Hash(text), ClusterID: cluster, FetchedAt: date("2024-06-30T00:00:00Z")}}
	}
	story := "the ferry crossing was cancelled because of the storm"
	pair := "the new crane lifted its first container today"
	entries := []store.Entry{
		mk("d0", "one.example", "2024-01-05", story, "d0", "ferries"),
		mk("d1", "two.example", "2024-01-06", story, "d0", "ferries"),
		mk("d2", "three.example", "2024-02-07", story, "d0"),
		mk("d3", "four.example", "2024-02-08", pair, "d3", "cranes"),
		mk("d4", "five.example", "2024-03-09", pair, "d3"),
		mk("d5", "six.example", "2024-03-10", "a lighthouse keeper retired after forty years", "d5", "keepers"),
		mk("d6", "seven.example", "2024-04-11", "the fish market opens early on Fridays", "d6"),
	}
	Load(t, st, entries)
	changed := mk("d6", "seven.example", "2024-04-12", "the fish market now opens early on Saturdays", "d6")
	put(t, st, changed) // a second version
	texts := map[string]string{}
	for _, e := range append(entries, changed) {
		texts[e.Record.ID] = e.Record.Text
	}

	var monthsOf func(q string, collapse bool) []int
	var topOf func(q string, field store.TopField) []string
	collapsed := func() (ids []string, dups []int) {
		t.Helper()
		res, err := st.Search(ctx, mustParse(t, "harbour"), store.SearchOptions{Collapse: true, Sort: query.SortOldest, Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			ids = append(ids, h.Record.ID)
			dups = append(dups, h.Duplicates)
		}
		return ids, dups
	}
	months := func(collapse bool) []int {
		t.Helper()
		return monthsOf("harbour", collapse)
	}
	monthsOf = func(q string, collapse bool) []int {
		t.Helper()
		bs, err := st.Timeline(ctx, mustParse(t, q), store.TimelineOptions{By: store.Month, Collapse: collapse})
		if err != nil {
			t.Fatal(err)
		}
		var out []int
		for _, b := range bs {
			out = append(out, b.Count)
		}
		return out
	}
	top := func(field store.TopField) []string {
		t.Helper()
		return topOf("harbour", field)
	}
	topOf = func(q string, field store.TopField) []string {
		t.Helper()
		cs, err := st.Top(ctx, mustParse(t, q), field, 20)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, fmt.Sprintf("%s:%d", c.Key, c.Count))
		}
		slices.Sort(out)
		return out
	}
	// Fill whatever caches the backend keeps.
	if ids, dups := collapsed(); !slices.Equal(ids, []string{"d0", "d3", "d5", "d6"}) || !slices.Equal(dups, []int{2, 1, 0, 0}) {
		t.Fatalf("before: collapsed %v %v", ids, dups)
	}
	if got := months(false); !slices.Equal(got, []int{2, 2, 2, 1}) {
		t.Fatalf("before: timeline %v", got)
	}
	_ = top(store.TopTag)
	_ = top(store.TopSite)
	_ = top(store.TopAuthor)
	// Queries of filters alone, which some backends answer from per-row
	// caches rather than the full-text index.
	for _, q := range []string{"section:port", "lang:en", "site:six.example", "tag:keepers", "after:2024-01-01"} {
		_ = monthsOf(q, false)
		_ = topOf(q, store.TopTag)
		_ = topOf(q, store.TopAuthor)
	}

	del := func(ids ...string) error { t.Helper(); return DeleteIDs(t, st, ids...) }
	if err := del("d5", "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Delete(nope) = %v, want ErrNotFound", err)
	}
	if _, err := st.Get(ctx, "d5"); err != nil {
		t.Fatalf("d5 after a rolled-back delete: %v", err)
	}
	// d0 holds its cluster's mark (the first member), d3 leaves d4
	// alone, d5 has tags of its own, d6 has two versions.
	if err := del("d0", "d3", "d5", "d6"); err != nil {
		t.Fatalf("delete: %v", err)
	}

	for _, id := range []string{"d0", "d3", "d5", "d6"} {
		if _, err := st.Get(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get(%s) after delete: %v, want ErrNotFound", id, err)
		}
		if seen, err := st.Seen(ctx, "https://"+map[string]string{"d0": "one", "d3": "four", "d5": "six", "d6": "seven"}[id]+".example/"+id); err != nil || seen {
			t.Errorf("Seen(%s) after delete = %v, %v", id, seen, err)
		}
	}
	if _, err := st.Versions(ctx, "d6"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Versions(d6) after delete: %v, want ErrNotFound", err)
	}
	assertIDs(t, st, "harbour", "d1", "d2", "d4")
	assertIDs(t, st, "fish")
	assertIDs(t, st, "lighthouse")
	assertIDs(t, st, "tag:keepers")
	if ids, dups := collapsed(); !slices.Equal(ids, []string{"d1", "d4"}) || !slices.Equal(dups, []int{1, 0}) {
		t.Errorf("after: collapsed %v %v, want [d1 d4] [1 0]", ids, dups)
	}
	if got := months(false); !slices.Equal(got, []int{1, 1, 1}) {
		t.Errorf("after: timeline %v, want [1 1 1] (Jan-Mar)", got)
	}
	if got := months(true); !slices.Equal(got, []int{1, 0, 1}) && !slices.Equal(got, []int{1, 1}) {
		t.Errorf("after: collapsed timeline %v, want a story in January and one in March", got)
	}
	if got, want := top(store.TopTag), []string{"ferries:1"}; !slices.Equal(got, want) {
		t.Errorf("after: top tags %v, want %v", got, want)
	}
	if got, want := top(store.TopSite), []string{"five.example:1", "three.example:1", "two.example:1"}; !slices.Equal(got, want) {
		t.Errorf("after: top sites %v, want %v", got, want)
	}
	if got, want := top(store.TopAuthor), []string{"Writer D1:1", "Writer D2:1", "Writer D4:1"}; !slices.Equal(got, want) {
		t.Errorf("after: top authors %v, want %v", got, want)
	}
	for _, q := range []string{"section:port", "lang:en", "after:2024-01-01"} {
		if got := monthsOf(q, false); !slices.Equal(got, []int{1, 1, 1}) {
			t.Errorf("after: timeline of %s %v, want [1 1 1] (Jan-Mar)", q, got)
		}
		if got, want := topOf(q, store.TopTag), []string{"ferries:1"}; !slices.Equal(got, want) {
			t.Errorf("after: top tags of %s %v, want %v", q, got, want)
		}
		if got, want := topOf(q, store.TopAuthor), []string{"Writer D1:1", "Writer D2:1", "Writer D4:1"}; !slices.Equal(got, want) {
			t.Errorf("after: top authors of %s %v, want %v", q, got, want)
		}
	}
	for _, q := range []string{"site:six.example", "tag:keepers"} {
		if got := monthsOf(q, false); len(got) != 0 {
			t.Errorf("after: timeline of %s %v, want none", q, got)
		}
	}
	if sl, ok := st.(store.StoryLister); ok {
		stories, err := sl.TopStories(ctx, mustParse(t, "harbour"), 10)
		if err != nil || len(stories) != 1 || stories[0].Cluster != "d0" || stories[0].Articles != 2 || stories[0].First.ID != "d1" {
			t.Errorf("TopStories = %+v, %v; want d0's story of 2, first d1", stories, err)
		}
	}
	members, err := st.Cluster(ctx, "d0")
	if err != nil || !slices.Equal(recordIDs(members), []string{"d1", "d2"}) {
		t.Errorf("Cluster(d0) = %v, %v; want [d1 d2]", recordIDs(members), err)
	}
	s, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := int64(len(texts["d1"]) + len(texts["d2"]) + len(texts["d4"]))
	if s.Articles != 3 || s.Versions != 0 || s.Clusters != 1 || s.Duplicates != 1 || s.TextBytes != want {
		t.Errorf("Stats after delete: %d articles, %d versions, %d clusters, %d duplicates, %d text bytes; want 3, 0, 1, 1, %d",
			s.Articles, s.Versions, s.Clusters, s.Duplicates, s.TextBytes, want)
	}
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cs, err := tx.ByHash(ctx, Hash(texts["d5"])); err != nil || len(cs) != 0 {
		t.Errorf("ByHash of a deleted text = %v, %v; want none", cs, err)
	}
	if cs, err := tx.ByHash(ctx, Hash(texts["d1"])); err != nil {
		t.Fatal(err)
	} else if ids := candidateIDs(cs); !slices.Equal(ids, []string{"d1", "d2"}) && !slices.Equal(ids, []string{"d2", "d1"}) {
		t.Errorf("ByHash of the story = %v, want d1 and d2", ids)
	}
	tx.Rollback()

	// New articles: into the story whose first member went, into the
	// pair now alone, and a new pair of its own (on SQLite one of them
	// takes the last deleted article's row number).
	Load(t, st, []store.Entry{
		mk("e0", "eight.example", "2024-05-01", story, "d0"),
		mk("e1", "nine.example", "2024-05-02", pair, "d3"),
		mk("e2", "ten.example", "2024-05-03", "the tugboat crew rescued a swimmer", "e2"),
		mk("e3", "eleven.example", "2024-05-04", "the tugboat crew rescued a swimmer", "e2"),
	})
	if ids, dups := collapsed(); !slices.Equal(ids, []string{"d1", "d4", "e2"}) || !slices.Equal(dups, []int{2, 1, 1}) {
		t.Errorf("after new articles: collapsed %v %v, want [d1 d4 e2] [2 1 1]", ids, dups)
	}
	if got := months(true); !slices.Equal(got, []int{1, 0, 1, 0, 1}) && !slices.Equal(got, []int{1, 1, 1}) {
		t.Errorf("after new articles: collapsed timeline %v, want stories in January, March and May", got)
	}

	// An article put and deleted in one transaction leaves nothing.
	tx, err = st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Put(ctx, mk("f0", "twelve.example", "2024-06-01", "a passing yacht", "f0", "yachts")); err != nil {
		t.Fatal(err)
	}
	if err := tx.(store.Deleter).Delete(ctx, "f0"); err != nil {
		t.Fatalf("delete within the transaction that put it: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	assertIDs(t, st, "yacht")
	assertIDs(t, st, "tag:yachts")
	if got := top(store.TopSite); slices.Contains(got, "twelve.example:1") {
		t.Errorf("top sites after a put and delete %v", got)
	}
}
