package harvest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// CaptureJob names one WARC response record to extract and store: the
// payload of an extract job (herald import warc --nats). It is a
// reference, not the record: jobs stay a few hundred bytes whatever the
// page size (a JetStream message is capped at 1 MiB by default), and the
// WARC file, which workers must be able to read at File, stays the one
// copy of the capture, as the stored record's capture reference says.
type CaptureJob struct {
	File     string `json:"file"`
	Offset   int64  `json:"offset"`
	RecordID string `json:"record_id,omitempty"`
	// Source is written on the record, e.g. "import:CC-NEWS-….warc.gz".
	Source string `json:"source"`
	// Languages, when set, are the only languages to keep
	// (Only.Languages): the worker tells the article's language.
	Languages []string `json:"languages,omitempty"`
}

// ErrUnsplittable: a WARC file compressed as one gzip stream, whose
// records have no offsets to address them by, cannot become capture jobs.
var ErrUnsplittable = errors.New("whole-file gzip WARC: records have no offsets (recompress it with one gzip member per record, or import it without --nats)")

// CaptureJobs reads the WARC stream r of the file at path and calls emit
// with batches of jobs for its HTTP response and resource records that may
// hold articles (2xx, HTML or undeclared types). Everything else is counted in
// the summary as an import would count it; damaged records go to
// opts.Damaged. Only Responses, Skipped, Damaged and Bytes are filled: the
// archive's verdicts come from the workers.
func CaptureJobs(ctx context.Context, r io.Reader, path string, opts ImportOptions, emit func([]CaptureJob) error) (*ImportSummary, error) {
	start := time.Now()
	source := opts.Source
	if source == "" {
		source = "import:warc"
	}
	sum := &ImportSummary{Skipped: map[string]int{}}
	batch := max(opts.BatchSize, 256)
	var jobs []CaptureJob
	flush := func() error {
		if len(jobs) == 0 {
			return nil
		}
		err := emit(jobs)
		jobs = jobs[:0]
		return err
	}
	rd := warc.NewReader(r)
	prevOffset := int64(-1)
	for {
		if err := ctx.Err(); err != nil {
			return sum, fmt.Errorf("import warc: %w", err)
		}
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *warc.RecordError
		if errors.As(err, &re) {
			sum.Damaged++
			if opts.Damaged != nil {
				opts.Damaged(re)
			}
			continue
		}
		if err != nil {
			return sum, fmt.Errorf("import warc: %w", err)
		}
		if rec.Offset == prevOffset {
			return sum, fmt.Errorf("import warc %s: %w", path, ErrUnsplittable)
		}
		prevOffset = rec.Offset
		if ok, skip := warcPage(rec); !ok {
			sum.Skipped[skip]++
			continue
		}
		sum.Responses++
		sum.Bytes += int64(len(rec.Payload))
		if !opts.Only.onSite(rec.TargetURI) {
			sum.Skipped[ReasonOtherSite]++
			continue
		}
		// The page filter warcRecord applies when the job is done.
		if skip := notPage(rec); skip != "" {
			if skip == ReasonUnreadable {
				opts.tellUnreadable(rec)
			}
			sum.Skipped[skip]++
			continue
		}
		if opts.checkDigest(rec) {
			sum.Mismatched++
		}
		jobs = append(jobs, CaptureJob{File: path, Offset: rec.Offset, RecordID: rec.RecordID, Source: source, Languages: opts.Only.Languages})
		if len(jobs) >= batch {
			if err := flush(); err != nil {
				return sum, err
			}
		}
	}
	// A file whose first and only member holds several records was not
	// caught above if it held just one; one record is addressable.
	if err := flush(); err != nil {
		return sum, err
	}
	sum.Duration = archive.Millis(time.Since(start))
	return sum, nil
}

// ProcessCapture reads the record a job names, extracts it and stores the
// article through archive.Ingest. It returns the archive's verdict, or the
// reason the record holds no article (skip, with a nil error). An error
// means the job should be tried again (a storage failure) or cannot be
// done (the file or record is missing, wrapping ErrCaptureMissing).
func ProcessCapture(ctx context.Context, st store.Store, j CaptureJob) (outcome store.Outcome, skip string, err error) {
	wr, err := warc.ReadAt(j.File, j.Offset)
	if err != nil {
		return 0, "", fmt.Errorf("%w: %s@%d: %v", ErrCaptureMissing, j.File, j.Offset, err)
	}
	if j.RecordID != "" && wr.RecordID != j.RecordID {
		return 0, "", fmt.Errorf("%w: %s@%d holds record %s, want %s", ErrCaptureMissing, j.File, j.Offset, wr.RecordID, j.RecordID)
	}
	rec, skip := warcRecord(wr, j.Source, j.File, j.Languages, false)
	if rec == nil {
		return 0, skip, nil
	}
	res, err := archive.Ingest(ctx, st, []*store.Record{rec})
	if err != nil {
		return 0, "", fmt.Errorf("store %s: %w", rec.URL, err)
	}
	if res[0].Err != nil {
		return 0, ReasonBadRecord, nil
	}
	return res[0].Outcome, "", nil
}

// ErrCaptureMissing: a capture job's WARC file or record cannot be read
// where the job says. Retrying does not help.
var ErrCaptureMissing = errors.New("capture not readable")

// CaptureArticleID returns the id of the article that a harvest or an
// import would file the response record wr under (its canonical URL's),
// or "" when wr holds no article (not a 2xx HTML page with text, a soft
// 404). It is archive.DeleteOptions.CaptureOwner: a capture of a deleted
// article's URL is that article's only if its page still names the same
// canonical URL. However short, the page counts (as one a feed listed
// does): a brief the harvest kept because a feed listed it is owned by
// its article, whatever the article rule would say of it alone.
func CaptureArticleID(wr *warc.Record) string {
	rec, _ := warcRecord(wr, "", "", nil, true)
	if rec == nil {
		return ""
	}
	if _, err := archive.Prepare(rec, wr.Date); err != nil {
		return ""
	}
	return rec.ID
}
