package textcorpus

import (
	"regexp"
	"strings"
	"time"
)

// dateline is a trailing "08.02.2022, Example News" and what precedes it.
type dateline struct {
	prefix string    // the text before the date, trimmed
	date   time.Time // midnight UTC
	name   string    // the site name after the date, if any
	raw    string    // the dateline itself
}

var (
	datelineDateRe = regexp.MustCompile(`(\d{1,2})\.(\d{1,2})\.(\d{4})|(\d{4})-(\d{2})-(\d{2})`)
	// datelineTailRe matches what may follow the date: a time, then a
	// comma and a name.
	datelineTailRe = regexp.MustCompile(`^(?:,?\s*\d{1,2}:\d{2})?(?:\s*,\s*(.+?))?\s*$`)
)

// parseDateline finds a dateline at the end of text: a date as DD.MM.YYYY
// or YYYY-MM-DD, optionally a time, optionally a comma and a name, with
// nothing after it. A name that does not look like a name (isName) makes
// it no dateline.
func parseDateline(text string) (dateline, bool) {
	if len(text) > 5000 {
		return dateline{}, false
	}
	all := datelineDateRe.FindAllStringSubmatchIndex(text, -1)
	if all == nil {
		return dateline{}, false
	}
	m := all[len(all)-1]
	start, end := m[0], m[1]
	if start > 0 && !strings.ContainsRune(" ,;|—–-(", rune(text[start-1])) {
		return dateline{}, false
	}
	tail := datelineTailRe.FindStringSubmatch(text[end:])
	if tail == nil {
		return dateline{}, false
	}
	var day, month, year string
	if m[2] >= 0 {
		day, month, year = text[m[2]:m[3]], text[m[4]:m[5]], text[m[6]:m[7]]
	} else {
		year, month, day = text[m[8]:m[9]], text[m[10]:m[11]], text[m[12]:m[13]]
	}
	if len(day) == 1 {
		day = "0" + day
	}
	if len(month) == 1 {
		month = "0" + month
	}
	date, err := time.Parse(time.DateOnly, year+"-"+month+"-"+day)
	if err != nil {
		return dateline{}, false
	}
	name := tail[1]
	if name != "" && !isName(name) {
		return dateline{}, false
	}
	return dateline{
		prefix: strings.TrimRight(text[:start], " ,;|—–-("),
		date:   date,
		name:   name,
		raw:    strings.TrimSpace(text[start:]),
	}, true
}
