package canon

import (
	"slices"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// dropVariants maps AMP and print variants to the article page, applying
// the rules of the package documentation until none applies, so that URL
// stays idempotent (x.amp.amp, /print/amp/print).
func dropVariants(p *parts) {
	p.host = dropAMPHost(p.host)
	for {
		n := len(p.segs)
		last := ""
		if n > 0 {
			last = p.segs[n-1]
		}
		if stem, ok := strings.CutSuffix(last, ".amp.html"); ok && stem != "" && stem != "." && stem != ".." {
			p.segs[n-1] = stem + ".html"
			continue
		}
		if stem, ok := strings.CutSuffix(last, ".amp"); ok && stem != "" && stem != "." && stem != ".." {
			p.segs[n-1] = stem
			continue
		}
		if n > 1 && slices.Contains(p.segs, "amp") {
			p.segs = slices.DeleteFunc(p.segs, func(s string) bool { return s == "amp" })
			if len(p.segs) == 0 {
				p.segs = []string{"amp"}
			}
			continue
		}
		if n > 1 && p.segs[0] == "print" {
			p.segs = p.segs[1:]
			continue
		}
		if n > 1 && last == "print" {
			p.segs = p.segs[:n-1]
			continue
		}
		break
	}
	p.query = slices.DeleteFunc(p.query, func(q param) bool {
		return isVariantParam(strings.ToLower(unescape(q.key)), strings.ToLower(unescape(q.value)))
	})
}

// isVariantParam reports whether the lower-cased, decoded parameter selects
// an AMP or print rendering.
func isVariantParam(key, value string) bool {
	yes := value == "" || value == "1" || value == "true" || value == "yes"
	switch key {
	case "amp", "print":
		return yes
	case "printable":
		return yes && value != ""
	case "outputtype":
		return value == "amp"
	case "output":
		return value == "amp" || value == "print"
	case "view":
		return value == "print"
	}
	return false
}

// dropAMPHost removes leading "amp." labels while the rest is still a
// registrable domain (not itself a public suffix).
func dropAMPHost(host string) string {
	for {
		rest, ok := strings.CutPrefix(host, "amp.")
		if !ok {
			return host
		}
		if _, err := publicsuffix.EffectiveTLDPlusOne(rest); err != nil {
			return host
		}
		host = rest
	}
}

// ampCacheTarget returns the address of the page an AMP cache URL serves
// (Google's /amp/s/ viewer, the ampproject.org and bing-amp.com caches),
// built from p's normalised path and query so that the result does not
// depend on how the cache URL was spelled. ok is false for other URLs and
// for cache URLs that name no page.
func ampCacheTarget(p *parts) (string, bool) {
	var rest []string
	switch {
	case isGoogleHost(p.host):
		if len(p.segs) < 2 || p.segs[0] != "amp" {
			return "", false
		}
		rest = p.segs[1:]
	case strings.HasSuffix(p.host, ".cdn.ampproject.org") || strings.HasSuffix(p.host, ".bing-amp.com"):
		if len(p.segs) < 2 || (p.segs[0] != "c" && p.segs[0] != "v") {
			return "", false
		}
		rest = p.segs[1:]
	default:
		return "", false
	}
	scheme := "http://"
	if rest[0] == "s" {
		scheme, rest = "https://", rest[1:]
	}
	if len(rest) == 0 || rest[0] == "" || strings.ContainsAny(rest[0], "%@:") {
		return "", false
	}
	u := scheme + strings.Join(rest, "/")
	if p.slash {
		u += "/"
	}
	for i, q := range p.query {
		if i == 0 {
			u += "?"
		} else {
			u += "&"
		}
		u += q.key
		if q.hasEq {
			u += "=" + q.value
		}
	}
	return u, true
}

// isGoogleHost reports whether host is one of Google's search domains
// (google.com, www.google.co.uk, …), which serve the AMP viewer.
func isGoogleHost(host string) bool {
	host = strings.TrimPrefix(host, "www.")
	d, err := publicsuffix.EffectiveTLDPlusOne(host)
	return err == nil && d == host && strings.HasPrefix(host, "google.")
}
