package extract

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Microdata (itemscope/itemtype/itemprop) and RDFa (typeof/property), read
// during the metadata walk with the schema.org vocabulary.
//
// Only the first article scope outside list items and asides counts:
// listing pages repeat BlogPosting items, and their headlines are not the
// page's. Properties outside any
// scope are taken too (itemprop="author" without an itemscope is invalid
// but common). Inside a nested author or publisher scope, "name" names the
// author or the publisher.

// maxScopes bounds the nesting of scopes followed; deeper ones are read
// as part of the innermost followed scope.
const maxScopes = 32

// microScope is an open itemscope (or RDFa typeof) element.
type microScope struct {
	node    *html.Node
	prop    string // the itemprop under which the scope sits ("author")
	article bool
	page    bool
	person  bool
	org     bool
	named   bool // a name property was seen inside
}

// microData collects what microdata and RDFa declare.
type microData struct {
	stack []microScope
	// mainScope is the first article scope; later ones are ignored.
	mainScope *html.Node
	mainDone  bool

	Type                               string
	Headline, Description, Section     string
	Published, Modified, Language, URL string
	Image                              string
	Publisher                          string
	Authors                            []ldAuthor
	Keywords                           []string
	Free                               *bool
	BodyNode                           *html.Node
}

// microAttrs are the microdata and RDFa attributes of one element.
type microAttrs struct {
	itemprop, itemtype, property, typeOf string
	itemscope                            bool
}

// enter handles an element with microdata or RDFa attributes. It returns
// true when the element opened a scope (the caller calls leave for it).
func (m *microData) enter(n *html.Node, a microAttrs) bool {
	prop := a.itemprop
	if prop == "" && n.DataAtom != atom.Meta {
		prop = a.property
	}
	scoped := a.itemscope || a.typeOf != ""
	if prop != "" {
		m.property(n, prop, scoped)
	}
	if !scoped || len(m.stack) >= maxScopes {
		return false
	}
	types := a.itemtype
	if types == "" {
		types = a.typeOf
	}
	s := microScope{node: n, prop: firstWord(prop)}
	// Articles listed in teasers (list items, asides) are not the page's.
	candidate := m.mainScope == nil && !inTeaser(n)
	switch n.DataAtom {
	case atom.Li, atom.Aside, atom.Nav, atom.Footer:
		candidate = false
	}
	for _, t := range strings.Fields(types) {
		t = shortType(t)
		if articleTypes[t] > 0 {
			s.article = true
			if candidate && (m.Type == "" || articleTypes[t] < articleTypes[m.Type]) {
				m.Type = t
			}
		}
		if pageTypes[t] {
			s.page = true
		}
		if t == "Person" {
			s.person = true
		}
		if orgTypes[t] {
			s.org = true
		}
	}
	if s.article && candidate {
		m.mainScope = n
	}
	m.stack = append(m.stack, s)
	return true
}

// leave closes the scope opened by n.
func (m *microData) leave(n *html.Node) {
	if len(m.stack) == 0 || m.stack[len(m.stack)-1].node != n {
		return
	}
	s := m.stack[len(m.stack)-1]
	m.stack = m.stack[:len(m.stack)-1]
	if n == m.mainScope {
		m.mainDone = true
	}
	// An author scope without a name property: its text is the name.
	if !s.named && (s.prop == "author" || s.prop == "creator") && m.acceptArticleProp() {
		if t := nodeText(n, 200); t != "" && len(t) < 150 {
			m.Authors = append(m.Authors, ldAuthor{name: t, person: s.person, org: s.org})
		}
	}
}

// acceptArticleProp reports whether article-level properties seen now
// belong to the page's article: outside any scope, in the main article
// scope, or in a page scope.
func (m *microData) acceptArticleProp() bool {
	for i := len(m.stack) - 1; i >= 0; i-- {
		s := m.stack[i]
		if s.article {
			return s.node == m.mainScope && !m.mainDone
		}
		if s.page {
			return true
		}
		if s.prop == "author" || s.prop == "creator" || s.prop == "publisher" {
			continue
		}
		return false
	}
	return !m.mainDone || m.mainScope == nil
}

// property records the value of one itemprop/property element.
func (m *microData) property(n *html.Node, props string, scoped bool) {
	var ctx *microScope
	if len(m.stack) > 0 {
		ctx = &m.stack[len(m.stack)-1]
	}
	for _, p := range strings.Fields(props) {
		p = shortType(p)
		// name (and url) inside an author or publisher scope
		if ctx != nil && !ctx.article && !ctx.page && !scoped {
			switch ctx.prop {
			case "author", "creator":
				if p == "name" && m.acceptOuter() {
					ctx.named = true
					if v := microValue(n, 200); v != "" {
						m.Authors = append(m.Authors, ldAuthor{name: v, person: ctx.person, org: ctx.org})
					}
				}
				continue
			case "publisher":
				if p == "name" && m.Publisher == "" && m.acceptOuter() {
					m.Publisher = microValue(n, 200)
				}
				continue
			case "image":
				if (p == "url" || p == "contentUrl") && m.Image == "" && m.acceptOuter() {
					m.Image = microValue(n, 2000)
				}
				continue
			}
		}
		if !m.acceptArticleProp() {
			continue
		}
		switch p {
		case "headline":
			setOnce(&m.Headline, microValue(n, 500))
		case "description":
			setOnce(&m.Description, microValue(n, 1000))
		case "datePublished", "dateCreated":
			if m.Published == "" || p == "datePublished" && m.Published == "" {
				m.Published = microValue(n, 100)
			}
		case "dateModified":
			setOnce(&m.Modified, microValue(n, 100))
		case "articleSection":
			setOnce(&m.Section, microValue(n, 200))
		case "inLanguage":
			setOnce(&m.Language, microValue(n, 50))
		case "url", "mainEntityOfPage":
			if n.DataAtom == atom.Link || n.DataAtom == atom.Meta || n.DataAtom == atom.A {
				setOnce(&m.URL, microValue(n, 2000))
			}
		case "image", "thumbnailUrl":
			if !scoped {
				setOnce(&m.Image, microValue(n, 2000))
			}
		case "keywords":
			m.Keywords = append(m.Keywords, splitKeywords(microValue(n, 1000))...)
		case "isAccessibleForFree":
			if m.Free == nil {
				m.Free = ldBool(microValue(n, 20))
			}
		case "articleBody":
			if m.BodyNode == nil {
				m.BodyNode = n
			}
		case "author", "creator":
			if !scoped {
				v := ""
				if n.DataAtom == atom.A {
					v = nodeText(n, 200)
				}
				if v == "" {
					v = microValue(n, 200)
				}
				if v != "" {
					m.Authors = append(m.Authors, ldAuthor{name: v})
				}
			}
		case "publisher":
			if !scoped && m.Publisher == "" {
				m.Publisher = microValue(n, 200)
			}
		}
	}
}

// acceptOuter reports whether the scope enclosing the current author or
// publisher scope belongs to the page's article.
func (m *microData) acceptOuter() bool {
	return m.acceptArticleProp()
}

// setOnce sets *dst to v unless it is already set.
func setOnce(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// firstWord returns the first word of s without a vocabulary prefix.
func firstWord(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " \t\n"); i >= 0 {
		s = s[:i]
	}
	return shortType(s)
}

// microValue is the value of a microdata property element, per the HTML
// microdata rules: content for meta, href for links, src for media,
// datetime for time, value for data and meter, else the text (up to max
// bytes).
func microValue(n *html.Node, max int) string {
	if v, ok := attr(n, "content"); ok {
		return strings.TrimSpace(v)
	}
	switch n.DataAtom {
	case atom.Link, atom.A, atom.Area:
		v, _ := attr(n, "href")
		return strings.TrimSpace(v)
	case atom.Img, atom.Audio, atom.Video, atom.Source, atom.Embed, atom.Iframe, atom.Track:
		v, _ := attr(n, "src")
		return strings.TrimSpace(v)
	case atom.Object:
		v, _ := attr(n, "data")
		return strings.TrimSpace(v)
	case atom.Time:
		if v, ok := attr(n, "datetime"); ok {
			return strings.TrimSpace(v)
		}
	case atom.Data, atom.Meter:
		if v, ok := attr(n, "value"); ok {
			return strings.TrimSpace(v)
		}
	}
	return nodeText(n, max)
}

// attr returns the value of attribute key of n.
func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val, true
		}
	}
	return "", false
}

// maxTextNodes bounds the nodes nodeText visits.
const maxTextNodes = 20000

// nodeText returns the visible text of n's subtree with white space
// collapsed, stopping after about max bytes (max <= 0: no limit) or
// maxTextNodes nodes. Scripts, styles and templates are skipped.
func nodeText(n *html.Node, max int) string {
	var t textBuilder
	c := n.FirstChild
	if c == nil {
		return ""
	}
	depth := 0
	// Bound the work, not only the text: a deep chain of empty elements
	// must not be walked again for every ancestor asking for its text.
	budget := maxTextNodes
	for c != nil {
		if budget--; budget < 0 {
			break
		}
		descend := false
		switch c.Type {
		case html.TextNode:
			t.write(c.Data, false)
			if max > 0 && len(t.b) >= max {
				return string(t.b)
			}
		case html.ElementNode:
			switch c.DataAtom {
			case atom.Script, atom.Style, atom.Template, atom.Noscript, atom.Svg, atom.Math, atom.Iframe, atom.Object:
			case atom.Br, atom.P, atom.Div, atom.Li, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Td, atom.Th, atom.Tr, atom.Dd, atom.Dt, atom.Blockquote:
				t.space()
				descend = c.FirstChild != nil && depth < 512
			default:
				descend = c.FirstChild != nil && depth < 512
			}
		}
		if descend {
			c = c.FirstChild
			depth++
			continue
		}
		for c != nil && c.NextSibling == nil {
			c = c.Parent
			depth--
			t.space()
			if c == n || c == nil {
				return string(t.b)
			}
		}
		if c != nil {
			c = c.NextSibling
		}
	}
	return string(t.b)
}
