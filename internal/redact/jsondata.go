package redact

import (
	"bytes"
	"encoding/json"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
)

// scriptType returns the media type of a script's type attribute
// (entities decoded): lower case, without parameters (a charset) or
// white space.
func scriptType(typ string) string {
	mt, _, _ := strings.Cut(strings.ToLower(typ), ";")
	return strings.TrimSpace(mt)
}

// isDataScript reports whether a script's type attribute (entities
// decoded) says it holds JSON data other than JSON-LD: application/json
// (Next.js's __NEXT_DATA__, Nuxt's __NUXT_DATA__, a CMS's state),
// text/json, any type/subtype+json but JSON-LD's, or speculationrules
// (URLs a browser may prefetch).
func isDataScript(typ string) bool {
	mt := scriptType(typ)
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

// addressKeys are the member names (in lower case, without _ or -: see
// memberKey) whose string value, written as a link, is the address of
// the object holding it: that object is the story at that URL (its
// title, teaser and image beside it), not another page's object linking
// to it (a "nextUrl", a "related").
var addressKeys = map[string]bool{
	"url": true, "uri": true, "href": true, "link": true, "permalink": true, "path": true, "as": true,
	"canonical": true, "canonicalurl": true, "websiteurl": true, "@id": true,
}

// memberKey is a member's name as addressKeys and auxKeys spell it: in
// lower case, without _ or - (canonical_url, website-url).
func memberKey(name string) string {
	return keyReplacer.Replace(strings.ToLower(name))
}

// keyReplacer drops _ and - from a member's name (memberKey).
var keyReplacer = strings.NewReplacer("_", "", "-", "")

// auxKeys begin or end the member names (memberKey) whose value is not
// another page's story but what a story's object says of itself: its
// section, tags and authors, its pictures and media
// (whose URLs may have no file extension: an image service's
// /_next/image?url=…, a CDN's ?w=800).
var auxKeys = []string{
	"section", "categor", "tag", "topic", "taxonomy", "author", "byline", "credits",
	"image", "img", "thumb", "photo", "picture", "video", "audio", "media", "icon", "logo", "avatar",
	"cover", "poster", "promoitems",
}

// isAuxKey reports whether a member's name (memberKey) begins or ends
// with one of auxKeys.
func isAuxKey(key string) bool {
	for _, a := range auxKeys {
		if strings.HasPrefix(key, a) || strings.HasSuffix(key, a) || strings.HasSuffix(key, a+"s") {
			return true
		}
	}
	return false
}

// isRoutePattern reports whether a link is a route's pattern (Next.js's
// "/[section]/[slug]" beside the page's own path in "as"), not a page.
func isRoutePattern(s string) bool {
	if at := strings.IndexAny(s, "?#"); at >= 0 {
		s = s[:at]
	}
	return strings.Contains(s, "[")
}

// mediaExts are the extensions of a link's path that name a file shown
// in a page (an image, a video, a style sheet), not a page.
var mediaExts = map[string]bool{
	".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true, ".avif": true, ".svg": true,
	".ico": true, ".bmp": true, ".mp4": true, ".webm": true, ".mp3": true, ".m4a": true, ".ogg": true,
	".wav": true, ".css": true, ".js": true, ".woff": true, ".woff2": true,
}

// isMediaLink reports whether a link's path ends with a media file's
// extension (mediaExts).
func isMediaLink(s string) bool {
	s = strings.TrimSpace(s)
	if at := strings.IndexAny(s, "?#"); at >= 0 {
		s = s[:at]
	}
	return mediaExts[strings.ToLower(path.Ext(s))]
}

// jsonData blanks, in the text of a JSON data script at off (see
// isDataScript), what names the URL, and returns how many places it
// blanked. Its schema is the site's own, so the shape of the JSON is
// kept (an app reads its arrays by index: Nuxt's payload is one flat
// array whose elements refer to each other by position): nothing is
// dropped, values are emptied in place.
//
// A string written as a link (isLinkText) that names the URL is emptied:
// its quotes stay, spaces between. The object holding it is emptied
// whole, { and } with spaces between, wherever it is (an array's
// element, a member's value, the whole text), only when it is the
// story's own (see story): the string is its address (a member named
// url, href, link, permalink, path…: addressKeys), its other links are
// what it says of itself (its AMP page, section, authors, images), and
// it holds no other story. Any other
// object (another story's, whose "nextUrl" or "related" names the URL;
// a page's props) keeps all but that string. So the JSON stays valid
// and of its length.
//
// In a payload serialised by position (devalue's, as Nuxt writes it),
// the strings the story's object refers to go too: see byPosition.
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
	if top.kind == '[' && devalueShape(text, top) {
		w.text, w.top = text, top
	}
	w.data(top)
	if w.top != nil {
		w.byPosition()
	}
	return w.n
}

// devalueTypes are the names of the wrappers Nuxt's payload starts with
// (its first element: ["ShallowReactive",1]).
var devalueTypes = map[string]bool{"Reactive": true, "ShallowReactive": true, "Ref": true, "ShallowRef": true}

// devalueShape reports whether a top-level array is a payload serialised
// by position (devalue's): its first element is a Nuxt wrapper
// (devalueTypes) and a position, or it holds objects and every member of
// each is an integer within the array (a position).
func devalueShape(text []byte, top *jsonNode) bool {
	if len(top.elems) == 0 {
		return false
	}
	if e := top.elems[0]; e.kind == '[' && len(e.elems) == 2 && e.elems[0].kind == '"' && devalueTypes[e.elems[0].str] {
		_, ok := position(text, top, e.elems[1])
		return ok
	}
	objects := false
	for _, e := range top.elems {
		if e.kind != '{' {
			continue
		}
		objects = true
		for _, v := range e.elems {
			if _, ok := position(text, top, v); !ok {
				return false
			}
		}
	}
	return objects
}

// position returns the position v, an integer, names in top, a
// payload's array, and whether it is one there.
func position(text []byte, top, v *jsonNode) (int, bool) {
	if v.kind != 0 {
		return 0, false
	}
	n, err := strconv.Atoi(string(text[v.from:v.to]))
	return n, err == nil && n >= 0 && n < len(top.elems)
}

// deref returns the value v stands for: itself, or in a payload
// serialised by position the value at the position it is.
func (w *jsonWalk) deref(v *jsonNode) *jsonNode {
	if w.top != nil {
		if k, ok := position(w.text, w.top, v); ok {
			return w.top.elems[k]
		}
	}
	return v
}

// story reports whether v, an object, is the URL's story: one of its
// members, by name an address (addressKeys), is a string written as a
// link that names the URL, or an object that is the story by this test
// ({"link":{"url":…}}); no other member by name an address links to
// another page (but a media file's, or a route's pattern); no other
// string links to another page but under a name saying what the story's
// object says of itself (auxKeys: its AMP page, section, image); and it
// holds, at any depth, no object whose address is another page (another
// story: a related list, a story's "next"), but under such a name (its
// authors' pages). Its members are read through deref.
func (w *jsonWalk) story(v *jsonNode) bool {
	whole, _ := w.storyOf(v)
	return whole
}

// storyOf reports whether v, an object, is the URL's story (story), and
// else whether it is but for holding another story: it passes every
// test of story's but the last (its address names the URL, its other
// links are what it says of itself) and holds, say, a related list.
func (w *jsonWalk) storyOf(v *jsonNode) (whole, holding bool) {
	if w.inStory[v] {
		return false, false
	}
	if w.inStory == nil {
		w.inStory = map[*jsonNode]bool{}
	}
	w.inStory[v] = true
	defer delete(w.inStory, v)
	own := false
	skip := make([]bool, len(v.elems))
	for i, e := range v.elems {
		s := w.deref(e)
		key := memberKey(v.names[i])
		if s.kind == '{' && addressKeys[key] && w.story(s) {
			own, skip[i] = true, true
			continue
		}
		if s.kind != '"' || !isLinkText(s.str) {
			continue
		}
		switch {
		case w.b.names(s.str):
			own = own || addressKeys[key]
		case isMediaLink(s.str) || isRoutePattern(s.str):
		case strings.HasPrefix(key, "amp") && w.b.names(withoutAMP(s.str)):
			// its AMP page
		case addressKeys[key] || !isAuxKey(key):
			return false, false
		}
	}
	if !own {
		return false, false
	}
	seen := map[*jsonNode]bool{v: true}
	for i, e := range v.elems {
		switch e = w.deref(e); {
		case skip[i]:
		case isAuxKey(memberKey(v.names[i])):
			if w.holdsStory(e, seen) {
				return false, true
			}
		case w.holdsOther(e, seen):
			return false, true
		}
	}
	return true, false
}

// withoutAMP returns a link to a page's AMP version without what makes it
// that: its first or last path segment when that is amp (/amp/2026/x,
// /2026/x/amp), and its query (?amp=1).
func withoutAMP(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return ""
	}
	u.RawQuery, u.Fragment, u.RawPath = "", "", ""
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	switch {
	case len(segs) > 1 && segs[0] == "amp":
		segs = segs[1:]
	case len(segs) > 1 && segs[len(segs)-1] == "amp":
		segs = segs[:len(segs)-1]
	}
	u.Path = "/" + strings.Join(segs, "/")
	return u.String()
}

// titleKeys are the member names (memberKey) of a story's headline or
// teaser.
var titleKeys = map[string]bool{"title": true, "headline": true, "teaser": true, "description": true, "summary": true, "dek": true}

// holdsStory reports whether v, what a story's object says of itself
// (auxKeys: its authors, images, section), is or holds, at any depth, an
// object whose address is another page (holdsOther) and that has a
// headline or teaser (titleKeys): another story (an author's latest),
// not an author's or section's page or an image's file.
func (w *jsonWalk) holdsStory(v *jsonNode, seen map[*jsonNode]bool) bool {
	if v.kind != '{' && v.kind != '[' || seen[v] {
		return false
	}
	if v.kind == '{' && slices.ContainsFunc(v.names, func(n string) bool { return titleKeys[memberKey(n)] }) {
		return w.holdsOther(v, seen)
	}
	seen[v] = true
	for _, e := range v.elems {
		if w.holdsStory(w.deref(e), seen) {
			return true
		}
	}
	return false
}

// holdsOther reports whether v is or holds, at any depth, an object one
// of whose members, by name an address, is a string written as a link to
// another page than the URL (not a media file's, nor a route's pattern).
// seen are the values already read (a payload by position may refer
// back).
func (w *jsonWalk) holdsOther(v *jsonNode, seen map[*jsonNode]bool) bool {
	if v.kind != '{' && v.kind != '[' || seen[v] {
		return false
	}
	seen[v] = true
	for i, e := range v.elems {
		e = w.deref(e)
		if v.kind == '{' && e.kind == '"' && addressKeys[memberKey(v.names[i])] &&
			isLinkText(e.str) && !isMediaLink(e.str) && !isRoutePattern(e.str) && !w.b.names(e.str) {
			return true
		}
		if w.holdsOther(e, seen) {
			return true
		}
	}
	return false
}

// byPosition empties, in a payload serialised by position (Nuxt's
// __NUXT_DATA__, written by devalue: an object's member values and an
// array's elements are the positions, in the top-level array, of the
// values they hold), the strings that the URL's story objects (story)
// refer to and no other value does: its title and teaser, kept apart
// from its URL. devalue writes a repeated string once, so a story listed
// twice (its two objects) refers to the same title: references from the
// story's own objects do not count. Strings other values refer to too (a
// section's name) stay, and so do the objects, so that every position
// still holds what it held.
func (w *jsonWalk) byPosition() {
	top := w.top
	stories := make([]bool, len(top.elems))
	for i, e := range top.elems {
		stories[i] = e.kind == '{' && w.story(e)
	}
	others := make([]int, len(top.elems)) // how many values but the story's refer to each position
	for i, e := range top.elems {
		if stories[i] {
			continue
		}
		for _, v := range e.elems {
			if k, ok := position(w.text, top, v); ok {
				others[k]++
			}
		}
	}
	emptied := make([]bool, len(top.elems))
	for i, e := range top.elems {
		if !stories[i] {
			continue
		}
		n := 0
		for _, v := range e.elems {
			k, ok := position(w.text, top, v)
			if !ok || others[k] != 0 || emptied[k] {
				continue
			}
			if s := top.elems[k]; s.kind == '"' && s.to-s.from > 2 && !(isLinkText(s.str) && w.b.names(s.str)) {
				w.b.spaces(w.off+s.from+1, w.off+s.to-1)
				emptied[k] = true
				n++
			}
		}
		if n > 0 {
			w.n++
		}
	}
}

// titles empties the headline and teaser (titleKeys) of v, the URL's
// story but for holding another (storyOf): the strings among its own
// members that are not written as links. What it holds stays.
func (w *jsonWalk) titles(v *jsonNode) {
	emptied := false
	for i, e := range v.elems {
		if e.kind == '"' && titleKeys[memberKey(v.names[i])] && !isLinkText(e.str) && e.to-e.from > 2 {
			w.b.spaces(w.off+e.from+1, w.off+e.to-1)
			emptied = true
		}
	}
	if emptied {
		w.n++
	}
}

// data blanks what names the URL in v, a value of a JSON data script.
func (w *jsonWalk) data(v *jsonNode) {
	switch v.kind {
	case '{':
		if w.top != nil {
			// by position: byPosition's
		} else if whole, holding := w.storyOf(v); whole {
			w.b.spaces(w.off+v.from+1, w.off+v.to-1)
			w.n++
			return
		} else if holding {
			w.titles(v)
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
