package storetest

import (
	"context"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/store"
)

// testAuthorFolding: author: matches a name as the full-text index
// matches words: ignoring case and diacritics (author:emile finds Émile,
// author:josé finds Jose), with apostrophes and hyphens separating words
// whichever apostrophe was typed (O'Brien, O’Brien), and only a run of
// whole words of one author's name, never words across two authors. A
// name in letters whose case Go folds and FTS5's unicode61 does not
// (Cherokee) is found as typed, in capitals or not.
func testAuthorFolding(t *testing.T, st store.Store) {
	recs := []struct {
		id      string
		authors []string
	}{
		{"n1", []string{"Jane Émile O'Brien"}},
		{"n2", []string{"José Ruiz"}},
		{"n3", []string{"Jose RUIZ-Peña"}},
		{"n4", []string{"Seán O’Brien", "Mara Quill"}},
		{"n5", []string{"Zoë Brien"}},
		{"n7", []string{"ᏍᏏᏉᏯ Guess"}}, // Cherokee capitals, which Go lower-cases and unicode61 does not
	}
	entry := func(id string, authors ...string) store.Entry {
		text := "Authors bulletin number " + id
		return store.Entry{Record: &store.Record{ID: id, Article: article.Article{
			URL: "https://authors.example/" + id, CanonicalURL: "https://authors.example/" + id, Title: "Bulletin " + id,
			Text: text, Authors: authors, Published: date("2024-02-01T00:00:00Z"), WordCount: article.CountWords(text),
		}, ContentHash: Hash(text), ClusterID: id, FetchedAt: date("2024-03-01T00:00:00Z")}}
	}
	entries := make([]store.Entry, len(recs))
	for i, r := range recs {
		entries[i] = entry(r.id, r.authors...)
	}
	Load(t, st, entries)
	for q, want := range map[string][]string{
		`author:emile`:                {"n1"},
		`author:ÉMILE`:                {"n1"},
		`author:"jane emile"`:         {"n1"},
		`author:"Jane Émile O'Brien"`: {"n1"},
		`author:"o'brien"`:            {"n1", "n4"},
		`author:"O’Brien"`:            {"n1", "n4"},
		`author:brien`:                {"n1", "n4", "n5"},
		`author:"sean o brien"`:       {"n4"},
		`author:jose`:                 {"n2", "n3"},
		`author:josé`:                 {"n2", "n3"},
		`author:"jose ruiz"`:          {"n2", "n3"},
		`author:pena`:                 {"n3"},
		`author:ruiz-peña`:            {"n3"},
		`author:zoe`:                  {"n5"},
		`author:ᏍᏏᏉᏯ`:                 {"n7"},
		`author:ꮝꮟꮙꮿ`:                 {"n7"},
		`author:"brien mara"`:         nil, // two authors' words
		`author:rui`:                  nil, // whole words only
		`author:"'"`:                  nil, // no words
		`bulletin -author:josé`:       {"n1", "n4", "n5", "n7"},
		`author:emile OR author:zoë`:  {"n1", "n5"},
	} {
		assertIDs(t, st, q, want...)
	}
	// An author stored after the names were folded for the queries above
	// is found too.
	Load(t, st, []store.Entry{entry("n6", "Émile Zola")})
	assertIDs(t, st, `author:emile`, "n1", "n6")
	bs, err := st.Timeline(context.Background(), mustParse(t, "author:jose"), store.TimelineOptions{By: store.Month})
	if err != nil {
		t.Fatal(err)
	}
	if n := total(bs); n != 2 {
		t.Errorf("timeline of author:jose counts %d articles, want 2: %+v", n, bs)
	}
}

// total is the sum of the buckets' counts.
func total(bs []store.Bucket) int {
	n := 0
	for _, b := range bs {
		n += b.Count
	}
	return n
}
