package storetest

import (
	"context"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/dedupe"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// ShortClusters returns entries as a Herald from before December 2026
// stored them: it matched every text by its content hash, however short,
// so the empty texts of an import and equal paywall stubs became
// clusters. s1 and s2 (a stub) and e1 and e2 (empty) are such clusters;
// l1 and l2 are a real one (one long text on two URLs); x2, a stub, sits
// in the cluster of x1, a long text, which is left alone once x2 leaves
// it. A backend's migration for this (sqlite 0012, postgres 0006) must
// leave them as CheckShortClustersRepaired says.
func ShortClusters() []store.Entry {
	long := "The harbour authority said on Monday that the outer breakwater would be rebuilt " +
		"over the next two summers, after storms damaged it twice in one winter and closed the ferry terminal."
	other := "Council members voted to keep the night buses running through the winter, " +
		"citing the closure of the ferry terminal and the number of workers on late shifts at the port."
	recs := []struct{ id, cluster, text string }{
		{"s1", "s1", "Subscribe to read."},
		{"s2", "s1", "Subscribe to read!"},
		{"e1", "e1", ""},
		{"e2", "e1", ""},
		{"l1", "l1", long},
		{"l2", "l1", long},
		{"x1", "x1", other},
		{"x2", "x1", "Read more."},
	}
	entries := make([]store.Entry, len(recs))
	for i, r := range recs {
		url := "https://bulletin" + r.id + ".example/story"
		rec := &store.Record{ID: r.id, Article: article.Article{
			URL: url, CanonicalURL: url, Title: "Bulletin " + r.id, Language: "en", Text: r.text,
			Published: date("2024-03-01T09:00:00Z").AddDate(0, 0, i),
		}, FetchedAt: date("2024-04-01T00:00:00Z"), ClusterID: r.cluster, Version: 1}
		rec.WordCount = article.CountWords(r.text)
		rec.ContentHash = dedupe.ContentHash(r.text)
		var bands []uint64
		if dedupe.Signable(r.text) {
			bands = dedupe.Sign(r.text).Bands()
		}
		entries[i] = store.Entry{Record: rec, Bands: bands}
	}
	return entries
}

// CheckShortClustersRepaired checks an archive holding ShortClusters
// after the migration: every article alone in its cluster but l1 and
// l2, one cluster of two in the statistics, and collapsed searches
// counting seven clusters among the eight articles.
func CheckShortClustersRepaired(t testing.TB, st store.Store) {
	t.Helper()
	ctx := context.Background()
	for _, id := range []string{"s1", "s2", "e1", "e2", "x1", "x2", "l1", "l2"} {
		members, err := st.Cluster(ctx, id)
		want := 1
		if id[0] == 'l' {
			want = 2
		}
		switch {
		case err != nil && id == "l2":
			// l2 names no cluster of its own.
			continue
		case err != nil:
			t.Errorf("cluster %s: %v", id, err)
		case len(members) != want:
			t.Errorf("cluster %s: %d articles, want %d", id, len(members), want)
		}
		r, err := st.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		wantCluster := id
		if id == "l2" {
			wantCluster = "l1"
		}
		if r.ClusterID != wantCluster {
			t.Errorf("%s in cluster %s, want %s", id, r.ClusterID, wantCluster)
		}
	}
	stats, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Clusters != 1 {
		t.Errorf("%d clusters of two or more, want 1 (l1, l2)", stats.Clusters)
	}
	for _, c := range []struct {
		q    string
		want int
	}{{"bulletin", 7}, {"subscribe", 2}, {"bulletin -harbour", 6}, {"lang:en", 7}} {
		res, err := st.Search(ctx, query.MustParse(c.q), store.SearchOptions{Collapse: true, Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != c.want || len(res.Hits) != c.want {
			t.Errorf("collapsed %q: total %d, %d hits, want %d", c.q, res.Total, len(res.Hits), c.want)
		}
	}
}
