package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// Request limits shared by the API and the pages.
const (
	// maxQueryLen bounds the query text, in bytes.
	maxQueryLen = 2000
	// maxPageSize is the largest search page; export has no such cap.
	maxPageSize = 100
	// maxOffset bounds paging depth: deep offsets make the database walk
	// every skipped row. Export is the way to read everything.
	maxOffset = 10000
	// maxTop bounds the n of top lists.
	maxTop = 100
	// maxFetches bounds a fetch log page.
	maxFetches = 1000
	// maxBody bounds write request bodies.
	maxBody = 64 << 10
)

// value returns the value of the single-valued parameter name, "" when
// it is absent. Every parameter that takes one value is read through it
// (the typed readers below and parseQuery), so the API and the pages
// treat a repeated one alike: as a 400 that names it. Taking the first
// (url.Values.Get) would answer a question the client did not ask, and
// a URL built by appending (?q=a … &q=b) would not show which one won.
// Only compare (the timeline's other queries) may be repeated.
func value(v url.Values, name string) (string, error) {
	vs := v[name]
	if len(vs) > 1 {
		return "", badRequest("parameter %s is given %d times: give it once", name, len(vs))
	}
	if len(vs) == 0 {
		return "", nil
	}
	return vs[0], nil
}

// intParam reads an integer parameter in [lo, hi], def when absent.
func intParam(v url.Values, name string, def, lo, hi int) (int, error) {
	s, err := value(v, name)
	if err != nil || s == "" {
		return def, err
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("parameter %s=%q: want a whole number from %d to %d", name, s, lo, hi)
	}
	return n, nil
}

// boolParam reads true/false/1/0 (def when absent).
func boolParam(v url.Values, name string, def bool) (bool, error) {
	s, err := value(v, name)
	if err != nil || s == "" {
		return def, err
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, badRequest("parameter %s=%q: want true or false", name, s)
	}
	return b, nil
}

// oneOf reads a parameter that must be one of allowed (def when absent),
// in any case (sort=Oldest is sort=oldest, as herald search --sort
// Oldest): it returns the word as allowed lists it.
func oneOf(v url.Values, name, def string, allowed ...string) (string, error) {
	s, err := value(v, name)
	if err != nil || s == "" {
		return def, err
	}
	for _, a := range allowed {
		if strings.EqualFold(s, a) {
			return a, nil
		}
	}
	return "", badRequest("parameter %s=%q: want one of %s", name, s, strings.Join(allowed, ", "))
}

// parseQuery parses the q parameter. Errors are 400s that carry the
// column of the problem.
func parseQuery(v url.Values) (*query.Query, string, error) {
	s, err := value(v, "q")
	if err != nil {
		return nil, s, err
	}
	if len(s) > maxQueryLen {
		return nil, s, badRequest("query longer than %d bytes", maxQueryLen)
	}
	q, err := store.ParseQuery(s)
	if err != nil {
		return nil, s, err
	}
	return q, s, nil
}

// sortParam reads sort=relevance|newest|date|oldest|archived. A sort:
// inside the query still wins (store.SearchOptions.Normalize).
func sortParam(v url.Values) (query.Sort, error) {
	s, err := oneOf(v, "sort", "", "relevance", "newest", "date", "oldest", "archived")
	return sortNamed(s), err
}

// sortNamed is the sort a sort parameter names; SortDefault for "" and
// unknown names.
func sortNamed(s string) query.Sort {
	switch s {
	case "relevance":
		return query.SortRelevance
	case "newest", "date":
		return query.SortNewest
	case "oldest":
		return query.SortOldest
	case "archived":
		return query.SortArchived
	}
	return query.SortDefault
}

// sortName is the API name of a sort.
func sortName(s query.Sort) string {
	switch s {
	case query.SortRelevance:
		return "relevance"
	case query.SortOldest:
		return "oldest"
	case query.SortArchived:
		return "archived"
	}
	return "newest"
}

// paging reads limit and offset, or limit and a 1-based page.
func paging(v url.Values, defLimit int) (limit, offset int, err error) {
	if limit, err = intParam(v, "limit", defLimit, 1, maxPageSize); err != nil {
		return 0, 0, err
	}
	if offset, err = intParam(v, "offset", 0, 0, maxOffset); err != nil {
		return 0, 0, err
	}
	page, err := intParam(v, "page", 0, 1, maxOffset/limit+1)
	switch {
	case err != nil:
		return 0, 0, err
	case page > 0 && v.Get("offset") != "":
		return 0, 0, badRequest("give offset or page, not both")
	case page > 0:
		offset = (page - 1) * limit
	}
	return limit, offset, nil
}

// withFilter returns q with the filter field:value added.
func withFilter(q string, field query.Field, value string) string {
	return narrow(q, filterTerm(field, value))
}

// filterTerm writes the filter field:value in query syntax, as the
// query's own canonical form writes a filter (query.Filter's String):
// bare where the parser reads the value the same (a host, a hyphenated
// name, lang:en-gb), quoted where it would not (a space, a leading -, a
// colon, a trailing star). An after: or before: date is written bare, as
// typed, when it parses (after:2026-03-02), and quoted otherwise, so
// that the page says what is wrong with it.
//
// A double quote cannot be written inside a value (docs/search.md), and
// a value without its quotes no longer equals the stored author or tag;
// so an author or tag that holds one becomes the phrase of its words,
// which the text index (it holds authors and tags) matches: broader than
// the filter, but it finds the articles that carry the value.
func filterTerm(field query.Field, value string) string {
	value = strings.TrimSpace(value)
	if (field == query.Author || field == query.Tag) && strings.Contains(value, `"`) {
		if words := strings.Fields(strings.ReplaceAll(value, `"`, " ")); len(words) > 0 {
			return `"` + strings.Join(words, " ") + `"`
		}
	}
	if field == query.After || field == query.Before {
		bare := string(field) + ":" + value
		if value != "" && !strings.ContainsAny(value, " \t\r\n\f\v()\"") {
			if _, err := query.Parse(bare); err == nil {
				return bare
			}
		}
		return string(field) + `:"` + strings.ReplaceAll(value, `"`, "") + `"`
	}
	return (&query.Filter{Field: field, Value: value}).String()
}

// narrow returns query q with filters (in query syntax) added so that they
// narrow the whole of q. Filters bind like words: "a OR b site:x" would be
// "a OR (b site:x)", so a q whose top level is an OR is put in brackets
// first. Other queries are left as typed, so a simple search still reads
// "harbour site:x" in the search box and the URL.
func narrow(q string, filters ...string) string {
	q = strings.TrimSpace(q)
	if q != "" && len(filters) > 0 {
		q = bracketOr(q)
	}
	for _, f := range filters {
		if q == "" {
			q = f
		} else {
			q += " " + f
		}
	}
	return q
}

// bracketOr puts q in brackets when its top level is an OR. A sort: may
// not stand inside brackets, so a q with one is written in canonical form
// with the sort after the brackets. A q that does not parse is returned as
// it is: its error is what the page will show.
func bracketOr(q string) string {
	pq, err := query.Parse(q)
	if err != nil {
		return q
	}
	if !pq.OrOnTop() {
		return q
	}
	if pq.Sort == query.SortDefault {
		return "(" + q + ")"
	}
	return "(" + pq.Root.String() + ") sort:" + pq.Sort.String()
}
