package sitemap

import (
	"strings"
	"time"
)

// dateLayouts are the W3C datetime profile's precisions
// (https://www.w3.org/TR/NOTE-datetime) followed by the spellings sitemap
// generators produce instead: a zone without a colon, a space instead of
// the "T", no zone at all. time.Parse accepts fractional seconds after the
// seconds field without a layout of their own.
var dateLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04Z07:00",
	"2006-01-02",
	"2006-01",
	"2006",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05Z0700",
	"2006-01-02 15:04:05 Z0700",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	time.RFC1123Z,
	time.RFC1123,
}

// parseDate reads a lastmod or publication_date value. A value without a
// zone is taken as UTC. It returns the zero time for anything else, and for
// dates before year 1000 or after 9999, which are typos or placeholders.
func parseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return time.Time{}
	}
	for _, layout := range dateLayouts {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if y := t.Year(); y < 1000 || y > 9999 {
			return time.Time{}
		}
		return t
	}
	return time.Time{}
}
