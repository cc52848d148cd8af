package storetest

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/store"
)

// RunDump is the conformance suite of the optional store.Dumper and
// store.Restorer, for backends that implement them (both must): what one
// store dumps, another restores as it was, and restoring twice adds
// nothing. open must return a new, empty store for each call; RunDump
// closes it.
func RunDump(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	src, dst := open(t), open(t)
	t.Cleanup(func() { src.Close(); dst.Close() })
	d, ok1 := src.(store.Dumper)
	r, ok2 := dst.(store.Restorer)
	if !ok1 || !ok2 {
		t.Fatalf("%T does not implement store.Dumper and store.Restorer", src)
	}
	// Articles in stored order (a2 updated after the others were
	// stored), with every version.
	Load(t, src, Fixture())
	changed := entry("a2")
	changed.Record.Text = "The flood warning was lifted this morning."
	changed.Record.ContentHash = Hash(changed.Record.Text)
	put(t, src, changed)
	var order []string
	var a2 []*store.Record
	if err := d.History(ctx, func(vs []*store.Record) error {
		order = append(order, vs[0].ID)
		if vs[0].ID == "a2" {
			a2 = vs
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"}; !slices.Equal(order, want) {
		t.Errorf("History order = %v, want %v", order, want)
	}
	if vs, err := src.Versions(ctx, "a2"); err != nil || jsonText(t, vs) != jsonText(t, a2) {
		t.Errorf("History of a2 = %s, want Versions' %s (%v)", jsonText(t, a2), jsonText(t, vs), err)
	}

	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	s1 := &store.Source{URL: "https://example.org/feed", Kind: store.KindFeed, Interval: time.Hour, Added: t0,
		LastPolled: t0, NextPoll: t0.Add(time.Hour), LastError: "HTTP 503", ETag: `"x"`, LastModified: "yesterday"}
	s2 := &store.Source{URL: "https://example.org/sitemap.xml", Kind: store.KindSitemap, Paused: true, Added: t0}
	for _, s := range []*store.Source{s1, s2} {
		if err := src.AddSource(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := src.RemoveSource(ctx, s1.ID); err != nil { // ids with a gap
		t.Fatal(err)
	}
	s3 := &store.Source{URL: "https://example.net/", Kind: store.KindSite, Added: t0}
	if err := src.AddSource(ctx, s3); err != nil {
		t.Fatal(err)
	}
	for i, f := range []*store.Fetch{
		{SourceID: s3.ID, URL: "https://example.net/", At: t0, Status: 200, Duration: time.Second, Bytes: 10, ArticleID: "a1"},
		{URL: "https://elsewhere.example/", At: t0.Add(time.Minute), Error: "robots"},
	} {
		if err := src.LogFetch(ctx, f); err != nil {
			t.Fatal(i, err)
		}
	}
	if _, err := src.Enqueue(ctx, []store.FrontierItem{
		{URL: "https://example.net/b", Host: "example.net", SourceID: s3.ID, Depth: 2, Added: t0},
		{URL: "https://example.net/a", Host: "example.net", Added: t0.Add(time.Second), Hint: json.RawMessage(`{"title":"A"}`)},
		{URL: "https://example.net/c", Host: "example.net", Added: t0.Add(2 * time.Second),
			Lastmod: t0.Add(-time.Hour), LastmodFetched: true},
	}); err != nil {
		t.Fatal(err)
	}
	k, keeps := src.(store.LastmodKeeper)
	if keeps {
		if _, err := k.KeepLastmod(ctx, "https://example.net/a", t0.Add(3*time.Hour), false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := src.Claim(ctx, t0.Add(time.Hour), 1); err != nil {
		t.Fatal(err)
	}
	if err := src.Retry(ctx, "https://example.net/a", t0.Add(2*time.Hour), "HTTP 429"); err != nil {
		t.Fatal(err)
	}

	vk, keepsValidators := src.(store.ValidatorKeeper)
	if keepsValidators {
		for u, v := range map[string]store.Validators{
			"https://example.org/sitemap-b.xml": {ETag: `"b"`},
			"https://example.org/sitemap-a.xml": {ETag: `W/"a"`, LastModified: "Wed, 01 May 2024 12:00:00 GMT"},
		} {
			if err := vk.KeepSitemapValidators(ctx, u, v); err != nil {
				t.Fatal(err)
			}
		}
	}

	sources, err := src.ListSources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var validators []store.KeptValidators
	if err := d.DumpSitemapValidators(ctx, func(v store.KeptValidators) error { validators = append(validators, v); return nil }); err != nil {
		t.Fatal(err)
	}
	if keepsValidators && (len(validators) != 2 || validators[0].URL != "https://example.org/sitemap-a.xml" ||
		validators[0].LastModified == "" || validators[1].ETag != `"b"` || validators[0].Kept.IsZero()) {
		t.Fatalf("dumped sitemap validators %+v", validators)
	}
	var fetches []*store.Fetch
	if err := d.DumpFetches(ctx, func(f *store.Fetch) error { fetches = append(fetches, f); return nil }); err != nil {
		t.Fatal(err)
	}
	var items []store.FrontierItem
	if err := d.DumpFrontier(ctx, func(it store.FrontierItem) error { items = append(items, it); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(fetches) != 2 || fetches[0].ArticleID != "a1" || len(items) != 3 || items[0].State != store.InFlight ||
		items[1].Reason != "HTTP 429" || items[0].Attempts != 1 || string(items[1].Hint) != `{"title":"A"}` ||
		keeps && (!items[1].Lastmod.Equal(t0.Add(3*time.Hour)) || items[1].LastmodFetched || !items[2].LastmodFetched) {
		t.Fatalf("dumped fetches %+v, frontier %+v", fetches, items)
	}
	for range 2 { // the second time adds nothing
		want := [4]int{2, 2, 3, len(validators)}
		if len(sources) == 0 {
			want = [4]int{}
		}
		ns, err1 := r.RestoreSources(ctx, sources)
		nf, err2 := r.RestoreFetches(ctx, fetches)
		ni, err3 := r.RestoreFrontier(ctx, items)
		nv, err4 := r.RestoreSitemapValidators(ctx, validators)
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
			t.Fatal(err1, err2, err3, err4)
		}
		if got := [4]int{ns, nf, ni, nv}; got != want {
			t.Errorf("restored %v, want %v", got, want)
		}
		sources = sources[:0]
	}
	gotSources, err := dst.ListSources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantSources, _ := src.ListSources(ctx)
	if jsonText(t, gotSources) != jsonText(t, wantSources) {
		t.Errorf("restored sources %s, want %s", jsonText(t, gotSources), jsonText(t, wantSources))
	}
	var gotFetches []*store.Fetch
	dst.(store.Dumper).DumpFetches(ctx, func(f *store.Fetch) error { gotFetches = append(gotFetches, f); return nil })
	if jsonText(t, gotFetches) != jsonText(t, fetches) {
		t.Errorf("restored fetches %s, want %s", jsonText(t, gotFetches), jsonText(t, fetches))
	}
	var gotItems []store.FrontierItem
	dst.(store.Dumper).DumpFrontier(ctx, func(it store.FrontierItem) error { gotItems = append(gotItems, it); return nil })
	if jsonText(t, gotItems) != jsonText(t, items) {
		t.Errorf("restored frontier %s, want %s", jsonText(t, gotItems), jsonText(t, items))
	}
	var gotValidators []store.KeptValidators
	dst.(store.Dumper).DumpSitemapValidators(ctx, func(v store.KeptValidators) error { gotValidators = append(gotValidators, v); return nil })
	if jsonText(t, gotValidators) != jsonText(t, validators) {
		t.Errorf("restored sitemap validators %s, want %s", jsonText(t, gotValidators), jsonText(t, validators))
	}
	if keepsValidators {
		if v, err := dst.(store.ValidatorKeeper).SitemapValidators(ctx, "https://example.org/sitemap-b.xml"); err != nil || v.ETag != `"b"` {
			t.Errorf("restored validators of sitemap-b: %+v, %v", v, err)
		}
	}
	// New rows after a restore get new ids.
	s4 := &store.Source{URL: "https://example.com/new", Kind: store.KindFeed}
	if err := dst.AddSource(ctx, s4); err != nil || s4.ID <= s3.ID {
		t.Errorf("source added after a restore: id %d (after %d), %v", s4.ID, s3.ID, err)
	}
	f := &store.Fetch{URL: "https://example.com/new"}
	if err := dst.LogFetch(ctx, f); err != nil || f.ID <= fetches[1].ID {
		t.Errorf("fetch logged after a restore: id %d, %v", f.ID, err)
	}
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
