package canon

import (
	"net/url"
	"strings"
)

// maxRefLen bounds a link Resolve accepts; real links are far shorter.
const maxRefLen = 8 << 10

// ParseBase parses the URL of a document (a page, feed or sitemap) to
// resolve its links against; nil when s is not an absolute URL with a
// host.
func ParseBase(s string) *url.URL {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil
	}
	return u
}

// Resolve turns a link found in a document into an absolute URL: it trims
// ref and drops the tabs and newlines browsers ignore in URLs, resolves it
// against base (when base is not nil), drops the fragment, and reports
// whether the result is an http or https URL with a host. It does not
// canonicalise: feed, sitemap and crawl code keep URLs as published and
// the archive canonicalises with URL.
func Resolve(base *url.URL, ref string) (string, bool) {
	ref = strings.TrimSpace(ref)
	if strings.ContainsAny(ref, "\t\n\r") {
		ref = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(ref)
	}
	if ref == "" || len(ref) > maxRefLen {
		return "", false
	}
	u, err := url.Parse(ref)
	if err != nil {
		return "", false
	}
	if !u.IsAbs() {
		if base == nil {
			return "", false
		}
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	u.Fragment, u.RawFragment = "", ""
	out := u.String()
	// What url.Parse took apart need not read back ("//::" gives the
	// host "::", and "https://::" is refused): a URL handed on must.
	if back, err := url.Parse(out); err != nil || back.Hostname() == "" {
		return "", false
	}
	return out, true
}
