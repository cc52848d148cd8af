package extract

import (
	"testing"
	"time"
)

// testNow is the fetch time used by metadata tests.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func TestParseDate(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min, s int) string {
		return time.Date(y, m, d, h, min, s, 0, time.UTC).Format(time.RFC3339Nano)
	}
	tests := []struct {
		in   string
		want string // RFC 3339 with the zone as parsed; "" = rejected
	}{
		// ISO 8601 / RFC 3339
		{"2022-02-08T10:30:00+00:00", "2022-02-08T10:30:00Z"},
		{"2022-02-08T10:30:00Z", "2022-02-08T10:30:00Z"},
		{"2022-02-08T10:30:00.123Z", "2022-02-08T10:30:00.123Z"},
		{"2022-02-08T10:30:00,5+01:00", "2022-02-08T10:30:00.5+01:00"},
		{"2017-11-03 03:01:00.000000", "2017-11-03T03:01:00Z"},
		{"2022-02-08T10:30:00+0100", "2022-02-08T10:30:00+01:00"},
		{"2022-02-08T10:30:00-05", "2022-02-08T10:30:00-05:00"},
		{"2022-02-08T10:30+05:30", "2022-02-08T10:30:00+05:30"},
		{"2018-04-05T06:00", "2018-04-05T06:00:00Z"},
		{"2022-02-08", "2022-02-08T00:00:00Z"},
		{"2022-02-08 10:30:00 UTC", "2022-02-08T10:30:00Z"},
		{"2022-02-08 10:30:00 +0200", "2022-02-08T10:30:00+02:00"},
		{"2022-02-08T10:30:00 EST", "2022-02-08T10:30:00-05:00"},
		{"  2022-02-08T10:30:00Z  ", "2022-02-08T10:30:00Z"},
		// basic format
		{"20220208T1030+0000", "2022-02-08T10:30:00Z"},
		{"20220208T103015Z", "2022-02-08T10:30:15Z"},
		{"20220208T1030-0300", "2022-02-08T10:30:00-03:00"},
		{"20220208", "2022-02-08T00:00:00Z"},
		// RFC 1123 / 822 / 850 / ANSI C
		{"Tue, 08 Feb 2022 10:30:00 GMT", "2022-02-08T10:30:00Z"},
		{"Tue, 08 Feb 2022 10:30:00 +0100", "2022-02-08T10:30:00+01:00"},
		{"Tue, 8 Feb 2022 10:30:00 -0500", "2022-02-08T10:30:00-05:00"},
		{"08 Feb 22 10:30 +0000", "2022-02-08T10:30:00Z"},
		{"Tuesday, 08-Feb-22 10:30:00 GMT", "2022-02-08T10:30:00Z"},
		{"Tue Feb  8 10:30:00 2022", "2022-02-08T10:30:00Z"},
		{"Sun, 06 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z"},
		// Unix timestamps
		{"1644316200", "2022-02-08T10:30:00Z"},
		{"1644316200000", "2022-02-08T10:30:00Z"},
		// written English
		{"3 March 2023, 14:05", utc(2023, 3, 3, 14, 5, 0)},
		{"March 3, 2023", utc(2023, 3, 3, 0, 0, 0)},
		{"March 3rd, 2023", utc(2023, 3, 3, 0, 0, 0)},
		{"Friday, March 3, 2023 at 2:05 p.m.", utc(2023, 3, 3, 14, 5, 0)},
		{"Mar 3 2023 2:05 PM EST", "2023-03-03T14:05:00-05:00"},
		{"Mar. 3, 2023 12:05 AM", utc(2023, 3, 3, 0, 5, 0)},
		{"July 4, 2023 2:05 PM ET", "2023-07-04T14:05:00-04:00"},
		{"January 4, 2023 2:05 PM ET", "2023-01-04T14:05:00-05:00"},
		{"Published: 3 March 2023 14:05 GMT+2", "2023-03-03T14:05:00+02:00"},
		{"3 March 2023 14:05 GMT+02:00", "2023-03-03T14:05:00+02:00"},
		{"Updated on 03 Mar 2023, 14:05 BST", "2023-03-03T14:05:00+01:00"},
		{"SEPTEMBER 1, 2020", utc(2020, 9, 1, 0, 0, 0)},
		{"Nov. 19, 2019, 5:02 p.m. ET", "2019-11-19T17:02:00-05:00"},
		{"Updated 8:47 PM ET, Tue November 19, 2019", "2019-11-19T20:47:00-05:00"},
		{"Tue 19 Nov 2019 14.05 GMT", "2019-11-19T14:05:00Z"},
		{"Nov 20, 2019 01:41 PM IST", "2019-11-20T13:41:00+05:30"},
		{"19 Nov 2019 2.05pm", utc(2019, 11, 19, 14, 5, 0)},
		{"19.11.2019, 14:05 Uhr", utc(2019, 11, 19, 14, 5, 0)},
		{"Sept. 1, 2020", utc(2020, 9, 1, 0, 0, 0)},
		// numeric
		{"03.03.2023", utc(2023, 3, 3, 0, 0, 0)},
		{"14.02.2023 09:15", utc(2023, 2, 14, 9, 15, 0)},
		{"2023/03/03", utc(2023, 3, 3, 0, 0, 0)},
		{"2023.03.03", utc(2023, 3, 3, 0, 0, 0)},
		{"14/02/2023", utc(2023, 2, 14, 0, 0, 0)},
		{"02/14/2023 2:05 PM", utc(2023, 2, 14, 14, 5, 0)},
		{"03/03/2023", utc(2023, 3, 3, 0, 0, 0)},
		{"03/04/2023", ""}, // ambiguous: refused
		{"03.03.23", utc(2023, 3, 3, 0, 0, 0)},
		// French
		{"3 mars 2023", utc(2023, 3, 3, 0, 0, 0)},
		{"1er février 2023 à 14h05", utc(2023, 2, 1, 14, 5, 0)},
		{"mercredi 8 fevrier 2023", utc(2023, 2, 8, 0, 0, 0)},
		{"15 août 2022", utc(2022, 8, 15, 0, 0, 0)},
		{"Publié le 3 déc. 2022 à 10:00", utc(2022, 12, 3, 10, 0, 0)},
		// German
		{"3. März 2023", utc(2023, 3, 3, 0, 0, 0)},
		{"am 3. Maerz 2023 um 14:05 Uhr", utc(2023, 3, 3, 14, 5, 0)},
		{"Mittwoch, 8. Februar 2023, 14.05 Uhr", utc(2023, 2, 8, 14, 5, 0)},
		{"12. Okt. 2022", utc(2022, 10, 12, 0, 0, 0)},
		{"3. Jänner 2023", utc(2023, 1, 3, 0, 0, 0)},
		// Spanish
		{"3 de marzo de 2023", utc(2023, 3, 3, 0, 0, 0)},
		{"miércoles, 8 de febrero de 2023 14:05", utc(2023, 2, 8, 14, 5, 0)},
		{"12 dic 2022", utc(2022, 12, 12, 0, 0, 0)},
		// Portuguese
		{"3 de março de 2023", utc(2023, 3, 3, 0, 0, 0)},
		{"21.dez.2018 às 12h55", ""}, // "às" is unknown filler: refused
		{"21 de dezembro de 2018, 12h55", utc(2018, 12, 21, 12, 55, 0)},
		{"8 fev 2023", utc(2023, 2, 8, 0, 0, 0)},
		// Italian
		{"3 marzo 2023", utc(2023, 3, 3, 0, 0, 0)},
		{"8 febbraio 2023 ore 14:05", ""},
		{"giovedì 15 giugno 2023", utc(2023, 6, 15, 0, 0, 0)},
		// Russian
		{"3 марта 2023", utc(2023, 3, 3, 0, 0, 0)},
		{"3 марта 2023 г., 14:05", utc(2023, 3, 3, 14, 5, 0)},
		{"Май 2023", ""}, // no day
		{"15 января 2022 в 09:30", utc(2022, 1, 15, 9, 30, 0)},
		{"1 сент. 2021", utc(2021, 9, 1, 0, 0, 0)},
		// Dutch and Polish
		{"3 maart 2023", utc(2023, 3, 3, 0, 0, 0)},
		{"8 februari 2023 om 14:05", utc(2023, 2, 8, 14, 5, 0)},
		{"3 marca 2023", utc(2023, 3, 3, 0, 0, 0)},
		{"12 października 2022", utc(2022, 10, 12, 0, 0, 0)},
		// CJK
		{"2023年3月3日", utc(2023, 3, 3, 0, 0, 0)},
		{"2023년 3월 3일", utc(2023, 3, 3, 0, 0, 0)},
		// rejected
		{"", ""},
		{"yesterday", ""},
		{"3 hours ago", ""},
		{"March 2023", ""},
		{"2022-02-30", ""},
		{"2022-13-01", ""},
		{"31 April 2023", ""},
		{"1970-01-01T00:00:00Z", ""},
		{"1989-12-31", ""},
		{"2025-06-03T00:00:00Z", ""}, // after now + 1 day
		{"2025-06-02T06:00:00Z", "2025-06-02T06:00:00Z"},
		{"0", ""},
		{"123456", ""},
		{"99999999999", ""},
		{"2022-02-08T25:00:00Z", ""},
		{"2022-02-08T10:30:00+25:00", ""},
		{"2022-02-08T10:30:00 garbage", ""},
		{"The meeting on March 3, 2023 was long", ""},
		{"2 PM", ""},
		{"13:05 PM March 3, 2023", ""},
		{"4/5", ""},
	}
	for _, tt := range tests {
		wantParseDate(t, tt.in, tt.want)
	}
}

func TestParseDateZoneKept(t *testing.T) {
	got, ok := parseDate("2022-02-08T10:30:00+0000", testNow)
	if !ok || got.Location() != time.UTC {
		t.Errorf("+0000 should be UTC, got %v %v", got, got.Location())
	}
	got, ok = parseDate("2022-02-08T10:30:00+05:30", testNow)
	if _, off := got.Zone(); !ok || off != 5*3600+1800 {
		t.Errorf("+05:30 lost: %v", got)
	}
}

func TestParseDateZeroNow(t *testing.T) {
	if _, ok := parseDate("2090-01-01", time.Time{}); !ok {
		t.Error("zero now should mean no upper bound")
	}
}

func TestFindDate(t *testing.T) {
	tests := []struct {
		in       string
		pub, mod string
	}{
		{"April 28, 2019 at 6:01 am Updated April 29, 2019 at 3:33 pm", "2019-04-28T06:01:00Z", "2019-04-29T15:33:00Z"},
		{"Published 3 March 2023 | Last updated 4 March 2023", "2023-03-03T00:00:00Z", "2023-03-04T00:00:00Z"},
		{"By Jane Doe March 3, 2023", "2023-03-03T00:00:00Z", ""},
		{"By Jane Doe • 3 mars 2023", "2023-03-03T00:00:00Z", ""},
		{"Posted on 03/03/2023", "2023-03-03T00:00:00Z", ""},
		{"Last Updated : Nov 20, 2019 01:41 PM IST | Source: Example.com", "", "2019-11-20T13:41:00+05:30"},
		{"First Published on Nov 20, 2019 01:38 pm", "2019-11-20T13:38:00Z", ""},
		{"No date here at all", "", ""},
	}
	for _, tt := range tests {
		wantFindDate(t, tt.in, tt.pub, tt.mod)
	}
}

func TestDateFromURL(t *testing.T) {
	tests := []struct {
		path string
		want string
	}{
		{"/2022/02/08/harbour-reopens.html", "2022-02-08"},
		{"/news/2022/2/8/harbour", "2022-02-08"},
		{"/20220208/harbour", "2022-02-08"},
		{"/news/2022-02-08-harbour-reopens", "2022-02-08"},
		{"/story/harbour-2022-02-08.html", "2022-02-08"},
		{"/2022/02/harbour", ""},
		{"/article/123456789/harbour", ""},
		{"/id/20221345/x", ""},
		{"/2030/01/01/future", ""},
		{"/a1/2022-02-08", "2022-02-08"},
		{"/v2022-02-08", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := dateFromURL(tt.path, testNow)
		gs := ""
		if ok {
			gs = got.Format("2006-01-02")
		}
		if gs != tt.want {
			t.Errorf("dateFromURL(%q) = %q, want %q", tt.path, gs, tt.want)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2022-02-08T10:30:00+00:00", "20220208T1030+0000", "Tue, 08 Feb 2022 10:30:00 GMT",
		"3 марта 2023 г., 14:05", "March 3, 2023 2:05 PM ET", "2023年3月3日", "03.03.2023", "GMT+02:00", "1644316200000",
		"الخميس، ١٤ مارس ٢٠٢٤ - ١٠:٣٠ م", "۱۴۰۳/۰۱/۲۵", "٥ كانون الثاني ٢٠٢٤م"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseDate(s, testNow)
		if ok && (got.Year() < minYear || got.After(testNow.Add(futureSlack))) {
			t.Errorf("parseDate(%q) = %v outside bounds", s, got)
		}
		findDate(s, testNow)
		dateFromURL(s, testNow)
	})
}

func TestIsDateStamp(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"8 Feb", true},
		{"21:00", true},
		{"01:00 BST", true},
		{"4:14 p.m.", true},
		{"Updated: 9 February 2022 10:30 CET", true},
		{"Last updated 2 Nov 2023, 18:45", true},
		{"08.02.2022", true},
		{"(Published Monday, Nov. 18, 2019)", true},
		{"Tuesday, 8 February 2022", true},
		// not stamps
		{"2022", false},
		{"May", false},
		{"Out", false},
		{"2:1", false},
		{"Tuesday", false},
		{"29 November 2018 | 20 January 2019", false}, // a range
		{"The council met on 8 February 2022.", false},
		{"Polls close at 22:00", false},
		{"3 Kevin Harvick 5033 4", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := isDateStamp(tt.in); got != tt.want {
			t.Errorf("isDateStamp(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// wantParseDate checks parseDate(in) against want: RFC 3339 (with
// fractions of seconds when there are any), "" for no date.
func wantParseDate(t *testing.T, in, want string) {
	t.Helper()
	got, ok := parseDate(in, testNow)
	gs := ""
	if ok {
		gs = got.Format(time.RFC3339Nano)
	}
	if gs != want {
		t.Errorf("parseDate(%q) = %q, want %q", in, gs, want)
	}
}

// wantFindDate checks the published and modified times findDate reads in
// in against pub and mod (RFC 3339, "" for none).
func wantFindDate(t *testing.T, in, pub, mod string) {
	t.Helper()
	p, m := findDate(in, testNow)
	ps, ms := "", ""
	if !p.IsZero() {
		ps = p.Format(time.RFC3339)
	}
	if !m.IsZero() {
		ms = m.Format(time.RFC3339)
	}
	if ps != pub || ms != mod {
		t.Errorf("findDate(%q) = %q, %q; want %q, %q", in, ps, ms, pub, mod)
	}
}
