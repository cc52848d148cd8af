package storetest

import (
	"context"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/store"
)

// testStoryFirstArchived: of a story's copies dated alike (a wire story
// run at the same minute), its first is the one the archive stored first,
// among those matching, not the one whose id sorts first; Cluster lists
// the copies in that order too, so a story's page starts with the same
// first.
func testStoryFirstArchived(t *testing.T, st store.Store) {
	var entries []store.Entry
	for _, id := range []string{"zz", "mm", "aa"} { // archived in this order
		text := "The ferry strike ends after talks through the night, the union said on Monday. " + id
		entries = append(entries, store.Entry{Record: &store.Record{ID: id, Article: article.Article{
			URL: "https://" + id + ".example/ferry", CanonicalURL: "https://" + id + ".example/ferry", Title: "Ferry strike ends",
			Text: text, Published: date("2024-04-01T06:00:00Z"), WordCount: article.CountWords(text),
		}, ContentHash: Hash(text), ClusterID: "zz", FetchedAt: date("2024-04-01T07:00:00Z")}})
	}
	Load(t, st, entries)
	recs, err := st.Cluster(context.Background(), "zz")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.ID)
	}
	if len(got) != 3 || got[0] != "zz" || got[1] != "mm" || got[2] != "aa" {
		t.Errorf("Cluster(zz) = %v, want [zz mm aa] (dated alike: in archiving order)", got)
	}
	sl := st.(store.StoryLister)
	for q, want := range map[string]string{
		"ferry":                  "zz",
		"ferry -site:zz.example": "mm",
		"strike site:aa.example OR site:mm.example": "mm",
	} {
		stories, err := sl.TopStories(context.Background(), mustParse(t, q), 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(stories) != 1 || stories[0].First.ID != want {
			t.Errorf("TopStories(%q) = %+v; want one story, first %s", q, stories, want)
		}
	}
}
