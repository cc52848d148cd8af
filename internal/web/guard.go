package web

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// The private-address guard for URLs submitted through the server (new
// sources). The fetcher refuses non-public addresses at dial time
// (internal/fetch, dial.go), after every DNS resolution; but it exports no
// check that a caller can run up front, so this file classifies addresses
// the same way, to refuse a bad source when it is submitted rather than at
// its first poll. The fetcher's dial-time check stays the real defence
// (a name can re-resolve elsewhere later); keep the two lists in step.

// resolveTimeout bounds the DNS lookup of a submitted host.
const resolveTimeout = 5 * time.Second

// nonPublic lists ranges refused besides those netip classifies (loopback,
// private, link-local, multicast, unspecified).
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("255.255.255.255/32"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001::/32"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("fec0::/10"),
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// isPublic reports whether ip is a public unicast address. IPv6 forms
// that embed an IPv4 address (mapped, NAT64, 6to4) are judged by it.
func isPublic(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	ip = ip.Unmap()
	if b := ip.As16(); ip.Is6() && nat64.Contains(ip) {
		return isPublic(netip.AddrFrom4([4]byte(b[12:16])))
	} else if ip.Is6() && sixToFour.Contains(ip) {
		return isPublic(netip.AddrFrom4([4]byte(b[2:6])))
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

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
	}
	if s.opts.AllowPrivate {
		return raw, nil
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if ip, err := netip.ParseAddr(host); err == nil {
		if !isPublic(ip) {
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
		if !isPublic(a) {
			return "", fmt.Errorf("%w: %s resolves to %s, which is not a public address", errURLRefused, host, a.Unmap())
		}
	}
	return raw, nil
}
