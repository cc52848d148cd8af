// Package canon turns the many spellings of an article's address into one
// canonical URL, picks between the URL a page was fetched from and the URL
// it declares (rel=canonical, og:url), and derives the archive's stable
// article id from the result.
//
// # What URL does
//
// URL accepts absolute http and https URLs only and applies, in order:
//
//   - ASCII tab and newline characters are removed anywhere and surrounding
//     spaces trimmed (as browsers do with attribute values).
//   - The scheme and host are lower-cased; an internationalised host is
//     converted to ASCII (IDNA, punycode); a trailing dot on the host is
//     dropped; IPv6 literals are written in their RFC 5952 form.
//   - User information (user:password@) and the fragment (#...) are dropped.
//   - The default port (:80 for http, :443 for https) is dropped; other
//     ports are kept, written without leading zeros.
//   - Percent-encoding is normalised in the path and the query: escapes of
//     unreserved characters (letters, digits, - . _ ~) are decoded, other
//     escapes are written with upper-case hex, and characters that may not
//     appear raw (spaces, non-ASCII bytes, quotes, ...) are escaped. A "+"
//     is left alone: it means a space in a query but not in a path.
//   - Dot segments ("." and "..") are removed and runs of slashes collapsed
//     to one; an empty path becomes "/". A trailing slash is kept: it is
//     significant on many servers.
//   - Tracking parameters and session ids are removed from the query (see
//     IsTrackingParam), as is a ";jsessionid=" path parameter; the
//     remaining parameters are sorted by name (a stable sort: repeated
//     names keep their order), and an empty query is dropped.
//   - AMP and print variants are mapped to the article page (see the
//     "Variants" section).
//
// URL deliberately does not:
//
//   - strip "www.": www.example.com and example.com are different hosts
//     and on some sites serve different content; the declared canonical URL
//     (see Choose) settles the question per page.
//   - change http to https: both are kept as given.
//   - remove parameters it does not know to be tracking: a parameter such as
//     id, p, story or article often identifies the content itself.
//   - touch the case of the path or the query, which servers may treat as
//     significant.
//   - follow redirects or look anything up: it is a pure function.
//
// # Variants
//
// Each rule below is conservative: it removes a marker only where news
// sites use it for an alternative rendering of the same article.
//
//   - A path segment that is exactly "amp", anywhere in the path:
//     /amp/world/story, /world/amp/story, /world/story/amp/. It is kept when
//     it is the only segment (/amp itself).
//   - A path segment that is exactly "print" as the first or the last
//     segment: /print/world/story, /world/story/print. Not in the middle,
//     where it is more likely a section name; kept when it is the only one.
//   - A last segment ending in ".amp.html" becomes ".html"; a last segment
//     ending in ".amp" loses the suffix (world-12345.amp).
//   - Query parameters amp and print with the value "", 1, true or yes;
//     outputType=amp; output=amp or output=print; view=print;
//     printable=1, true or yes.
//   - An AMP cache address is replaced by the page it serves:
//     www.google.com/amp/s/example.com/story (any Google host),
//     example-com.cdn.ampproject.org/c/s/example.com/story (also /v/) and
//     example-com.bing-amp.com/c/s/example.com/story become
//     https://example.com/story; without the "s" segment the page is http.
//   - A host starting with "amp." loses that label when what remains is
//     still a registrable domain (amp.example.com becomes example.com, but
//     amp.co.uk is left alone). Many publishers serve AMP from amp.example.com
//     and the article from www.example.com; URL cannot know which, so the
//     rel=canonical of the page (Choose) remains the better source.
//
// URL is idempotent: URL(URL(x)) == URL(x) for every x it accepts.
package canon

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// ErrScheme reports a URL whose scheme is not http or https.
var ErrScheme = errors.New("scheme is not http or https")

// maxLen bounds the input so that hostile input cannot make URL slow; real
// article URLs are far shorter.
const maxLen = 16 << 10

// URL returns the canonical form of the absolute http or https URL raw, as
// described in the package documentation. It returns an error wrapping
// ErrScheme for other schemes and an error for URLs it cannot parse,
// including relative URLs and URLs without a host.
func URL(raw string) (string, error) {
	u, err := canonical(raw)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// parts is a URL split into the components canon keeps.
type parts struct {
	scheme string // "http" or "https"
	host   string // lower-case ASCII host, IPv6 literals in brackets
	port   string // "" for the default port
	segs   []string
	slash  bool // path ends with "/" after at least one segment
	query  []param
}

type param struct {
	key, value string // normalised, still percent-encoded
	hasEq      bool   // "k=" rather than "k"
}

func (p *parts) String() string {
	var b strings.Builder
	b.WriteString(p.scheme)
	b.WriteString("://")
	b.WriteString(p.host)
	if p.port != "" {
		b.WriteByte(':')
		b.WriteString(p.port)
	}
	b.WriteString(p.path())
	for i, q := range p.query {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(q.key)
		if q.hasEq {
			b.WriteByte('=')
			b.WriteString(q.value)
		}
	}
	return b.String()
}

func (p *parts) path() string {
	if len(p.segs) == 0 {
		return "/"
	}
	s := "/" + strings.Join(p.segs, "/")
	if p.slash {
		s += "/"
	}
	return s
}

func canonical(raw string) (*parts, error) {
	if len(raw) > maxLen {
		return nil, fmt.Errorf("canonicalise url: longer than %d bytes", maxLen)
	}
	if strings.ContainsAny(raw, "\t\n\r") {
		raw = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(raw)
	}
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("canonicalise url: %w", err)
	}
	p := &parts{scheme: strings.ToLower(u.Scheme)}
	if p.scheme != "http" && p.scheme != "https" {
		if p.scheme == "" {
			return nil, fmt.Errorf("canonicalise url %q: not absolute", raw)
		}
		return nil, fmt.Errorf("canonicalise url %q: %w", raw, ErrScheme)
	}
	if u.Opaque != "" || u.Host == "" {
		return nil, fmt.Errorf("canonicalise url %q: no host", raw)
	}
	if p.host, err = normHost(u.Hostname()); err != nil {
		return nil, fmt.Errorf("canonicalise url %q: %w", raw, err)
	}
	if p.port, err = normPort(p.scheme, u.Port()); err != nil {
		return nil, fmt.Errorf("canonicalise url %q: %w", raw, err)
	}
	rawPath, rawQuery := splitRest(raw)
	p.segs, p.slash = normPath(dropSessionParam(rawPath))
	p.query = normQuery(rawQuery)
	if inner, ok := ampCacheTarget(p); ok {
		if q, err := canonical(inner); err == nil {
			return q, nil
		}
	}
	dropVariants(p)
	sort.SliceStable(p.query, func(i, j int) bool { return p.query[i].key < p.query[j].key })
	return p, nil
}

// splitRest returns the raw, still-escaped path and query of an absolute
// URL with an authority, which url.Parse has already accepted. The path is
// taken from the input rather than from url.URL so that escapes such as %2F
// survive exactly as written.
func splitRest(raw string) (path, query string) {
	rest := raw[strings.Index(raw, ":")+1:]
	rest = strings.TrimPrefix(rest, "//")
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[i:]
	} else {
		rest = ""
	}
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	path, query, _ = strings.Cut(rest, "?")
	return path, query
}

// idnaProfile converts internationalised hosts. It is the lookup profile
// without the strict STD3 check, so that hosts with underscores, which
// exist, are not refused.
var idnaProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false), idna.StrictDomainName(false))

// DisplayHost returns host as people read it: an internationalised host,
// which the archive files in punycode (xn--b1amnebsh.xn--p1ai), in its
// Unicode spelling (новости.рф); any other host as it is. A label that
// does not decode to characters the lookup profile allows (controls,
// direction overrides) keeps the host in punycode, so that a host cannot
// put them on a page or a terminal.
func DisplayHost(host string) string {
	if !strings.Contains(host, "xn--") {
		return host
	}
	u, err := idnaProfile.ToUnicode(host)
	if err != nil {
		return host
	}
	if _, err := idnaProfile.ToASCII(u); err != nil {
		return host
	}
	return u
}

// DisplaySite returns the host of URL raw as people read it: without
// "www.", an internationalised one in Unicode (DisplayHost); "" when raw
// does not parse.
func DisplaySite(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return DisplayHost(strings.TrimPrefix(u.Hostname(), "www."))
}

func normHost(h string) (string, error) {
	if strings.Contains(h, ":") {
		a, err := netip.ParseAddr(h)
		if err != nil {
			return "", fmt.Errorf("host %q: %w", h, err)
		}
		return "[" + a.String() + "]", nil
	}
	ascii := true
	for i := 0; i < len(h); i++ {
		if h[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		h = strings.ToLower(h)
	} else {
		a, err := idnaProfile.ToASCII(h)
		if err != nil {
			return "", fmt.Errorf("host %q: %w", h, err)
		}
		h = a
	}
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return "", errors.New("empty host")
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" {
			return "", fmt.Errorf("host %q: empty label", h)
		}
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return "", fmt.Errorf("host %q: invalid character %q", h, c)
		}
	}
	return h, nil
}

func normPort(scheme, port string) (string, error) {
	if port == "" {
		return "", nil
	}
	n, err := strconv.Atoi(port)
	if err != nil || n <= 0 || n > 65535 {
		return "", fmt.Errorf("invalid port %q", port)
	}
	if scheme == "http" && n == 80 || scheme == "https" && n == 443 {
		return "", nil
	}
	return strconv.Itoa(n), nil
}

// normPath normalises escapes, collapses slashes and removes dot segments.
// It returns the segments and whether the path ends in a slash.
func normPath(raw string) (segs []string, slash bool) {
	raw = normEscapes(raw, pathChar)
	for s := range strings.SplitSeq(raw, "/") {
		switch s {
		case "", ".":
			slash = true
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
			slash = true
		default:
			segs = append(segs, s)
			slash = false
		}
	}
	if len(segs) == 0 {
		slash = false
	}
	return segs, slash
}

func normQuery(raw string) []param {
	var out []param
	for kv := range strings.SplitSeq(raw, "&") {
		if kv == "" {
			continue
		}
		k, v, eq := strings.Cut(kv, "=")
		p := param{key: normEscapes(k, keyChar), value: normEscapes(v, queryChar), hasEq: eq}
		if IsTrackingParam(unescape(p.key)) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// unescape decodes every valid escape of s; it is used only to compare
// parameter names, never to build the output.
func unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func isSubDelim(c byte) bool {
	return strings.IndexByte("!$&'()*+,;=", c) >= 0
}

// pathChar reports whether c may appear unescaped in a path.
func pathChar(c byte) bool {
	return isUnreserved(c) || isSubDelim(c) || c == ':' || c == '@' || c == '/'
}

// queryChar reports whether c may appear unescaped in a parameter value.
func queryChar(c byte) bool {
	return c != '&' && (pathChar(c) || c == '?')
}

// keyChar reports whether c may appear unescaped in a parameter name.
func keyChar(c byte) bool {
	return c != '=' && queryChar(c)
}

// normEscapes decodes escapes of unreserved characters, upper-cases the hex
// of the others, escapes bytes that allowed rejects and escapes a "%" that
// does not start a valid escape.
func normEscapes(s string, allowed func(byte) bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			d := unhex(s[i+1])<<4 | unhex(s[i+2])
			if isUnreserved(d) {
				b.WriteByte(d)
			} else {
				b.WriteByte('%')
				b.WriteByte(hex[d>>4])
				b.WriteByte(hex[d&15])
			}
			i += 2
			continue
		}
		if c != '%' && allowed(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// site returns the registrable domain of a canonical host: the public
// suffix plus one label (example.co.uk for news.example.co.uk), using the
// public suffix list. For IP addresses, single-label hosts and hosts that
// are themselves public suffixes it returns the host unchanged.
func site(host string) string {
	if strings.HasPrefix(host, "[") {
		return host
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return host
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return host
	}
	return d
}
