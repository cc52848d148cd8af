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

// datelineTailRe matches what may follow the date: a time, then a comma
// and a name.
var datelineTailRe = regexp.MustCompile(`^(?:,?\s*\d{1,2}:\d{2})?(?:\s*,\s*(.+?))?\s*$`)

const datelineTail = 100

// parseDateline finds a dateline at the end of text: a date as DD.MM.YYYY
// or YYYY-MM-DD, optionally a time, optionally a comma and a name, with
// nothing after it. A name that does not look like a name (isName) makes
// it no dateline.
func parseDateline(text string) (dateline, bool) {
	if len(text) > 5000 {
		return dateline{}, false
	}
	// The date is within the last datelineTail bytes: a name has at most
	// 60 of them, a date and a time about 20.
	start, end := -1, -1
	var day, month, year string
	for i := max(0, len(text)-datelineTail); i < len(text); i++ {
		if !isDigit(text[i]) || i > 0 && isDigit(text[i-1]) {
			continue
		}
		if d, m, y, n := matchDate(text[i:]); n > 0 {
			start, end = i, i+n
			day, month, year = d, m, y
		}
	}
	if start < 0 {
		return dateline{}, false
	}
	if start > 0 && !strings.ContainsRune(" ,;|—–-(", rune(text[start-1])) {
		return dateline{}, false
	}
	tail := datelineTailRe.FindStringSubmatch(text[end:])
	if tail == nil {
		return dateline{}, false
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

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// digits returns the length of the run of digits at the start of s.
func digits(s string) int {
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	return n
}

// matchDate matches D.M.YYYY (one or two digits for day and month) or
// YYYY-MM-DD at the start of s, not followed by another digit, and returns
// its parts and length, or n == 0.
func matchDate(s string) (day, month, year string, n int) {
	a := digits(s)
	switch {
	case a == 4 && len(s) >= 10 && s[4] == '-' && digits(s[5:]) == 2 && s[7] == '-' && digits(s[8:]) == 2:
		return s[8:10], s[5:7], s[:4], 10
	case (a == 1 || a == 2) && len(s) > a && s[a] == '.':
		b := digits(s[a+1:])
		if b != 1 && b != 2 {
			return "", "", "", 0
		}
		p := a + 1 + b
		if len(s) > p && s[p] == '.' && digits(s[p+1:]) == 4 {
			return s[:a], s[a+1 : p], s[p+1 : p+5], p + 5
		}
	}
	return "", "", "", 0
}
