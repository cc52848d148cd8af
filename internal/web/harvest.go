package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/herald-archive/herald/internal/harvest/jobs"
)

// maxHarvestURLs bounds the URLs of one POST /api/harvest; a longer list
// belongs in a source of kind list or in herald harvest --urls.
const maxHarvestURLs = 100

// newHarvest is the body of POST /api/harvest.
type newHarvest struct {
	// URLs are feeds, sitemaps or pages to harvest now; none means the
	// sources that are due.
	URLs []string `json:"urls"`
}

// apiHarvest queues a harvest and answers 202 with the job.
func (s *Server) apiHarvest(w http.ResponseWriter, r *http.Request) error {
	if err := s.authorizeAPI(r); err != nil {
		return err
	}
	if s.opts.Harvests == nil {
		return fmt.Errorf("%w: this server does not run harvests; run herald harvest", errNotImplemented)
	}
	var nh newHarvest
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &nh); err != nil {
			return err
		}
	}
	if len(nh.URLs) > maxHarvestURLs {
		return badRequest("%d urls: at most %d in one harvest (add a source of kind list for more)", len(nh.URLs), maxHarvestURLs)
	}
	urls := make([]string, 0, len(nh.URLs))
	for _, raw := range nh.URLs {
		u, err := s.checkSubmittedURL(r.Context(), raw)
		if err != nil {
			return err
		}
		urls = append(urls, u)
	}
	job, err := s.opts.Harvests.Submit(urls)
	switch {
	case errors.Is(err, jobs.ErrQueueFull), errors.Is(err, jobs.ErrClosed):
		return fmt.Errorf("%w: %v", errBusy, err)
	case err != nil:
		return err
	}
	w.Header().Set("Location", "/api/harvest/"+job.ID)
	return writeJSON(w, http.StatusAccepted, job)
}

// apiHarvestJobs lists the harvests started through the API, newest
// first.
func (s *Server) apiHarvestJobs(w http.ResponseWriter, r *http.Request) error {
	list := []jobs.Job{}
	if s.opts.Harvests != nil {
		list = s.opts.Harvests.List()
	}
	return writeJSON(w, http.StatusOK, map[string]any{"enabled": s.opts.Harvests != nil, "jobs": list})
}

// apiHarvestJob returns one harvest started through the API.
func (s *Server) apiHarvestJob(w http.ResponseWriter, r *http.Request) error {
	if s.opts.Harvests != nil {
		if job, ok := s.opts.Harvests.Job(r.PathValue("id")); ok {
			return writeJSON(w, http.StatusOK, job)
		}
	}
	return notFound("no such harvest (the server remembers the last 100 while it runs)")
}
