package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/export"
	"github.com/herald-archive/herald/internal/fetch"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/textcorpus"
)

func newExportCmd(e *env) *cobra.Command {
	var format, out, captures string
	var collapse, noVersions, capturedOnly bool
	var changedSince string
	cmd := &cobra.Command{
		Use:   "export [QUERY]",
		Short: "Write archived articles as JSON lines, CSV, plain-text corpus files or their raw captures as WARC",
		Long: `Export streams the articles matching QUERY (all when it is empty) in a
stable order (by date, then id), so running it twice gives identical bytes.

  jsonl  one archive record per line (re-importable with herald import jsonl)
  csv    the fixed column set of docs/export.md
  text   the plain-text corpus format, one file per article in the folder
         --out names (file names from the UTC date and the article id)
  warc   the raw HTTP captures the articles were extracted from, as one
         WARC file: a warcinfo record describing the export, then for
         each article the captures of its earlier versions and its own,
         each the records of the redirects that led to the page (each
         hop's response and request, as harvested), then its response
         record, all copied as stored (their WARC-Record-ID and
         WARC-Block-Digest are the originals), with the request record
         that goes with it. Each record is its own gzip member
         (.warc.gz); an --out name ending in .warc gets them
         uncompressed. --no-versions leaves earlier versions' captures
         out. It is not written to a terminal.

A capture that cannot be copied (its WARC file is not there, the record
at its offset is another, it was erased, it is damaged) is named on
standard error with its article and left out, as is each article without
a capture (imported from JSON lines or text), unless --captured-only
selects only the articles that have one, and each capture whose
redirects cannot be copied (the page's records are then written without
them); the rest is written, a metadata record at the end of the file
lists what was left out, and the exit status is 1. Captures stored
before December 2026 do not say where their redirects start: they are
looked for right before the response, reading at most 2 MiB back
(docs/export.md says what that cannot find). Relative capture file names are taken from --captures, by
default the archive's folder (the working folder for PostgreSQL).

Without --out, jsonl, csv and warc go to standard output. An --out file is
written under a temporary name and renamed when complete; a read-only
file (or folder) is not replaced: the export fails and leaves it as it is.

--collapse leaves near-duplicates out: of each cluster of syndicated or
lightly edited copies it writes only the first matching article in that
order (the earliest dated, usually where the story first appeared), for
a corpus without repeated texts.

--changed-since WHEN keeps only the articles the archive wrote at or after
WHEN: stored, given a new version, refreshed or moved to another cluster.
WHEN is a time (2026-12-01T06:00:00Z), a day (2026-12-01, from 00:00 UTC)
or a time ago (90m, 36h, 7d). Such deltas keep a copy of a growing
archive up to date: load them by id, newest record winning. The export
ends by naming the --changed-since of the next delta, a minute before
this one started, so that an article written by a transaction still open
then comes again rather than never. Articles stored before the archive
recorded when count as written when its migration ran. Deletions are not
in a delta: herald deleted --since WHEN lists them, and the export says
on standard error how many there were since WHEN. Not with --collapse: a
delta cannot tell which copy of a story an earlier one kept.`,
		Example: `  herald export --format jsonl --out corpus.jsonl 'site:example.org'
  herald export --format text --out corpus/ 'lang:en after:2024-01-01'
  herald export --collapse --out unique.jsonl 'lang:en'
  herald export --format warc --out gazette.warc.gz 'site:gazette.example'
  herald export --changed-since 25h --out delta.jsonl 'lang:en'`,
		Args: cobra.ArbitraryArgs, // the words of one query
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			ctx := cmd.Context()
			q, err := parseQueryArgs(args)
			if err != nil {
				return err
			}
			if format, err = choice("--format", format, "jsonl", "csv", "text", "warc"); err != nil {
				return err
			}
			if format != "warc" {
				switch {
				case captures != "":
					return &exitError{code: 2, msg: "--captures goes with --format warc"}
				case noVersions:
					return &exitError{code: 2, msg: "--no-versions goes with --format warc"}
				case capturedOnly:
					return &exitError{code: 2, msg: "--captured-only goes with --format warc"}
				}
			}
			if changedSince != "" {
				if collapse {
					return &exitError{code: 2, msg: "--changed-since is not for --collapse: a delta cannot tell which copy of a story an earlier export kept (export deltas whole, and collapse by cluster_id where you load them)"}
				}
				// Read again by the archive's clock once it is open.
				if _, err := export.ParseSince(changedSince, time.Now()); err != nil {
					return &exitError{code: 2, msg: "--changed-since " + err.Error()}
				}
			}
			if format == "text" && out == "" {
				return errors.New("--format text writes one file per article: give --out DIR")
			}
			if out == "-" {
				if format == "text" {
					return errors.New("--format text writes one file per article: give --out DIR, not -")
				}
				out = "" // standard output
			}
			if err := notTheArchive(out, e.db); err != nil {
				return err
			}
			if format == "warc" && out == "" && terminalOut(e.stdout) {
				return &exitError{code: 2, msg: "--format warc writes binary (gzip) data, not for a terminal: give --out FILE.warc.gz or redirect standard output"}
			}
			db, err := openArchive(ctx, e, false)
			if err != nil {
				return err
			}
			defer db.Close()
			scan, skipped := db.Scan, 0
			var since time.Time
			if changedSince != "" {
				cs, ok := db.(store.ChangeScanner)
				if !ok {
					return errors.New("--changed-since: this archive backend does not record when it wrote its articles")
				}
				start, err := cs.ChangeClock(ctx)
				if err != nil {
					return err
				}
				if since, err = export.ParseSince(changedSince, start); err != nil {
					return &exitError{code: 2, msg: "--changed-since " + err.Error()}
				}
				scan = func(ctx context.Context, q *query.Query, fn func(*store.Record) error) error {
					return cs.ScanChanged(ctx, q, since, fn)
				}
				defer func() {
					// Written, if with captures left out (exit 1).
					if ee := (*exitError)(nil); err == nil || errors.As(err, &ee) && ee.code == 1 {
						if ds, _, derr := deletionScanner(db); derr == nil {
							noteDeleted(ctx, e.stderr, ds, since)
						}
						fmt.Fprintf(e.stderr, "next delta: --changed-since %s\n", export.NextSince(start))
					}
				}()
			}
			if collapse {
				scan = func(ctx context.Context, q *query.Query, fn func(*store.Record) error) error {
					var err error
					skipped, err = store.ScanCollapsed(ctx, db, q, fn)
					return err
				}
			}
			if format == "warc" {
				if err := folderFlag("--captures", captures, true); err != nil {
					return err
				}
				if captures == "" {
					captures = filepath.Dir(archiveFiles(e.db))
				}
				return exportWARC(ctx, e, db, scan, q, warcExport{
					out: out, captures: captures, collapse: collapse, versions: !noVersions, capturedOnly: capturedOnly,
					query: strings.Join(args, " "), changedSince: since,
				}, func() int { return skipped })
			}
			var n int
			if format == "text" {
				n, err = exportText(ctx, scan, q, out)
			} else {
				n, err = exportStream(ctx, scan, q, format, out, e.stdout)
			}
			if err != nil {
				return err
			}
			if collapse {
				fmt.Fprintf(e.stderr, "exported %s; %s left out\n", spellCount(n, "article"),
					spellCount(skipped, "near-duplicate copy"))
				return nil
			}
			fmt.Fprintf(e.stderr, "exported %s\n", spellCount(n, "article"))
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "jsonl", "jsonl, csv, text or warc")
	cmd.Flags().StringVarP(&out, "out", "o", "", "output file (jsonl, csv, warc; - for standard output) or folder (text)")
	cmd.Flags().StringVar(&captures, "captures", "", "warc: "+capturesUsage)
	cmd.Flags().BoolVar(&noVersions, "no-versions", false, "warc: leave out the captures of earlier versions")
	cmd.Flags().BoolVar(&capturedOnly, "captured-only", false, "warc: export only the articles that have a capture, without naming the others")
	cmd.Flags().BoolVar(&collapse, "collapse", false, "write one article per near-duplicate cluster (the earliest dated)")
	cmd.Flags().StringVar(&changedSince, "changed-since", "", "only the articles written (stored, updated, refreshed, reclustered) at or after this time, day or time ago (2026-12-01T06:00:00Z, 2026-12-01, 36h, 7d)")
	queryFlagHint(cmd)
	return cmd
}

// notTheArchive refuses an --out that is the SQLite archive at loc or one
// of its companion files: the export would replace the archive with
// itself as JSON lines.
func notTheArchive(out, loc string) error {
	if out == "" || loc == "" || isPostgres(loc) {
		return nil
	}
	db := sqlitePath(loc)
	if db == "" {
		return nil
	}
	o, err := os.Stat(out)
	if err != nil {
		return nil // nothing there yet, so not the archive
	}
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		if a, err := os.Stat(db + suffix); err == nil && os.SameFile(o, a) {
			return fmt.Errorf("--out %s is the archive (%s): export to another file", out, db+suffix)
		}
	}
	return nil
}

// scanner reads the articles matching a query in export order: a
// store's Scan, or store.ScanCollapsed.
type scanner func(ctx context.Context, q *query.Query, fn func(*store.Record) error) error

// exportStream writes JSON lines or CSV of what scan reads to out (see
// exportTo) or to stdout.
func exportStream(ctx context.Context, scan scanner, q *query.Query, format, out string, stdout io.Writer) (n int, err error) {
	err = exportTo(ctx, format, out, stdout, func(w io.Writer) error {
		ew, err := export.NewWriter(w, format)
		if err != nil {
			return err
		}
		err = scan(ctx, q, func(r *store.Record) error {
			n++
			return ew.Write(r)
		})
		if err == nil {
			err = ew.Flush()
		}
		return err
	})
	return n, err
}

// exportTo runs write on out (a file, written to a temporary name and
// renamed when write succeeded; a device or named pipe, written to
// directly) or on stdout when out is "". The writer is buffered; write's
// error, or one writing, fails the export and leaves out as it was.
func exportTo(ctx context.Context, format, out string, stdout io.Writer, write func(io.Writer) error) (err error) {
	var w io.Writer = stdout
	var tmp *os.File
	mode := fs.FileMode(0o644)
	if fd, ok := descriptorOf(out); ok && out != "" {
		// One of this process's descriptors (--out /dev/stdout >> all.jsonl):
		// written through, where the shell pointed it. Opened by name or
		// renamed over, the file it writes to would be overwritten or
		// replaced.
		if fd != 1 {
			f, err := dupDescriptor(fd, out)
			if err != nil {
				return fmt.Errorf("export: cannot write %s: %w", out, err)
			}
			defer f.Close()
			w = f
		}
		out = ""
	}
	st, serr := os.Stat(out)
	if out != "" && serr == nil && !st.IsDir() && !st.Mode().IsRegular() {
		// A device or a named pipe (/dev/null, a FIFO a program reads):
		// written to as it is. Renaming a file over it would replace it.
		open := func() (*os.File, error) { return os.OpenFile(out, os.O_WRONLY, 0) }
		if st.Mode()&fs.ModeNamedPipe != 0 {
			open = func() (*os.File, error) { return openPipe(ctx, out) }
		}
		f, err := open()
		if err != nil {
			return fmt.Errorf("export: cannot write %s: %w", out, unwrapPath(err))
		}
		defer f.Close()
		w, out = f, ""
	}
	if out != "" {
		if serr == nil && st.IsDir() {
			return fmt.Errorf("export: --out %s is a folder; --format %s writes one file (only text writes a folder)", out, format)
		}
		// A link is followed, not replaced; a file replaced keeps its
		// permissions (a new one gets 0644, where the temporary file
		// would have 0600).
		if target, lerr := filepath.EvalSymlinks(out); lerr == nil {
			out = target
		} else if link, lerr := os.Readlink(out); lerr == nil { // to a file not made yet
			if !filepath.IsAbs(link) {
				link = filepath.Join(filepath.Dir(out), link)
			}
			out = link
		}
		if st, serr := os.Stat(out); serr == nil {
			if err := readOnly(out, st); err != nil {
				return fmt.Errorf("export: cannot write %s: the file %w", out, err)
			}
			mode = st.Mode().Perm()
		}
		// jsonl, csv and warc make no folders: a folder that is not
		// there is more likely a typo than one to make.
		dir := filepath.Dir(out)
		switch st, serr := os.Stat(dir); {
		case errors.Is(serr, fs.ErrNotExist):
			return fmt.Errorf("export: cannot write %s: the folder %s does not exist", out, dir)
		case serr == nil && !st.IsDir():
			return fmt.Errorf("export: cannot write %s: %s is a file, not a folder", out, dir)
		case serr == nil:
			if err := readOnly(dir, st); err != nil {
				return fmt.Errorf("export: cannot write %s: the folder %s %w", out, dir, err)
			}
		}
		tmp, err = os.CreateTemp(dir, "."+filepath.Base(out)+".*")
		if err != nil {
			// The temporary file's name means nothing to the user: name
			// theirs, with the reason (no such folder, no permission).
			return fmt.Errorf("export: cannot write %s: %w", out, unwrapPath(err))
		}
		defer func() {
			if err != nil {
				tmp.Close()
				os.Remove(tmp.Name())
			}
		}()
		w = tmp
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if tmp != nil {
		if err = tmp.Chmod(mode); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err = tmp.Close(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err = os.Rename(tmp.Name(), out); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	return nil
}

// exportText writes one corpus file per article scan reads into dir,
// named YYYY-MM-DD-<id>.txt by the UTC day of publication, as the header
// says (textcorpus.Write), or undated-<id>.txt without a date. Existing
// files of the same name are replaced; others are left alone.
func exportText(ctx context.Context, scan scanner, q *query.Query, dir string) (int, error) {
	if err := textFolder(dir); err != nil {
		return 0, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("export: cannot make %s: %w", dir, unwrapPath(err))
	}
	n := 0
	err := scan(ctx, q, func(r *store.Record) error {
		name := "undated-" + r.ID + ".txt"
		if !r.Published.IsZero() {
			name = r.Published.UTC().Format(time.DateOnly) + "-" + r.ID + ".txt"
		}
		a := r.Article
		if strings.TrimSpace(a.Title) == "" {
			a.Title = textcorpus.Untitled
		}
		var b strings.Builder
		if err := textcorpus.Write(&b, &a); err != nil {
			return err
		}
		if err := writeFileAtomic(filepath.Join(dir, name), []byte(b.String())); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	return n, nil
}

// textFolder refuses a text export's folder dir when it, or the nearest
// of its parents that exists (MkdirAll makes the rest), is a file or
// read-only (see readOnly).
func textFolder(dir string) error {
	for p := dir; ; {
		st, err := os.Stat(p)
		switch {
		case err == nil && !st.IsDir() && p == dir:
			return fmt.Errorf("export: --out %s is a file; --format text writes a folder of files", dir)
		case err == nil && !st.IsDir():
			return fmt.Errorf("export: --out %s: %s is a file, not a folder", dir, p)
		case err == nil:
			err := readOnly(p, st)
			if err != nil && p == dir {
				return fmt.Errorf("export: cannot write into %s: the folder %w", dir, err)
			}
			if err != nil {
				return fmt.Errorf("export: cannot make %s: the folder %s %w", dir, p, err)
			}
			return nil
		}
		// Not there (or below a file, ENOTDIR): look at its parent.
		parent := filepath.Dir(p)
		if parent == p {
			return nil
		}
		p = parent
	}
}

// writeFileAtomic writes data to path through a temporary file renamed
// over it, refusing to replace a read-only file (see readOnly).
func writeFileAtomic(path string, data []byte) error {
	if st, err := os.Stat(path); err == nil {
		if err := readOnly(path, st); err != nil {
			return fmt.Errorf("cannot write %s: the file %w", path, err)
		}
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// warcExport is what herald export --format warc was asked for.
type warcExport struct {
	out, captures, query             string
	collapse, versions, capturedOnly bool
	changedSince                     time.Time
}

// exportWARC writes the raw captures of the articles scan reads as one
// WARC file (export.WriteWARC, which reads them twice).
// What is left out is named on stderr and makes the exit status 1.
// collapsed gives the near-duplicates --collapse left out, once scan ran.
func exportWARC(ctx context.Context, e *env, db store.Store, scan scanner, q *query.Query, x warcExport, collapsed func() int) error {
	// each gives the records the export holds; uncaptured counts the
	// others (--captured-only), at each call.
	uncaptured := 0
	each := func(ctx context.Context, fn func(*store.Record) error) error {
		uncaptured = 0
		return scan(ctx, q, func(r *store.Record) error {
			if x.capturedOnly && (r.Capture == nil || r.Capture.File == "") {
				uncaptured++
				return nil
			}
			return fn(r)
		})
	}
	info := export.WARCInfo{Software: fetch.DefaultUserAgent(), Query: x.query, Collapse: x.collapse, Versions: x.versions,
		ChangedSince: x.changedSince, Archive: warcArchiveName(e.db)}
	if _, fd := descriptorOf(x.out); x.out != "" && !fd {
		// A file's name, not a device's or a pipe's (/dev/stdout, a FIFO).
		if st, err := os.Stat(x.out); err != nil || st.Mode().IsRegular() {
			info.Filename = filepath.Base(x.out)
		}
	}
	opts := export.WARCOptions{
		Plain: strings.HasSuffix(strings.ToLower(x.out), ".warc"),
		Open: func(name string) (*os.File, error) {
			path := store.CaptureFile(name, x.captures)
			f, err := os.Open(path)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, unwrapPath(err))
			}
			return f, nil
		},
		Skip: func(s export.Skip) { fmt.Fprintf(e.stderr, "herald: left out %s\n", s) },
	}
	if x.versions {
		opts.Versions = db.Versions
	}
	var sum export.WARCSummary
	err := exportTo(ctx, "warc", x.out, e.stdout, func(w io.Writer) error {
		var err error
		sum, err = export.WriteWARC(ctx, w, each, info, opts)
		return err
	})
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("exported the captures of %s: %s, %s", spellCount(sum.Articles, "article"), spellCount(sum.Captures, "capture"), spellCount(sum.Records, "WARC record"))
	if sum.Chains > 0 {
		msg += fmt.Sprintf(" (%s of the redirects before %s)", spellCount(sum.Redirects, "record"), spellCount(sum.Chains, "capture"))
	}
	if sum.ChainsUnsure > 0 {
		msg += fmt.Sprintf("; for %s stored before redirect chains were recorded, the walk back stopped at its bound (a record before longer than 2 MiB, or more than 64 records of redirects): redirects before them may be missing", spellCount(sum.ChainsUnsure, "capture"))
	}
	if x.collapse {
		msg += fmt.Sprintf("; %d near-duplicate copies left out", collapsed())
	}
	if x.capturedOnly && uncaptured > 0 {
		msg += fmt.Sprintf("; %s without a capture not selected (--captured-only)", spellCount(uncaptured, "article"))
	}
	fmt.Fprintln(e.stderr, msg)
	var left []string
	if sum.NoCapture > 0 {
		left = append(left, fmt.Sprintf("%s no raw capture", spellHave(sum.NoCapture, "article")))
	}
	if sum.Skipped > 0 {
		left = append(left, spellCount(sum.Skipped, "capture")+" could not be copied")
	}
	if sum.ChainsSkipped > 0 {
		left = append(left, fmt.Sprintf("the redirects before %s could not be copied", spellCount(sum.ChainsSkipped, "capture")))
	}
	if len(left) > 0 {
		return &exitError{code: 1, msg: strings.Join(left, " and ") + " (named above; listed in the file's last record)"}
	}
	return nil
}

// spellHave is "1 article has" or "3 articles have".
func spellHave(n int, noun string) string {
	if n == 1 {
		return spellCount(n, noun) + " has"
	}
	return spellCount(n, noun) + " have"
}

// terminalOut reports whether w is a terminal, where binary output is
// almost certainly a mistake: a character device, but not the null
// device (herald export --format warc > /dev/null, to try it, is fine).
func terminalOut(w io.Writer) bool {
	if !isTerminal(w) {
		return false
	}
	st, err := w.(*os.File).Stat()
	if err != nil {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(st, null)
}

// warcArchiveName names the archive at loc in the warcinfo record of a
// WARC export: a SQLite file by its base name (the folders it sits in
// are nobody else's business), PostgreSQL as such (its URL may hold a
// password).
func warcArchiveName(loc string) string {
	if isPostgres(loc) {
		return "PostgreSQL"
	}
	return filepath.Base(sqlitePath(loc))
}
