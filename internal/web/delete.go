package web

import (
	"net/http"
	"strings"

	"github.com/herald-archive/herald/internal/archive"
)

// apiDeleteArticle deletes an article for good, as herald delete --id
// does: DELETE /api/articles/{id}, with ?withhold=true (and reason=) to
// keep it out of later harvests and imports (a takedown).
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
	_, err = archive.Delete(r.Context(), s.st, nil, []string{r.PathValue("id")},
		archive.DeleteOptions{Withhold: withhold, Reason: reason})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// formDeleteArticle is the article page's admin form: it deletes the
// article (withholding it when asked) and shows the sources page, the
// admin's page, with a confirmation.
func (s *Server) formDeleteArticle(w http.ResponseWriter, r *http.Request) error {
	if err := s.authorizeForm(w, r); err != nil {
		return err
	}
	// Read as the API reads them (withhold=1 is true, withhold=yes a 400).
	withhold, err := boolParam(r.PostForm, "withhold", false)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	if !withhold {
		reason = "" // typed, then the box left unticked: nothing to keep it with
	}
	_, err = archive.Delete(r.Context(), s.st, nil, []string{r.PathValue("id")},
		archive.DeleteOptions{Withhold: withhold, Reason: reason})
	if err != nil {
		return err
	}
	done := "deleted"
	if withhold {
		done = "withheld"
	}
	http.Redirect(w, r, "/sources?done="+done, http.StatusSeeOther)
	return nil
}
