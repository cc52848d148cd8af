package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// Error is what a handler reports to the client: an HTTP status, a stable
// machine-readable code, a message for people and, for a malformed query,
// the column where the problem is. The JSON API writes it as
//
//	{"error": {"code": "bad_query", "message": "...", "position": 7}}
//
// and the pages show Message. Codes are part of the API (docs/api.md).
type Error struct {
	Status  int
	Code    string
	Message string
	// Position is the 1-based character column of a query error, 0 when
	// the error is not about a position.
	Position int
	// Err is the cause, logged for 5xx errors and never shown.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Sentinels of this package, mapped to statuses by errorTable.
var (
	// errReadOnly: a write while no admin token is configured.
	errReadOnly = errors.New("the server is read-only: start it with an admin token to allow changes")
	// errUnauthorized: a write without the right admin token.
	errUnauthorized = errors.New("this needs the admin token (Authorization: Bearer <token>)")
	// errForbidden: a form post that is cross-site or lacks its CSRF token.
	errForbidden = errors.New("request refused: reload the page and try again")
	// errURLRefused: a submitted URL points at a private or unresolvable
	// address (see guard.go).
	errURLRefused = errors.New("url refused")
	// errNotImplemented: an endpoint this server was not set up for
	// (starting a harvest without Options.Harvests).
	errNotImplemented = errors.New("not implemented")
	// errUnsupportedMedia: a write body that is not JSON.
	errUnsupportedMedia = errors.New("unsupported media type")
	// errBusy: the server could not start the request in time, or too
	// many exports are running.
	errBusy = errors.New("server busy, try again")
)

// badRequest returns a 400 error about a request parameter or body.
func badRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "bad_request", Message: fmt.Sprintf(format, args...)}
}

// notFound returns a 404 error with message msg.
func notFound(msg string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "not_found", Message: msg}
}

// errorTable maps the errors handlers return to statuses and codes; the
// first matching row wins. It is the only place that decides a status from
// an error: anything unmatched is a 500 whose cause is logged, never shown.
var errorTable = []struct {
	is     func(error) bool
	status int
	code   string
	// message says what to show; nil shows the status text, because
	// the error's own text is internal (paths, SQL).
	message func(error) string
}{
	{isType[*query.Error], http.StatusBadRequest, "bad_query", queryMessage},
	{isType[*http.MaxBytesError], http.StatusRequestEntityTooLarge, "too_large", tooLargeMessage},
	{is(store.ErrInvalid), http.StatusBadRequest, "invalid", errorText},
	{is(store.ErrNotFound), http.StatusNotFound, "not_found", nil},
	{is(store.ErrConflict), http.StatusConflict, "conflict", errorText},
	{is(errReadOnly), http.StatusForbidden, "read_only", errorText},
	{is(errUnauthorized), http.StatusUnauthorized, "unauthorized", errorText},
	{is(errForbidden), http.StatusForbidden, "forbidden", errorText},
	{is(errURLRefused), http.StatusUnprocessableEntity, "url_refused", errorText},
	{is(errUnsupportedMedia), http.StatusUnsupportedMediaType, "unsupported_media_type", errorText},
	{is(errNotImplemented), http.StatusNotImplemented, "not_implemented", errorText},
	{is(errBusy), http.StatusServiceUnavailable, "busy", errorText},
	{isType[*store.BusyError], http.StatusServiceUnavailable, "busy", archiveBusyMessage},
	{is(context.DeadlineExceeded), http.StatusServiceUnavailable, "timeout", timeoutMessage},
}

func is(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func isType[T error](err error) bool {
	var t T
	return errors.As(err, &t)
}

func errorText(err error) string { return err.Error() }

// archiveBusyMessage is the store's busy error, which names what holds the
// archive, without the context wrapped around it (which may name files).
func archiveBusyMessage(err error) string {
	var be *store.BusyError
	errors.As(err, &be)
	return be.Error()
}

func timeoutMessage(error) string { return "the request took too long; try a narrower query" }

// queryMessage is the parser's own message ("unterminated quote at
// column 7"), without the context the store wraps around it.
func queryMessage(err error) string {
	var qe *query.Error
	errors.As(err, &qe)
	return qe.Error()
}

func tooLargeMessage(err error) string {
	var mbe *http.MaxBytesError
	errors.As(err, &mbe)
	return fmt.Sprintf("request body larger than %d bytes", mbe.Limit)
}

// toError turns any handler error into an *Error using errorTable.
func toError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	for _, row := range errorTable {
		if !row.is(err) {
			continue
		}
		e := &Error{Status: row.status, Code: row.code, Message: http.StatusText(row.status), Err: err}
		if row.message != nil {
			e.Message = row.message(err)
		}
		var qe *query.Error
		if errors.As(err, &qe) {
			e.Position = qe.Column()
		}
		return e
	}
	return &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal server error", Err: err}
}

// errorBody is the JSON shape of every API error.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	Position int    `json:"position,omitempty"`
}
