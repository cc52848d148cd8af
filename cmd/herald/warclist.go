package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
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
	var src io.Reader
	var root *url.URL
	if isHTTPURL(list) {
		d, err := client().Download(ctx, list, 0)
		if err != nil {
			return nil, fmt.Errorf("--list %w", err)
		}
		defer d.Body.Close()
		src = d.Body
		root, _ = url.Parse(list)
		root = &url.URL{Scheme: root.Scheme, Host: root.Host, Path: "/"}
	} else {
		f, err := openFile(list)
		if err != nil {
			return nil, fmt.Errorf("--list %s: %w", list, err)
		}
		defer f.Close()
		src = f
	}
	r, err := gunzipped(src)
	var data []byte
	if err == nil {
		data, err = io.ReadAll(io.LimitReader(r, maxListBytes+1))
	}
	if err != nil {
		return nil, fmt.Errorf("--list %s: %v", list, unwrapPath(err))
	}
	if len(data) > maxListBytes {
		return nil, fmt.Errorf("--list %s: over %d MiB: not a listing of WARC files", list, maxListBytes>>20)
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
	seen := map[string]bool{}
	add := func(n int, line string) error {
		var in string
		switch {
		case !isUTF8Text(line):
			return fmt.Errorf("--list %s:%d: not a listing of WARC files (a line of binary data)", list, n)
		case isHTTPURL(line):
			in = line
		case strings.Contains(line, "://"):
			return fmt.Errorf("--list %s:%d: %s: only http and https URLs can be fetched", list, n, line)
		case root != nil:
			ref, err := url.Parse(strings.TrimPrefix(line, "/"))
			if err != nil {
				return fmt.Errorf("--list %s:%d: %s: %v", list, n, line, err)
			}
			in = root.ResolveReference(ref).String()
		case filepath.IsAbs(line):
			in = line
		default:
			in = filepath.Join(filepath.Dir(list), line)
		}
		if !seen[in] {
			seen[in] = true
			out = append(out, in)
		}
		return nil
	}
	var lineErr error
	err = eachListLine(bytes.NewReader(data), func(n int, line string) error {
		lineErr = add(n, line)
		return lineErr
	})
	if err != nil && err != lineErr {
		err = fmt.Errorf("--list %s: %v", list, err) // a line too long
	}
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--list %s lists no WARC files", list)
	}
	return out, nil
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
