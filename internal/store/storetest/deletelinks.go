package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/dedupe"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// DeletedText is the text of the article testDeleteLinks deletes ("g0"),
// long enough to have LSH bands; GhostBands are its band hashes.
const DeletedText = "The old lighthouse on the northern breakwater was switched off for good on Sunday night " +
	"after one hundred and twelve years, and the harbour authority said a modern beacon on the pier " +
	"would guide the ferries and the fishing boats from now on."

// GhostBands returns the LSH bands of DeletedText.
func GhostBands() []uint64 {
	_, sig := dedupe.Fingerprint(DeletedText)
	return sig.Bands()
}

// testDeleteLinks checks that a deleted article leaves nothing behind
// that a later read or write could find: its author and tag are gone
// from the top lists of the whole archive (the PostgreSQL backend
// counted its link rows, left behind, in a top list without a query),
// and a near duplicate of its text archived afterwards is an article of
// its own, in a cluster of its own, not a member of the deleted one's.
func testDeleteLinks(t *testing.T, st store.Store) {
	ctx := context.Background()
	mk := func(id, text, author, tag string) store.Entry {
		_, sig := dedupe.Fingerprint(text)
		return store.Entry{Record: &store.Record{ID: id, Article: article.Article{
			URL: "https://light.example/" + id, CanonicalURL: "https://light.example/" + id, Title: "Lighthouse " + id,
			Published: date("2024-07-01T08:00:00Z"), Text: text, WordCount: article.CountWords(text),
			Authors: []string{author}, Tags: []string{tag},
		}, ContentHash: Hash(text), FetchedAt: date("2024-07-02T00:00:00Z")}, Bands: sig.Bands()}
	}
	Load(t, st, []store.Entry{
		mk("g1", "The fish market opens an hour earlier on Fridays from next month, the traders said.", "Kept Writer", "markets"),
		mk("g0", DeletedText, "Ghost Writer", "ghosts"),
	})
	if err := DeleteIDs(t, st, "g0"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		field store.TopField
		gone  string
	}{{store.TopAuthor, "Ghost Writer"}, {store.TopTag, "ghosts"}} {
		for _, q := range []string{"", "lighthouse"} {
			parsed := &query.Query{}
			if q != "" {
				parsed = mustParse(t, q)
			}
			top, err := st.Top(ctx, parsed, f.field, 10)
			if err != nil {
				t.Fatal(err)
			}
			if slices.ContainsFunc(top, func(c store.Count) bool { return c.Key == f.gone }) {
				t.Errorf("top %s %q after the delete = %v: still counts the deleted article's %q", f.field, q, top, f.gone)
			}
		}
	}
	if cs, err := st.Candidates(ctx, GhostBands(), 16); err != nil || len(cs) != 0 {
		t.Errorf("Candidates of the deleted text's bands = %v, %v; want none", cs, err)
	}
	// A near duplicate of the deleted text, archived afterwards.
	near := mk("g2", DeletedText+" The old lamp goes to the museum.", "Other Writer", "lights")
	if out := put(t, st, near); out != store.New || near.Record.ClusterID != "g2" {
		t.Errorf("a near duplicate of the deleted article = %v in cluster %q, want new in its own", out, near.Record.ClusterID)
	}
}
