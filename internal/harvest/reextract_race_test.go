package harvest

import (
	"context"
	"errors"
	"testing"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
)

// TestReextractDeletedMeanwhile: an article deleted (herald delete,
// without --withhold) after herald reextract read it and before it stored
// the re-extraction is not stored again. It was: the ordinary Put of the
// rebuilt record inserted it anew, and a takedown was silently undone.
// It is reported as deleted meanwhile, counted, and is no failure; the
// other article is re-extracted as usual. The delete is made from the
// hook between rebuilding and storing, on both backends.
func TestReextractDeletedMeanwhile(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		st, dir := testArchive(t)
		testReextractDeletedMeanwhile(t, st, dir)
	})
	t.Run("postgres", func(t *testing.T) {
		testReextractDeletedMeanwhile(t, pgtest.Open(t), t.TempDir())
	})
}

func testReextractDeletedMeanwhile(t *testing.T, st store.Store, dir string) {
	ctx := context.Background()
	ts, arts := gazette(t, "0")
	h := newTestHarvester(t, st, testOptions(dir))
	if _, err := h.HarvestPages(ctx, []string{ts.url(arts[0].path), ts.url(arts[1].path)}, "test"); err != nil {
		t.Fatal(err)
	}
	// Both stored as an older extractor might have got them, so that
	// re-extracting each stores a new version.
	var victim, other *store.Record
	for i, a := range arts[:2] {
		rec := stored(t, st, ts.url(a.path))
		if rec == nil {
			t.Fatalf("article %d not stored", i)
		}
		wrong := *rec
		wrong.Text = "Share this story. " + rec.Text
		if _, err := archive.Ingest(ctx, st, []*store.Record{&wrong}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			victim = rec
		} else {
			other = rec
		}
	}

	rebuiltHook = func(id string) {
		if id != victim.ID {
			return
		}
		if _, err := archive.Delete(ctx, st, nil, []string{id}, archive.DeleteOptions{}); err != nil {
			t.Errorf("delete %s meanwhile: %v", id, err)
		}
	}
	t.Cleanup(func() { rebuiltHook = nil })
	var changes []Change
	sum, err := Reextract(ctx, st, &query.Query{}, ReextractOptions{Base: dir, Workers: 1, Report: func(c Change) { changes = append(changes, c) }})
	rebuiltHook = nil
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(ctx, victim.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the article deleted during reextract is back in the archive (Get: %v)", err)
	}
	if sum.Gone != 1 || sum.Updated != 1 || sum.Records != 2 || len(sum.Problems) != 0 {
		t.Errorf("summary %+v, want 1 deleted meanwhile, 1 updated, no problems", sum)
	}
	var sawGone bool
	for _, c := range changes {
		if c.ID == victim.ID {
			sawGone = c.Gone && !c.Stored && c.Problem == ""
		}
	}
	if !sawGone {
		t.Errorf("changes %+v: want the deleted article reported as gone, not stored", changes)
	}
	if got := stored(t, st, other.URL); got == nil || got.Version != 3 || got.Text != other.Text {
		t.Errorf("the other article after reextract: %+v, want version 3 with its text rebuilt", got)
	}
}
