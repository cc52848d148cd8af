package extract

import (
	"strings"
	"time"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Visible bylines and datelines, the fallback when nothing is declared:
//
//   - elements whose class, id, rel or itemprop says byline, author,
//     writer, dateline, published, timestamp, date or time;
//   - <a rel="author">;
//   - short lines starting "By " near the headline;
//   - <time datetime> elements: marked pubdate, inside a byline, or the
//     first after the headline.
//
// Candidates are gathered during the metadata walk and judged afterwards;
// those that yield a name or a date go to metadata.BylineNodes so the body
// extractor leaves them out of the text.

// bylineKind says why an element is a byline candidate.
type bylineKind uint8

const (
	bylineAuthor  bylineKind = iota + 1 // class/id/rel/itemprop names an author or byline
	bylineDate                          // class/id names a date or dateline
	bylineBy                            // a short text line starting "By "
	bylineUpdated                       // a short text line starting "Updated"
)

// bylineCand is one candidate element.
type bylineCand struct {
	node  *html.Node
	kind  bylineKind
	order int // element index in document order
}

// timeCand is one <time datetime> element.
type timeCand struct {
	node     *html.Node
	value    string
	pubdate  bool
	inByline bool
	order    int
	// epoch: value is a data-timestamp or data-epoch attribute (a Unix
	// time), not a datetime.
	epoch bool
}

// maxBylineCands bounds the candidates kept per page.
const maxBylineCands = 256

// maxBylineText is the longest text a byline element may have; longer
// elements are author boxes or whole articles.
const maxBylineText = 200

// classBylineKind classifies an element by its class and id (ASCII
// case-insensitive), or returns 0. Classes that name comments, avatars,
// bios, related lists or share bars disqualify the element. It runs on
// every element with a class, so it scans each string once, dispatching
// on the first letter of each needle.
func classBylineKind(class, id string) bylineKind {
	author, date := false, false
	for _, s := range [2]string{class, id} {
		for i := 0; i < len(s); i++ {
			// Needles match at word starts only: after a space, "-" or
			// "_", or at a capital ("articleByline").
			c := s[i]
			if i > 0 && !(c >= 'A' && c <= 'Z') {
				if p := s[i-1]; p != ' ' && p != '-' && p != '_' {
					// …except "date" glued to other words ("arttidate",
					// "postdate").
					if c|0x20 == 'd' && hasPrefixFold(s[i:], "date") {
						date = true
					}
					continue
				}
			}
			rest := s[i:]
			wordStart := true
			switch c | 0x20 {
			case 'a':
				if hasPrefixFold(rest, "author") {
					author = true
				} else if hasPrefixFold(rest, "avatar") {
					return 0
				}
			case 'b':
				if hasPrefixFold(rest, "byline") {
					author = true
				} else if hasPrefixFold(rest, "bio") || hasPrefixFold(rest, "bday") {
					// author bios; hCard birthdays
					return 0
				}
			case 'c':
				if hasPrefixFold(rest, "comment") {
					return 0
				} else if hasPrefixFold(rest, "contributor") {
					author = true
				}
			case 'd':
				if wordStart && hasPrefixFold(rest, "date") {
					date = true
				} else if hasPrefixFold(rest, "dtstart") || hasPrefixFold(rest, "dtend") {
					return 0 // hCalendar event dates
				}

			case 'p':
				if hasPrefixFold(rest, "publish") || hasPrefixFold(rest, "pubdate") || hasPrefixFold(rest, "posted") {
					date = true
				}
			case 'r':
				if hasPrefixFold(rest, "related") {
					return 0
				} else if hasPrefixFold(rest, "reporter") {
					author = true
				}
			case 's':
				if hasPrefixFold(rest, "share") || hasPrefixFold(rest, "social") {
					return 0
				}
			case 't':
				if hasPrefixFold(rest, "timestamp") || (wordStart && hasPrefixFold(rest, "time")) {
					date = true
				}
			case 'w':
				if hasPrefixFold(rest, "writer") {
					author = true
				}
			}
		}
	}
	switch {
	case author:
		return bylineAuthor
	case date:
		return bylineDate
	}
	return 0
}

// hasPrefixFold reports whether s starts with the lower-case ASCII
// prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if s[i]|0x20 != prefix[i] {
			return false
		}
	}
	return true
}

// containsFold reports whether s contains the lower-case ASCII word sub,
// ignoring ASCII case, without allocating.
func containsFold(s, sub string) bool {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if s[i]|0x20 != sub[0] {
			continue
		}
		j := 1
		for j < n && s[i+j]|0x20 == sub[j] {
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

// startsWithBy reports whether a text node starts a "By Jane Doe" line.
func startsWithBy(s string) bool {
	i := 0
	for i < len(s) && i < 64 && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
		i++
	}
	s = s[i:]
	if len(s) < 5 {
		return false
	}
	if (s[0] == 'B' || s[0] == 'b') && (s[1] == 'y' || s[1] == 'Y') && (s[2] == ' ' || s[2] == ':') {
		return true
	}
	return false
}

// bylineResult is what the visible bylines give.
type bylineResult struct {
	people, orgs         []string
	published, modified  time.Time
	pubSource, modSource string
	authorNode           *html.Node   // the element the names came from
	dateNodes            []*html.Node // the elements the date came from
}

// judgeBylines picks the author and date among the candidates. h1 is the
// element index of the first <h1> (-1 if none): candidates after it come
// first, since bylines sit under headlines and sidebars repeat others'.
func judgeBylines(cands []bylineCand, times []timeCand, h1 int, now time.Time, siteNames []string) bylineResult {
	var r bylineResult
	ordered := orderByHeadline(cands, h1)
	ordered = innermostFirst(ordered)
	for _, c := range ordered {
		if c.kind != bylineAuthor && c.kind != bylineBy {
			continue
		}
		if inTeaser(c.node) {
			continue
		}
		// A bare "By …" line counts only close under the headline.
		if c.kind == bylineBy && h1 >= 0 && (c.order < h1 || c.order-h1 > 150) {
			continue
		}
		text := nodeText(c.node, maxBylineText+1)
		if text == "" || len(text) > maxBylineText {
			continue
		}
		if c.kind == bylineBy && len(text) > 100 {
			continue
		}
		people, orgs := cleanAuthors(bylineNames(text), false, siteNames...)
		if len(people) == 0 && len(orgs) == 0 {
			continue
		}
		r.people, r.orgs = people, orgs
		r.authorNode = c.node
		// The same line often carries the date.
		if p, m := findDate(text, now); !p.IsZero() {
			r.published, r.modified, r.pubSource = p, m, "byline"
			if !m.IsZero() {
				r.modSource = "byline"
			}
			r.dateNodes = append(r.dateNodes, c.node)
		}
		break
	}
	// Dates: <time pubdate>, then a <time> inside a byline, then the
	// first <time> after the headline, then dateline text.
	pick := func(ok func(t timeCand) bool) bool {
		for _, t := range times {
			if !ok(t) || inTeaser(t.node) {
				continue
			}
			d, good := parseDate(t.value, now)
			if t.epoch {
				d, good = parseEpoch(t.value, now)
			}
			if good {
				if r.published.IsZero() || r.pubSource == "byline" {
					r.published, r.pubSource = d, "time"
				}
				if len(nodeText(t.node, maxBylineText+1)) <= maxBylineText {
					r.dateNodes = append(r.dateNodes, t.node)
				}
				return true
			}
		}
		return false
	}
	// A <time> beats the byline's own text, which may lack the time of day.
	{
		_ = pick(func(t timeCand) bool { return t.pubdate }) ||
			pick(func(t timeCand) bool { return t.inByline }) ||
			pick(func(t timeCand) bool { return h1 >= 0 && t.order > h1 && t.order-h1 < 300 })
	}
	if r.published.IsZero() {
		for _, c := range ordered {
			if c.kind != bylineDate && c.kind != bylineAuthor {
				continue
			}
			// Datelines sit by the headline; dates further down are
			// infobox facts ("born 1998-02-28") or other articles'.
			if h1 >= 0 && (c.order < h1 || c.order-h1 > 150) {
				continue
			}
			text := nodeText(c.node, maxBylineText+1)
			if len(text) > maxBylineText || inTeaser(c.node) {
				continue
			}
			var p, m time.Time
			// A machine-readable attribute beats the visible text, which
			// usually lacks the zone.
			for _, k := range [...]string{"datetime", "content", "title"} {
				if v, ok := attr(c.node, k); ok {
					if t, ok := parseDate(v, now); ok {
						p = t
						break
					}
				}
			}
			if p.IsZero() {
				// A Unix time kept for scripts that print "2 hours ago".
				p = epochAttr(c.node, now)
			}
			if p.IsZero() {
				p, m = findDate(text, now)
			}
			if p.IsZero() {
				continue
			}
			r.published, r.modified, r.pubSource = p, m, "dateline"
			if !m.IsZero() {
				r.modSource = "dateline"
			}
			r.dateNodes = append(r.dateNodes, c.node)
			break
		}
	}
	// A visible "Updated: 9 February 2022 10:30 CET" line under the
	// headline gives the modification time when nothing else did.
	if r.modified.IsZero() {
		for _, c := range ordered {
			if c.kind != bylineUpdated || (h1 >= 0 && (c.order < h1 || c.order-h1 > 150)) || inTeaser(c.node) {
				continue
			}
			text := nodeText(c.node, maxBylineText+1)
			if len(text) > maxBylineText {
				continue
			}
			if _, m := findDate(text, now); !m.IsZero() && !m.After(now) {
				r.modified, r.modSource = m, "dateline"
				break
			}
		}
	}
	return r
}

// epochAttrs are attributes in which pages keep a Unix time for scripts
// that render it relative ("2 hours ago").
var epochAttrs = [...]string{"data-timestamp", "data-epoch"}

// epochAttr reads a Unix time from n's data-timestamp or data-epoch
// attribute, or returns the zero time.
func epochAttr(n *html.Node, now time.Time) time.Time {
	for _, k := range epochAttrs {
		if v, ok := attr(n, k); ok {
			if t, ok := parseEpoch(v, now); ok {
				return t
			}
		}
	}
	return time.Time{}
}

// parseEpoch parses a Unix time in seconds or milliseconds. Unlike
// parseDate it allows no slack after now: an instant has no zone to be
// wrong about.
func parseEpoch(v string, now time.Time) (time.Time, bool) {
	t, ok := parseUnix(strings.TrimSpace(v))
	if !ok || !plausibleDate(t, now) || (!now.IsZero() && t.After(now)) {
		return time.Time{}, false
	}
	return t, true
}

// startsWithUpdated reports whether a text node starts an "Updated: …"
// line (English or one of the other update markers dates know).
func startsWithUpdated(s string) bool {
	s = strings.TrimLeft(s, " \n\t\r")
	if len(s) > 64 {
		s = s[:64]
	}
	l := strings.ToLower(s)
	for _, m := range updateMarkers {
		if strings.HasPrefix(l, m) {
			return true
		}
	}
	return false
}

// innermostFirst moves candidates that contain another candidate after
// those that do not: "<div class=byline>By <a class=author>Jane Doe</a>
// | March 3</div>" is read at the link first.
func innermostFirst(cands []bylineCand) []bylineCand {
	outer := make([]bool, len(cands))
	for i, c := range cands {
		for _, d := range cands {
			if d.node != c.node && d.kind == bylineAuthor && isAncestor(c.node, d.node) {
				outer[i] = true
				break
			}
		}
	}
	out := make([]bylineCand, 0, len(cands))
	for i, c := range cands {
		if !outer[i] {
			out = append(out, c)
		}
	}
	for i, c := range cands {
		if outer[i] {
			out = append(out, c)
		}
	}
	return out
}

// isAncestor reports whether a is a proper ancestor of n, within 64
// levels (bylines nest shallowly).
func isAncestor(a, n *html.Node) bool {
	depth := 0
	for p := n.Parent; p != nil && depth < 64; p = p.Parent {
		if p == a {
			return true
		}
		depth++
	}
	return false
}

// teaserWords in a class or id mark lists of other articles, whose
// bylines are not the page's.
var teaserWords = []string{"related", "teaser", "promo", "list-of", "recommend", "most-", "popular", "more-", "trending", "sidebar", "widget", "rail", "comment"}

// inTeaser reports whether n sits, within a few levels, in a list item, an
// aside, a nav or a footer, or under an element whose class names a teaser
// or related list. The search stops at <article> and <main>.
func inTeaser(n *html.Node) bool {
	depth := 0
	for p := n.Parent; p != nil && depth < 6; p = p.Parent {
		depth++
		switch p.DataAtom {
		case atom.Li, atom.Aside, atom.Nav, atom.Footer:
			return true
		case atom.Article, atom.Main, atom.Body, atom.Html:
			// Page-level classes ("has-sidebar") say nothing about the
			// byline.
			return false
		}
		for _, a := range p.Attr {
			if a.Key != "class" && a.Key != "id" {
				continue
			}
			for _, w := range teaserWords {
				if containsWordPrefix(a.Val, w) {
					return true
				}
			}
		}
	}
	return false
}

// containsWordPrefix reports whether w (lower-case ASCII) occurs in s at
// the start of a class token or of a part after "-" or "_": "more-" is in
// "more-stories" and "story-more-" but not in "nomore".
func containsWordPrefix(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if i > 0 {
			if c := s[i-1]; c != ' ' && c != '-' && c != '_' && c != '\t' {
				continue
			}
		}
		j := 0
		for j < len(w) && s[i+j]|0x20 == w[j] {
			j++
		}
		if j == len(w) {
			return true
		}
	}
	return false
}

// orderByHeadline returns candidates from the headline on, then those
// before it.
func orderByHeadline(cands []bylineCand, h1 int) []bylineCand {
	if h1 < 0 {
		return cands
	}
	out := make([]bylineCand, 0, len(cands))
	for _, c := range cands {
		if c.order >= h1 {
			out = append(out, c)
		}
	}
	for _, c := range cands {
		if c.order < h1 {
			out = append(out, c)
		}
	}
	return out
}

// bylineNames cuts a byline text down to its names: the text before the
// first digit (names have none; dates and times follow names), without
// trailing date words ("on", "Updated", month names).
func bylineNames(text string) string {
	if i := strings.IndexFunc(text, unicode.IsDigit); i >= 0 {
		text = text[:i]
	}
	for _, m := range []string{"Updated", "Published", "Posted", "Last updated", "UPDATED", "PUBLISHED"} {
		if i := strings.Index(text, m); i > 0 {
			text = text[:i]
		}
	}
	words := strings.Fields(text)
	for len(words) > 0 {
		w := strings.Trim(words[len(words)-1], ",.|:-–—•·")
		if w == "" || monthNumber(w) > 0 || isDateFiller(w) {
			words = words[:len(words)-1]
			continue
		}
		break
	}
	return strings.Join(words, " ")
}

// isBylineTextParent reports whether an element is a plausible container
// of a "By …" line (not the whole body or a list of links).
func isBylineTextParent(n *html.Node) bool {
	switch n.DataAtom {
	case atom.P, atom.Div, atom.Span, atom.Address, atom.Li, atom.Em, atom.Strong, atom.B, atom.I, atom.Small, atom.Section, atom.Header, atom.Td, atom.Font, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Cite:
		return true
	}
	return false
}
