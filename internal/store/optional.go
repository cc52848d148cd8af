package store

import (
	"context"
	"time"

	"github.com/herald-archive/herald/internal/query"
)

// Optional capabilities. Not every backend has them, so they are not part
// of Store: callers check for them with a type assertion and say clearly
// when the archive they opened lacks one.

// Migrator is a backend with a versioned schema (numbered migrations
// applied in order and recorded in the archive).
type Migrator interface {
	// Migrate applies the migrations not applied yet and returns their
	// names; opening a store already does this.
	Migrate(ctx context.Context) ([]string, error)
	// Applied returns the names of the migrations applied so far, in order.
	Applied(ctx context.Context) ([]string, error)
	// Migrated returns the names of the migrations this store applied
	// since it was opened, those of opening included, in order: all of
	// Applied when opening created the archive, none when it was up to
	// date already.
	Migrated() []string
}

// ClusterMover is a write transaction (Tx) that can move an archived
// article into another cluster: herald recluster joins articles archived
// alone to the clusters a newer version of the duplicate rules puts them
// in (both backends).
type ClusterMover interface {
	// JoinCluster moves article id, which must be alone in its cluster,
	// into cluster, the id of a cluster with articles. ErrNotFound when
	// either is unknown; ErrInvalid when the article is not alone (or
	// already in cluster).
	JoinCluster(ctx context.Context, id, cluster string) error
}

// Deleter is a write transaction (Tx) that can delete an archived
// article for good (herald delete: a takedown, or a site harvested by
// mistake), on both backends.
type Deleter interface {
	// Delete removes article id with its earlier versions, its links
	// and its place in the indexes; the other members of its cluster
	// stay in it. ErrNotFound when id is unknown.
	Delete(ctx context.Context, id string) error
}

// StorageOrderer is a store that can say in which order it keeps
// articles (the SQLite backend: by row number). herald delete deletes in
// that order, so that each of its transactions rewrites the pages that
// hold neighbouring articles, not pages all over the archive.
type StorageOrderer interface {
	// StorageOrder returns ids in the order the store keeps them; ids it
	// does not hold come last, in the order given.
	StorageOrder(ctx context.Context, ids []string) ([]string, error)
}

// CaptureRef is an article's reference to its raw capture, as
// CaptureScanner lists it.
type CaptureRef struct {
	ID           string
	URL          string
	CanonicalURL string
	Capture      Capture
}

// CaptureScanner is a store that can list its articles' capture
// references in the order of their WARC files: herald check then reads
// each file once, with only that file's references in memory, however
// large the archive.
type CaptureScanner interface {
	// ScanCaptures calls fn for each article that has a capture
	// reference (the article as it stands, not its earlier versions),
	// ordered by file name (byte by byte), then offset, then id, from one
	// snapshot.
	ScanCaptures(ctx context.Context, fn func(CaptureRef) error) error
}

// WithheldArticle is an article the archive keeps out: deleted for good
// (a takedown), its URL is not archived again, by a harvest or an import,
// until it is released.
type WithheldArticle struct {
	// ID is the article id (canon.ID of URL), URL its canonical URL.
	ID  string `json:"id"`
	URL string `json:"url"`
	// At is when it was withheld; Reason what the user gave, if anything.
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// Withholder is a write transaction (Tx) that can withhold articles:
// once committed, a Put of a withheld id writes nothing and returns the
// outcome Withheld, and Seen reports the URL as seen, so harvests do not
// fetch it again (both backends).
type Withholder interface {
	// Withhold records w; withholding an id again keeps the first
	// record. The article need not be archived (a URL can be kept out
	// before it is harvested).
	Withhold(ctx context.Context, w WithheldArticle) error
}

// WriteFencer is a write transaction of a backend that several
// processes write at once (PostgreSQL; SQLite has one writer at a time,
// so every transaction is fenced already). FenceWrites, called before the
// transaction reads or writes anything, waits for every other
// transaction that may store articles to end, and makes those that begin
// meanwhile wait for this one: a takedown (withhold, then delete) that
// fences first is not undone by a harvest's transaction that was already
// under way, nor missed by one that starts while it runs.
type WriteFencer interface {
	FenceWrites(ctx context.Context) error
}

// Checker is a backend that can verify its own storage (herald check).
// Each method returns the problems found, none when all is sound; an
// error means the check itself could not run.
type Checker interface {
	// CheckStorage verifies the database's structure.
	CheckStorage(ctx context.Context) ([]string, error)
	// CheckIndex verifies the full-text index against the texts it
	// indexes.
	CheckIndex(ctx context.Context) ([]string, error)
}

// WithheldLister is a backend that lists and releases withheld articles.
type WithheldLister interface {
	// ListWithheld returns every withheld article, oldest first.
	ListWithheld(ctx context.Context) ([]WithheldArticle, error)
	// Release stops withholding ids and returns how many were withheld.
	Release(ctx context.Context, ids []string) (int, error)
}

// WithheldChecker is a backend that says whether it withholds one
// article, read outside any transaction: a harvest asks before it fetches
// a URL, so that a takedown's page is not captured again.
type WithheldChecker interface {
	// IsWithheld reports whether the article with this id (canon.ID of
	// its canonical URL) is withheld.
	IsWithheld(ctx context.Context, id string) (bool, error)
}

// Optimizer is a backend that can reorganise its indexes after a bulk
// import (SQLite merges its full-text index; PostgreSQL vacuums and
// analyses).
type Optimizer interface {
	Optimize(ctx context.Context) error
}

// Tidier is a backend whose indexes fragment as they grow in many small
// transactions and that can mend them in short steps, without holding
// writers back for long (SQLite merges full-text index segments of a
// size). Imports too small to optimize after, and harvest runs that
// stored articles, end with it; it returns quickly when there is nothing
// to do.
type Tidier interface {
	Tidy(ctx context.Context) error
}

// Warmer is a backend with caches that its first timeline or search
// would otherwise fill (SQLite: the date of every article, and the
// cluster of every article that shares one). A long-running process
// (herald serve) warms them when it starts, so that no user's first
// query waits for it.
type Warmer interface {
	Warm(ctx context.Context) error
}

// Checkpointer is a backend with a write-ahead log that can be folded back
// into the main file on demand (SQLite), before measuring or copying it.
type Checkpointer interface {
	Checkpoint(ctx context.Context) error
}

// Dumper reads everything an archive holds, in the order it was stored,
// so that it can be copied whole into another (herald migrate-archive).
// Sources are read with ListSources.
type Dumper interface {
	// History calls fn for each article in the order the articles were
	// first stored, with every version, oldest first and the current one
	// last (what Versions returns). It stops at the first error fn
	// returns and returns it.
	History(ctx context.Context, fn func(versions []*Record) error) error
	// DumpFetches calls fn for each fetch log entry, oldest first.
	DumpFetches(ctx context.Context, fn func(*Fetch) error) error
	// DumpFrontier calls fn for each frontier item in the order it was
	// queued, whatever its state.
	DumpFrontier(ctx context.Context, fn func(FrontierItem) error) error
	// DumpSitemapValidators calls fn for each sitemap's kept validators
	// (ValidatorKeeper), in URL order.
	DumpSitemapValidators(ctx context.Context, fn func(KeptValidators) error) error
}

// Restorer writes what a Dumper read as it was: the ids of sources and
// fetches and the states, attempts and reasons of frontier items are
// kept. Each call is one transaction; rows whose id (or URL) the archive
// holds already are left as they are and not counted, so restoring
// twice adds nothing. Articles are restored through Tx.Put, which keeps
// their versions, clusters and capture references.
type Restorer interface {
	RestoreSources(ctx context.Context, ss []*Source) (int, error)
	RestoreFetches(ctx context.Context, fs []*Fetch) (int, error)
	RestoreFrontier(ctx context.Context, items []FrontierItem) (int, error)
	RestoreSitemapValidators(ctx context.Context, vs []KeptValidators) (int, error)
}

// CandidatePrefetcher is a write transaction that can look up the
// near-duplicate candidates of a whole batch at once, before its Puts
// (SQLite reads its band index in one ordered pass instead of one lookup
// per article; PostgreSQL makes one query instead of a round trip per
// article). Candidates then answers as it would have without it, the
// transaction's own writes included; with several writers at once
// (PostgreSQL), as it would have at the prefetch. A backend with several
// writers at once makes a writer whose batch shares a band with another
// writer's wait, at the prefetch, until that one has committed, so that
// two copies of one story stored at the same moment find each other.
type CandidatePrefetcher interface {
	// PrefetchCandidates reads ahead what Candidates needs for each list
	// of bands in lists.
	PrefetchCandidates(ctx context.Context, lists [][]uint64) error
}

// AheadLooker is a store that can read ahead, outside any transaction,
// the near-duplicate candidates of a batch of band lists in one pass
// (herald recluster --dry-run looks up every lone article's).
type AheadLooker interface {
	// LookAhead reads the stored band rows of every list of bands in
	// lists and returns a Lookup whose Candidates answers from them for
	// those bands (from the store for others); its other methods are the
	// store's.
	LookAhead(ctx context.Context, lists [][]uint64) (Lookup, error)
}

// NamingPrefetcher is a write transaction (Tx) that can read ahead, in
// one statement, what FirstNaming will be asked for a batch's URLs, and
// answer from memory (SQLite: ingest asks it for every new article that
// matches nothing by its text, and a statement per article costs a few
// per cent of an import).
type NamingPrefetcher interface {
	// PrefetchNaming reads ahead FirstNaming of each of urls.
	PrefetchNaming(ctx context.Context, urls []string) error
}

// ClusterLister is a backend that can list its near-duplicate clusters
// of more than one article (ScanCollapsed uses it).
type ClusterLister interface {
	// SharedClusters returns the ids of the clusters that hold more
	// than one article.
	SharedClusters(ctx context.Context) (map[string]bool, error)
}

// Pinger is a backend on a server that can be away (PostgreSQL): Ping
// says whether it answers now. A worker asks it when a job fails, to tell
// an archive that is down (wait for it) from a job that fails (count a
// try against the job).
type Pinger interface {
	Ping(ctx context.Context) error
}

// LastmodKeeper is a frontier that keeps, with each URL, the last
// sitemap lastmod the harvester saw for it (FrontierItem.Lastmod and
// LastmodFetched, written by Enqueue and read by every method that
// returns frontier items), so that harvests run one after another decide
// whether a page changed as one long run would.
type LastmodKeeper interface {
	// KeepLastmod sets the lastmod kept for url and whether the page was
	// fetched (or queued to be) after it was listed, and reports whether
	// the frontier holds url: an unknown URL is left alone, false and no
	// error. A zero lastmod forgets what was kept.
	KeepLastmod(ctx context.Context, url string, lastmod time.Time, fetched bool) (bool, error)
}

// Validators are the HTTP validators of a document fetched before, which
// make the next request for it conditional (If-None-Match,
// If-Modified-Since). The zero value is none.
type Validators struct {
	ETag, LastModified string
}

// KeptValidators are the validators kept for a sitemap URL, and when
// they were kept (as a Dumper lists them).
type KeptValidators struct {
	URL string `json:"url"`
	Validators
	Kept time.Time `json:"kept"`
}

// ValidatorKeeper keeps the validators of the sitemaps a poll reads that
// are not a source's own URL (a source keeps its own in Source.ETag and
// Source.LastModified): the children of a sitemap index, the sitemaps a
// site's robots.txt names. Kept in the archive, they make the next poll
// conditional whether or not it runs in the same process.
type ValidatorKeeper interface {
	// SitemapValidators returns the validators kept for url, the zero
	// value when none are.
	SitemapValidators(ctx context.Context, url string) (Validators, error)
	// KeepSitemapValidators sets the validators kept for url; the zero
	// value forgets them.
	KeepSitemapValidators(ctx context.Context, url string, v Validators) error
}

// OriginLister is a backend that can list the syndicated copies of an
// article: the articles that name it as their original
// (Record.OriginalURL).
type OriginLister interface {
	// NamingOriginal returns up to n (1..MaxLimit) of the articles whose
	// OriginalURL is url, without their text, oldest first (ties by id),
	// and how many there are.
	NamingOriginal(ctx context.Context, url string, n int) ([]*Record, int, error)
}

// ChangeScanner is a backend that can scan only the articles it wrote
// since a time (both backends): herald export --changed-since, for
// exports that bring a copy of the archive up to date.
type ChangeScanner interface {
	// ScanChanged is Scan of the articles matching q that the archive
	// wrote at or after since, by the writing process's clock (the
	// database server's for PostgreSQL), to the millisecond: stored,
	// replaced by a new version, refreshed, or moved to another cluster.
	// Articles last written before the archive began to record when
	// (before its migration that added it) count as written then.
	ScanChanged(ctx context.Context, q *query.Query, since time.Time, fn func(*Record) error) error
	// ChangeClock is the time now by the clock ScanChanged's times are
	// read on, the database server's for PostgreSQL: where a delta
	// starts from, and what "36h ago" is reckoned from.
	ChangeClock(ctx context.Context) (time.Time, error)
}

// Deletion is an article the archive deleted (herald delete, DELETE
// /api/articles/{id}), as DeletionScanner lists it.
type Deletion struct {
	// ID is the article's id.
	ID string `json:"id"`
	// CanonicalURL is the article's canonical URL.
	CanonicalURL string `json:"canonical_url"`
	// Deleted is when, by the archive's clock (ChangeScanner.ChangeClock),
	// to the millisecond.
	Deleted time.Time `json:"deleted"`
}

// DeletionScanner is a backend that records the articles it deletes
// (both backends): herald deleted, and the deletions a copy kept up to
// date by deltas (ChangeScanner) must apply.
type DeletionScanner interface {
	// ScanDeleted calls fn for each article deleted at or after since,
	// by the clock ChangeScanner.ChangeClock reads, that the archive
	// does not hold now (one archived again after its deletion is not
	// listed), in order of deletion, then id. An article deleted twice
	// is listed once, with its later time.
	ScanDeleted(ctx context.Context, since time.Time, fn func(Deletion) error) error
	// DeletionsFrom is when the archive began recording deletions (its
	// migration that added it): those before are not known. It is the
	// Unix epoch for an archive that recorded them from its start.
	DeletionsFrom(ctx context.Context) (time.Time, error)
}

// DeletionRestorer is a backend that can take in the deletions another
// archive recorded (both backends): herald migrate-archive copies them,
// so that a copy kept up to date by deltas of the source can go on from
// the new archive.
type DeletionRestorer interface {
	// RestoreDeletions records ds as deletions of this archive, at their
	// times; an id recorded already keeps the later time. It returns how
	// many it added or moved later, in one transaction.
	RestoreDeletions(ctx context.Context, ds []Deletion) (int, error)
	// RestoreDeletionsFrom sets when the archive began recording
	// deletions (DeletionScanner.DeletionsFrom) to from: a new archive
	// that holds the deletions of one that recorded them since from.
	RestoreDeletionsFrom(ctx context.Context, from time.Time) error
}

// MetaScanner is a backend that can scan articles without reading their
// texts (both backends): herald delete and herald recluster list the
// articles they will work on with it, and read a text only when they
// need it.
type MetaScanner interface {
	// ScanMeta is Scan (same articles, order and snapshot) with every
	// record's Text left empty.
	ScanMeta(ctx context.Context, q *query.Query, fn func(*Record) error) error
}

// ScanMeta calls fn for each article matching q as Scan does, without its
// text when st is a MetaScanner; otherwise the records have their texts.
func ScanMeta(ctx context.Context, st Store, q *query.Query, fn func(*Record) error) error {
	if m, ok := st.(MetaScanner); ok {
		return m.ScanMeta(ctx, q, fn)
	}
	return st.Scan(ctx, q, fn)
}
