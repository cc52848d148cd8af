package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageTemplates holds one template set per page, each the layout plus the
// page's own "content".
type pageTemplates struct {
	search, timeline, article, sources, errorPage *template.Template
}

var templateFuncs = template.FuncMap{
	"httpURL":    httpURL,
	"date":       formatDate,
	"datetime":   formatDateTime,
	"iso":        isoTime,
	"num":        thousands,
	"join":       func(ss []string) string { return strings.Join(ss, ", ") },
	"searchHref": searchHref,
	"filterHref": func(field, value string) string { return searchHref(withFilter("", query.Field(field), value)) },
	"snippet":    store.SnippetParts,
	"plural":     plural,
	"bytes":      humanBytes,
	"f1":         func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
	"pct":        func(n, of int) string { return strconv.FormatFloat(100*float64(n)/float64(max(of, 1)), 'f', 1, 64) },
	"hostOf":     canon.DisplaySite,
	"when":       when,
}

func mustParsePages() *pageTemplates {
	parse := func(name string) *template.Template {
		return template.Must(template.New(name).Funcs(templateFuncs).ParseFS(templateFS,
			"templates/layout.html", "templates/"+name+".html"))
	}
	return &pageTemplates{
		search: parse("search"), timeline: parse("timeline"), article: parse("article"),
		sources: parse("sources"), errorPage: parse("error"),
	}
}

// layoutData is what every page's layout reads.
type layoutData struct {
	Title string
	// Active names the navigation entry of the page.
	Active string
	// Query prefills the search box in the header ("" hides nothing).
	Query string
	// Feed is the Atom feed the page offers readers ("" for none).
	Feed    string
	Content any
}

// httpURL returns s when it is an absolute http or https URL, else "":
// templates link scraped URLs only through it, so no javascript:, data:
// or relative link can come from a page.
func httpURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// when returns nil for the zero time, so that templates can write
// {{with when .T}}: a time.Time struct is never empty to {{with}}.
func when(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// formatDate is the day of t as the archive files it: its UTC day, the
// day of after:/before:, the timeline's buckets and the text export, not
// the day in the zone the publisher wrote (formatDateTime shows that).
func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006")
}

func formatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2 Jan 2006 15:04 MST")
}

func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// thousands formats n with comma separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return thousands(n) + " " + pluralOf(word)
}

// pluralOf is the plural of an English noun of Herald's pages: "articles",
// "stories".
func pluralOf(word string) string {
	if n := len(word); n > 1 && word[n-1] == 'y' && !strings.ContainsRune("aeiou", rune(word[n-2])) {
		return word[:n-1] + "ies"
	}
	return word + "s"
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// searchHref is the search page URL for query q.
func searchHref(q string) string {
	if q == "" {
		return "/"
	}
	return "/?q=" + url.QueryEscape(q)
}

// searchForm is the search page's form: the query box, the filter
// fields (added to the query as field:value) and the options.
type searchForm struct {
	Q                                               string
	Site, Author, Tag, Lang, Section, After, Before string
	// Sort is "", "relevance", "newest", "oldest" or "archived".
	Sort string
	// Dups is "collapse" (the default) or "show".
	Dups string
}

// filterFields lists the form's filters in the order they are appended.
func (f *searchForm) filterFields() []struct {
	field query.Field
	value *string
} {
	return []struct {
		field query.Field
		value *string
	}{
		{query.Site, &f.Site}, {query.Author, &f.Author}, {query.Tag, &f.Tag}, {query.Lang, &f.Lang},
		{query.Section, &f.Section}, {query.After, &f.After}, {query.Before, &f.Before},
	}
}

// readSearchForm reads the form from the page's URL. Like the API, it
// refuses a sort or dups it does not know, and any parameter given more
// than once, rather than show results in an order or with copies the
// reader did not ask for.
func readSearchForm(v url.Values) (searchForm, error) {
	var f searchForm
	var err error
	if f.Q, err = value(v, "q"); err != nil {
		return f, err
	}
	for _, ff := range f.filterFields() {
		s, err := value(v, string(ff.field))
		if err != nil {
			return f, err
		}
		*ff.value = strings.TrimSpace(s)
	}
	sort, err := sortParam(v)
	if err != nil {
		return f, err
	}
	if sort != query.SortDefault {
		f.Sort = sortName(sort) // date is newest, as in the API
	}
	if f.Dups, err = oneOf(v, "dups", "", "collapse", "show"); err != nil {
		return f, err
	}
	if f.Dups != "show" {
		f.Dups = ""
	}
	return f, nil
}

// Full is the query the form asks for: the box plus the filters.
func (f *searchForm) Full() string {
	q := strings.TrimSpace(f.Q)
	for _, ff := range f.filterFields() {
		if *ff.value != "" {
			q = withFilter(q, ff.field, *ff.value)
		}
	}
	return q
}

// HasFilters reports whether any filter field is filled in, so the page
// shows the filter panel open.
func (f *searchForm) HasFilters() bool {
	for _, ff := range f.filterFields() {
		if *ff.value != "" {
			return true
		}
	}
	return f.Sort != "" || f.Dups == "show"
}

// values returns the form as URL parameters, without empty ones.
func (f *searchForm) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", f.Q)
	for _, ff := range f.filterFields() {
		set(string(ff.field), *ff.value)
	}
	set("sort", f.Sort)
	set("dups", f.Dups)
	return v
}

// queryError is a malformed query, split at the problem for display.
type queryError struct {
	Message              string
	Before, At, After    string
	Column               int
	HasPosition, InQuery bool
}

func newQueryError(full string, e *Error) *queryError {
	qe := &queryError{Message: e.Message, Column: e.Position}
	if e.Position > 0 {
		runes := []rune(full)
		p := min(e.Position-1, len(runes))
		qe.HasPosition = true
		qe.Before = string(runes[:p])
		if p < len(runes) {
			qe.At, qe.After = string(runes[p]), string(runes[p+1:])
		}
	}
	return qe
}

// pageHit is one search result as the page shows it.
type pageHit struct {
	ID, Title, URL, Site, SiteName string
	Date                           time.Time
	Authors                        []string
	Snippet                        []store.SnippetPart
	Duplicates                     int
	Language                       string
}

type pageLink struct {
	N       int
	Href    string
	Current bool
	Gap     bool
}

// searchData is the search page.
type searchData struct {
	Form        searchForm
	Full        string
	Err         *queryError
	Ran         bool
	Total       int
	TotalCapped bool
	// Collapsed says near-duplicates were collapsed.
	Collapsed    bool
	From, To     int
	Hits         []pageHit
	Prev, Next   string
	Pages        []pageLink
	TimelineHref string
	ExportHref   string
	// FeedHref is the Atom feed of the search's latest archived matches
	// (GET /feed), collapsed as the page is.
	FeedHref string
	// ExportWARC offers the raw captures as WARC: the server serves them.
	ExportWARC bool
	Sort       string
	Stats      *store.Stats
	// PastEnd says the page asked for is past the last one that has
	// hits (LastPage); Page is the one asked for.
	PastEnd        bool
	Page, LastPage int
	// Window says the pages end before the total because ranking
	// considered only the most recent matches (store.RankWindow).
	Window bool
	// NoDays, when nothing matched, says why no day can: the query's
	// after: is not before its before: (query.Query.NoDays).
	NoDays string
}

// pageSize is the number of hits per search page.
const pageSize = 20

func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	form, err := readSearchForm(v)
	if err != nil {
		return err
	}
	d := &searchData{Form: form, Full: form.Full()}
	page, err := intParam(v, "page", 1, 1, maxOffset/pageSize+1)
	if err != nil {
		return err
	}
	if len(d.Full) > maxQueryLen {
		return badRequest("query longer than %d bytes", maxQueryLen)
	}
	// Near-duplicates are collapsed for searches. Browsing the whole
	// archive (no query, no filter) lists it as it is: collapsing every
	// article is the store's most expensive search, and the newest
	// arrivals are what that view is for.
	d.Collapsed = form.Dups != "show" && d.Full != ""
	sr := &searchRequest{raw: d.Full, opts: store.SearchOptions{Sort: sortNamed(form.Sort), Limit: pageSize,
		Offset: (page - 1) * pageSize, Collapse: d.Collapsed}}
	var (
		res   *found
		stats error
		wg    sync.WaitGroup
	)
	if d.Full == "" && page == 1 {
		// The front page also describes the archive.
		wg.Go(guarded(&stats, func() { d.Stats, stats = s.st.Stats(r.Context()) }))
	}
	res, err = s.search(r.Context(), sr)
	wg.Wait()
	status := http.StatusOK
	switch e := toError(err); {
	case err == nil && stats == nil:
		d.Ran = true
	case err == nil:
		return stats
	case e.Code == "bad_query":
		d.Err, status = newQueryError(d.Full, e), http.StatusBadRequest
	default:
		return err
	}
	if d.Ran {
		d.Total, d.TotalCapped, d.Sort = res.Total, res.TotalCapped, sortName(res.opts.Sort)
		d.From, d.To = res.opts.Offset+1, res.opts.Offset+len(res.Hits)
		if len(res.Hits) == 0 && page > 1 {
			d.PastEnd, d.Page, d.LastPage = true, page, lastPage(res.reach)
		}
		d.Window = res.reach < res.Total && page >= lastPage(res.reach)
		if why := res.q.NoDays(); why != "" && d.Total == 0 {
			d.NoDays = why + "."
		}
		for _, h := range res.Hits {
			rec := h.Record
			d.Hits = append(d.Hits, pageHit{ID: rec.ID, Title: rec.Title, URL: rec.URL, Site: canon.DisplaySite(rec.CanonicalURL),
				SiteName: rec.SiteName, Date: rec.Date(), Authors: rec.Authors, Snippet: store.SnippetParts(h.Snippet),
				Duplicates: h.Duplicates, Language: rec.Language})
		}
		d.Prev, d.Next, d.Pages = pagination(form.values(), page, res.reach)
		d.TimelineHref = "/timeline?" + url.Values{"q": {d.Full}}.Encode()
		// The export holds what the page counts: stories when collapsed.
		ev := url.Values{"q": {d.Full}}
		if d.Collapsed {
			ev.Set("collapse", "true")
		}
		d.ExportHref = "/api/export?" + ev.Encode()
		d.ExportWARC = s.opts.CaptureDir != ""
		fv := url.Values{"q": {d.Full}}
		if !d.Collapsed && d.Full != "" {
			fv.Set("collapse", "false")
		}
		d.FeedHref = "/feed?" + fv.Encode()
	}
	title := "Search"
	if d.Full != "" {
		title = d.Full
	}
	return renderTo(w, status, s.pages.search, layoutData{Title: title, Active: "search", Query: d.Full, Feed: d.FeedHref, Content: d})
}

// guarded returns fn, run in a goroutine of a handler's own, with a
// panic turned into *err: recoverPanics sees only the request's
// goroutine, and a panic in another would end the whole server.
func guarded(err *error, fn func()) func() {
	return func() {
		defer func() {
			if v := recover(); v != nil {
				*err = fmt.Errorf("handler panic: %v", v)
			}
		}()
		fn()
	}
}

// lastPage is the number of the last page that has some of the first
// reach hits (at least 1), within the paging depth allowed.
func lastPage(reach int) int {
	return max(1, min((reach+pageSize-1)/pageSize, maxOffset/pageSize+1))
}

// pagination returns the previous and next page links and a window of
// page numbers around the current one, for the first reach hits (see
// found.reach). A page past the last links back to it.
func pagination(v url.Values, page, reach int) (prev, next string, pages []pageLink) {
	last := lastPage(reach)
	href := func(p int) string {
		nv := url.Values{}
		for k, vs := range v {
			nv[k] = vs
		}
		if p > 1 {
			nv.Set("page", strconv.Itoa(p))
		}
		if len(nv) == 0 {
			return "/"
		}
		return "/?" + nv.Encode()
	}
	if page > 1 {
		prev = href(min(page-1, last))
	}
	if page < last {
		next = href(page + 1)
	}
	if last <= 1 {
		return prev, next, nil
	}
	if page > last {
		return prev, next, nil
	}
	lo, hi := max(1, page-3), min(last, page+3)
	if lo > 1 {
		pages = append(pages, pageLink{N: 1, Href: href(1)})
		if lo > 2 {
			pages = append(pages, pageLink{Gap: true})
		}
	}
	for p := lo; p <= hi; p++ {
		pages = append(pages, pageLink{N: p, Href: href(p), Current: p == page})
	}
	if hi < last {
		if hi < last-1 {
			pages = append(pages, pageLink{Gap: true})
		}
		pages = append(pages, pageLink{N: last, Href: href(last)})
	}
	return prev, next, pages
}

// topRow is one line of a top list beside the chart.
type topRow struct {
	Key   string // as shown: a site in Unicode (the link filters on it all the same)
	Count int
	Href  string
	// Width is the bar length, 0–100.
	Width float64
}

type topList struct {
	Title string
	Rows  []topRow
}

// storyRow is a story in the attention page's list of the most copied.
type storyRow struct {
	Title, Href, Site string
	Articles, Sites   int
	First, Last       string // dates
	// Original is the site of the original the first article names, if
	// it names one: the story began there.
	Original string
}

// timelineData is the attention page.
type timelineData struct {
	Q string
	// Compare holds the queries compared with Q, and one empty box more
	// while there is room for one; Compared the queries alone.
	Compare, Compared []string
	By                string
	Split             bool
	Share             bool
	Collapse          bool
	Err               *queryError
	Chart             *chart
	Tops              []topList
	// Stories are the stories the most articles carry; StoriesCSVHref
	// downloads more of them (GET /api/stories as CSV).
	Stories        []storyRow
	StoriesCSVHref string
	SearchHref     string
	// CSVHref downloads the chart's numbers (GET /api/timeline as CSV).
	CSVHref string
}

// topFields are the lists beside the chart and the filter each adds.
var topFields = []struct {
	field  store.TopField
	filter query.Field
	title  string
}{
	{store.TopSite, query.Site, "Top sites"},
	{store.TopTag, query.Tag, "Top tags"},
	{store.TopAuthor, query.Author, "Top authors"},
	{store.TopLang, query.Lang, "Top languages"},
	{store.TopSection, query.Section, "Top sections"},
	{store.TopOriginal, query.Original, "Republished from"},
}

func (s *Server) timelinePage(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	by, err := oneOf(v, "by", "auto", "auto", "day", "week", "month")
	if err != nil {
		return err
	}
	split, err := oneOf(v, "split", "", "site", "none")
	if err != nil {
		return err
	}
	share, err := boolParam(v, "share", false)
	if err != nil {
		return err
	}
	collapse, err := boolParam(v, "collapse", false)
	if err != nil {
		return err
	}
	raw, err := value(v, "q")
	if err != nil {
		return err
	}
	d := &timelineData{Q: raw, By: by, Split: split == "site", Share: share, Collapse: collapse}
	for _, c := range v["compare"] {
		if strings.TrimSpace(c) != "" {
			d.Compare = append(d.Compare, c)
		}
	}
	d.SearchHref = searchHref(d.Q)
	bad := func(qe *queryError) error {
		d.Err = qe
		if len(d.Compare) < MaxCompare-1 {
			d.Compare = append(d.Compare, "")
		}
		return renderTo(w, http.StatusBadRequest, s.pages.timeline, layoutData{Title: "Attention over time", Active: "timeline", Query: d.Q, Content: d})
	}
	queries, err := timelineQueries(v)
	var ce *compareError
	switch {
	case errors.As(err, &ce) && ce.Raw != "":
		e := toError(ce.Err)
		if e.Code != "bad_query" {
			return err
		}
		qe := newQueryError(ce.Raw, e)
		qe.Message = "in the query compared, " + qe.Message
		return bad(qe)
	case errors.As(err, &ce):
		return bad(&queryError{Message: ce.Err.Error()})
	case err != nil:
		e := toError(err)
		if e.Code != "bad_query" {
			return err
		}
		return bad(newQueryError(d.Q, e))
	}
	if len(queries) > 1 && d.Split {
		return bad(&queryError{Message: compareSplit})
	}
	q := queries[0].Q
	d.Compare = nil
	for _, q := range queries[1:] {
		d.Compare = append(d.Compare, q.Raw)
	}
	d.Compared = slices.Clone(d.Compare)
	if len(d.Compare) < MaxCompare-1 {
		d.Compare = append(d.Compare, "")
	}
	// The chart, the top lists and the stories are independent queries:
	// run them side by side, sharing what they have in common (a walk of
	// the query's matches).
	ctx := store.WithSharedWork(r.Context())
	var (
		wg      sync.WaitGroup
		res     TimelineResponse
		sp      span
		tops    = make([][]store.Count, len(topFields))
		stories []store.Story
		errs    = make([]error, len(topFields)+2)
	)
	wg.Go(guarded(&errs[0], func() { res, sp, errs[0] = s.timeline(ctx, queries, by, d.Split, share, collapse) }))
	for i, tf := range topFields {
		wg.Go(guarded(&errs[i+1], func() { tops[i], errs[i+1] = s.st.Top(ctx, q, tf.field, 10) }))
	}
	if _, ok := s.st.(store.StoryLister); ok {
		wg.Go(guarded(&errs[len(errs)-1], func() { stories, errs[len(errs)-1] = topStories(ctx, s.st, q, 5) }))
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if share || len(queries) > 1 {
		d.Chart = buildLineChart(res, sp)
	} else {
		unit := "article"
		if collapse {
			unit = "story"
		}
		d.Chart = buildChart(res.Buckets, sp, d.Split, d.Q, unit)
	}
	if d.Chart != nil {
		p := url.Values{"q": {d.Q}, "by": {string(d.Chart.By)}, "format": {"csv"}}
		if d.Split {
			p.Set("split", "site")
		}
		if share {
			p.Set("share", "true")
		}
		if collapse {
			p.Set("collapse", "true")
		}
		if len(d.Compared) > 0 {
			p["compare"] = d.Compared
		}
		d.CSVHref = "/api/timeline?" + p.Encode()
	}
	for i, tf := range topFields {
		counts := tops[i]
		list := topList{Title: tf.title}
		for _, c := range counts {
			label := c.Key
			if tf.field == store.TopSite || tf.field == store.TopOriginal {
				label = canon.DisplayHost(label)
			}
			list.Rows = append(list.Rows, topRow{Key: label, Count: c.Count, Href: countedHref(withFilter(d.Q, tf.filter, c.Key), "article"),
				Width: 100 * float64(c.Count) / float64(counts[0].Count)})
		}
		d.Tops = append(d.Tops, list)
	}
	d.StoriesCSVHref = "/api/stories?" + url.Values{"q": {d.Q}, "n": {"100"}, "format": {"csv"}}.Encode()
	for _, st := range stories {
		d.Stories = append(d.Stories, storyRow{Title: st.First.Title, Href: "/articles/" + url.PathEscape(st.First.ID),
			Site: canon.DisplayHost(st.First.Site), Articles: st.Articles, Sites: st.Sites,
			First: st.First.Date.Format(time.DateOnly), Last: st.Last.Format(time.DateOnly),
			Original: canon.DisplayHost(store.SiteHost(st.First.OriginalURL))})
	}
	title := "Attention over time"
	if d.Q != "" {
		title += ": " + d.Q
	}
	return renderTo(w, http.StatusOK, s.pages.timeline, layoutData{Title: title, Active: "timeline", Query: d.Q, Content: d})
}

// timeline fetches the buckets for the chart. With by "auto" it counts
// per month first and, when the span is short, again per week or day.
// It also returns the span the chart draws. When the span needs a
// coarser interval than the buckets have, they are counted again in it:
// shares cannot be added up from the buckets (periods with no match lack
// their article count), nor weeks into months (a week can straddle two).
func (s *Server) timeline(ctx context.Context, queries []TimelineQuery, by string, split, share, collapse bool) (TimelineResponse, span, error) {
	opts := store.TimelineOptions{By: store.Interval(by), Collapse: collapse}
	if by == "auto" {
		opts.By = store.Month
	}
	if split {
		opts.Split = store.TopSite
	}
	res, err := NewTimelineResponse(ctx, s.st, queries, opts, share)
	if err != nil || len(res.Buckets) == 0 {
		return res, span{}, err
	}
	if by == "auto" {
		// The span of the bulk of the articles decides, so that one
		// article dated far away does not make the chart monthly
		// (chartSpan leaves it out).
		first, last, _ := bulk(res.Buckets, store.Month)
		if fine := autoInterval(first, step(store.Month, last)); fine != store.Month {
			opts.By = fine
			if res, err = NewTimelineResponse(ctx, s.st, queries, opts, share); err != nil {
				return res, span{}, err
			}
		}
	}
	sp := chartSpan(res.Buckets, opts.By)
	if sp.by != opts.By {
		opts.By = sp.by
		if res, err = NewTimelineResponse(ctx, s.st, queries, opts, share); err != nil {
			return res, span{}, err
		}
		coarsened := sp.coarsened
		sp = chartSpan(res.Buckets, opts.By)
		sp.coarsened, sp.note = coarsened, strings.TrimSpace(coarsened+" "+sp.note)
	}
	return res, sp, nil
}

// articleData is the article page.
type articleData struct {
	*articleResponse
	Paragraphs []string
	// Standfirst is the description shown under the title: empty when
	// the text opens with it (standfirst).
	Standfirst string
	// Older is set when an earlier version is shown.
	Older      bool
	CaptureURL string
	Free       string
	// SignedIn: an admin may delete the article here, with CSRF.
	SignedIn bool
	CSRF     string
}

// standfirst is the description to show under an article's title: desc,
// unless the text's first paragraph says it already, as most pages' meta
// descriptions are their first paragraph or its start ("…" or "..." cut
// off). The record keeps both; the page shows it once.
func standfirst(desc string, paragraphs []string) string {
	if len(paragraphs) == 0 {
		return desc
	}
	fold := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	d := fold(desc)
	d = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(d, "…"), "..."))
	if d != "" && strings.HasPrefix(fold(paragraphs[0]), d) {
		return ""
	}
	return desc
}

func (s *Server) articlePage(w http.ResponseWriter, r *http.Request) error {
	version, err := intParam(r.URL.Query(), "v", 0, 1, 1<<30)
	if err != nil {
		return err
	}
	a, err := s.article(r.Context(), r.PathValue("id"), version)
	if err != nil {
		return err
	}
	d := &articleData{articleResponse: a, Paragraphs: a.Record.Paragraphs(), Older: a.Record.Version != a.Current}
	d.Standfirst = standfirst(a.Record.Description, d.Paragraphs)
	if a.Capture != nil && s.opts.CaptureDir != "" {
		d.CaptureURL = a.Capture.Href
	}
	if f := a.Record.IsAccessibleForFree; f != nil {
		d.Free = map[bool]string{true: "yes", false: "no"}[*f]
	}
	if session, ok := s.session(r); ok && !d.Older {
		d.SignedIn, d.CSRF = true, s.csrfFor(session)
	}
	title := a.Record.Title
	if title == "" {
		title = "Untitled article"
	}
	return renderTo(w, http.StatusOK, s.pages.article, layoutData{Title: title, Content: d})
}

// pageUnknown answers paths no page route matches.
func (s *Server) pageUnknown(w http.ResponseWriter, r *http.Request) error {
	if allow := s.allowed(r, "/"); allow != "" {
		w.Header().Set("Allow", allow)
		return &Error{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Message: r.Method + " is not allowed here"}
	}
	return notFound("There is no page at this address.")
}

// errorData is the error page.
type errorData struct {
	Status  int
	Text    string
	Message string
}

// renderError shows err as an HTML page with the status errorTable gives.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	if s.started(r, err) {
		return
	}
	e := s.report(r, err)
	msg := e.Message
	if e.Status == http.StatusNotFound && msg == http.StatusText(http.StatusNotFound) {
		msg = "Nothing is archived at this address."
	}
	if !utf8.ValidString(msg) {
		msg = strings.ToValidUTF8(msg, "�")
	}
	status := e.Status
	if status == 499 {
		return
	}
	d := errorData{Status: status, Text: http.StatusText(status), Message: msg}
	if rerr := renderTo(w, status, s.pages.errorPage, layoutData{Title: d.Text, Content: d}); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		http.Error(w, d.Text, status)
	}
}

// RankWindow is store.RankWindow, for the search page's note.
func (*searchData) RankWindow() int { return store.RankWindow }
