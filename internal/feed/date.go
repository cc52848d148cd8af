package feed

import (
	"strings"
	"time"
)

// zoneLayouts are the date spellings common in feeds whose zone can be
// read back: RSS's RFC 822 family and Atom's and JSON Feed's RFC 3339.
var zoneLayouts = []string{
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 -0700",
	time.RFC822Z,
	time.RFC822,
	time.RFC3339,
	"2006-01-02T15:04:05-0700",
	"2006-01-02T15:04-07:00",
}

// declared returns the time gofeed parsed from raw, in the zone raw
// declares. gofeed's RSS and Atom parsers normalise times to UTC, which
// loses the publisher's offset that the article record keeps; gofeed stays
// the judge of which instant raw means (it reads many more spellings), and
// its result is returned unchanged when raw is not one of zoneLayouts or
// names another instant.
func declared(raw string, parsed *time.Time) time.Time {
	if parsed == nil || parsed.IsZero() {
		return time.Time{}
	}
	raw = strings.TrimSpace(raw)
	for _, layout := range zoneLayouts {
		if t, err := time.Parse(layout, raw); err == nil {
			if t.Equal(*parsed) {
				return t
			}
			break
		}
	}
	return *parsed
}
