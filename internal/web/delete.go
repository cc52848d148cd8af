package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/herald-archive/herald/internal/archive"
)

// apiDeleteArticle deletes an article for good, as herald delete --id
// does: DELETE /api/articles/{id}, with ?withhold=true (and reason=) to
// keep it out of later harvests and imports (a takedown), and
// ?erase_captures=true to erase its raw captures from the WARC files
// harvests wrote, which answers with what was erased and left
// (archive.CaptureSummary) instead of 204.
func (s *Server) apiDeleteArticle(w http.ResponseWriter, r *http.Request) error {
	if err := s.authorizeAPI(r); err != nil {
		return err
	}
	q := r.URL.Query()
	withhold, err := boolParam(q, "withhold", false)
	if err != nil {
		return err
	}
	reason, err := value(q, "reason")
	if err != nil {
		return err
	}
	if reason != "" && !withhold {
		return badRequest("reason goes with withhold=true")
	}
	erase, err := boolParam(q, "erase_captures", false)
	if err != nil {
		return err
	}
	sum, err := s.deleteArticle(r.Context(), r.PathValue("id"), withhold, reason, erase)
	if err != nil {
		return err
	}
	if erase {
		return writeJSON(w, http.StatusOK, sum.Captures)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteArticle deletes article id as the API and the form ask.
func (s *Server) deleteArticle(ctx context.Context, id string, withhold bool, reason string, erase bool) (*archive.DeleteSummary, error) {
	if erase && s.opts.CaptureDir == "" {
		return nil, fmt.Errorf("%w: this server has no capture folder to erase captures from", errNotImplemented)
	}
	opts := s.opts.Erasure
	if opts.CaptureBase == "" {
		opts.CaptureBase = s.opts.CaptureDir
	}
	opts.Withhold, opts.Reason, opts.EraseCaptures = withhold, reason, erase
	sum, err := archive.Delete(ctx, s.st, nil, []string{id}, opts)
	if ce := (*archive.CaptureError)(nil); errors.As(err, &ce) {
		s.log.Warn("capture not erased; article not deleted", "id", id, "err", err)
		return nil, &Error{Status: http.StatusConflict, Code: "capture_unerasable", Err: err,
			Message: "a raw capture of the article could not be erased (its WARC file is missing or unreadable where this server looks: --captures); the article was not deleted"}
	}
	return sum, err
}

// formDeleteArticle is the article page's admin form: it deletes the
// article (withholding it, erasing its captures, when asked) and shows
// the sources page, the admin's page, with a confirmation.
func (s *Server) formDeleteArticle(w http.ResponseWriter, r *http.Request) error {
	if err := s.authorizeForm(w, r); err != nil {
		return err
	}
	// Read as the API reads them (withhold=1 is true, withhold=yes a 400).
	withhold, err := boolParam(r.PostForm, "withhold", false)
	if err != nil {
		return err
	}
	erase, err := boolParam(r.PostForm, "erase_captures", false)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	if !withhold {
		reason = "" // typed, then the box left unticked: nothing to keep it with
	}
	sum, err := s.deleteArticle(r.Context(), r.PathValue("id"), withhold, reason, erase)
	if err != nil {
		return err
	}
	done := "deleted"
	if withhold {
		done = "withheld"
	}
	if erase {
		done += "-erased"
		if len(sum.Captures.Left) > 0 {
			done += "-left"
		}
	}
	http.Redirect(w, r, "/sources?done="+done, http.StatusSeeOther)
	return nil
}
