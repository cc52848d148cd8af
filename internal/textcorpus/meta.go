package textcorpus

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/herald-archive/herald/article"
)

// meta is what a metadata line holds.
type meta struct {
	name   string      // leading site name, if any
	langs  []string    // normalised language tags
	images []string    // image URLs
	stamps []timestamp // ISO timestamps
	xpath  bool
	// strong is true when the line holds something no sentence would: a
	// timestamp, an xpath, an image URL, an e-mail address, a phone
	// number, a locale code or true/false. weak is true for a line of two
	// to four numbers (an image size), which is metadata only among other
	// metadata lines.
	strong, weak bool
	// contact is true when the line holds an e-mail address or a phone
	// number.
	contact bool
	dropped []string // fields dropped: e-mails, phones, numbers, ...
}

type timestamp struct {
	t   time.Time
	raw string
}

var (
	// isoRe matches an ISO 8601 timestamp: date, T or space, hours and
	// minutes, optional seconds and fraction, optional zone.
	isoRe = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s?(Z|[+-]\d{2}(?::?\d{2})?)?$`)
	// xpathRe matches an XPath location path such as
	// /html/head/meta[@name='og:title']/@content.
	xpathRe = regexp.MustCompile(`^(?:/{1,2}(?:@?[\w.:*-]+(?:\(\))?|\*)(?:\[[^\]]{0,200}\])*)+$`)
	// imageRe matches an absolute image URL.
	imageRe = regexp.MustCompile(`(?i)^https?://\S+\.(?:jpe?g|png|webp|gif|avif)(?:\?\S*)?$`)
	urlRe   = regexp.MustCompile(`(?i)^https?://[^\s/]+\S*$`)
	emailRe = regexp.MustCompile(`(?i)^(?:mailto:)?[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$`)
	// localeRe matches a locale code: language, _ or -, region.
	localeRe = regexp.MustCompile(`^[a-zA-Z]{2,3}[_-][a-zA-Z]{2}$`)
	// numRe matches a number or a piece of a phone number.
	numRe = regexp.MustCompile(`^\+?\(?\d[\d()-]*$`)
)

// parseTimestamp parses an ISO 8601 timestamp as isoRe matches it. A
// timestamp without a zone is taken as UTC.
func parseTimestamp(s string) (time.Time, bool) {
	if len(s) < 16 || len(s) > 40 || s[4] != '-' {
		return time.Time{}, false
	}
	m := isoRe.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	// Rebuild a fixed layout from the parts so that time.Parse validates
	// the calendar (month 13, day 31 of April).
	sec := m[6]
	if sec == "" {
		sec = "00"
	}
	v := m[1] + "-" + m[2] + "-" + m[3] + "T" + m[4] + ":" + m[5] + ":" + sec
	if m[7] != "" {
		v += "." + m[7]
	}
	zone := m[8]
	switch {
	case zone == "" || zone == "Z":
		v += "Z"
	case len(zone) == 3: // +03
		v += zone + ":00"
	case len(zone) == 5: // +0300
		v += zone[:3] + ":" + zone[3:]
	default: // +03:00
		v += zone
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// parseMeta reports whether line is a metadata line and what it holds.
// See the package documentation for what counts.
func parseMeta(line string) (meta, bool) {
	var m meta
	if len(line) > 2000 {
		return m, false
	}
	// Forms that may contain spaces are matched on the whole line first.
	if t, ok := parseTimestamp(line); ok {
		m.stamps = append(m.stamps, timestamp{t, line})
		m.strong = true
		return m, true
	}
	if isXPath(line) {
		m.xpath, m.strong = true, true
		return m, true
	}
	if localeRe.MatchString(line) || len(line) == 2 && line == strings.ToLower(line) {
		if l := article.NormalizeLanguage(line); l != "" {
			m.langs = append(m.langs, l)
			m.strong = true
			return m, true
		}
	}
	f := strings.Fields(line)
	first := -1
	numbers := 0
	for i := 0; i < len(f); i++ {
		tok, at := f[i], i
		if first < 0 && i > maxNameWords {
			return meta{}, false // too many words before any metadata for a name
		}
		c := tok[0]
		web := c == 'h' || c == 'H'
		switch {
		case web && imageRe.MatchString(tok):
			m.images = append(m.images, tok)
			m.strong = true
		case web && urlRe.MatchString(tok):
			m.dropped = append(m.dropped, tok)
		case strings.IndexByte(tok, '@') > 0 && emailRe.MatchString(tok):
			m.dropped = append(m.dropped, tok)
			m.strong, m.contact = true, true
		case c == '/' && isXPath(tok):
			m.xpath, m.strong = true, true
		case strings.EqualFold(tok, "true") || strings.EqualFold(tok, "false"):
			m.dropped = append(m.dropped, tok)
			m.strong = true
		case (len(tok) == 5 || len(tok) == 6) && localeRe.MatchString(tok) && article.NormalizeLanguage(tok) != "":
			m.langs = append(m.langs, article.NormalizeLanguage(tok))
			m.strong = true
		case (c >= '0' && c <= '9' || c == '+' || c == '(') && numRe.MatchString(tok):
			// "+7 (495) 000-00-00": a phone number in pieces, taken
			// while it has fewer than 10 digits.
			j, digits := i+1, countDigits(tok)
			if strings.HasPrefix(tok, "+") {
				for j < len(f) && digits < 10 && numRe.MatchString(f[j]) && !strings.HasPrefix(f[j], "+") {
					digits += countDigits(f[j])
					j++
				}
			}
			switch {
			case digits >= 9 || strings.HasPrefix(tok, "+") && digits >= 8:
				m.strong, m.contact = true, true // a phone number
			case strings.HasPrefix(tok, "+"):
				return meta{}, false // "+3" is prose
			case len(tok) >= 2 && len(tok) <= 5 && countDigits(tok) == len(tok):
				numbers++ // could be an image dimension
			default:
				numbers = -100 // other numbers: not a size line
			}
			m.dropped = append(m.dropped, strings.Join(f[i:j], " "))
			i = j - 1
		default:
			if t, ok := parseTimestamp(tok); c >= '0' && c <= '9' && ok {
				m.stamps = append(m.stamps, timestamp{t, tok})
				m.strong = true
				break
			}
			if first >= 0 {
				return meta{}, false // text after metadata: a sentence
			}
			continue
		}
		if first < 0 {
			first = at
		}
	}
	if first < 0 {
		return meta{}, false
	}
	if first > 0 {
		m.name = strings.Join(f[:first], " ")
		if !isName(m.name) {
			return meta{}, false
		}
	}
	if !m.strong {
		// Only numbers (and URLs): an image size line of 2 to 4 numbers of
		// 2 to 5 digits.
		if m.name != "" || numbers < 2 || numbers > 4 || numbers != len(f) {
			return meta{}, false
		}
		m.weak = true
	}
	return m, true
}

func countDigits(s string) int {
	n := 0
	for _, c := range []byte(s) {
		if c >= '0' && c <= '9' {
			n++
		}
	}
	return n
}

// isXPath reports whether s is an XPath location path that no URL path or
// prose would be: it starts with /html or // or holds a predicate, an
// attribute step or text().
func isXPath(s string) bool {
	if len(s) < 3 || s[0] != '/' || len(s) > 1000 {
		return false
	}
	if !strings.HasPrefix(s, "/html") && !strings.HasPrefix(s, "//") &&
		!strings.ContainsAny(s, "[@") && !strings.Contains(s, "()") {
		return false
	}
	return xpathRe.MatchString(s)
}

// maxNameWords is the most words a site name has.
const maxNameWords = 6

// nameConnectors may appear in lower case inside a name.
var nameConnectors = map[string]bool{
	"of": true, "the": true, "and": true, "&": true, "de": true, "la": true, "le": true,
	"du": true, "des": true, "der": true, "die": true, "das": true, "und": true, "y": true,
	"e": true, "el": true, "il": true, "di": true, "van": true, "von": true, "for": true,
	"-": true, "–": true, "|": true,
}

// isName reports whether s looks like a site or publisher name: one to six
// words, the first capitalised (or a digit), the others capitalised or
// connectors, no sentence punctuation, no e-mail or URL.
func isName(s string) bool {
	if s == "" || len(s) > 60 || strings.ContainsAny(s, ".!?:;,@\"“”") || strings.Contains(s, "://") {
		return false
	}
	f := strings.Fields(s)
	if len(f) > maxNameWords {
		return false
	}
	for i, w := range f {
		r, _ := utf8.DecodeRuneInString(w)
		capital := unicode.IsUpper(r) || unicode.IsDigit(r)
		if i == 0 && !capital {
			return false
		}
		if !capital && !nameConnectors[strings.ToLower(w)] {
			return false
		}
	}
	return true
}
