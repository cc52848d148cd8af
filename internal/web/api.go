package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/export"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// SearchResponse is the body of GET /api/search (docs/api.md), and what
// herald search --json prints, without the links (Href, Next), which only
// the API has.
type SearchResponse struct {
	// Query is the query as given; Sort the order used.
	Query    string `json:"query"`
	Sort     string `json:"sort"`
	Collapse bool   `json:"collapse"`
	Total    int    `json:"total"`
	// TotalCapped says counting stopped at store.MaxTotal: Total is a
	// lower bound.
	TotalCapped bool      `json:"total_capped,omitempty"`
	Offset      int       `json:"offset"`
	Limit       int       `json:"limit"`
	Hits        []HitView `json:"hits"`
	// Next is the URL of the next page, when there is one within reach.
	Next string `json:"next,omitempty"`
}

// HitView is one search hit as the API shows it.
type HitView struct {
	Record *store.Record `json:"record"`
	// Snippet keeps the store's markers (U+0002 … U+0003) around matched
	// words; SnippetParts is the same split into plain pieces, so clients
	// never need to build HTML from it.
	Snippet      string        `json:"snippet"`
	SnippetParts []SnippetPart `json:"snippet_parts"`
	Score        float64       `json:"score"`
	Duplicates   int           `json:"duplicates,omitempty"`
	// Href is the API URL of the whole record.
	Href string `json:"href,omitempty"`
}

// SnippetPart is a piece of a snippet, matched or not.
type SnippetPart struct {
	Text  string `json:"text"`
	Match bool   `json:"match,omitempty"`
}

// NewSearchResponse is the response to the query raw, whose result res was
// found with opts (normalised: the sort used), without links.
func NewSearchResponse(raw string, res *store.SearchResult, opts store.SearchOptions) SearchResponse {
	out := SearchResponse{Query: raw, Sort: sortName(opts.Sort), Collapse: opts.Collapse,
		Total: res.Total, TotalCapped: res.TotalCapped, Offset: opts.Offset, Limit: opts.Limit, Hits: []HitView{}}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, HitView{Record: h.Record, Snippet: h.Snippet, SnippetParts: snippetParts(h.Snippet),
			Score: h.Score, Duplicates: h.Duplicates})
	}
	return out
}

func snippetParts(s string) []SnippetPart {
	parts := []SnippetPart{}
	for _, p := range store.SnippetParts(s) {
		parts = append(parts, SnippetPart{Text: p.Text, Match: p.Match})
	}
	return parts
}

// searchRequest is a search that both the API and the page run: the query
// text (parsed by search) and the options.
type searchRequest struct {
	raw  string
	opts store.SearchOptions
}

// parseSearch reads the search API's parameters. Collapsing is off unless
// asked for: it costs the store a pass over every match.
func parseSearch(v url.Values) (*searchRequest, error) {
	raw, err := value(v, "q")
	if err != nil {
		return nil, err
	}
	sr := &searchRequest{raw: raw}
	if len(sr.raw) > maxQueryLen {
		return nil, badRequest("query longer than %d bytes", maxQueryLen)
	}
	if sr.opts.Sort, err = sortParam(v); err != nil {
		return nil, err
	}
	if sr.opts.Limit, sr.opts.Offset, err = paging(v, store.DefaultLimit); err != nil {
		return nil, err
	}
	if sr.opts.Collapse, err = boolParam(v, "collapse", false); err != nil {
		return nil, err
	}
	return sr, nil
}

// found is a search's result with the options it ran with (sort
// resolved) and how far it can be paged.
type found struct {
	*store.SearchResult
	// q is the query as parsed.
	q    *query.Query
	opts store.SearchOptions
	// reach is how many hits can be had by paging: the total, but no
	// more than the ranked window for words alone by relevance, and no
	// more than the end this page came to (a short or empty page).
	reach int
}

// search runs sr.
func (s *Server) search(ctx context.Context, sr *searchRequest) (*found, error) {
	q, err := store.ParseQuery(sr.raw)
	if err != nil {
		return nil, err
	}
	opts, err := sr.opts.Normalize(q)
	if err != nil {
		return nil, err
	}
	res, err := s.st.Search(ctx, q, opts)
	if err != nil {
		return nil, err
	}
	return &found{SearchResult: res, q: q, opts: opts, reach: reach(opts, res)}, nil
}

// reach returns how many of res's hits paging can reach. Ranking words
// alone by relevance considers only the store.RankWindow most recently
// archived matches (docs/search.md), while the total counts every match:
// the pages past the window (or, collapsed, past the clusters it holds,
// which the store reports) are empty. A short or empty page also shows
// where the results end.
func reach(opts store.SearchOptions, res *store.SearchResult) int {
	n := res.Pageable()
	if len(res.Hits) < opts.Limit && (len(res.Hits) > 0 || opts.Offset > 0) {
		n = min(n, opts.Offset+len(res.Hits))
	}
	return n
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	sr, err := parseSearch(v)
	if err != nil {
		return err
	}
	res, err := s.search(r.Context(), sr)
	if err != nil {
		return err
	}
	opts := res.opts
	out := NewSearchResponse(sr.raw, res.SearchResult, opts)
	for i := range out.Hits {
		out.Hits[i].Href = "/api/articles/" + url.PathEscape(out.Hits[i].Record.ID)
	}
	if next := opts.Offset + opts.Limit; next < res.reach && next <= maxOffset {
		nv := url.Values{}
		for k, vs := range v {
			if k != "page" {
				nv[k] = vs
			}
		}
		nv.Set("offset", strconv.Itoa(next))
		out.Next = "/api/search?" + nv.Encode()
	}
	return writeJSON(w, http.StatusOK, out)
}

// articleResponse is the body of GET /api/articles/{id}.
type articleResponse struct {
	// Record is the current version, or the one asked for with ?version=.
	Record *store.Record `json:"record"`
	// Current is the number of the current version.
	Current int `json:"current_version"`
	// Versions lists every version, oldest first, the current one last.
	Versions []versionView `json:"versions"`
	// Duplicates are the other members of the record's near-duplicate
	// cluster, by date (at most maxDuplicates).
	Duplicates []articleRef `json:"duplicates"`
	// DuplicatesTotal counts all of them.
	DuplicatesTotal int `json:"duplicates_total"`
	// Capture points at the raw response, when one was kept.
	Capture *captureView `json:"capture,omitempty"`
	// Original is the article the record says it republishes
	// (Record.OriginalURL), when the archive holds it.
	Original *articleRef `json:"original,omitempty"`
	// Copies are the articles that name this one as their original,
	// oldest first (at most maxDuplicates); CopiesTotal counts them all.
	// Both are absent when the archive cannot list them.
	Copies      []articleRef `json:"copies,omitempty"`
	CopiesTotal int          `json:"copies_total,omitempty"`
}

type versionView struct {
	Version     int       `json:"version"`
	FetchedAt   time.Time `json:"fetched_at,omitzero"`
	Title       string    `json:"title"`
	WordCount   int       `json:"word_count"`
	ContentHash string    `json:"content_hash"`
	Href        string    `json:"href"`
}

type articleRef struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	SiteName  string    `json:"site_name,omitempty"`
	Published time.Time `json:"published,omitzero"`
	Href      string    `json:"href"`
}

type captureView struct {
	store.Capture
	// Href is where the raw capture is served.
	Href string `json:"href"`
}

// maxDuplicates bounds the cluster members listed with an article.
const maxDuplicates = 50

// article gathers what the article endpoints show. version 0 means the
// current one.
func (s *Server) article(ctx context.Context, id string, version int) (*articleResponse, error) {
	versions, err := s.st.Versions(ctx, id)
	if err != nil {
		return nil, err
	}
	cur := versions[len(versions)-1]
	out := &articleResponse{Record: cur, Current: cur.Version, Versions: []versionView{}, Duplicates: []articleRef{}}
	found := version == 0
	for _, v := range versions {
		out.Versions = append(out.Versions, versionView{Version: v.Version, FetchedAt: v.FetchedAt, Title: v.Title,
			WordCount: v.WordCount, ContentHash: v.ContentHash,
			Href: fmt.Sprintf("/api/articles/%s?version=%d", url.PathEscape(id), v.Version)})
		if version != 0 && v.Version == version {
			out.Record, found = v, true
		}
	}
	if !found {
		return nil, fmt.Errorf("article %s version %d: %w", id, version, store.ErrNotFound)
	}
	if ol, ok := s.st.(store.OriginLister); ok && cur.CanonicalURL != "" {
		copies, total, err := ol.NamingOriginal(ctx, cur.CanonicalURL, maxDuplicates)
		if err != nil {
			return nil, err
		}
		for _, c := range copies {
			out.Copies = append(out.Copies, articleRef{ID: c.ID, Title: c.Title, URL: c.URL, SiteName: c.SiteName,
				Published: c.Published, Href: "/api/articles/" + url.PathEscape(c.ID)})
		}
		out.CopiesTotal = total
	}
	if ou := out.Record.OriginalURL; ou != "" {
		switch o, err := s.st.Get(ctx, canon.ID(ou)); {
		case err == nil:
			out.Original = &articleRef{ID: o.ID, Title: o.Title, URL: o.URL, SiteName: o.SiteName, Published: o.Published,
				Href: "/api/articles/" + url.PathEscape(o.ID)}
		case !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
	}
	if cur.ClusterID != "" {
		members, err := s.st.Cluster(ctx, cur.ClusterID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		for _, m := range members {
			if m.ID == cur.ID {
				continue
			}
			out.DuplicatesTotal++
			if len(out.Duplicates) < maxDuplicates {
				out.Duplicates = append(out.Duplicates, articleRef{ID: m.ID, Title: m.Title, URL: m.URL,
					SiteName: m.SiteName, Published: m.Published, Href: "/api/articles/" + url.PathEscape(m.ID)})
			}
		}
	}
	if c := out.Record.Capture; c != nil && c.File != "" {
		out.Capture = &captureView{Capture: *c, Href: "/api/articles/" + url.PathEscape(id) + "/capture"}
		if version != 0 {
			out.Capture.Href += "?version=" + strconv.Itoa(version)
		}
	}
	return out, nil
}

func (s *Server) apiArticle(w http.ResponseWriter, r *http.Request) error {
	version, err := intParam(r.URL.Query(), "version", 0, 1, 1<<30)
	if err != nil {
		return err
	}
	a, err := s.article(r.Context(), r.PathValue("id"), version)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

// TimelineResponse is the body of GET /api/timeline, and what herald
// timeline --json prints.
type TimelineResponse struct {
	Query string `json:"query"`
	// Compare lists the other queries counted, when comparing; buckets
	// are then keyed by query (Split "query"), the first being Query.
	Compare []string       `json:"compare,omitempty"`
	By      store.Interval `json:"by"`
	// Split is "site", "query" (comparing), or empty.
	Split string `json:"split,omitempty"`
	// Share is set when the buckets carry their share of all articles
	// (store.SetShares), or of those the query's filters select: Within
	// is then those filters (each compared query's shares are within its
	// own).
	Share  bool   `json:"share,omitempty"`
	Within string `json:"within,omitempty"`
	// Collapse is set when stories are counted: each near-duplicate
	// cluster once (store.TimelineOptions.Collapse), shares included.
	Collapse bool `json:"collapse,omitempty"`
	// Total is the sum of the buckets' counts: with several queries, an
	// article matching two counts twice.
	Total   int            `json:"total"`
	Buckets []store.Bucket `json:"buckets"`
}

// MaxCompare is the most queries a timeline compares, the first included.
const MaxCompare = 8

// compareSplit says why a comparison cannot be split by site.
const compareSplit = "a comparison of queries cannot also be split by site (add site: to each query to compare one site's coverage)"

// compareError is a timeline's comparison that cannot be made: a
// compared query (Raw) that cannot be read (Err wraps the query error),
// or, with Raw empty, queries that CompareQueries refuses. The API and
// the attention page word it each their own way.
type compareError struct {
	Raw string
	Err error
}

func (e *compareError) Error() string { return e.Err.Error() }
func (e *compareError) Unwrap() error { return e.Err }

// TimelineQuery is one query of a timeline: as typed, and parsed.
type TimelineQuery struct {
	Raw string
	Q   *query.Query
}

// NewTimelineResponse counts the articles matching queries (one, or up
// to MaxCompare to compare, the first being the main one) per interval
// of opts; with several, each bucket's key is its query as typed, and
// they cannot be split by site as well. With share, each bucket also
// carries its share of the archive's articles in its interval (and
// site, when split) that the query's filters select (population), and
// intervals with such articles but no match have a
// bucket of count 0 (store.SetShares). With opts.Collapse, stories are
// counted instead of articles, the shares' whole included.
func NewTimelineResponse(ctx context.Context, st store.Store, queries []TimelineQuery, opts store.TimelineOptions, share bool) (TimelineResponse, error) {
	opts, err := opts.Normalize()
	if err != nil {
		return TimelineResponse{}, err
	}
	if len(queries) == 0 {
		queries = []TimelineQuery{{Q: &query.Query{}}}
	}
	out := TimelineResponse{Query: queries[0].Raw, By: opts.By, Split: string(opts.Split), Share: share, Collapse: opts.Collapse,
		Buckets: []store.Bucket{}}
	if len(queries) > 1 {
		if opts.Split != "" {
			return out, fmt.Errorf("%w: %s", store.ErrInvalid, compareSplit)
		}
		out.Split = "query"
		for _, q := range queries[1:] {
			out.Compare = append(out.Compare, q.Raw)
		}
	}
	counted := make([][]store.Bucket, len(queries))
	for i, q := range queries {
		if counted[i], err = st.Timeline(ctx, q.Q, opts); err != nil {
			return out, err
		}
	}
	// The articles each query's share is of: those its filters select
	// (population), counted once per different filters, after the
	// queries' counts (see store.SetShares).
	whole := make([][]store.Bucket, len(queries))
	if share {
		byFilters := map[string][]store.Bucket{}
		for i, q := range queries {
			of := population(q.Q)
			key := of.String()
			if i == 0 {
				out.Within = key
			}
			if _, ok := byFilters[key]; !ok {
				if byFilters[key], err = st.Timeline(ctx, of, opts); err != nil {
					return out, err
				}
			}
			whole[i] = byFilters[key]
		}
	}
	for i, q := range queries {
		buckets := counted[i]
		if share {
			buckets = store.SetShares(buckets, whole[i], opts.Split == store.TopSite)
		}
		for _, b := range buckets {
			if len(queries) > 1 {
				b.Key = q.Raw
			}
			out.Total += b.Count
			out.Buckets = append(out.Buckets, b)
		}
	}
	return out, nil
}

// population returns the query of the articles a share of q is taken
// of: the top-level conjuncts of q that look at no text (query.IsFilter:
// site:, lang:, after:, before:, tag:… alone, combined or negated). The
// words choose what is counted, the filters among which articles: the
// share of "flood site:a.example" is of a.example's articles, and one of
// "flood after:2024-06-15" is of the articles within those dates (taken
// of every article, it was 0 in the periods the dates leave out and too
// small in one they cut in two). A conjunct that mixes words and
// filters (an OR of both, say) bounds no share.
func population(q *query.Query) *query.Query {
	if q == nil {
		return &query.Query{}
	}
	var nodes []query.Node
	for _, n := range q.Conjuncts() {
		if query.IsFilter(n) {
			nodes = append(nodes, n)
		}
	}
	switch len(nodes) {
	case 0:
		return &query.Query{}
	case 1:
		return &query.Query{Root: nodes[0]}
	}
	return &query.Query{Root: &query.And{Nodes: nodes}}
}

// CompareQueries checks the queries of a comparison, the main one first:
// at most MaxCompare, none empty, none twice (repeats are dropped: a
// query written another way, with other spaces or brackets or a sort:,
// is a repeat). Its errors are the caller's to present.
func CompareQueries(queries []TimelineQuery) ([]TimelineQuery, error) {
	if len(queries) <= 1 {
		return queries, nil
	}
	var out []TimelineQuery
	seen := map[string]bool{}
	for _, q := range queries {
		raw := strings.TrimSpace(q.Raw)
		if raw == "" || q.Q == nil || q.Q.Root == nil {
			return nil, errors.New("an empty query in a comparison would count every article (--share, or share=true in the API, gives each query's share of all articles instead)")
		}
		same := q.Q.Root.String() // a sort: does not change what is counted
		if seen[same] {
			continue
		}
		seen[same] = true
		q.Raw = raw
		out = append(out, q)
	}
	if len(out) > MaxCompare {
		return nil, fmt.Errorf("%d queries to compare, at most %d can be", len(out), MaxCompare)
	}
	return out, nil
}

func timelineParams(v url.Values) (store.TimelineOptions, error) {
	by, err := oneOf(v, "by", "day", "day", "week", "month")
	if err != nil {
		return store.TimelineOptions{}, err
	}
	split, err := oneOf(v, "split", "", "site", "none")
	if err != nil {
		return store.TimelineOptions{}, err
	}
	opts := store.TimelineOptions{By: store.Interval(by)}
	if split == "site" {
		opts.Split = store.TopSite
	}
	if opts.Collapse, err = boolParam(v, "collapse", false); err != nil {
		return store.TimelineOptions{}, err
	}
	return opts, nil
}

// timelineQueries reads q and the compare parameters (repeated, one
// query each; empty ones, the page's spare box, are skipped) of a
// timeline request. A comparison that cannot be made is a *compareError.
func timelineQueries(v url.Values) ([]TimelineQuery, error) {
	q, raw, err := parseQuery(v)
	if err != nil {
		return nil, err
	}
	queries := []TimelineQuery{{Raw: raw, Q: q}}
	for _, c := range v["compare"] {
		if strings.TrimSpace(c) == "" {
			continue
		}
		if len(c) > maxQueryLen {
			return nil, badRequest("compare query longer than %d bytes", maxQueryLen)
		}
		cq, err := store.ParseQuery(c)
		if err != nil {
			return nil, &compareError{Raw: c, Err: err}
		}
		queries = append(queries, TimelineQuery{Raw: c, Q: cq})
	}
	if queries, err = CompareQueries(queries); err != nil {
		return nil, &compareError{Err: err}
	}
	return queries, nil
}

func (s *Server) apiTimeline(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	queries, err := timelineQueries(v)
	var ce *compareError
	var qe *query.Error
	switch {
	case errors.As(err, &ce) && errors.As(ce.Err, &qe):
		return badRequest("parameter compare=%q: %s at column %d", ce.Raw, qe.Msg, qe.Column())
	case errors.As(err, &ce) && ce.Raw == "":
		return badRequest("%v", ce.Err)
	case err != nil:
		return err
	}
	opts, err := timelineParams(v)
	if err != nil {
		return err
	}
	share, err := boolParam(v, "share", false)
	if err != nil {
		return err
	}
	format, err := oneOf(v, "format", "json", "json", "csv")
	if err != nil {
		return err
	}
	out, err := NewTimelineResponse(r.Context(), s.st, queries, opts, share)
	if err != nil {
		return err
	}
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="herald-timeline.csv"`)
		return export.WriteTimelineCSV(w, out.Buckets, out.Share)
	}
	return writeJSON(w, http.StatusOK, out)
}

// TopResponse is the body of GET /api/top, and what herald top --json
// prints.
type TopResponse struct {
	Query  string         `json:"query"`
	Field  store.TopField `json:"field"`
	Counts []store.Count  `json:"counts"`
}

// NewTopResponse is the response to the query raw: counts by field (an
// empty list, not null, when there are none).
func NewTopResponse(raw string, field store.TopField, counts []store.Count) TopResponse {
	if counts == nil {
		counts = []store.Count{}
	}
	return TopResponse{Query: raw, Field: field, Counts: counts}
}

func (s *Server) apiTop(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	q, raw, err := parseQuery(v)
	if err != nil {
		return err
	}
	fields := make([]string, len(store.TopFields))
	for i, f := range store.TopFields {
		fields[i] = string(f)
	}
	field, err := oneOf(v, "field", "", fields...)
	if err != nil {
		return err
	}
	if field == "" {
		return badRequest("parameter field is required: %s", store.TopFieldList())
	}
	n, err := intParam(v, "n", 10, 1, maxTop)
	if err != nil {
		return err
	}
	counts, err := s.st.Top(r.Context(), q, store.TopField(field), n)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, NewTopResponse(raw, store.TopField(field), counts))
}

// StoriesResponse is the body of GET /api/stories, and what herald
// stories --json prints.
type StoriesResponse struct {
	Query   string        `json:"query"`
	Stories []store.Story `json:"stories"`
}

// NewStoriesResponse is the response to the query raw (an empty list,
// not null, when there are no stories).
func NewStoriesResponse(raw string, stories []store.Story) StoriesResponse {
	if stories == nil {
		stories = []store.Story{}
	}
	return StoriesResponse{Query: raw, Stories: stories}
}

// topStories lists the stories of q, when the archive can.
func topStories(ctx context.Context, st store.Store, q *query.Query, n int) ([]store.Story, error) {
	sl, ok := st.(store.StoryLister)
	if !ok {
		return nil, fmt.Errorf("%w: this archive cannot list stories", errNotImplemented)
	}
	return sl.TopStories(ctx, q, n)
}

func (s *Server) apiStories(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	q, raw, err := parseQuery(v)
	if err != nil {
		return err
	}
	n, err := intParam(v, "n", 10, 1, maxTop)
	if err != nil {
		return err
	}
	format, err := oneOf(v, "format", "json", "json", "csv")
	if err != nil {
		return err
	}
	stories, err := topStories(r.Context(), s.st, q, n)
	if err != nil {
		return err
	}
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="herald-stories.csv"`)
		return export.WriteStoriesCSV(w, stories)
	}
	return writeJSON(w, http.StatusOK, NewStoriesResponse(raw, stories))
}

// statsResponse is the body of GET /api/stats.
type statsResponse struct {
	*store.Stats
	// Frontier counts the harvester's queue by state.
	Frontier map[store.FrontierState]int `json:"frontier"`
}

func (s *Server) apiStats(w http.ResponseWriter, r *http.Request) error {
	st, err := s.st.Stats(r.Context())
	if err != nil {
		return err
	}
	fc, err := s.st.FrontierCounts(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, statsResponse{Stats: st, Frontier: fc})
}

func (s *Server) apiHealth(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
