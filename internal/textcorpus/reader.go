package textcorpus

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/herald-archive/herald/article"
)

// maxBylineParas is how many paragraphs may come before a byline: bylines
// stand under the headline, and "By …" further down is prose.
const maxBylineParas = 3

// reader holds the state of one Read.
type reader struct {
	doc        *Document
	headerDate time.Time
	title      string
	stamps     []stampAt
	paras      []para
	seen       map[string][]int // paragraph text (one line) → indexes in paras
	tagSet     map[string]bool
	dateline   time.Time // date of a dateline, a fallback for Published
	datelineAt int
	notes      []note
}

// maxNotes bounds Document.Recovered: past it, one entry counts the rest.
const maxNotes = 200

type note struct {
	line int
	text string
}

func (r *reader) notef(line int, format string, args ...any) {
	r.notes = append(r.notes, note{line, fmt.Sprintf(format, args...)})
}

type stampAt struct {
	timestamp
	line int
}

type para struct {
	line    int
	text    string // lines joined with "\n"
	dropped bool
}

func (r *reader) read(blocks []block) {
	r.seen = map[string][]int{}
	r.tagSet = map[string]bool{}
	for _, b := range blocks {
		r.block(b, true)
	}
	r.finish()
}

// block classifies one block and records what it holds. Paragraphs are
// split where sentences are glued together (when split is true) and each
// piece classified again.
func (r *reader) block(b block, split bool) {
	a := &r.doc.Article
	if r.metaBlock(b) {
		return
	}
	if r.title == "" && !oneTitle(b.lines) {
		// No blank line under the title: dumps that put each block on a
		// line of its own, with no blank lines at all, come to this.
		r.notef(b.line, "no blank line after the title: block of %d lines read line by line", len(b.lines))
		for i, l := range b.lines {
			r.block(block{line: b.line + i, lines: []string{l}}, split)
		}
		return
	}
	if b = r.stripMetaLines(b); len(b.lines) == 0 {
		return
	}
	text := b.oneLine()
	if len(b.lines) > 1 && r.title == "" {
		// The title is written back on one line: judge it as one.
		if m, ok := parseMeta(text); ok {
			r.lift(b.line, m)
			return
		}
	}
	if r.title == "" {
		r.title = text
		if text != Untitled {
			a.Title = text
		}
		return
	}
	if text == r.title {
		r.notef(b.line, "dropped repeated title")
		return
	}
	if name, ok := titleWithSite(text, r.title); ok {
		r.setSite(b.line, name, "title suffix")
		r.notef(b.line, "dropped title with site name")
		return
	}
	if r.datelineBlock(b, text) {
		return
	}
	if len(b.lines) == 1 && r.urlBlock(b.line, text) {
		return
	}
	if len(b.lines) == 1 && len(a.Authors) == 0 && len(r.paras) < maxBylineParas {
		if names, ok := bylineNames(text); ok {
			a.Authors = names
			r.notef(b.line, "authors %q from byline", names)
			return
		}
	}
	if tags, ok := tagList(b); ok {
		var added []string
		for _, t := range tags {
			if !r.tagSet[t] {
				r.tagSet[t] = true
				a.Tags = append(a.Tags, t)
				added = append(added, t)
			}
		}
		r.notef(b.line, "tags %q from tag list", added)
		return
	}
	p := strings.Join(b.lines, "\n")
	if split {
		if parts := splitGlued(p); len(parts) > 1 {
			r.notef(b.line, "split glued paragraph in %d", len(parts))
			// Each piece is a block of its own: it may be a repeated
			// title, a dateline, a tag list, ...
			for _, part := range parts {
				r.block(block{line: b.line, lines: strings.Split(part, "\n")}, false)
			}
			return
		}
	}
	r.seen[text] = append(r.seen[text], len(r.paras))
	r.paras = append(r.paras, para{line: b.line, text: p})
}

// maxTitleLen is the longest a title block may be, joined on one line,
// and maxTitleLines the most lines it may be wrapped over: headlines are
// short.
const (
	maxTitleLen   = 200
	maxTitleLines = 3
)

// oneTitle reports whether the lines of the first block of text can be
// one title wrapped over them (or a title with metadata lines under it,
// which stripMetaLines lifts). A block that repeats its first line, has a
// later line ending in a full stop (a wrapped headline breaks between
// words, and headlines do not end in one), is longer than maxTitleLen or
// has more than maxTitleLines lines is the title followed by what should
// have been blocks of their own.
func oneTitle(lines []string) bool {
	if len(lines) < 2 {
		return true
	}
	if len(lines) > maxTitleLines {
		return false
	}
	first := strings.Join(strings.Fields(lines[0]), " ")
	n := 0
	for i, l := range lines {
		n += len([]rune(l)) + 1
		if i == 0 {
			continue
		}
		if strings.EqualFold(strings.Join(strings.Fields(l), " "), first) || strings.HasSuffix(strings.TrimRight(l, `"')”’`), ".") {
			return false
		}
	}
	return n-1 <= maxTitleLen
}

// metaBlock lifts a block whose lines are all metadata lines and reports
// whether it did.
func (r *reader) metaBlock(b block) bool {
	ms := make([]meta, 0, len(b.lines))
	strong := false
	for _, l := range b.lines {
		m, ok := parseMeta(l)
		if !ok {
			return false
		}
		strong = strong || m.strong
		ms = append(ms, m)
	}
	if !strong && len(b.lines) == 1 && !ms[0].weak {
		return false
	}
	for i, m := range ms {
		r.lift(b.line+i, m)
	}
	return true
}

// stripMetaLines removes metadata lines from a block that also holds text
// (a timestamp under the title, an xpath between two lines of a paragraph)
// when at least one of them is strong, lifting what they hold.
func (r *reader) stripMetaLines(b block) block {
	if len(b.lines) < 2 {
		return b
	}
	ms := make([]meta, len(b.lines))
	isMeta := make([]bool, len(b.lines))
	strong := false
	for i, l := range b.lines {
		ms[i], isMeta[i] = parseMeta(l)
		strong = strong || ms[i].strong
	}
	if !strong {
		return b
	}
	// Among strong metadata, weak lines (image sizes) are metadata too.
	out := block{line: b.line}
	contact := false
	for i, l := range b.lines {
		if isMeta[i] {
			r.lift(b.line+i, ms[i])
			contact = contact || ms[i].contact
			continue
		}
		if len(out.lines) == 0 {
			out.line = b.line + i
		}
		out.lines = append(out.lines, l)
	}
	// A name on its own line above an e-mail address or phone number is
	// the publisher's.
	if contact && len(out.lines) == 1 && isName(out.lines[0]) {
		r.setSite(out.line, out.lines[0], "contact block")
		out.lines = nil
	}
	return out
}

// lift records what a metadata line holds.
func (r *reader) lift(line int, m meta) {
	a := &r.doc.Article
	if m.name != "" {
		r.setSite(line, m.name, "contact line")
	}
	for _, l := range m.langs {
		switch {
		case a.Language == "":
			a.Language = l
			r.notef(line, "language %s from locale code", l)
		case a.Language != l:
			r.notef(line, "dropped locale code %s (language is %s)", l, a.Language)
		}
	}
	for _, img := range m.images {
		if a.Image == "" {
			a.Image = img
			r.notef(line, "image from image URL")
		} else {
			r.notef(line, "dropped image URL %s", img)
		}
	}
	for _, s := range m.stamps {
		r.stamps = append(r.stamps, stampAt{s, line})
	}
	if m.xpath {
		r.notef(line, "dropped xpath")
	}
	if len(m.dropped) > 0 {
		what := "dropped metadata fields"
		switch {
		case m.contact:
			what = "dropped contact fields"
		case m.weak:
			what = "dropped image size line"
		}
		r.notef(line, "%s %q", what, m.dropped)
	}
}

func (r *reader) setSite(line int, name, from string) {
	a := &r.doc.Article
	switch {
	case a.SiteName == "":
		a.SiteName = name
		r.notef(line, "site name %q from %s", name, from)
	case a.SiteName != name:
		r.notef(line, "dropped site name %q (site name is %q)", name, a.SiteName)
	default:
		r.notef(line, "dropped repeated site name %q", name)
	}
}

// titleWithSite reports whether text is the title followed by a separator
// and a site name, and returns the name.
func titleWithSite(text, title string) (string, bool) {
	rest, ok := strings.CutPrefix(text, title)
	if !ok {
		return "", false
	}
	for _, sep := range []string{" - ", " | ", " – ", " — ", " :: "} {
		if name, ok := strings.CutPrefix(rest, sep); ok && isName(name) {
			return name, true
		}
	}
	return "", false
}

// datelineBlock lifts a description followed by a dateline, or a lone
// dateline, and reports whether it did.
func (r *reader) datelineBlock(b block, text string) bool {
	dl, ok := parseDateline(text)
	if !ok {
		return false
	}
	copies := r.seen[dl.prefix]
	switch {
	case dl.prefix == "":
	case dl.prefix == r.title:
	case len(copies) > 0 || dl.name != "":
	default:
		return false // prose ending in a date: "takes effect on 01.03.2022"
	}
	a := &r.doc.Article
	if dl.prefix != "" && dl.prefix != r.title {
		if a.Description == "" {
			a.Description = dl.prefix
			r.notef(b.line, "description from repeated description with dateline")
		}
		for _, i := range copies {
			r.paras[i].dropped = true
			r.notef(r.paras[i].line, "dropped description block")
		}
		delete(r.seen, dl.prefix)
	}
	if dl.name != "" {
		r.setSite(b.line, dl.name, "dateline")
	}
	if r.dateline.IsZero() {
		r.dateline, r.datelineAt = dl.date, b.line
	}
	r.notef(b.line, "dropped dateline %q", dl.raw)
	return true
}

// urlBlock drops a bare URL on the header URL's host, keeping it as the
// canonical URL when it differs, and reports whether it did.
func (r *reader) urlBlock(line int, text string) bool {
	if !urlRe.MatchString(text) {
		return false
	}
	a := &r.doc.Article
	u, err := url.Parse(text)
	if err != nil {
		return false
	}
	if a.URL != "" {
		h, err := url.Parse(a.URL)
		if err != nil || !sameHost(h.Hostname(), u.Hostname()) {
			return false
		}
	}
	if text != a.URL && a.CanonicalURL == "" {
		a.CanonicalURL = text
		r.notef(line, "canonical URL from URL block")
	} else {
		r.notef(line, "dropped repeated URL")
	}
	return true
}

func sameHost(a, b string) bool {
	a = strings.TrimPrefix(strings.ToLower(a), "www.")
	b = strings.TrimPrefix(strings.ToLower(b), "www.")
	return a != "" && a == b
}

// finish settles the dates and builds the text.
func (r *reader) finish() {
	a := &r.doc.Article
	pub := -1 // index in r.stamps
	switch {
	case !r.headerDate.IsZero():
		for i, s := range r.stamps {
			if sameDay(s.t, r.headerDate) {
				pub = i
				break
			}
		}
		if pub < 0 {
			a.Published = r.headerDate
		}
	case len(r.stamps) > 0:
		pub = 0
	case !r.dateline.IsZero():
		a.Published = r.dateline
		r.notef(r.datelineAt, "published %s from dateline", r.dateline.Format(time.DateOnly))
	}
	if pub >= 0 {
		a.Published = r.stamps[pub].t
		r.notef(r.stamps[pub].line, "published %s from ISO timestamp", a.Published.Format(time.RFC3339Nano))
	}
	mod := -1
	for i, s := range r.stamps {
		if i != pub && s.t.After(a.Published) && (mod < 0 || s.t.After(r.stamps[mod].t)) {
			mod = i
		}
	}
	if mod >= 0 {
		a.Modified = r.stamps[mod].t
		r.notef(r.stamps[mod].line, "modified %s from ISO timestamp", a.Modified.Format(time.RFC3339Nano))
	}
	for i, s := range r.stamps {
		if i != pub && i != mod {
			r.notef(s.line, "dropped ISO timestamp %s", s.raw)
		}
	}

	var out []string
	for _, p := range r.paras {
		if p.dropped {
			continue
		}
		out = append(out, p.text)
	}
	a.Text = strings.Join(out, "\n\n")
	a.WordCount = article.CountWords(a.Text)

	slices.SortStableFunc(r.notes, func(x, y note) int { return cmp.Compare(x.line, y.line) })
	for i, n := range r.notes {
		if i == maxNotes {
			r.doc.Recovered = append(r.doc.Recovered, fmt.Sprintf("line %d: and %d more", n.line, len(r.notes)-maxNotes))
			break
		}
		r.doc.Recovered = append(r.doc.Recovered, fmt.Sprintf("line %d: %s", n.line, n.text))
	}
}

// sameDay reports whether t falls on day (a UTC midnight) in its own zone
// or in UTC.
func sameDay(t, day time.Time) bool {
	y, m, d := day.Date()
	y1, m1, d1 := t.Date()
	y2, m2, d2 := t.UTC().Date()
	return y1 == y && m1 == m && d1 == d || y2 == y && m2 == m && d2 == d
}
