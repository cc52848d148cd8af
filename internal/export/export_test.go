package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/store"
)

func sample() *store.Record {
	free := true
	return &store.Record{
		ID: "abc", Version: 2, ClusterID: "abc",
		Article: article.Article{
			URL: "https://x.example/a?b=1&c=<2>", Title: `A "quoted", title`, Authors: []string{"A B", "C D"},
			Tags: []string{"t1", "t2"}, IsAccessibleForFree: &free, WordCount: 3,
			Published: time.Date(2024, 5, 1, 10, 0, 0, 0, time.FixedZone("", 2*3600)),
			Text:      "One.\n\nTwo, three.",
		},
	}
}

func TestCSV(t *testing.T) {
	var b bytes.Buffer
	w, err := NewWriter(&b, "csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(sample()); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v", err)
	}
	if len(rows) != 2 || strings.Join(rows[0], ",") != strings.Join(Columns, ",") {
		t.Fatalf("rows = %q", rows)
	}
	got := map[string]string{}
	for i, c := range Columns {
		got[c] = rows[1][i]
	}
	want := map[string]string{"title": `A "quoted", title`, "authors": "A B; C D", "published": "2024-05-01T10:00:00+02:00",
		"modified": "", "is_accessible_for_free": "true", "version": "2", "text": "One.\n\nTwo, three."}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestJSONL(t *testing.T) {
	var b bytes.Buffer
	w, _ := NewWriter(&b, "jsonl")
	w.Write(sample())
	w.Write(sample())
	if n := strings.Count(b.String(), "\n"); n != 2 {
		t.Fatalf("%d lines", n)
	}
	if !strings.Contains(b.String(), `c=<2>`) {
		t.Errorf("HTML characters escaped: %s", b.String())
	}
	var r store.Record
	if err := json.Unmarshal([]byte(strings.SplitN(b.String(), "\n", 2)[0]), &r); err != nil || r.Title != sample().Title {
		t.Errorf("line does not decode to the record: %v %+v", err, r)
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := NewWriter(&bytes.Buffer{}, "xml"); err == nil {
		t.Error("xml accepted")
	}
}

// Text cells that a spreadsheet would run as formulas get a leading
// apostrophe; identifiers, URLs, numbers and times are never touched,
// and a minus sign inside a cell is kept as it is.
func TestCSVFormulaCells(t *testing.T) {
	r := sample()
	r.Title = `=HYPERLINK("https://evil.example","click")`
	r.Description = "+1 555 0100"
	r.Authors = []string{"@handle", "Jane Doe"}
	r.SiteName = "-Example"
	r.Section = "\tWorld"
	r.Tags = []string{"=cmd|' /C calc'!A0"}
	r.Text = "Prices rose by -5 per cent.\n\n=SUM(A1:A9)"
	row := CSVRow(nil, r)
	want := map[string]string{
		"title":       `'=HYPERLINK("https://evil.example","click")`,
		"description": "'+1 555 0100",
		"authors":     "'@handle; Jane Doe",
		"site_name":   "'-Example",
		"section":     "'\tWorld",
		"tags":        "'=cmd|' /C calc'!A0",
		"text":        "Prices rose by -5 per cent.\n\n=SUM(A1:A9)",
		"url":         r.URL,
		"published":   "2024-05-01T10:00:00+02:00",
	}
	for i, c := range Columns {
		if w, ok := want[c]; ok && row[i] != w {
			t.Errorf("%s = %q, want %q", c, row[i], w)
		}
	}
}

func TestWriteTimelineCSV(t *testing.T) {
	jan := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	buckets := []store.Bucket{
		{Start: jan, Key: "flood", Count: 3, Of: 10, Share: 0.3},
		{Start: jan.AddDate(0, 1, 0), Key: "-drought", Count: 0, Of: 4},
	}
	var b strings.Builder
	if err := WriteTimelineCSV(&b, buckets, true); err != nil {
		t.Fatal(err)
	}
	// A query typed with a leading minus is text, not a formula.
	want := "start,key,count,of,share\n2024-01-01,flood,3,10,0.300000\n2024-02-01,'-drought,0,4,0.000000\n"
	if b.String() != want {
		t.Errorf("with shares:\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := WriteTimelineCSV(&b, buckets[:1], false); err != nil {
		t.Fatal(err)
	}
	if want := "start,key,count,of,share\n2024-01-01,flood,3,,\n"; b.String() != want {
		t.Errorf("without shares:\n%s\nwant\n%s", b.String(), want)
	}
}

// Stories as CSV: the fixed columns, dates in UTC, and text cells a
// spreadsheet would run as formulas neutralised.
func TestWriteStoriesCSV(t *testing.T) {
	first := time.Date(2024, 3, 4, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	stories := []store.Story{{Cluster: "c1", Articles: 3, Sites: 2, Last: first.Add(48 * time.Hour),
		First: store.StoryArticle{ID: "a1", Title: "=HYPERLINK(\"x\")", Site: "copy.example", URL: "https://copy.example/s", Date: first,
			OriginalURL: "https://wire.example/s"}}}
	var b strings.Builder
	if err := WriteStoriesCSV(&b, stories); err != nil {
		t.Fatal(err)
	}
	want := "cluster,articles,sites,first_date,first_site,first_title,first_url,first_id,last_date,first_original_url\n" +
		"c1,3,2,2024-03-04T08:00:00Z,copy.example,\"'=HYPERLINK(\"\"x\"\")\",https://copy.example/s,a1,2024-03-06T08:00:00Z,https://wire.example/s\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
