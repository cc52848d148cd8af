// Package query parses Herald's search language into a small syntax tree.
//
// The language is the one people already type into search boxes:
//
//	harbour storm               both words (AND is implicit)
//	"harbour reopens"           an exact phrase
//	storm OR flood              either (OR is upper case; lower-case "or" is a word)
//	-storm  -"heavy rain"       exclusion of a word, a phrase or a group
//	harb*                       a prefix
//	(storm OR flood) harbour    grouping
//	site:example.com author:doe tag:"climate change" lang:en section:world
//	after:2021-06-01 before:2021-07-01 sort:date
//
// docs/search.md is the user-facing description; this package is its
// reference implementation. The package is pure: it knows nothing about
// storage. Backends translate the tree (see Query.Root) into their own
// full-text and SQL syntax; the helpers Conjuncts and IsText help them
// split a query into a full-text part and a filter part.
//
// Errors are *Error values that carry the byte offset of the problem.
package query

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Query is a parsed search query. The zero value (and the result of parsing
// an empty string) matches every article.
type Query struct {
	// Root is the boolean expression; nil matches everything.
	Root Node
	// Sort is the order asked for with sort:, SortDefault when none was.
	Sort Sort

	topOr bool // see OrOnTop
}

// OrOnTop reports whether the query's text has an OR outside brackets,
// even one beside a side that was ignored ("harbour OR 🔥" is the word
// harbour): a term written after such a text binds to its last side only,
// so a caller adding a filter puts the text in brackets first.
func (q *Query) OrOnTop() bool { return q.topOr }

// Sort is an order of results requested inside a query.
type Sort int

// The orders a query may ask for.
const (
	// SortDefault leaves the choice to the caller (relevance when the
	// query has words, otherwise newest first).
	SortDefault Sort = iota
	// SortRelevance ranks best matches first.
	SortRelevance
	// SortNewest orders by publication date, newest first.
	SortNewest
	// SortOldest orders by publication date, oldest first.
	SortOldest
	// SortArchived orders by when the archive first stored the article,
	// latest first, whatever its date: what came in most recently (a
	// harvest or import of old pages included). A new version of an
	// article keeps its place.
	SortArchived
)

// String returns the sort: value that selects s ("" for SortDefault).
func (s Sort) String() string {
	switch s {
	case SortRelevance:
		return "relevance"
	case SortNewest:
		return "date"
	case SortOldest:
		return "oldest"
	case SortArchived:
		return "archived"
	}
	return ""
}

// Field names a field filter.
type Field string

// The field filters. After and Before carry a date; the others a string.
const (
	// Site matches the article's host name or any parent domain of it:
	// site:example.com matches example.com, www.example.com and
	// news.example.com. Values are lower case, without scheme or "www.",
	// and ASCII: an internationalised name is converted to punycode
	// (новости.рф to xn--b1amnebsh.xn--p1ai), the form the archive files
	// hosts under, so both spellings match.
	Site Field = "site"
	// Author matches an author's whole name or a run of whole words in it,
	// words as the full-text index folds them (case and diacritics
	// ignored, punctuation separating words): author:doe and
	// author:"jane doe" both match Jane Doe, author:emile and
	// author:"o’brien" match Émile O'Brien.
	Author Field = "author"
	// Tag matches a tag exactly, ignoring case.
	Tag Field = "tag"
	// Lang matches the language tag or its primary subtag: lang:pt
	// matches pt and pt-BR; lang:pt-br matches only pt-BR.
	Lang Field = "lang"
	// Section matches the section exactly, ignoring case.
	Section Field = "section"
	// Original matches the articles whose original_url (the original a
	// syndicated copy names) is on the host or under it, as site: does:
	// original:example.com finds the copies of example.com's articles
	// that other sites republished.
	Original Field = "original"
	// After keeps articles dated on or after the day (inclusive), from
	// 00:00 UTC.
	After Field = "after"
	// Before keeps articles dated before the day (exclusive), up to
	// 00:00 UTC of that day.
	Before Field = "before"
)

// fields lists the known field names; sort: is handled apart.
var fields = map[string]Field{
	"site": Site, "author": Author, "tag": Tag, "lang": Lang,
	"section": Section, "after": After, "before": Before, "original": Original,
}

// Node is one element of the query tree: *Word, *Phrase, *Filter, *And,
// *Or or *Not.
type Node interface {
	// String returns the node in query syntax; parsing it gives the node
	// back.
	String() string
	node()
}

// Word matches articles containing the word (or, when Prefix is set, a
// word starting with Text). Text may hold punctuation, as in "U.S." or
// "http://example.com"; backends tokenize it the way they tokenize
// articles, so it then matches as a phrase of its parts.
type Word struct {
	Text   string
	Prefix bool
}

// Phrase matches articles containing the words of Text next to each other
// in this order.
type Phrase struct {
	Text string
}

// Filter restricts results by a field of the record rather than by its text.
type Filter struct {
	Field Field
	// Value is the normalised value: lower case for lang, lower-case
	// ASCII (punycode) for site and original, as typed (but trimmed) for author, tag
	// and section.
	Value string
	// Date is set for After and Before: midnight UTC of the day given.
	Date time.Time
}

// Subdomains reports whether a site: (or original:) filter also matches the hosts under
// its value (site:example.com matches news.example.com): it does for a
// name, not for an IP address or a part of one (site:0.2.7 must not
// match 192.0.2.7).
func (f *Filter) Subdomains() bool {
	return (f.Field == Site || f.Field == Original) && strings.Trim(f.Value, "0123456789.") != "" && !strings.Contains(f.Value, ":")
}

// And matches when all of its nodes match.
type And struct{ Nodes []Node }

// Or matches when any of its nodes matches.
type Or struct{ Nodes []Node }

// Not matches when its node does not.
type Not struct{ Node Node }

func (*Word) node()   {}
func (*Phrase) node() {}
func (*Filter) node() {}
func (*And) node()    {}
func (*Or) node()     {}
func (*Not) node()    {}

func (w *Word) String() string {
	s := w.Text
	if w.Prefix && (s == "OR" || s == "AND") {
		return s + "*" // "OR*" is a prefix word, not the operator
	}
	if needsQuote(s) {
		s = quote(s)
	}
	if w.Prefix {
		s += "*"
	}
	return s
}

func (p *Phrase) String() string { return quote(p.Text) }

func (f *Filter) String() string {
	if f.Field == After || f.Field == Before {
		return string(f.Field) + ":" + f.Date.Format(time.DateOnly)
	}
	v := f.Value
	if needsQuote(v) || strings.ContainsAny(v, ":") {
		v = quote(v)
	}
	return string(f.Field) + ":" + v
}

func (a *And) String() string { return join(a.Nodes, " ") }
func (o *Or) String() string  { return join(o.Nodes, " OR ") }
func (n *Not) String() string { return "-" + wrap(n.Node) }

func join(nodes []Node, sep string) string {
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		parts[i] = wrap(n)
	}
	return strings.Join(parts, sep)
}

// wrap parenthesises compound nodes so that String round-trips.
func wrap(n Node) string {
	switch n.(type) {
	case *And, *Or:
		return "(" + n.String() + ")"
	}
	return n.String()
}

// needsQuote reports whether a bare word would not parse back as itself.
func needsQuote(s string) bool {
	if s == "" || s == "OR" || s == "AND" || strings.HasPrefix(s, "-") || strings.HasSuffix(s, "*") {
		return true
	}
	if i := strings.IndexByte(s, ':'); i > 0 {
		if _, ok := fields[strings.ToLower(s[:i])]; ok || strings.EqualFold(s[:i], "sort") {
			return true
		}
	}
	return strings.ContainsAny(s, " \t\r\n\f\v()\"")
}

// quote writes s as a quoted phrase. Quotes cannot be escaped inside a
// phrase, so any in s are dropped (they are not searchable anyway).
func quote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, "") + `"`
}

// String returns the query in canonical syntax; Parse(q.String()) returns
// an equal query.
func (q *Query) String() string {
	var parts []string
	if q.Root != nil {
		if a, ok := q.Root.(*And); ok {
			parts = append(parts, a.String())
		} else {
			parts = append(parts, q.Root.String())
		}
	}
	if q.Sort != SortDefault {
		parts = append(parts, "sort:"+q.Sort.String())
	}
	return strings.Join(parts, " ")
}

// Conjuncts returns the nodes that must all match: the children of a
// top-level And, or the root alone. It returns nil for an empty query.
func (q *Query) Conjuncts() []Node {
	switch r := q.Root.(type) {
	case nil:
		return nil
	case *And:
		return r.Nodes
	default:
		return []Node{r}
	}
}

// NoDays says why the query's date filters leave no day, or "" when they
// do not: a top-level after: on or after a top-level before: (the two
// swapped, a typo), which no article can match.
func (q *Query) NoDays() string {
	if after, before, empty := q.dateBounds(); empty {
		return fmt.Sprintf("%s is not before %s, so no day is in the range", after, before)
	}
	return ""
}

// dateBounds returns the query's tightest top-level after: and before:
// filters, and whether they leave no day.
func (q *Query) dateBounds() (after, before *Filter, empty bool) {
	for _, n := range q.Conjuncts() {
		f, ok := n.(*Filter)
		switch {
		case !ok:
		case f.Field == After && (after == nil || f.Date.After(after.Date)):
			after = f
		case f.Field == Before && (before == nil || f.Date.Before(before.Date)):
			before = f
		}
	}
	return after, before, after != nil && before != nil && !after.Date.Before(before.Date)
}

// IsText reports whether n only looks at the text (words and phrases,
// combined in any way), with no field filter inside it.
func IsText(n Node) bool {
	switch n := n.(type) {
	case *Word, *Phrase:
		return true
	case *Filter:
		return false
	case *Not:
		return IsText(n.Node)
	case *And:
		for _, c := range n.Nodes {
			if !IsText(c) {
				return false
			}
		}
		return true
	case *Or:
		for _, c := range n.Nodes {
			if !IsText(c) {
				return false
			}
		}
		return true
	}
	return false
}

// IsFilter reports whether n looks at no text: field filters combined in
// any way (negated too), with no word or phrase inside. IsText's
// opposite; a node can be neither ("flood site:a.example" as one And).
func IsFilter(n Node) bool {
	switch n := n.(type) {
	case *Filter:
		return true
	case *Word, *Phrase:
		return false
	case *Not:
		return IsFilter(n.Node)
	case *And:
		for _, c := range n.Nodes {
			if !IsFilter(c) {
				return false
			}
		}
		return true
	case *Or:
		for _, c := range n.Nodes {
			if !IsFilter(c) {
				return false
			}
		}
		return true
	}
	return false
}

// Ranked reports whether the query can be ranked by relevance: whether
// one of its top-level conjuncts is text alone that a full-text index
// evaluates by itself (Standalone), not negated. Words that sit only
// under an OR with a filter ("(harbour storm) OR tag:politics") cannot
// rank: such a query is sorted newest first.
func (q *Query) Ranked() bool {
	for _, c := range q.Conjuncts() {
		if _, neg := c.(*Not); !neg && Standalone(c) {
			return true
		}
	}
	return false
}

// WordsAlone reports whether the query is made of words alone: every
// top-level conjunct is Standalone text (or the exclusion of some) and one
// is not an exclusion. The stores rank such a query by relevance within a
// window of its most recent matches (store.RankWindow).
func (q *Query) WordsAlone() bool {
	positive := false
	for _, c := range q.Conjuncts() {
		if not, ok := c.(*Not); ok {
			c = not.Node
		} else {
			positive = true
		}
		if !Standalone(c) {
			return false
		}
	}
	return positive
}

// Standalone reports whether n is text that a full-text index evaluates
// by itself: words and phrases, combined by AND and OR, with exclusions
// only beside something positive in an AND (an index's NOT is binary).
// The backends send exactly such nodes to their full-text index.
func Standalone(n Node) bool {
	switch n := n.(type) {
	case *Word, *Phrase:
		return true
	case *Or:
		for _, c := range n.Nodes {
			if !Standalone(c) {
				return false
			}
		}
		return true
	case *And:
		pos := false
		for _, c := range n.Nodes {
			if not, ok := c.(*Not); ok {
				c = not.Node
			} else {
				pos = true
			}
			if !Standalone(c) {
				return false
			}
		}
		return pos
	}
	return false
}

// Error is a malformed query. Pos is the byte offset in the query text where
// the problem is; Column reports it for people.
type Error struct {
	Query string
	Pos   int
	Msg   string
}

// Column is the 1-based position of the problem in characters.
func (e *Error) Column() int {
	p := min(max(e.Pos, 0), len(e.Query))
	return utf8.RuneCountInString(e.Query[:p]) + 1
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s at column %d", e.Msg, e.Column())
}
