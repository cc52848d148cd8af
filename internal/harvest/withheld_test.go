package harvest

import (
	"context"
	"os"
	"testing"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/store"
)

// withhold makes the archive withhold the article of rawURL (a takedown)
// and returns the URL's canonical form.
func withhold(t *testing.T, st store.Store, rawURL string) string {
	t.Helper()
	ctx := context.Background()
	cu, err := canon.URL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := tx.(store.Withholder).Withhold(ctx, store.WithheldArticle{ID: canon.ID(cu), URL: cu, Reason: "takedown"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return cu
}

// TestHarvestSkipsWithheld: a URL the archive withholds (a takedown) is
// not fetched again when a sitemap lists it, nor stored; the others are.
func TestHarvestSkipsWithheld(t *testing.T) {
	ctx := context.Background()
	ts, arts := gazette(t, "0.01")
	st, dir := testArchive(t)
	withhold(t, st, ts.url(arts[0].path))
	h := newTestHarvester(t, st, testOptions(dir))
	addSource(t, st, ts.url("/sitemap_index.xml"), store.KindSitemap)
	sum, err := h.RunDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := ts.hit(arts[0].path); n != 0 {
		t.Errorf("the withheld URL was fetched %d times", n)
	}
	if stored(t, st, ts.url(arts[0].path)) != nil {
		t.Errorf("the withheld article was stored")
	}
	// Eight pages less the withheld one; its syndicated copy is alone now.
	if sum.New+sum.Duplicate != 7 || stored(t, st, ts.url(arts[1].path)) == nil {
		t.Errorf("new %d duplicate %d, want 7 stored (the sitemap's others)", sum.New, sum.Duplicate)
	}
}

// TestImportWARCSkipsWithheld: a WARC import skips an article the archive
// withholds and counts it, and stores the rest.
func TestImportWARCSkipsWithheld(t *testing.T) {
	ctx := context.Background()
	st, _ := testArchive(t)
	cu := withhold(t, st, "https://gazette.example/news/2026/05/04/story-3.html")
	f, err := os.Open(testWARC(t, t.TempDir(), 6))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sum, err := ImportWARC(ctx, st, f, ImportOptions{Workers: 2, BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	if sum.New != 5 || sum.Skipped[ReasonWithheld] != 1 || sum.Stored() != 5 {
		t.Errorf("summary %+v; want 5 new and 1 withheld", sum)
	}
	if stored(t, st, cu) != nil {
		t.Error("the withheld article was stored")
	}
}

// TestHarvestNamedWithheldNotFetched: a withheld URL named to herald
// harvest (as an argument, or in a --urls list, after an earlier failure)
// is not fetched either: a takedown whose captures were erased must not
// get its page captured again by the next harvest that names it.
func TestHarvestNamedWithheldNotFetched(t *testing.T) {
	ctx := context.Background()
	ts, arts := gazette(t, "0.01")
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	withheld, other := ts.url(arts[0].path), ts.url(arts[2].path)
	if _, err := h.Harvest(ctx, []string{withheld}); err != nil {
		t.Fatal(err)
	}
	cu := withhold(t, st, withheld)
	before := ts.hit(arts[0].path)
	sum, err := h.Harvest(ctx, []string{withheld, other})
	if err != nil {
		t.Fatal(err)
	}
	if n := ts.hit(arts[0].path) - before; n != 0 {
		t.Errorf("the withheld URL named to Harvest was fetched %d times", n)
	}
	if sum.Skipped[ReasonWithheld] != 1 {
		t.Errorf("skipped %v, want the withheld URL counted as withheld", sum.Skipped)
	}
	if stored(t, st, other) == nil {
		t.Error("the other URL named beside it was not stored")
	}
	// Failed for good before it was withheld, then named in a URL list.
	if err := st.Fail(ctx, cu, "http 500"); err != nil {
		t.Fatal(err)
	}
	before = ts.hit(arts[0].path)
	if _, err := h.HarvestPages(ctx, []string{withheld}, "urls:list.txt"); err != nil {
		t.Fatal(err)
	}
	if n := ts.hit(arts[0].path) - before; n != 0 {
		t.Errorf("the withheld URL named in a URL list was fetched %d times", n)
	}
}

// TestHarvestWithheldFetchedURLNotFetched: an article fetched from
// another URL than the canonical one its page declares (an AMP copy, a
// URL with a tracking parameter) and deleted with --withhold is not
// fetched again from the URL it was fetched from, which is not its
// canonical URL: the withheld check asked only about the article's id,
// and the page was fetched and captured again after the takedown.
func TestHarvestWithheldFetchedURLNotFetched(t *testing.T) {
	ctx := context.Background()
	ts, arts := gazette(t, "0.01")
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	// A mobile copy declaring arts[5].path its canonical URL.
	mobile := "/m/new-pontoon.html"
	ts.html(mobile, gazettePage(arts[5].title, ts.url(arts[5].path), arts[5].published, gazetteText(arts[5].path, 6)))
	if _, err := h.Harvest(ctx, []string{ts.url(mobile)}); err != nil {
		t.Fatal(err)
	}
	rec := stored(t, st, ts.url(arts[5].path))
	if rec == nil || ts.hit(mobile) != 1 {
		t.Fatalf("the mobile copy was not stored under its canonical URL (%d fetches)", ts.hit(mobile))
	}
	if _, err := archive.Delete(ctx, st, nil, []string{rec.ID}, archive.DeleteOptions{Withhold: true, Reason: "takedown"}); err != nil {
		t.Fatal(err)
	}
	sum, err := h.Harvest(ctx, []string{ts.url(mobile)})
	if err != nil {
		t.Fatal(err)
	}
	if n := ts.hit(mobile) - 1; n != 0 {
		t.Errorf("the URL the withheld article was fetched from was fetched %d times again", n)
	}
	if sum.Skipped[ReasonWithheld] != 1 {
		t.Errorf("skipped %v, want the URL counted as withheld", sum.Skipped)
	}
	if stored(t, st, ts.url(arts[5].path)) != nil {
		t.Error("the withheld article was stored again")
	}
}
