package store

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/query"
)

func TestSnippetParts(t *testing.T) {
	tests := []struct {
		in   string
		want []SnippetPart
	}{
		{"", nil},
		{"plain", []SnippetPart{{"plain", false}}},
		{"a \x02b\x03 c", []SnippetPart{{"a ", false}, {"b", true}, {" c", false}}},
		{"\x02a\x03\x02b\x03", []SnippetPart{{"a", true}, {"b", true}}},
		{"a \x02b", []SnippetPart{{"a ", false}, {"b", true}}}, // unterminated
		{"a\x03 b", []SnippetPart{{"a b", false}}},             // stray end marker
		{"\x02a\x02b\x03", []SnippetPart{{"ab", true}}},        // nested start
	}
	for _, tt := range tests {
		if got := SnippetParts(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SnippetParts(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestSearchOptionsNormalize(t *testing.T) {
	words, filters := query.MustParse("storm"), query.MustParse("site:example.com")
	tests := []struct {
		q    *query.Query
		in   SearchOptions
		want SearchOptions
	}{
		{words, SearchOptions{}, SearchOptions{Sort: query.SortRelevance, Limit: DefaultLimit}},
		{filters, SearchOptions{}, SearchOptions{Sort: query.SortNewest, Limit: DefaultLimit}},
		{filters, SearchOptions{Sort: query.SortRelevance}, SearchOptions{Sort: query.SortNewest, Limit: DefaultLimit}},
		{words, SearchOptions{Sort: query.SortOldest, Limit: 5, Offset: 10}, SearchOptions{Sort: query.SortOldest, Limit: 5, Offset: 10}},
		{query.MustParse("storm sort:date"), SearchOptions{Sort: query.SortOldest}, SearchOptions{Sort: query.SortNewest, Limit: DefaultLimit}},
		// Words only under an OR with a filter cannot rank: the sort is
		// the one the backends use, and the one reported.
		{query.MustParse("(harbour storm) OR tag:politics"), SearchOptions{Sort: query.SortRelevance}, SearchOptions{Sort: query.SortNewest, Limit: DefaultLimit}},
		{query.MustParse("(harbour storm) OR tag:politics"), SearchOptions{}, SearchOptions{Sort: query.SortNewest, Limit: DefaultLimit}},
		{query.MustParse("harbour (storm OR tag:politics)"), SearchOptions{}, SearchOptions{Sort: query.SortRelevance, Limit: DefaultLimit}},
	}
	for _, tt := range tests {
		got, err := tt.in.Normalize(tt.q)
		if err != nil || got != tt.want {
			t.Errorf("Normalize(%s, %+v) = %+v, %v; want %+v", tt.q, tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []SearchOptions{{Limit: -1}, {Limit: MaxLimit + 1}, {Offset: -1}} {
		if _, err := bad.Normalize(words); !errors.Is(err, ErrInvalid) {
			t.Errorf("Normalize(%+v) err = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestIntervalTruncate(t *testing.T) {
	at := time.Date(2023, 3, 5, 23, 30, 0, 0, time.FixedZone("", -3*3600)) // 2023-03-06 02:30 UTC, a Monday
	for by, want := range map[Interval]string{Day: "2023-03-06", Week: "2023-03-06", Month: "2023-03-01"} {
		if got := by.Truncate(at).Format(time.DateOnly); got != want {
			t.Errorf("%s.Truncate = %s, want %s", by, got, want)
		}
	}
	if got := Week.Truncate(time.Date(2023, 3, 5, 12, 0, 0, 0, time.UTC)).Format(time.DateOnly); got != "2023-02-27" {
		t.Errorf("Week.Truncate(Sunday) = %s", got)
	}
}

func TestRecordJSON(t *testing.T) {
	r := &Record{ID: "abc", Article: article.Article{URL: "https://x.org/a", Title: "T", Text: "body"},
		FetchedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), ContentHash: "h", ClusterID: "abc", Version: 2,
		Capture: &Capture{File: "c.warc.gz", Offset: 7}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"id":"abc"`, `"url":"https://x.org/a"`, `"fetched_at":"2024-01-02T03:04:05Z"`,
		`"capture":{"file":"c.warc.gz","offset":7}`, `"content_hash":"h"`, `"cluster_id":"abc"`, `"version":2`, `"text":"body"`} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON %s lacks %s", s, want)
		}
	}
	if !strings.HasPrefix(s, `{"id":"abc","url"`) {
		t.Errorf("JSON %s does not start with id then the article fields", s)
	}
	var back Record
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(&back, r) {
		t.Errorf("round trip = %+v, %v", back, err)
	}
	if !r.Date().Equal(r.FetchedAt) {
		t.Error("Date without Published is not FetchedAt")
	}
}

func TestParseQueryError(t *testing.T) {
	_, err := ParseQuery(`"open`)
	var qe *query.Error
	if !errors.Is(err, ErrInvalid) || !errors.As(err, &qe) || qe.Column() != 1 {
		t.Errorf("ParseQuery error = %v", err)
	}
	if !strings.Contains(err.Error(), "unterminated quote at column 1") {
		t.Errorf("message %q", err)
	}
}

func TestSetShares(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2024, 3, d, 0, 0, 0, 0, time.UTC) }
	all := []Bucket{{Start: day(1), Count: 40}, {Start: day(2), Count: 8}, {Start: day(3), Count: 5}}
	got := SetShares([]Bucket{{Start: day(1), Count: 10}, {Start: day(2), Count: 8}}, all, false)
	// Day 3 had articles, none matching: a bucket of count 0.
	want := []Bucket{{Start: day(1), Count: 10, Of: 40, Share: 0.25}, {Start: day(2), Count: 8, Of: 8, Share: 1}, {Start: day(3), Of: 5}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("by interval:\n got %+v\nwant %+v", got, want)
	}
	if got := SetShares(nil, all, false); len(got) != 3 || got[2].Of != 5 || got[2].Count != 0 {
		t.Errorf("no match at all: %+v, want three buckets of count 0", got)
	}

	// Split by site: each site's share of its own articles; a site with
	// no match anywhere gets no buckets.
	all = []Bucket{{Start: day(1), Key: "a.example", Count: 30}, {Start: day(1), Key: "b.example", Count: 10},
		{Start: day(1), Key: "c.example", Count: 7}, {Start: day(2), Key: "a.example", Count: 4}}
	got = SetShares([]Bucket{{Start: day(1), Key: "a.example", Count: 3}, {Start: day(1), Key: "b.example", Count: 5}}, all, true)
	want = []Bucket{{Start: day(1), Key: "a.example", Count: 3, Of: 30, Share: 0.1}, {Start: day(1), Key: "b.example", Count: 5, Of: 10, Share: 0.5},
		{Start: day(2), Key: "a.example", Of: 4}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("by site:\n got %+v\nwant %+v", got, want)
	}

	// An interval all does not have (an article re-dated between the
	// two counts) is its own whole, not a division by zero.
	got = SetShares([]Bucket{{Start: day(9), Count: 2}}, nil, false)
	if len(got) != 1 || got[0].Of != 2 || got[0].Share != 1 {
		t.Errorf("interval missing from all: %+v, want of 2, share 1", got)
	}
}
