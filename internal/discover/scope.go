package discover

import (
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Scope says how far a crawl may wander from its seed. The zero value keeps
// it on the seed's own host.
type Scope struct {
	// Subdomains lets the crawl onto every host of the seed's registrable
	// domain (its public suffix plus one label, e.g. example.co.uk), so a
	// seed on www.example.co.uk also covers news.example.co.uk. It has no
	// effect on IP addresses or hosts without a registrable domain.
	Subdomains bool
	// PathPrefix, when not empty, also requires the URL's path to start
	// with it at a segment boundary: "/news" covers /news and /news/a but
	// not /newsletter; "/news/" covers /news/a but not /news itself.
	PathPrefix string
}

// InScope reports whether u may be crawled from seed under opts.
//
// Hosts compare case-insensitively, without a trailing dot and with a
// leading "www." ignored, since sites answer on both and redirect between
// them; ports must match (after dropping :80 and :443), since another port
// is another server. http and https are the same site. Anything that is not
// an absolute http(s) URL is out of scope.
func InScope(u, seed string, opts Scope) bool {
	uu, ok := parseHTTP(u)
	if !ok {
		return false
	}
	su, ok := parseHTTP(seed)
	if !ok {
		return false
	}
	uh, up := hostPort(uu)
	sh, sp := hostPort(su)
	if up != sp {
		return false
	}
	if strings.TrimPrefix(uh, "www.") != strings.TrimPrefix(sh, "www.") {
		if !opts.Subdomains || net.ParseIP(sh) != nil || net.ParseIP(uh) != nil {
			return false
		}
		sd, err := publicsuffix.EffectiveTLDPlusOne(sh)
		if err != nil {
			return false
		}
		if uh != sd && !strings.HasSuffix(uh, "."+sd) {
			return false
		}
	}
	if p := opts.PathPrefix; p != "" {
		// The prefix may be written escaped or not: try both forms.
		return hasPathPrefix(uu.EscapedPath(), p) || hasPathPrefix(uu.Path, p)
	}
	return true
}

// hasPathPrefix reports whether path starts with prefix at a segment
// boundary.
func hasPathPrefix(path, prefix string) bool {
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	return strings.HasSuffix(prefix, "/") || len(path) == len(prefix) || path[len(prefix)] == '/'
}

func parseHTTP(s string) (*url.URL, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, false
	}
	return u, true
}

// hostPort returns the lower-cased host without trailing dot, and the port
// with the scheme's default left out.
func hostPort(u *url.URL) (host, port string) {
	host = strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	port = u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	return host, port
}
