package harvest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// ReextractOptions configure Reextract. The zero value is ready to use.
type ReextractOptions struct {
	// Base is the folder relative capture paths are resolved against: the
	// archive's folder. Default: the working directory.
	Base string
	// DryRun reports what would change without storing anything.
	DryRun bool
	// Workers is how many records are re-extracted at once. Default
	// GOMAXPROCS.
	Workers int
	// BatchSize is the most records stored per transaction. Default 500.
	BatchSize int
	// Report, when set, is called (from one goroutine) for every record
	// whose re-extraction differs from what is stored, failed, or is
	// judged a soft 404 or not an article.
	Report func(Change)
}

// Change is what re-extracting one record found.
type Change struct {
	ID  string `json:"id"`
	URL string `json:"url"`
	// Fields names the fields that differ ("title", "text", …).
	Fields []string `json:"fields,omitempty"`
	// Stored is true when the change was stored: a new text as a new
	// version, a change of metadata alone in place (store.Refreshed).
	Stored bool `json:"stored"`
	// Problem says why the record could not be re-extracted ("no
	// capture", "capture unreadable: …", "not html", …).
	Problem string `json:"problem,omitempty"`
	// Soft404 says that the capture is, by the current rules, a page that
	// only says it is not there (see ReasonSoft404), which a harvest or
	// an import would not store. The stored record is kept as it is.
	Soft404 bool `json:"soft_404,omitempty"`
	// NotArticle says that the current rules judge the capture not an
	// article (ReasonNotArticle: a listing or section page, or too short
	// on a URL not shaped like an article's), which a harvest or an import
	// would not store. The stored record is kept as it is.
	NotArticle bool `json:"not_article,omitempty"`
	// Gone says that the article was deleted (or withheld) after it was
	// read and before its re-extraction was stored: it is not stored
	// again, and this is no failure.
	Gone bool `json:"gone,omitempty"`
	// Superseded says that another version of the article was stored
	// after it was read (by a harvest or an import): the re-extraction of
	// the older one is not stored over it.
	Superseded bool `json:"superseded,omitempty"`
}

// ReextractSummary is what Reextract did.
type ReextractSummary struct {
	// Records counts the records matched by the query.
	Records int `json:"records"`
	// Same counts records whose re-extraction equals what is stored.
	Same int `json:"same"`
	// Changed counts records that differ; Updated those stored as a new
	// version (their text changed); MetadataOnly those whose text is the
	// same and whose metadata differs.
	Changed      int `json:"changed"`
	Updated      int `json:"updated"`
	MetadataOnly int `json:"metadata_only"`
	// Refreshed counts the metadata-only changes stored in place.
	Refreshed int `json:"refreshed"`
	// Fields counts changed records by field.
	Fields map[string]int `json:"fields"`
	// Problems counts records that could not be re-extracted, by reason.
	Problems map[string]int `json:"problems"`
	// Soft404 counts records whose capture is now judged a soft 404:
	// reported (Change.Soft404) and kept as stored.
	Soft404 int `json:"soft_404"`
	// NotArticle counts records whose capture is now judged not an
	// article: reported (Change.NotArticle) and kept as stored.
	NotArticle int `json:"not_article"`
	// Gone counts records deleted (or withheld) while they were being
	// re-extracted: not stored again (Change.Gone). Superseded counts
	// those stored at a newer version meanwhile (a harvest, an import):
	// left as they are (Change.Superseded).
	Gone       int            `json:"gone"`
	Superseded int            `json:"superseded"`
	Duration   archive.Millis `json:"duration_ms"`
}

// rebuiltHook, when set (by tests), is called with each record's id once
// it is rebuilt and before it is stored: where a concurrent herald delete
// can come between.
var rebuiltHook func(id string)

// Problems of Reextract.
const (
	ProblemNoCapture  = "no capture"
	ProblemUnreadable = "capture unreadable"
	// ProblemNotHere is a capture whose WARC file holds another record at
	// its offset (see warc.Record.IsCapture): a reference imported from
	// another archive, or a file replaced since.
	ProblemNotHere = "capture not in this archive"
)

type reextractJob struct {
	old     *store.Record
	fields  []string
	problem string
	// judged is ReasonSoft404 or ReasonNotArticle: the current rules
	// would not store the capture, and the record is kept as it is.
	judged string
}

// Reextract rebuilds the records matching q from their stored captures
// with the current extractor, without the network. A record whose text
// changed is stored as a new version, one whose metadata alone changed is
// updated in place (both through archive.Rewrite, under the existing
// canonical URL); differences are reported field by field. A record
// deleted (or withheld) after it was read is not stored again, and one
// stored at a newer version meanwhile is left as it is: both are
// reported (Change.Gone, Change.Superseded) and counted, and neither is
// a problem.
//
// A capture that the soft-404 rule or the article rule now refuses (a
// harvest or an import would skip it as ReasonSoft404 or
// ReasonNotArticle: an archive made before the rule, or under an older
// version of it or of the extractor) is reported and counted as such and
// the record left as it is, not removed, and not counted as a problem:
// the capture was read, and the rules judge a short page by its words and
// its URL and can be wrong about one (a film review titled "404", a brief
// on a URL that looks like a section's), and what is archived is not lost
// to a guess. The report names the records for whoever wants to look at
// them. A page the harvest found as an item of a feed or a news sitemap
// (its frontier URL's hint says so) is an article however short, as the
// harvest judged it.
func Reextract(ctx context.Context, st store.Store, q *query.Query, opts ReextractOptions) (*ReextractSummary, error) {
	start := time.Now()
	sum := &ReextractSummary{Fields: map[string]int{}, Problems: map[string]int{}}
	work := func(j any) (*store.Record, string) {
		job := j.(*reextractJob)
		rec, problem := rebuild(job.old, opts.Base, false)
		if problem == ReasonNotArticle && listedItem(ctx, st, job.old, opts.Base) {
			// A short brief a feed listed, which the harvest stored as
			// an article for that (see warcRecordListed).
			rec, problem = rebuild(job.old, opts.Base, true)
		}
		if rebuiltHook != nil {
			rebuiltHook(job.old.ID)
		}
		if problem == ReasonSoft404 || problem == ReasonNotArticle {
			job.judged = problem
			return nil, problem
		}
		if problem != "" {
			job.problem = problem
			return nil, problem
		}
		job.fields = diffRecords(job.old, rec)
		switch {
		case len(job.fields) == 0:
			return nil, "same"
		case opts.DryRun:
			return nil, "not stored"
		}
		return rec, ""
	}
	done := func(j any, res archive.Result, skip string) {
		job := j.(*reextractJob)
		ch := Change{ID: job.old.ID, URL: job.old.URL, Fields: job.fields, Problem: job.problem,
			Soft404: job.judged == ReasonSoft404, NotArticle: job.judged == ReasonNotArticle}
		switch {
		case ch.Soft404:
			sum.Soft404++
		case ch.NotArticle:
			sum.NotArticle++
		case job.problem != "":
			sum.Problems[problemKind(job.problem)]++
		case len(job.fields) == 0:
			sum.Same++
			return
		default:
			sum.Changed++
			for _, f := range job.fields {
				sum.Fields[f]++
			}
			if !slices.Contains(job.fields, "text") {
				sum.MetadataOnly++
			}
			if skip == "" && res.Err == nil {
				switch res.Outcome {
				case store.Updated:
					sum.Updated++
					ch.Stored = true
				case store.Refreshed:
					sum.Refreshed++
					ch.Stored = true
				case store.Gone, store.Withheld:
					sum.Gone++
					ch.Gone = true
				case store.Superseded:
					sum.Superseded++
					ch.Superseded = true
				}
			}
			if res.Err != nil {
				ch.Problem = res.Err.Error()
			}
		}
		if opts.Report != nil {
			opts.Report(ch)
		}
	}
	in := newIngester(ctx, st, opts.Workers, opts.BatchSize, archive.Rewrite, work, done)
	scanErr := st.Scan(in.ctx, q, func(r *store.Record) error {
		sum.Records++
		if !in.submit(&reextractJob{old: r}) {
			return in.ctx.Err()
		}
		return nil
	})
	err := in.close()
	sum.Duration = archive.Millis(time.Since(start))
	switch {
	case err != nil:
		return sum, fmt.Errorf("reextract: %w", err)
	case ctx.Err() != nil:
		return sum, fmt.Errorf("reextract: %w", ctx.Err())
	case scanErr != nil:
		return sum, fmt.Errorf("reextract: %w", scanErr)
	}
	return sum, nil
}

func problemKind(p string) string {
	for _, kind := range []string{ProblemUnreadable, ProblemNotHere} {
		if strings.HasPrefix(p, kind+":") {
			return kind
		}
	}
	return p
}

// rebuild re-extracts a record from its capture, keeping its identity and
// provenance (canonical URL, source, fetch time, capture).
func rebuild(old *store.Record, base string, listed bool) (*store.Record, string) {
	if old.Capture == nil || old.Capture.File == "" {
		return nil, ProblemNoCapture
	}
	path := store.CaptureFile(old.Capture.File, base)
	wr, err := warc.ReadAt(path, old.Capture.Offset)
	if err != nil {
		return nil, ProblemUnreadable + ": " + err.Error()
	}
	if !wr.IsCapture(old.Capture.RecordID, old.URL, old.CanonicalURL) {
		// Another record at the offset: a reference imported from another
		// archive whose file of the same name here is another file, or a
		// file replaced since. Never rebuilt from what is there.
		if old.Capture.RecordID != "" {
			return nil, fmt.Sprintf("%s: record %s at offset %d of %s, want %s", ProblemNotHere, wr.RecordID, old.Capture.Offset, old.Capture.File, old.Capture.RecordID)
		}
		return nil, fmt.Sprintf("%s: the record at offset %d of %s is for %s", ProblemNotHere, old.Capture.Offset, old.Capture.File, wr.TargetURI)
	}
	rec, skip := warcRecord(wr, old.Source, "", nil, listed)
	if rec == nil {
		return nil, skip
	}
	rec.URL = old.URL
	rec.CanonicalURL = old.CanonicalURL // the same article: keep its id
	rec.FetchedAt = old.FetchedAt
	rec.Capture = old.Capture
	rec.Version = old.Version // stored as a rewrite of it (archive.Rewrite)
	// Normalise as the archive will (cleaned text, word count), so that
	// only real differences show.
	if _, err := archive.Prepare(rec, old.FetchedAt); err != nil {
		return nil, err.Error()
	}
	return rec, ""
}

// listedItem reports whether the harvest found old's URL as an item of a
// feed or a news sitemap (the hint its frontier URL keeps): such a page
// was stored as an article however short, and stays one. The item's URL
// is the page's, its canonical URL, or the first of the redirects that
// led to its capture when the capture recorded where they start (a feed
// proxy, a short link). A failed lookup counts as not listed (the record
// is then reported, as before, and kept as stored).
func listedItem(ctx context.Context, st store.Store, old *store.Record, base string) bool {
	candidates := []string{old.URL, old.CanonicalURL}
	if c := old.Capture; c != nil && c.File != "" {
		if start, known := c.Chain(); known && start < c.Offset {
			if wr, err := warc.ReadAt(store.CaptureFile(c.File, base), start); err == nil {
				candidates = append(candidates, wr.TargetURI)
			}
		}
	}
	var urls []string
	for _, u := range candidates {
		if cu, err := canon.URL(u); err == nil && u != "" && !slices.Contains(urls, cu) {
			urls = append(urls, cu)
		}
	}
	items, err := st.FrontierItems(ctx, urls)
	if err != nil {
		return false
	}
	for _, it := range items {
		if storedHint(it.Hint).listsItem() {
			return true
		}
	}
	return false
}

// diffRecords names the extracted fields that differ.
func diffRecords(old, cur *store.Record) []string {
	a, b := &old.Article, &cur.Article
	var out []string
	add := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	add("title", a.Title != b.Title)
	add("description", a.Description != b.Description)
	add("authors", !slices.Equal(a.Authors, b.Authors))
	add("published", !a.Published.Equal(b.Published))
	add("modified", !a.Modified.Equal(b.Modified))
	add("site_name", a.SiteName != b.SiteName)
	add("section", a.Section != b.Section)
	add("tags", !slices.Equal(a.Tags, b.Tags))
	add("language", a.Language != b.Language)
	add("image", a.Image != b.Image)
	add("text", a.Text != b.Text)
	return out
}
