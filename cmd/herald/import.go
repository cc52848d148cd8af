package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/textcorpus"
	"github.com/herald-archive/herald/internal/web"
)

// importBatch is how many records one transaction of an import of JSON
// lines or text stores unless --batch says otherwise: big enough for bulk
// speed (each commit rewrites the index pages it touched, and the
// random-keyed indexes are touched all over), small enough that an
// interruption loses little work (and a rerun redoes it without
// duplicates).
const importBatch = 5000

// maxBatch bounds --batch: a bigger transaction holds the archive's write
// lock, and its records in memory, longer without storing any faster.
const maxBatch = 50000

// batchFlag is the --batch flag of import and reextract: how many
// records one transaction stores. Smaller batches let other writers in
// more often: on PostgreSQL, a batch of up to 64 articles (the harvest
// workers' size) locks only the near-duplicate buckets it writes, where a
// bigger one locks the whole archive, stalling a fleet's workers for as
// long as it takes.
type batchFlag struct{ n int }

// batchUsage is --batch's help; %s is its default.
const batchUsage = "records stored per transaction, 1 to 50000 (default %s); 64 or fewer lets a PostgreSQL archive's harvest workers write beside it"

// openBatchJob is how reextract and recluster start: the query of their
// arguments and the batch size (def unless --batch says otherwise), both
// checked before the archive is opened for writing.
func openBatchJob(cmd *cobra.Command, e *env, args []string, batch *batchFlag, def int) (*query.Query, int, store.Store, error) {
	q, err := parseQueryArgs(args)
	if err != nil {
		return nil, 0, nil, err
	}
	size, err := batch.size(cmd, def)
	if err != nil {
		return nil, 0, nil, err
	}
	db, err := openArchive(cmd.Context(), e, false)
	if err != nil {
		return nil, 0, nil, err
	}
	return q, size, db, nil
}

// size returns the batch size: the flag's when it was given, else def.
func (b *batchFlag) size(cmd *cobra.Command, def int) (int, error) {
	if f := cmd.Flag("batch"); f == nil || !f.Changed {
		return def, nil
	}
	if b.n < 1 || b.n > maxBatch {
		return 0, fmt.Errorf("--batch %d: want 1 to %d", b.n, maxBatch)
	}
	return b.n, nil
}

// optimizeAfter is how many stored records make an import a bulk import,
// after which the archive reorganises its indexes (store.Optimizer; for
// SQLite, merging the full-text index: searches with selective filters
// get up to twice as fast). A smaller import that stores anything ends
// with the cheaper store.Tidier, when the store has it.
var optimizeAfter = 20000 // a variable for tests

func newImportCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import articles into the archive (jsonl, text, warc)",
		Long: `Import adds articles to the archive through the same deduplication as
harvesting: an article already archived is not stored twice, a changed
text becomes a new version, and copies on other URLs join one cluster.

Each batch of records is stored in one transaction: an interrupted import
leaves the archive consistent, and running it again completes it.
Problems with single records are reported with file and line; the rest is
imported and the exit status is 1.`,
	}
	var progress string
	var batch batchFlag
	cmd.PersistentFlags().StringVar(&progress, "progress", "auto", "a progress line: auto (on a terminal), always or never")
	cmd.PersistentFlags().IntVar(&batch.n, "batch", 0, fmt.Sprintf(batchUsage, fmt.Sprintf("%d, warc %d", importBatch, warcBatch)))
	cmd.AddCommand(newImportJSONLCmd(e, &progress, &batch), newImportTextCmd(e, &progress, &batch), newImportWARCCmd(e, &progress, &batch))
	return cmd
}

func newImportJSONLCmd(e *env, progress *string, batch *batchFlag) *cobra.Command {
	return &cobra.Command{
		Use:   "jsonl FILE...",
		Short: "Import JSON lines: Herald's exports or herald extract output (- for stdin)",
		Args:  wantArgs(1, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			show, err := showProgress(*progress, e.stderr)
			if err != nil {
				return err
			}
			size, err := batch.size(cmd, importBatch)
			if err != nil {
				return err
			}
			if err := refuseNothingToImport(e, inputFiles(args), skipLine(e)); err != nil {
				return err
			}
			db, err := openArchive(ctx, e, true)
			if err != nil {
				return err
			}
			defer db.Close()
			im := newImporter(ctx, db, e.stderr, show, size)
			im.captureBase = filepath.Dir(archiveFiles(e.db))
			defer im.close()
			for _, name := range args {
				if err := im.jsonlFile(e, name); err != nil {
					return err
				}
			}
			return im.finish()
		},
	}
}

func newImportTextCmd(e *env, progress *string, batch *batchFlag) *cobra.Command {
	var verbose bool
	var enc string
	cmd := &cobra.Command{
		Use:   "text FILE|DIR...",
		Short: "Import plain-text corpus files (one article per file; folders are walked for *.txt)",
		Long: `Import text reads the plain-text corpus format (" date YYYY-MM-DD URL",
then the title and paragraphs separated by blank lines), including noisy
dumps: metadata blocks (timestamps, tag lists, locale codes, image URLs and
sizes, xpaths, contact lines, repeated titles and descriptions) are lifted
into the record's fields or dropped, and glued paragraphs are split.
--verbose lists what was recovered from each file.

Files are read as UTF-8, or, when a file is not, in the legacy encoding its
bytes look like (windows-1251, koi8-r, windows-1252, shift_jis, ...); the
closing lines say which were guessed. --encoding names the encoding of all
the files instead.`,
		Args: wantFiles,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			show, err := showProgress(*progress, e.stderr)
			if err != nil {
				return err
			}
			if err := textcorpus.CheckEncoding(enc); err != nil {
				return fmt.Errorf("--encoding: %w", err)
			}
			size, err := batch.size(cmd, importBatch)
			if err != nil {
				return err
			}
			files := corpusFiles(args)
			if err := refuseNothingToImport(e, files, skipLine(e)); err != nil {
				return err
			}
			db, err := openArchive(ctx, e, true)
			if err != nil {
				return err
			}
			defer db.Close()
			im := newImporter(ctx, db, e.stderr, show, size)
			defer im.close()
			guessed := map[string]int{}
			for _, f := range files {
				if f.err != nil {
					im.skip(f.path, f.err)
					continue
				}
				if err := im.textFile(f.path, enc, verbose, guessed); err != nil {
					return err
				}
			}
			reportGuessed(e.stderr, guessed)
			return im.finish()
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "list what was recovered from each file")
	cmd.Flags().StringVar(&enc, "encoding", textcorpus.Auto, "encoding of the files: auto (UTF-8, or what each file's bytes look like), or a name such as windows-1251, koi8-r, iso-8859-1, shift_jis")
	return cmd
}

// refuseNothingToImport keeps an import whose inputs can none of them be
// read (mistyped names) from creating an empty archive that later
// commands would take for the user's: when the SQLite archive does not
// exist yet and no input opens, each is reported (report) and the
// command fails with nothing created. Standard input ("-") counts as
// readable; an existing archive or a PostgreSQL one is left to the
// import, which reports and skips what it cannot read.
func refuseNothingToImport(e *env, inputs []corpusFile, report func(name string, err error)) error {
	created := newSQLiteArchive(e.db)
	if created == nil {
		return nil
	}
	path := created.path
	errs := make([]error, len(inputs))
	for i, in := range inputs {
		if in.path == "-" && in.err == nil {
			return nil
		}
		errs[i] = in.err
		if errs[i] == nil {
			f, err := openFile(in.path)
			if err == nil {
				f.Close()
				return nil
			}
			errs[i] = err
		}
	}
	for i, in := range inputs {
		report(in.path, errs[i])
	}
	if len(inputs) == 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("nothing to import: no .txt files in the folders given (no archive created at %s)", path)}
	}
	return &exitError{code: 1, msg: fmt.Sprintf("nothing to import: no input could be read (no archive created at %s)", path)}
}

// newArchive is what a command is about to create for a SQLite archive
// that does not exist yet: the file and, of the folders that may be made
// beside it, those not there yet. It is nil for an archive that exists,
// or a PostgreSQL one.
type newArchive struct {
	path string
	dirs []string
}

// newSQLiteArchive is the newArchive of loc, whose command may make the
// folders dirs ("" for none).
func newSQLiteArchive(loc string, dirs ...string) *newArchive {
	if isPostgres(loc) {
		return nil
	}
	path := sqlitePath(loc)
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	n := &newArchive{path: path}
	for _, d := range dirs {
		if _, err := os.Stat(d); d != "" && errors.Is(err, fs.ErrNotExist) {
			n.dirs = append(n.dirs, d)
		}
	}
	return n
}

// remove closes db, the archive the command made, and removes it when
// it holds nothing (no article, no source: another process may have made
// it too, meanwhile): its file, the WAL files beside it, and the folders
// made for it while they are empty (a partial download stays). It
// reports whether it did.
func (n *newArchive) remove(ctx context.Context, db store.Store) (bool, error) {
	st, err := db.Stats(ctx)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil || st.Articles > 0 || st.Sources > 0 || st.Withheld > 0 {
		return false, err
	}
	for _, suffix := range []string{"-wal", "-shm", ""} {
		if err := os.Remove(n.path + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, fmt.Errorf("remove the empty archive: %w", err)
		}
	}
	for _, d := range n.dirs {
		os.Remove(d) // fails, leaving it, unless empty
	}
	return true, nil
}

// inputFiles is the file arguments of an import as corpusFiles, each to
// be opened.
func inputFiles(args []string) []corpusFile {
	out := make([]corpusFile, len(args))
	for i, a := range args {
		out[i] = corpusFile{path: a}
	}
	return out
}

// skipLine reports an input an import skips, as the importer does.
func skipLine(e *env) func(name string, err error) {
	return func(name string, err error) { fmt.Fprintf(e.stderr, "herald: %s: skipped: %v\n", name, err) }
}

// corpusFile is a file to import, or a path that could not be read
// (err), to be reported and skipped like a bad record.
type corpusFile struct {
	path string
	err  error
}

// corpusFiles expands the arguments: files as given, folders walked for
// *.txt files in name order. A missing path or an unreadable folder is
// kept with its error, so that the rest is imported.
func corpusFiles(args []string) []corpusFile {
	var out []corpusFile
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			out = append(out, corpusFile{a, unwrapPath(err)})
			continue
		}
		if !st.IsDir() {
			out = append(out, corpusFile{path: a})
			continue
		}
		var found []corpusFile
		filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				found = append(found, corpusFile{p, unwrapPath(err)})
				return nil // the rest of the walk goes on
			}
			if !d.IsDir() && strings.HasSuffix(strings.ToLower(d.Name()), ".txt") {
				found = append(found, corpusFile{path: p})
			}
			return nil
		})
		sort.Slice(found, func(i, j int) bool { return found[i].path < found[j].path })
		out = append(out, found...)
	}
	return out
}

// unwrapPath drops the operation and path of a *fs.PathError, which the
// report names already: "no such file or directory".
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// importer batches records into the archive and keeps the tally. Batches
// go through an archive.Bulk: the next batch is read and prepared while
// one is stored.
type importer struct {
	ctx   context.Context
	st    store.Store
	log   io.Writer
	bulk  *archive.Bulk
	size  int // records a batch stores
	batch []*store.Record
	where []string // file:line of each batched record
	seqs  []int    // and its number among the items read (see seq)

	mu       sync.Mutex // the tally and the log: batches report from the bulk goroutine
	outcomes map[store.Outcome]int
	skipped  int
	// What is skipped is said in the order it was read (line order): a
	// line refused as it is read waits for the records read before it,
	// which the loader stores, or refuses, later. seq numbers the items
	// read (records and refusals), shown counts those passed in order,
	// and held keeps the outcomes known out of order (a message, or ""
	// for a record stored).
	seq, shown int
	held       map[int]string
	// failed is a failure to hand a batch over found while skipping (see
	// unhold), which the next add, or finish, returns.
	failed error

	progress progressMode
	started  time.Time
	stored   int // records through the archive so far, for the progress line

	// captureBase is the folder relative capture file names are taken
	// from (import jsonl); captureFiles says, by resolved path, whether
	// a referenced WARC file is there; elsewhere counts the records whose
	// capture reference names a file that is not, and firstElsewhere is
	// the first such path.
	captureBase    string
	captureFiles   map[string]captureFile
	elsewhere      int
	firstElsewhere string
}

// noteCapture checks that the WARC file r's capture reference names is
// where this archive looks for it (see importer.elsewhere). It looks at
// the file alone, once per file, not at the record: every reader of a
// capture checks its record id (warc.Record.IsCapture), and reading a
// record per article would make a large import crawl.
func (im *importer) noteCapture(r *store.Record) {
	if r.Capture == nil || r.Capture.File == "" {
		return
	}
	key := store.JoinCapture(r.Capture.File, im.captureBase)
	f, ok := im.captureFiles[key]
	if !ok {
		f.path, _ = store.OrPartial(key) // NAME.part for a download that stopped
		st, err := os.Stat(f.path)
		f.there = err == nil && st.Mode().IsRegular()
		if im.captureFiles == nil {
			im.captureFiles = map[string]captureFile{}
		}
		im.captureFiles[key] = f
	}
	if !f.there {
		if im.elsewhere == 0 {
			im.firstElsewhere = f.path
		}
		im.elsewhere++
	}
}

// captureFile is where a WARC file a capture reference names was looked
// for, and whether it is there.
type captureFile struct {
	path  string
	there bool
}

// progressMode says how an import reports its progress on its log.
type progressMode int

const (
	noProgress    progressMode = iota
	progressLine               // one line rewritten in place (a terminal)
	progressLines              // a line per batch (--progress always, not a terminal)
)

// showProgress turns --progress into a mode for the log w.
func showProgress(flag string, w io.Writer) (progressMode, error) {
	flag, err := choice("--progress", flag, progressChoices...)
	if err != nil {
		return 0, err
	}
	switch flag {
	case "never":
		return noProgress, nil
	case "auto", "always":
		if isTerminal(w) {
			return progressLine, nil
		}
		if flag == "always" {
			return progressLines, nil
		}
	}
	return noProgress, nil
}

func newImporter(ctx context.Context, st store.Store, log io.Writer, progress progressMode, size int) *importer {
	return &importer{ctx: ctx, st: st, log: log, bulk: archive.NewBulk(ctx, st), size: size, outcomes: map[store.Outcome]int{},
		progress: progress, started: time.Now()}
}

// report counts a stored batch of n records into the progress line.
func (im *importer) report(n int) {
	im.mu.Lock()
	defer im.mu.Unlock()
	im.stored += n
	if im.progress == noProgress {
		return
	}
	line := fmt.Sprintf("stored %d records (%.0f/s)", im.stored, float64(im.stored)/time.Since(im.started).Seconds())
	if im.progress == progressLine {
		fmt.Fprintf(im.log, "\r%s\x1b[K", line) // the rest of the line cleared
		return
	}
	fmt.Fprintln(im.log, line)
}

// skip says that the item read at where (a file, or file:line) is
// skipped, and why, after what was read before it.
//
// The messages held wait for the records read before them, which sit in
// the batch until it is full: when there are as many of them as a batch
// has records, the batch is stored now (see unhold), so that a long run
// of lines refused after a record neither fills the memory nor keeps the
// log silent.
func (im *importer) skip(where string, err error) {
	im.mu.Lock()
	s := im.seq
	im.seq++
	im.skipAt(s, where, err)
	full := len(im.held) >= max(im.size, 1)
	im.mu.Unlock()
	if full {
		im.unhold()
	}
}

// unhold stores the records the held messages wait for (the batch, and
// the one the loader is storing), which prints the messages; if that
// fails, they are printed as they are and the failure is kept for the
// next add.
func (im *importer) unhold() {
	err := im.flush()
	if err == nil {
		err = im.bulk.Wait()
	}
	if err != nil {
		if im.failed == nil {
			im.failed = err
		}
		im.drain()
	}
}

// skipAt records that item s, read at where, is skipped [mu held].
func (im *importer) skipAt(s int, where string, err error) {
	im.skipped++
	im.hold(s, fmt.Sprintf("herald: %s: skipped: %v\n", where, err))
}

// hold records item s's message (or "" for none) and prints, in order,
// those that no earlier item is still waiting for [mu held].
func (im *importer) hold(s int, msg string) {
	if im.held == nil {
		im.held = map[int]string{}
	}
	im.held[s] = msg
	for {
		m, ok := im.held[im.shown]
		if !ok {
			return
		}
		delete(im.held, im.shown)
		im.shown++
		im.print(m)
	}
}

// drain prints the messages still held, in order, whatever they wait
// for: after the loader has ended, a record not reported never will be
// (its batch failed, and the import stops).
func (im *importer) drain() {
	im.mu.Lock()
	defer im.mu.Unlock()
	for _, s := range slices.Sorted(maps.Keys(im.held)) {
		im.print(im.held[s])
	}
	clear(im.held)
	im.shown = im.seq
}

// print writes a skipped item's message [mu held].
func (im *importer) print(msg string) {
	if msg == "" {
		return
	}
	if im.progress == progressLine && im.stored > 0 {
		fmt.Fprintln(im.log) // off the progress line
	}
	io.WriteString(im.log, msg)
}

func (im *importer) add(where string, r *store.Record) error {
	if im.failed != nil {
		return im.failed
	}
	im.mu.Lock()
	im.seqs = append(im.seqs, im.seq)
	im.seq++
	im.mu.Unlock()
	im.batch = append(im.batch, r)
	im.where = append(im.where, where)
	if len(im.batch) >= im.size {
		return im.flush()
	}
	return nil
}

// flush hands the batch to the bulk loader; a store failure (or a
// cancellation) of this batch or an earlier one stops the import, the
// failed batch rolled back.
func (im *importer) flush() error {
	if len(im.batch) == 0 {
		return nil
	}
	where, seqs := im.where, im.seqs
	err := im.bulk.Add(im.batch, func(res []archive.Result) {
		im.mu.Lock()
		for i, r := range res {
			if r.Err != nil {
				im.skipAt(seqs[i], where[i], r.Err)
				continue
			}
			im.outcomes[r.Outcome]++
			im.hold(seqs[i], "")
		}
		im.mu.Unlock()
		im.report(len(res))
	})
	im.batch, im.where, im.seqs = nil, nil, nil // the loader owns them now
	return err
}

// close waits for the batches handed over; commands defer it, so that an
// import that stops early still ends its last transaction first.
func (im *importer) close() error {
	err := im.bulk.Close()
	im.drain()
	return err
}

func (im *importer) finish() error {
	if im.failed != nil {
		return im.failed
	}
	if err := im.flush(); err != nil {
		return err
	}
	err := im.close()
	if im.progress == progressLine && im.stored > 0 {
		fmt.Fprintln(im.log) // end the progress line
	}
	if err != nil {
		return err
	}
	o := im.outcomes
	total := o[store.New] + o[store.Duplicate] + o[store.Updated] + o[store.Refreshed] + o[store.Unchanged]
	fmt.Fprintf(im.log, "imported %s: %d new, %d duplicates (clustered), %d updated", spellCount(total, "record"), o[store.New], o[store.Duplicate], o[store.Updated])
	if o[store.Refreshed] > 0 {
		fmt.Fprintf(im.log, ", %d refreshed (metadata only)", o[store.Refreshed])
	}
	fmt.Fprintf(im.log, ", %d unchanged; %d skipped", o[store.Unchanged], im.skipped)
	if o[store.Withheld] > 0 {
		fmt.Fprintf(im.log, "; %d withheld (kept out of the archive: herald withheld list)", o[store.Withheld])
	}
	fmt.Fprintln(im.log)
	if im.elsewhere > 0 {
		verb := "records came"
		if im.elsewhere == 1 {
			verb = "record came"
		}
		fmt.Fprintf(im.log, "%d %s with a capture reference to a WARC file that is not where this archive looks for it (%s, the first): "+
			"the references are kept, but herald reextract, herald check --fixity and the capture view cannot read them until the WARC files are copied there (see docs/export.md)\n",
			im.elsewhere, verb, im.firstElsewhere)
	}
	stored := o[store.New] + o[store.Duplicate] + o[store.Updated] + o[store.Refreshed]
	opt, canOptimize := im.st.(store.Optimizer)
	tidy, canTidy := im.st.(store.Tidier)
	switch {
	case canOptimize && stored >= optimizeAfter:
		fmt.Fprintf(im.log, "optimizing the archive's indexes after a bulk import…\n")
		if err := opt.Optimize(im.ctx); err != nil {
			return err
		}
	case canTidy && stored > 0:
		if err := tidy.Tidy(im.ctx); err != nil {
			return err
		}
	}
	if im.skipped > 0 {
		what := "records or files"
		if im.skipped == 1 {
			what = "record or file"
		}
		return &exitError{code: 1, msg: fmt.Sprintf("%d %s skipped (see above)", im.skipped, what)}
	}
	return nil
}

// jsonlLine is one import line: an archive record, or herald extract
// output (which may carry "input" and, for failed inputs, "error").
type jsonlLine struct {
	store.Record
	Input string `json:"input"`
	Error string `json:"error"`
	// The record's times, read here (these fields shadow the record's)
	// so that other tools' JSON lines import too: see lenientTime.
	Published lenientTime `json:"published"`
	Modified  lenientTime `json:"modified"`
}

// shapeError says in JSON's terms which field of a line has the wrong
// type and what it should be (encoding/json names Herald's Go types).
func shapeError(e *json.UnmarshalTypeError) error {
	field := e.Field
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		field = field[i+1:]
	}
	if field == "" {
		return fmt.Errorf("the line is %s, want a JSON object (one record per line)", web.JSONGot(e.Value))
	}
	return fmt.Errorf("field %q has %s where %s goes", field, web.JSONGot(e.Value), web.JSONWant(e.Type))
}

// lenientTime reads a time as RFC 3339 (what Herald writes), and also as
// an empty string or null (no time), a date alone (midnight UTC), or a
// date and time with a space and no zone (UTC), which other tools write.
type lenientTime struct{ time.Time }

// UnmarshalJSON implements json.Unmarshaler.
func (t *lenientTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &badTime{string(b)}
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly, time.DateTime, "2006-01-02T15:04:05", "2006-01-02 15:04:05Z07:00"} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v
			return nil
		}
	}
	return &badTime{s}
}

// badTime is a time lenientTime cannot read: well-formed JSON, a bad
// value.
type badTime struct{ value string }

func (e *badTime) Error() string {
	return fmt.Sprintf("time %q: want RFC 3339 (2006-01-02T15:04:05Z) or a date (2006-01-02)", e.value)
}

func (im *importer) jsonlFile(e *env, name string) error {
	var r io.Reader
	if name == "-" {
		r = e.stdin
	} else {
		f, err := openFile(name)
		if err != nil {
			im.skip(name, err)
			return nil
		}
		defer f.Close()
		r = f
	}
	br := bufio.NewReaderSize(r, 1<<20)
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF")) // a byte order mark, as some editors write
		}
		if len(bytes.TrimSpace(b)) > 0 {
			where := fmt.Sprintf("%s:%d", name, line)
			var l jsonlLine
			if jerr := json.Unmarshal(b, &l); errors.As(jerr, new(*badTime)) {
				im.skip(where, jerr)
			} else if te := new(json.UnmarshalTypeError); errors.As(jerr, &te) {
				im.skip(where, shapeError(te))
			} else if jerr != nil {
				im.skip(where, fmt.Errorf("malformed JSON: %w", jerr))
			} else if l.Error != "" {
				im.skip(where, fmt.Errorf("line records a failed extraction: %s", l.Error))
			} else {
				rec := l.Record
				rec.Published, rec.Modified = l.Published.Time, l.Modified.Time
				if rec.Source == "" {
					rec.Source = "import:" + filepath.Base(name)
				}
				im.noteCapture(&rec)
				if err := im.add(where, &rec); err != nil {
					return err
				}
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			im.skip(fmt.Sprintf("%s:%d", name, line), err)
			return nil
		}
	}
}

// textFile imports one corpus file read in encoding enc, counting in
// guessed the files whose encoding was told from their bytes.
func (im *importer) textFile(name, enc string, verbose bool, guessed map[string]int) error {
	f, err := openFile(name)
	if err != nil {
		im.skip(name, err)
		return nil
	}
	doc, err := textcorpus.ReadEncoded(f, enc)
	f.Close()
	if errors.Is(err, textcorpus.ErrEncoding) {
		err = fmt.Errorf("%w: name it with --encoding", err)
	}
	if err != nil {
		im.skip(name, err)
		return nil
	}
	if doc.Detected {
		guessed[doc.Encoding]++
	}
	if verbose {
		for _, r := range doc.Recovered {
			fmt.Fprintf(im.log, "%s: %s\n", name, r)
		}
	}
	rec := &store.Record{Article: doc.Article, Source: "import:text"}
	return im.add(name, rec)
}

// reportGuessed says how many files were read in an encoding told from
// their bytes, so that a wrong guess does not go unnoticed.
func reportGuessed(w io.Writer, guessed map[string]int) {
	if len(guessed) == 0 {
		return
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(guessed)) {
		files := "files"
		if guessed[name] == 1 {
			files = "file"
		}
		parts = append(parts, fmt.Sprintf("%d %s as %s", guessed[name], files, name))
	}
	fmt.Fprintf(w, "not UTF-8, so read in the encoding the bytes look like: %s (--encoding names it when that is wrong)\n", strings.Join(parts, ", "))
}
