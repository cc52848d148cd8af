package redact

import (
	"bytes"
	"errors"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// ErrNotPage: the document is not an HTML page BlankPage reads (it does
// not start with markup).
var ErrNotPage = errors.New("not an HTML page")

// BlankPage returns a copy of doc, an HTML page fetched from pageURL,
// with the links to a URL named accepts blanked, and how many were. The
// copy has doc's length.
//
// A link is an a element whose href, resolved against the page's URL (or
// its base element's), is a URL named accepts. It is blanked whole, from
// its start tag to its end tag with all it holds (the headline, the
// teaser's image), so that a section front, a home page or a related
// list no longer shows it; when it is left open, it ends where the
// element around it does, or with the page. A link in running text (a
// paragraph that holds words of its own besides such links: another
// article's prose) keeps its words: only its href's value becomes
// spaces, so the sentence reads as before and no longer leads there.
// Markup that is not a link (a script's text, a comment, another
// element's attribute) is left.
//
// A document whose first significant byte is not '<' gives ErrNotPage.
func BlankPage(doc []byte, pageURL string, named func(string) bool) ([]byte, int, error) {
	if firstSignificant(doc) != '<' {
		return nil, 0, ErrNotPage
	}
	base, _ := url.Parse(pageURL)
	b := &blanker{out: bytes.Clone(doc), base: base, named: named}
	p := pageState{b: b}
	z := html.NewTokenizer(bytes.NewReader(doc))
	at := 0
	for {
		tt := z.Next()
		raw := z.Raw()
		from, to := at, at+len(raw)
		at = to
		if tt == html.ErrorToken {
			break
		}
		name, _ := z.TagName()
		tag := string(name)
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			p.start(tag, raw, from, to, tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			p.end(tag, from, to)
		case html.TextToken:
			p.text(raw)
		}
	}
	p.closeLink(len(doc))
	p.closePara()
	return b.out, b.n, nil
}

// pageState is what BlankPage knows at a point of the page.
type pageState struct {
	b *blanker
	// link is the open link that names a URL, if any: its start, the
	// span of its href's value, and the elements opened in it.
	link *openLink
	// para is the open paragraph, if any.
	para *openPara
}

type openLink struct {
	from       int
	href       [2]int
	inner      []string
	inPara     bool
	start, end int // of the whole element, once it ends
}

type openPara struct {
	words bool        // text of its own, outside the links naming a URL
	links []*openLink // the links naming a URL in it, ended
}

// voidElements have no end tag.
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true, "input": true,
	"link": true, "meta": true, "param": true, "source": true, "track": true, "wbr": true,
}

// closesPara are the start tags that end an open paragraph (HTML's
// parsing rules).
var closesPara = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "details": true, "dialog": true, "dd": true,
	"div": true, "dl": true, "dt": true, "fieldset": true, "figcaption": true, "figure": true, "footer": true,
	"form": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "header": true,
	"hgroup": true, "hr": true, "li": true, "main": true, "menu": true, "nav": true, "ol": true, "p": true,
	"pre": true, "section": true, "table": true, "ul": true,
}

// phrasing are the elements whose end tag, met in a paragraph, leaves
// it open.
var phrasing = map[string]bool{
	"a": true, "abbr": true, "b": true, "bdi": true, "bdo": true, "cite": true, "code": true, "data": true,
	"dfn": true, "em": true, "font": true, "i": true, "kbd": true, "label": true, "mark": true, "q": true,
	"s": true, "samp": true, "small": true, "span": true, "strong": true, "sub": true, "sup": true,
	"time": true, "u": true, "var": true, "br": true,
}

// start handles a start tag, raw at from to to.
func (p *pageState) start(tag string, raw []byte, from, to int, selfClosing bool) {
	if p.link != nil {
		if tag != "a" {
			if !voidElements[tag] && !selfClosing {
				p.link.inner = append(p.link.inner, tag)
			}
			return
		}
		p.closeLink(from) // a link in a link ends the first
	}
	switch {
	case tag == "base":
		if v, _, ok := rawAttr(raw, "href"); ok && p.b.base != nil {
			if u, err := p.b.base.Parse(strings.TrimSpace(html.UnescapeString(v))); err == nil {
				p.b.base = u
			}
		}
	case tag == "a":
		v, span, ok := rawAttr(raw, "href")
		if !ok || !p.b.names(html.UnescapeString(v)) {
			return
		}
		l := &openLink{from: from, href: [2]int{from + span[0], from + span[1]}, inPara: p.para != nil}
		p.link = l
		if selfClosing {
			p.closeLink(to)
		}
	case closesPara[tag]:
		p.closePara()
		if tag == "p" {
			p.para = &openPara{}
		}
	}
}

// end handles an end tag at from to to.
func (p *pageState) end(tag string, from, to int) {
	if l := p.link; l != nil {
		if tag == "a" {
			p.closeLink(to)
			return
		}
		for i := len(l.inner) - 1; i >= 0; i-- {
			if l.inner[i] == tag {
				l.inner = l.inner[:i]
				return
			}
		}
		p.closeLink(from) // the end of an element around it
	}
	if p.para != nil && !phrasing[tag] {
		p.closePara()
	}
}

// text handles a text token.
func (p *pageState) text(raw []byte) {
	if p.link == nil && p.para != nil && len(bytes.TrimSpace(raw)) > 0 {
		p.para.words = true
	}
}

// closeLink ends the open link, if any, at offset to: blanked now, or
// when its paragraph ends.
func (p *pageState) closeLink(to int) {
	l := p.link
	if l == nil {
		return
	}
	p.link = nil
	l.start, l.end = l.from, to
	if l.inPara && p.para != nil {
		p.para.links = append(p.para.links, l)
		return
	}
	p.b.spaces(l.start, l.end)
	p.b.n++
}

// closePara ends the open paragraph, if any: its links are blanked
// whole when it has no words of its own, else their targets alone.
func (p *pageState) closePara() {
	para := p.para
	if para == nil {
		return
	}
	p.para = nil
	for _, l := range para.links {
		if para.words {
			p.b.spaces(l.href[0], l.href[1])
		} else {
			p.b.spaces(l.start, l.end)
		}
		p.b.n++
	}
}

// rawAttr finds the attribute name (lower case) in a raw start tag: its
// value as written (entities not decoded) and the value's span in raw.
func rawAttr(raw []byte, name string) (string, [2]int, bool) {
	i := 1 // past '<'
	for i < len(raw) && !isSpace(raw[i]) && raw[i] != '>' && raw[i] != '/' {
		i++ // the tag name
	}
	for i < len(raw) {
		for i < len(raw) && (isSpace(raw[i]) || raw[i] == '/') {
			i++
		}
		if i >= len(raw) || raw[i] == '>' {
			break
		}
		n0 := i
		for i < len(raw) && !isSpace(raw[i]) && raw[i] != '=' && raw[i] != '>' && (raw[i] != '/' || i == n0) {
			i++
		}
		attr := strings.ToLower(string(raw[n0:i]))
		for i < len(raw) && isSpace(raw[i]) {
			i++
		}
		if i >= len(raw) || raw[i] != '=' {
			continue // no value
		}
		i++
		for i < len(raw) && isSpace(raw[i]) {
			i++
		}
		var v0, v1 int
		if i < len(raw) && (raw[i] == '"' || raw[i] == '\'') {
			q := raw[i]
			v0 = i + 1
			end := bytes.IndexByte(raw[v0:], q)
			if end < 0 {
				return "", [2]int{}, false // cut off: not read as a link
			}
			v1 = v0 + end
			i = v1 + 1
		} else {
			v0 = i
			for i < len(raw) && !isSpace(raw[i]) && raw[i] != '>' {
				i++
			}
			v1 = i
		}
		if attr == name {
			return string(raw[v0:v1]), [2]int{v0, v1}, true
		}
	}
	return "", [2]int{}, false
}

// isSpace reports whether c is HTML white space.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}
