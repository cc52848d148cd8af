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

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/export"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/textcorpus"
)

func newExportCmd(e *env) *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "export [QUERY]",
		Short: "Write archived articles as JSON lines, CSV or plain-text corpus files",
		Long: `Export streams the articles matching QUERY (all when it is empty) in a
stable order (by date, then id), so running it twice gives identical bytes.

  jsonl  one archive record per line (re-importable with herald import jsonl)
  csv    the fixed column set of docs/export.md
  text   the plain-text corpus format, one file per article in the folder
         --out names (file names from the date and the article id)

Without --out, jsonl and csv go to standard output.`,
		Example: `  herald export --format jsonl --out corpus.jsonl 'site:example.org'
  herald export --format text --out corpus/ 'lang:en after:2024-01-01'`,
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
			var n int
			if format == "text" {
				n, err = exportText(ctx, db, q, out)
			} else {
				n, err = exportStream(ctx, db, q, format, out, e.stdout)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "exported %d articles\n", n)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "jsonl", "jsonl, csv or text")
	cmd.Flags().StringVarP(&out, "out", "o", "", "output file (jsonl, csv; - for standard output) or folder (text)")
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

// exportStream writes JSON lines or CSV to out (a file, written to a
// temporary name and renamed when complete) or to stdout.
func exportStream(ctx context.Context, db store.Store, q *query.Query, format, out string, stdout io.Writer) (n int, err error) {
	var w io.Writer = stdout
	var tmp *os.File
	mode := fs.FileMode(0o644)
	if out != "" {
		if st, serr := os.Stat(out); serr == nil && st.IsDir() {
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
			mode = st.Mode().Perm()
		}
		tmp, err = os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
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
	err = db.Scan(ctx, q, func(r *store.Record) error {
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

// exportText writes one corpus file per article into dir, named
// YYYY-MM-DD-<id>.txt (undated-<id>.txt without a date). Existing files
// of the same name are replaced; others are left alone.
func exportText(ctx context.Context, db store.Store, q *query.Query, dir string) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	n := 0
	err := db.Scan(ctx, q, func(r *store.Record) error {
		name := "undated-" + r.ID + ".txt"
		if !r.Published.IsZero() {
			name = r.Published.Format("2006-01-02") + "-" + r.ID + ".txt"
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

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
