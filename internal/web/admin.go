package web

import (
	"crypto/subtle"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/harvest"
)

// The sources page and its admin forms. Browsers cannot send a bearer
// token with a form, so an admin signs in once with the token: the server
// sets an HttpOnly, SameSite=Strict cookie holding an expiry time and an
// HMAC of it keyed by the token (never the token), so sessions end on
// time and all end when the token changes. Every admin form also carries
// a CSRF field (an HMAC of the session) and must come from this origin.

// sessionCookie is the name of the admin session cookie.
const sessionCookie = "herald_admin"

// sessionTTL is how long a sign-in lasts.
const sessionTTL = 12 * time.Hour

// newSession returns a session cookie value that expires at exp.
func (s *Server) newSession(exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	return e + "." + derive(s.opts.AdminToken, "herald admin session "+e)
}

// session returns r's session cookie value when it is valid and current.
func (s *Server) session(r *http.Request) (string, bool) {
	if s.opts.AdminToken == "" {
		return "", false
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	e, _, _ := strings.Cut(c.Value, ".")
	exp, err := strconv.ParseInt(e, 10, 64)
	if err != nil || time.Now().Unix() >= exp {
		return "", false
	}
	want := s.newSession(time.Unix(exp, 0))
	if subtle.ConstantTimeCompare([]byte(c.Value), []byte(want)) != 1 {
		return "", false
	}
	return c.Value, true
}

// csrfFor is the CSRF field of the forms of session.
func (s *Server) csrfFor(session string) string {
	return derive(s.opts.AdminToken, "herald admin csrf "+session)
}

// recentFetches is the length of the fetch log on the sources page.
const recentFetches = 50

// sourcesData is the sources page.
type sourcesData struct {
	Sources []*sourceView
	Fetches []*fetchView
	// TokenSet says whether the server accepts writes at all; SignedIn
	// whether this browser may make them.
	TokenSet, SignedIn bool
	CSRF               string
	// Done is the confirmation of the last action; Error its failure.
	Done, Error string
	// Form keeps what was typed when adding a source failed.
	FormURL, FormKind, FormInterval string
	// HarvestsEnabled says whether the server runs harvests started here;
	// Jobs are the ones it remembers, newest first; FormHarvest keeps the
	// URLs typed when starting one failed.
	HarvestsEnabled bool
	Jobs            []jobView
	FormHarvest     string
}

// doneMessages are the confirmations a redirect may ask for; the page
// shows only these, never text from the URL.
var doneMessages = map[string]string{
	"added":                "Source added.",
	"paused":               "Source paused.",
	"resumed":              "Source resumed.",
	"removed":              "Source removed.",
	"signed-in":            "Signed in: admin actions are available.",
	"signed-out":           "Signed out.",
	"harvest-queued":       "Harvest queued: it runs in the background; this list shows how it went.",
	"deleted":              "Article deleted.",
	"withheld":             "Article deleted and withheld: harvests and imports will not archive it again (herald withheld).",
	"deleted-erased":       "Article deleted and its raw captures erased.",
	"withheld-erased":      "Article deleted and withheld, its raw captures erased: harvests and imports will not archive it again (herald withheld).",
	"deleted-erased-left":  "Article deleted and the raw captures harvests wrote erased; " + leftNote,
	"withheld-erased-left": "Article deleted and withheld, the raw captures harvests wrote erased; " + leftNote,
}

// leftNote ends the confirmation of a delete that left captures.
const leftNote = "a capture in a WARC file that was imported (herald import warc) is left as it is: that file is not the archive's to rewrite."

func (s *Server) sourcesPage(w http.ResponseWriter, r *http.Request) error {
	done, err := value(r.URL.Query(), "done")
	if err != nil {
		return err
	}
	return s.renderSources(w, r, http.StatusOK, &sourcesData{Done: doneMessages[done]})
}

// renderSources fills in the lists and the admin state and renders.
func (s *Server) renderSources(w http.ResponseWriter, r *http.Request, status int, d *sourcesData) error {
	var err error
	if d.Sources, err = sourceViews(r.Context(), s.st); err != nil {
		return err
	}
	if d.Fetches, err = s.fetchViews(r.Context(), 0, recentFetches); err != nil {
		return err
	}
	d.TokenSet = s.opts.AdminToken != ""
	d.HarvestsEnabled = s.opts.Harvests != nil
	d.Jobs = s.jobViews()
	if session, ok := s.session(r); ok {
		d.SignedIn, d.CSRF = true, s.csrfFor(session)
	}
	if d.FormKind == "" {
		d.FormKind = "feed"
	}
	return renderTo(w, status, s.pages.sources, layoutData{Title: "Sources", Active: "sources", Content: d})
}

// sameOrigin refuses cross-site form posts: browsers send Origin (and
// Sec-Fetch-Site) with every POST. Our own pages say Referrer-Policy:
// no-referrer, under which Chromium sends "Origin: null" even for a form
// on the same page; then Sec-Fetch-Site, which no page script can set,
// decides: only same-origin passes (a sandboxed frame elsewhere sends
// cross-site).
func sameOrigin(r *http.Request) bool {
	site := r.Header.Get("Sec-Fetch-Site")
	if site != "" && site != "same-origin" && site != "none" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "null" {
		return site == "same-origin"
	}
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

// parseForm reads a form body of at most maxBody bytes. Every field of
// the forms takes one value: a field given twice is a 400 that names it,
// as a repeated query parameter is (see value), not its first value used.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		if isType[*http.MaxBytesError](err) {
			return err
		}
		return badRequest("form: %v", err)
	}
	for _, name := range slices.Sorted(maps.Keys(r.PostForm)) {
		if n := len(r.PostForm[name]); n > 1 {
			return badRequest("form field %s is given %d times: give it once", name, n)
		}
	}
	return nil
}

// authorizeForm checks an admin form: writes enabled, same origin, signed
// in, CSRF field right.
func (s *Server) authorizeForm(w http.ResponseWriter, r *http.Request) error {
	if s.opts.AdminToken == "" {
		return errReadOnly
	}
	if !sameOrigin(r) {
		return errForbidden
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	session, ok := s.session(r)
	if !ok {
		return fmt.Errorf("%w: sign in on the sources page first", errUnauthorized)
	}
	if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(s.csrfFor(session))) != 1 {
		return errForbidden
	}
	return nil
}

// formFailed shows a failed admin action on the sources page with the
// status the error table gives; errors that are the server's fault go to
// the error page instead.
func (s *Server) formFailed(w http.ResponseWriter, r *http.Request, err error, d *sourcesData) error {
	e := toError(err)
	if e.Status >= 500 {
		return err
	}
	d.Error = e.Message
	return s.renderSources(w, r, e.Status, d)
}

func (s *Server) formLogin(w http.ResponseWriter, r *http.Request) error {
	if s.opts.AdminToken == "" {
		return s.formFailed(w, r, errReadOnly, &sourcesData{})
	}
	if !sameOrigin(r) {
		return s.formFailed(w, r, errForbidden, &sourcesData{})
	}
	if err := parseForm(w, r); err != nil {
		return s.formFailed(w, r, err, &sourcesData{})
	}
	if !s.tokenMatches(r.PostForm.Get("token")) {
		return s.formFailed(w, r, &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "Wrong admin token."}, &sourcesData{})
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.newSession(time.Now().Add(sessionTTL)), Path: "/",
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: int(sessionTTL.Seconds())})
	http.Redirect(w, r, "/sources?done=signed-in", http.StatusSeeOther)
	return nil
}

func (s *Server) formLogout(w http.ResponseWriter, r *http.Request) error {
	if err := s.authorizeForm(w, r); err != nil {
		return s.formFailed(w, r, err, &sourcesData{})
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.Redirect(w, r, "/sources?done=signed-out", http.StatusSeeOther)
	return nil
}

func (s *Server) formAddSource(w http.ResponseWriter, r *http.Request) error {
	d := &sourcesData{}
	if err := s.authorizeForm(w, r); err != nil {
		return s.formFailed(w, r, err, d)
	}
	f := r.PostForm
	d.FormURL, d.FormKind, d.FormInterval = f.Get("url"), f.Get("kind"), f.Get("interval")
	ns := newSource{URL: f.Get("url"), Kind: f.Get("kind")}
	if iv := strings.TrimSpace(f.Get("interval")); iv != "" {
		minutes, err := strconv.ParseInt(iv, 10, 64)
		lo, hi := int64(harvest.MinSourceInterval/time.Minute), int64(harvest.MaxSourceInterval/time.Minute)
		if err != nil || minutes != 0 && (minutes < lo || minutes > hi) {
			// Checked before the conversion to seconds, which
			// would wrap around for huge values.
			return s.formFailed(w, r, badRequest("interval %q: want a whole number of minutes, 0 (the default) or %d to %d", iv, lo, hi), d)
		}
		ns.IntervalSeconds = minutes * 60
	}
	if _, err := s.addSource(r.Context(), ns); err != nil {
		return s.formFailed(w, r, err, d)
	}
	http.Redirect(w, r, "/sources?done=added", http.StatusSeeOther)
	return nil
}

// formSourceAction handles the pause, resume and remove buttons.
func (s *Server) formSourceAction(w http.ResponseWriter, r *http.Request) error {
	d := &sourcesData{}
	if err := s.authorizeForm(w, r); err != nil {
		return s.formFailed(w, r, err, d)
	}
	id, err := sourceID(r)
	if err != nil {
		return s.formFailed(w, r, err, d)
	}
	var done string
	switch r.PathValue("action") {
	case "pause":
		_, err = s.setPaused(r.Context(), id, true)
		done = "paused"
	case "resume":
		_, err = s.setPaused(r.Context(), id, false)
		done = "resumed"
	case "remove":
		err = s.st.RemoveSource(r.Context(), id)
		done = "removed"
	default:
		return notFound("no such source action")
	}
	if err != nil {
		return s.formFailed(w, r, err, d)
	}
	http.Redirect(w, r, "/sources?done="+done, http.StatusSeeOther)
	return nil
}
