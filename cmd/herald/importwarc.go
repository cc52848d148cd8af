package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/fetch"
	"github.com/herald-archive/herald/internal/harvest"
	"github.com/herald-archive/herald/internal/queue"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// warcBatch is how many articles one transaction of herald import warc
// stores unless --batch says otherwise (harvest.ImportWARC's default).
const warcBatch = 500

func newImportWARCCmd(e *env, progressFlag *string, batch *batchFlag) *cobra.Command {
	var asJSON bool
	var workers int
	var downloadDir string
	var allowPrivate bool
	var nf natsFlags
	var of onlyFlags
	var copyCaptures bool
	var lists []string
	var listBase string
	cmd := &cobra.Command{
		Use:   "warc FILE|URL... | --list FILE|URL",
		Short: "Import the HTML pages of WARC files (e.g. Common Crawl CC-NEWS), plain or gzipped",
		Long: `Import warc streams WARC files (plain, gzip per record or whole-file gzip)
and stores the articles of their HTML response records through the same
extraction and deduplication as herald harvest. Other records, non-HTML
responses, error statuses, pages that are not articles and "soft 404s"
(pages answered with 200 that only say "Page not found") are skipped and
counted. Damaged records (truncated, corrupt) are reported with their
offset and skipped, and a file that is not a WARC file (or cannot be
opened) is reported and skipped; the exit status is then 1. When every
file fails so, a new archive is not left behind empty. A page whose HTTP
body cannot be read (cut short of its Content-Length, as a crawler's size
cap leaves a record marked WARC-Truncated, or in a content coding that
does not decode) is named with its offset and URL, skipped and counted as
"unreadable payload"; the exit status stays as it is. So is a page whose
record does not match its WARC-Block-Digest (a corrupted copy), but its
article is imported (with --nats, its job queued): herald check --fixity
and export --format warc will report its capture as damaged. Records that
are no pages (another status than 2xx, not HTML) are not checked. Past 20
records of either kind in a file, the rest are counted in one line after
it.

Each article keeps a reference to its record in the WARC file, so herald
reextract can rebuild it later: keep the files where they are. A WARC file
gzipped as one stream (rather than one gzip member per record, as the WARC
standard recommends) is imported all the same, but its records after the
first have no offset of their own to refer to: their articles keep
no capture reference and herald reextract cannot rebuild them. Import
says so, file by file; to keep the references, recompress such a file
with one gzip member per record first (for example with warcio
recompress).

A URL (http or https) is downloaded and imported at once, as the bytes
arrive, into --download-dir (by default the archive path + .downloads),
where the file stays under its host and path, as wget -x lays them out
(data.commoncrawl.org/crawl-data/CC-NEWS/…), and the articles' capture
references name it. It is written as NAME.part until whole: a download
that stops (a network failure, Ctrl-C) keeps its part and is reported
(exit 1; 130 interrupted), and the same command run again resumes it
where it stopped (a Range request; a server without ranges sends the
whole file again) and imports the whole file, the articles already stored
counting as unchanged. Until it is whole, the captures of the articles
imported from it are read from NAME.part (herald serve, reextract,
export --format warc), and herald check --fixity says the download stopped. A URL whose file is already downloaded is read from disk.
robots.txt is not asked: it governs crawling, not fetching a file named
by its address. Loopback and private addresses are refused unless
--allow-private is given.

With --nats, the records are not extracted here: one extract job per HTML
response record (its file, offset and record id) is queued for the herald
worker processes, which must be able to read the files at the same absolute
path (a shared volume); a URL is downloaded whole first. WARC files gzipped
as one stream have no record offsets and are refused with --nats.

A CC-NEWS file holds the news of thousands of sites in many languages.
--site (or --sites FILE, one a line) keeps only the pages of the sites
named, and the hosts under them, as site: reads a site in a query; the
others are skipped unread, without extracting them, and counted as
"other site". --lang keeps only the articles in the languages named, as
lang: reads them (pt keeps pt and pt-BR); the others are counted as
"other language", and articles whose language cannot be told as
"language unknown". The two combine: a page must pass both.

--copy-captures copies the records of each article stored (its response
and its request, byte for byte, and the redirects the file holds right
before the response, which the WARC export then writes before it) into
the archive's own WARC
folder (the archive path + .warc, where harvests write) and refers to the
copies, so the imported file is no longer needed: herald reextract, the
capture view, export --format warc and delete --erase-captures work from
the copies. A file given as a URL is then removed once imported whole,
unless an article could not be copied or kept no reference (a file
gzipped as one stream), or articles imported from it before without
--copy-captures, unchanged, still refer to it: with --site or --lang, a
gigabyte CC-NEWS file leaves only the records of the articles kept. An
article already copied from the same record, or unchanged since another
capture, is not copied again.

--list names a listing of WARC files to import, a file or a URL, plain or
gzipped, one a line, such as Common Crawl's monthly
https://data.commoncrawl.org/crawl-data/CC-NEWS/2024/06/warc.paths.gz: a
relative path in it is taken under the root of the listing's URL (or
--base; in a listing file without --base, as a file beside it). A URL
imported to its end leaves NAME.imported in the download folder, saying
with which --site, --lang and --copy-captures: run again with the same
options (a listing restarted after an interruption), it is skipped
without being fetched; remove the marker to import it again.`,
		Example: `  herald import warc CC-NEWS-20240601000000-00001.warc.gz
  herald import warc https://data.commoncrawl.org/crawl-data/CC-NEWS/2024/06/CC-NEWS-20240601000000-00001.warc.gz
  herald import warc --json crawl/*.warc.gz
  herald import warc --site gazette.example,harbour.example --lang en,de CC-NEWS-*.warc.gz
  herald import warc --sites outlets.txt --copy-captures https://data.commoncrawl.org/crawl-data/CC-NEWS/2024/06/CC-NEWS-20240601000000-00001.warc.gz`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(lists) > 0 && len(args) == 0 {
				return nil
			}
			return wantFiles(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if err := workersFlag(workers); err != nil {
				return err
			}
			if err := folderFlag("--download-dir", downloadDir, false); err != nil {
				return &exitError{code: 2, msg: err.Error()}
			}
			for _, a := range args {
				scheme, _, url := strings.Cut(a, "://")
				if _, err := os.Stat(a); url && errors.Is(err, fs.ErrNotExist) && !isHTTPURL(a) && !strings.ContainsAny(scheme, "/\\") {
					return &exitError{code: 2, msg: fmt.Sprintf("%s: only http and https URLs are downloaded (and no file has that name)", a)}
				}
			}
			size, err := batch.size(cmd, warcBatch)
			if err != nil {
				return err
			}
			progress, err := showProgress(*progressFlag, e.stderr)
			if err != nil {
				return err
			}
			only, err := of.only()
			if err != nil {
				return err
			}
			if u, _ := nf.natsURL(false); copyCaptures && u != "" {
				return &exitError{code: 2, msg: "--copy-captures is not for --nats: the workers read the records where the files are"}
			}
			// URLs are downloaded into downloadDir with one client.
			var client *fetch.Client
			getClient := func() *fetch.Client {
				if client == nil {
					client = fetch.New(fetch.Options{AllowPrivate: allowPrivate})
				}
				return client
			}
			defer func() {
				if client != nil {
					client.Close()
				}
			}()
			if listBase != "" && len(lists) == 0 {
				return &exitError{code: 2, msg: "--base goes with --list"}
			}
			for _, l := range lists {
				more, err := readWARCList(ctx, getClient, l, listBase)
				if err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					return &exitError{code: 2, msg: err.Error()}
				}
				args = append(args, more...)
			}
			qc, err := nf.connect(ctx, "herald import warc", false)
			if err != nil {
				return err
			}
			hasURL := slices.ContainsFunc(args, isHTTPURL)
			if hasURL {
				getClient()
				if downloadDir == "" {
					downloadDir = defaultDownloadDir(e.db)
				}
			}
			if qc != nil {
				defer qc.Close()
				files, failed := args, 0
				if hasURL {
					// The workers read the files: each is downloaded
					// whole first.
					if files, failed = downloadAll(ctx, e, client, args, downloadDir, progress); len(files) == 0 {
						return &exitError{code: 1, msg: spellCount(failed, "download") + " failed (see above)"}
					}
				}
				return enqueueWARCFiles(ctx, e, qc, files, failed, only, asJSON)
			}
			if !hasURL {
				if err := refuseNothingToImport(e, inputFiles(args), func(name string, err error) {
					fmt.Fprintf(e.stderr, "herald: %s: %v\n", name, err)
				}); err != nil {
					return err
				}
			}
			created := newSQLiteArchive(e.db, downloadDir, archiveFiles(e.db)+".warc")
			db, err := openArchive(ctx, e, true)
			if err != nil {
				return err
			}
			defer func() {
				if db != nil {
					db.Close()
				}
			}()
			x := warcImport{workers: workers, batch: size, progress: progress, only: only}
			if copyCaptures {
				files := archiveFiles(e.db)
				w, err := warc.NewWriter(files+".warc", warc.WriterOptions{})
				if err != nil {
					return err
				}
				defer w.Close()
				x.copy, x.captureBase = w, filepath.Dir(files)
			}
			total := harvest.ImportSummary{Skipped: map[string]int{}}
			failedFiles := 0
			for _, name := range args {
				var sum *harvest.ImportSummary
				var err error
				if isHTTPURL(name) {
					sum, err = importWARCURL(ctx, e, db, client, name, downloadDir, x)
				} else {
					sum, err = importWARCFile(ctx, e, db, name, x)
				}
				if sum != nil {
					importWARCAdd(&total, sum)
				}
				if err != nil {
					if ctx.Err() != nil || !isFileError(err) {
						importWARCPrint(e.stdout, &total, asJSON)
						return err
					}
					failedFiles++
					fmt.Fprintf(e.stderr, "herald: %v\n", err)
				}
			}
			if err := importWARCPrint(e.stdout, &total, asJSON); err != nil {
				return err
			}
			if created != nil && failedFiles == len(args) && total.Responses == 0 {
				// Every file failed before its first record: the archive
				// made for them would be an empty one that later
				// commands take for the user's.
				removed, err := created.remove(ctx, db)
				db = nil
				if err != nil {
					return err
				}
				if removed {
					return &exitError{code: 1, msg: fmt.Sprintf("nothing imported: %s failed (see above; no archive created at %s)", spellCount(failedFiles, "file"), sqlitePath(e.db))}
				}
			}
			if n := total.Skipped[harvest.ReasonNotCopied]; n > 0 {
				return &exitError{code: 1, msg: fmt.Sprintf("%s not stored: their records could not be copied (see above)", spellCount(n, "article"))}
			}
			switch {
			case total.Damaged > 0 && failedFiles > 0:
				return &exitError{code: 1, msg: fmt.Sprintf("%s and %s skipped (see above)", spellCount(total.Damaged, "damaged record"), spellCount(failedFiles, "file"))}
			case total.Damaged > 0:
				return &exitError{code: 1, msg: fmt.Sprintf("%s skipped (see above)", spellCount(total.Damaged, "damaged record"))}
			case failedFiles > 0:
				return &exitError{code: 1, msg: fmt.Sprintf("%s skipped (see above)", spellCount(failedFiles, "file"))}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	cmd.Flags().IntVar(&workers, "workers", 0, fmt.Sprintf("pages extracted at once, 1 to %d (default: one per CPU)", maxWorkers))
	cmd.Flags().StringVar(&downloadDir, "download-dir", "", "folder that keeps the WARC files given as URLs (default: the archive path + .downloads)")
	cmd.Flags().BoolVar(&allowPrivate, "allow-private", false, "let URLs reach loopback and private networks")
	addOnlyFlags(cmd, &of)
	cmd.Flags().StringArrayVar(&lists, "list", nil, "import the WARC files a listing names, one a line (a file or URL, plain or gzipped; repeatable)")
	cmd.Flags().StringVar(&listBase, "base", "", "URL the relative paths of --list are taken under (default: the root of the listing's URL)")
	cmd.Flags().BoolVar(&copyCaptures, "copy-captures", false, "copy the records of the articles stored into the archive's WARC folder and refer to the copies; a file given as a URL is then removed once imported")
	addNATSFlags(cmd, &nf, false)
	return cmd
}

// enqueueWARCFiles queues one extract job per HTML response record of the
// files, for herald worker.
func enqueueWARCFiles(ctx context.Context, e *env, qc *queue.Client, names []string, failedFiles int, only harvest.Only, asJSON bool) error {
	total := harvest.ImportSummary{Skipped: map[string]int{}}
	queued := 0
	for _, name := range names {
		abs, err := filepath.Abs(name)
		if err != nil {
			return err
		}
		f, err := openFile(abs)
		if err != nil {
			failedFiles++
			fmt.Fprintf(e.stderr, "herald: %s: %v\n", name, err)
			continue
		}
		log := bufio.NewWriter(e.stderr)
		lines := newRecordLines(log, name)
		sum, err := harvest.CaptureJobs(ctx, bufio.NewReaderSize(f, 1<<20), abs, harvest.ImportOptions{
			Source: "import:" + filepath.Base(name),
			Damaged: func(re *warc.RecordError) {
				fmt.Fprintf(log, "herald: %s: skipped %v\n", name, re)
			},
			Unreadable: func(rec *warc.Record) {
				lines.line(moreUnreadable, unreadableLine(name, rec))
			},
			Mismatch: func(rec *warc.Record, err error) {
				lines.line(moreMismatched, mismatchLine(name, rec, err, true))
			},
			Only: only,
		}, func(jobs []harvest.CaptureJob) error {
			qj := make([]queue.Job, len(jobs))
			for i, j := range jobs {
				data, err := json.Marshal(j)
				if err != nil {
					return err
				}
				key := fmt.Sprintf("%s@%d", j.File, j.Offset)
				qj[i] = queue.Job{Kind: queue.Extract, Key: key, Data: data}
			}
			if err := qc.Publish(ctx, qj...); err != nil {
				return err
			}
			queued += len(jobs)
			return nil
		})
		lines.more()
		log.Flush()
		f.Close()
		if sum != nil {
			importWARCAdd(&total, sum)
		}
		var nw *warc.NotWARCError
		switch {
		case err == nil:
		case ctx.Err() == nil && errors.As(err, &nw):
			failedFiles++
			fmt.Fprintf(e.stderr, "herald: %s is %v\n", name, nw)
		case ctx.Err() == nil && errors.Is(err, harvest.ErrUnsplittable):
			failedFiles++
			fmt.Fprintf(e.stderr, "herald: %v\n", err)
		default:
			return err
		}
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Queued int `json:"queued"`
			*harvest.ImportSummary
		}{queued, &total}); err != nil {
			return err
		}
	} else {
		mismatched := ""
		if total.Mismatched > 0 {
			mismatched = fmt.Sprintf("; %s not matching its digest, queued (see above)", spellCount(total.Mismatched, "page record"))
		}
		fmt.Fprintf(e.stdout, "queued %d extract jobs from %d pages for herald worker; skipped %s; %d damaged records%s\n",
			queued, total.Responses, harvestCounts(total.Skipped), total.Damaged, mismatched)
	}
	switch {
	case failedFiles > 0:
		return &exitError{code: 1, msg: fmt.Sprintf("%d files could not be queued (see above)", failedFiles)}
	case total.Damaged > 0:
		return &exitError{code: 1, msg: fmt.Sprintf("%d damaged records skipped (see above)", total.Damaged)}
	}
	return nil
}

// importFileError is a WARC file that could not be opened.
type importFileError struct{ err error }

func (e *importFileError) Error() string { return e.err.Error() }
func (e *importFileError) Unwrap() error { return e.err }

func isFileError(err error) bool {
	var fe *importFileError
	return errors.As(err, &fe)
}

// importWARCFile imports one WARC file. A file that cannot be opened or is
// not a WARC file gives an *importFileError. Articles stored without a
// capture reference (sum.NoCapture: the file is one gzip stream) are
// reported on stderr.
func importWARCFile(ctx context.Context, e *env, st store.Store, name string, x warcImport) (sum *harvest.ImportSummary, err error) {
	f, err := openFile(name)
	if err != nil {
		return nil, &importFileError{fmt.Errorf("%s: %w", name, err)}
	}
	defer f.Close()
	abs, err := filepath.Abs(name)
	if err != nil {
		abs = name
	}
	return importWARCStream(ctx, e, st, f, f, name, abs, openSize(f), x)
}

// importWARCURL imports the WARC file at rawURL while downloading it into
// dir, where it stays for herald reextract (see streamDownload). A
// download that fails or stops gives an *importFileError.
func importWARCURL(ctx context.Context, e *env, st store.Store, client *fetch.Client, rawURL, dir string, x warcImport) (sum *harvest.ImportSummary, err error) {
	if final, err := downloadPath(rawURL, dir); err == nil && importedBefore(final, x) {
		fmt.Fprintf(e.stderr, "herald: %s: imported before with these options (%s); skipped\n", rawURL, importedMarker(final))
		return &harvest.ImportSummary{Skipped: map[string]int{}}, nil
	}
	path, err := streamDownload(ctx, e, client, rawURL, dir, func(r io.Reader, src io.ReaderAt, path string, size int64) error {
		var err error
		sum, err = importWARCStream(ctx, e, st, r, src, rawURL, path, size, x)
		var nw *warc.NotWARCError
		if errors.As(err, &nw) {
			return &notWanted{err}
		}
		return err
	})
	var de *downloadError
	var nw *notWanted
	if errors.As(err, &de) || errors.As(err, &nw) {
		err = &importFileError{err}
	}
	if err == nil && sum != nil && sum.Skipped[harvest.ReasonNotCopied] == 0 {
		if werr := os.WriteFile(importedMarker(path), []byte(x.markerText()), 0o644); werr != nil {
			fmt.Fprintf(e.stderr, "herald: %v (the next run will import %s again)\n", werr, rawURL)
		}
	}
	if err == nil && x.copy != nil && sum != nil {
		dropDownload(e, path, dir, sum)
	}
	return sum, err
}

// dropDownload removes the downloaded WARC file at path, whose articles'
// records were copied into the archive's WARC folder (--copy-captures),
// unless an article imported from it still needs it: one whose records
// could not be copied, one stored without a capture reference, or one
// imported from it before without copies and unchanged since.
func dropDownload(e *env, path, dir string, sum *harvest.ImportSummary) {
	switch {
	case sum.Skipped[harvest.ReasonNotCopied] > 0:
		fmt.Fprintf(e.stderr, "herald: %s is kept: %s could not be copied (see above); run the import again to copy them\n",
			path, spellCount(sum.Skipped[harvest.ReasonNotCopied], "article"))
	case sum.NoCapture > 0:
		fmt.Fprintf(e.stderr, "herald: %s is kept: %s no capture reference to copy (see above)\n", path, spellHave(sum.NoCapture, "article"))
	case sum.KeptSource > 0:
		fmt.Fprintf(e.stderr, "herald: %s is kept: %s imported from it before, without --copy-captures, and unchanged, still refer to it\n",
			path, spellCount(sum.KeptSource, "article"))
	default:
		if err := os.Remove(path); err != nil {
			fmt.Fprintf(e.stderr, "herald: the downloaded file could not be removed: %v\n", err)
			return
		}
		removeEmpty(filepath.Dir(path), dir)
		fmt.Fprintf(e.stderr, "herald: removed %s: the records of %s copied into the archive's WARC folder\n", path, spellCount(sum.Copied, "article"))
	}
}

// downloadAll replaces the URLs among args by the files they are
// downloaded to, whole, in dir; a download that fails is reported and
// left out, and counted in failed.
func downloadAll(ctx context.Context, e *env, client *fetch.Client, args []string, dir string, progress progressMode) (files []string, failed int) {
	for _, a := range args {
		if !isHTTPURL(a) {
			files = append(files, a)
			continue
		}
		path, err := streamDownload(ctx, e, client, a, dir, func(r io.Reader, _ io.ReaderAt, _ string, size int64) error {
			r, end := startWARCProgress(progress, e.stderr, a, size, r)
			defer end()
			_, err := io.Copy(io.Discard, r)
			return err
		})
		if err != nil {
			failed++
			fmt.Fprintf(e.stderr, "herald: %v\n", err)
			continue
		}
		files = append(files, path)
	}
	return files, failed
}

// warcImport is how herald import warc was asked to import each file.
type warcImport struct {
	workers, batch int
	progress       progressMode
	only           harvest.Only
	// copy, when set, gets copies of the articles' records
	// (--copy-captures), referred to relative to captureBase.
	copy        *warc.Writer
	captureBase string
}

// unreadableLine names a page record of the file name whose HTTP body
// could not be read (ImportOptions.Unreadable), and why; a record that
// says it was cut (WARC-Truncated) says so.
func unreadableLine(name string, rec *warc.Record) string {
	why := rec.PayloadErr.Error()
	if t := rec.Header.Get("WARC-Truncated"); t != "" {
		why += fmt.Sprintf(" (the record is marked WARC-Truncated: %s)", t)
	}
	return fmt.Sprintf("herald: %s: skipped the record at offset %d (%s): unreadable payload: %s", name, rec.Offset, rec.TargetURI, why)
}

// Kinds of records herald import warc names one by one, as counted past
// listedProblems of them in a file (recordLines.more).
const (
	moreUnreadable = "unreadable page records, skipped"
	moreMismatched = "records not matching their WARC-Block-Digest"
)

// recordLines writes the lines naming the records of one WARC file, up to
// listedProblems of each kind (as herald reextract lists its problems):
// a file with thousands of bad records would otherwise print thousands
// of lines. It is not safe for concurrent use.
type recordLines struct {
	w      io.Writer
	name   string
	listed map[string]int // lines written, by kind
	held   map[string]int // records past listedProblems, by kind
}

func newRecordLines(w io.Writer, name string) *recordLines {
	return &recordLines{w: w, name: name, listed: map[string]int{}, held: map[string]int{}}
}

// line writes line, a record of the given kind, or counts it once
// listedProblems of its kind are written.
func (l *recordLines) line(kind, line string) {
	if l.listed[kind] >= listedProblems {
		l.held[kind]++
		return
	}
	l.listed[kind]++
	fmt.Fprintln(l.w, line)
}

// more writes one line for each kind of record counted past
// listedProblems, after the file.
func (l *recordLines) more() {
	for _, kind := range []string{moreUnreadable, moreMismatched} {
		if n := l.held[kind]; n > 0 {
			fmt.Fprintf(l.w, "herald: %s: … and %d more %s\n", l.name, n, kind)
		}
	}
}

// mismatchLine names a page record of the file name whose block does not
// match its WARC-Block-Digest (ImportOptions.Mismatch), imported all the
// same, or with queued (--nats) queued as an extract job all the same.
func mismatchLine(name string, rec *warc.Record, err error, queued bool) string {
	done := "its article is imported"
	if queued {
		done = "it is queued all the same"
	}
	return fmt.Sprintf("herald: %s: the record at offset %d (%s) is damaged (%v): %s, but herald check --fixity and export --format warc will report its capture", name, rec.Offset, rec.TargetURI, err, done)
}

// importWARCStream imports the WARC file r, named name in messages, whose
// records' capture references name the file at abs.
func importWARCStream(ctx context.Context, e *env, st store.Store, r io.Reader, src io.ReaderAt, name, abs string, size int64, x warcImport) (sum *harvest.ImportSummary, err error) {
	r, endProgress := startWARCProgress(x.progress, e.stderr, name, size, r)
	log := bufio.NewWriter(e.stderr)
	var logMu sync.Mutex // CopyFailed is called from the extracting goroutines
	lines := newRecordLines(log, name)
	sum, err = harvest.ImportWARC(ctx, st, bufio.NewReaderSize(r, 1<<20), harvest.ImportOptions{
		Source:      "import:" + filepath.Base(abs),
		CapturePath: abs,
		Workers:     x.workers,
		BatchSize:   x.batch,
		Only:        x.only,
		CopyTo:      x.copy,
		CopyFrom:    src,
		CaptureBase: x.captureBase,
		CopyFailed: func(rec *warc.Record, err error) {
			logMu.Lock()
			defer logMu.Unlock()
			fmt.Fprintf(log, "herald: %s: the article of the record at offset %d (%s) was not stored: its records could not be copied: %v\n", name, rec.Offset, rec.TargetURI, err)
		},
		Damaged: func(re *warc.RecordError) {
			logMu.Lock()
			defer logMu.Unlock()
			fmt.Fprintf(log, "herald: %s: skipped %v\n", name, re)
		},
		Unreadable: func(rec *warc.Record) {
			logMu.Lock()
			defer logMu.Unlock()
			lines.line(moreUnreadable, unreadableLine(name, rec))
		},
		Mismatch: func(rec *warc.Record, err error) {
			logMu.Lock()
			defer logMu.Unlock()
			lines.line(moreMismatched, mismatchLine(name, rec, err, false))
		},
	})
	endProgress() // before anything else is written to stderr
	lines.more()
	var nw *warc.NotWARCError
	if errors.As(err, &nw) {
		err = &importFileError{fmt.Errorf("%s is %w", name, nw)}
	}
	if sum != nil && sum.NoCapture > 0 {
		fmt.Fprintf(log, "herald: %s is one gzip stream, not a gzip member per record: %s imported without capture references, so herald reextract cannot rebuild them from it; recompress it with one gzip member per record (e.g. warcio recompress) to keep them\n",
			name, spellCount(sum.NoCapture, "article"))
	}
	return sum, errors.Join(err, log.Flush())
}

// spellCount spells a count with its noun: "1 file", "2 files".
func spellCount(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if k := len(noun); k > 1 && noun[k-1] == 'y' && !strings.ContainsRune("aeiou", rune(noun[k-2])) {
		return fmt.Sprintf("%d %sies", n, noun[:k-1]) // copy, copies
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func importWARCAdd(t, s *harvest.ImportSummary) {
	t.Responses += s.Responses
	t.New += s.New
	t.Updated += s.Updated
	t.Refreshed += s.Refreshed
	t.Unchanged += s.Unchanged
	t.Duplicate += s.Duplicate
	t.Damaged += s.Damaged
	t.Mismatched += s.Mismatched
	t.NoCapture += s.NoCapture
	t.Bytes += s.Bytes
	t.Duration += s.Duration
	for k, v := range s.Skipped {
		t.Skipped[k] += v
	}
}

// importWARCPrint prints the summary of an import.
func importWARCPrint(w io.Writer, s *harvest.ImportSummary, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	rate := 0.0
	if s.Duration > 0 {
		rate = float64(s.Stored()) / time.Duration(s.Duration).Seconds()
	}
	lost := ""
	if s.NoCapture > 0 {
		lost = fmt.Sprintf("; %s without capture references (see above)", spellCount(s.NoCapture, "article"))
	}
	if s.Mismatched > 0 {
		lost += fmt.Sprintf("; %s not matching its digest, imported (see above)", spellCount(s.Mismatched, "page record"))
	}
	refreshed := ""
	if s.Refreshed > 0 {
		refreshed = fmt.Sprintf(", %d refreshed (metadata only)", s.Refreshed)
	}
	_, err := fmt.Fprintf(w, "read %d pages in %s (%.0f articles/s): %d new, %d duplicates, %d updated%s, %d unchanged; skipped %s; %d damaged records%s\n",
		s.Responses, time.Duration(s.Duration).Round(time.Millisecond), rate, s.New, s.Duplicate, s.Updated, refreshed, s.Unchanged, harvestCounts(s.Skipped), s.Damaged, lost)
	return err
}
