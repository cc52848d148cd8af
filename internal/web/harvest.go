package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

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
	if !bodyEmpty(r) {
		if err := decodeJSON(w, r, &nh); err != nil {
			return err
		}
	}
	job, err := s.submitHarvest(r.Context(), nh.URLs)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/harvest/"+job.ID)
	return writeJSON(w, http.StatusAccepted, job)
}

// submitHarvest checks urls like source URLs and queues their harvest.
func (s *Server) submitHarvest(ctx context.Context, raw []string) (jobs.Job, error) {
	if s.opts.Harvests == nil {
		return jobs.Job{}, fmt.Errorf("%w: this server does not run harvests; run herald harvest", errNotImplemented)
	}
	if len(raw) > maxHarvestURLs {
		return jobs.Job{}, badRequest("%d urls: at most %d in one harvest (add a source of kind list for more)", len(raw), maxHarvestURLs)
	}
	urls := make([]string, 0, len(raw))
	for _, r := range raw {
		u, err := s.checkSubmittedURL(ctx, r)
		if err != nil {
			return jobs.Job{}, err
		}
		urls = append(urls, u)
	}
	job, err := s.opts.Harvests.Submit(urls)
	if errors.Is(err, jobs.ErrQueueFull) || errors.Is(err, jobs.ErrClosed) {
		return jobs.Job{}, fmt.Errorf("%w: %v", errBusy, err)
	}
	return job, err
}

// formHarvest handles the "Harvest now" form of the sources page: one URL
// a line, none for the due sources.
func (s *Server) formHarvest(w http.ResponseWriter, r *http.Request) error {
	d := &sourcesData{}
	if err := s.authorizeForm(w, r); err != nil {
		return s.formFailed(w, r, err, d)
	}
	d.FormHarvest = r.PostForm.Get("urls")
	var urls []string
	for _, line := range strings.Split(d.FormHarvest, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			urls = append(urls, line)
		}
	}
	if _, err := s.submitHarvest(r.Context(), urls); err != nil {
		return s.formFailed(w, r, err, d)
	}
	http.Redirect(w, r, "/sources?done=harvest-queued#harvests", http.StatusSeeOther)
	return nil
}

// jobView is a harvest job on the sources page.
type jobView struct {
	jobs.Job
	// More counts the URLs after the first; Stored the articles the
	// finished job stored; Errors its failed fetches and polls.
	More, Stored, Errors int
}

// jobViews returns the remembered harvest jobs for the sources page.
func (s *Server) jobViews() []jobView {
	if s.opts.Harvests == nil {
		return nil
	}
	var out []jobView
	for _, j := range s.opts.Harvests.List() {
		v := jobView{Job: j, More: max(len(j.URLs)-1, 0)}
		if j.Summary != nil {
			v.Stored = j.Summary.New + j.Summary.Updated + j.Summary.Duplicate
			v.Errors = j.Summary.Errors()
		}
		out = append(out, v)
	}
	return out
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
