package archive_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
)

// An imported record is held to the record's rules, as an extracted one
// already is: the audit's JSON lines stored "en_GB", a title with blank
// lines in it, a title of spaces and a modified time equal to published.
func TestPrepareHoldsRecordRules(t *testing.T) {
	at := time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC)
	rec := &store.Record{Article: article.Article{
		URL:         "https://news.example/a",
		Title:       "  Harbour\n\nreopens \t after   repairs ",
		Description: "The breakwater\nis rebuilt.",
		Authors:     []string{"Jane Doe", " jane  doe ", "", "John Roe"},
		Tags:        []string{"Port", "port", "  ", "Ferry\nservices"},
		SiteName:    " Example\nNews ",
		Section:     "World ",
		Language:    "en_GB",
		Published:   at,
		Modified:    at.In(time.FixedZone("CEST", 7200)),
		Text:        "\n\nFirst paragraph.  \n\n\n\n  Second, with a line\nbreak.\r\n\r\nThird.\n",
	}}
	if _, err := archive.Prepare(rec, at); err != nil {
		t.Fatal(err)
	}
	want := article.Article{
		URL:         "https://news.example/a",
		Title:       "Harbour reopens after repairs",
		Description: "The breakwater is rebuilt.",
		Authors:     []string{"Jane Doe", "John Roe"},
		Tags:        []string{"Port", "Ferry services"},
		SiteName:    "Example News",
		Section:     "World",
		Language:    "en",
		Published:   at,
		Text:        "First paragraph.\n\nSecond, with a line\nbreak.\n\nThird.",
	}
	got := rec.Article
	got.CanonicalURL, got.WordCount = "", 0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("prepared\n%#v\nwant\n%#v", got, want)
	}

	blank := &store.Record{Article: article.Article{URL: "https://news.example/b", Title: "   ", Language: "xx",
		Tags: []string{" ", ""}, Published: at, Modified: at.Add(time.Hour)}}
	if _, err := archive.Prepare(blank, at); err != nil {
		t.Fatal(err)
	}
	if blank.Title != "" || blank.Language != "" || blank.Tags != nil || !blank.Modified.Equal(at.Add(time.Hour)) {
		t.Errorf("title %q, language %q, tags %q, modified %v; want empty, empty, none, kept", blank.Title, blank.Language, blank.Tags, blank.Modified)
	}
}

// Every kind of white space is made a space in a single-line field, a
// lone one between two words too (an ideographic space, an em space, a
// line separator), as migrations of older archives do (sqlite 0014,
// postgres 0008).
func TestPrepareOneLineEverySpace(t *testing.T) {
	at := time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC)
	rec := &store.Record{Article: article.Article{
		URL:         "https://news.example/c",
		Title:       "Council votes\u3000on night buses",
		Description: "Buses\u2003keep running\u00a0",
		SiteName:    "Harbour\u2028Gazette",
		Section:     "Local\u205fNews",
		Tags:        []string{"night\u2009buses"},
		Published:   at,
	}}
	if _, err := archive.Prepare(rec, at); err != nil {
		t.Fatal(err)
	}
	got := []string{rec.Title, rec.Description, rec.SiteName, rec.Section, rec.Tags[0]}
	want := []string{"Council votes on night buses", "Buses keep running", "Harbour Gazette", "Local News", "night buses"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("prepared %q, want %q", got, want)
	}
}
