package benchmark

import (
	"fmt"
	"strings"
	"time"
)

// Meta is the metadata an extractor found, in the shape the metadata score
// compares. Extractors that give a byline as one string put it in Authors
// as a single element.
type Meta struct {
	Title     string
	Authors   []string
	Language  string
	Published time.Time
	SiteName  string
}

// Field names one scored metadata field.
type Field string

// The scored fields, in report order. FieldBylineNames and
// FieldPublishedDate are lenient rates, scored whenever FieldByline and
// FieldPublished are.
const (
	FieldTitle         Field = "title"
	FieldByline        Field = "byline"
	FieldBylineNames   Field = "byline_names"
	FieldLanguage      Field = "language"
	FieldPublished     Field = "published"
	FieldPublishedDate Field = "published_date"
	FieldSiteName      Field = "site_name"
)

// AllFields are the fields an extractor can declare, in report order
// (the lenient rates come with their strict field).
var AllFields = []Field{FieldTitle, FieldByline, FieldLanguage, FieldPublished, FieldSiteName}

// FieldRate is the share of cases, among those whose fixture has a value
// for the field, where the extractor's value matches.
type FieldRate struct {
	Field   Field   `json:"field"`
	Matched int     `json:"matched"`
	Cases   int     `json:"cases"`
	Rate    float64 `json:"rate"`
}

// Disagreement is one case where the extractor's value differs from the
// fixture's. The fixture is Readability.js's output, not a human gold
// standard, so either side may be the wrong one.
type Disagreement struct {
	Case     string `json:"case"`
	Field    Field  `json:"field"`
	Expected string `json:"expected"`
	Got      string `json:"got"`
}

// MetaScore is the metadata figure over the Readability fixtures.
type MetaScore struct {
	Cases         int            `json:"cases"`
	Errors        int            `json:"errors"`
	Rates         []FieldRate    `json:"rates"`
	Disagreements []Disagreement `json:"disagreements,omitempty"`
}

// Rate returns the rate for f, if it was scored.
func (s MetaScore) Rate(f Field) (FieldRate, bool) {
	for _, r := range s.Rates {
		if r.Field == f {
			return r, true
		}
	}
	return FieldRate{}, false
}

// ScoreMetadata compares got[i] (the extractor's metadata for cases[i]; a
// failed extraction is given as a zero Meta and counted in errs) with each
// fixture, for the fields the extractor provides. A case counts for a field
// only when its fixture has a value there. The rules, chosen to judge what
// a field means rather than how it is spelled:
//
//   - every string is compared after whitespace normalisation (runs of
//     Unicode space collapse to one space, ends trimmed);
//   - title and site_name: exact match;
//   - byline (strict): the fixture's byline equals the authors joined with
//     ", " — an extractor that keeps "By " or a role fails it, as it should;
//   - byline_names (lenient): every name in the fixture's byline is among
//     the extractor's names, where both sides are split into names at
//     commas, semicolons, "&" and the words and/und/et/y/e, a leading
//     "by"/"par"/"von"/"por"/"per" is dropped, and case is ignored;
//   - language: the primary subtags match, ignoring case ("en-US" and "en"
//     agree: Herald keeps a region only where it matters, by design);
//   - published: the same instant, at one-second resolution; a fixture time
//     without a zone matches the same wall-clock time in the zone the
//     extractor reports, and a fixture date without a time matches any time
//     on that calendar date;
//   - published_date (lenient, for extractors that find only a date): the
//     published rule holds, or the calendar date as the fixture writes it
//     equals the calendar date of the extractor's time in the zone it
//     reports.
func ScoreMetadata(cases []Case, got []Meta, errs []error, fields []Field) MetaScore {
	s := MetaScore{Cases: len(cases)}
	for _, err := range errs {
		if err != nil {
			s.Errors++
		}
	}
	for _, f := range fields {
		rates := []FieldRate{{Field: f}}
		switch f {
		case FieldByline:
			rates = append(rates, FieldRate{Field: FieldBylineNames})
		case FieldPublished:
			rates = append(rates, FieldRate{Field: FieldPublishedDate})
		}
		for i := range rates {
			r := &rates[i]
			for ci, c := range cases {
				var g Meta
				if ci < len(got) {
					g = got[ci]
				}
				want, have, ok, scored := compareField(r.Field, c.Expected, g)
				if !scored {
					continue
				}
				r.Cases++
				if ok {
					r.Matched++
				} else {
					s.Disagreements = append(s.Disagreements, Disagreement{Case: c.Name, Field: r.Field, Expected: want, Got: have})
				}
			}
			if r.Cases > 0 {
				r.Rate = float64(r.Matched) / float64(r.Cases)
			}
		}
		s.Rates = append(s.Rates, rates...)
	}
	return s
}

// compareField applies the rule for f. scored is false when the fixture
// has no value for f.
func compareField(f Field, e Expected, g Meta) (want, have string, ok, scored bool) {
	switch f {
	case FieldTitle:
		want, have = normalizeSpace(e.Title), normalizeSpace(g.Title)
		ok = want == have
	case FieldSiteName:
		want, have = normalizeSpace(e.SiteName), normalizeSpace(g.SiteName)
		ok = want == have
	case FieldByline:
		want, have = normalizeSpace(e.Byline), normalizeSpace(strings.Join(g.Authors, ", "))
		ok = want == have
	case FieldBylineNames:
		want, have = normalizeSpace(e.Byline), normalizeSpace(strings.Join(g.Authors, ", "))
		ok = allNamesFound(want, g.Authors)
	case FieldLanguage:
		want, have = normalizeSpace(e.Lang), normalizeSpace(g.Language)
		ok = have != "" && strings.EqualFold(primarySubtag(want), primarySubtag(have))
	case FieldPublished, FieldPublishedDate:
		want = normalizeSpace(e.PublishedTime)
		if !g.Published.IsZero() {
			have = g.Published.Format(time.RFC3339Nano)
		}
		if want != "" && !g.Published.IsZero() {
			var err error
			if f == FieldPublished {
				ok, err = sameTime(want, g.Published)
			} else if ok, err = sameTime(want, g.Published); err == nil && !ok {
				ok, err = sameDate(want, g.Published)
			}
			if err != nil {
				want += " (" + err.Error() + ")"
			}
		}
	default:
		return "", "", false, false
	}
	return want, have, ok, want != ""
}

func normalizeSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func primarySubtag(tag string) string {
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		return tag[:i]
	}
	return tag
}

// splitNames splits a byline into lower-cased names (see ScoreMetadata).
func splitNames(byline string) []string {
	s := " " + strings.ToLower(normalizeSpace(byline)) + " "
	for _, sep := range []string{",", ";", "&", " and ", " und ", " et ", " y ", " e "} {
		s = strings.ReplaceAll(s, sep, "\x00")
	}
	var names []string
	for _, n := range strings.Split(s, "\x00") {
		n = strings.TrimSpace(n)
		for _, p := range []string{"by ", "par ", "von ", "por ", "per "} {
			n = strings.TrimSpace(strings.TrimPrefix(n, p))
		}
		if n != "" && n != "by" {
			names = append(names, n)
		}
	}
	return names
}

func allNamesFound(expected string, authors []string) bool {
	have := map[string]bool{}
	for _, a := range authors {
		for _, n := range splitNames(a) {
			have[n] = true
		}
	}
	want := splitNames(expected)
	if len(want) == 0 {
		return false
	}
	for _, n := range want {
		if !have[n] {
			return false
		}
	}
	return true
}

// Fixture date layouts: with a zone (compared as instants), then without
// (compared as wall clock), then a bare date.
var (
	zonedLayouts = []string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999Z0700",
		"2006-01-02T15:04Z07:00",
		"2006-01-02 15:04:05.999999999Z07:00",
		time.RFC1123Z, time.RFC1123,
	}
	localLayouts = []string{
		"2006-01-02T15:04:05.999999999",
		"2006-01-02T15:04",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02 15:04",
	}
)

// parseFixtureTime parses a fixture's publishedTime. kind says how much it
// carries: "zoned" (an instant), "local" (a wall-clock time) or "date".
func parseFixtureTime(want string) (t time.Time, kind string, err error) {
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, want); err == nil {
			return t, "zoned", nil
		}
	}
	for _, l := range localLayouts {
		if t, err := time.Parse(l, want); err == nil {
			return t, "local", nil
		}
	}
	if t, err := time.Parse("2006-01-02", want); err == nil {
		return t, "date", nil
	}
	return time.Time{}, "", fmt.Errorf("unparsed fixture date")
}

// sameDate applies the published_date rule.
func sameDate(want string, got time.Time) (bool, error) {
	t, _, err := parseFixtureTime(want)
	if err != nil {
		return false, err
	}
	y1, m1, d1 := t.Date()
	y2, m2, d2 := got.Date()
	return y1 == y2 && m1 == m2 && d1 == d2, nil
}

// sameTime applies the published rule; err says the fixture's value could
// not be parsed (the case then counts as a disagreement).
func sameTime(want string, got time.Time) (bool, error) {
	t, kind, err := parseFixtureTime(want)
	switch {
	case err != nil:
		return false, err
	case kind == "zoned":
		return t.Truncate(time.Second).Equal(got.Truncate(time.Second)), nil
	case kind == "local":
		wall := time.Date(got.Year(), got.Month(), got.Day(), got.Hour(), got.Minute(), got.Second(), 0, time.UTC)
		return t.Truncate(time.Second).Equal(wall), nil
	}
	return sameDate(want, got)
}
