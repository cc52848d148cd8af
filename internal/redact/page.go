package redact

import (
	"bytes"
	"errors"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// ErrNotPage: the document is not an HTML page BlankPage reads (it does
// not start with markup).
var ErrNotPage = errors.New("not an HTML page")

// BlankPage returns a copy of doc, an HTML page fetched from pageURL,
// with what names a URL named accepts blanked, and how many places were
// (links, teasers' other links counted as links, meta and link
// elements, other attributes naming it, JSON-LD and JSON data entries).
// The copy has doc's length.
//
// A link is an a element whose href, resolved against the page's URL (or
// its base element's), is a URL named accepts, or a place in one
// (#comments). It is blanked whole, from its start tag to its end tag
// with all it holds (the headline, the teaser's image), so that a
// section front, a home page or a related list no longer shows it; when
// it is left open, it ends where the element around it does, or with the
// page. A link in running text keeps its words: only its href's value
// becomes spaces, so the sentence reads as before and no longer leads
// there. Running text is a paragraph or a blockquote, and in an
// article's body (an element whose itemprop is articleBody) a list item,
// a table cell or a description, that holds words of its own besides
// such links: another article's prose.
//
// A teaser that holds only the URL's story is blanked whole, start tag to
// end tag, with its standfirst, kicker, date and image: an article or li
// element, or a div or section one of whose classes has the word card,
// teaser, story, promo or tile in it (story-card, c-card__body), that
// holds a link to the URL blanked whole (its headline), no link to
// another page (nor an area, data-href, data-url or onclick leading to
// one: a card or button scripts send there), no h1, no other heading
// with words outside the links to the URL (another story's headline),
// no running text with words of its own before its first link to the
// URL (the page's own prose), at most teaserLead bytes of text before
// that link (a kicker, a date) and at most teaserText in all, and whose
// links blanked whole have no words beside them directly in the element
// each is in (a sentence, not a headline). Otherwise only its links go: a takedown never blanks the
// words of a page's own article.
//
// A meta element whose content is a URL named (og:url, og:see_also,
// twitter:url) and a link element whose href is one (rel alternate,
// amphtml, prev, next…) lose that value: it becomes spaces; so do a
// meta refresh to one (content "0; url=…", all of it), an iframe's or
// frame's src, and on any element a data-href, data-url or onclick (a
// URL quoted in its script) naming it (a srcset's are images', not a
// page's, and are left). An image map's area whose href names it goes whole. A noscript
// element's text, which the tokenizer does not read as markup (as
// browsers running scripts do not), is read as markup: its links go as
// the page's do.
//
// A JSON-LD script (type application/ld+json) loses the entries naming
// the URL: see jsonLD. A script of other JSON data (application/json,
// another +json type, speculationrules) has the objects describing the
// URL's page and the links to it emptied in place: see jsonData. Other
// markup that is not a link (another script's text, a comment, another
// attribute, such as a title or an alt) is left.
//
// A document whose first significant byte is not '<' gives ErrNotPage.
func BlankPage(doc []byte, pageURL string, named func(string) bool) ([]byte, int, error) {
	return BlankPageMentioning(doc, pageURL, named, nil)
}

// BlankPageMentioning is BlankPage for a caller that can tell of a text
// whether it may name a URL named accepts (a takedown's scan looks for
// bytes that every spelling of a link to one holds): the text of a
// JSON-LD or JSON data script that mentioned says does not is left
// unparsed, as it names none. A nil mentioned parses every script.
func BlankPageMentioning(doc []byte, pageURL string, named func(string) bool, mentioned func([]byte) bool) ([]byte, int, error) {
	if firstSignificant(doc) != '<' {
		return nil, 0, ErrNotPage
	}
	base, _ := url.Parse(pageURL)
	b := &blanker{out: bytes.Clone(doc), base: base, named: named, mentioned: mentioned}
	p := pageState{b: b}
	p.tokens(doc, 0)
	p.closeLink(len(doc))
	p.closePara()
	p.pop(0, len(doc), len(doc))
	p.teasers()
	return b.out, b.n, nil
}

// tokens reads doc, at off in the page, token by token.
func (p *pageState) tokens(doc []byte, off int) {
	z := html.NewTokenizer(bytes.NewReader(doc))
	at := off
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
		rawText := p.rawText
		p.rawText = ""
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			p.start(tag, raw, from, to, tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			p.end(tag, from, to)
		case html.TextToken:
			p.text(raw, from, rawText)
		}
	}
	p.rawText = ""
}

// Teasers' limits: the text (outside the links to the URL) a teaser may
// hold before its first link to the URL, and in all, in bytes; more is an
// article's own words, not a teaser's.
const (
	teaserLead = 80
	teaserText = 500
)

// pageState is what BlankPage knows at a point of the page.
type pageState struct {
	b *blanker
	// link is the open link that names a URL, if any: its start, the
	// span of its href's value, and the elements opened in it.
	link *openLink
	// para is the open running text, if any.
	para *openPara
	// open are the open elements, innermost last; body counts those
	// whose itemprop is articleBody.
	open []element
	body int
	// rawText is the element whose text the next text token is (script,
	// style…), ldJSON whether that script is JSON-LD and dataJSON
	// whether it is other JSON data (isDataScript).
	rawText  string
	ldJSON   bool
	dataJSON bool
	// noscript says the tokens are a noscript element's text, read as
	// markup (one in it is not read again: its text ends with the
	// first's).
	noscript bool
	// What teasers are decided on, in the page's order: the candidate
	// containers ended, the offsets of the links to other pages, of h1
	// elements, of other headings holding words outside the links to
	// the URL (another story's headline) and of running text with words
	// of its own (prose), the text outside links to the URL (offsets,
	// the bytes up to each and the start of the element each is directly
	// in), the links to the URL and whether each was blanked whole.
	candidates [][2]int
	others     []int
	h1s        []int
	heads      []int
	prose      []int
	textAt     []int
	textSum    []int
	textIn     []int
	gone       []goneLink
}

// element is an open element.
type element struct {
	tag    string
	from   int
	teaser bool // a candidate teaser
	body   bool // itemprop articleBody
}

// goneLink is a link to the URL, by its start, whether it was blanked
// whole, and the start of the element it is directly in (-1: none).
type goneLink struct {
	at     int
	whole  bool
	parent int
}

type openLink struct {
	from       int
	href       [2]int
	inner      []string
	inPara     bool
	parent     int // the start of the element it is directly in, or -1
	start, end int // of the whole element, once it ends
}

type openPara struct {
	from  int
	words bool        // text of its own, outside the links naming a URL
	links []*openLink // the links naming a URL in it, ended
}

// voidElements have no end tag.
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true, "input": true,
	"link": true, "meta": true, "param": true, "source": true, "track": true, "wbr": true,
}

// rawTextElements hold text the tokenizer does not read as markup.
var rawTextElements = map[string]bool{
	"iframe": true, "noembed": true, "noframes": true, "noscript": true, "plaintext": true, "script": true,
	"style": true, "textarea": true, "title": true, "xmp": true,
}

// closesPara are the start tags that end open running text (HTML's
// parsing rules for a paragraph, and the table's and list's parts).
var closesPara = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "details": true, "dialog": true, "dd": true,
	"div": true, "dl": true, "dt": true, "fieldset": true, "figcaption": true, "figure": true, "footer": true,
	"form": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "header": true,
	"hgroup": true, "hr": true, "li": true, "main": true, "menu": true, "nav": true, "ol": true, "p": true,
	"pre": true, "section": true, "table": true, "ul": true, "td": true, "th": true, "tr": true, "caption": true,
}

// runningText are the elements whose words are running text: everywhere
// (true), or in an article's body only (false).
var runningText = map[string]bool{"p": true, "blockquote": true, "li": false, "td": false, "th": false, "dd": false}

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
	p.push(tag, raw, from)
	switch tag {
	case "meta":
		p.blankValue(raw, from, "content", true)
		p.refresh(raw, from)
	case "link":
		p.blankValue(raw, from, "href", false)
	case "h1":
		if p.link == nil { // not a teaser's headline
			p.h1s = append(p.h1s, from)
		}
	case "script":
		v, _, _ := rawAttr(raw, "type")
		mt := scriptType(html.UnescapeString(v))
		p.ldJSON = mt == "application/ld+json"
		p.dataJSON = isDataScript(mt)
	}
	p.attrs(tag, raw, from, to)
	if rawTextElements[tag] {
		p.rawText = tag
	}
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
				p.b.base, p.b.seen = u, nil
			}
		}
	case tag == "a":
		v, span, ok := rawAttr(raw, "href")
		if !ok {
			return
		}
		ref := html.UnescapeString(v)
		if !p.b.names(ref) {
			if p.leadsAway(ref) {
				p.others = append(p.others, from)
			}
			return
		}
		l := &openLink{from: from, href: [2]int{from + span[0], from + span[1]}, inPara: p.para != nil, parent: p.parent(1)}
		p.link = l
		if selfClosing {
			p.closeLink(to)
		}
	case closesPara[tag]:
		p.closePara()
		if everywhere, ok := runningText[tag]; ok && (everywhere || p.body > 0) {
			p.para = &openPara{from: from}
		}
	}
}

// leadsAway reports whether ref, an a element's href that does not name
// the URL, leads to another page: not a place in this one, nor a script.
func (p *pageState) leadsAway(ref string) bool {
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.HasPrefix(ref, "#") {
		return false
	}
	scheme, _, ok := strings.Cut(strings.ToLower(ref), ":")
	return !ok || strings.ContainsAny(scheme, "/?#") || scheme == "http" || scheme == "https"
}

// blankValue blanks the value of a meta element's content, or a link
// element's href, when it names the URL. A meta element's content is
// read as a link only when it is written as one (isLinkText: absolute,
// or from the root): other content (a description, a title) is left.
func (p *pageState) blankValue(raw []byte, from int, attr string, asLink bool) {
	v, span, ok := rawAttr(raw, attr)
	if !ok {
		return
	}
	v = strings.TrimSpace(html.UnescapeString(v))
	if asLink && !isLinkText(v) {
		return
	}
	if p.b.names(v) {
		p.b.spaces(from+span[0], from+span[1])
		p.b.n++
	}
}

// refresh blanks the content of a meta refresh (http-equiv refresh,
// content "0; url=…") whose URL names the URL: all of it, as a refresh
// to no URL would reload the page itself.
func (p *pageState) refresh(raw []byte, from int) {
	if v, _, _ := rawAttr(raw, "http-equiv"); !strings.EqualFold(strings.TrimSpace(html.UnescapeString(v)), "refresh") {
		return
	}
	v, span, ok := rawAttr(raw, "content")
	if !ok {
		return
	}
	// The delay, then ';' or ',', then url= (its name optional).
	_, ref, ok := strings.Cut(strings.ReplaceAll(html.UnescapeString(v), ",", ";"), ";")
	if !ok {
		return
	}
	ref = strings.TrimSpace(ref)
	if len(ref) >= 3 && strings.EqualFold(ref[:3], "url") {
		if rest := strings.TrimSpace(ref[3:]); strings.HasPrefix(rest, "=") {
			ref = strings.TrimSpace(rest[1:])
		}
	}
	if len(ref) > 0 && (ref[0] == '"' || ref[0] == '\'') {
		if end := strings.IndexByte(ref[1:], ref[0]); end >= 0 {
			ref = ref[1 : 1+end]
		} else {
			ref = ref[1:]
		}
	}
	if p.b.names(ref) {
		p.b.spaces(from+span[0], from+span[1])
		p.b.n++
	}
}

// attrs handles the attributes of a start tag, raw at from to to, that
// refer to a page without being a link (an a element's href): an area's
// href (the tag goes whole), an iframe's or frame's src and, on any
// element, data-href, data-url and onclick (the value goes) naming the URL; and those that lead to another page (an
// area's href, data-href or data-url written as a link but not a media
// element's, a URL in onclick: a card or button that scripts send
// there), which a teaser must not hold: it holds another story.
func (p *pageState) attrs(tag string, raw []byte, from, to int) {
	eachAttr(raw, func(name []byte, val [2]int) bool {
		hit := false
		switch {
		case tag == "area" && foldEqual(name, "href"):
			ref := html.UnescapeString(string(raw[val[0]:val[1]]))
			if p.b.names(ref) {
				p.b.spaces(from, to)
				p.b.n++
				return false
			}
			if p.leadsAway(ref) {
				p.others = append(p.others, from)
			}
			return true
		case (tag == "iframe" || tag == "frame") && foldEqual(name, "src"):
			hit = p.b.names(html.UnescapeString(string(raw[val[0]:val[1]])))
		case foldEqual(name, "data-href"), foldEqual(name, "data-url"):
			ref := html.UnescapeString(string(raw[val[0]:val[1]]))
			hit = p.b.names(ref)
			if !hit && p.leadsAway(ref) && isLinkText(ref) && !mediaElements[tag] {
				p.others = append(p.others, from)
			}
		case foldEqual(name, "onclick"):
			away := false
			for _, ref := range scriptURLs(html.UnescapeString(string(raw[val[0]:val[1]]))) {
				if p.b.names(ref) {
					hit = true
				} else {
					away = true
				}
			}
			if away {
				p.others = append(p.others, from)
			}
		}
		if hit {
			p.b.spaces(from+val[0], from+val[1])
			p.b.n++
		}
		return true
	})
}

// mediaElements are the elements whose data-url or data-href is more
// likely a lazy-loaded file's than a page's.
var mediaElements = map[string]bool{"img": true, "source": true, "picture": true, "video": true, "audio": true}

// scriptURLs returns the quoted strings of a script (an onclick
// attribute's) that are written as links (isLinkText):
// location.href='/2026/story', window.open("https://…").
func scriptURLs(js string) []string {
	var urls []string
	for i := 0; i < len(js); i++ {
		q := js[i]
		if q != '\'' && q != '"' && q != '`' {
			continue
		}
		end := strings.IndexByte(js[i+1:], q)
		if end < 0 {
			break
		}
		if s := js[i+1 : i+1+end]; isLinkText(s) {
			urls = append(urls, s)
		}
		i += end + 1
	}
	return urls
}

// end handles an end tag at from to to.
func (p *pageState) end(tag string, from, to int) {
	defer p.popTo(tag, from, to)
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

// text handles a text token, raw at from: the text of rawText (a
// script's…), or the page's.
func (p *pageState) text(raw []byte, from int, rawText string) {
	switch {
	case rawText == "script" && p.ldJSON:
		if p.b.mayName(raw) {
			p.b.n += p.b.jsonLD(raw, from)
		}
	case rawText == "script" && p.dataJSON:
		if p.b.mayName(raw) {
			p.b.n += p.b.jsonData(raw, from)
		}
	case rawText == "noscript" && !p.noscript:
		// Markup, read as text where scripts run: what a reader without
		// them sees (a lazy image's fallback, a list of links).
		p.noscript = true
		p.tokens(raw, from)
		p.noscript = false
	case rawText != "":
	case p.link == nil && len(bytes.TrimSpace(raw)) > 0:
		if p.para != nil {
			p.para.words = true
		}
		sum := 0
		if k := len(p.textSum); k > 0 {
			sum = p.textSum[k-1]
		}
		p.textAt = append(p.textAt, from)
		p.textSum = append(p.textSum, sum+len(bytes.TrimSpace(raw)))
		in := -1
		if bytes.ContainsFunc(raw, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
			in = p.parent(0) // words, not a separator
		}
		p.textIn = append(p.textIn, in)
	}
}

// parent returns the start of the open element skip elements out from
// the innermost, or -1 when there is none.
func (p *pageState) parent(skip int) int {
	if i := len(p.open) - 1 - skip; i >= 0 {
		return p.open[i].from
	}
	return -1
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
	p.gone = append(p.gone, goneLink{l.from, true, l.parent})
}

// closePara ends the open running text, if any: its links are blanked
// whole when it has no words of its own, else their targets alone.
func (p *pageState) closePara() {
	para := p.para
	if para == nil {
		return
	}
	p.para = nil
	if para.words {
		p.prose = append(p.prose, para.from)
	}
	for _, l := range para.links {
		if para.words {
			p.b.spaces(l.href[0], l.href[1])
		} else {
			p.b.spaces(l.start, l.end)
		}
		p.b.n++
		p.gone = append(p.gone, goneLink{l.from, !para.words, l.parent})
	}
}

// headings are the headings below h1: one holding words outside the
// links to the URL is another story's headline.
var headings = map[string]bool{"h2": true, "h3": true, "h4": true, "h5": true, "h6": true}

// teaserWords are the words of a class that make a div or section a
// candidate teaser.
var teaserWords = []string{"card", "teaser", "story", "promo", "tile"}

// isTeaser reports whether an element is a candidate teaser: an article
// or li, or a div or section with a teaser's class.
func isTeaser(tag string, raw []byte) bool {
	switch tag {
	case "article", "li":
		return true
	case "div", "section":
	default:
		return false
	}
	v, _, ok := rawAttr(raw, "class")
	if !ok {
		return false
	}
	v = strings.ToLower(html.UnescapeString(v))
	if !slices.ContainsFunc(teaserWords, func(w string) bool { return strings.Contains(v, w) }) {
		return false // most classes
	}
	for _, class := range strings.Fields(v) {
		for _, w := range strings.FieldsFunc(class, func(r rune) bool { return r == '-' || r == '_' }) {
			if slices.Contains(teaserWords, w) {
				return true
			}
		}
	}
	return false
}

// push opens an element (a void one is not kept), first ending those its
// start tag ends by HTML's rules: an open paragraph, list item, table
// cell or row.
func (p *pageState) push(tag string, raw []byte, from int) {
	switch {
	case tag == "li":
		p.implicitEnd(from, []string{"li"}, []string{"ul", "ol", "menu", "table"})
	case tag == "dd" || tag == "dt":
		p.implicitEnd(from, []string{"dd", "dt"}, []string{"dl", "table"})
	case tag == "td" || tag == "th":
		p.implicitEnd(from, []string{"td", "th"}, []string{"tr", "table"})
	case tag == "tr":
		p.implicitEnd(from, []string{"tr", "td", "th"}, []string{"table", "tbody", "thead", "tfoot"})
	case tag == "tbody" || tag == "thead" || tag == "tfoot":
		p.implicitEnd(from, []string{"tbody", "thead", "tfoot", "tr", "td", "th"}, []string{"table"})
	}
	if closesPara[tag] {
		// A paragraph is open only around phrasing content.
		for i := len(p.open) - 1; i >= 0; i-- {
			if t := p.open[i].tag; t == "p" {
				p.pop(i, from, from)
				break
			} else if !phrasing[t] {
				break
			}
		}
	}
	if voidElements[tag] {
		return
	}
	e := element{tag: tag, from: from, teaser: isTeaser(tag, raw)}
	if bytes.Contains(raw, []byte("articleBody")) {
		if v, _, ok := rawAttr(raw, "itemprop"); ok && slices.Contains(strings.Fields(html.UnescapeString(v)), "articleBody") {
			e.body = true
			p.body++
		}
	}
	p.open = append(p.open, e)
}

// implicitEnd ends the innermost open element among ends, unless one of
// stop is open inside it, at from.
func (p *pageState) implicitEnd(from int, ends, stop []string) {
	for i := len(p.open) - 1; i >= 0; i-- {
		t := p.open[i].tag
		if slices.Contains(ends, t) {
			p.pop(i, from, from)
			return
		}
		if slices.Contains(stop, t) {
			return
		}
	}
}

// popTo ends the innermost open element named tag, with those open in it,
// at an end tag from to to; an end tag with no element open is passed
// over.
func (p *pageState) popTo(tag string, from, to int) {
	for i := len(p.open) - 1; i >= 0; i-- {
		if p.open[i].tag == tag {
			p.pop(i, from, to)
			return
		}
	}
}

// pop ends the open elements from the i-th in: those inside it at inner,
// it at to.
func (p *pageState) pop(i, inner, to int) {
	for j := len(p.open) - 1; j >= i; j-- {
		e := p.open[j]
		end := inner
		if j == i {
			end = to
		}
		if e.body {
			p.body--
		}
		if e.teaser {
			p.candidates = append(p.candidates, [2]int{e.from, end})
		}
		if headings[e.tag] && len(p.textAt) > 0 && p.textAt[len(p.textAt)-1] > e.from {
			p.heads = append(p.heads, e.from) // words outside links to the URL
		}
	}
	p.open = p.open[:i]
}

// teasers blanks the candidate teasers that hold only the URL's story.
func (p *pageState) teasers() {
	if len(p.gone) == 0 {
		return
	}
	slices.SortFunc(p.gone, func(a, b goneLink) int { return a.at - b.at })
	slices.Sort(p.heads)
	within := func(at []int, e [2]int) (int, int) { // the span of at in e
		i, _ := slices.BinarySearch(at, e[0])
		j, _ := slices.BinarySearch(at, e[1])
		return i, j
	}
	textUpTo := func(i int) int { // text of the tokens before the i-th
		if i == 0 {
			return 0
		}
		return p.textSum[i-1]
	}
	for _, e := range p.candidates {
		g, _ := slices.BinarySearchFunc(p.gone, e[0], func(l goneLink, at int) int { return l.at - at })
		whole := false
		var parents []int // of the links blanked whole
		for k := g; k < len(p.gone) && p.gone[k].at < e[1]; k++ {
			if l := p.gone[k]; l.whole {
				whole = true
				parents = append(parents, l.parent)
			}
		}
		if !whole {
			continue
		}
		if i, j := within(p.others, e); i < j {
			continue
		}
		if i, j := within(p.h1s, e); i < j {
			continue
		}
		if i, j := within(p.heads, e); i < j {
			continue
		}
		if i, j := within(p.prose, [2]int{e[0], p.gone[g].at}); i < j {
			continue // the page's own words before the link
		}
		i, j := within(p.textAt, e)
		lead, _ := slices.BinarySearch(p.textAt, p.gone[g].at)
		if textUpTo(lead)-textUpTo(i) > teaserLead || textUpTo(j)-textUpTo(i) > teaserText {
			continue
		}
		if slices.ContainsFunc(p.textIn[i:j], func(in int) bool { return in >= 0 && slices.Contains(parents, in) }) {
			continue // a link in a sentence, not a headline
		}
		p.b.spaces(e[0], e[1])
	}
}

// rawAttr finds the attribute name (lower case) in a raw start tag, the
// first so named as browsers read it: its value as written (entities not
// decoded; empty when it has none) and the value's span in raw.
func rawAttr(raw []byte, name string) (string, [2]int, bool) {
	var (
		v     string
		span  [2]int
		found bool
	)
	eachAttr(raw, func(attr []byte, val [2]int) bool {
		if !foldEqual(attr, name) {
			return true
		}
		v, span, found = string(raw[val[0]:val[1]]), val, true
		return false // the first one counts, as in browsers
	})
	return v, span, found
}

// eachAttr calls f with the name (as written) and the value's span (empty
// when it has none) of each attribute of a raw start tag, in order, until
// f returns false. A quoted value cut off by the tag's end stops it: what
// follows is not read as attributes.
func eachAttr(raw []byte, f func(name []byte, val [2]int) bool) {
	i := 1 // past '<'
	for i < len(raw) && !isSpace(raw[i]) && raw[i] != '>' && raw[i] != '/' {
		i++ // the tag name
	}
	for i < len(raw) {
		for i < len(raw) && (isSpace(raw[i]) || raw[i] == '/') {
			i++
		}
		if i >= len(raw) || raw[i] == '>' {
			return
		}
		n0 := i
		for i < len(raw) && !isSpace(raw[i]) && raw[i] != '=' && raw[i] != '>' && (raw[i] != '/' || i == n0) {
			i++
		}
		name := raw[n0:i]
		for i < len(raw) && isSpace(raw[i]) {
			i++
		}
		if i >= len(raw) || raw[i] != '=' {
			if !f(name, [2]int{i, i}) {
				return
			}
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
				return // cut off: not read as a link
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
		if !f(name, [2]int{v0, v1}) {
			return
		}
	}
}

// foldEqual reports whether b, an attribute's name as written, is name
// (lower case), ASCII case folded.
func foldEqual(b []byte, name string) bool {
	if len(b) != len(name) {
		return false
	}
	for i := range len(b) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != name[i] {
			return false
		}
	}
	return true
}

// isSpace reports whether c is HTML white space.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}
