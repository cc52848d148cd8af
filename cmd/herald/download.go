package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/herald-archive/herald/internal/fetch"
)

// downloadName is where, under the download folder, the file of a URL is
// kept: its host (and port), then its path, as wget -x lays them out, so
// that two URLs whose files share a name (data.warc.gz of two sites) are
// two files, and each file says where it came from. The query is left
// out: a signed URL names the same file whatever its token.
func downloadName(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return "", errors.New("not a URL Herald can fetch")
	}
	p := path.Clean("/" + u.Path)
	name := path.Base(p)
	if name == "/" || name == "." || strings.Contains(u.Path, `\`) {
		return "", errors.New("its path names no file to keep the download under")
	}
	host := strings.ToLower(u.Hostname())
	if port := u.Port(); port != "" {
		host += "_" + port
	}
	if strings.ContainsAny(host, `/\`) || host == "." || host == ".." {
		return "", errors.New("not a URL Herald can fetch")
	}
	return filepath.Join(host, filepath.FromSlash(strings.TrimPrefix(p, "/"))), nil
}

// downloadPath is where the file at rawURL is kept once downloaded into
// dir (downloadName), absolute when dir can be made so.
func downloadPath(rawURL, dir string) (string, error) {
	name, err := downloadName(rawURL)
	if err != nil {
		return "", err
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return filepath.Join(dir, name), nil
}

// downloadError is a URL whose file could not be downloaded (or resumed),
// reported and skipped like a file that cannot be opened.
type downloadError struct {
	err   error
	cause error // what stopped it, when err does not say it in its own words (an interruption)
}

func (e *downloadError) Error() string { return e.err.Error() }

func (e *downloadError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.err}
	}
	return []error{e.err, e.cause}
}

// streamDownload downloads the file at rawURL into dir and hands read,
// while it arrives, a reader of the whole file from its first byte, with
// the path the file will have and its size (-1 when the server does not
// say). The bytes go to NAME.part first, renamed
// NAME once the file is whole: a download that stops (a network failure,
// Ctrl-C) keeps its part, and the next call resumes it where it stopped
// (the part's bytes are read again from disk, so read always sees the
// whole file). src reads the bytes read has had from the file on disk,
// at their offsets. A file already downloaded is read from disk. read must
// read to the end; what it leaves is still downloaded. A read error that
// comes from read itself is returned as it is; a failed or short
// download is a *downloadError.
func streamDownload(ctx context.Context, e *env, client *fetch.Client, rawURL, dir string, read func(r io.Reader, src io.ReaderAt, path string, size int64) error) (string, error) {
	final, err := downloadPath(rawURL, dir)
	if err != nil {
		return "", &downloadError{err: fmt.Errorf("%s: %w", rawURL, err)}
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if st, err := os.Stat(final); err == nil && st.Mode().IsRegular() {
		fmt.Fprintf(e.stderr, "herald: %s: downloaded before, reading %s\n", rawURL, final)
		f, err := openFile(final)
		if err != nil {
			return "", &downloadError{err: fmt.Errorf("%s: %w", final, err)}
		}
		defer f.Close()
		return final, read(f, f, final, openSize(f))
	}
	part := final + ".part"
	var have int64
	if st, err := os.Stat(part); err == nil {
		have = st.Size()
	}
	d, err := client.Download(ctx, rawURL, have)
	if err != nil {
		return "", &downloadError{err: allowPrivateHint(err)} // nothing made
	}
	defer d.Body.Close()
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return "", &downloadError{err: fmt.Errorf("%s: download folder: %w", rawURL, unwrapPath(err))}
	}
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return "", &downloadError{err: fmt.Errorf("%s: %w", rawURL, unwrapPath(err))}
	}
	defer f.Close()
	switch {
	case d.From == 0 && have > 0:
		fmt.Fprintf(e.stderr, "herald: %s: the server cannot resume (no ranges); downloading it again\n", rawURL)
		if err := f.Truncate(0); err != nil {
			return "", &downloadError{err: fmt.Errorf("%s: %w", part, err)}
		}
		have = 0
	case have > 0:
		fmt.Fprintf(e.stderr, "herald: %s: resuming the download at byte %d\n", rawURL, have)
	default:
		fmt.Fprintf(e.stderr, "herald: %s: downloading to %s\n", rawURL, final)
	}
	if _, err := f.Seek(have, io.SeekStart); err != nil {
		return "", &downloadError{err: fmt.Errorf("%s: %w", part, err)}
	}
	in := &countingWriter{w: f}
	net := &sourceReader{r: io.TeeReader(d.Body, in)}
	whole := io.MultiReader(io.NewSectionReader(f, 0, have), net)
	readErr := read(whole, f, final, d.Size)
	var nw *notWanted
	if errors.As(readErr, &nw) {
		f.Close()
		os.Remove(part)
		removeEmpty(filepath.Dir(final), dir)
		return "", readErr
	}
	if readErr == nil {
		// What read left is downloaded all the same.
		if _, err := io.Copy(io.Discard, whole); err != nil && net.err == nil {
			net.err = err
		}
	}
	if net.err != nil && errors.Is(readErr, net.err) {
		readErr = nil // the download's failure, said below
	}
	got := have + in.n
	resume := part + " keeps what came: run the same command again to resume"
	// stopped says where the download stopped and why; cause, when
	// set, is what stopped it, for errors.Is.
	stopped := func(why string, cause error) error {
		return &downloadError{err: fmt.Errorf("%s: the download stopped at byte %d%s (%s); %s", rawURL, got, ofSize(d.Size), why, resume), cause: cause}
	}
	short := d.Size < 0 && net.err != nil || d.Size >= 0 && got != d.Size
	switch {
	case ctx.Err() != nil && (readErr == nil || errors.Is(readErr, ctx.Err())):
		return "", stopped("interrupted", ctx.Err())
	case net.err != nil:
		return "", both(readErr, stopped(net.err.Error(), nil))
	case readErr != nil && short:
		// The reader stopped on an error of its own before the end.
		return "", fmt.Errorf("%w (the download stopped with it at byte %d%s; %s)", readErr, got, ofSize(d.Size), resume)
	case in.err != nil:
		return "", both(readErr, &downloadError{err: fmt.Errorf("%s: %w", part, in.err)})
	case short:
		return "", both(readErr, stopped("the server sent less than it said it would", nil))
	}
	if err := f.Sync(); err != nil {
		return "", both(readErr, &downloadError{err: fmt.Errorf("%s: %w", part, err)})
	}
	if err := os.Rename(part, final); err != nil {
		return "", both(readErr, &downloadError{err: fmt.Errorf("%s: %w", part, unwrapPath(err))})
	}
	return final, readErr
}

// openSize is f's size, or -1 when it cannot be told.
func openSize(f *os.File) int64 {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return -1
	}
	return st.Size()
}

// removeEmpty removes the folder d and its parents up to (not including)
// top while they are empty: what a download that is not kept made.
func removeEmpty(d, top string) {
	for d != top && strings.HasPrefix(d, top+string(filepath.Separator)) {
		if os.Remove(d) != nil {
			return
		}
		d = filepath.Dir(d)
	}
}

// both is a and b in one error, said on one line; b when a is nil.
func both(a, b error) error {
	if a == nil {
		return b
	}
	return fmt.Errorf("%w; %w", a, b)
}

// ofSize is " of SIZE" for a known size, else "".
func ofSize(size int64) string {
	if size < 0 {
		return ""
	}
	return fmt.Sprintf(" of %d", size)
}

// countingWriter counts what it writes, and keeps its first error (a full
// disk) while saying the write went well, so that the reader of the
// download goes on and the error is reported once, at the end.
type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return len(p), nil
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	if err != nil {
		c.err = err
	}
	return len(p), nil
}

// sourceReader remembers the error its reader gave (a network failure),
// other than the end.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// allowPrivateHint is err, a fetch refused for a loopback or private
// address, with the flag that lets it through named.
func allowPrivateHint(err error) error {
	if errors.Is(err, fetch.ErrPrivateAddress) {
		return fmt.Errorf("%w (give --allow-private to fetch from loopback and private networks)", err)
	}
	return err
}

// defaultDownloadDir is where downloaded files are kept for the archive at
// loc: beside it, in ARCHIVE.downloads.
func defaultDownloadDir(loc string) string {
	return archiveFiles(loc) + ".downloads"
}

// notWanted is the error of a streamDownload reader that found the file
// is not what it reads (not a WARC file): the download stops and its part
// is removed.
type notWanted struct{ err error }

func (e *notWanted) Error() string { return e.err.Error() }
func (e *notWanted) Unwrap() error { return e.err }
