package textcorpus

import (
	"strings"
)

// tagList reports whether b is a tag list and returns the tags: one line of
// comma-separated items, or two or more lines of one item each. Every item
// has one to four words, at most 40 bytes, no sentence punctuation (a dot
// only inside a word, as in Node.js), and
// the list does not end the way prose does ("wages and rents").
func tagList(b block) ([]string, bool) {
	var items []string
	if len(b.lines) == 1 {
		if !strings.Contains(b.lines[0], ",") {
			return nil, false
		}
		for it := range strings.SplitSeq(b.lines[0], ",") {
			items = append(items, strings.TrimSpace(it))
		}
	} else {
		for _, l := range b.lines {
			if strings.Contains(l, ",") {
				return nil, false
			}
			items = append(items, l)
		}
	}
	if len(items) < 2 {
		return nil, false
	}
	for _, it := range items {
		if !isTag(it) {
			return nil, false
		}
	}
	last := strings.ToLower(items[len(items)-1])
	for _, conj := range []string{"and ", "or ", "& "} {
		if strings.HasPrefix(last, conj) || strings.Contains(last, " "+conj) {
			return nil, false
		}
	}
	return items, true
}

// isTag reports whether s can be one item of a tag list.
func isTag(s string) bool {
	if s == "" || len(s) > 40 || strings.ContainsAny(s, "!?;:\"“”()[]") ||
		strings.HasSuffix(s, ".") || strings.Contains(s, ". ") {
		return false
	}
	n := len(strings.Fields(s))
	if n < 1 || n > 4 {
		return false
	}
	return !strings.HasPrefix(s, "By ") && !strings.HasPrefix(s, "by ")
}
