package archive

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// CaptureSummary is what Delete did to the raw captures of the articles
// it deleted (DeleteOptions.EraseCaptures).
type CaptureSummary struct {
	// Erased counts the captures (of the articles and of their earlier
	// versions) erased from the archive's WARC files, by this run or by
	// an earlier one that stopped before deleting their articles; with
	// DryRun, those that would be.
	Erased int `json:"erased"`
	// Records counts the WARC records overwritten: the captured responses
	// with their request records, the records that refer to them and the
	// redirects that led to them.
	Records int `json:"records"`
	// Files counts the WARC files that held them.
	Files int `json:"files"`
	// Left lists the captures left where they are: in WARC files the
	// user imported (herald import warc), which Herald never rewrites,
	// or in files Herald did not write.
	Left []LeftCapture `json:"left,omitempty"`
}

// LeftCapture is a raw capture Delete did not erase, and why.
type LeftCapture struct {
	// ID is the article's.
	ID string `json:"id"`
	// File and Offset say where the capture is (File as stored, resolved
	// against DeleteOptions.CaptureBase when relative).
	File   string `json:"file"`
	Offset int64  `json:"offset"`
	// Why is "imported" (a WARC file the user imported) or "foreign" (a
	// file that is not one a harvest wrote: see warc.ErrForeignFile).
	Why string `json:"why"`
}

// Why values of LeftCapture.
const (
	LeftImported = "imported"
	LeftForeign  = "foreign"
)

// CaptureError is the error of Delete when a capture of a batch could
// not be erased (its file is missing or unreadable, or the record is
// not where the archive says). Nothing of that batch was deleted.
type CaptureError struct {
	ID, File string
	Err      error
}

func (e *CaptureError) Error() string {
	return fmt.Sprintf("erase the capture of %s in %s: %v", e.ID, e.File, e.Err)
}

func (e *CaptureError) Unwrap() error { return e.Err }

// eraseCaptures erases the raw captures of a batch's articles and of
// their earlier versions, before the batch is deleted: a run stopped
// between the two leaves the articles in the archive, and the next run
// finds their captures erased and deletes them.
//
// A capture belongs to the archive when the record that points at it was
// harvested: a record imported from a WARC file (source "import:…")
// points into the user's own file, which is left as it is and listed in
// sum.Left, as is a file that is not one Herald wrote.
func eraseCaptures(ctx context.Context, st store.Store, batch []Deleted, opts DeleteOptions, sum *CaptureSummary) error {
	type target struct {
		id       string
		relative bool // the stored path is relative to opts.CaptureBase
		t        warc.EraseTarget
	}
	files := map[string][]target{}
	for _, a := range batch {
		versions, err := st.Versions(ctx, a.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue // another process deleted it meanwhile
		}
		if err != nil {
			return err
		}
		seen := map[store.Capture]bool{}
		for _, r := range versions {
			c := r.Capture
			if c == nil || c.File == "" || seen[*c] {
				continue
			}
			seen[*c] = true
			path := c.File
			if !filepath.IsAbs(path) {
				path = filepath.Join(opts.CaptureBase, path)
			}
			if strings.HasPrefix(r.Source, "import:") {
				sum.Left = append(sum.Left, LeftCapture{ID: a.ID, File: path, Offset: c.Offset, Why: LeftImported})
				continue
			}
			files[path] = append(files[path], target{a.ID, !filepath.IsAbs(c.File), warc.EraseTarget{Offset: c.Offset, RecordID: c.RecordID}})
		}
	}
	paths := slices.Sorted(func(yield func(string) bool) {
		for p := range files {
			if !yield(p) {
				return
			}
		}
	})
	for _, path := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		ts := files[path]
		if opts.DryRun {
			sum.Erased += len(ts)
			sum.Files++
			continue
		}
		list := make([]warc.EraseTarget, len(ts))
		for i, t := range ts {
			list[i] = t.t
		}
		res, err := warc.EraseRecords(path, list)
		if errors.Is(err, warc.ErrForeignFile) {
			for _, t := range ts {
				sum.Left = append(sum.Left, LeftCapture{ID: t.id, File: path, Offset: t.t.Offset, Why: LeftForeign})
			}
			continue
		}
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && ts[0].relative {
				err = fmt.Errorf("%w (relative capture paths are taken from %s)", err, absOr(opts.CaptureBase))
			}
			return &CaptureError{ID: ts[0].id, File: path, Err: err}
		}
		sum.Erased += len(ts)
		sum.Records += res.Records
		sum.Files++
	}
	return nil
}

// absOr returns dir made absolute, or as it is.
func absOr(dir string) string {
	if dir == "" {
		dir = "."
	}
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}
