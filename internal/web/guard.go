package web

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/fetch"
)

// The private-address guard for URLs submitted through the server (new
// sources). It classifies addresses with the fetcher's own rule
// (fetch.IsPublic) to refuse a bad source when it is submitted rather than
// at its first poll. The fetcher's dial-time check, after every DNS
// resolution, stays the real defence (a name can re-resolve elsewhere).

// resolveTimeout bounds the DNS lookup of a submitted host.
const resolveTimeout = 5 * time.Second

// checkSubmittedURL returns raw trimmed if it is an absolute http(s) URL
// without credentials whose host is public (every address it resolves to,
// unless Options.AllowPrivate). Malformed URLs are 400s; private or
// unresolvable hosts are errURLRefused (422).
func (s *Server) checkSubmittedURL(ctx context.Context, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return "", badRequest("url is required")
	case err != nil:
		return "", badRequest("url %q: %v", raw, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", badRequest("url %q: want an absolute http or https URL", raw)
	case u.Hostname() == "":
		return "", badRequest("url %q: no host", raw)
	case u.User != nil:
		return "", badRequest("url %q: credentials in URLs are not accepted", raw)
	case !validPort(u.Port()):
		return "", badRequest("url %q: port %s: want 1 to 65535", raw, u.Port())
	}
	if s.opts.AllowPrivate {
		return raw, nil
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if ip, err := netip.ParseAddr(host); err == nil {
		if !fetch.IsPublic(ip) {
			return "", fmt.Errorf("%w: %s is not a public address", errURLRefused, ip)
		}
		return raw, nil
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return "", fmt.Errorf("%w: %s is this machine", errURLRefused, host)
	}
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	addrs, err := s.opts.Resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return "", fmt.Errorf("%w: cannot resolve %s", errURLRefused, host)
	}
	for _, a := range addrs {
		if !fetch.IsPublic(a) {
			return "", fmt.Errorf("%w: %s resolves to %s, which is not a public address", errURLRefused, host, a.Unmap())
		}
	}
	return raw, nil
}

// validPort reports whether p, the port of a URL (url.URL.Port: digits or
// empty), is absent or one a server can listen on.
func validPort(p string) bool {
	if p == "" {
		return true
	}
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535
}
