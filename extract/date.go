package extract

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Date parsing.
//
// Publishers write dates in every format there is. parseDate accepts:
//
//   - ISO 8601 / RFC 3339, extended and basic ("2022-02-08T10:30:00+00:00",
//     "20220208T1030+0000"), with or without seconds, fractional seconds,
//     a space instead of "T", offsets with or without a colon, "Z", or a
//     trailing zone word ("2022-02-08 10:30 UTC"); date only ("2022-02-08");
//   - RFC 1123, 822 and 850 and the ANSI C form ("Mon, 02 Jan 2006 15:04:05
//     GMT", "Monday, 02-Jan-06 15:04:05 GMT", "Mon Jan  2 15:04:05 2006");
//   - Unix timestamps in seconds (10 digits) or milliseconds (13 digits);
//   - written dates with month names in English, French, German, Spanish,
//     Portuguese, Italian, Russian, Dutch and Polish, full or abbreviated,
//     with or without accents, nominative or genitive ("3 March 2023,
//     14:05", "March 3, 2023", "Mar 3 2023 2:05 PM EST", "3. März 2023",
//     "3 de março de 2023", "3 марта 2023 г."), with weekdays, ordinals
//     and the usual filler words ("on", "at", "de", "um", "Uhr", "в");
//   - numeric dates "03.03.2023" (day first), "2023/03/03", "2023.03.03",
//     and "03/04/2023" only when unambiguous (one side above 12, or both
//     equal): "03/04/2023" is refused rather than guessed;
//   - CJK dates "2023年3月3日";
//   - the Gregorian months named in Arabic (Egyptian and Gulf "مارس",
//     Maghreb "غشت", "أفريل", Levantine and Iraqi "آذار", "كانون الثاني"),
//     in Persian ("ژانویه") and in Urdu ("مارچ"), with Arabic weekdays,
//     the Gregorian era mark "م" after a year, and "ص"/"م" (a.m./p.m.)
//     after a time.
//
// Digits of any script count as their ASCII values: Arabic-Indic
// ("٢٠٢٤-٠٣-١٤"), Persian ("۱۴ مارس ۲۰۲۴"), Devanagari, Bengali, Thai,
// full-width … (foldDateText); the Arabic comma and invisible direction
// marks are ignored.
//
// Only the Gregorian calendar is understood. A date of another calendar
// is rejected, never converted and never taken as Gregorian: its month
// names are unknown ("فروردین", "رمضان"), the Hijri era mark "هـ" is an
// unknown word, and its numeric years fall outside the accepted range
// (Solar Hijri 1403 and Hijri 1445 are before 1990; Buddhist 2567,
// Bikram Sambat 2081 and Hebrew 5784 are after now). Because two-digit
// years could be of any calendar, a date written in non-ASCII digits
// must give its year with four digits ("۲۵.۰۱.۰۳" is refused).
//
// A declared zone is kept as a fixed offset (a declared +0000 or Z is
// UTC); the US zone names ET, CT, MT and PT follow the US daylight-saving
// rule. A date without a zone is taken as UTC. Dates before 1990 or more
// than a day after now are rejected: the day of slack absorbs pages whose
// zone is wrong. A zero now means no upper bound.

// minYear is the earliest year accepted: older dates on news pages are
// placeholders ("1970-01-01") or errors.
const minYear = 1990

// futureSlack is how far after now a date may be and still be accepted.
const futureSlack = 24 * time.Hour

// maxDateLen bounds the input parseDate looks at; longer strings are text,
// not dates.
const maxDateLen = 120

// parseDate parses s as a date. It reports false for anything it does not
// recognise with confidence, and for dates outside [1990, now+1 day].
func parseDate(s string, now time.Time) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxDateLen*2 {
		return time.Time{}, false
	}
	s, native := foldDateText(s)
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxDateLen {
		return time.Time{}, false
	}
	t, ok := parseISO(s)
	if !ok {
		t, ok = parseUnix(s)
	}
	if !ok {
		t, ok = parseWritten(s, native)
	}
	if !ok || !plausibleDate(t, now) {
		return time.Time{}, false
	}
	return t, true
}

// plausibleDate reports whether t lies between minYear and now+futureSlack.
func plausibleDate(t, now time.Time) bool {
	if t.Year() < minYear {
		return false
	}
	if !now.IsZero() && t.After(now.Add(futureSlack)) {
		return false
	}
	return true
}

// digits reads exactly n ASCII digits at s[i:].
func digits(s string, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for j := i; j < i+n; j++ {
		c := s[j]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// foldDateText rewrites the digits of every script in s as ASCII digits
// ("١٤", "۱۴", "१४" → "14"), the Arabic comma as ",", and drops the
// invisible marks that set text direction, which right-to-left pages put
// around numbers. native reports whether a digit was not ASCII. Text
// without such characters is returned as it is, without allocating.
func foldDateText(s string) (folded string, native bool) {
	i := 0
	for i < len(s) {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if _, ok := digitValue(r); ok || r == '،' || isDirectionMark(r) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s, false
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		switch {
		case r < utf8.RuneSelf:
			b.WriteByte(byte(r))
		case r == '،':
			b.WriteByte(',')
		case isDirectionMark(r):
		default:
			if v, ok := digitValue(r); ok {
				b.WriteByte(byte('0' + v))
				native = true
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String(), native
}

// isDirectionMark reports the invisible bidirectional formatting
// characters: LRM, RLM, ALM and the embeddings, overrides and isolates.
func isDirectionMark(r rune) bool {
	return r == '\u200e' || r == '\u200f' || r == '\u061c' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// digitValue returns the value of a decimal digit of any script
// (Unicode category Nd). Unicode encodes these digits only in runs of ten
// from 0 to 9, some runs placed end to end, so a digit's value is its
// distance from the first digit before it, modulo 10 (TestDigitValue
// checks every code point).
func digitValue(r rune) (int, bool) {
	if r < utf8.RuneSelf {
		if r >= '0' && r <= '9' {
			return int(r - '0'), true
		}
		return 0, false
	}
	if !unicode.Is(unicode.Nd, r) {
		return 0, false
	}
	n := 0
	for unicode.Is(unicode.Nd, r-rune(n)-1) {
		n++
	}
	return n % 10, true
}

// parseISO parses ISO 8601 dates and date-times, extended or basic.
func parseISO(s string) (time.Time, bool) {
	year, ok := digits(s, 0, 4)
	if !ok {
		return time.Time{}, false
	}
	i := 4
	basic := true
	if i < len(s) && s[i] == '-' {
		basic = false
		i++
	}
	month, ok := digits(s, i, 2)
	if !ok {
		return time.Time{}, false
	}
	i += 2
	if !basic {
		if i >= len(s) || s[i] != '-' {
			return time.Time{}, false
		}
		i++
	}
	day, ok := digits(s, i, 2)
	if !ok {
		return time.Time{}, false
	}
	i += 2
	if basic && len(s) > i && isDigit(s[i]) {
		// 12 or 14 digits "202202081030": a compact timestamp, handled by
		// the time part below only with a "T"; plain runs are not ISO.
		return time.Time{}, false
	}
	if !validDate(year, month, day) {
		return time.Time{}, false
	}
	if i == len(s) {
		return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), true
	}
	if s[i] != 'T' && s[i] != 't' && s[i] != ' ' {
		return time.Time{}, false
	}
	i++
	for i < len(s) && s[i] == ' ' {
		i++
	}
	hour, ok := digits(s, i, 2)
	if !ok {
		return time.Time{}, false
	}
	i += 2
	min, sec, nsec := 0, 0, 0
	colon := i < len(s) && s[i] == ':'
	if colon {
		i++
	}
	if m, ok := digits(s, i, 2); ok {
		min = m
		i += 2
		if i < len(s) && (s[i] == ':' || (!colon && isDigit(s[i]))) {
			if s[i] == ':' {
				i++
			}
			if sc, ok := digits(s, i, 2); ok {
				sec = sc
				i += 2
			} else {
				return time.Time{}, false
			}
			if i < len(s) && (s[i] == '.' || s[i] == ',') {
				i++
				start := i
				scale := 100000000
				for i < len(s) && isDigit(s[i]) {
					if scale > 0 {
						nsec += int(s[i]-'0') * scale
						scale /= 10
					}
					i++
				}
				if i == start {
					return time.Time{}, false
				}
			}
		}
	} else if colon {
		return time.Time{}, false
	}
	if hour > 24 || min > 59 || sec > 60 || (hour == 24 && (min != 0 || sec != 0)) {
		return time.Time{}, false
	}
	if sec == 60 {
		sec = 59 // leap second: keep the instant within the minute
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	loc := time.UTC
	if i < len(s) {
		l, n, ok := parseZone(s[i:])
		if !ok {
			return time.Time{}, false
		}
		i += n
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i != len(s) {
			return time.Time{}, false
		}
		loc = l
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, nsec, loc)
	if loc == usZone {
		t = usLocal(year, time.Month(month), day, hour, min, sec, nsec, s)
	}
	return t, true
}

// usZone is a sentinel location for the US zone names that follow daylight
// saving (ET, CT, MT, PT); usLocal resolves it.
var usZone = time.FixedZone("US", 0)

// parseZone parses a zone at the start of s: "Z", "+01:00", "+0100", "+01",
// or a zone name (with an optional offset after UTC/GMT: "GMT+2"). It
// returns the location and the number of bytes used.
func parseZone(s string) (*time.Location, int, bool) {
	if s == "" {
		return nil, 0, false
	}
	if s[0] == 'Z' || s[0] == 'z' {
		if len(s) == 1 || !isLetter(s[1]) {
			return time.UTC, 1, true
		}
	}
	if s[0] == '+' || s[0] == '-' || strings.HasPrefix(s, "\u2212") {
		off, n, ok := parseOffset(s)
		if !ok {
			return nil, 0, false
		}
		return offsetZone(off), n, true
	}
	j := 0
	for j < len(s) && isLetter(s[j]) {
		j++
	}
	if j == 0 {
		return nil, 0, false
	}
	name := s[:j]
	off, known := zoneOffset(name)
	if !known {
		return nil, 0, false
	}
	if off == usDST {
		return usZone, j, true
	}
	if (strings.EqualFold(name, "UTC") || strings.EqualFold(name, "GMT")) && j < len(s) && (s[j] == '+' || s[j] == '-') {
		o, n, ok := parseOffset(s[j:])
		if ok {
			return offsetZone(o), j + n, true
		}
		// "GMT+2": hour-only offsets
		if h, ok := digits(s, j+1, 1); ok && (j+2 == len(s) || !isDigit(s[j+2])) {
			if s[j] == '-' {
				h = -h
			}
			return offsetZone(h * 3600), j + 2, true
		}
		return nil, 0, false
	}
	return offsetZone(off), j, true
}

// parseOffset parses "+hh:mm", "+hhmm" or "+hh" and returns seconds east.
func parseOffset(s string) (int, int, bool) {
	sign := 1
	i := 1
	if strings.HasPrefix(s, "\u2212") { // minus sign
		sign, i = -1, len("\u2212")
	} else if s[0] == '-' {
		sign = -1
	}
	h, ok := digits(s, i, 2)
	if !ok {
		return 0, 0, false
	}
	i += 2
	m := 0
	if i < len(s) && s[i] == ':' {
		if m, ok = digits(s, i+1, 2); !ok {
			return 0, 0, false
		}
		i += 3
	} else if mm, ok := digits(s, i, 2); ok {
		m = mm
		i += 2
	}
	if i < len(s) && isDigit(s[i]) {
		return 0, 0, false
	}
	if h > 14 || m > 59 {
		return 0, 0, false
	}
	return sign * (h*3600 + m*60), i, true
}

// offsetZone returns UTC for a zero offset, else a fixed zone.
func offsetZone(sec int) *time.Location {
	if sec == 0 {
		return time.UTC
	}
	return time.FixedZone("", sec)
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// usDST marks zone names whose offset depends on US daylight saving.
const usDST = -1 << 30

// zoneOffset returns the UTC offset of a zone abbreviation, in seconds.
// Only abbreviations with one common meaning on news sites are known.
func zoneOffset(name string) (int, bool) {
	var buf [8]byte
	if len(name) > len(buf) {
		return 0, false
	}
	for i := 0; i < len(name); i++ {
		buf[i] = name[i] &^ 0x20
	}
	const h = 3600
	switch string(buf[:len(name)]) {
	case "Z", "UT", "UTC", "GMT", "WET":
		return 0, true
	case "EST":
		return -5 * h, true
	case "EDT":
		return -4 * h, true
	case "CST":
		return -6 * h, true
	case "CDT":
		return -5 * h, true
	case "MST":
		return -7 * h, true
	case "MDT":
		return -6 * h, true
	case "PST":
		return -8 * h, true
	case "PDT":
		return -7 * h, true
	case "AKST":
		return -9 * h, true
	case "AKDT":
		return -8 * h, true
	case "HST":
		return -10 * h, true
	case "ET", "CT", "MT", "PT":
		return usDST, true
	case "BST", "WEST", "CET", "MEZ":
		return 1 * h, true
	case "CEST", "MESZ", "EET":
		return 2 * h, true
	case "EEST", "MSK":
		return 3 * h, true
	case "JST", "KST":
		return 9 * h, true
	case "IST": // India: by far the most common use on news sites
		return 5*h + 1800, true
	case "PKT":
		return 5 * h, true
	case "WIB", "ICT":
		return 7 * h, true
	case "PHT", "WITA":
		return 8 * h, true
	case "SAST", "CAT":
		return 2 * h, true
	case "EAT":
		return 3 * h, true
	case "WAT":
		return 1 * h, true
	case "SGT", "HKT", "AWST":
		return 8 * h, true
	case "ACST":
		return 9*h + 1800, true
	case "AEST":
		return 10 * h, true
	case "AEDT":
		return 11 * h, true
	case "NZST":
		return 12 * h, true
	case "NZDT":
		return 13 * h, true
	}
	return 0, false
}

// usLocal resolves a wall time in a US zone named without saying whether
// daylight saving applies (ET, CT, MT, PT), using the rule in force since
// 2007: DST from the second Sunday of March to the first Sunday of
// November, 02:00 local.
func usLocal(year int, month time.Month, day, hour, min, sec, nsec int, zoneText string) time.Time {
	std := 0
	switch strings.ToUpper(strings.TrimSpace(zoneText))[0] {
	case 'E':
		std = -5
	case 'C':
		std = -6
	case 'M':
		std = -7
	case 'P':
		std = -8
	}
	wall := time.Date(year, month, day, hour, min, sec, nsec, time.UTC)
	start := nthSunday(year, time.March, 2).Add(2 * time.Hour)
	end := nthSunday(year, time.November, 1).Add(2 * time.Hour)
	off := std
	if !wall.Before(start) && wall.Before(end) {
		off++
	}
	return time.Date(year, month, day, hour, min, sec, nsec, time.FixedZone("", off*3600))
}

// nthSunday returns midnight (UTC wall clock) of the n-th Sunday of month.
func nthSunday(year int, month time.Month, n int) time.Time {
	t := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	d := (7 - int(t.Weekday())) % 7
	return t.AddDate(0, 0, d+7*(n-1))
}

// validDate reports whether year-month-day is a real calendar date.
func validDate(year, month, day int) bool {
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	return day <= daysIn(time.Month(month), year)
}

// daysIn returns the number of days of month m in year.
func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseUnix parses an all-digit Unix timestamp: 10 digits are seconds, 13
// are milliseconds. Other lengths are not obviously timestamps.
func parseUnix(s string) (time.Time, bool) {
	if len(s) != 10 && len(s) != 13 {
		return time.Time{}, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return time.Time{}, false
		}
		v = v*10 + int64(s[i]-'0')
	}
	if len(s) == 13 {
		return time.UnixMilli(v).UTC(), true
	}
	return time.Unix(v, 0).UTC(), true
}

// dateToken is one token of a written date.
type dateToken struct {
	kind  byte // 'n' number, 'w' word, 'p' punctuation, 'z' offset
	text  string
	num   int
	width int // digits in a number
	pos   int // byte offset in the input
}

// tokenizeDate splits s into numbers, words (lower-cased, accents folded)
// and punctuation. It returns false when s has too many tokens to be a
// date.
func tokenizeDate(s string, toks []dateToken) ([]dateToken, bool) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			i++
			continue
		case isDigit(c):
			j := i
			v := 0
			for j < len(s) && isDigit(s[j]) {
				if j-i < 9 {
					v = v*10 + int(s[j]-'0')
				}
				j++
			}
			toks = append(toks, dateToken{kind: 'n', text: s[i:j], num: v, width: j - i, pos: i})
			i = j
		case (c == '+' || c == '-') && len(toks) > 0 && toks[len(toks)-1].kind == 'n' && i+1 < len(s) && isDigit(s[i+1]) && timeBefore(toks):
			// "+0100" after a time is an offset
			off, n, ok := parseOffset(s[i:])
			if !ok {
				return nil, false
			}
			toks = append(toks, dateToken{kind: 'z', num: off, pos: i})
			i += n
		case c < utf8.RuneSelf && !isLetter(c):
			toks = append(toks, dateToken{kind: 'p', text: s[i : i+1], pos: i})
			i++
		default:
			j := i
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if r < utf8.RuneSelf && !isLetter(byte(r)) {
					break
				}
				if r >= utf8.RuneSelf && !unicode.IsLetter(r) && !unicode.IsMark(r) {
					if j == i {
						j += size // a lone symbol: its own token
					}
					break
				}
				if isCJKDateMark(r) {
					if j == i {
						j += size
					}
					break
				}
				j += size
			}
			toks = append(toks, dateToken{kind: 'w', text: s[i:j], pos: i})
			i = j
		}
		if len(toks) > 24 {
			return nil, false
		}
	}
	return toks, true
}

// timeBefore reports whether the tokens end with a time (h:mm).
func timeBefore(toks []dateToken) bool {
	n := len(toks)
	return n >= 3 && toks[n-2].kind == 'p' && toks[n-2].text == ":" && toks[n-3].kind == 'n'
}

// isCJKDateMark reports the CJK characters that label date and time
// parts (年 year, 月 month, 日 day …).
func isCJKDateMark(r rune) bool {
	switch r {
	case '年', '月', '日', '년', '월', '일', '時', '时', '分', '秒':
		return true
	}
	return false
}

// parseWritten parses dates written with words or numeric separators.
// native says that s was written in non-ASCII digits: its year must then
// have four digits.
func parseWritten(s string, native bool) (time.Time, bool) {
	var buf [24]dateToken
	toks, ok := tokenizeDate(s, buf[:0])
	if !ok || len(toks) == 0 {
		return time.Time{}, false
	}
	var (
		year, month, day = -1, -1, -1
		hour, min, sec   = -1, 0, 0
		pm, am           bool
		loc              *time.Location
		usName           string
		nums             []dateToken // date numbers not yet placed
		numBuf           [6]dateToken
		numericSep       string
		yearWidth        int
	)
	nums = numBuf[:0]
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case 'n':
			// a time: h:mm[:ss]
			if i+2 < len(toks) && toks[i+1].kind == 'p' && toks[i+1].text == ":" && toks[i+2].kind == 'n' && hour < 0 {
				hour, min = t.num, toks[i+2].num
				i += 2
				if i+2 < len(toks) && toks[i+1].kind == 'p' && toks[i+1].text == ":" && toks[i+2].kind == 'n' {
					sec = toks[i+2].num
					i += 2
					if i+2 < len(toks) && toks[i+1].kind == 'p' && toks[i+1].text == "." && toks[i+2].kind == 'n' {
						i += 2 // fractional seconds
					}
				}
				continue
			}
			// "14h05", "14 h 05"
			if i+2 < len(toks) && toks[i+1].kind == 'w' && strings.EqualFold(toks[i+1].text, "h") && toks[i+2].kind == 'n' && hour < 0 && t.width <= 2 {
				hour, min = t.num, toks[i+2].num
				i += 2
				continue
			}
			// "14.05 Uhr", "14.05 GMT", "2.05pm"
			if i+3 < len(toks) && toks[i+1].kind == 'p' && toks[i+1].text == "." && toks[i+2].kind == 'n' && toks[i+2].width == 2 &&
				t.width <= 2 && toks[i+3].kind == 'w' && hour < 0 && timeSuffix(toks, i+3) {
				hour, min = t.num, toks[i+2].num
				i += 2
				if strings.EqualFold(toks[i+1].text, "uhr") {
					i++
				}
				continue
			}
			// CJK: 2023年3月3日
			if i+1 < len(toks) && toks[i+1].kind == 'w' {
				switch toks[i+1].text {
				case "年", "년":
					year, yearWidth = t.num, t.width
					i++
					continue
				case "月", "월":
					month = t.num
					i++
					continue
				case "日", "일":
					day = t.num
					i++
					continue
				case "時", "时":
					hour = t.num
					i++
					continue
				case "分":
					min = t.num
					i++
					continue
				}
			}
			// "2 PM"
			if i+1 < len(toks) && toks[i+1].kind == 'w' && hour < 0 && t.width <= 2 {
				if m := ampm(toks, i+1); m != 0 {
					hour = t.num
					continue
				}
			}
			// numeric date: n sep n sep n
			if i+4 < len(toks) && toks[i+1].kind == 'p' && toks[i+3].kind == 'p' && toks[i+2].kind == 'n' && toks[i+4].kind == 'n' &&
				toks[i+1].text == toks[i+3].text && strings.Contains("./-", toks[i+1].text) && numericSep == "" && month < 0 {
				y, m, d, ok := numericDate(t, toks[i+2], toks[i+4], toks[i+1].text)
				if !ok || (native && t.width != 4 && toks[i+4].width != 4) {
					return time.Time{}, false
				}
				year, month, day, numericSep = y, m, d, toks[i+1].text
				yearWidth = 4
				i += 4
				continue
			}
			if len(nums) == cap(nums) {
				return time.Time{}, false
			}
			nums = append(nums, t)
		case 'z':
			loc = offsetZone(t.num)
		case 'p':
			// separators: ignore
		case 'w':
			w := t.text
			if m := ampm(toks, i); m != 0 {
				if m == 'p' {
					pm = true
				} else {
					am = true
				}
				if len(w) == 1 { // "p.m."
					i += 3
				}
				continue
			}
			if mo, n := monthAt(toks, i); mo > 0 && month < 0 {
				month = mo
				i += n
				continue
			}
			if isDateFiller(w) || isEraMark(toks, i) {
				continue
			}
			if len(w) <= 5 && isASCIIWord(w) {
				if l, n, ok := parseZone(s[t.pos:]); ok && n >= len(w) {
					if off, _ := zoneOffset(w); off == usDST {
						usName = w
					} else {
						loc = l
					}
					// "GMT+02:00" consumed more than the word: skip its tokens
					for i+1 < len(toks) && toks[i+1].pos < t.pos+n {
						i++
					}
					continue
				}
			}
			return time.Time{}, false
		}
	}
	// Place the remaining numbers: a 4-digit one is the year, then the day.
	for _, n := range nums {
		switch {
		case n.width == 4 && year < 0:
			year, yearWidth = n.num, 4
		case n.width <= 2 && day < 0 && month > 0 && n.num >= 1 && n.num <= 31:
			day = n.num
		case n.width <= 2 && year < 0 && month > 0 && day > 0:
			year, yearWidth = n.num, 2
		default:
			return time.Time{}, false
		}
	}
	if yearWidth == 2 {
		if native {
			return time.Time{}, false
		}
		year = fullYear(year)
	}
	if year < 0 || month < 0 || day < 0 || !validDate(year, month, day) {
		return time.Time{}, false
	}
	if hour < 0 {
		if pm || am {
			return time.Time{}, false
		}
		hour = 0
	}
	if pm || am {
		if hour < 1 || hour > 12 {
			return time.Time{}, false
		}
		if pm && hour < 12 {
			hour += 12
		}
		if am && hour == 12 {
			hour = 0
		}
	}
	if hour > 23 || min > 59 || sec > 59 {
		return time.Time{}, false
	}
	if usName != "" {
		return usLocal(year, time.Month(month), day, hour, min, sec, 0, usName), true
	}
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(year, time.Month(month), day, hour, min, sec, 0, loc), true
}

// isASCIIWord reports whether w is made of ASCII letters only.
func isASCIIWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isLetter(w[i]) {
			return false
		}
	}
	return true
}

// timeSuffix reports whether toks[i] can follow a time written "14.05":
// "Uhr", a.m./p.m. or a zone name.
func timeSuffix(toks []dateToken, i int) bool {
	w := toks[i].text
	if strings.EqualFold(w, "uhr") || strings.EqualFold(w, "pm") || strings.EqualFold(w, "am") ||
		((strings.EqualFold(w, "a") || strings.EqualFold(w, "p")) && i+2 < len(toks) && toks[i+1].text == "." && strings.EqualFold(toks[i+2].text, "m")) {
		return true
	}
	_, ok := zoneOffset(w)
	return ok
}

// ampm reports 'a' or 'p' when toks[i] starts "am", "pm", "a.m." or "p.m.".
func ampm(toks []dateToken, i int) byte {
	w := toks[i].text
	if toks[i].kind != 'w' {
		return 0
	}
	switch {
	case strings.EqualFold(w, "am"):
		// German "am 3. März" is "on"; only after a time is it a.m.
		if i > 0 && toks[i-1].kind == 'n' {
			return 'a'
		}
		return 0
	case strings.EqualFold(w, "pm"):
		return 'p'
	case (strings.EqualFold(w, "a") || strings.EqualFold(w, "p")) && i+2 < len(toks) &&
		toks[i+1].kind == 'p' && toks[i+1].text == "." && toks[i+2].kind == 'w' && strings.EqualFold(toks[i+2].text, "m"):
		return w[0] | 0x20
	case w[0] >= utf8.RuneSelf && timeBefore(toks[:i]):
		// Arabic: "10:30 ص" (صباحًا, morning), "10:30 م" (مساءً,
		// evening), only right after a time: "م" after a year is the
		// era (isEraMark).
		switch foldAccents(w) {
		case "ص", "صباحا":
			return 'a'
		case "م", "مساء", "مساءا":
			return 'p'
		}
	}
	return 0
}

// isEraMark reports the Arabic mark of the Gregorian era, "م" (ميلادي),
// right after a four-digit year ("٢٠٢٤م"). The Hijri mark "هـ" is not one:
// it is an unknown word, and the date is refused.
func isEraMark(toks []dateToken, i int) bool {
	if i == 0 || toks[i-1].kind != 'n' || toks[i-1].width != 4 || toks[i].kind != 'w' {
		return false
	}
	switch foldAccents(toks[i].text) {
	case "م", "ميلادي", "ميلادية":
		return true
	}
	return false
}

// fullYear expands a two-digit year: 90-99 are the 1990s, the rest this
// century (earlier years are rejected anyway).
func fullYear(yy int) int {
	if yy >= 90 {
		return 1900 + yy
	}
	return 2000 + yy
}

// numericDate orders three numbers separated by sep into a date.
func numericDate(a, b, c dateToken, sep string) (y, m, d int, ok bool) {
	switch {
	case a.width == 4: // 2023/03/03, 2023.03.03
		return a.num, b.num, c.num, validDate(a.num, b.num, c.num)
	case c.width == 4 || (c.width == 2 && sep == "."):
		y = c.num
		if c.width == 2 {
			y = fullYear(y)
		}
		switch {
		case sep == ".": // 03.03.2023: European day first
			m, d = b.num, a.num
		case a.num > 12 && b.num <= 12:
			m, d = b.num, a.num
		case b.num > 12 && a.num <= 12:
			m, d = a.num, b.num
		case a.num == b.num:
			m, d = a.num, b.num
		default:
			return 0, 0, 0, false // 03/04/2023: ambiguous
		}
		return y, m, d, validDate(y, m, d)
	}
	return 0, 0, 0, false
}

// foldAccents lower-cases w and removes the diacritics of Latin letters
// ("März" → "marz", "Février" → "fevrier"). Arabic-script words lose
// their vowel marks and tatweel, and the letters written several ways
// are made one: alef with hamza or madda as bare alef, alef maksura and
// Persian yeh as yeh, Persian kaf as kaf ("أبريل" → "ابريل").
func foldAccents(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf || (w[i] >= 'A' && w[i] <= 'Z') {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	var b strings.Builder
	b.Grow(len(w))
	for _, r := range w {
		r = unicode.ToLower(r)
		if f, ok := accentFold[r]; ok {
			b.WriteByte(f)
			continue
		}
		if r >= 0x600 && r <= 0x6ff {
			switch r {
			case 'أ', 'إ', 'آ', 'ٱ':
				r = 'ا'
			case 'ى', 'ی': // alef maksura, Persian yeh
				r = 'ي'
			case 'ک': // Persian kaf
				r = 'ك'
			case 'ـ': // tatweel, a stretch of the baseline
				continue
			default:
				if unicode.Is(unicode.Mn, r) { // vowel marks
					continue
				}
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

var accentFold = map[rune]byte{
	'à': 'a', 'á': 'a', 'â': 'a', 'ã': 'a', 'ä': 'a', 'å': 'a', 'ą': 'a',
	'ç': 'c', 'ć': 'c', 'č': 'c',
	'è': 'e', 'é': 'e', 'ê': 'e', 'ë': 'e', 'ę': 'e', 'ě': 'e',
	'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i',
	'ł': 'l', 'ñ': 'n', 'ń': 'n', 'ň': 'n',
	'ò': 'o', 'ó': 'o', 'ô': 'o', 'õ': 'o', 'ö': 'o',
	'ś': 's', 'š': 's', 'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u', 'ů': 'u',
	'ý': 'y', 'ź': 'z', 'ż': 'z', 'ž': 'z', 'ř': 'r',
}

// monthNumber returns 1..12 for a month name or abbreviation in one of the
// supported languages, else 0.
func monthNumber(w string) int {
	if len(w) < 3 {
		return 0
	}
	return monthNames[foldAccents(w)]
}

// monthAt returns the month named by toks[i] and how many more tokens the
// name takes: the Levantine names of January, October, November and
// December are two words, "كانون الثاني" (second Kanun) and so on.
func monthAt(toks []dateToken, i int) (month, more int) {
	if toks[i].kind != 'w' {
		return 0, 0
	}
	if m := monthNumber(toks[i].text); m > 0 {
		return m, 0
	}
	if toks[i].text[0] < utf8.RuneSelf || i+1 >= len(toks) || toks[i+1].kind != 'w' {
		return 0, 0
	}
	first, second := 0, 0
	switch foldAccents(toks[i+1].text) {
	case "الاول", "اول":
		first, second = 12, 10
	case "الثاني", "ثاني":
		first, second = 1, 11
	default:
		return 0, 0
	}
	switch foldAccents(toks[i].text) {
	case "كانون":
		return first, 1
	case "تشرين":
		return second, 1
	}
	return 0, 0
}

// monthNames maps folded month names (full, abbreviated and, for Russian
// and Polish, genitive) to month numbers. Abbreviations shared between
// languages always mean the same month.
var monthNames = func() map[string]int {
	lists := [12]string{
		// en, fr, de, es, pt, it, nl, pl (nominative, genitive), ru (nominative, genitive)
		"january jan janvier janv januar janner jaenner enero ene janeiro gennaio gen januari styczen stycznia январь января янв",
		"february feb febr fevrier fevr fev februar febrero fevereiro febbraio februari luty lutego февраль февраля фев февр",
		"march mar mars marz maerz mrz marzo marco maart mrt marzec marca март марта мар",
		"april apr avril avr abril abr aprile kwiecien kwietnia апрель апреля апр",
		"may mai mayo maio maggio mag mei maj maja май мая",
		"june jun juin juni junio jun junho giugno giu czerwiec czerwca июнь июня июн",
		"july jul juillet juil juli julio julho luglio lug lipiec lipca июль июля июл",
		"august aug aout august agosto ago augustus sierpien sierpnia август августа авг",
		"september sep sept septembre septiembre setiembre setembro set settembre wrzesien wrzesnia сентябрь сентября сен сент",
		"october oct octobre okt oktober octubre outubro out ottobre ott pazdziernik pazdziernika октябрь октября окт",
		"november nov novembre noviembre novembro listopad listopada ноябрь ноября ноя нояб",
		"december dec decembre dez dezember diciembre dic dezembro dicembre grudzien grudnia декабрь декабря дек",
	}
	// The Gregorian months in Arabic (Egypt and the Gulf; the Maghreb;
	// Algeria and Tunisia; the Levant and Iraq, whose two-word names
	// monthAt reads), Persian and Urdu, in the spellings in use; the
	// keys are folded by foldAccents.
	arabic := [12]string{
		"يناير جانفي كانون_الثاني جنوری ژانویه",
		"فبراير فيفري شباط فروری فوریه",
		"مارس آذار مارچ",
		"أبريل إبريل ابريل أفريل نيسان اپریل آوریل",
		"مايو ماي أيار مئی مه",
		"يونيو يونيه جوان حزيران جون ژوئن",
		"يوليو يوليه يوليوز جويلية تموز جولائی ژوئیه ژوییه",
		"أغسطس اغسطس غشت أوت آب اگست اوت",
		"سبتمبر شتنبر أيلول ستمبر سپتامبر",
		"أكتوبر اكتوبر تشرين_الأول اکتوبر اکتبر",
		"نوفمبر نونبر تشرين_الثاني نومبر نوامبر",
		"ديسمبر دجنبر كانون_الأول دسمبر دسامبر",
	}
	m := make(map[string]int, 300)
	for i, l := range lists {
		for _, w := range strings.Fields(l) {
			m[w] = i + 1
		}
	}
	for i, l := range arabic {
		for _, w := range strings.Fields(l) {
			if !strings.Contains(w, "_") { // two-word names: monthAt
				m[foldAccents(w)] = i + 1
			}
		}
	}
	return m
}()

// isDateFiller reports words that may surround a date without changing
// it: weekdays, ordinal suffixes, prepositions, labels such as "Updated".
func isDateFiller(w string) bool {
	return dateFillers[foldAccents(w)]
}

var dateFillers = func() map[string]bool {
	words := `
	monday mon tuesday tue tues wednesday wed thursday thu thur thurs friday fri saturday sat sunday sun
	lundi lun mardi mercredi mer jeudi jeu vendredi ven samedi sam dimanche dim
	montag mo dienstag di mittwoch mi donnerstag do freitag fr samstag sa sonntag so
	lunes martes miercoles jueves viernes sabado domingo
	segunda terca quarta quinta sexta feira
	lunedi martedi mercoledi giovedi venerdi sabato domenica
	maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
	poniedzialek wtorek sroda czwartek piatek sobota niedziela
	понедельник вторник среда четверг пятница суббота воскресенье пн вт ср чт пт сб вс
	st nd rd th er eme de del la le el il lo los at on of the am um uhr h à a em do da dia om op den der des
	г года год в w dnia r roku
	published updated posted modified last created publie mis jour veroffentlicht aktualisiert stand
	publicado actualizado atualizado pubblicato aggiornato опубликовано обновлено gepubliceerd bijgewerkt
	opublikowano zaktualizowano
	الأحد الاثنين الإثنين الثلاثاء الأربعاء الخميس الجمعة السبت
	في يوم نشر نشرت بتاريخ تاريخ النشر الساعة آخر تحديث التحديث تم الموافق
	`
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[foldAccents(w)] = true
	}
	return m
}()

// findDate looks for a date in a short visible text such as a dateline
// ("Published March 3, 2023 at 2:05 pm | Updated March 4, 2023"). It
// returns the first date that parses and, if the text marks an update,
// the date after the update marker.
func findDate(text string, now time.Time) (published, modified time.Time) {
	if len(text) > 600 {
		return
	}
	text, _ = foldDateText(text)
	if len(text) > 300 {
		return
	}
	text = normalizeSpace(text)
	chunks := splitDateChunks(text)
	for _, c := range chunks {
		t, ok := parseDateChunk(c.text, now)
		if !ok {
			continue
		}
		if c.updated {
			if modified.IsZero() {
				modified = t
			}
			continue
		}
		if published.IsZero() {
			published = t
		}
	}
	return published, modified
}

type dateChunk struct {
	text    string
	updated bool
}

// splitDateChunks cuts a dateline at separators and update markers.
func splitDateChunks(text string) []dateChunk {
	var out []dateChunk
	updated := false
	start := 0
	lower := strings.ToLower(text)
	emit := func(end int) {
		if s := strings.TrimSpace(text[start:end]); s != "" {
			out = append(out, dateChunk{text: s, updated: updated})
		}
	}
	for i := 0; i < len(lower); {
		r, size := utf8.DecodeRuneInString(lower[i:])
		switch r {
		case '|', '•', '·', '\n', '/', '—', '(', ')', '–':
			if r == '/' && i > 0 && i+1 < len(lower) && isDigit(lower[i-1]) && isDigit(lower[i+1]) {
				break // 03/03/2023
			}
			emit(i)
			start = i + size
		}
		for _, m := range updateMarkers {
			if strings.HasPrefix(lower[i:], m) && (i == 0 || !isLetter(lower[i-1])) {
				emit(i)
				updated = true
				start = i + len(m)
				i = start
				size = 0
				break
			}
		}
		i += size
	}
	emit(len(text))
	return out
}

var updateMarkers = []string{"updated", "last updated", "modified", "mis à jour", "aktualisiert", "actualizado", "atualizado", "aggiornato", "обновлено", "bijgewerkt", "تحديث"}

// parseDateChunk parses a piece of a dateline, trying shorter suffixes
// and prefixes when labels or names surround the date.
func parseDateChunk(s string, now time.Time) (time.Time, bool) {
	if t, ok := parseDate(s, now); ok {
		return t, true
	}
	// drop leading words until something parses ("By Jane Doe March 3, 2023")
	words := strings.Fields(s)
	for i := 1; i < len(words) && i < 8; i++ {
		if t, ok := parseDate(strings.Join(words[i:], " "), now); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// dateFromURL finds a publication date in a URL path: /2022/02/08/,
// /20220208/ or 2022-02-08 within a path segment. It returns midnight UTC
// of that day.
func dateFromURL(path string, now time.Time) (time.Time, bool) {
	for i := 0; i+8 <= len(path); i++ {
		if !isDigit(path[i]) || (i > 0 && (isDigit(path[i-1]) || isLetter(path[i-1]))) {
			continue
		}
		y, ok := digits(path, i, 4)
		if !ok || y < minYear || y > 2100 {
			continue
		}
		j := i + 4
		var m, d int
		switch {
		case j < len(path) && (path[j] == '/' || path[j] == '-' || path[j] == '_'):
			sep := path[j]
			mm, n := digitsUpTo(path, j+1, 2)
			if n == 0 || j+1+n >= len(path) || path[j+1+n] != sep {
				continue
			}
			dd, n2 := digitsUpTo(path, j+2+n, 2)
			if n2 == 0 {
				continue
			}
			k := j + 2 + n + n2
			if k < len(path) && isDigit(path[k]) {
				continue
			}
			if sep != '/' && n != 2 {
				continue
			}
			m, d = mm, dd
		default:
			mm, ok1 := digits(path, j, 2)
			dd, ok2 := digits(path, j+2, 2)
			if !ok1 || !ok2 || (j+4 < len(path) && isDigit(path[j+4])) {
				continue
			}
			m, d = mm, dd
		}
		if !validDate(y, m, d) {
			continue
		}
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
		if plausibleDate(t, now) {
			return t, true
		}
	}
	return time.Time{}, false
}

// digitsUpTo reads 1..max digits at s[i:].
func digitsUpTo(s string, i, max int) (int, int) {
	v, n := 0, 0
	for i+n < len(s) && n < max && isDigit(s[i+n]) {
		v = v*10 + int(s[i+n]-'0')
		n++
	}
	return v, n
}

// maxStampRunes bounds a block that is only a date or time stamp: longer
// text inside <time> is a sentence misusing the element.
const maxStampRunes = 60

// isDateStamp reports whether s is nothing but a date or time stamp ("8
// Feb", "21:00 BST", "Updated: 9 February 2022 10:30 CET", "08.02.2022"):
// every word a month name, a weekday, a zone or a date label, with at
// least a month name with a number, a time of day (h:mm) or a numeric
// date. A bare number ("2022") or month-like word ("May", "Out") is not a
// stamp, nor is a score ("2:1").
func isDateStamp(s string) bool {
	if len(s) > maxStampRunes*2 || utf8.RuneCountInString(s) > maxStampRunes {
		return false
	}
	s, _ = foldDateText(s)
	var buf [24]dateToken
	toks, ok := tokenizeDate(s, buf[:0])
	if !ok || len(toks) == 0 {
		return false
	}
	// dates counts the dates named (a month name or a numeric date);
	// a range ("29 November 2018 | 20 January 2019") is not a stamp.
	dated, month, number, dates := false, false, false, 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case 'n':
			if t.width > 4 {
				return false
			}
			number = true
			// h:mm, or a numeric date n.n.n, n/n/n, n-n-n
			if i+2 < len(toks) && toks[i+1].kind == 'p' && toks[i+2].kind == 'n' {
				switch sep := toks[i+1].text; {
				case sep == ":" && t.width <= 2 && toks[i+2].width == 2 && t.num <= 23 && toks[i+2].num <= 59:
					dated = true
				case strings.Contains("./-", sep) && i+4 < len(toks) && toks[i+3].kind == 'p' && toks[i+3].text == sep && toks[i+4].kind == 'n':
					if _, _, _, ok := numericDate(t, toks[i+2], toks[i+4], sep); ok {
						dated = true
						dates++
					}
				}
			}
		case 'z':
		case 'p':
			if !strings.Contains(":.,-/|•·()–—+", t.text) {
				return false
			}
		case 'w':
			w := t.text
			if mo, more := monthAt(toks, i); mo > 0 {
				month = true
				dates++
				i += more
				continue
			}
			switch {
			case ampm(toks, i) != 0, isDateFiller(w), isEraMark(toks, i):
			case len(w) == 1 && (w == "m" || w == "M") && i > 0 && toks[i-1].text == ".":
				// the m of "p.m."
			default:
				if _, ok := zoneOffset(w); !ok {
					return false
				}
			}
		}
	}
	return dates <= 1 && (dated || (month && number))
}
