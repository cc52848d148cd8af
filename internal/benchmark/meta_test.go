package benchmark

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestCompareField(t *testing.T) {
	tests := []struct {
		name   string
		field  Field
		exp    Expected
		got    Meta
		ok     bool
		scored bool
	}{
		{"title exact after whitespace", FieldTitle, Expected{Title: " Harbour\n Reopens "}, Meta{Title: "Harbour Reopens"}, true, true},
		{"title differs", FieldTitle, Expected{Title: "Harbour Reopens - Example"}, Meta{Title: "Harbour Reopens"}, false, true},
		{"title absent in fixture", FieldTitle, Expected{}, Meta{Title: "x"}, false, false},
		{"site name", FieldSiteName, Expected{SiteName: "BBC News"}, Meta{SiteName: "BBC News"}, true, true},
		{"byline joined", FieldByline, Expected{Byline: "Stella Kim, Jennifer Jett"}, Meta{Authors: []string{"Stella Kim", "Jennifer Jett"}}, true, true},
		{"byline strict keeps By", FieldByline, Expected{Byline: "By\n\t\tScott Cunningham"}, Meta{Authors: []string{"Scott Cunningham"}}, false, true},
		{"byline lenient drops By", FieldBylineNames, Expected{Byline: "By\n\t\tScott Cunningham"}, Meta{Authors: []string{"Scott Cunningham"}}, true, true},
		{"byline lenient Par", FieldBylineNames, Expected{Byline: "Par Sébastien Farcis"}, Meta{Authors: []string{"sébastien farcis"}}, true, true},
		{"byline lenient and", FieldBylineNames, Expected{Byline: "Alexandre Hervaud and Jérémy Piette"}, Meta{Authors: []string{"Jérémy Piette", "Alexandre Hervaud"}}, true, true},
		{"byline lenient raw string", FieldBylineNames, Expected{Byline: "Stella Kim, Jennifer Jett"}, Meta{Authors: []string{"By Stella Kim & Jennifer Jett"}}, true, true},
		{"byline lenient missing name", FieldBylineNames, Expected{Byline: "Stella Kim, Jennifer Jett"}, Meta{Authors: []string{"Stella Kim"}}, false, true},
		{"byline lenient no authors", FieldBylineNames, Expected{Byline: "Jane Doe"}, Meta{}, false, true},
		{"language region ignored", FieldLanguage, Expected{Lang: "en-US"}, Meta{Language: "en"}, true, true},
		{"language underscore", FieldLanguage, Expected{Lang: "pt_BR"}, Meta{Language: "pt-BR"}, true, true},
		{"language differs", FieldLanguage, Expected{Lang: "fr"}, Meta{Language: "en"}, false, true},
		{"language missing", FieldLanguage, Expected{Lang: "fr"}, Meta{}, false, true},
		{"published same instant other zone", FieldPublished, Expected{PublishedTime: "2015-07-24T05:36:09+01:00"}, Meta{Published: mustTime(t, "2015-07-24T04:36:09Z")}, true, true},
		{"published offset without colon", FieldPublished, Expected{PublishedTime: "2021-11-01T10:52:50+0100"}, Meta{Published: mustTime(t, "2021-11-01T09:52:50Z")}, true, true},
		{"published milliseconds", FieldPublished, Expected{PublishedTime: "2019-01-03T07:00:02.000Z"}, Meta{Published: mustTime(t, "2019-01-03T07:00:02Z")}, true, true},
		{"published other instant", FieldPublished, Expected{PublishedTime: "2019-01-03T07:00:02Z"}, Meta{Published: mustTime(t, "2019-01-03T08:00:02Z")}, false, true},
		{"published wall clock", FieldPublished, Expected{PublishedTime: "2017-11-03 03:01:00.000000"}, Meta{Published: mustTime(t, "2017-11-03T03:01:00-07:00")}, true, true},
		{"published wall clock minutes", FieldPublished, Expected{PublishedTime: "2018-04-05T06:00"}, Meta{Published: mustTime(t, "2018-04-05T06:00:00+02:00")}, true, true},
		{"published wall clock differs", FieldPublished, Expected{PublishedTime: "2018-04-05T06:00"}, Meta{Published: mustTime(t, "2018-04-05T04:00:00Z")}, false, true},
		{"published date only", FieldPublished, Expected{PublishedTime: "2024-06-25"}, Meta{Published: mustTime(t, "2024-06-25T23:30:00-05:00")}, true, true},
		{"published missing", FieldPublished, Expected{PublishedTime: "2024-06-25"}, Meta{}, false, true},
		{"published date-only extractor fails strict", FieldPublished, Expected{PublishedTime: "2015-07-24T05:36:09+01:00"}, Meta{Published: mustTime(t, "2015-07-24T00:00:00Z")}, false, true},
		{"published_date date-only extractor", FieldPublishedDate, Expected{PublishedTime: "2015-07-24T05:36:09+01:00"}, Meta{Published: mustTime(t, "2015-07-24T00:00:00Z")}, true, true},
		{"published_date other day, other instant", FieldPublishedDate, Expected{PublishedTime: "2015-07-24T00:30:00+01:00"}, Meta{Published: mustTime(t, "2015-07-23T20:00:00Z")}, false, true},
		{"published_date wall clock", FieldPublishedDate, Expected{PublishedTime: "2017-11-03 03:01:00.000000"}, Meta{Published: mustTime(t, "2017-11-03T00:00:00Z")}, true, true},
		{"published_date holds when the instant does", FieldPublishedDate, Expected{PublishedTime: "2017-02-23T17:18:13-08:00"}, Meta{Published: mustTime(t, "2017-02-24T01:18:13Z")}, true, true},
		{"published_date missing", FieldPublishedDate, Expected{PublishedTime: "2017-11-03"}, Meta{}, false, true},
		{"published unparsable fixture", FieldPublished, Expected{PublishedTime: "yesterday"}, Meta{Published: mustTime(t, "2024-06-25T00:00:00Z")}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, ok, scored := compareField(tt.field, tt.exp, tt.got)
			if ok != tt.ok || scored != tt.scored {
				t.Errorf("ok=%v scored=%v, want %v %v", ok, scored, tt.ok, tt.scored)
			}
		})
	}
}

func TestScoreMetadata(t *testing.T) {
	cases := []Case{
		{Name: "a", Expected: Expected{Title: "A", Byline: "By Ann Lee", Lang: "en"}},
		{Name: "b", Expected: Expected{Title: "B", Lang: "fr"}},
		{Name: "c", Expected: Expected{Title: "C"}},
	}
	got := []Meta{
		{Title: "A", Authors: []string{"Ann Lee"}, Language: "en"},
		{Title: "B!", Language: "fr", SiteName: "ignored"},
		{},
	}
	s := ScoreMetadata(cases, got, []error{nil, nil, errors.New("boom")}, []Field{FieldTitle, FieldByline, FieldLanguage})
	wantRates := []FieldRate{
		{FieldTitle, 1, 3, 1.0 / 3},
		{FieldByline, 0, 1, 0},
		{FieldBylineNames, 1, 1, 1},
		{FieldLanguage, 2, 2, 1},
	}
	if !slices.Equal(s.Rates, wantRates) {
		t.Errorf("rates = %+v\nwant %+v", s.Rates, wantRates)
	}
	if s.Cases != 3 || s.Errors != 1 {
		t.Errorf("cases/errors = %d/%d", s.Cases, s.Errors)
	}
	wantDis := []Disagreement{
		{"b", FieldTitle, "B", "B!"},
		{"c", FieldTitle, "C", ""},
		{"a", FieldByline, "By Ann Lee", "Ann Lee"},
	}
	if !slices.Equal(s.Disagreements, wantDis) {
		t.Errorf("disagreements = %+v\nwant %+v", s.Disagreements, wantDis)
	}
	if r, ok := s.Rate(FieldLanguage); !ok || r.Rate != 1 {
		t.Errorf("Rate(language) = %+v, %v", r, ok)
	}
	if _, ok := s.Rate(FieldSiteName); ok {
		t.Error("site_name was not asked for but has a rate")
	}
}

// TestFixtureDatesParse makes sure every publishedTime in the Readability
// fixtures is understood, so no case is lost to an unparsed fixture.
func TestFixtureDatesParse(t *testing.T) {
	cases, err := LoadReadability(filepath.Join(testDataDir(t), "readability"))
	if errors.Is(err, ErrNoData) {
		t.Skipf("benchmark data absent: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range cases {
		if c.Expected.PublishedTime == "" {
			continue
		}
		n++
		if _, err := sameTime(normalizeSpace(c.Expected.PublishedTime), time.Now()); err != nil {
			t.Errorf("%s: publishedTime %q: %v", c.Name, c.Expected.PublishedTime, err)
		}
	}
	if n < 30 {
		t.Errorf("only %d fixtures with a date", n)
	}
}
