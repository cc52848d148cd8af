package web

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/harvest"
	"github.com/herald-archive/herald/internal/store"
)

// sourceView is a source as the API shows it, with its health.
type sourceView struct {
	ID   int64  `json:"id"`
	URL  string `json:"url"`
	Kind string `json:"kind"`
	// IntervalSeconds is the re-poll interval; 0 means the harvester's
	// default.
	IntervalSeconds int64     `json:"interval_seconds"`
	Paused          bool      `json:"paused"`
	Added           time.Time `json:"added"`
	LastPolled      time.Time `json:"last_polled,omitzero"`
	NextPoll        time.Time `json:"next_poll,omitzero"`
	LastError       string    `json:"last_error,omitempty"`
	Health          health    `json:"health"`
}

// health summarises how a source is doing.
type health struct {
	// Status is "paused", "new" (never polled), "failing" (the last poll
	// failed: see the source's last_error) or "ok".
	Status string `json:"status"`
	// Articles counts archived articles on the source's host (the
	// archive files articles by site, not by source).
	Articles int `json:"articles"`
	// LastFetch is the newest fetch log entry of the source.
	LastFetch *fetchView `json:"last_fetch,omitempty"`
}

// fetchView is a fetch log entry as the API shows it.
type fetchView struct {
	ID         int64     `json:"id"`
	SourceID   int64     `json:"source_id,omitempty"`
	URL        string    `json:"url"`
	At         time.Time `json:"at"`
	Status     int       `json:"status,omitempty"`
	DurationMS int64     `json:"duration_ms"`
	Bytes      int64     `json:"bytes"`
	Error      string    `json:"error,omitempty"`
	ArticleID  string    `json:"article_id,omitempty"`
}

func viewFetch(f *store.Fetch) *fetchView {
	return &fetchView{ID: f.ID, SourceID: f.SourceID, URL: f.URL, At: f.At, Status: f.Status,
		DurationMS: f.Duration.Milliseconds(), Bytes: f.Bytes, Error: f.Error, ArticleID: f.ArticleID}
}

// viewSource builds the view of src: its newest fetch and the article
// count of its host (harvest.SourceArticles).
func viewSource(ctx context.Context, st store.Store, src *store.Source) (*sourceView, error) {
	v := &sourceView{ID: src.ID, URL: src.URL, Kind: src.Kind, IntervalSeconds: int64(src.Interval / time.Second),
		Paused: src.Paused, Added: src.Added, LastPolled: src.LastPolled, NextPoll: src.NextPoll, LastError: src.LastError}
	fs, err := st.Fetches(ctx, src.ID, 1)
	if err != nil {
		return nil, err
	}
	if len(fs) > 0 {
		v.Health.LastFetch = viewFetch(fs[0])
	}
	if v.Health.Articles, _, err = harvest.SourceArticles(ctx, st, src); err != nil {
		return nil, err
	}
	switch {
	case src.Paused:
		v.Health.Status = "paused"
	case src.LastError != "":
		v.Health.Status = "failing"
	case src.LastPolled.IsZero() && v.Health.LastFetch == nil:
		v.Health.Status = "new"
	default:
		v.Health.Status = "ok"
	}
	return v, nil
}

func sourceViews(ctx context.Context, st store.Store) ([]*sourceView, error) {
	srcs, err := st.ListSources(ctx)
	if err != nil {
		return nil, err
	}
	out := []*sourceView{}
	for _, src := range srcs {
		v, err := viewSource(ctx, st, src)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// SourceList is the body of GET /api/sources for the archive st: every
// source with its health, as herald source list --json prints it.
func SourceList(ctx context.Context, st store.Store) (any, error) {
	views, err := sourceViews(ctx, st)
	if err != nil {
		return nil, err
	}
	return map[string]any{"sources": views}, nil
}

func (s *Server) apiSources(w http.ResponseWriter, r *http.Request) error {
	body, err := SourceList(r.Context(), s.st)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, body)
}

// sourceID reads the {id} path value.
func sourceID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("source id %q: want a positive whole number", r.PathValue("id"))
	}
	return id, nil
}

// sourceDetail is the body of GET /api/sources/{id}.
type sourceDetail struct {
	*sourceView
	// Fetches are the newest fetch log entries of the source.
	Fetches []*fetchView `json:"fetches"`
}

func (s *Server) apiSource(w http.ResponseWriter, r *http.Request) error {
	id, err := sourceID(r)
	if err != nil {
		return err
	}
	limit, err := intParam(r.URL.Query(), "limit", 50, 1, maxFetches)
	if err != nil {
		return err
	}
	src, err := s.st.Source(r.Context(), id)
	if err != nil {
		return err
	}
	v, err := viewSource(r.Context(), s.st, src)
	if err != nil {
		return err
	}
	fetches, err := s.fetchViews(r.Context(), id, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sourceDetail{sourceView: v, Fetches: fetches})
}

func (s *Server) fetchViews(ctx context.Context, sourceID int64, limit int) ([]*fetchView, error) {
	fs, err := s.st.Fetches(ctx, sourceID, limit)
	if err != nil {
		return nil, err
	}
	out := []*fetchView{}
	for _, f := range fs {
		out = append(out, viewFetch(f))
	}
	return out, nil
}

func (s *Server) apiFetches(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	limit, err := intParam(v, "limit", 50, 1, maxFetches)
	if err != nil {
		return err
	}
	src, err := intParam(v, "source", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	fetches, err := s.fetchViews(r.Context(), int64(src), limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"fetches": fetches})
}

// newSource is the body of POST /api/sources.
type newSource struct {
	URL  string `json:"url"`
	Kind string `json:"kind"`
	// IntervalSeconds is the re-poll interval; 0 means the default.
	IntervalSeconds int64 `json:"interval_seconds"`
	Paused          bool  `json:"paused"`
}

// addSource checks and stores a new source.
func (s *Server) addSource(ctx context.Context, ns newSource) (*store.Source, error) {
	kind := strings.ToLower(strings.TrimSpace(ns.Kind))
	switch kind {
	case store.KindFeed, store.KindSitemap, store.KindSite, store.KindList:
	case "":
		kind = store.KindFeed
	default:
		return nil, badRequest("kind %q: want feed, sitemap, site or list", ns.Kind)
	}
	// The range is checked in seconds, before the conversion to a
	// Duration, which would wrap around for huge values.
	lo, hi := int64(harvest.MinSourceInterval/time.Second), int64(harvest.MaxSourceInterval/time.Second)
	if ns.IntervalSeconds != 0 && (ns.IntervalSeconds < lo || ns.IntervalSeconds > hi) {
		return nil, badRequest("interval_seconds %d: want 0 (the default) or %d to %d", ns.IntervalSeconds, lo, hi)
	}
	interval := time.Duration(ns.IntervalSeconds) * time.Second
	u, err := s.checkSubmittedURL(ctx, ns.URL)
	if err != nil {
		return nil, err
	}
	if err := harvest.CheckNewSource(ctx, s.st, u); err != nil {
		return nil, err
	}
	src := &store.Source{URL: u, Kind: kind, Interval: interval, Paused: ns.Paused}
	if err := s.st.AddSource(ctx, src); err != nil {
		return nil, err
	}
	return src, nil
}

func (s *Server) apiAddSource(w http.ResponseWriter, r *http.Request) error {
	if err := s.authorizeAPI(r); err != nil {
		return err
	}
	var ns newSource
	if err := decodeJSON(w, r, &ns); err != nil {
		return err
	}
	src, err := s.addSource(r.Context(), ns)
	if err != nil {
		return err
	}
	v, err := viewSource(r.Context(), s.st, src)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/sources/%d", src.ID))
	return writeJSON(w, http.StatusCreated, v)
}

// setPaused pauses or resumes source id.
func (s *Server) setPaused(ctx context.Context, id int64, paused bool) (*store.Source, error) {
	src, err := s.st.Source(ctx, id)
	if err != nil {
		return nil, err
	}
	src.Paused = paused
	if err := s.st.UpdateSource(ctx, src); err != nil {
		return nil, err
	}
	return src, nil
}

func (s *Server) apiPauseSource(w http.ResponseWriter, r *http.Request) error {
	return s.apiSetPaused(w, r, true)
}

func (s *Server) apiResumeSource(w http.ResponseWriter, r *http.Request) error {
	return s.apiSetPaused(w, r, false)
}

func (s *Server) apiSetPaused(w http.ResponseWriter, r *http.Request, paused bool) error {
	if err := s.authorizeAPI(r); err != nil {
		return err
	}
	id, err := sourceID(r)
	if err != nil {
		return err
	}
	src, err := s.setPaused(r.Context(), id, paused)
	if err != nil {
		return err
	}
	v, err := viewSource(r.Context(), s.st, src)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (s *Server) apiRemoveSource(w http.ResponseWriter, r *http.Request) error {
	if err := s.authorizeAPI(r); err != nil {
		return err
	}
	id, err := sourceID(r)
	if err != nil {
		return err
	}
	if err := s.st.RemoveSource(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// authorizeAPI checks the bearer token of a write request.
func (s *Server) authorizeAPI(r *http.Request) error {
	if s.opts.AdminToken == "" {
		return errReadOnly
	}
	auth := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || !s.tokenMatches(strings.TrimSpace(token)) {
		return errUnauthorized
	}
	return nil
}

// tokenMatches compares in constant time (over hashes, so the length of
// the token does not leak either).
func (s *Server) tokenMatches(token string) bool {
	a := sha256.Sum256([]byte(token))
	b := sha256.Sum256([]byte(s.opts.AdminToken))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// decodeJSON reads a JSON body of at most maxBody bytes into v, refusing
// unknown fields and trailing data, and a body not sent as
// application/json (a missing Content-Type included, as docs/api.md says).
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return fmt.Errorf("%w: send the body as application/json (no Content-Type was given)", errUnsupportedMedia)
	}
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return fmt.Errorf("%w: send the body as application/json, not %q", errUnsupportedMedia, ct)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if isType[*http.MaxBytesError](err) {
			return err
		}
		return bodyError(err, v)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if isType[*http.MaxBytesError](err) {
			return err
		}
		return badRequest("request body: want one JSON object")
	}
	return nil
}

// intRange returns the smallest and largest value of an integer type t,
// spelt in decimal, and false for another type.
func intRange(t reflect.Type) (lo, hi string, ok bool) {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b := uint(t.Bits())
		return strconv.FormatInt(-1<<(b-1), 10), strconv.FormatInt(1<<(b-1)-1, 10), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "0", strconv.FormatUint(1<<t.Bits()-1, 10), true
	}
	return "", "", false
}

// isWholeLiteral reports whether a JSON number is written as a whole
// number (digits, perhaps a minus sign): one an integer field refuses
// only because it does not fit.
func isWholeLiteral(n string) bool {
	n = strings.TrimPrefix(n, "-")
	return n != "" && strings.Trim(n, "0123456789") == ""
}

// bodyEmpty reports whether r came without a body. A body of unknown
// length (chunked) is read ahead by a byte to find out; r.Body still
// yields all of it.
func bodyEmpty(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return true
	}
	if r.ContentLength > 0 {
		return false
	}
	br := bufio.NewReader(r.Body)
	_, err := br.Peek(1)
	r.Body = struct {
		io.Reader
		io.Closer
	}{br, r.Body}
	return errors.Is(err, io.EOF)
}

// bodyError is the 400 of a JSON body that decodeJSON could not read into
// v (a pointer to a struct), in the API's words rather than Go's: which
// field is wrong and what it wants, where the body stops being JSON, or
// which fields there are.
func bodyError(err error, v any) *Error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		return badRequest("request body: empty; want a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("request body: the JSON ends before it is complete")
	case errors.As(err, &syntaxErr):
		return badRequest("request body: not valid JSON at byte %d", syntaxErr.Offset)
	case errors.As(err, &typeErr):
		got := typeErr.Value // "number 1e30", "string", "array", …
		if typeErr.Field == "" {
			return badRequest("request body: want a JSON object, got %s", JSONGot(got))
		}
		if lo, hi, ok := intRange(typeErr.Type); ok {
			if n, whole := strings.CutPrefix(got, "number "); whole && isWholeLiteral(n) {
				return badRequest("%s: %s is out of range (want a whole number from %s to %s)", typeErr.Field, n, lo, hi)
			}
		}
		return badRequest("%s: want %s, got %s", typeErr.Field, JSONWant(typeErr.Type), JSONGot(got))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return badRequest("unknown field %s: want %s", name, strings.Join(jsonFields(v), ", "))
	}
	return badRequest("request body: %v", err)
}

// jsonFields lists the JSON names of the fields of the struct v points to.
func jsonFields(v any) []string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var names []string
	if t.Kind() != reflect.Struct {
		return names
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
	}
	return names
}
