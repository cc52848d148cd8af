// Package web serves a Herald archive over HTTP: a JSON API under /api/
// for programs and server-rendered HTML pages for people (search with
// highlighted snippets, attention over time as an SVG chart, articles,
// sources and their health), and an Atom feed of any search (feed.go).
//
// The pages need no JavaScript and load nothing from elsewhere: templates
// and the stylesheet are embedded in the binary, and every response
// carries a strict Content-Security-Policy. Everything that came from a
// scraped page (titles, authors, snippets, URLs) is untrusted and goes
// through html/template escaping; links to it are only ever http or https.
//
// The server is read-only unless Options.AdminToken is set. Writes (adding,
// pausing, resuming and removing sources) then need the token: as
// "Authorization: Bearer <token>" on the API, or a signed-in session
// cookie plus a CSRF field on the pages' forms. Source URLs submitted
// either way pass a private-address guard (guard.go).
//
// Handlers return errors; one table (errors.go) maps them to HTTP statuses
// and to the stable JSON error shape documented in docs/api.md. The
// package does not open archives, read flags or listen on its own: the
// caller passes a store.Store and serves the handler (Run does it with
// timeouts and graceful shutdown). It never writes articles.
package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/harvest/jobs"
	"github.com/herald-archive/herald/internal/store"
)

// Options configure a Server. The zero value serves a read-only archive
// and discards logs.
type Options struct {
	// AdminToken, when not empty, enables the write endpoints for clients
	// that present it. Empty means read-only: writes answer 403.
	AdminToken string
	// AllowPrivate lets submitted source URLs point at loopback, private
	// and other non-public addresses (local tests and demos).
	AllowPrivate bool
	// Logger receives one line per request (Info; Error for 5xx). Nil
	// discards logs.
	Logger *slog.Logger
	// CaptureDir is the folder that relative WARC capture file names in
	// the archive are resolved in, usually the archive's own folder. Empty
	// means raw captures are not served (404), nor exported as WARC.
	CaptureDir string
	// Erasure says where a delete that erases captures (erase_captures)
	// looks for them: its CaptureBase (CaptureDir when empty),
	// CaptureOwner and WARCDirs, as for archive.Delete; each request
	// sets the rest. herald serve sets them as herald delete
	// --erase-captures does. The zero value reads only the folders of the
	// deleted article's captures, for them and the feeds listing it.
	Erasure archive.DeleteOptions
	// ArchiveName names the archive in the warcinfo record of WARC
	// exports (a file's base name, not its path).
	ArchiveName string
	// QueryTimeout bounds the work of one request (exports excepted);
	// zero means DefaultQueryTimeout.
	QueryTimeout time.Duration
	// Resolver looks up the addresses of submitted host names for the
	// private-address guard; nil means net.DefaultResolver.
	Resolver *net.Resolver
	// MaxInFlight is how many requests may work on the archive at once
	// (pages and API, exports apart); others wait their turn, in order,
	// within their QueryTimeout. Zero means 2×GOMAXPROCS, at least 4.
	MaxInFlight int
	// MaxExports is how many exports may stream at once; more are
	// refused with 503. Zero means 2.
	MaxExports int
	// Harvests runs the harvests that admins start with POST
	// /api/harvest; nil means the server starts none (501). The server
	// does not close it.
	Harvests *jobs.Queue
}

// DefaultQueryTimeout is the default Options.QueryTimeout.
const DefaultQueryTimeout = 10 * time.Second

// Server is the HTTP API and web UI of one archive. It implements
// http.Handler and is safe for concurrent use.
type Server struct {
	st      store.Store
	opts    Options
	log     *slog.Logger
	pages   *pageTemplates
	mux     *http.ServeMux
	handler http.Handler
	// work and exports are semaphores: a slot is held while a request
	// works on the archive (see bounded).
	work, exports chan struct{}
}

// New returns the server of archive st. It panics only if the embedded
// templates are broken, which the package tests rule out.
func New(st store.Store, opts Options) *Server {
	if opts.QueryTimeout <= 0 {
		opts.QueryTimeout = DefaultQueryTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Resolver == nil {
		opts.Resolver = net.DefaultResolver
	}
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = max(4, 2*runtime.GOMAXPROCS(0))
	}
	if opts.MaxExports <= 0 {
		opts.MaxExports = 2
	}
	s := &Server{st: st, opts: opts, log: opts.Logger, pages: mustParsePages(), mux: http.NewServeMux(),
		work: make(chan struct{}, opts.MaxInFlight), exports: make(chan struct{}, opts.MaxExports)}
	for _, rt := range s.routes() {
		s.mux.Handle(rt.pattern, rt.handler)
	}
	s.handler = s.recoverPanics(s.logRequests(securityHeaders(s.mux)))
	return s
}

// derive is HMAC-SHA256(secret, purpose) in hex: the admin session and
// CSRF values, which must not reveal the token.
func derive(secret, purpose string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(purpose))
	return fmt.Sprintf("%x", m.Sum(nil))
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// route is one registered pattern. The table in routes is the single list
// of what the server answers; the OpenAPI test checks docs/openapi.yaml
// against it.
type route struct {
	pattern string
	handler http.Handler
}

// routes returns every route the server registers.
func (s *Server) routes() []route {
	return []route{
		// JSON API.
		{"GET /api/search", s.api(s.apiSearch)},
		{"GET /api/articles/{id}", s.api(s.apiArticle)},
		{"DELETE /api/articles/{id}", s.api(s.apiDeleteArticle)},
		{"GET /api/articles/{id}/capture", s.api(s.capture)},
		{"GET /api/timeline", s.api(s.apiTimeline)},
		{"GET /api/top", s.api(s.apiTop)},
		{"GET /api/stories", s.api(s.apiStories)},
		{"GET /api/stats", s.api(s.apiStats)},
		{"GET /api/sources", s.api(s.apiSources)},
		{"POST /api/sources", s.api(s.apiAddSource)},
		{"GET /api/sources/{id}", s.api(s.apiSource)},
		{"DELETE /api/sources/{id}", s.api(s.apiRemoveSource)},
		{"POST /api/sources/{id}/pause", s.api(s.apiPauseSource)},
		{"POST /api/sources/{id}/resume", s.api(s.apiResumeSource)},
		{"GET /api/fetches", s.api(s.apiFetches)},
		{"POST /api/harvest", s.api(s.apiHarvest)},
		{"GET /api/harvest", s.api(s.apiHarvestJobs)},
		{"GET /api/harvest/{id}", s.api(s.apiHarvestJob)},
		{"GET /api/export", s.raw(s.export)},
		{"GET /api/deleted", s.api(s.apiDeleted)},
		{"GET /api/health", s.unbounded(s.apiHealth)},
		{"GET /feed", s.api(s.feed)},
		{"/api/", s.api(s.apiUnknown)},

		// Pages.
		{"GET /{$}", s.page(s.searchPage)},
		{"GET /timeline", s.page(s.timelinePage)},
		{"GET /articles/{id}", s.page(s.articlePage)},
		{"POST /articles/{id}/delete", s.page(s.formDeleteArticle)},
		{"GET /sources", s.page(s.sourcesPage)},
		{"POST /sources", s.page(s.formAddSource)},
		{"POST /sources/{id}/{action}", s.page(s.formSourceAction)},
		{"POST /harvest", s.page(s.formHarvest)},
		{"POST /login", s.page(s.formLogin)},
		{"POST /logout", s.page(s.formLogout)},
		{"GET /static/{file}", staticHandler()},
		{"/", s.page(s.pageUnknown)},
	}
}

// handlerFunc is a handler that reports failure by returning an error,
// which its adapter (api, raw or page) turns into a response.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// api adapts a JSON handler: it bounds the request's time, waits for a
// work slot and writes errors as JSON.
func (s *Server) api(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.bounded(w, r, h); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// page adapts an HTML handler like api, but errors render the error page.
func (s *Server) page(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.bounded(w, r, h); err != nil {
			s.renderError(w, r, err)
		}
	})
}

// unbounded adapts a JSON handler that does not touch the archive (the
// health check), so it answers even when every work slot is taken.
func (s *Server) unbounded(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// wellFormedQuery refuses a query string that does not parse (a bad
// escape such as %ZZ, or a ; between parameters). url.URL.Query drops
// such a pair without a word: q=%ZZ would search for nothing, which is
// every article.
func wellFormedQuery(r *http.Request) error {
	if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
		return badRequest("malformed query string: %v (escape %%, & and ; inside values)", err)
	}
	return nil
}

// raw adapts a streaming handler (export): no time bound, since it may
// run long, and a slot of its own kind; errors before the first byte are
// JSON, later ones abort the response (see export). A raw capture is one
// small record: it is an ordinary request (api), not one of these.
func (s *Server) raw(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := wellFormedQuery(r); err != nil {
			s.writeError(w, r, err)
			return
		}
		select {
		case s.exports <- struct{}{}:
			defer func() { <-s.exports }()
		default:
			w.Header().Set("Retry-After", "10")
			s.writeError(w, r, fmt.Errorf("%w: %d exports are running already", errBusy, s.opts.MaxExports))
			return
		}
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// WriteLockWait is the time a change (POST, DELETE) gets beyond
// Options.QueryTimeout, to wait for the archive's write lock.
const WriteLockWait = 15 * time.Second

// bounded runs h within QueryTimeout (changes: and WriteLockWait) once a
// work slot is free.
//
// The archive's reader pool is small, and a request makes several queries
// in turn; without the slots, fifty concurrent requests would share the
// pool query by query and all finish late together. With them requests
// run whole, in arrival order, and the ones that cannot start within
// their time get a quick 503 instead of a slow one.
func (s *Server) bounded(w http.ResponseWriter, r *http.Request, h handlerFunc) error {
	if err := wellFormedQuery(r); err != nil {
		return err
	}
	limit := s.opts.QueryTimeout
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		// A change may first wait for the archive's write lock, which
		// another process may hold (SQLite waits 10 s): it gets the time
		// to, so that it fails saying so rather than as a slow query.
		limit += WriteLockWait
	}
	ctx, cancel := context.WithTimeout(r.Context(), limit)
	defer cancel()
	select {
	case s.work <- struct{}{}:
		defer func() { <-s.work }()
	case <-ctx.Done():
		w.Header().Set("Retry-After", "1")
		return fmt.Errorf("%w: waited %s for a turn", errBusy, limit)
	}
	return h(w, r.WithContext(ctx))
}

// writeJSON writes v with status code.
func writeJSON(w http.ResponseWriter, code int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_, err := w.Write(buf.Bytes())
	if err != nil {
		return fmt.Errorf("%w: %w", errResponseStarted, err)
	}
	return nil
}

// errResponseStarted marks an error after the status was sent: it can
// only be logged.
var errResponseStarted = errors.New("response already started")

// writeError writes err as the JSON error shape, logging server faults.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if s.started(r, err) {
		return
	}
	e := s.report(r, err)
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="herald"`)
	}
	if e.Status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "10") // an archive busy with another process's write
	}
	_ = writeJSON(w, e.Status, errorBody{errorDetail{Code: e.Code, Message: e.Message, Position: e.Position}}) // the client is gone if this fails
}

// started reports (and logs) an error that came after the response began.
func (s *Server) started(r *http.Request, err error) bool {
	if !errors.Is(err, errResponseStarted) {
		return false
	}
	if r.Context().Err() == nil {
		s.log.Warn("response cut short", "path", r.URL.Path, "err", err)
	}
	return true
}

// report converts err and logs it when it is the server's fault.
func (s *Server) report(r *http.Request, err error) *Error {
	e := toError(err)
	switch {
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		e = &Error{Status: 499, Code: "canceled", Message: "request canceled", Err: err}
	case e.Status >= 500:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", e.Status, "err", err)
	}
	return e
}

// apiUnknown answers paths under /api/ that no route matches, with 405 and
// the allowed methods when the path exists for other methods.
func (s *Server) apiUnknown(w http.ResponseWriter, r *http.Request) error {
	if allow := s.allowed(r, "/api/"); allow != "" {
		w.Header().Set("Allow", allow)
		return &Error{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
			Message: fmt.Sprintf("%s is not allowed here; use %s", r.Method, allow)}
	}
	return notFound("no such API endpoint: " + r.URL.Path)
}

// allowed returns the methods (comma-separated) that some route other than
// the catch-all answers for r's path. HEAD is listed wherever GET is: the
// mux answers it with the GET route (and export with its headers alone).
func (s *Server) allowed(r *http.Request, catchAll string) string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pat := s.mux.Handler(probe); pat != catchAll && pat != "" {
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	return strings.Join(allow, ", ")
}

// securityHeaders sets the headers every response carries. The policy
// allows this origin's stylesheet and images only: no inline script,
// inline style or event handler attribute runs, whatever a page contains.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy is the policy of every page.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// recoverPanics turns a handler panic into a 500 (when nothing was sent
// yet) and a log line: the API's JSON error under /api/, the error page
// elsewhere, as for any other error. http.ErrAbortHandler passes through:
// it is how a streaming handler cuts a response it cannot finish.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			// report logs it, with the panic as the cause.
			err := &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal server error",
				Err: fmt.Errorf("handler panic: %v", v)}
			if strings.HasPrefix(r.URL.Path, "/api/") {
				s.writeError(w, r, err)
			} else {
				s.renderError(w, r, err)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// logRequests logs one line per request.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		level := slog.LevelInfo
		if rec.status >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes),
			slog.Duration("took", time.Since(start)))
	})
}

// statusRecorder remembers the status and size of a response. Unwrap lets
// http.ResponseController reach the connection (flush, deadlines).
type statusRecorder struct {
	http.ResponseWriter
	status  int
	bytes   int64
	written bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.written {
		r.status, r.written = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	r.written = true
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Server timeouts used by Run. WriteTimeout bounds an ordinary response;
// exports push their own deadline forward as they stream.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 60 * time.Second
	IdleTimeout       = 120 * time.Second
	ShutdownTimeout   = 15 * time.Second
)

// Run serves h on ln until ctx is done, then shuts down gracefully: it
// stops accepting and lets requests in flight finish. Those still running
// after four fifths of ShutdownTimeout (a slow export) are cut off: their
// contexts are cancelled, so they stop reading the archive, and their
// connections closed; the rest of ShutdownTimeout is for them to stop and
// for the caller to close the archive. It returns nil after a clean
// shutdown. The caller owns ln only until Run is called.
func Run(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	return run(ctx, ln, h, log, ShutdownTimeout)
}

// run is Run with the shutdown time as a parameter, for tests.
func run(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, shutdown time.Duration) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Requests outlive ctx (they finish during shutdown) until cutOff.
	base, cutOff := context.WithCancel(context.WithoutCancel(ctx))
	defer cutOff()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	wait := shutdown * 4 / 5
	sctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var err error
	if serr := srv.Shutdown(sctx); serr != nil {
		cutOff()
		err = errors.Join(fmt.Errorf("shutdown: requests still running after %s were cut off", wait), srv.Close())
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, fmt.Errorf("serve %s: %w", ln.Addr(), serr))
	}
	return err
}

// renderTo executes a template into memory first, so that a template
// failure becomes a clean 500 instead of half a page.
func renderTo(w http.ResponseWriter, code int, t *template.Template, data any) error {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("render %s: %w", t.Name(), err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	if _, err := io.Copy(w, &buf); err != nil {
		return fmt.Errorf("%w: %w", errResponseStarted, err)
	}
	return nil
}
