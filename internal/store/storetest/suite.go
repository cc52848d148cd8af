package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// Run runs the conformance suite. open must return a new, empty store for
// each call; Run closes it.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	fresh := func(t *testing.T) store.Store {
		st := open(t)
		t.Cleanup(func() {
			if err := st.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		return st
	}
	loaded := func(t *testing.T) store.Store {
		st := fresh(t)
		Load(t, st, Fixture())
		return st
	}
	t.Run("PutOutcomes", func(t *testing.T) { testPutOutcomes(t, fresh(t)) })
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, loaded(t)) })
	t.Run("Versions", func(t *testing.T) { testVersions(t, loaded(t)) })
	t.Run("ScanCaptures", func(t *testing.T) { testScanCaptures(t, fresh(t)) })
	t.Run("CaptureChain", func(t *testing.T) { testCaptureChain(t, fresh(t)) })
	t.Run("ScanChanged", func(t *testing.T) { testScanChanged(t, fresh(t)) })
	t.Run("Clusters", func(t *testing.T) { testClusters(t, loaded(t)) })
	t.Run("NamingOriginal", func(t *testing.T) { testNamingOriginal(t, loaded(t)) })
	t.Run("Lookups", func(t *testing.T) { testLookups(t, loaded(t)) })
	t.Run("Transactions", func(t *testing.T) { testTransactions(t, fresh(t)) })
	t.Run("HarvestLock", func(t *testing.T) { testHarvestLock(t, fresh(t)) })
	t.Run("CandidatesInTransaction", func(t *testing.T) { testCandidatesInTransaction(t, fresh(t)) })
	t.Run("CJK", func(t *testing.T) { testCJK(t, fresh(t)) })
	t.Run("ScanCollapsed", func(t *testing.T) { testScanCollapsed(t, fresh(t)) })
	t.Run("TimelineCollapsed", func(t *testing.T) { testTimelineCollapsed(t, fresh(t)) })
	t.Run("TopStories", func(t *testing.T) { testTopStories(t, fresh(t)) })
	t.Run("StoryFirstArchived", func(t *testing.T) { testStoryFirstArchived(t, fresh(t)) })
	st := loaded(t) // the read-only tests share one archive
	t.Run("SearchMatches", func(t *testing.T) { testSearchMatches(t, st) })
	t.Run("SearchOrder", func(t *testing.T) { testSearchOrder(t, st) })
	t.Run("SearchPaging", func(t *testing.T) { testSearchPaging(t, st) })
	t.Run("SearchCollapse", func(t *testing.T) { testSearchCollapse(t, st) })
	t.Run("SearchHits", func(t *testing.T) { testSearchHits(t, st) })
	t.Run("SearchOptions", func(t *testing.T) { testSearchOptions(t, st) })
	t.Run("Timeline", func(t *testing.T) { testTimeline(t, st) })
	t.Run("TimelineFollowsWrites", func(t *testing.T) { testTimelineFollowsWrites(t, loaded(t)) })
	t.Run("RankWindow", func(t *testing.T) { testRankWindow(t, fresh(t)) })
	t.Run("RankWindowClusters", func(t *testing.T) { testRankWindowClusters(t, fresh(t)) })
	t.Run("Top", func(t *testing.T) { testTop(t, st) })
	t.Run("Scan", func(t *testing.T) { testScan(t, st) })
	t.Run("Stats", func(t *testing.T) { testStats(t, loaded(t)) })
	t.Run("Sources", func(t *testing.T) { testSources(t, fresh(t)) })
	t.Run("FetchLog", func(t *testing.T) { testFetchLog(t, fresh(t)) })
	t.Run("Frontier", func(t *testing.T) { testFrontier(t, fresh(t)) })
	t.Run("FrontierLastmods", func(t *testing.T) { testFrontierLastmods(t, fresh(t)) })
	t.Run("SitemapValidators", func(t *testing.T) { testSitemapValidators(t, fresh(t)) })
	t.Run("FilterEdges", func(t *testing.T) { testFilterEdges(t, fresh(t)) })
	t.Run("AuthorFolding", func(t *testing.T) { testAuthorFolding(t, fresh(t)) })
	t.Run("JoinCluster", func(t *testing.T) { testJoinCluster(t, fresh(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, fresh(t)) })
	t.Run("Withhold", func(t *testing.T) { testWithhold(t, fresh(t)) })
	t.Run("ScanDeleted", func(t *testing.T) { testScanDeleted(t, fresh(t)) })
	t.Run("Rewrite", func(t *testing.T) { testRewrite(t, fresh(t)) })
	t.Run("DeleteLinks", func(t *testing.T) { testDeleteLinks(t, fresh(t)) })
}

// Load writes entries in one transaction and fails t on error.
func Load(t testing.TB, st store.Store, entries []store.Entry) []store.Outcome {
	t.Helper()
	ctx := context.Background()
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var outs []store.Outcome
	for _, e := range entries {
		out, err := tx.Put(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, out)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return outs
}

func put(t *testing.T, st store.Store, e store.Entry) store.Outcome {
	t.Helper()
	return Load(t, st, []store.Entry{e})[0]
}

func entry(id string) store.Entry {
	for _, e := range Fixture() {
		if e.Record.ID == id {
			return e
		}
	}
	panic("no fixture " + id)
}

func testPutOutcomes(t *testing.T, st store.Store) {
	ctx := context.Background()
	e := entry("a1")
	if out := put(t, st, e); out != store.New {
		t.Errorf("first put = %v, want new", out)
	}
	if e.Record.Version != 1 || e.Record.ClusterID != "a1" {
		t.Errorf("after put version %d cluster %q, want 1 and a1", e.Record.Version, e.Record.ClusterID)
	}
	again := entry("a1")
	again.Record.Source = "https://elsewhere.example/feed" // provenance: not compared
	if out := put(t, st, again); out != store.Unchanged {
		t.Errorf("re-put = %v, want unchanged", out)
	}
	if again.Record.Version != 1 || again.Record.ClusterID != "a1" {
		t.Errorf("unchanged put reports version %d cluster %q, want 1 and a1", again.Record.Version, again.Record.ClusterID)
	}
	if got, _ := st.Get(ctx, "a1"); got == nil || got.Source != e.Record.Source {
		t.Errorf("unchanged put rewrote the record: %+v", got)
	}
	if out := put(t, st, entry("a6")); out != store.Duplicate {
		t.Errorf("put of a copy in a1's cluster = %v, want duplicate", out)
	}
	testRefresh(t, st)
	changed := entry("a1")
	changed.Record.ClusterID = "a3" // ignored: an update keeps the cluster
	changed.Record.Text += "\n\nUpdate: the ferry service resumes on Monday."
	changed.Record.ContentHash = Hash(changed.Record.Text)
	if out := put(t, st, changed); out != store.Updated {
		t.Errorf("put of changed text = %v, want updated", out)
	}
	if changed.Record.Version != 2 || changed.Record.ClusterID != "a1" {
		t.Errorf("updated version %d cluster %q, want 2 and a1", changed.Record.Version, changed.Record.ClusterID)
	}
	if out := put(t, st, changed); out != store.Unchanged {
		t.Errorf("re-put of the update = %v, want unchanged", out)
	}

	bad := []store.Entry{
		{Record: &store.Record{Article: article.Article{URL: "https://x.org/"}, ContentHash: "h"}},
		{Record: &store.Record{ID: "x", ContentHash: "h"}},
		{Record: &store.Record{ID: "x", Article: article.Article{URL: "https://x.org/"}}},
		{},
	}
	for _, b := range bad {
		tx, err := st.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Put(ctx, b); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("put of %+v: err = %v, want ErrInvalid", b.Record, err)
		}
		tx.Rollback()
	}
}

// testRefresh re-puts a1 (stored, version 1, with a6 in its cluster) with
// the same text and new metadata, as a newer extractor would produce it.
func testRefresh(t *testing.T, st store.Store) {
	t.Helper()
	ctx := context.Background()
	stored, err := st.Get(ctx, "a1")
	if err != nil {
		t.Fatal(err)
	}
	fixed := entry("a1")
	r := fixed.Record
	r.Title = "Harbour reopens after storm repairs"
	r.Authors = []string{"Jane Doe", "Ali Khan"}
	r.Tags = []string{"Weather"}
	r.Published = date("2021-06-03T09:00:00+02:00")
	r.Section = "Local"
	r.ExtractorVersion = "test-2"
	r.OriginalURL = "https://wire.example/harbour-reopens" // a newer extractor found the original
	// Not refreshed: identity and provenance.
	r.FetchedAt = date("2024-01-01T00:00:00Z")
	r.Source = "https://elsewhere.example/feed"
	r.ClusterID = "a3"
	if out := put(t, st, fixed); out != store.Refreshed {
		t.Fatalf("put of new metadata = %v, want refreshed", out)
	}
	if r.Version != 1 || r.ClusterID != "a1" {
		t.Errorf("refreshed put reports version %d cluster %q, want 1 and a1", r.Version, r.ClusterID)
	}
	got, err := st.Get(ctx, "a1")
	if err != nil {
		t.Fatal(err)
	}
	want := *stored
	want.Title, want.Authors, want.Tags, want.Published = r.Title, r.Authors, r.Tags, r.Published
	want.Section, want.ExtractorVersion, want.OriginalURL = r.Section, r.ExtractorVersion, r.OriginalURL
	if g, w := recordJSON(t, got), recordJSON(t, &want); g != w {
		t.Errorf("after refresh:\n got %s\nwant %s", g, w)
	}
	if vs, err := st.Versions(ctx, "a1"); err != nil || len(vs) != 1 {
		t.Errorf("refresh made versions: %d, %v", len(vs), err)
	}
	// Search, filters and dates follow the new metadata.
	assertIDs(t, st, "storm repairs", "a1")
	assertIDs(t, st, "author:khan", "a1")
	assertIDs(t, st, `tag:"climate change"`, "a6")
	assertIDs(t, st, "harbour section:local", "a1")
	assertIDs(t, st, "after:2021-06-03 before:2021-06-04", "a1")
	// The same again changes nothing; the extractor version alone is a
	// refresh.
	if out := put(t, st, fixed); out != store.Unchanged {
		t.Errorf("re-put of the refreshed record = %v, want unchanged", out)
	}
	r.ExtractorVersion = "test-3"
	if out := put(t, st, fixed); out != store.Refreshed {
		t.Errorf("put with a new extractor version = %v, want refreshed", out)
	}
	// Refreshing the same article twice in one transaction, and a refresh
	// of an article written in the same transaction, index the last values.
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, title := range []string{"Quay opens", "Pier opens"} {
		r.Title = title
		if out, err := tx.Put(ctx, fixed); err != nil || out != store.Refreshed {
			t.Fatalf("put in a transaction = %v, %v; want refreshed", out, err)
		}
	}
	fresh := entry("a8")
	if _, err := tx.Put(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	fresh.Record.Title = "Terrace culture returns"
	if out, err := tx.Put(ctx, fresh); err != nil || out != store.Refreshed {
		t.Fatalf("refresh of a new article = %v, %v; want refreshed", out, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	assertIDs(t, st, "pier", "a1")
	assertIDs(t, st, "quay")
	assertIDs(t, st, "terrace culture", "a8")
	assertIDs(t, st, `"café culture"`)
	// Back to the fixture's metadata for the rest of the test.
	if out := put(t, st, entry("a1")); out != store.Refreshed {
		t.Errorf("put of the original metadata = %v, want refreshed", out)
	}
	assertIDs(t, st, "pier")
	assertIDs(t, st, "author:doe", "a1", "a6")
}

// recordJSON is the comparable form of a record.
func recordJSON(t *testing.T, r *store.Record) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func testRoundTrip(t *testing.T, st store.Store) {
	ctx := context.Background()
	for _, e := range Fixture() {
		want := e.Record
		want.Version = 1
		if want.ClusterID == "" {
			want.ClusterID = want.ID
		}
		got, err := st.Get(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := recordJSON(t, got), recordJSON(t, want); g != w {
			t.Errorf("Get(%s):\n got %s\nwant %s", want.ID, g, w)
		}
		// The declared zone is kept, not just the instant.
		if g, w := got.Published.Format(time.RFC3339), want.Published.Format(time.RFC3339); g != w {
			t.Errorf("Get(%s).Published = %s, want %s", want.ID, g, w)
		}
	}
	if _, err := st.Get(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(nope) err = %v, want ErrNotFound", err)
	}
}

func testVersions(t *testing.T, st store.Store) {
	ctx := context.Background()
	changed := entry("a2")
	changed.Record.Text = "The flood warning was lifted this morning."
	changed.Record.ContentHash = Hash(changed.Record.Text)
	changed.Record.Authors = []string{"Jo Bloggs"}
	if out := put(t, st, changed); out != store.Updated {
		t.Fatalf("put = %v, want updated", out)
	}
	vs, err := st.Versions(ctx, "a2")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 {
		t.Fatalf("versions = %d, want 2", len(vs))
	}
	if vs[0].Version != 1 || !strings.Contains(vs[0].Text, "Heavy rain") || vs[0].Authors[0] != "John Smith" {
		t.Errorf("version 1 = %+v, want the original", vs[0])
	}
	if vs[1].Version != 2 || vs[1].Text != changed.Record.Text {
		t.Errorf("version 2 = %+v, want the update", vs[1])
	}
	// Search sees the current text only, and the links follow it.
	assertIDs(t, st, `lifted`, "a2")
	assertIDs(t, st, `"heavy rain"`)
	assertIDs(t, st, `author:smith`)
	assertIDs(t, st, `author:bloggs`, "a2")
	if _, err := st.Versions(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Versions(nope) err = %v, want ErrNotFound", err)
	}
	one, err := st.Versions(ctx, "a3")
	if err != nil || len(one) != 1 || one[0].Version != 1 {
		t.Errorf("Versions(a3) = %v, %v; want the one current version", one, err)
	}
}

// The copies of an article are the articles naming its canonical URL as
// their original, oldest first, without their text.
func testNamingOriginal(t *testing.T, st store.Store) {
	ol, ok := st.(store.OriginLister)
	if !ok {
		t.Skip("not an OriginLister")
	}
	ctx := context.Background()
	original := entry("a1").Record.CanonicalURL
	copies := func(url string, n int) ([]string, int) {
		t.Helper()
		recs, total, err := ol.NamingOriginal(ctx, url, n)
		if err != nil {
			t.Fatalf("NamingOriginal(%q, %d): %v", url, n, err)
		}
		var ids []string
		for _, r := range recs {
			if r.Text != "" || r.OriginalURL != url {
				t.Errorf("copy %s: text %d bytes, original %q", r.ID, len(r.Text), r.OriginalURL)
			}
			ids = append(ids, r.ID)
		}
		return ids, total
	}
	if ids, total := copies(original, 10); !slices.Equal(ids, []string{"a6"}) || total != 1 {
		t.Errorf("copies of a1: %v of %d, want [a6] of 1", ids, total)
	}
	// Two more, one dated before a6 and one after; a copy of another
	// original, and one whose original differs only by a slash.
	for i, when := range []string{"2021-06-03T12:00:00Z", "2021-06-05T09:00:00Z", "2021-06-04T09:00:00Z", "2021-06-04T09:00:00Z"} {
		e := entry("a6")
		r := *e.Record
		r.ID, r.ContentHash, r.ClusterID = fmt.Sprintf("c%d", i), fmt.Sprintf("hash-c%d", i), ""
		r.URL = fmt.Sprintf("https://copies%d.example/harbour", i)
		r.CanonicalURL, r.Published = r.URL, date(when)
		switch i {
		case 2:
			r.OriginalURL = "https://other.example/story"
		case 3:
			r.OriginalURL = original + "/"
		}
		e.Record = &r
		put(t, st, e)
	}
	if ids, total := copies(original, 10); !slices.Equal(ids, []string{"c0", "a6", "c1"}) || total != 3 {
		t.Errorf("copies of a1: %v of %d, want [c0 a6 c1] of 3", ids, total)
	}
	if ids, total := copies(original, 1); !slices.Equal(ids, []string{"c0"}) || total != 3 {
		t.Errorf("first copy of a1: %v of %d, want [c0] of 3", ids, total)
	}
	for _, url := range []string{"", "https://nowhere.example/x", entry("a6").Record.CanonicalURL} {
		if ids, total := copies(url, 10); len(ids) != 0 || total != 0 {
			t.Errorf("copies of %q: %v of %d, want none", url, ids, total)
		}
	}
	if _, _, err := ol.NamingOriginal(ctx, original, 0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("n 0: %v, want ErrInvalid", err)
	}

	// FirstNaming gives the earliest copy and its cluster, outside a
	// transaction and inside one, which sees its own writes (ties by id).
	first := func(l store.Lookup, url string) string {
		t.Helper()
		c, ok, err := l.FirstNaming(ctx, url)
		if err != nil {
			t.Fatalf("FirstNaming(%q): %v", url, err)
		}
		if !ok {
			return "none"
		}
		return c.ID + " in " + c.ClusterID
	}
	for url, want := range map[string]string{original: "c0 in c0", "": "none", "https://nowhere.example/x": "none",
		"https://other.example/story": "c2 in c2", original + "/": "c3 in c3"} {
		if got := first(st, url); got != want {
			t.Errorf("FirstNaming(%q) = %s, want %s", url, got, want)
		}
	}
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	e := entry("a6")
	r := *e.Record
	r.ID, r.ContentHash, r.ClusterID, r.URL = "b0", "hash-b0", "a3", "https://copies-b.example/harbour"
	r.CanonicalURL, r.Published = r.URL, date("2021-06-03T12:00:00Z") // c0's date
	e.Record = &r
	if _, err := tx.Put(ctx, e); err != nil {
		t.Fatal(err)
	}
	if got := first(tx, original); got != "b0 in a3" {
		t.Errorf("FirstNaming in the transaction = %s, want b0 in a3", got)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if got := first(st, original); got != "c0 in c0" {
		t.Errorf("FirstNaming after the rollback = %s, want c0 in c0", got)
	}
}

func testClusters(t *testing.T, st store.Store) {
	ctx := context.Background()
	c, err := st.Cluster(ctx, "a1")
	if err != nil {
		t.Fatal(err)
	}
	if ids := recordIDs(c); !slices.Equal(ids, []string{"a1", "a6"}) {
		t.Errorf("Cluster(a1) = %v, want [a1 a6]", ids)
	}
	if c, err := st.Cluster(ctx, "a3"); err != nil || len(c) != 1 {
		t.Errorf("Cluster(a3) = %v, %v; want one member", recordIDs(c), err)
	}
	if _, err := st.Cluster(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Cluster(nope) err = %v, want ErrNotFound", err)
	}
}

func recordIDs(rs []*store.Record) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

func candidateIDs(cs []store.Candidate) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

func testLookups(t *testing.T, st store.Store) {
	ctx := context.Background()
	cs, err := st.ByHash(ctx, Hash(harbourText))
	if err != nil {
		t.Fatal(err)
	}
	if ids := candidateIDs(cs); !slices.Equal(ids, []string{"a1", "a6"}) {
		t.Errorf("ByHash = %v, want [a1 a6]", ids)
	}
	if cs[1].ClusterID != "a1" {
		t.Errorf("ByHash candidate = %+v, want cluster a1", cs[1])
	}
	if cs, err := st.ByHash(ctx, "none"); err != nil || len(cs) != 0 {
		t.Errorf("ByHash(none) = %v, %v", cs, err)
	}
	cs, err = st.Candidates(ctx, []uint64{1, 2, 3}, 10)
	if err != nil {
		t.Fatal(err)
	}
	// a1 and a6 share three bands, a3 one: most shared first.
	if ids := candidateIDs(cs); !slices.Equal(ids, []string{"a1", "a6", "a3"}) {
		t.Errorf("Candidates = %v, want [a1 a6 a3]", ids)
	}
	if cs, _ := st.Candidates(ctx, []uint64{1, 2, 3}, 2); len(cs) != 2 {
		t.Errorf("Candidates with limit 2 = %d", len(cs))
	}
	// Band hashes use all 64 bits.
	e := entry("a7")
	e.Record.ID, e.Record.URL, e.Record.CanonicalURL = "big", "https://big.example/", "https://big.example/"
	e.Bands = []uint64{1<<64 - 1, 1 << 63}
	put(t, st, e)
	if cs, _ := st.Candidates(ctx, []uint64{1 << 63}, 5); !slices.Equal(candidateIDs(cs), []string{"big"}) {
		t.Errorf("Candidates(1<<63) = %v, want [big]", candidateIDs(cs))
	}
	if cs, _ := st.Candidates(ctx, nil, 5); len(cs) != 0 {
		t.Errorf("Candidates(nil) = %v", cs)
	}
	for url, want := range map[string]bool{
		"https://news.example.com/2021/06/03/harbour-reopens": true,
		"https://news.example.com/elsewhere":                  false,
	} {
		if got, err := st.Seen(ctx, url); err != nil || got != want {
			t.Errorf("Seen(%s) = %v, %v; want %v", url, got, err, want)
		}
	}
	if _, err := st.Enqueue(ctx, []store.FrontierItem{{URL: "https://queued.example/a"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Seen(ctx, "https://queued.example/a"); !got {
		t.Error("Seen of a queued URL = false")
	}
}

// testCandidatesInTransaction checks that a transaction's Candidates see
// the bands of the articles it wrote exactly as they will be once it
// commits (a backend may keep them aside until then), counted once even
// when an updated article repeats a band of its earlier text, and that a
// rollback leaves no band behind.
func testCandidatesInTransaction(t *testing.T, st store.Store) {
	ctx := context.Background()
	with := func(id, url, text string, bands ...uint64) store.Entry {
		e := entry("a1")
		e.Record.ID, e.Record.URL, e.Record.CanonicalURL, e.Record.ClusterID = id, url, url, ""
		e.Record.Text, e.Record.ContentHash = text, Hash(text)
		e.Bands = bands
		return e
	}
	Load(t, st, []store.Entry{
		with("s1", "https://s.example/1", "Stored one.", 1, 2, 3),
		with("s2", "https://s.example/2", "Stored two.", 1, 6),
	})
	check := func(name string, l store.Lookup, bands []uint64, want ...string) {
		t.Helper()
		cs, err := l.Candidates(ctx, bands, 10)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if ids := candidateIDs(cs); !slices.Equal(ids, want) {
			t.Errorf("%s: Candidates(%v) = %v, want %v", name, bands, ids, want)
		}
	}
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, e := range []store.Entry{
		with("p1", "https://p.example/1", "Pending one.", 2, 3, 4),
		with("p2", "https://p.example/2", "Pending two.", 4, 5),
		// s1 gets a new text whose bands share 1 with the stored ones.
		with("s1", "https://s.example/1", "Stored one, updated.", 1, 7),
	} {
		if _, err := tx.Put(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		bands []uint64
		want  []string
	}{
		{[]uint64{1, 2, 3, 4}, []string{"p1", "s1", "p2", "s2"}}, // p1 and s1 share 3 (s1 band 1 once), the others 1; ties by id
		{[]uint64{4, 5}, []string{"p2", "p1"}},
		{[]uint64{1, 6}, []string{"s2", "s1"}}, // s1's band 1 counts once
		{[]uint64{7}, []string{"s1"}},
		{[]uint64{9}, nil},
	}
	for _, c := range cases {
		check("in the transaction", tx, c.bands, c.want...)
	}
	if pf, ok := tx.(store.CandidatePrefetcher); ok {
		lists := [][]uint64{{8}} // a band nothing has yet
		for _, c := range cases {
			lists = append(lists, c.bands)
		}
		if err := pf.PrefetchCandidates(ctx, lists); err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			check("prefetched", tx, c.bands, c.want...)
		}
	}
	// Written after the prefetch (if any), and found all the same.
	if _, err := tx.Put(ctx, with("q1", "https://q.example/1", "After the prefetch.", 8)); err != nil {
		t.Fatal(err)
	}
	check("written after the prefetch", tx, []uint64{8}, "q1")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		check("after commit", st, c.bands, c.want...)
	}
	check("after commit", st, []uint64{8}, "q1")
	tx, err = st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Put(ctx, with("r1", "https://r.example/1", "Rolled back.", 9, 4)); err != nil {
		t.Fatal(err)
	}
	check("before rollback", tx, []uint64{9}, "r1")
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	check("after rollback", st, []uint64{9})
	check("after rollback", st, []uint64{4, 5}, "p2", "p1")
}

func testTransactions(t *testing.T, st store.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a safety net, not a timing assertion
	defer cancel()
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Put(ctx, entry("a1")); err != nil {
		t.Fatal(err)
	}
	if r, err := tx.Get(ctx, "a1"); err != nil || r.ID != "a1" {
		t.Errorf("tx.Get after Put = %v, %v", r, err)
	}
	if cs, err := tx.ByHash(ctx, Hash(harbourText)); err != nil || len(cs) != 1 {
		t.Errorf("tx.ByHash after Put = %v, %v", cs, err)
	}
	if cs, err := tx.Candidates(ctx, []uint64{1}, 5); err != nil || len(cs) != 1 {
		t.Errorf("tx.Candidates after Put = %v, %v", cs, err)
	}
	// Readers do not wait for the writer, and do not see its writes.
	done := make(chan error, 1)
	go func() {
		_, err := st.Get(ctx, "a1")
		done <- err
	}()
	if err := <-done; !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get during an open write = %v, want ErrNotFound", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(ctx, "a1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get after rollback = %v, want ErrNotFound", err)
	}
	// After a rollback, dictionary rows (sites, authors, tags) created in
	// it must not be assumed to exist.
	Load(t, st, []store.Entry{entry("a1")})
	assertIDs(t, st, "author:doe tag:weather site:example.com", "a1")
	// A new article updated within the transaction that wrote it is
	// searchable by its last text only.
	tx, err = st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first, second := entry("a2"), entry("a2")
	second.Record.Text = "The river fell back below its banks overnight."
	second.Record.ContentHash = Hash(second.Record.Text)
	for _, e := range []store.Entry{first, second} {
		if _, err := tx.Put(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	assertIDs(t, st, "banks", "a2")
	assertIDs(t, st, "valley", "a2") // in the title, which did not change
	assertIDs(t, st, "tonight")      // only in the first text
	assertIDs(t, st, `"heavy rain"`)
	// Rollback after Commit is harmless.
	tx, err = st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Errorf("Rollback after Commit = %v", err)
	}
}

func mustParse(t *testing.T, s string) *query.Query {
	t.Helper()
	q, err := store.ParseQuery(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func search(t *testing.T, st store.Store, q string, opts store.SearchOptions) *store.SearchResult {
	t.Helper()
	res, err := st.Search(context.Background(), mustParse(t, q), opts)
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return res
}

func hitIDs(res *store.SearchResult) []string {
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.Record.ID
	}
	return ids
}

// assertIDs checks the set of articles q matches (as many as MaxLimit).
func assertIDs(t *testing.T, st store.Store, q string, want ...string) {
	t.Helper()
	res := search(t, st, q, store.SearchOptions{Limit: store.MaxLimit})
	got := hitIDs(res)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Search(%q) = %v, want %v", q, got, want)
	}
	if res.Total != len(want) {
		t.Errorf("Search(%q).Total = %d, want %d", q, res.Total, len(want))
	}
}

func testSearchMatches(t *testing.T, st store.Store) {
	all := []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"}
	tests := []struct {
		q    string
		want []string
	}{
		{``, all},
		{`harbour`, []string{"a1", "a3", "a6"}},
		{`HARBOUR`, []string{"a1", "a3", "a6"}},
		{`harbour breakwater`, []string{"a1", "a6"}},
		{`harbour AND breakwater`, []string{"a1", "a6"}},
		{`"heavy rain"`, []string{"a2"}},
		{`heavy rain`, []string{"a2", "a3"}},
		{`"rain heavy"`, nil},
		{`flood OR tempestade`, []string{"a2", "a4"}},
		{`flood or tempestade`, nil}, // lower-case "or" is a word
		{`harbour -storm`, []string{"a1", "a6"}},
		{`-harbour`, []string{"a2", "a4", "a5", "a7", "a8"}},
		{`harbour -"harbour wall"`, []string{"a1", "a6"}},
		{`-(storm OR flood) harbour`, []string{"a1", "a6"}},
		{`-storm -flood`, []string{"a1", "a4", "a5", "a6", "a7"}},
		{`prev*`, []string{"a7"}},
		{`preview`, []string{"a7"}},
		{`previews`, []string{"a7"}},
		{`prevent`, nil},
		{`cafe`, []string{"a8"}},
		{`café`, []string{"a8"}},
		{`москва`, []string{"a5"}},
		{`São`, []string{"a4"}},
		{`doe`, []string{"a1", "a3", "a6"}},        // authors are searchable text
		{`"climate change"`, []string{"a1", "a6"}}, // so are tags
		{`https://other.net/storm-harbour`, nil},   // a URL is a phrase of its words, not in any text
		{`site:example.com`, []string{"a1", "a8"}},
		{`site:example.org`, []string{"a2", "a7"}},
		{`site:www.example.org`, []string{"a2", "a7"}},
		{`site:news.example.com`, []string{"a1"}},
		{`site:ample.com`, nil},
		{`site:com`, []string{"a1", "a6", "a8"}},
		{`-site:example.com`, []string{"a2", "a3", "a4", "a5", "a6", "a7"}},
		{`site:example.com OR site:other.net`, []string{"a1", "a3", "a8"}},
		{`author:doe`, []string{"a1", "a3", "a6"}},
		{`author:jane`, []string{"a1", "a3", "a6"}},
		{`author:"Jane Doe"`, []string{"a1", "a3", "a6"}},
		{`author:"doe jane"`, nil},
		{`author:jan`, nil},
		{`author:smith`, []string{"a2"}},
		{`tag:weather`, []string{"a1", "a2", "a6"}},
		{`tag:"Climate Change"`, []string{"a1", "a6"}},
		{`tag:climate`, nil},
		{`lang:en`, []string{"a1", "a2", "a3", "a6", "a7", "a8"}},
		{`lang:en-gb`, []string{"a2"}},
		{`lang:pt`, []string{"a4"}},
		{`lang:pt-pt`, nil},
		{`section:world`, []string{"a1", "a3"}},
		{`section:World`, []string{"a1", "a3"}},
		{`after:2022-01-15`, []string{"a3", "a4", "a7", "a8"}},
		{`after:2022-01-16`, []string{"a4", "a7", "a8"}},
		{`before:2021-06-04`, []string{"a1", "a5"}},
		{`before:2021-06-05`, []string{"a1", "a5", "a6"}},
		{`after:2021-06-01 before:2022-01-01`, []string{"a1", "a2", "a6"}},
		{`after:2023-03-01`, []string{"a7"}}, // no published date: filed under its fetch date
		{`harbour site:other.net`, []string{"a3"}},
		{`harbour OR site:news.ru`, []string{"a1", "a3", "a5", "a6"}},
		{`(storm OR flood) lang:en`, []string{"a2", "a3", "a8"}},
		{`harbour -author:ali`, []string{"a1", "a6"}},
		{`(tag:storms OR tag:food) -storm`, nil},
		{`(tag:storms OR tag:food) storm`, []string{"a3", "a8"}},
		{`nothingmatchesthis`, nil},
		// A backend may keep markers of its own beside the text (SQLite
		// marks cluster members with the token "x"); only the text matches.
		{`x`, nil},
		{`X`, nil},
		{`"x"`, nil},
		{`x*`, nil},
		{`-x`, all},
		{`harbour -x`, []string{"a1", "a3", "a6"}},
		{`harbour OR x`, []string{"a1", "a3", "a6"}},
		{`x site:example.com`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) { assertIDs(t, st, tt.q, tt.want...) })
	}
}

func testSearchOrder(t *testing.T, st store.Store) {
	tests := []struct {
		q    string
		opts store.SearchOptions
		want []string
	}{
		{`harbour sort:date`, store.SearchOptions{}, []string{"a3", "a6", "a1"}},
		{`harbour sort:oldest`, store.SearchOptions{}, []string{"a1", "a6", "a3"}},
		{`harbour`, store.SearchOptions{Sort: query.SortNewest}, []string{"a3", "a6", "a1"}},
		{`harbour sort:oldest`, store.SearchOptions{Sort: query.SortNewest}, []string{"a1", "a6", "a3"}}, // the query wins
		{``, store.SearchOptions{}, []string{"a7", "a8", "a4", "a3", "a2", "a6", "a1", "a5"}},            // no words: newest first
		{`lang:en`, store.SearchOptions{Sort: query.SortOldest}, []string{"a1", "a6", "a2", "a3", "a8", "a7"}},
		// Archived: the order the fixture was stored in, latest first,
		// whatever the dates (the words alone, with a filter, none).
		{`harbour sort:archived`, store.SearchOptions{}, []string{"a6", "a3", "a1"}},
		{`harbour`, store.SearchOptions{Sort: query.SortArchived}, []string{"a6", "a3", "a1"}},
		{`harbour lang:en sort:archived`, store.SearchOptions{}, []string{"a6", "a3", "a1"}},
		{`harbour OR storm sort:archived`, store.SearchOptions{}, []string{"a8", "a6", "a3", "a1"}},
		{``, store.SearchOptions{Sort: query.SortArchived}, []string{"a8", "a7", "a6", "a5", "a4", "a3", "a2", "a1"}},
		{`lang:en sort:archived`, store.SearchOptions{}, []string{"a8", "a7", "a6", "a3", "a2", "a1"}},
		{`lang:en sort:archived`, store.SearchOptions{Limit: 2, Offset: 2}, []string{"a6", "a3"}},
		{`harbour sort:archived`, store.SearchOptions{Limit: 1, Offset: 1}, []string{"a3"}},
	}
	for _, tt := range tests {
		if got := hitIDs(search(t, st, tt.q, tt.opts)); !slices.Equal(got, tt.want) {
			t.Errorf("Search(%q, %+v) = %v, want %v", tt.q, tt.opts, got, tt.want)
		}
	}
	// Relevance: a title match outranks a single mention in the text.
	res := search(t, st, `storm`, store.SearchOptions{})
	if got := hitIDs(res); len(got) != 2 || got[0] != "a3" {
		t.Errorf("Search(storm) = %v, want a3 first", got)
	}
	if len(res.Hits) == 2 && !(res.Hits[0].Score > res.Hits[1].Score) {
		t.Errorf("scores %v, %v: want the first higher", res.Hits[0].Score, res.Hits[1].Score)
	}
}

func testSearchPaging(t *testing.T, st store.Store) {
	full := hitIDs(search(t, st, ``, store.SearchOptions{}))
	var paged []string
	for off := 0; off < 10; off += 3 {
		res := search(t, st, ``, store.SearchOptions{Limit: 3, Offset: off})
		if res.Total != 8 {
			t.Errorf("offset %d: total %d, want 8", off, res.Total)
		}
		paged = append(paged, hitIDs(res)...)
	}
	if !slices.Equal(paged, full) {
		t.Errorf("pages = %v, want %v", paged, full)
	}
	res := search(t, st, `harbour`, store.SearchOptions{Limit: 2, Offset: 2})
	if len(res.Hits) != 1 || res.Total != 3 {
		t.Errorf("last page of harbour: %v of %d, want 1 of 3", hitIDs(res), res.Total)
	}
	res = search(t, st, `harbour`, store.SearchOptions{Offset: 50})
	if len(res.Hits) != 0 || res.Total != 3 || res.Hits == nil {
		t.Errorf("past the end: %v (nil %v) of %d, want an empty page of 3", hitIDs(res), res.Hits == nil, res.Total)
	}
}

func testSearchCollapse(t *testing.T, st store.Store) {
	res := search(t, st, `harbour sort:date`, store.SearchOptions{Collapse: true})
	if got := hitIDs(res); !slices.Equal(got, []string{"a3", "a6"}) {
		t.Errorf("collapsed = %v, want [a3 a6] (a6 is the newest of its cluster)", got)
	}
	if res.Total != 2 {
		t.Errorf("collapsed total = %d, want 2", res.Total)
	}
	for _, h := range res.Hits {
		want := map[string]int{"a3": 0, "a6": 1}[h.Record.ID]
		if h.Duplicates != want {
			t.Errorf("hit %s duplicates = %d, want %d", h.Record.ID, h.Duplicates, want)
		}
	}
	// Only matching members count: a6 alone matches Syndicator's site.
	res = search(t, st, `harbour site:syndicator.com`, store.SearchOptions{Collapse: true})
	if got := hitIDs(res); !slices.Equal(got, []string{"a6"}) || res.Hits[0].Duplicates != 0 {
		t.Errorf("collapsed with site = %v", got)
	}
	// Latest archived first: a story by its latest archived copy.
	res = search(t, st, `harbour sort:archived`, store.SearchOptions{Collapse: true})
	if got := hitIDs(res); !slices.Equal(got, []string{"a6", "a3"}) || res.Total != 2 || res.Hits[0].Duplicates != 1 {
		t.Errorf("collapsed, archived order = %v of %d", got, res.Total)
	}
	res = search(t, st, `lang:en sort:archived`, store.SearchOptions{Collapse: true})
	if got := hitIDs(res); !slices.Equal(got, []string{"a8", "a7", "a6", "a3", "a2"}) {
		t.Errorf("collapsed with a filter, archived order = %v", got)
	}
	res = search(t, st, `harbour`, store.SearchOptions{Collapse: true, Limit: 1, Offset: 1})
	if len(res.Hits) != 1 || res.Total != 2 {
		t.Errorf("collapsed page 2 = %v of %d", hitIDs(res), res.Total)
	}
	if all := search(t, st, ``, store.SearchOptions{Collapse: true}); all.Total != 7 {
		t.Errorf("collapsed everything: total %d, want 7", all.Total)
	}
	// Totals of collapsed word queries, which backends may count apart
	// from the page.
	for q, want := range map[string]int{
		`harbour OR tempestade`: 3, // {a1 a6}, a3, a4
		`tempestade OR harbour`: 3,
		`harbour -storm`:        1, // {a1 a6}
		`-storm harbour`:        1,
		`storm OR heavy`:        3, // a2, a3, a8
	} {
		if res := search(t, st, q, store.SearchOptions{Collapse: true}); res.Total != want || len(res.Hits) != want {
			t.Errorf("collapsed %s: total %d, %d hits, want %d", q, res.Total, len(res.Hits), want)
		}
	}
}

// Ranking a query of words alone by relevance considers the
// store.RankWindow most recently archived matches; filters and date
// sorting see every match, and the total counts every match.
func testRankWindow(t *testing.T, st store.Store) {
	const early = 10 // the best matches, archived first
	var entries []store.Entry
	for i := range store.RankWindow + early {
		title := fmt.Sprintf("Report %d", i)
		if i < early {
			title = "Lighthouse lighthouse lighthouse"
		}
		entries = append(entries, store.Entry{Record: &store.Record{
			ID: fmt.Sprintf("w%05d", i), ContentHash: fmt.Sprintf("hash-w%05d", i),
			Article: article.Article{
				URL: fmt.Sprintf("https://window.example/a/%d", i), Title: title,
				Published: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
				Text:      fmt.Sprintf("The lighthouse keeper wrote entry %d.", i),
			}}})
	}
	Load(t, st, entries)
	isEarly := func(id string) bool { return id < fmt.Sprintf("w%05d", early) }
	for _, collapse := range []bool{false, true} {
		res := search(t, st, `lighthouse`, store.SearchOptions{Limit: 20, Collapse: collapse})
		if res.Total != store.RankWindow+early {
			t.Errorf("collapse %v: total %d, want %d", collapse, res.Total, store.RankWindow+early)
		}
		if ids := hitIDs(res); len(ids) != 20 || slices.ContainsFunc(ids, isEarly) {
			t.Errorf("collapse %v: words alone ranked outside the window: %v", collapse, ids)
		}
		// Paging reaches the window's matches only, whatever words
		// alone are asked for; filters and date orders reach them all.
		for q, want := range map[string]int{`lighthouse`: store.RankWindow, `lighthouse -nowhere`: store.RankWindow,
			`(lighthouse OR beacon) keeper`: store.RankWindow, `lighthouse site:window.example`: store.RankWindow + early,
			`lighthouse OR site:window.example`: store.RankWindow + early} {
			if got := search(t, st, q, store.SearchOptions{Limit: 20, Collapse: collapse}).Pageable(); got != want {
				t.Errorf("collapse %v: %s pages through %d hits, want %d", collapse, q, got, want)
			}
		}
		if got := search(t, st, `lighthouse`, store.SearchOptions{Limit: 20, Collapse: collapse, Sort: query.SortOldest}).Pageable(); got != store.RankWindow+early {
			t.Errorf("collapse %v: lighthouse by date pages through %d hits, want %d", collapse, got, store.RankWindow+early)
		}
		res = search(t, st, `lighthouse site:window.example`, store.SearchOptions{Limit: 20, Collapse: collapse})
		ids := hitIDs(res)
		first := 0
		for first < len(ids) && isEarly(ids[first]) {
			first++
		}
		if len(ids) != 20 || first != early || slices.ContainsFunc(ids[early:], isEarly) {
			t.Errorf("collapse %v: with a filter, want the %d early matches first: %v", collapse, early, ids)
		}
	}
}

// A collapsed search of words alone pages through the clusters of the
// rank window: here its matches come in pairs of copies, half as many
// clusters, though the total counts every matching cluster.
func testRankWindowClusters(t *testing.T, st store.Store) {
	const early = 10
	var entries []store.Entry
	for i := range store.RankWindow + early {
		r := &store.Record{ID: fmt.Sprintf("w%05d", i), ContentHash: fmt.Sprintf("hash-w%05d", i),
			Article: article.Article{URL: fmt.Sprintf("https://window.example/a/%d", i), Title: fmt.Sprintf("Report %d", i),
				Published: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
				Text:      fmt.Sprintf("The lighthouse keeper wrote entry %d.", i)}}
		if i >= early && (i-early)%2 == 1 {
			r.ClusterID = fmt.Sprintf("w%05d", i-1)
		}
		entries = append(entries, store.Entry{Record: r})
	}
	Load(t, st, entries)
	res := search(t, st, `lighthouse`, store.SearchOptions{Limit: 20, Collapse: true})
	if res.Total != early+store.RankWindow/2 || res.Pageable() != store.RankWindow/2 {
		t.Errorf("collapsed: total %d, pageable %d; want %d and %d", res.Total, res.Pageable(), early+store.RankWindow/2, store.RankWindow/2)
	}
	last := search(t, st, `lighthouse`, store.SearchOptions{Limit: 20, Collapse: true, Offset: store.RankWindow/2 - 20})
	past := search(t, st, `lighthouse`, store.SearchOptions{Limit: 20, Collapse: true, Offset: store.RankWindow / 2})
	if len(last.Hits) != 20 || len(past.Hits) != 0 {
		t.Errorf("collapsed: last page %d hits, past it %d; want 20 and 0", len(last.Hits), len(past.Hits))
	}
	if res := search(t, st, `lighthouse`, store.SearchOptions{Limit: 20}); res.Pageable() != store.RankWindow {
		t.Errorf("not collapsed: pageable %d, want %d", res.Pageable(), store.RankWindow)
	}
}

func testSearchHits(t *testing.T, st store.Store) {
	res := search(t, st, `breakwater`, store.SearchOptions{Sort: query.SortOldest})
	if len(res.Hits) != 2 {
		t.Fatalf("hits = %v", hitIDs(res))
	}
	h := res.Hits[0]
	if h.Record.ID != "a1" || h.Record.Title != "Harbour reopens after repairs" || h.Record.Text != "" ||
		h.Record.Published.IsZero() || h.Record.Authors[0] != "Jane Doe" || h.Record.ClusterID != "a1" {
		t.Errorf("hit record = %+v, want a1's fields without text", h.Record)
	}
	found := false
	for _, p := range store.SnippetParts(h.Snippet) {
		if p.Match && strings.EqualFold(p.Text, "breakwater") {
			found = true
		}
		if p.Match && !strings.EqualFold(p.Text, "breakwater") {
			t.Errorf("highlighted %q in %q", p.Text, h.Snippet)
		}
	}
	if !found {
		t.Errorf("snippet %q does not highlight breakwater", h.Snippet)
	}
	if n := strings.Count(h.Snippet, store.HighlightStart); n != strings.Count(h.Snippet, store.HighlightEnd) {
		t.Errorf("unbalanced markers in %q", h.Snippet)
	}
	// Without words there is nothing to highlight, but there is a snippet.
	res = search(t, st, `site:news.ru`, store.SearchOptions{})
	if len(res.Hits) != 1 || res.Hits[0].Snippet == "" || strings.Contains(res.Hits[0].Snippet, store.HighlightStart) {
		t.Errorf("filter-only hit snippet = %q", res.Hits[0].Snippet)
	}
	if !strings.Contains(res.Hits[0].Snippet, "Москве") {
		t.Errorf("filter-only snippet %q, want the start of the text", res.Hits[0].Snippet)
	}
}

func testSearchOptions(t *testing.T, st store.Store) {
	ctx := context.Background()
	for _, o := range []store.SearchOptions{{Limit: -1}, {Limit: store.MaxLimit + 1}, {Offset: -1}} {
		if _, err := st.Search(ctx, mustParse(t, "harbour"), o); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Search with %+v: err = %v, want ErrInvalid", o, err)
		}
	}
	_, err := store.ParseQuery(`after:2022-13-01`)
	var qe *query.Error
	if !errors.Is(err, store.ErrInvalid) || !errors.As(err, &qe) {
		t.Errorf("ParseQuery error %v: want ErrInvalid wrapping *query.Error", err)
	}
	// The zero query value matches everything, like the empty string.
	res, err := st.Search(ctx, &query.Query{}, store.SearchOptions{})
	if err != nil || res.Total != 8 {
		t.Errorf("Search(zero query) = %v, %v", res, err)
	}
}

func testTimeline(t *testing.T, st store.Store) {
	ctx := context.Background()
	day := func(s string) time.Time { return date(s + "T00:00:00Z") }
	tests := []struct {
		q    string
		opts store.TimelineOptions
		want []store.Bucket
	}{
		{``, store.TimelineOptions{By: store.Month}, []store.Bucket{
			{Start: day("2020-12-01"), Count: 1}, {Start: day("2021-06-01"), Count: 3},
			{Start: day("2022-01-01"), Count: 1}, {Start: day("2022-02-01"), Count: 1},
			{Start: day("2023-01-01"), Count: 1}, {Start: day("2023-03-01"), Count: 1}}},
		{`harbour`, store.TimelineOptions{}, []store.Bucket{
			{Start: day("2021-06-03"), Count: 1}, {Start: day("2021-06-04"), Count: 1},
			{Start: day("2022-01-15"), Count: 1}}},
		{`-harbour`, store.TimelineOptions{By: store.Week}, []store.Bucket{
			{Start: day("2020-12-28"), Count: 1}, {Start: day("2021-06-07"), Count: 1},
			{Start: day("2022-01-31"), Count: 1}, {Start: day("2023-01-02"), Count: 1},
			{Start: day("2023-02-27"), Count: 1}}},
		{`tag:weather`, store.TimelineOptions{By: store.Month, Split: store.TopSite}, []store.Bucket{
			{Start: day("2021-06-01"), Key: "example.org", Count: 1},
			{Start: day("2021-06-01"), Key: "news.example.com", Count: 1},
			{Start: day("2021-06-01"), Key: "syndicator.com", Count: 1}}},
		{`nothingmatchesthis`, store.TimelineOptions{}, nil},
	}
	for _, tt := range tests {
		got, err := st.Timeline(ctx, mustParse(t, tt.q), tt.opts)
		if err != nil {
			t.Fatalf("Timeline(%q): %v", tt.q, err)
		}
		if !slices.EqualFunc(got, tt.want, func(a, b store.Bucket) bool {
			return a.Start.Equal(b.Start) && a.Key == b.Key && a.Count == b.Count
		}) {
			t.Errorf("Timeline(%q, %+v) =\n%v\nwant\n%v", tt.q, tt.opts, got, tt.want)
		}
	}
	for _, o := range []store.TimelineOptions{{By: "year"}, {Split: store.TopTag}} {
		if _, err := st.Timeline(ctx, mustParse(t, ""), o); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Timeline with %+v: err = %v, want ErrInvalid", o, err)
		}
	}
	if w := store.Week.Truncate(date("2023-03-05T23:00:00+05:00")); !w.Equal(day("2023-02-27")) {
		t.Errorf("Week.Truncate = %v", w)
	}
}

// A timeline sees the writes committed before it: new articles, and
// dates changed by a refresh or a new version (a backend that caches
// dates must notice).
func testTimelineFollowsWrites(t *testing.T, st store.Store) {
	ctx := context.Background()
	count := func(q string) map[string]int {
		t.Helper()
		got, err := st.Timeline(ctx, mustParse(t, q), store.TimelineOptions{By: store.Month})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]int{}
		for _, b := range got {
			m[b.Start.Format("2006-01")] = b.Count
		}
		return m
	}
	for _, q := range []string{"harbour", ""} {
		before := count(q)
		moved := entry("a1") // from June 2021 to March 2024, by a refresh
		moved.Record.Published = date("2024-03-10T08:00:00Z")
		if out := put(t, st, moved); out != store.Refreshed {
			t.Fatalf("refresh = %v", out)
		}
		fresh := entry("a3") // a new article in May 2024
		fresh.Record.ID, fresh.Record.URL, fresh.Record.CanonicalURL = "new-"+q, "https://new.example/"+q, "https://new.example/"+q
		fresh.Record.Published = date("2024-05-01T00:00:00Z")
		put(t, st, fresh)
		after := count(q)
		if after["2021-06"] != before["2021-06"]-1 || after["2024-03"] != 1 || after["2024-05"] != before["2024-05"]+1 {
			t.Errorf("Timeline(%q) before %v, after the writes %v", q, before, after)
		}
		put(t, st, entry("a1")) // back to June 2021
	}
}

func testTop(t *testing.T, st store.Store) {
	ctx := context.Background()
	tests := []struct {
		q     string
		field store.TopField
		n     int
		want  []store.Count
	}{
		{``, store.TopSite, 3, []store.Count{{Key: "example.org", Count: 2}, {Key: "blog.example.com", Count: 1}, {Key: "jornal.com.br", Count: 1}}},
		{``, store.TopAuthor, 10, []store.Count{{Key: "Jane Doe", Count: 3}, {Key: "Ali Khan", Count: 1}, {Key: "John Smith", Count: 1}, {Key: "Maria Silva", Count: 1}}},
		{`harbour`, store.TopTag, 10, []store.Count{{Key: "Climate Change", Count: 2}, {Key: "Weather", Count: 2}, {Key: "Storms", Count: 1}}},
		{`harbour`, store.TopAuthor, 1, []store.Count{{Key: "Jane Doe", Count: 3}}},
		{`site:example.org`, store.TopSite, 10, []store.Count{{Key: "example.org", Count: 2}}},
		{`nothingmatchesthis`, store.TopTag, 10, []store.Count{}},
		// Languages and sections as stored; articles without one are
		// not counted.
		{``, store.TopLang, 10, []store.Count{{Key: "en", Count: 5}, {Key: "en-GB", Count: 1}, {Key: "pt-BR", Count: 1}, {Key: "ru", Count: 1}}},
		{`lang:en`, store.TopLang, 1, []store.Count{{Key: "en", Count: 5}}},
		{`harbour`, store.TopSection, 10, []store.Count{{Key: "World", Count: 2}}},
		{`-lang:en`, store.TopSection, 10, []store.Count{{Key: "Brasil", Count: 1}}},
		{`section:world`, store.TopLang, 10, []store.Count{{Key: "en", Count: 2}}},
		{`москва`, store.TopSection, 10, []store.Count{}},
		// The sites copies name as their original.
		{``, store.TopOriginal, 10, []store.Count{{Key: "news.example.com", Count: 1}}},
		{`harbour`, store.TopOriginal, 10, []store.Count{{Key: "news.example.com", Count: 1}}},
		{`storm`, store.TopOriginal, 10, []store.Count{}},
	}
	for _, tt := range tests {
		got, err := st.Top(ctx, mustParse(t, tt.q), tt.field, tt.n)
		if err != nil {
			t.Fatalf("Top(%q, %s): %v", tt.q, tt.field, err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Top(%q, %s, %d) = %v, want %v", tt.q, tt.field, tt.n, got, tt.want)
		}
	}
	if _, err := st.Top(ctx, mustParse(t, ""), "colour", 5); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Top(colour) err = %v, want ErrInvalid", err)
	}
	if _, err := st.Top(ctx, mustParse(t, ""), store.TopSite, 0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Top(n=0) err = %v, want ErrInvalid", err)
	}
}

func testScan(t *testing.T, st store.Store) {
	ctx := context.Background()
	scan := func(q string) []*store.Record {
		var out []*store.Record
		if err := st.Scan(ctx, mustParse(t, q), func(r *store.Record) error {
			out = append(out, r)
			return nil
		}); err != nil {
			t.Fatalf("Scan(%q): %v", q, err)
		}
		return out
	}
	all := scan(``)
	if ids := recordIDs(all); !slices.Equal(ids, []string{"a5", "a1", "a6", "a2", "a3", "a4", "a8", "a7"}) {
		t.Errorf("Scan order = %v", ids)
	}
	fixture := map[string]*store.Record{}
	for _, e := range Fixture() {
		e.Record.Version = 1
		if e.Record.ClusterID == "" {
			e.Record.ClusterID = e.Record.ID
		}
		fixture[e.Record.ID] = e.Record
	}
	for _, r := range all {
		if g, w := recordJSON(t, r), recordJSON(t, fixture[r.ID]); g != w {
			t.Errorf("scanned %s:\n got %s\nwant %s", r.ID, g, w)
		}
	}
	if ids := recordIDs(scan(`harbour`)); !slices.Equal(ids, []string{"a1", "a6", "a3"}) {
		t.Errorf("Scan(harbour) = %v", ids)
	}
	stop := errors.New("stop")
	n := 0
	err := st.Scan(ctx, mustParse(t, ""), func(*store.Record) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("Scan stopping: err %v after %d calls, want stop after 1", err, n)
	}
	// ScanMeta gives what Scan gives, but the texts.
	ms, ok := st.(store.MetaScanner)
	if !ok {
		t.Fatalf("%T is not a store.MetaScanner", st)
	}
	for _, q := range []string{``, `harbour`, `site:news.example.com`, `-harbour after:2020-01-01`} {
		var got []*store.Record
		if err := ms.ScanMeta(ctx, mustParse(t, q), func(r *store.Record) error {
			got = append(got, r)
			return nil
		}); err != nil {
			t.Fatalf("ScanMeta(%q): %v", q, err)
		}
		want := scan(q)
		if len(got) != len(want) {
			t.Errorf("ScanMeta(%q) = %v, Scan %v", q, recordIDs(got), recordIDs(want))
			continue
		}
		for i, w := range want {
			w.Text = ""
			if g, w := recordJSON(t, got[i]), recordJSON(t, w); g != w {
				t.Errorf("ScanMeta(%q) %d:\n got %s\nwant %s", q, i, g, w)
			}
		}
	}
	n = 0
	err = ms.ScanMeta(ctx, mustParse(t, ""), func(*store.Record) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("ScanMeta stopping: err %v after %d calls, want stop after 1", err, n)
	}
}

func testStats(t *testing.T, st store.Store) {
	ctx := context.Background()
	changed := entry("a3")
	changed.Record.Text = "Repairs to the harbour wall have begun."
	changed.Record.ContentHash = Hash(changed.Record.Text)
	put(t, st, changed)
	if err := st.AddSource(ctx, &store.Source{URL: "https://news.example.com/feed.xml", Kind: store.KindFeed}); err != nil {
		t.Fatal(err)
	}
	s, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var text int64
	for _, e := range Fixture() {
		if e.Record.ID != "a3" {
			text += int64(len(e.Record.Text))
		}
	}
	text += int64(len(changed.Record.Text))
	want := store.Stats{Articles: 8, Versions: 1, Clusters: 1, Duplicates: 1, Sites: 7, Sources: 1,
		Oldest: date("2020-12-31T23:30:00Z"), Newest: date("2023-03-05T00:00:00Z"), TextBytes: text}
	got := *s
	got.Bytes = 0
	if got != want {
		t.Errorf("Stats =\n%+v\nwant\n%+v", got, want)
	}
	if s.Bytes < 0 {
		t.Errorf("Bytes = %d", s.Bytes)
	}
}

func testSources(t *testing.T, st store.Store) {
	ctx := context.Background()
	s := &store.Source{URL: "https://news.example.com/feed.xml", Kind: store.KindFeed, Interval: 15 * time.Minute}
	if err := st.AddSource(ctx, s); err != nil {
		t.Fatal(err)
	}
	if s.ID == 0 || s.Added.IsZero() {
		t.Errorf("added source %+v: want ID and Added set", s)
	}
	if err := st.AddSource(ctx, &store.Source{URL: s.URL, Kind: store.KindFeed}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate AddSource err = %v, want ErrConflict", err)
	}
	for _, bad := range []*store.Source{{Kind: store.KindFeed}, {URL: "https://x.org/", Kind: "carrier-pigeon"}} {
		if err := st.AddSource(ctx, bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("AddSource(%+v) err = %v, want ErrInvalid", bad, err)
		}
	}
	s2 := &store.Source{URL: "https://example.org/sitemap.xml", Kind: store.KindSitemap, Paused: true,
		Added: date("2024-01-01T00:00:00Z")}
	if err := st.AddSource(ctx, s2); err != nil {
		t.Fatal(err)
	}
	now := date("2024-05-01T12:00:00Z")
	s.LastPolled, s.NextPoll, s.LastError = now, now.Add(s.Interval), "HTTP 503"
	s.ETag, s.LastModified = `"abc"`, "Wed, 01 May 2024 11:00:00 GMT"
	if err := st.UpdateSource(ctx, s); err != nil {
		t.Fatal(err)
	}
	got, err := st.Source(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if *got != *s {
		t.Errorf("Source = %+v, want %+v", got, s)
	}
	if got.Due(now) || !got.Due(now.Add(time.Hour)) {
		t.Errorf("Due: polled at %v, next %v", got.LastPolled, got.NextPoll)
	}
	list, err := st.ListSources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != s.ID || list[1].URL != s2.URL || !list[1].Paused || !list[1].Added.Equal(s2.Added) {
		t.Errorf("ListSources = %+v", list)
	}
	if err := st.RemoveSource(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Source(ctx, s.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Source after remove err = %v", err)
	}
	if err := st.RemoveSource(ctx, s.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second remove err = %v", err)
	}
	if err := st.UpdateSource(ctx, s); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update of removed source err = %v", err)
	}
}

func testFetchLog(t *testing.T, st store.Store) {
	ctx := context.Background()
	src := &store.Source{URL: "https://example.org/feed", Kind: store.KindFeed}
	if err := st.AddSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	at := date("2024-05-01T12:00:00Z")
	fs := []*store.Fetch{
		{SourceID: src.ID, URL: "https://example.org/feed", At: at, Status: 200, Duration: 120 * time.Millisecond, Bytes: 5000},
		{SourceID: src.ID, URL: "https://example.org/a", At: at.Add(time.Second), Status: 200, Bytes: 30000, ArticleID: "a1"},
		{URL: "https://elsewhere.example/x", At: at.Add(2 * time.Second), Error: "robots"},
	}
	for _, f := range fs {
		if err := st.LogFetch(ctx, f); err != nil {
			t.Fatal(err)
		}
		if f.ID == 0 {
			t.Error("LogFetch did not set ID")
		}
	}
	got, err := st.Fetches(ctx, src.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || *got[0] != *fs[1] || *got[1] != *fs[0] {
		t.Errorf("Fetches(source) = %+v, want the source's two, newest first", got)
	}
	all, err := st.Fetches(ctx, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || *all[0] != *fs[2] {
		t.Errorf("Fetches(all, 2) = %+v", all)
	}
}

// testFrontierLastmods: a store that keeps sitemap lastmods in its
// frontier (store.LastmodKeeper) stores them on Enqueue, changes them
// with KeepLastmod, and returns them with the items, whatever becomes of
// the URL's state.
func testFrontierLastmods(t *testing.T, st store.Store) {
	k, ok := st.(store.LastmodKeeper)
	if !ok {
		t.Skip("the store keeps no lastmods")
	}
	ctx := context.Background()
	t0 := date("2024-05-01T12:00:00Z")
	lm := date("2024-05-02T08:30:00.123Z")
	if _, err := st.Enqueue(ctx, []store.FrontierItem{
		{URL: "https://a.example/1", Host: "a.example", Added: t0, Lastmod: lm, LastmodFetched: true},
		{URL: "https://a.example/2", Host: "a.example", Added: t0},
	}); err != nil {
		t.Fatal(err)
	}
	lastmods := func() map[string]string {
		t.Helper()
		items, err := st.FrontierItems(ctx, []string{"https://a.example/1", "https://a.example/2"})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, it := range items {
			out[it.URL] = fmt.Sprintf("%s %v", it.Lastmod.Format(time.RFC3339Nano), it.LastmodFetched)
		}
		return out
	}
	never := time.Time{}.Format(time.RFC3339Nano)
	want := map[string]string{"https://a.example/1": "2024-05-02T08:30:00.123Z true", "https://a.example/2": never + " false"}
	if got := lastmods(); !maps.Equal(got, want) {
		t.Errorf("after Enqueue: %v, want %v", got, want)
	}
	claimed, err := st.Claim(ctx, t0, 10)
	if err != nil || len(claimed) != 2 || !claimed[0].Lastmod.Equal(lm) || !claimed[0].LastmodFetched {
		t.Errorf("Claim = %+v, %v; want a.example/1 with its lastmod", claimed, err)
	}
	if err := st.Done(ctx, "https://a.example/1"); err != nil {
		t.Fatal(err)
	}
	later := date("2024-05-03T00:00:00Z")
	for _, c := range []struct {
		url     string
		lastmod time.Time
		fetched bool
		ok      bool
	}{
		{"https://a.example/2", later, false, true},
		{"https://a.example/1", later, true, true},
		{"https://a.example/1", later, false, true},
		{"https://nope.example/", later, true, false},
	} {
		if ok, err := k.KeepLastmod(ctx, c.url, c.lastmod, c.fetched); ok != c.ok || err != nil {
			t.Errorf("KeepLastmod(%s) = %v, %v; want %v", c.url, ok, err, c.ok)
		}
	}
	want = map[string]string{"https://a.example/1": "2024-05-03T00:00:00Z false", "https://a.example/2": "2024-05-03T00:00:00Z false"}
	if got := lastmods(); !maps.Equal(got, want) {
		t.Errorf("after KeepLastmod: %v, want %v", got, want)
	}
	if seen, _ := st.Seen(ctx, "https://nope.example/"); seen {
		t.Error("KeepLastmod of an unknown URL added it to the frontier")
	}
	if ok, err := k.KeepLastmod(ctx, "https://a.example/2", time.Time{}, true); !ok || err != nil {
		t.Errorf("KeepLastmod(zero) = %v, %v", ok, err)
	}
	want["https://a.example/2"] = never + " true"
	if got := lastmods(); !maps.Equal(got, want) {
		t.Errorf("after forgetting: %v, want %v", got, want)
	}
	// The state moves on without touching the lastmod.
	if err := st.Retry(ctx, "https://a.example/1", t0, "changed (lastmod)"); err != nil {
		t.Fatal(err)
	}
	if got := lastmods()["https://a.example/1"]; got != want["https://a.example/1"] {
		t.Errorf("after Retry: %s, want %s", got, want["https://a.example/1"])
	}
}

func testSitemapValidators(t *testing.T, st store.Store) {
	k, ok := st.(store.ValidatorKeeper)
	if !ok {
		t.Fatal("the store keeps no sitemap validators (store.ValidatorKeeper)")
	}
	ctx := context.Background()
	get := func(url string) store.Validators {
		t.Helper()
		v, err := k.SitemapValidators(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	a, b := "https://a.example/sitemap-1.xml", "https://a.example/sitemap-2.xml"
	if v := get(a); v != (store.Validators{}) {
		t.Errorf("unknown URL: %+v, want none", v)
	}
	v1 := store.Validators{ETag: `W/"abc"`, LastModified: "Wed, 01 May 2024 08:00:00 GMT"}
	for url, v := range map[string]store.Validators{a: v1, b: {ETag: `"b1"`}} {
		if err := k.KeepSitemapValidators(ctx, url, v); err != nil {
			t.Fatal(err)
		}
	}
	if got := get(a); got != v1 {
		t.Errorf("kept %+v, read %+v", v1, got)
	}
	v2 := store.Validators{LastModified: "Thu, 02 May 2024 08:00:00 GMT"}
	if err := k.KeepSitemapValidators(ctx, a, v2); err != nil {
		t.Fatal(err)
	}
	if got := get(a); got != v2 {
		t.Errorf("replaced with %+v, read %+v", v2, got)
	}
	if err := k.KeepSitemapValidators(ctx, a, store.Validators{}); err != nil {
		t.Fatal(err)
	}
	if got := get(a); got != (store.Validators{}) {
		t.Errorf("forgotten, read %+v", got)
	}
	if got := get(b); got.ETag != `"b1"` || got.LastModified != "" {
		t.Errorf("another URL: %+v", got)
	}
}

func testFrontier(t *testing.T, st store.Store) {
	ctx := context.Background()
	t0 := date("2024-05-01T12:00:00Z")
	items := []store.FrontierItem{
		{URL: "https://a.example/1", Host: "a.example", Added: t0},
		{URL: "https://b.example/1", Host: "b.example", Depth: 1, Added: t0,
			Hint: json.RawMessage(`{"title":"Storm «hits» the coast","published":"2024-05-01T10:00:00Z"}`)},
		{URL: "https://a.example/2", Host: "a.example", NotBefore: t0.Add(time.Hour), Added: t0},
		{URL: "https://a.example/1", Host: "a.example", Added: t0}, // a repeat
	}
	if n, next, err := st.Waiting(ctx); n != 0 || !next.IsZero() || err != nil {
		t.Errorf("Waiting on an empty frontier = %d, %v, %v", n, next, err)
	}
	n, err := st.Enqueue(ctx, items)
	if err != nil || n != 3 {
		t.Fatalf("Enqueue = %d, %v; want 3 added", n, err)
	}
	if n, _ := st.Enqueue(ctx, items[:2]); n != 0 {
		t.Errorf("re-Enqueue added %d", n)
	}
	got, err := st.Claim(ctx, t0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, it := range got {
		urls = append(urls, it.URL)
		if it.State != store.InFlight || it.Attempts != 1 {
			t.Errorf("claimed %+v: want in-flight, 1 attempt", it)
		}
	}
	if !slices.Equal(urls, []string{"https://a.example/1", "https://b.example/1"}) {
		t.Errorf("Claim = %v, want the two due, oldest first", urls)
	}
	if got[1].Depth != 1 || got[1].Host != "b.example" || !got[1].Added.Equal(t0) {
		t.Errorf("claimed item fields %+v", got[1])
	}
	if string(got[1].Hint) != string(items[1].Hint) || got[0].Hint != nil {
		t.Errorf("claimed hints %q and %q, want %q and none", got[1].Hint, got[0].Hint, items[1].Hint)
	}
	if more, _ := st.Claim(ctx, t0, 10); len(more) != 0 {
		t.Errorf("second Claim = %v, want none (in-flight and not yet due)", more)
	}
	if err := st.Done(ctx, "https://a.example/1"); err != nil {
		t.Fatal(err)
	}
	if err := st.Retry(ctx, "https://b.example/1", t0.Add(2*time.Hour), "HTTP 503"); err != nil {
		t.Fatal(err)
	}
	// Queued now: a.example/2 (+1h) and b.example/1 (+2h).
	if n, next, err := st.Waiting(ctx); n != 2 || !next.Equal(t0.Add(time.Hour)) || err != nil {
		t.Errorf("Waiting = %d, %v, %v; want 2, the next at %v", n, next, err, t0.Add(time.Hour))
	}
	later, err := st.Claim(ctx, t0.Add(90*time.Minute), 10)
	if err != nil || len(later) != 1 || later[0].URL != "https://a.example/2" {
		t.Fatalf("Claim at +90m = %+v, %v; want a.example/2", later, err)
	}
	// A crash: the in-flight item goes back to the queue.
	if n, err := st.RequeueInFlight(ctx); err != nil || n != 1 {
		t.Errorf("RequeueInFlight = %d, %v; want 1", n, err)
	}
	last, err := st.Claim(ctx, t0.Add(3*time.Hour), 10)
	if err != nil || len(last) != 2 {
		t.Fatalf("Claim at +3h = %+v, %v; want two", last, err)
	}
	for _, it := range last {
		if it.URL == "https://b.example/1" && (it.Attempts != 2 || it.Reason != "HTTP 503" || string(it.Hint) != string(items[1].Hint)) {
			t.Errorf("retried item %+v: want 2 attempts, the reason and the hint", it)
		}
	}
	// Postpone puts a claim back without counting it: b.example/1 is
	// claimed again with the 2 attempts it had, not 3.
	if err := st.Postpone(ctx, "https://b.example/1", t0.Add(3*time.Hour), "host held"); err != nil {
		t.Fatal(err)
	}
	if again, err := st.Claim(ctx, t0.Add(3*time.Hour), 10); err != nil || len(again) != 1 ||
		again[0].Attempts != 2 || again[0].Reason != "host held" {
		t.Fatalf("Claim after Postpone = %+v, %v; want b.example/1 with 2 attempts and the reason", again, err)
	}
	if err := st.Fail(ctx, "https://b.example/1", "HTTP 404"); err != nil {
		t.Fatal(err)
	}
	if err := st.Done(ctx, "https://a.example/2"); err != nil {
		t.Fatal(err)
	}
	counts, err := st.FrontierCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.Done] != 2 || counts[store.Failed] != 1 || counts[store.Queued] != 0 || counts[store.InFlight] != 0 {
		t.Errorf("FrontierCounts = %v", counts)
	}
	looked, err := st.FrontierItems(ctx, []string{"https://b.example/1", "https://nope.example/", "https://a.example/2"})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(looked, func(a, b store.FrontierItem) int { return strings.Compare(a.URL, b.URL) })
	if len(looked) != 2 || looked[0].URL != "https://a.example/2" || looked[0].State != store.Done ||
		looked[1].URL != "https://b.example/1" || looked[1].State != store.Failed || looked[1].Reason != "HTTP 404" || looked[1].Attempts != 2 {
		t.Errorf("FrontierItems = %+v; want a.example/2 done and b.example/1 failed (HTTP 404, 2 attempts), not the unknown URL", looked)
	}
	if many, err := st.FrontierItems(ctx, slices.Repeat([]string{"https://a.example/1"}, 1200)); err != nil || len(many) == 0 {
		t.Errorf("FrontierItems of 1200 URLs = %d items, %v", len(many), err)
	}
	for _, f := range []func() error{
		func() error { return st.Done(ctx, "https://nope.example/") },
		func() error { return st.Fail(ctx, "https://nope.example/", "x") },
		func() error { return st.Retry(ctx, "https://nope.example/", t0, "x") },
		func() error { return st.Postpone(ctx, "https://nope.example/", t0, "x") },
	} {
		if err := f(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown frontier URL err = %v, want ErrNotFound", err)
		}
	}
	if seen, _ := st.Seen(ctx, "https://b.example/1"); !seen {
		t.Error("failed URL not seen")
	}

	// Revive takes back a failure for the reasons given only, and only a
	// failure: a done or unknown URL is left alone.
	for _, c := range []struct {
		url     string
		reasons []string
	}{
		{"https://b.example/1", []string{"private address", "robots"}},
		{"https://a.example/2", nil},
		{"https://nope.example/", nil},
	} {
		if ok, err := st.Revive(ctx, c.url, t0, c.reasons); ok || err != nil {
			t.Errorf("Revive(%s, %q) = %v, %v; want false, nil", c.url, c.reasons, ok, err)
		}
	}
	if ok, err := st.Revive(ctx, "https://b.example/1", t0.Add(4*time.Hour), []string{"robots", "HTTP 404"}); !ok || err != nil {
		t.Fatalf("Revive of a failed URL = %v, %v; want true", ok, err)
	}
	if early, _ := st.Claim(ctx, t0.Add(3*time.Hour), 10); len(early) != 0 {
		t.Errorf("revived URL claimed before its not-before: %+v", early)
	}
	revived, err := st.Claim(ctx, t0.Add(4*time.Hour), 10)
	if err != nil || len(revived) != 1 || revived[0].URL != "https://b.example/1" || revived[0].Attempts != 1 ||
		string(revived[0].Hint) != string(items[1].Hint) {
		t.Fatalf("Claim after Revive = %+v, %v; want b.example/1 with its hint, attempts counted afresh", revived, err)
	}
	if err := st.Fail(ctx, "https://b.example/1", "robots"); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.Revive(ctx, "https://b.example/1", t0, nil); !ok || err != nil {
		t.Errorf("Revive with no reasons = %v, %v; want true", ok, err)
	}
}

// testScanCaptures: a CaptureScanner lists the articles that have a
// capture reference, by file name byte by byte (upper case before lower,
// whatever the database's collation), then offset, then id; articles
// without one are not listed.
func testScanCaptures(t *testing.T, st store.Store) {
	cs, ok := st.(store.CaptureScanner)
	if !ok {
		t.Skip("not a CaptureScanner")
	}
	var entries []store.Entry
	for i, c := range []*store.Capture{
		{File: "b.warc.gz", Offset: 5, RecordID: "<urn:uuid:b5>"},
		{File: "a.warc.gz", Offset: 900},
		nil,
		{File: "a.warc.gz", Offset: 10, RecordID: "<urn:uuid:a10>"},
		{File: "B.warc.gz", Offset: 70, RecordID: "<urn:uuid:B70>"},
		{File: "a.warc.gz", Offset: 10, RecordID: "<urn:uuid:a10>"}, // a second article on the same capture
	} {
		e := Fixture()[1]
		url := fmt.Sprintf("https://captures.example/%d", i)
		e.Record.ID, e.Record.URL, e.Record.CanonicalURL, e.Record.ClusterID = fmt.Sprintf("c%d", i), url, url+"?c", ""
		e.Record.Text = fmt.Sprintf("Article %d with its own text, so that none of them is a copy of another one here.", i)
		e.Record.ContentHash, e.Record.Capture, e.Bands = Hash(e.Record.Text), c, nil
		entries = append(entries, e)
	}
	Load(t, st, entries)
	var got []string
	err := cs.ScanCaptures(context.Background(), func(c store.CaptureRef) error {
		got = append(got, fmt.Sprintf("%s %s@%d %s %s %s", c.ID, c.Capture.File, c.Capture.Offset, c.Capture.RecordID, c.URL, c.CanonicalURL))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"c4 B.warc.gz@70 <urn:uuid:B70> https://captures.example/4 https://captures.example/4?c",
		"c3 a.warc.gz@10 <urn:uuid:a10> https://captures.example/3 https://captures.example/3?c",
		"c5 a.warc.gz@10 <urn:uuid:a10> https://captures.example/5 https://captures.example/5?c",
		"c1 a.warc.gz@900  https://captures.example/1 https://captures.example/1?c",
		"c0 b.warc.gz@5 <urn:uuid:b5> https://captures.example/0 https://captures.example/0?c",
	}
	if !slices.Equal(got, want) {
		t.Errorf("ScanCaptures listed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
