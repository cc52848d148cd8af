package web

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/herald-archive/herald/extract"
	"github.com/herald-archive/herald/internal/export"
	"github.com/herald-archive/herald/internal/fetch"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// errExportLimit stops a Scan once the asked number of records is out.
var errExportLimit = errors.New("export limit reached")

// export streams every record matching q (ordered by date, then id) as
// JSON lines or CSV, or their raw captures as WARC (exportWARC); with
// collapse, one per near-duplicate cluster
// (store.ScanCollapsed). Errors before the first record are JSON errors; a
// failure after that aborts the connection, so a client sees a truncated
// transfer instead of a well-formed but incomplete file.
func (s *Server) export(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	q, _, err := parseQuery(v)
	if err != nil {
		return err
	}
	format, err := oneOf(v, "format", "jsonl", "jsonl", "csv", "warc")
	if err != nil {
		return err
	}
	limit, err := intParam(v, "limit", 0, 0, 1<<30)
	if err != nil {
		return err
	}
	collapse, err := boolParam(v, "collapse", false)
	if err != nil {
		return err
	}
	scan := s.st.Scan
	var since time.Time
	raw, err := value(v, "changed_since")
	if err != nil {
		return err
	}
	if raw != "" {
		if collapse {
			return badRequest("changed_since is not for collapse=true: a delta cannot tell which copy of a story an earlier export kept")
		}
		cs, ok := s.st.(store.ChangeScanner)
		if !ok {
			return fmt.Errorf("%w: this archive backend does not record when it wrote its articles", store.ErrInvalid)
		}
		start, err := cs.ChangeClock(r.Context())
		if err != nil {
			return err
		}
		if since, err = export.ParseSince(raw, start); err != nil {
			return badRequest("changed_since %v", err)
		}
		scan = func(ctx context.Context, q *query.Query, fn func(*store.Record) error) error {
			return cs.ScanChanged(ctx, q, since, fn)
		}
		w.Header().Set("Herald-Next-Changed-Since", export.NextSince(start))
	}
	if collapse {
		scan = func(ctx context.Context, q *query.Query, fn func(*store.Record) error) error {
			_, err := store.ScanCollapsed(ctx, s.st, q, fn)
			return err
		}
	}
	if format == "warc" {
		return s.exportWARC(w, r, q, scan, limit, collapse, since)
	}
	rc := http.NewResponseController(w)
	sent := &countingWriter{w: w}
	bw := bufio.NewWriterSize(sent, 64<<10)
	ew, err := export.NewWriter(bw, format)
	if err != nil {
		return err
	}
	write := func(rec *store.Record) error {
		if err := ew.Write(rec); err != nil {
			return err
		}
		return ew.Flush()
	}
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="herald-export.%s"`, format))
	if r.Method == http.MethodHead {
		// The headers a GET would send, without running the export:
		// a HEAD must not hold an export slot for a whole scan.
		w.WriteHeader(http.StatusOK)
		return nil
	}
	n := 0
	err = scan(r.Context(), q, func(rec *store.Record) error {
		if limit > 0 && n >= limit {
			return errExportLimit
		}
		n++
		if n%256 == 1 {
			// Streaming may outlast the server's WriteTimeout: keep
			// pushing the deadline while records flow.
			_ = rc.SetWriteDeadline(time.Now().Add(WriteTimeout)) // unsupported writers (tests) simply keep theirs
		}
		return write(rec)
	})
	if err != nil && !errors.Is(err, errExportLimit) {
		if sent.n == 0 {
			w.Header().Del("Content-Disposition")
			return err
		}
		if r.Context().Err() == nil {
			s.log.Error("export cut short", "query", v.Get("q"), "records", n, "err", err)
		}
		panic(http.ErrAbortHandler)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("%w: %w", errResponseStarted, err)
	}
	return nil
}

// exportWARC streams the raw captures of the records scan reads (at most
// limit, 0 for all) as one WARC file (export.WriteWARC, which reads them
// twice), reading them in the server's capture folder. What cannot be
// copied is listed in the file's last record, as the status is sent
// before it is known.
// Errors are as for export.
func (s *Server) exportWARC(w http.ResponseWriter, r *http.Request, q *query.Query, scan func(context.Context, *query.Query, func(*store.Record) error) error, limit int, collapse bool, since time.Time) error {
	v := r.URL.Query()
	versions, err := boolParam(v, "versions", true)
	if err != nil {
		return err
	}
	capturedOnly, err := boolParam(v, "captured_only", false)
	if err != nil {
		return err
	}
	if s.opts.CaptureDir == "" {
		return notFound("this server does not serve captures")
	}
	selected := func(rec *store.Record) bool {
		return !capturedOnly || (rec.Capture != nil && rec.Capture.File != "")
	}
	rc := http.NewResponseController(w)
	// each calls fn for the records the export holds, in order, keeping
	// the write deadline ahead; n counts them.
	n := 0
	each := func(ctx context.Context, fn func(*store.Record) error) error {
		n = 0
		err := scan(ctx, q, func(rec *store.Record) error {
			if !selected(rec) {
				return nil
			}
			if limit > 0 && n >= limit {
				return errExportLimit
			}
			if n%64 == 0 {
				_ = rc.SetWriteDeadline(time.Now().Add(WriteTimeout))
			}
			n++
			return fn(rec)
		})
		if errors.Is(err, errExportLimit) {
			return nil
		}
		return err
	}
	const filename = "herald-export.warc.gz"
	w.Header().Set("Content-Type", "application/warc")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	opts := export.WARCOptions{
		Open: func(name string) (*os.File, error) {
			path, ok := captureFile(s.opts.CaptureDir, name)
			if !ok {
				return nil, errors.New("the file is not inside this server's capture folder")
			}
			f, err := os.Open(path)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, unwrapPathError(err))
			}
			return f, nil
		},
	}
	if versions {
		opts.Versions = s.st.Versions
	}
	sent := &countingWriter{w: w}
	bw := bufio.NewWriterSize(sent, 64<<10)
	sum, err := export.WriteWARC(r.Context(), bw, each, export.WARCInfo{Software: fetch.DefaultUserAgent(), Query: v.Get("q"),
		Collapse: collapse, Versions: versions, ChangedSince: since, Archive: s.opts.ArchiveName, Filename: filename}, opts)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		if sent.n == 0 && r.Context().Err() == nil {
			w.Header().Del("Content-Disposition")
			return err
		}
		if r.Context().Err() == nil {
			s.log.Error("export cut short", "query", v.Get("q"), "records", n, "err", err)
		}
		panic(http.ErrAbortHandler)
	}
	if sum.Skipped > 0 || sum.ChainsSkipped > 0 {
		s.log.Warn("export left captures out", "query", v.Get("q"), "skipped", sum.Skipped, "without_capture", sum.NoCapture, "redirects_skipped", sum.ChainsSkipped)
	}
	return nil
}

// unwrapPathError drops the path an *fs.PathError repeats.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// capture serves the raw HTTP response an article was extracted from, as
// stored in its WARC file. The bytes came from the web: they are served as
// plain text in a sandbox, never as a page of this origin.
func (s *Server) capture(w http.ResponseWriter, r *http.Request) error {
	version, err := intParam(r.URL.Query(), "version", 0, 1, 1<<30)
	if err != nil {
		return err
	}
	a, err := s.article(r.Context(), r.PathValue("id"), version)
	if err != nil {
		return err
	}
	c := a.Record.Capture
	if c == nil || c.File == "" {
		return notFound("no capture was kept for this article")
	}
	if s.opts.CaptureDir == "" {
		return notFound("this server does not serve captures")
	}
	file, ok := captureFile(s.opts.CaptureDir, c.File)
	if !ok {
		return notFound("the capture file is not inside this server's capture folder")
	}
	rec, err := warc.ReadAt(file, c.Offset)
	if err != nil {
		s.log.Warn("capture unreadable", "id", a.Record.ID, "file", c.File, "offset", c.Offset, "err", err)
		return notFound("the capture could not be read")
	}
	if !rec.IsCapture(c.RecordID, a.Record.URL, a.Record.CanonicalURL) {
		// Another record at the offset: a reference imported from another
		// archive, whose WARC file of the same name here holds something
		// else, or a file replaced since. Never served as this article's.
		s.log.Warn("capture not in this archive", "id", a.Record.ID, "file", c.File, "offset", c.Offset,
			"want", c.RecordID, "found", rec.RecordID)
		return notFound("capture not in this archive: its WARC file here holds another record at the capture's offset")
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset="+captureCharset(rec))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("X-WARC-Record-ID", rec.RecordID)
	h.Set("X-WARC-Target-URI", rec.TargetURI)
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(rec.Block); err != nil {
		return fmt.Errorf("%w: %w", errResponseStarted, err)
	}
	return nil
}

// captureCharset is the character set to show a raw HTTP response in as
// text: the one its page was extracted in (extract.Charset), so that a
// page captured in Latin-1 or windows-1251 reads as it did. A body in a
// content coding (gzip …), in a charset that is not ASCII-compatible
// (UTF-16), whose headers would not read, or a record that is not an
// HTTP response, is shown as UTF-8.
func captureCharset(rec *warc.Record) string {
	if rec.HTTPHeader == nil || rec.PayloadErr != nil {
		return "utf-8"
	}
	if ce := rec.HTTPHeader.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return "utf-8"
	}
	_, name := extract.Charset(rec.Payload, rec.HTTPHeader.Get("Content-Type"))
	if strings.HasPrefix(name, "utf-16") || name == "replacement" {
		return "utf-8"
	}
	return name
}

// countingWriter counts the bytes that reached the client.
type countingWriter struct {
	w http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// captureFile resolves a stored capture file name: relative names are
// taken inside dir, absolute ones must lie inside it. Records can be
// imported from files, so a name is never trusted to stay in the folder.
// A download that stopped is read from its NAME.part (store.OrPartial).
func captureFile(dir, name string) (string, bool) {
	if !filepath.IsAbs(name) {
		if !filepath.IsLocal(name) {
			return "", false
		}
		path, _ := store.OrPartial(filepath.Join(dir, name))
		return path, true
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	rel, err := filepath.Rel(absDir, filepath.Clean(name))
	if err != nil || !filepath.IsLocal(rel) {
		return "", false
	}
	path, _ := store.OrPartial(filepath.Join(absDir, rel))
	return path, true
}
