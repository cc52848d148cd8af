// Package store defines Herald's archive: the stored record, the Store
// interface every backend implements, and the small domain types around it
// (sources, fetch log, frontier, search results, aggregations).
//
// The package imports only the standard library, article and query. Backends
// live in sub-packages (sqlite now, postgres later) and must all pass the
// conformance suite in storetest; they never import each other. Ingest
// decisions that need canonicalisation and near-duplicate detection (which
// cluster a new article joins) are made above the store, in
// internal/archive, and written through a Tx; the store itself only
// enforces the rules that must hold inside one transaction: a record keyed
// by id is new, unchanged (same content hash and metadata), refreshed (same
// content hash, new metadata, rewritten in place) or a new version
// (different content hash), and earlier versions are kept.
//
// Errors that callers branch on are the sentinels ErrNotFound, ErrInvalid
// and ErrConflict, always wrapped with context; test them with errors.Is.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/query"
)

// Sentinel errors. The HTTP layer maps them to 404, 400 and 409.
var (
	// ErrNotFound: the article, cluster, source or frontier URL is unknown.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: a malformed query or option; a query error also wraps
	// the *query.Error that says where.
	ErrInvalid = errors.New("invalid")
	// ErrConflict: the thing being added exists already (a source URL).
	ErrConflict = errors.New("conflict")
)

// ParseQuery parses a user's query for Search, Timeline, Top and Scan. A
// malformed query returns an error matching both ErrInvalid and, with
// errors.As, *query.Error.
func ParseQuery(s string) (*query.Query, error) {
	q, err := query.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w query: %w", ErrInvalid, err)
	}
	return q, nil
}

// Record is an article as the archive keeps it: the extracted article plus
// identity, provenance and deduplication fields. Its JSON form is the
// archive's public record format (docs/record.md).
type Record struct {
	// ID is stable and derives from the canonical URL (canon.ID).
	ID string `json:"id"`
	article.Article
	// FetchedAt is when the page was fetched (or imported).
	FetchedAt time.Time `json:"fetched_at,omitzero"`
	// Source says where the record came from: a source URL, or an import
	// such as "import:file.jsonl".
	Source string `json:"source,omitempty"`
	// Capture points at the raw response in a WARC file, when kept.
	Capture *Capture `json:"capture,omitempty"`
	// ExtractorVersion is the version of the extractor that produced the
	// article fields.
	ExtractorVersion string `json:"extractor_version,omitempty"`
	// ContentHash is the hash of the normalised text (dedupe.ContentHash).
	ContentHash string `json:"content_hash,omitempty"`
	// ClusterID groups near-duplicates: the id of the cluster's first
	// article. An article alone is its own cluster.
	ClusterID string `json:"cluster_id,omitempty"`
	// Version counts the texts seen at this URL: 1, 2, …
	Version int `json:"version,omitempty"`
}

// Capture references a stored raw response: the record at Offset in
// the WARC file File, whose WARC-Record-ID is RecordID.
type Capture struct {
	File     string `json:"file"`
	Offset   int64  `json:"offset"`
	RecordID string `json:"record_id,omitempty"`
	// ChainOffset is where the capture's redirect chain starts in File:
	// the records of the redirects that led to the response (each hop's
	// response and request) lie from there up to Offset. It equals
	// Offset for a capture reached without redirects, and is 0 where it
	// is not known: captures made before it was recorded (December
	// 2026), references to files the user imported, and those read from
	// another tool's JSON lines. See docs/export.md.
	ChainOffset int64 `json:"chain_offset,omitempty"`
}

// Chain says what is known of c's redirect chain: known is false when
// ChainOffset was not recorded (see there), else start is where the
// chain starts, Offset when there is none.
func (c *Capture) Chain() (start int64, known bool) {
	if c.ChainOffset <= 0 || c.ChainOffset > c.Offset {
		return c.Offset, c.ChainOffset == c.Offset
	}
	return c.ChainOffset, true
}

// CaptureFile is where the WARC file a capture reference names (File) is:
// name itself when absolute or base is "", else name taken relative to
// base, the folder relative names are read from (the archive's, or
// --captures).
//
// When no file has that name but NAME.part does, it is NAME.part: the
// first bytes of a file herald import warc URL was downloading (see
// PartialSuffix), whose records it imported as they came, and where
// their captures are until the download is finished (CapturePath says
// so).
func CaptureFile(name, base string) string {
	path, _ := CapturePath(name, base)
	return path
}

// PartialSuffix ends the name of a file being downloaded: herald import
// warc URL writes NAME.part, and renames it NAME once whole, but imports
// its records as they arrive, with capture references that name NAME. A
// download that stopped leaves NAME.part, a prefix of NAME.
const PartialSuffix = ".part"

// CapturePath is CaptureFile, and partial says the path is NAME.part,
// the file under that name not being there.
func CapturePath(name, base string) (path string, partial bool) {
	return OrPartial(JoinCapture(name, base))
}

// JoinCapture is the path a capture reference's file name stands for:
// name itself when absolute or base is "", else name taken relative to
// base. Unlike CaptureFile it does not look at the disk.
func JoinCapture(name, base string) string {
	if filepath.IsAbs(name) || base == "" {
		return name
	}
	return filepath.Join(base, name)
}

// InDir reports whether the file at path lies directly in the folder
// dir, both taken as absolute paths (where import warc --copy-captures
// copies records: the archive's WARC folder).
func InDir(path, dir string) bool {
	a, err1 := filepath.Abs(filepath.Dir(path))
	b, err2 := filepath.Abs(dir)
	return err1 == nil && err2 == nil && a == b
}

// OrPartial is path, or path+PartialSuffix (and partial) when nothing is
// at path and a file is there: see CaptureFile.
func OrPartial(path string) (string, bool) {
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		return path, false
	}
	if st, err := os.Stat(path + PartialSuffix); err == nil && st.Mode().IsRegular() {
		return path + PartialSuffix, true
	}
	return path, false
}

// Date is the date the archive files the record under: the publication
// time when known, otherwise the fetch time. Date filters, sorting by date,
// timelines and exports all use it.
func (r *Record) Date() time.Time {
	if !r.Published.IsZero() {
		return r.Published
	}
	return r.FetchedAt
}

// Entry is what a Tx writes: a record with the LSH band hashes of its
// near-duplicate signature (internal/dedupe). The store indexes the bands
// for Candidates; it does not keep the signature, which the archive
// recomputes from a candidate's text when it needs it (513 bytes an article
// is a sixth of a compressed text).
type Entry struct {
	Record *Record
	Bands  []uint64
	// Prepared is the backend's own work on Record done ahead of the
	// transaction by EntryPreparer (a compressed text, say); nil when
	// there is none. Callers other than a Preparer leave it alone.
	Prepared any
	// IfVersion, when above 0, makes Put a rewrite of a record read
	// earlier (herald reextract): it writes only when the article is
	// stored, at this version. An article deleted since is not stored
	// again (Gone), and one stored at another version since is left as it
	// is (Superseded); nothing is written then.
	IfVersion int
}

// EntryPreparer is implemented by backends that can do part of a Put's
// work before the write transaction: work that needs no lookups, such as
// compressing the text. PrepareEntry is safe for concurrent use, so a
// caller holding a batch (archive.Ingest) prepares its entries in parallel
// and then writes them one by one in a short transaction. Preparing is
// optional; Put does whatever was not prepared, and redoes it if the
// record changed since.
type EntryPreparer interface {
	PrepareEntry(e *Entry)
}

// Outcome says what a Put did.
type Outcome int

// The outcomes of Put.
const (
	// Unchanged: the article was stored already with the same content
	// hash; nothing was written.
	Unchanged Outcome = iota
	// New: a new article, alone in its cluster.
	New
	// Duplicate: a new article joining an existing cluster.
	Duplicate
	// Updated: a known article whose text changed; the earlier version
	// was kept and Version incremented.
	Updated
	// Refreshed: a known article with the same text whose extracted
	// metadata (title, description, authors, dates, tags, …) or
	// extractor version differs: those fields were rewritten in place,
	// with no new version. Re-extracting with a newer extractor lands here.
	Refreshed
	// Withheld: the archive withholds the article's id (herald delete
	// --withhold; see Withholder); nothing was written.
	Withheld
	// Gone: a rewrite (Entry.IfVersion) of an article that is not stored
	// (deleted since it was read); nothing was written.
	Gone
	// Superseded: a rewrite (Entry.IfVersion) of an article stored at
	// another version since it was read; nothing was written.
	Superseded
)

func (o Outcome) String() string {
	switch o {
	case Unchanged:
		return "unchanged"
	case New:
		return "new"
	case Duplicate:
		return "duplicate"
	case Updated:
		return "updated"
	case Refreshed:
		return "refreshed"
	case Withheld:
		return "withheld"
	case Gone:
		return "gone"
	case Superseded:
		return "superseded"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Candidate is a stored article that may be a near-duplicate of a new one.
type Candidate struct {
	ID        string
	ClusterID string
}

// Lookup holds the reads that ingest decisions need. Both Store (outside a
// transaction) and Tx (seeing its own writes) implement it.
type Lookup interface {
	// Get returns the current version of an article, or ErrNotFound.
	Get(ctx context.Context, id string) (*Record, error)
	// ByHash returns the articles whose content hash is hash, oldest first.
	ByHash(ctx context.Context, hash string) ([]Candidate, error)
	// Candidates returns up to limit articles sharing at least one LSH band
	// hash with bands, most shared bands first, ties by id. An updated
	// article may still be found by the bands of its earlier text, so
	// callers confirm candidates by comparing texts.
	Candidates(ctx context.Context, bands []uint64, limit int) ([]Candidate, error)
	// FirstNaming returns the earliest article (by date, ties by id) whose
	// OriginalURL is url, and false when no article names it: the copy
	// whose cluster an original archived after its copies joins.
	FirstNaming(ctx context.Context, url string) (Candidate, bool, error)
}

// Tx is a write transaction. A backend allows one at a time (SQLite) or
// many (PostgreSQL); readers are never blocked by it. Other writes through
// the Store (sources, fetch log, frontier) may wait until it ends, so the
// goroutine holding a Tx must not make them meanwhile. Use it as
//
//	tx, err := st.Begin(ctx)
//	if err != nil { … }
//	defer tx.Rollback()
//	… tx.Put(ctx, e) …
//	return tx.Commit()
type Tx interface {
	Lookup
	// Put writes e.Record, keyed by its ID:
	//   - unknown ID: inserted with Version 1 (New, or Duplicate when its
	//     ClusterID names another article's cluster);
	//   - known ID, same ContentHash and the same extracted metadata (see
	//     below): nothing is written (Unchanged);
	//   - known ID, same ContentHash, but a different title, description,
	//     authors, published, modified, site name, section, tags,
	//     language, image, is_accessible_for_free, word count or
	//     extractor version: those fields are replaced in place, search
	//     sees the new values, and the version stays (Refreshed). The
	//     record's identity and provenance (URL, canonical URL, fetched_at,
	//     source, capture) stay as first stored;
	//   - known ID, different ContentHash: the stored record moves to the
	//     version history, the new one replaces it with Version+1 (Updated).
	// For a new article an empty ClusterID means its own ID; on update the
	// given ClusterID is ignored and the article stays in its cluster. Put
	// sets Version and ClusterID on e.Record to the stored values. With
	// e.IfVersion, an article no longer stored is Gone and one stored at
	// another version Superseded, and nothing is written. A record
	// without ID, URL or content hash is ErrInvalid.
	Put(ctx context.Context, e Entry) (Outcome, error)
	// Commit makes the writes durable and visible.
	Commit() error
	// Rollback discards the writes; after Commit it does nothing, so it
	// can always be deferred.
	Rollback() error
}

// Store is Herald's archive. All methods are safe for concurrent use.
type Store interface {
	Lookup

	// Begin starts a write transaction; batch many Puts in one for speed.
	Begin(ctx context.Context) (Tx, error)

	// Versions returns every version of an article, oldest first, the
	// current one last; ErrNotFound for an unknown id.
	Versions(ctx context.Context, id string) ([]*Record, error)
	// Cluster returns the articles of a near-duplicate cluster ordered by
	// date, those dated alike in the order they were archived (as a
	// story's first is chosen); ErrNotFound when it has none.
	Cluster(ctx context.Context, clusterID string) ([]*Record, error)
	// Seen reports whether a canonical URL is an article's, or is in the
	// frontier in any state: the harvester's seen-set.
	Seen(ctx context.Context, canonicalURL string) (bool, error)

	// Search returns one page of the articles matching q.
	Search(ctx context.Context, q *query.Query, opts SearchOptions) (*SearchResult, error)
	// Timeline counts the articles matching q per interval.
	Timeline(ctx context.Context, q *query.Query, opts TimelineOptions) ([]Bucket, error)
	// Top returns the n most frequent values of a field among the articles
	// matching q, most frequent first, ties by value.
	Top(ctx context.Context, q *query.Query, field TopField, n int) ([]Count, error)
	// Scan calls fn for each article matching q, ordered by Date then ID,
	// in constant memory; it stops at the first error fn returns and
	// returns it. Articles written during a Scan may or may not be seen.
	Scan(ctx context.Context, q *query.Query, fn func(*Record) error) error
	// Stats describes the archive.
	Stats(ctx context.Context) (*Stats, error)

	Sources
	FetchLog
	Frontier

	// Close releases the store. Calls in progress must have returned.
	Close() error
}

// Sources are the feeds, sitemaps, sites and URL lists the harvester polls.
type Sources interface {
	// AddSource stores s, setting ID (and Added when zero); a source with
	// the same URL is ErrConflict.
	AddSource(ctx context.Context, s *Source) error
	// Source returns one source, or ErrNotFound.
	Source(ctx context.Context, id int64) (*Source, error)
	// ListSources returns every source ordered by ID.
	ListSources(ctx context.Context) ([]*Source, error)
	// UpdateSource replaces the stored fields of s.ID; ErrNotFound if gone.
	UpdateSource(ctx context.Context, s *Source) error
	// RemoveSource deletes a source and its fetch log; ErrNotFound if gone.
	RemoveSource(ctx context.Context, id int64) error
}

// Source kinds.
const (
	KindFeed    = "feed"
	KindSitemap = "sitemap"
	KindSite    = "site"
	KindList    = "list"
)

// Source is a place the harvester polls.
type Source struct {
	ID  int64  `json:"id"`
	URL string `json:"url"`
	// Kind is KindFeed, KindSitemap, KindSite or KindList.
	Kind string `json:"kind"`
	// Interval is the re-poll interval; zero means the harvester's default.
	Interval time.Duration `json:"interval"`
	Paused   bool          `json:"paused"`
	Added    time.Time     `json:"added"`
	// LastPolled and NextPoll are maintained by the harvester.
	// LastPolled is when the last whole poll started: a poll that read a
	// document only in part, or could not fetch one of its sitemaps for
	// a passing reason, leaves it, so that the next poll reads again the
	// index children changed since; so does one whose own URL could not
	// be fetched or was refused (a source that never could be shows none).
	LastPolled time.Time `json:"last_polled,omitzero"`
	NextPoll   time.Time `json:"next_poll,omitzero"`
	// LastError is the last poll's failure, "" when it worked.
	LastError string `json:"last_error,omitempty"`
	// ETag and LastModified make the next poll conditional.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// Due reports whether the source should be polled at now.
func (s *Source) Due(now time.Time) bool {
	return !s.Paused && !s.NextPoll.After(now)
}

// FetchLog records every fetch attempt, for source health and debugging.
type FetchLog interface {
	// LogFetch appends f, setting its ID.
	LogFetch(ctx context.Context, f *Fetch) error
	// Fetches returns up to limit fetches, newest first; sourceID 0 means
	// all sources.
	Fetches(ctx context.Context, sourceID int64, limit int) ([]*Fetch, error)
}

// Fetch is one HTTP fetch (or a skipped one) and what became of it.
type Fetch struct {
	ID       int64         `json:"id"`
	SourceID int64         `json:"source_id,omitempty"`
	URL      string        `json:"url"`
	At       time.Time     `json:"at"`
	Status   int           `json:"status,omitempty"`
	Duration time.Duration `json:"duration"`
	Bytes    int64         `json:"bytes"`
	// Error is the failure or skip reason ("robots", "not html", …), ""
	// when the page was fetched and processed.
	Error string `json:"error,omitempty"`
	// ArticleID is the article stored from this fetch, if any.
	ArticleID string `json:"article_id,omitempty"`
}

// HarvestLocker is implemented by stores that can keep two harvests of
// one archive from running at once: two would each put back the other's
// URLs in flight when they start, fetch them twice, and ask each host at
// their own pace, breaking its delay. Work that holds the archive's
// write lock for long (herald check --index) takes it too, so that a
// harvest is refused at its start rather than failing at its first write.
type HarvestLocker interface {
	// LockHarvest takes the archive's harvest lock for one run, or fails
	// at once with an error wrapping ErrHarvestRunning when another
	// process holds it. holder says what takes it ("herald harvest",
	// "herald check --index"), for the error another process then gives.
	// release gives it back; the lock also ends with the process (or its
	// connection) that holds it.
	LockHarvest(ctx context.Context, holder string) (release func(), err error)
}

// ErrHarvestRunning is wrapped by LockHarvest's error when another
// process holds the archive's harvest lock: a harvest, or a check of the
// full-text index.
var ErrHarvestRunning = errors.New("another process is harvesting or checking this archive")

// ErrBusy is wrapped by a write that found the archive's write lock taken
// by another process for longer than the store waits for it (SQLite: 10
// s). Nothing of that write was done; running it again once the other
// process has ended does it. The error names the other process when it
// holds the harvest lock too.
var ErrBusy = errors.New("the archive is busy")

// BusyError is a write refused because another process held the
// archive's write lock for longer than the store waits for it. It wraps
// ErrBusy and the backend's own error.
type BusyError struct {
	// Holder says what holds the archive ("herald check --index (process
	// 42)"), "" when the store cannot tell.
	Holder string
	// Waited is how long the write waited for the lock.
	Waited time.Duration
	// Err is the backend's error.
	Err error
}

func (e *BusyError) Error() string {
	who := "another process"
	if e.Holder != "" {
		who = e.Holder
	}
	return fmt.Sprintf("%v: %s has held its write lock for over %d s; nothing was written: run this again when it has ended", ErrBusy, who, int(e.Waited.Seconds()))
}

// Unwrap gives ErrBusy and the backend's error.
func (e *BusyError) Unwrap() []error { return []error{ErrBusy, e.Err} }

// Frontier is the harvester's persistent queue of URLs to fetch. Each URL
// appears once, whatever its state, so the frontier is also a seen-set.
type Frontier interface {
	// Enqueue adds the items not yet in the frontier as queued and returns
	// how many were added.
	Enqueue(ctx context.Context, items []FrontierItem) (int, error)
	// Claim marks up to n queued items whose NotBefore is not after now as
	// in-flight, counting an attempt, and returns them oldest first.
	Claim(ctx context.Context, now time.Time, n int) ([]FrontierItem, error)
	// Done marks an item done.
	Done(ctx context.Context, url string) error
	// Fail marks an item failed for good with a reason.
	Fail(ctx context.Context, url, reason string) error
	// Retry puts an item back in the queue, not to be claimed before
	// notBefore, remembering why.
	Retry(ctx context.Context, url string, notBefore time.Time, reason string) error
	// Postpone is Retry for a claim that asked nothing of the URL (its
	// host asked to be left alone, was paused, or the run was
	// interrupted): the claim's attempt is not counted (attempts never go
	// below zero), so such claims cannot use up a URL's tries.
	Postpone(ctx context.Context, url string, notBefore time.Time, reason string) error
	// Revive puts an item that failed for good back in the queue, not to
	// be claimed before notBefore, with no attempts counted, when its
	// reason is one of reasons (any reason when reasons is empty), and
	// reports whether it did. An unknown URL, or one in another state, is
	// left as it is: false and no error.
	Revive(ctx context.Context, url string, notBefore time.Time, reasons []string) (bool, error)
	// RequeueInFlight puts every in-flight item back in the queue (after a
	// crash) and returns how many.
	RequeueInFlight(ctx context.Context) (int, error)
	// FrontierCounts returns the number of items in each state.
	FrontierCounts(ctx context.Context) (map[FrontierState]int, error)
	// FrontierItems returns the items of urls that are in the frontier,
	// in no particular order; URLs it does not hold are left out. A
	// process that handed URLs to others (a coordinator and its workers)
	// reads with it how each of them ended.
	FrontierItems(ctx context.Context, urls []string) ([]FrontierItem, error)
	// Waiting returns the number of queued items and the least NotBefore
	// among them: the earliest time one may be claimed (zero when there
	// are none, or when one may be claimed at any time).
	Waiting(ctx context.Context) (n int, next time.Time, err error)
}

// FrontierState is where a URL stands in the frontier.
type FrontierState string

// The frontier states.
const (
	Queued   FrontierState = "queued"
	InFlight FrontierState = "in-flight"
	Done     FrontierState = "done"
	Failed   FrontierState = "failed"
)

// FrontierItem is one URL in the frontier.
type FrontierItem struct {
	URL string `json:"url"`
	// Host is the URL's host, for per-host pacing.
	Host     string `json:"host"`
	SourceID int64  `json:"source_id,omitempty"`
	// Depth is the number of links followed from the source.
	Depth     int           `json:"depth"`
	State     FrontierState `json:"state"`
	Attempts  int           `json:"attempts"`
	Reason    string        `json:"reason,omitempty"`
	NotBefore time.Time     `json:"not_before,omitzero"`
	Added     time.Time     `json:"added"`
	// Hint is what the feed or sitemap that listed the URL said about it
	// (title, date, authors, …), as the harvester encoded it: fallbacks
	// for what extraction does not find. The frontier keeps it with the
	// URL, opaque, so that it survives a retry, a restart or a hand-over
	// to another worker; empty when there was nothing to say.
	Hint json.RawMessage `json:"hint,omitempty"`
	// Lastmod is the last sitemap lastmod the harvester saw listed for
	// the URL (zero: none), and LastmodFetched whether the page was
	// fetched, or queued to be, after that value was listed, or its
	// archived copy is later. The harvester decides with them whether a
	// lastmod says the page changed; kept in the frontier, they hold from
	// one run to the next (a harvest run from cron), in the backends that
	// implement LastmodKeeper, which also write them on Enqueue.
	Lastmod        time.Time `json:"lastmod,omitzero"`
	LastmodFetched bool      `json:"lastmod_fetched,omitempty"`
}

// RawHint is a stored frontier hint as FrontierItem.Hint: nil when empty.
func RawHint(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}
