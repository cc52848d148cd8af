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
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/textcorpus"
)

func newExportCmd(e *env) *cobra.Command {
	var format, out string
	var collapse bool
	cmd := &cobra.Command{
		Use:   "export [QUERY]",
		Short: "Write archived articles as JSON lines, CSV or plain-text corpus files",
		Long: `Export streams the articles matching QUERY (all when it is empty) in a
stable order (by date, then id), so running it twice gives identical bytes.

  jsonl  one archive record per line (re-importable with herald import jsonl)
  csv    the fixed column set of docs/export.md
  text   the plain-text corpus format, one file per article in the folder
         --out names (file names from the UTC date and the article id)

Without --out, jsonl and csv go to standard output. An --out file is
written under a temporary name and renamed when complete; a read-only
file (or folder) is not replaced: the export fails and leaves it as it is.

--collapse leaves near-duplicates out: of each cluster of syndicated or
lightly edited copies it writes only the first matching article in that
order (the earliest dated, usually where the story first appeared), for
a corpus without repeated texts.`,
		Example: `  herald export --format jsonl --out corpus.jsonl 'site:example.org'
  herald export --format text --out corpus/ 'lang:en after:2024-01-01'
  herald export --collapse --out unique.jsonl 'lang:en'`,
		Args: cobra.ArbitraryArgs, // the words of one query
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			q, err := parseQueryArgs(args)
			if err != nil {
				return err
			}
			switch format {
			case "jsonl", "csv":
			case "text":
				if out == "" {
					return errors.New("--format text writes one file per article: give --out DIR")
				}
			default:
				return fmt.Errorf("unknown --format %q (want jsonl, csv or text)", format)
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
			db, err := openArchive(ctx, e, false)
			if err != nil {
				return err
			}
			defer db.Close()
			scan, skipped := db.Scan, 0
			if collapse {
				scan = func(ctx context.Context, q *query.Query, fn func(*store.Record) error) error {
					var err error
					skipped, err = store.ScanCollapsed(ctx, db, q, fn)
					return err
				}
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
				fmt.Fprintf(e.stderr, "exported %d articles; %d near-duplicate copies left out\n", n, skipped)
				return nil
			}
			fmt.Fprintf(e.stderr, "exported %d articles\n", n)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "jsonl", "jsonl, csv or text")
	cmd.Flags().StringVarP(&out, "out", "o", "", "output file (jsonl, csv; - for standard output) or folder (text)")
	cmd.Flags().BoolVar(&collapse, "collapse", false, "write one article per near-duplicate cluster (the earliest dated)")
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

// exportStream writes JSON lines or CSV of what scan reads to out (a
// file, written to a temporary name and renamed when complete; a device
// or named pipe, written to directly) or to stdout.
func exportStream(ctx context.Context, scan scanner, q *query.Query, format, out string, stdout io.Writer) (n int, err error) {
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
				return 0, fmt.Errorf("export: cannot write %s: %w", out, err)
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
			return 0, fmt.Errorf("export: cannot write %s: %w", out, unwrapPath(err))
		}
		defer f.Close()
		w, out = f, ""
	}
	if out != "" {
		if serr == nil && st.IsDir() {
			return 0, fmt.Errorf("export: --out %s is a folder; --format %s writes one file (only text writes a folder)", out, format)
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
				return 0, fmt.Errorf("export: cannot write %s: the file %w", out, err)
			}
			mode = st.Mode().Perm()
		}
		// jsonl and csv make no folders: a folder that is not there is
		// more likely a typo than one to make.
		dir := filepath.Dir(out)
		switch st, serr := os.Stat(dir); {
		case errors.Is(serr, fs.ErrNotExist):
			return 0, fmt.Errorf("export: cannot write %s: the folder %s does not exist", out, dir)
		case serr == nil && !st.IsDir():
			return 0, fmt.Errorf("export: cannot write %s: %s is a file, not a folder", out, dir)
		case serr == nil:
			if err := readOnly(dir, st); err != nil {
				return 0, fmt.Errorf("export: cannot write %s: the folder %s %w", out, dir, err)
			}
		}
		tmp, err = os.CreateTemp(dir, "."+filepath.Base(out)+".*")
		if err != nil {
			// The temporary file's name means nothing to the user: name
			// theirs, with the reason (no such folder, no permission).
			return 0, fmt.Errorf("export: cannot write %s: %w", out, unwrapPath(err))
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
	ew, err := export.NewWriter(bw, format)
	if err != nil {
		return 0, err
	}
	err = scan(ctx, q, func(r *store.Record) error {
		n++
		return ew.Write(r)
	})
	if err == nil {
		err = ew.Flush()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	if tmp != nil {
		if err = tmp.Chmod(mode); err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		if err = tmp.Close(); err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		if err = os.Rename(tmp.Name(), out); err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
	}
	return n, nil
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
