package sitemap

import (
	"bytes"
	"strings"

	"github.com/herald-archive/herald/internal/canon"
)

// FromRobots returns the sitemap URLs named by the Sitemap lines of a
// robots.txt file, in order and without repeats. The field name is matched
// case-insensitively, comments are removed, and only absolute http(s) URLs
// are returned: the protocol requires them, and a robots.txt has no base
// that a relative one could be resolved against with confidence.
//
// FromRobots reads nothing else from robots.txt; the rules themselves are
// the fetcher's business.
func FromRobots(robotsTxt []byte) []string {
	robotsTxt = bytes.TrimPrefix(robotsTxt, []byte{0xef, 0xbb, 0xbf})
	var out []string
	seen := make(map[string]struct{})
	for len(robotsTxt) > 0 {
		var line []byte
		if i := bytes.IndexAny(robotsTxt, "\r\n"); i >= 0 {
			line, robotsTxt = robotsTxt[:i], robotsTxt[i+1:]
		} else {
			line, robotsTxt = robotsTxt, nil
		}
		if i := bytes.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || !strings.EqualFold(string(bytes.TrimSpace(key)), "sitemap") {
			continue
		}
		loc, ok := canon.Resolve(nil, string(value))
		if !ok {
			continue
		}
		if _, dup := seen[loc]; dup {
			continue
		}
		seen[loc] = struct{}{}
		out = append(out, loc)
	}
	return out
}
