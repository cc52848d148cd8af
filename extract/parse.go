package extract

import (
	"bytes"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// parseHTML builds a document tree from UTF-8 HTML.
//
// It is not the HTML standard's tree construction (html.Parse is, and is
// about twice as slow on news pages): it builds the same tree for
// well-formed markup and a close, always well-formed one for the common
// kinds of broken markup — implied end tags of p, li, dt/dd, table cells
// and headings, stray end tags, unclosed elements, content before <body>.
// It keeps what extraction reads and drops the rest: comments, doctype,
// style sheets, and scripts other than JSON (JSON-LD, parsely) are not
// stored, whitespace-only text shares one string, and SVG and MathML
// subtrees are skipped. Nesting deeper than maxTreeDepth is flattened,
// which bounds the cost of every later walk over the tree.
//
// The result has the usual shape: a DocumentNode holding <html>, holding
// <head> and <body>.
func parseHTML(src []byte) (*html.Node, error) {
	p := treeBuilder{z: html.NewTokenizer(bytes.NewReader(stripRaw(src)))}
	p.z.SetMaxBuf(0)
	doc := p.newNode(html.DocumentNode, 0, "")
	htm := p.newNode(html.ElementNode, atom.Html, "html")
	head := p.newNode(html.ElementNode, atom.Head, "head")
	body := p.newNode(html.ElementNode, atom.Body, "body")
	doc.AppendChild(htm)
	htm.AppendChild(head)
	htm.AppendChild(body)
	p.html, p.head, p.body = htm, head, body
	p.stack = append(p.stack, htm, head)
	p.inHead = true
	p.run()
	return doc, nil
}

// maxTreeDepth bounds the depth of the built tree.
const maxTreeDepth = 512

type treeBuilder struct {
	z                *html.Tokenizer
	html, head, body *html.Node
	stack            []*html.Node
	inHead           bool
	slab             []html.Node
	attrs            []html.Attribute
}

func (p *treeBuilder) newNode(t html.NodeType, a atom.Atom, data string) *html.Node {
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]html.Node, 0, 256)
	}
	p.slab = p.slab[:len(p.slab)+1]
	n := &p.slab[len(p.slab)-1]
	n.Type, n.DataAtom, n.Data = t, a, data
	return n
}

func (p *treeBuilder) top() *html.Node { return p.stack[len(p.stack)-1] }

// toBody leaves the head: from now on content goes into <body>.
func (p *treeBuilder) toBody() {
	if p.inHead {
		p.inHead = false
		p.stack = append(p.stack[:1], p.body)
	}
}

func (p *treeBuilder) run() {
	for {
		switch p.z.Next() {
		case html.ErrorToken:
			return
		case html.TextToken:
			p.text()
		case html.StartTagToken:
			p.startTag(false)
		case html.SelfClosingTagToken:
			p.startTag(true)
		case html.EndTagToken:
			p.endTag()
		}
	}
}

func (p *treeBuilder) text() {
	raw := p.z.Text()
	ws := true
	for _, c := range raw {
		if c != ' ' && c != '\n' && c != '\t' && c != '\r' && c != '\f' {
			ws = false
			break
		}
	}
	cur := p.top()
	if ws {
		if p.inHead || len(raw) == 0 {
			return
		}
		if lc := cur.LastChild; lc != nil && lc.Type == html.TextNode {
			return
		}
		cur.AppendChild(p.newNode(html.TextNode, 0, " "))
		return
	}
	if p.inHead && cur == p.head {
		p.toBody()
		cur = p.top()
	}
	cur.AppendChild(p.newNode(html.TextNode, 0, string(raw)))
}

// internedKeys avoids allocating the attribute names every page uses.
var internedKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"class", "id", "href", "src", "content", "name", "property", "itemprop",
		"itemscope", "itemtype", "rel", "type", "style", "lang", "datetime", "title", "alt", "width",
		"height", "role", "hidden", "aria-hidden", "data-src", "charset", "http-equiv", "dir", "target",
		"srcset", "sizes", "loading", "value", "itemid", "typeof", "about", "resource", "vocab", "prefix",
		"aria-label", "tabindex", "onclick", "xmlns", "media", "async", "defer", "crossorigin"} {
		m[k] = k
	}
	return m
}()

func (p *treeBuilder) readAttrs() []html.Attribute {
	start := len(p.attrs)
	for {
		k, v, more := p.z.TagAttr()
		key, ok := internedKeys[string(k)] // no allocation for the lookup
		if !ok {
			key = string(k)
		}
		p.attrs = append(p.attrs, html.Attribute{Key: key, Val: string(v)})
		if !more {
			break
		}
	}
	a := p.attrs[start:len(p.attrs):len(p.attrs)]
	if len(p.attrs) > 4096 {
		p.attrs = nil // start a new slab; earlier slices keep the old one
	}
	return a
}

func (p *treeBuilder) startTag(selfClosing bool) {
	name, hasAttr := p.z.TagName()
	a := atom.Lookup(name)
	var attrs []html.Attribute
	if hasAttr {
		attrs = p.readAttrs()
	}
	switch a {
	case atom.Html:
		p.mergeAttrs(p.html, attrs)
		return
	case atom.Head:
		return
	case atom.Body:
		p.mergeAttrs(p.body, attrs)
		p.toBody()
		return
	case atom.Svg, atom.Math:
		if !selfClosing {
			p.skipForeign(name)
		}
		return
	case atom.Style:
		p.skipRaw()
		return
	case atom.Script:
		if !isJSONScript(attrs) {
			p.skipRaw()
			return
		}
	}
	if p.inHead && !isHeadElement(a) {
		p.toBody()
	}
	p.closeImplied(a)
	data := a.String()
	if a == 0 {
		data = string(name)
	}
	n := p.newNode(html.ElementNode, a, data)
	n.Attr = attrs
	p.top().AppendChild(n)
	if isVoid(a) || len(p.stack) >= maxTreeDepth {
		return
	}
	p.stack = append(p.stack, n)
}

func (p *treeBuilder) mergeAttrs(n *html.Node, attrs []html.Attribute) {
	for _, a := range attrs {
		found := false
		for _, b := range n.Attr {
			if b.Key == a.Key {
				found = true
				break
			}
		}
		if !found {
			n.Attr = append(n.Attr, a)
		}
	}
}

// skipRaw drops the text of a raw-text element (script, style) up to its
// end tag; the tokenizer already returns that text as one token.
func (p *treeBuilder) skipRaw() {
	for {
		switch p.z.Next() {
		case html.TextToken:
			continue
		case html.ErrorToken:
			return
		default:
			return // the end tag
		}
	}
}

// skipForeign drops an <svg> or <math> subtree.
func (p *treeBuilder) skipForeign(name []byte) {
	tag := string(name)
	depth := 1
	for depth > 0 {
		switch p.z.Next() {
		case html.ErrorToken:
			return
		case html.StartTagToken:
			if n, _ := p.z.TagName(); string(n) == tag {
				depth++
			}
		case html.EndTagToken:
			if n, _ := p.z.TagName(); string(n) == tag {
				depth--
			}
		}
	}
}

func isJSONScript(attrs []html.Attribute) bool {
	for _, a := range attrs {
		if a.Key == "type" {
			return bytes.Contains(bytes.ToLower([]byte(a.Val)), []byte("json"))
		}
	}
	return false
}

func isHeadElement(a atom.Atom) bool {
	switch a {
	case atom.Title, atom.Meta, atom.Link, atom.Script, atom.Style, atom.Base, atom.Noscript, atom.Template:
		return true
	}
	return false
}

func isVoid(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Link, atom.Meta, atom.Param, atom.Source, atom.Track, atom.Wbr, atom.Keygen:
		return true
	}
	return false
}

// closesP reports start tags that end an open paragraph.
func closesP(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Center, atom.Details,
		atom.Dialog, atom.Dir, atom.Div, atom.Dl, atom.Fieldset, atom.Figcaption, atom.Figure,
		atom.Footer, atom.Form, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Header,
		atom.Hgroup, atom.Hr, atom.Main, atom.Menu, atom.Nav, atom.Ol, atom.P, atom.Pre,
		atom.Section, atom.Summary, atom.Table, atom.Ul, atom.Li, atom.Dd, atom.Dt, atom.Listing,
		atom.Xmp, atom.Plaintext:
		return true
	}
	return false
}

// isScopeBoundary reports elements that end the search for an open
// element to close (the standard's "scope" markers, simplified).
func isScopeBoundary(a atom.Atom) bool {
	switch a {
	case atom.Html, atom.Body, atom.Table, atom.Td, atom.Th, atom.Caption, atom.Button,
		atom.Object, atom.Marquee, atom.Applet, atom.Template:
		return true
	}
	return false
}

// closeImplied pops the elements a start tag implicitly ends.
func (p *treeBuilder) closeImplied(a atom.Atom) {
	if closesP(a) {
		p.popTo(atom.P, isScopeBoundary)
	}
	switch a {
	case atom.Li:
		p.popTo(atom.Li, func(b atom.Atom) bool {
			return b == atom.Ul || b == atom.Ol || isScopeBoundary(b)
		})
	case atom.Dd, atom.Dt:
		p.popToAny(atom.Dd, atom.Dt, func(b atom.Atom) bool {
			return b == atom.Dl || isScopeBoundary(b)
		})
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		switch p.top().DataAtom {
		case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
			p.stack = p.stack[:len(p.stack)-1]
		}
	case atom.Tr:
		p.popToAny(atom.Tr, atom.Tr, func(b atom.Atom) bool { return b == atom.Table || b == atom.Html || b == atom.Body })
	case atom.Td, atom.Th:
		p.popToAny(atom.Td, atom.Th, func(b atom.Atom) bool {
			return b == atom.Tr || b == atom.Table || b == atom.Html || b == atom.Body
		})
	case atom.Option:
		if p.top().DataAtom == atom.Option {
			p.stack = p.stack[:len(p.stack)-1]
		}
	case atom.A:
		p.popTo(atom.A, isScopeBoundary)
	}
}

// popTo pops the stack up to and including the innermost open element a,
// if one is open below the first boundary.
func (p *treeBuilder) popTo(a atom.Atom, boundary func(atom.Atom) bool) bool {
	return p.popToAny(a, a, boundary)
}

func (p *treeBuilder) popToAny(a, b atom.Atom, boundary func(atom.Atom) bool) bool {
	for i := len(p.stack) - 1; i >= 2; i-- {
		x := p.stack[i].DataAtom
		if x == a || x == b {
			p.stack = p.stack[:i]
			return true
		}
		if boundary(x) {
			return false
		}
	}
	return false
}

func (p *treeBuilder) endTag() {
	name, _ := p.z.TagName()
	a := atom.Lookup(name)
	switch a {
	case atom.Html, atom.Body:
		return
	case atom.Head:
		p.toBody()
		return
	case atom.Br:
		p.top().AppendChild(p.newNode(html.ElementNode, atom.Br, "br"))
		return
	case atom.P:
		p.popTo(atom.P, isScopeBoundary)
		return
	}
	// Pop to the innermost open element of that name, if any.
	for i := len(p.stack) - 1; i >= 2; i-- {
		n := p.stack[i]
		if (a != 0 && n.DataAtom == a) || (a == 0 && n.DataAtom == 0 && n.Data == string(name)) {
			p.stack = p.stack[:i]
			return
		}
		// A table cell or table is not closed by an end tag from
		// outside it: "</div>" inside a cell does not end the cell.
		if isScopeBoundary(n.DataAtom) && a != atom.Table && a != atom.Td && a != atom.Th && a != atom.Tr && a != atom.Tbody && a != atom.Thead && a != atom.Tfoot {
			return
		}
	}
}

// stripRaw returns src without the contents of <script> (other than JSON
// scripts) and <style> elements, which extraction never reads. Skipping
// them with a byte search is several times faster than letting the
// tokenizer scan them a byte at a time; the tags themselves stay, so the
// tree is unchanged. src is not modified.
func stripRaw(src []byte) []byte {
	var out []byte
	last := 0 // src[last:] is not yet copied
	for i := 0; i < len(src); {
		j := bytes.IndexByte(src[i:], '<')
		if j < 0 {
			break
		}
		i += j
		var tag string
		switch {
		case bytesHasPrefixFold(src[i+1:], "script"):
			tag = "script"
		case bytesHasPrefixFold(src[i+1:], "style"):
			tag = "style"
		default:
			i++
			continue
		}
		nameEnd := i + 1 + len(tag)
		if nameEnd >= len(src) || !isTagEnd(src[nameEnd]) {
			i++
			continue
		}
		gt := bytes.IndexByte(src[nameEnd:], '>')
		if gt < 0 {
			break
		}
		open := src[i : nameEnd+gt+1]
		bodyStart := nameEnd + gt + 1
		end := indexFold(src[bodyStart:], "</"+tag)
		if end < 0 {
			break // unterminated: leave the rest to the tokenizer
		}
		bodyEnd := bodyStart + end
		if tag == "script" && bytes.Contains(bytes.ToLower(open), []byte("json")) {
			i = bodyEnd + 2
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(src))
		}
		out = append(out, src[last:bodyStart]...)
		last = bodyEnd
		i = bodyEnd + 2
	}
	if out == nil {
		return src
	}
	return append(out, src[last:]...)
}

func isTagEnd(c byte) bool {
	return c == '>' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/'
}

// bytesHasPrefixFold reports whether b starts with the lower-case ASCII word s,
// ignoring ASCII case.
func bytesHasPrefixFold(b []byte, s string) bool {
	if len(b) < len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// indexFold finds the lower-case ASCII string s in b, ignoring ASCII case.
func indexFold(b []byte, s string) int {
	for i := 0; i+len(s) <= len(b); {
		j := bytes.IndexByte(b[i:], s[0])
		if j < 0 {
			return -1
		}
		i += j
		if bytesHasPrefixFold(b[i:], s) {
			return i
		}
		i++
	}
	return -1
}
