package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/herald-archive/herald/internal/fetch"
)

// maxListBytes caps a listing of WARC files (--list): Common Crawl's
// monthly CC-NEWS listing is a few kilobytes gzipped.
const maxListBytes = 64 << 20

// readWARCList reads a listing of WARC files (herald import warc --list):
// a file or a URL, plain or gzipped, one WARC file a line, blank lines
// and # comments ignored. A line that is a URL is taken as it is; a
// relative path is taken against base when given, else against the
// root of the listing's own URL (Common Crawl's warc.paths.gz names
// paths under https://data.commoncrawl.org/), else, for a listing file,
// as a file in the listing's folder.
func readWARCList(ctx context.Context, client func() *fetch.Client, list, base string) ([]string, error) {
	var data []byte
	var root *url.URL
	if isHTTPURL(list) {
		d, err := client().Download(ctx, list, 0)
		if err != nil {
			return nil, fmt.Errorf("--list %w", err)
		}
		defer d.Body.Close()
		data, err = io.ReadAll(io.LimitReader(d.Body, maxListBytes+1))
		if err != nil {
			return nil, fmt.Errorf("--list %s: %w", list, err)
		}
		root, _ = url.Parse(list)
		root = &url.URL{Scheme: root.Scheme, Host: root.Host, Path: "/"}
	} else {
		f, err := openFile(list)
		if err != nil {
			return nil, fmt.Errorf("--list %s: %w", list, err)
		}
		defer f.Close()
		if data, err = io.ReadAll(io.LimitReader(f, maxListBytes+1)); err != nil {
			return nil, fmt.Errorf("--list %s: %w", list, unwrapPath(err))
		}
	}
	if len(data) > maxListBytes {
		return nil, fmt.Errorf("--list %s: over %d MiB: not a listing of WARC files", list, maxListBytes>>20)
	}
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err == nil {
			data, err = io.ReadAll(io.LimitReader(zr, maxListBytes+1))
		}
		if err != nil {
			return nil, fmt.Errorf("--list %s: %v", list, err)
		}
		if len(data) > maxListBytes {
			return nil, fmt.Errorf("--list %s: over %d MiB: not a listing of WARC files", list, maxListBytes>>20)
		}
	}
	if base != "" {
		u, err := url.Parse(base)
		if err != nil || !isHTTPURL(base) || u.Host == "" {
			return nil, fmt.Errorf("--base %s: want an http(s) URL such as https://data.commoncrawl.org/", base)
		}
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		root = u
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !isUTF8Text(line) || strings.ContainsRune(line, 0) {
			return nil, fmt.Errorf("--list %s:%d: not a listing of WARC files (a line of binary data)", list, n)
		}
		switch {
		case isHTTPURL(line):
			out = append(out, line)
		case strings.Contains(line, "://"):
			return nil, fmt.Errorf("--list %s:%d: %s: only http and https URLs can be fetched", list, n, line)
		case root != nil:
			ref, err := url.Parse(strings.TrimPrefix(line, "/"))
			if err != nil {
				return nil, fmt.Errorf("--list %s:%d: %s: %v", list, n, line, err)
			}
			out = append(out, root.ResolveReference(ref).String())
		case filepath.IsAbs(line):
			out = append(out, line)
		default:
			out = append(out, filepath.Join(filepath.Dir(list), line))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--list %s: %v", list, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--list %s lists no WARC files", list)
	}
	seen := map[string]bool{}
	return slices.DeleteFunc(out, func(s string) bool {
		dup := seen[s]
		seen[s] = true
		return dup
	}), nil
}

// isUTF8Text reports whether s reads as text: valid UTF-8 without
// control characters other than tab.
func isUTF8Text(s string) bool {
	for _, r := range s {
		if r == '\uFFFD' || r < ' ' && r != '\t' {
			return false
		}
	}
	return true
}

// importedMarker is the file beside a download (NAME.imported) that says
// the import of its URL ran to its end, with which options: the same
// command run again (a listing restarted) skips it, without fetching it
// again.
func importedMarker(final string) string { return final + ".imported" }

// markerText says how a URL was imported, for importedMarker: the
// options that change what an import of the same file stores.
func (x warcImport) markerText() string {
	return fmt.Sprintf("herald import warc\nsite: %s\nlang: %s\ncopy-captures: %t\n",
		strings.Join(x.only.Sites, ","), strings.Join(x.only.Languages, ","), x.copy != nil)
}

// importedBefore reports whether the URL whose download is final was
// imported to its end before with the options of x.
func importedBefore(final string, x warcImport) bool {
	b, err := os.ReadFile(importedMarker(final))
	return err == nil && string(b) == x.markerText()
}
