package extract

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// hint is what an element's tag, class, id, role and other attributes say
// about its content.
type hint uint8

const (
	hintNone hint = iota
	// hintBoiler marks navigation, share bars, related links, comments,
	// ads, newsletter and cookie boxes: text below it is boilerplate unless
	// the element turns out to wrap most of the page.
	hintBoiler
	// hintBody marks elements that declare themselves the article body.
	hintBody
	// hintSkip marks elements never rendered as text (scripts, hidden
	// elements, form controls): their subtree is not read at all.
	hintSkip
	// hintPaywall marks elements named "paywall": sites use the word both
	// for the box holding the paid article text and for the subscription
	// pitch shown in its place. The walk treats it as a body; extractBody
	// decides which it is from its text (resolvePaywalls).
	hintPaywall
)

// tagKinds classifies elements for the text walk.
type tagKind uint8

const (
	tagBlock  tagKind = iota // breaks the flow: its text is its own block
	tagInline                // part of the surrounding text
	tagSkip                  // not text
	tagBreak                 // <br>, <hr>: a paragraph break
)

func kindOfTag(a atom.Atom) tagKind {
	switch a {
	case atom.A, atom.Abbr, atom.B, atom.Bdi, atom.Bdo, atom.Cite, atom.Code, atom.Data,
		atom.Dfn, atom.Em, atom.Font, atom.I, atom.Kbd, atom.Mark, atom.Q, atom.S, atom.Samp,
		atom.Small, atom.Span, atom.Strong, atom.Sub, atom.Sup, atom.Time, atom.U, atom.Var,
		atom.Del, atom.Ins, atom.Strike, atom.Tt, atom.Big, atom.Nobr, atom.Acronym,
		atom.Img, atom.Picture, atom.Source, atom.Ruby, atom.Rt, atom.Rp, atom.Label, atom.Wbr:
		return tagInline
	case atom.Br, atom.Hr:
		return tagBreak
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg, atom.Math, atom.Canvas,
		atom.Iframe, atom.Object, atom.Embed, atom.Button, atom.Input, atom.Select, atom.Textarea,
		atom.Option, atom.Head, atom.Title, atom.Meta, atom.Link, atom.Base, atom.Audio, atom.Video,
		atom.Map, atom.Area, atom.Dialog, atom.Frameset, atom.Frame, atom.Applet, atom.Param, atom.Track:
		return tagSkip
	}
	if a == 0 {
		return tagBlock // custom elements: treat as blocks so text never glues
	}
	return tagBlock
}

// elementHint reads the hint of an element from its tag and attributes.
// cache, when not nil, memoises the verdict on class names without an id:
// pages repeat the same few class strings on hundreds of elements.
func elementHint(n *html.Node, cache map[string]hint) hint {
	switch n.DataAtom {
	case atom.Nav, atom.Aside, atom.Footer, atom.Menu, atom.Header:
		return hintBoiler
	}
	var class, id string
	for _, a := range n.Attr {
		switch a.Key {
		case "class":
			class = a.Val
		case "id":
			id = a.Val
		case "hidden":
			return hintSkip
		case "style":
			if isHiddenStyle(a.Val) {
				return hintSkip
			}
		case "aria-hidden":
			if a.Val == "true" {
				return hintSkip
			}
		case "itemprop":
			if strings.Contains(a.Val, "articleBody") || strings.Contains(a.Val, "reviewBody") {
				return hintBody
			}
		case "role":
			switch a.Val {
			case "navigation", "menu", "menubar", "banner", "contentinfo", "complementary", "search", "dialog", "alert", "toolbar":
				return hintBoiler
			}
		}
	}
	if class == "" && id == "" {
		return hintNone
	}
	var h hint
	if id == "" && cache != nil {
		var ok bool
		if h, ok = cache[class]; !ok {
			h = classHint(class, "")
			cache[class] = h
		}
	} else {
		h = classHint(class, id)
	}
	if h == hintBoiler && (n.DataAtom == atom.Article || n.DataAtom == atom.Main || n.DataAtom == atom.Body) {
		// CMSs put tags and categories in the article's classes
		// ("tag-politics category-news"); the element is content.
		return hintNone
	}
	return h
}

func isHiddenStyle(s string) bool {
	if !strings.Contains(s, "none") && !strings.Contains(s, "hidden") {
		return false
	}
	s = strings.ToLower(strings.ReplaceAll(s, " ", ""))
	return strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden")
}

// bodyWords are class/id fragments (separators removed, lower case) that
// name an article body container.
var bodyWords = []string{
	"articlebody", "articlecontent", "articletext", "storybody", "storycontent", "storytext",
	"entrycontent", "postcontent", "postbody", "bodytext", "contentbody", "articlecopy",
	"textbody", "newsbody", "newstext", "maintext", "richtext",
}

// boilerTokens are whole class/id tokens that mark boilerplate.
var boilerTokens = map[string]bool{
	"ad": true, "ads": true, "advert": true, "advertisement": true, "adslot": true, "adunit": true,
	"banner": true, "breadcrumb": true, "breadcrumbs": true, "comment": true, "comments": true,
	"cookie": true, "cookies": true, "consent": true, "footer": true, "header": true, "masthead": true,
	"menu": true, "nav": true, "navbar": true, "navigation": true, "newsletter": true,
	"outbrain": true, "taboola": true, "popular": true, "promo": true, "promotion": true,
	"related": true, "recommended": true, "recirc": true, "recirculation": true, "share": true,
	"sharing": true, "social": true, "sidebar": true, "sponsored": true, "subscribe": true,
	"subscription": true, "trending": true, "widget": true, "toolbar": true, "tags": true,
	"tag": true, "signup": true, "modal": true, "popup": true, "overlay": true, "disqus": true,
	"byline": true, "caption": true, "credit": true, "credits": true, "copyright": true,
	"skip": true, "print": true, "hidden": true, "hide": true, "sronly": true, "visuallyhidden": true, "tooltip": true,
	"author": true, "bio": true, "rail": true, "teaser": true, "teasers": true, "pagination": true,
	"dateline": true, "timestamp": true, "meta": true, "follow": true, "donate": true, "donation": true,
	"responses": true, "reply": true, "replies": true, "respond": true,
	"kicker": true, "eyebrow": true, "overline": true, // the section label above a headline
}

// boilerAffixes match as token prefixes or suffixes (relatedArticles,
// articleShare, commentsList).
var boilerAffixes = []string{
	"share", "social", "comment", "related", "promo", "advert", "newsletter", "sidebar", "recommend",
	"breadcrumb", "cookie", "subscribe", "popular", "trending", "outbrain", "taboola", "sponsor",
	"caption", "byline", "footer", "navbar", "banner", "teaser", "readmore", "moreon", "morefrom",
	"signup", "paywallprompt",
}

// classHint classifies an element by its class and id.
func classHint(class, id string) hint {
	var buf, jbuf [256]byte
	s := lowerInto(buf[:0], class, id)
	// Body containers first: "article-body share-enabled" is a body.
	joined := jbuf[:0]
	for _, c := range s {
		if c != '-' && c != '_' && c != ' ' {
			joined = append(joined, c)
		}
	}
	for _, w := range bodyWords {
		if bytes.Contains(joined, []byte(w)) {
			return hintBody
		}
	}
	if bytes.Contains(joined, []byte("paywall")) {
		return hintPaywall
	}
	// Embedded posts (tweets, Instagram) quoted in the article are
	// article content even when their wrapper says "social".
	if bytes.Contains(s, []byte("embed")) || bytes.Contains(s, []byte("tweet")) {
		return hintNone
	}
	for len(s) > 0 {
		i := 0
		for i < len(s) && isTokenByte(s[i]) {
			i++
		}
		if i > 0 && tokenIsBoiler(s[:i]) {
			return hintBoiler
		}
		for i < len(s) && !isTokenByte(s[i]) {
			i++
		}
		s = s[i:]
	}
	return hintNone
}

// tokenIsBoiler reports whether one lower-case class token names
// boilerplate. Tokens split on "-" and "_" too ("share-bar" → share).
func tokenIsBoiler(tok []byte) bool {
	if boilerTokens[string(tok)] { // no allocation for a map lookup
		return true
	}
	for len(tok) > 0 {
		i := 0
		for i < len(tok) && tok[i] != '-' && tok[i] != '_' {
			i++
		}
		part := tok[:i]
		if len(part) > 0 {
			if boilerTokens[string(part)] {
				return true
			}
			for _, a := range boilerAffixes {
				if len(part) > len(a) && (bytes.HasPrefix(part, []byte(a)) || bytes.HasSuffix(part, []byte(a))) {
					return true
				}
			}
		}
		if i == len(tok) {
			break
		}
		tok = tok[i+1:]
	}
	return false
}

func isTokenByte(c byte) bool {
	return c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f'
}

// lowerInto appends the ASCII lower-case forms of class and id, separated
// by a space.
func lowerInto(dst []byte, class, id string) []byte {
	for _, s := range [2]string{class, id} {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
		}
		dst = append(dst, ' ')
	}
	return dst
}

// inlineHidden reports inline elements whose content is not part of the
// running text: hidden ones and hover cards ("rollover", "tooltip").
func inlineHidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if a.Val == "true" {
				return true
			}
		case "style":
			if isHiddenStyle(a.Val) {
				return true
			}
		case "class":
			for _, tok := range strings.Fields(strings.ToLower(a.Val)) {
				for _, w := range popupWords {
					if strings.Contains(tok, w) {
						return true
					}
				}
				// "rollover-people" wraps a name and its card; only the
				// card ("rollover-people-block") is the pop-up.
				if strings.Contains(tok, "rollover") && (strings.HasSuffix(tok, "block") || strings.HasSuffix(tok, "card") || strings.HasSuffix(tok, "box")) {
					return true
				}
			}
		}
	}
	return false
}

var popupWords = []string{"tooltip", "popover", "hovercard", "popup", "sr-only", "visually-hidden", "screen-reader"}
