package redact

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// isDataScript reports whether a script's type attribute (entities
// decoded) says it holds JSON data other than JSON-LD: application/json
// (Next.js's __NEXT_DATA__, Nuxt's __NUXT_DATA__, a CMS's state),
// text/json, any type/subtype+json but JSON-LD's, or speculationrules
// (URLs a browser may prefetch).
func isDataScript(typ string) bool {
	mt, _, _ := strings.Cut(strings.ToLower(typ), ";")
	mt = strings.TrimSpace(mt)
	switch {
	case mt == "application/ld+json":
		return false // jsonLD's
	case mt == "application/json", mt == "text/json", mt == "speculationrules":
		return true
	}
	return strings.HasSuffix(mt, "+json")
}

// isLinkText reports whether a JSON string is written as a link: an
// absolute http(s) URL, or one from the root or scheme-relative. A slug
// or a title is not read as a link (against the page's URL it would
// resolve to one).
func isLinkText(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(s, "/") || strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// jsonData blanks, in the text of a JSON data script at off (see
// isDataScript), what names the URL, and returns how many places it
// blanked. Its schema is the site's own, so the shape of the JSON is
// kept (an app reads its arrays by index: Nuxt's payload is one flat
// array whose elements refer to each other by position): nothing is
// dropped, values are emptied in place.
//
// An object holding a string written as a link (isLinkText) that names
// the URL describes the URL's story, with its title, teaser and image:
// it becomes an empty object, { and } with spaces between, wherever it
// is (an array's element, a member's value, the whole text), unless it
// holds a list of objects (at any depth: another story list, a page's
// props), where only that string is emptied. A string naming the URL
// that is not in such an object (an element of an array of strings)
// is emptied: its quotes stay, spaces between. So the JSON stays valid
// and of its length.
//
// In a top-level array, the strings an object refers to by position
// along with such a link go too: see byPosition.
//
// JSON that does not parse, or holds "<!--" (see jsonLD), is blanked
// whole when a string in it written as a link names the URL, and else
// left.
func (b *blanker) jsonData(text []byte, off int) int {
	if !json.Valid(text) || bytes.Contains(text, []byte("<!--")) {
		for _, s := range jsonStrings(text) {
			if isLinkText(s) && b.names(s) {
				b.spaces(off, off+len(text))
				return 1
			}
		}
		return 0
	}
	j := jsonParser{text: text}
	w := jsonWalk{b: b, off: off}
	top := j.value()
	w.data(top)
	if top.kind == '[' {
		w.byPosition(text, top)
	}
	return w.n
}

// byPosition empties, in a top-level array that may be a payload
// serialised by position (Nuxt's __NUXT_DATA__, written by devalue: an
// object's member values and an array's elements are the positions, in
// the top-level array, of the values they hold), the strings that an
// object referring to a string naming the URL refers to and nothing else
// does: the story's title and teaser, kept apart from its URL. Strings
// other values refer to too (a section's name) stay, and so do the
// objects, so that every position still holds what it held.
func (w *jsonWalk) byPosition(text []byte, top *jsonNode) {
	position := func(v *jsonNode) (int, bool) {
		if v.kind != 0 {
			return 0, false
		}
		n, err := strconv.Atoi(string(text[v.from:v.to]))
		return n, err == nil && n >= 0 && n < len(top.elems)
	}
	var hits map[int]bool // positions of strings naming the URL
	for i, e := range top.elems {
		if e.kind == '"' && isLinkText(e.str) && w.b.names(e.str) {
			if hits == nil {
				hits = map[int]bool{}
			}
			hits[i] = true
		}
	}
	if hits == nil {
		return
	}
	refs := make([]int, len(top.elems)) // how many values refer to each position
	for _, e := range top.elems {
		for _, v := range e.elems {
			if k, ok := position(v); ok {
				refs[k]++
			}
		}
	}
	for _, e := range top.elems {
		if e.kind != '{' || !slices.ContainsFunc(e.elems, func(v *jsonNode) bool { k, ok := position(v); return ok && hits[k] }) {
			continue
		}
		emptied := false
		for _, v := range e.elems {
			k, ok := position(v)
			if !ok || hits[k] || refs[k] != 1 {
				continue
			}
			if s := top.elems[k]; s.kind == '"' && s.to-s.from > 2 {
				w.b.spaces(w.off+s.from+1, w.off+s.to-1)
				emptied = true
			}
		}
		if emptied {
			w.n++
		}
	}
}

// data blanks what names the URL in v, a value of a JSON data script.
func (w *jsonWalk) data(v *jsonNode) {
	switch v.kind {
	case '{':
		if w.namesDirectly(v) && !holdsList(v) {
			w.b.spaces(w.off+v.from+1, w.off+v.to-1)
			w.n++
			return
		}
		for _, e := range v.elems {
			w.data(e)
		}
	case '[':
		for _, e := range v.elems {
			w.data(e)
		}
	case '"':
		if isLinkText(v.str) && w.b.names(v.str) {
			w.b.spaces(w.off+v.from+1, w.off+v.to-1)
			w.n++
		}
	}
}

// namesDirectly reports whether one of an object's members is a string
// written as a link that names the URL.
func (w *jsonWalk) namesDirectly(v *jsonNode) bool {
	for _, e := range v.elems {
		if e.kind == '"' && isLinkText(e.str) && w.b.names(e.str) {
			return true
		}
	}
	return false
}

// holdsList reports whether v holds, at any depth, an array with an
// object in it.
func holdsList(v *jsonNode) bool {
	for _, e := range v.elems {
		if v.kind == '[' && e.kind == '{' || holdsList(e) {
			return true
		}
	}
	return false
}
