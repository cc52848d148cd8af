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
	type cleaned struct {
		text, source, key string
	}
	var cs []cleaned
	for _, c := range cands {
		t := normalizeSpace(c.text)
		if t == "" || len(t) > 500 {
			continue
		}
		t = stripSiteName(t, siteNames, host)
		if isSiteName(t, siteNames, host) {
			continue
		}
		cs = append(cs, cleaned{t, c.source, titleKey(t)})
	}
	if len(cs) == 0 {
		return "", "", ""
	}
	// Decorations no known site name explains: a part that another source
	// gives alone is the headline, the rest the site name.
	for i := range cs {
		for j := range cs {
			if i == j || cs[j].key == cs[i].key {
				continue
			}
			if head, rest, ok := splitAgreeing(cs[i].text, cs[j].key); ok {
				cs[i].text, cs[i].key = head, titleKey(head)
				if site == "" && utf8.RuneCountInString(rest) <= 40 && len(strings.Fields(rest)) <= 5 {
					site = rest
				}
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

func cutEllipsis(s string) (string, bool) {
	for _, e := range []string{"…", "..."} {
		if strings.HasSuffix(s, e) {
			return strings.TrimSpace(strings.TrimSuffix(s, e)), true
		}
	}
	return s, false
}

// splitAgreeing splits t at a separator when one side's key is want; it
// returns that side and the other.
func splitAgreeing(t, want string) (head, rest string, ok bool) {
	for _, sep := range append(titleSeparators, ": ") {
		i := strings.Index(t, sep)
		if i < 0 {
			continue
		}
		if j := strings.LastIndex(t, sep); j >= 0 {
			if a, b := strings.TrimSpace(t[:j]), strings.TrimSpace(t[j+len(sep):]); titleKey(a) == want && b != "" {
				return a, b, true
			}
		}
		if a, b := strings.TrimSpace(t[:i]), strings.TrimSpace(t[i+len(sep):]); titleKey(b) == want && a != "" {
			return b, a, true
		}
	}
	return "", "", false
}

// titleKey is the comparison form of a title: lower case, single spaces,
// typographic quotes and dashes unified.
func titleKey(s string) string {
	s = strings.ToLower(normalizeSpace(s))
	return titleKeyReplacer.Replace(s)
}

var titleKeyReplacer = strings.NewReplacer("’", "'", "‘", "'", "“", "\"", "”", "\"", "–", "-", "—", "-", "«", "\"", "»", "\"", "\u00a0", " ")

// stripSiteName removes a site-name prefix or suffix from t. It never
// returns an empty string.
func stripSiteName(t string, siteNames []string, host string) string {
	for changed := true; changed; {
		changed = false
		for _, sep := range titleSeparators {
			if i := strings.LastIndex(t, sep); i > 0 {
				if tail := t[i+len(sep):]; isSiteName(tail, siteNames, host) && strings.TrimSpace(t[:i]) != "" {
					t = strings.TrimSpace(t[:i])
					changed = true
				}
			}
			if i := strings.Index(t, sep); i > 0 {
				if head := t[:i]; isSiteName(head, siteNames, host) && strings.TrimSpace(t[i+len(sep):]) != "" {
					t = strings.TrimSpace(t[i+len(sep):])
					changed = true
				}
			}
		}
		// "Example News: Harbour reopens"
		if i := strings.Index(t, ": "); i > 0 && isSiteName(t[:i], siteNames, host) && strings.TrimSpace(t[i+2:]) != "" {
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
