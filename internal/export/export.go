// Package export writes archive records in Herald's stream formats, JSON
// lines and CSV (docs/export.md), for `herald export` and the HTTP API's
// export endpoint alike, so both give the same bytes for the same records.
//
// It also writes the raw captures of records as one WARC file
// (WARCWriter), copying each capture's records from the archive's WARC
// files as stored.
//
// It only encodes: choosing records, ordering them (store.Scan) and
// naming files are the caller's business. The plain-text corpus format,
// one file per article, is internal/textcorpus.
package export

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/store"
)

// Columns is the fixed column set of CSV exports, in order: the record's
// JSON field names (docs/record.md). Lists are joined with "; ", times
// are RFC 3339, and the text comes last.
var Columns = []string{
	"id", "url", "canonical_url", "original_url", "title", "description", "authors", "published", "modified",
	"site_name", "section", "tags", "language", "image", "is_accessible_for_free", "word_count",
	"fetched_at", "source", "cluster_id", "version", "content_hash", "extractor_version", "text",
}

// Formats are the names NewWriter accepts.
var Formats = []string{"jsonl", "csv"}

// Writer encodes records one after another. It does not buffer beyond
// what encoding/csv does: wrap the destination in a bufio.Writer for
// speed, and call Flush at the end.
type Writer struct {
	json *json.Encoder
	csv  *csv.Writer
	row  []string
}

// NewWriter returns a Writer of the format ("jsonl" or "csv") to w. A CSV
// writer writes the header row at once.
func NewWriter(w io.Writer, format string) (*Writer, error) {
	switch format {
	case "jsonl":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return &Writer{json: enc}, nil
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(Columns); err != nil {
			return nil, fmt.Errorf("export csv: %w", err)
		}
		return &Writer{csv: cw, row: make([]string, len(Columns))}, nil
	}
	return nil, fmt.Errorf("unknown export format %q (want %s)", format, strings.Join(Formats, " or "))
}

// Write encodes one record.
func (w *Writer) Write(r *store.Record) error {
	if w.json != nil {
		return w.json.Encode(r)
	}
	return w.csv.Write(CSVRow(w.row, r))
}

// Flush writes out what the CSV encoder holds and reports any error it
// met; for JSON lines it does nothing.
func (w *Writer) Flush() error {
	if w.csv == nil {
		return nil
	}
	w.csv.Flush()
	return w.csv.Error()
}

// CSVRow fills row (len(Columns) long, or nil to allocate) with the CSV
// fields of r and returns it.
func CSVRow(row []string, r *store.Record) []string {
	if len(row) != len(Columns) {
		row = make([]string, len(Columns))
	}
	free := ""
	if r.IsAccessibleForFree != nil {
		free = strconv.FormatBool(*r.IsAccessibleForFree)
	}
	copy(row, []string{
		r.ID, r.URL, r.CanonicalURL, r.OriginalURL, inert(r.Title), inert(r.Description), inert(strings.Join(r.Authors, "; ")),
		rfc3339(r.Published), rfc3339(r.Modified), inert(r.SiteName), inert(r.Section), inert(strings.Join(r.Tags, "; ")),
		r.Language, r.Image, free, strconv.Itoa(r.WordCount), rfc3339(r.FetchedAt), inert(r.Source),
		r.ClusterID, strconv.Itoa(r.Version), r.ContentHash, r.ExtractorVersion, inert(r.Text),
	})
	return row
}

// inert returns a text cell that a spreadsheet will not run as a formula:
// one beginning with =, +, -, @, a tab or a carriage return gets a
// leading apostrophe, which spreadsheets show as text (OWASP's advice
// for CSV injection).
func inert(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// TimelineColumns is the fixed column set of a timeline as CSV: the
// bucket's first day (YYYY-MM-DD, UTC), its key (the site when split by
// site, the query when comparing queries, else empty), the count, and,
// for a timeline with shares, the number of all articles in the bucket
// and the share (count/of, to 6 decimals); empty without shares.
var TimelineColumns = []string{"start", "key", "count", "of", "share"}

// StoryColumns is the fixed column set of stories as CSV: the cluster id,
// the matching articles and their sites, the first article's date
// (RFC 3339, UTC), site, title, URL and id, the last article's date, and
// the original the first article names (empty when it names none).
var StoryColumns = []string{"cluster", "articles", "sites", "first_date", "first_site", "first_title", "first_url", "first_id", "last_date", "first_original_url"}

// WriteStoriesCSV writes stories as CSV with a header row of
// StoryColumns, in their order.
func WriteStoriesCSV(w io.Writer, stories []store.Story) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(StoryColumns); err != nil {
		return err
	}
	for _, s := range stories {
		row := []string{s.Cluster, strconv.Itoa(s.Articles), strconv.Itoa(s.Sites), rfc3339(s.First.Date.UTC()),
			inert(s.First.Site), inert(s.First.Title), inert(s.First.URL), s.First.ID, rfc3339(s.Last.UTC()), inert(s.First.OriginalURL)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteTimelineCSV writes buckets as CSV with a header row of
// TimelineColumns, in their order; share says whether they carry
// shares (store.SetShares).
func WriteTimelineCSV(w io.Writer, buckets []store.Bucket, share bool) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(TimelineColumns); err != nil {
		return err
	}
	for _, b := range buckets {
		row := []string{b.Start.UTC().Format(time.DateOnly), inert(b.Key), strconv.Itoa(b.Count), "", ""}
		if share {
			row[3], row[4] = strconv.Itoa(b.Of), strconv.FormatFloat(b.Share, 'f', 6, 64)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
