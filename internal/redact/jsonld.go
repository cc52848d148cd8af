package redact

import (
	"bytes"
	"encoding/json"
)

// jsonLinkKeys are the JSON-LD properties whose string values (alone or
// in an array) are links to a page: such a value naming the URL is
// dropped.
var jsonLinkKeys = map[string]bool{
	"url": true, "@id": true, "mainEntityOfPage": true, "item": true, "relatedLink": true, "significantLink": true,
	"mentions": true, "citation": true, "isBasedOn": true, "sameAs": true, "hasPart": true, "isPartOf": true,
	"subjectOf": true, "about": true, "discussionUrl": true,
}

// jsonIDKeys are the properties that say which page a JSON-LD object is:
// an object one of whose names the URL (as a string, or as an object
// that does so in turn) describes it, and is dropped whole, with its
// headline and all.
var jsonIDKeys = []string{"url", "@id", "mainEntityOfPage", "item"}

// jsonLD blanks, in the text of a JSON-LD script at off, what names the
// URL, and returns how many places it blanked.
//
// In JSON that parses, an object that describes the URL's page (an
// ItemList's ListItem, a NewsArticle of a @graph, the mentions of
// another article: see jsonIDKeys) is dropped from the array or object
// that holds it, and so is a link to the page (jsonLinkKeys: a
// relatedLink, an isBasedOn). To drop is to blank the value (an object
// member: its name too) with the comma that parted it from a neighbour,
// so the JSON stays valid and of its length; the others stay byte for
// byte (an ItemList's numberOfItems and positions are left as they
// were). A top-level object describing the page (the page's own
// description, in another capture of it) becomes {} and spaces.
//
// JSON that does not parse (a script wrapped in a comment, cut off,
// written with a stray comma) and has a string naming the URL is blanked
// whole, to spaces: it was not JSON-LD any reader could use, and it is
// not kept naming the page. One that names no URL is left as it is. JSON
// that parses but holds "<!--" (in a string) is treated the same way,
// blanked whole when a string names the URL and else left, as cutting
// part of it out could move where the browser ends the script.
func (b *blanker) jsonLD(text []byte, off int) int {
	if !json.Valid(text) || bytes.Contains(text, []byte("<!--")) {
		for _, s := range jsonStrings(text) {
			if b.names(s) {
				b.spaces(off, off+len(text))
				return 1
			}
		}
		return 0
	}
	j := jsonParser{text: text}
	v := j.value()
	w := jsonWalk{b: b, off: off}
	if w.drop(v, "") {
		if v.kind == '{' {
			w.b.spaces(off+v.from, off+v.to)
			copy(w.b.out[off+v.from:], "{}")
			w.n++
		}
	}
	return w.n
}

// jsonNode is a JSON value, by its span in the text: an object's member
// names and values, an array's elements, a string's value.
type jsonNode struct {
	kind     byte // '{', '[', '"', or 0 for another value
	from, to int
	str      string
	names    []string
	nameAt   []int // where each member starts: its name's quote
	elems    []*jsonNode
}

// jsonParser reads JSON that json.Valid accepted.
type jsonParser struct {
	text []byte
	at   int
}

func (j *jsonParser) space() {
	for j.at < len(j.text) {
		switch j.text[j.at] {
		case ' ', '\t', '\n', '\r':
			j.at++
		default:
			return
		}
	}
}

// value reads the value at j.at (after white space).
func (j *jsonParser) value() *jsonNode {
	j.space()
	v := &jsonNode{from: j.at}
	switch j.text[j.at] {
	case '{':
		v.kind = '{'
		j.at++
		j.space()
		for j.text[j.at] != '}' {
			v.nameAt = append(v.nameAt, j.at)
			name := j.value()
			v.names = append(v.names, name.str)
			j.space()
			j.at++ // ':'
			v.elems = append(v.elems, j.value())
			j.space()
			if j.text[j.at] == ',' {
				j.at++
				j.space()
			}
		}
		j.at++
	case '[':
		v.kind = '['
		j.at++
		j.space()
		for j.text[j.at] != ']' {
			v.elems = append(v.elems, j.value())
			j.space()
			if j.text[j.at] == ',' {
				j.at++
				j.space()
			}
		}
		j.at++
	case '"':
		v.kind = '"'
		j.at = stringEnd(j.text, j.at)
		if lit := j.text[v.from+1 : j.at-1]; bytes.IndexByte(lit, '\\') < 0 {
			v.str = string(lit) // nothing to unescape
		} else {
			json.Unmarshal(j.text[v.from:j.at], &v.str)
		}
	default:
		for j.at < len(j.text) && !isJSONDelim(j.text[j.at]) {
			j.at++
		}
	}
	v.to = j.at
	return v
}

// isJSONDelim reports whether c ends a number or a literal.
func isJSONDelim(c byte) bool {
	switch c {
	case ',', ']', '}', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// stringEnd returns the offset past the string whose quote is at at, or
// the text's end.
func stringEnd(text []byte, at int) int {
	for i := at + 1; i < len(text); i++ {
		switch text[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(text)
}

// jsonStrings returns the values of the string literals of a text that
// may not be JSON.
func jsonStrings(text []byte) []string {
	var strs []string
	for i := 0; i < len(text); i++ {
		if text[i] != '"' {
			continue
		}
		end := stringEnd(text, i)
		var s string
		if json.Unmarshal(text[i:end], &s) != nil {
			s = string(text[i+1 : max(i+1, end-1)])
		}
		strs = append(strs, s)
		i = end - 1
	}
	return strs
}

// jsonWalk blanks what names the URL in parsed JSON-LD or JSON data.
type jsonWalk struct {
	b   *blanker
	off int // the text's offset in the page
	n   int
	// top is, in a JSON data script serialised by position (see
	// devalueShape), its top-level array, and text the script's text;
	// else nil.
	top  *jsonNode
	text []byte
	// inStory are the objects story is testing, the one it was asked of
	// and those it reached through an address member: one reached again
	// (a payload by position may refer back) is not the story.
	inStory map[*jsonNode]bool
}

// names reports whether an object describes the URL's page.
func (w *jsonWalk) names(v *jsonNode) bool {
	for i, name := range v.names {
		for _, k := range jsonIDKeys {
			if name != k {
				continue
			}
			switch e := v.elems[i]; e.kind {
			case '"':
				if w.b.names(e.str) {
					return true
				}
			case '{':
				if w.names(e) {
					return true
				}
			}
		}
	}
	return false
}

// drop reports whether v, the value of a member named key (or an
// element of its array), is to be dropped, having blanked what it holds
// that is.
func (w *jsonWalk) drop(v *jsonNode, key string) bool {
	switch v.kind {
	case '"':
		return jsonLinkKeys[key] && w.b.names(v.str)
	case '{':
		if w.names(v) {
			return true
		}
		spans := make([][2]int, len(v.elems))
		gone := make([]bool, len(v.elems))
		for i, e := range v.elems {
			spans[i] = [2]int{v.nameAt[i], e.to}
			gone[i] = w.drop(e, v.names[i])
		}
		w.dropRuns(spans, gone)
	case '[':
		spans := make([][2]int, len(v.elems))
		gone := make([]bool, len(v.elems))
		for i, e := range v.elems {
			spans[i] = [2]int{e.from, e.to}
			gone[i] = w.drop(e, key)
		}
		w.dropRuns(spans, gone)
	}
	return false
}

// dropRuns blanks the members or elements marked gone, of those at
// spans, with the commas that part them from the others: a run after a
// kept one from that one's end, a run first up to the next kept one's
// start, so that what is left is a list as JSON writes it.
func (w *jsonWalk) dropRuns(spans [][2]int, gone []bool) {
	for i := 0; i < len(spans); {
		if !gone[i] {
			i++
			continue
		}
		j := i
		for j < len(spans) && gone[j] {
			j++
		}
		switch {
		case i > 0:
			w.b.spaces(w.off+spans[i-1][1], w.off+spans[j-1][1])
		case j < len(spans):
			w.b.spaces(w.off+spans[i][0], w.off+spans[j][0])
		default:
			w.b.spaces(w.off+spans[i][0], w.off+spans[j-1][1])
		}
		w.n += j - i
		i = j
	}
}
