package fetch

import (
	"bytes"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// MaxRefreshDelay is the longest meta refresh delay a page fetch follows
// as a redirect (see Request.Refresh). A longer one is a page that reloads
// itself now and then, not a hop.
const MaxRefreshDelay = 5 * time.Second

// refreshScanBytes bounds how much of a page is searched for a meta
// refresh: interstitials are small, and the element belongs in <head>.
const refreshScanBytes = 256 << 10

// metaRefresh returns where a page's <meta http-equiv="refresh"> sends
// the reader, resolved against base, when its delay is at most
// MaxRefreshDelay and it names an http(s) URL other than the page itself.
// The content attribute is read as browsers read it: a delay, then
// optionally ";" or ",", then the URL, optionally after "url=" and in
// quotes.
func metaRefresh(body []byte, base *url.URL) (*url.URL, bool) {
	body = body[:min(len(body), refreshScanBytes)]
	if !hasRefresh(body) {
		return nil, false // most pages: not worth tokenising (0.5 ms for 100 KiB)
	}
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return nil, false
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if atom.Lookup(name) != atom.Meta || !hasAttr {
				continue
			}
			var equiv, content string
			for {
				k, v, more := z.TagAttr()
				switch string(k) {
				case "http-equiv":
					equiv = string(v)
				case "content":
					content = string(v)
				}
				if !more {
					break
				}
			}
			if !strings.EqualFold(strings.TrimSpace(equiv), "refresh") {
				continue
			}
			// The first refresh is the one a browser obeys.
			return refreshTarget(content, base)
		}
	}
}

// hasRefresh reports whether b holds the word "refresh" in any case of
// ASCII letters, as an http-equiv value naming it must.
func hasRefresh(b []byte) bool {
	const word = "refresh"
	for i := 0; i+len(word) <= len(b); i++ {
		if b[i]|0x20 != 'r' {
			continue
		}
		j := 1
		for j < len(word) && b[i+j]|0x20 == word[j] {
			j++
		}
		if j == len(word) {
			return true
		}
	}
	return false
}

// refreshTarget parses a meta refresh's content attribute.
func refreshTarget(content string, base *url.URL) (*url.URL, bool) {
	s := strings.TrimLeft(content, " \t\r\n\f")
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	if i == 0 {
		return nil, false
	}
	delay, err := strconv.ParseFloat(strings.TrimSuffix(s[:i], "."), 64)
	if err != nil || delay < 0 || delay > MaxRefreshDelay.Seconds() {
		return nil, false
	}
	s = strings.TrimLeft(s[i:], " \t\r\n\f")
	if s != "" && (s[0] == ';' || s[0] == ',') {
		s = strings.TrimLeft(s[1:], " \t\r\n\f")
	}
	if len(s) >= 3 && strings.EqualFold(s[:3], "url") {
		if rest := strings.TrimLeft(s[3:], " \t\r\n\f"); strings.HasPrefix(rest, "=") {
			s = strings.TrimLeft(rest[1:], " \t\r\n\f")
		}
	}
	if s != "" && (s[0] == '\'' || s[0] == '"') {
		q := s[0]
		s = s[1:]
		if j := strings.IndexByte(s, q); j >= 0 {
			s = s[:j]
		}
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false // a reload of the page itself
	}
	next, err := base.Parse(s)
	if err != nil || (next.Scheme != "http" && next.Scheme != "https") || next.Hostname() == "" {
		return nil, false
	}
	next.Fragment, next.RawFragment = "", ""
	if next.String() == base.String() {
		return nil, false
	}
	return next, true
}
