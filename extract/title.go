package extract

import (
	"strings"
	"unicode/utf8"
)

// Titles.
//
// Pages declare their headline in several places (JSON-LD headline,
// og:title, twitter:title, Dublin Core, <title>, the <h1>), most of them
// decorated with the site name: "Harbour reopens - Example News",
// "Example News | Harbour reopens", "Example News: Harbour reopens".
// chooseTitle strips such decorations when they match a known site name
// (og:site_name, the JSON-LD publisher, application-name, the host name)
// or when another source gives the bare headline, and prefers a headline
// that two sources agree on.

// titleSeparators split a headline from a site name.
var titleSeparators = []string{" | ", " - ", " – ", " — ", " · ", " :: ", " » ", " « ", " // ", " • ", " ~ ", " : ", " _ "}

// titleCandidate is one declared title and where it came from.
type titleCandidate struct {
	text, source string
}

// chooseTitle picks the headline among cands (in priority order). It
// returns the title, its source and a site name learned from a stripped
// decoration ("" if none).
func chooseTitle(cands []titleCandidate, siteNames []string, host string) (title, source, site string) {
	sites := newSiteSet(siteNames, host)
	type cleaned struct {
		text, source, key string
	}
	var cs []cleaned
	for _, c := range cands {
		t := normalizeSpace(c.text)
		if t == "" || len(t) > 500 {
			continue
		}
		t = stripSiteName(t, sites)
		if sites.has(t) {
			continue
		}
		cs = append(cs, cleaned{t, c.source, titleKey(t)})
	}
	if len(cs) == 0 {
		return "", "", ""
	}
	// Decorations no known site name explains: a part that another source
	// gives alone is the headline, the rest the site name.
	// The rank of a matching candidate: its position, with every <h1>
	// ranked as the first one (the first <h1> is often the site's logo).
	rank := func(j int) int {
		if cs[j].source == srcH1 {
			for k := range cs {
				if cs[k].source == srcH1 {
					return k
				}
			}
		}
		return j
	}
	shown := map[string]bool{} // the keys of the <h1> texts
	for _, c := range cs {
		if c.source == srcH1 {
			shown[c.key] = true
		}
	}
	for i := range cs {
		i := i
		if shown[cs[i].key] {
			// The page shows this whole title as its headline: a
			// shorter source (a WebPage name, a kicker) equal to one
			// side of it does not make the other side a site name.
			continue
		}
		known := func(k string) int {
			for j := range cs {
				if j != i && cs[j].key == k && cs[j].key != cs[i].key {
					return rank(j)
				}
			}
			return -1
		}
		if head, rest, ok := splitAgreeing(cs[i].text, known); ok {
			cs[i].text, cs[i].key = head, titleKey(head)
			if site == "" && utf8.RuneCountInString(rest) <= 40 && len(strings.Fields(rest)) <= 5 &&
				!sites.has(rest) && (strings.Contains(rest, " ") || !strings.ContainsAny(rest, "0123456789")) {
				site = rest
			}
		}
	}
	// Prefer the first candidate another source agrees with.
	best := 0
	found := false
	for i := range cs {
		for j := range cs {
			if i != j && cs[i].key == cs[j].key && sourceKind(cs[i].source) != sourceKind(cs[j].source) {
				best, found = i, true
				break
			}
		}
		if found {
			break
		}
	}
	// A headline cut short ("…") yields to a longer one it begins.
	t := cs[best].text
	if trimmed, ok := cutEllipsis(t); ok {
		for _, c := range cs {
			if _, cut := cutEllipsis(c.text); !cut && len(c.text) > len(trimmed) && strings.HasPrefix(titleKey(c.text), titleKey(trimmed)) {
				return c.text, c.source, site
			}
		}
	}
	return t, cs[best].source, site
}

// sourceKind groups sources that copy one another: og:title and
// twitter:title usually come from one template field.
func sourceKind(src string) string {
	switch {
	case strings.HasPrefix(src, "meta:"):
		return "meta"
	case strings.HasPrefix(src, "json-ld"):
		return "json-ld"
	}
	return src
}

// cutEllipsis removes a trailing ellipsis and reports whether there was
// one.
func cutEllipsis(s string) (string, bool) {
	for _, e := range []string{"…", "..."} {
		if strings.HasSuffix(s, e) {
			return strings.TrimSpace(strings.TrimSuffix(s, e)), true
		}
	}
	return s, false
}

// splitAgreeing splits t at a separator when one side is a title another
// source gives; known returns the rank of the source giving a key (lower
// is better) or -1. The side with the best-ranked match wins, left sides
// first on ties ("Headline - Site" is the usual order). It returns that
// side and the other.
func splitAgreeing(t string, known func(key string) int) (head, rest string, ok bool) {
	best := -1
	for _, sep := range append(titleSeparators, ": ") {
		i := strings.Index(t, sep)
		if i < 0 {
			continue
		}
		j := strings.LastIndex(t, sep)
		pieces := [4][2]string{
			{t[:j], t[j+len(sep):]},
			{t[:i], t[i+len(sep):]},
			{t[i+len(sep):], t[:i]},
			{t[j+len(sep):], t[:j]},
		}
		for _, p := range pieces {
			a, b := strings.TrimSpace(p[0]), strings.TrimSpace(p[1])
			if a == "" || b == "" {
				continue
			}
			if r := known(titleKey(a)); r >= 0 && (best < 0 || r < best) {
				head, rest, ok, best = a, b, true, r
			}
		}
	}
	return head, rest, ok
}

// titleKey is the comparison form of a title: lower case, single spaces,
// typographic quotes and dashes unified.
func titleKey(s string) string {
	s = strings.ToLower(normalizeSpace(s))
	return titleKeyReplacer.Replace(s)
}

var titleKeyReplacer = strings.NewReplacer("’", "'", "‘", "'", "“", "\"", "”", "\"", "–", "-", "—", "-", "«", "\"", "»", "\"", "\u00a0", " ")

// siteSet holds the comparison keys of a site's names and host label.
type siteSet struct {
	keys []string
}

// newSiteSet builds the keys of names and of host's main label.
func newSiteSet(names []string, host string) siteSet {
	var s siteSet
	for _, n := range names {
		if k := nameKey(n); k != "" {
			s.keys = append(s.keys, k)
		}
	}
	if l := hostLabel(host); l != "" {
		s.keys = append(s.keys, l)
	}
	return s
}

// has reports whether name is one of the site's names.
func (s siteSet) has(name string) bool {
	if len(s.keys) == 0 {
		return false
	}
	k := nameKey(name)
	if k == "" {
		return false
	}
	for _, x := range s.keys {
		if x == k {
			return true
		}
	}
	return false
}

// stripSiteName removes a site-name prefix or suffix from t. It never
// returns an empty string.
func stripSiteName(t string, sites siteSet) string {
	if len(sites.keys) == 0 {
		return t
	}
	for changed := true; changed; {
		changed = false
		for _, sep := range titleSeparators {
			if i := strings.LastIndex(t, sep); i > 0 {
				if tail := t[i+len(sep):]; sites.has(tail) && strings.TrimSpace(t[:i]) != "" {
					t = strings.TrimSpace(t[:i])
					changed = true
				}
			}
			if i := strings.Index(t, sep); i > 0 {
				if head := t[:i]; sites.has(head) && strings.TrimSpace(t[i+len(sep):]) != "" {
					t = strings.TrimSpace(t[i+len(sep):])
					changed = true
				}
			}
		}
		// "Example News: Harbour reopens"
		if i := strings.Index(t, ": "); i > 0 && sites.has(t[:i]) && strings.TrimSpace(t[i+2:]) != "" {
			t = strings.TrimSpace(t[i+2:])
			changed = true
		}
	}
	return t
}

// isSiteName reports whether s names the site: one of siteNames or the
// host's main label ("ehow" for www.ehow.com), ignoring case, spaces,
// punctuation and a leading "The".
func isSiteName(s string, siteNames []string, host string) bool {
	k := nameKey(s)
	if k == "" {
		return false
	}
	for _, n := range siteNames {
		if n != "" && nameKey(n) == k {
			return true
		}
	}
	if host != "" && hostLabel(host) == k {
		return true
	}
	return false
}

// hostLabel returns the registrable label of a host name: "ehow" for
// www.ehow.com, "bbc" for www.bbc.co.uk.
func hostLabel(host string) string {
	host = strings.ToLower(host)
	if i := strings.IndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	parts := strings.Split(host, ".")
	n := len(parts)
	switch {
	case n >= 3 && len(parts[n-1]) == 2 && len(parts[n-2]) <= 3:
		return parts[n-3] // example.co.uk, example.com.au
	case n >= 2:
		return parts[n-2]
	}
	return ""
}
