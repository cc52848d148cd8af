package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/herald-archive/herald/internal/export"
	"github.com/herald-archive/herald/internal/store"
)

// deletedResponse is GET /api/deleted's answer.
type deletedResponse struct {
	// Since is the time asked for, by the archive's clock.
	Since time.Time `json:"since"`
	// Deleted are the articles deleted at or after Since, oldest first.
	Deleted []store.Deletion `json:"deleted"`
	// RecordedFrom is when the archive began recording deletions: those
	// before are not known.
	RecordedFrom time.Time `json:"recorded_from"`
	// Complete is false when Since is before RecordedFrom.
	Complete bool `json:"complete"`
	// NextSince is the since of the next request (export.NextSince).
	NextSince string `json:"next_since"`
}

// apiDeleted lists the articles deleted since a time (herald deleted),
// for copies kept up to date by deltas (GET /api/export?changed_since=).
func (s *Server) apiDeleted(w http.ResponseWriter, r *http.Request) error {
	raw, err := value(r.URL.Query(), "since")
	if err != nil {
		return err
	}
	if raw == "" {
		return badRequest("give since: a time (2026-12-01T06:00:00Z), a day (2026-12-01) or a time ago (36h, 7d)")
	}
	ds, ok := s.st.(store.DeletionScanner)
	cs, ok2 := s.st.(store.ChangeScanner)
	if !ok || !ok2 {
		return fmt.Errorf("%w: this archive backend does not record the articles it deletes", store.ErrInvalid)
	}
	ctx := r.Context()
	start, err := cs.ChangeClock(ctx)
	if err != nil {
		return err
	}
	since, err := export.ParseSince(raw, start)
	if err != nil {
		return badRequest("since %v", err)
	}
	from, err := ds.DeletionsFrom(ctx)
	if err != nil {
		return err
	}
	res := deletedResponse{Since: since.UTC(), Deleted: []store.Deletion{}, RecordedFrom: from,
		Complete: !since.Before(from), NextSince: export.NextSince(start)}
	if err := ds.ScanDeleted(ctx, since, func(d store.Deletion) error {
		res.Deleted = append(res.Deleted, d)
		return nil
	}); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}
