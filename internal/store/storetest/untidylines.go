package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/dedupe"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// untidyLines are the title, description, site name and section of the
// articles UntidyLines stores, by id.
var untidyLines = []struct{ id, title, description, siteName, section string }{
	{"w1", "Harbour  reopens\nafter repairs", " The breakwater\tis rebuilt. ", "\u00a0Harbour Gazette ", " World "},
	{"w2", "Council votes\u3000on night buses", "Buses\u2003keep\u00a0\u00a0running", "Gazette", "Local\u00a0 News\n"},
	{"w3", "地铁  开通 ", "新线路\u3000今天开通", "Gazette", "   "},
	{"w4", "Tidy harbour story", "Nothing to change here.", "Harbour Gazette", "World"},
	// Plain ASCII but for one flaw each: a doubled space, a space at
	// one end or the other, a tab.
	{"w5", "Ferry  timetable changes", "Sailings move.", "Gazette", "Transport"},
	{"w6", "Bridge closes", "Repairs begin.", "Gazette ", "Transport"},
	{"w7", "Tram line opens", "First trams run.", "Gazette", " Transport"},
	{"w8", "Bus lane planned", "Work starts\tin May.", "Gazette", "Transport"},
}

// UntidyLines returns entries as a Herald from before December 2026
// stored imported records: their title, description, site name and
// section as they came, with white space at the ends, doubled, or of
// other kinds (line breaks, tabs, no-break and ideographic spaces). The
// fourth is already tidy; the last four are plain ASCII with one flaw. A backend's migration for this (sqlite 0014,
// postgres 0008) must leave them as CheckLinesTidied says.
func UntidyLines() []store.Entry {
	entries := make([]store.Entry, len(untidyLines))
	for i, l := range untidyLines {
		url := "https://gazette.example/" + l.id
		text := "The harbour authority said the outer breakwater would be rebuilt over two summers, story " + l.id + "."
		rec := &store.Record{ID: l.id, Article: article.Article{
			URL: url, CanonicalURL: url, Title: l.title, Description: l.description, SiteName: l.siteName,
			Section: l.section, Language: "en", Text: text, Published: date("2024-03-01T09:00:00Z").AddDate(0, 0, i),
		}, FetchedAt: date("2024-04-01T00:00:00Z"), ClusterID: l.id, Version: 1}
		rec.WordCount = article.CountWords(text)
		rec.ContentHash = dedupe.ContentHash(text)
		entries[i] = store.Entry{Record: rec, Bands: dedupe.Sign(text).Bands()}
	}
	return entries
}

// oneLine is the archive's rule for a single-line field (archive.oneLine):
// each run of white space one space, the ends trimmed.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// CheckLinesTidied checks an archive holding UntidyLines after the
// migration: each single-line field is as the archive now stores it, the
// rest of each article is unchanged, a section filter finds the articles
// whose section had stray spaces, and the full-text search still finds
// them by the words of their titles.
func CheckLinesTidied(t testing.TB, st store.Store) {
	t.Helper()
	ctx := context.Background()
	for i, l := range untidyLines {
		r, err := st.Get(ctx, l.id)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct{ name, got, want string }{
			{"title", r.Title, oneLine(l.title)},
			{"description", r.Description, oneLine(l.description)},
			{"site name", r.SiteName, oneLine(l.siteName)},
			{"section", r.Section, oneLine(l.section)},
		} {
			if f.got != f.want {
				t.Errorf("%s: %s %q, want %q", l.id, f.name, f.got, f.want)
			}
		}
		want := UntidyLines()[i].Record
		if r.Text != want.Text || r.Version != 1 || !r.Published.Equal(want.Published) || r.ContentHash != want.ContentHash {
			t.Errorf("%s: text, version, date or hash changed: %+v", l.id, r)
		}
	}
	count := func(q string) int {
		t.Helper()
		res, err := st.Search(ctx, query.MustParse(q), store.SearchOptions{Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	for q, want := range map[string]int{
		"section:world":          2, // w1 and w4
		`section:"local news"`:   1,
		"reopens":                1,
		"breakwater":             8,
		"section:transport":      4,
		`"ferry timetable"`:      1,
		"地铁":                     1,
		"harbour section:world":  2,
		`"votes on night buses"`: 1,
	} {
		if n := count(q); n != want {
			t.Errorf("%s: %d matches, want %d", q, n, want)
		}
	}
}
