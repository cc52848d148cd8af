package canon

import (
	"net/url"
	"strings"
)

// SourceKey is what decides whether two source URLs are the same source:
// the URL with its scheme and host lower-cased, a default port, a
// fragment and the tracking parameters (IsTrackingParam) dropped,
// and an empty path written "/". The rest stays as given (the order of
// parameters, their case, their escapes): unlike an article's address, a
// feed's query often selects the feed itself (?cat=3, ?format=rss), so
// nothing that might matter is normalised away. The "rss" parameter is
// kept too: URL drops it from article links as a "came from the feed"
// flag, but on a feed URL it can be what asks for the feed. raw must be
// an absolute URL; anything unparsable is its own key.
func SourceKey(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return raw
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" && u.RawPath == "" && u.Opaque == "" {
		u.Path = "/"
	}
	if u.RawQuery != "" {
		var kept []string
		for _, p := range strings.Split(u.RawQuery, "&") {
			name, _, _ := strings.Cut(p, "=")
			if n, err := url.QueryUnescape(name); err == nil && IsTrackingParam(n) && !strings.EqualFold(n, "rss") {
				continue
			}
			kept = append(kept, p)
		}
		u.RawQuery = strings.Join(kept, "&")
	}
	u.ForceQuery = false
	return u.String()
}
