package extract

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// blockWeight is the evidence one block gives that its container is the
// article: prose counts for its length, link lists and fragments against.
func blockWeight(b *block) float64 {
	if b.kind == kindCaption || b.runes == 0 {
		return 0
	}
	if looksLikeMarkup(b.text) {
		return -float64(b.runes)
	}
	n := float64(b.runes)
	links := float64(b.linkRunes)
	if links/n > 0.5 && !(b.kind == kindCell && links/n <= 0.8) {
		return -n
	}
	text := n - links
	if b.kind == kindHeading {
		return 0
	}
	if text >= 80 || (text >= 15 && endsSentence(b.text)) {
		return text
	}
	return -text * 0.5
}

// bodyResult is the outcome of body extraction.
type bodyResult struct {
	paragraphs []string
	note       string
}

// extractBody chooses the article container and returns its paragraphs.
func extractBody(root *html.Node, md *metadata) bodyResult {
	w := walker{boiler: -1, body: -1, cur: 0, hintCache: make(map[string]hint, 64)}
	if len(md.BylineNodes) > 0 {
		w.bylines = make(map[*html.Node]bool, len(md.BylineNodes))
		for _, n := range md.BylineNodes {
			w.bylines[n] = true
		}
	}
	w.elems = append(w.elems, elem{node: root, parent: -1})
	w.walk(root, 0)
	w.flush()
	w.elems[0].end = len(w.blocks)
	blocks, elems := w.blocks, w.elems
	resolvePaywalls(blocks, elems)

	total := 0.0
	for i := range blocks {
		blocks[i].weight = blockWeight(&blocks[i])
		if blocks[i].weight > 0 {
			total += blocks[i].weight
		}
	}
	demoteMinorBodies(blocks, elems)
	// Teasers: a summary that shares a small element with a linked
	// headline is a link to another article, not this one's text.
	teaser := make([]bool, len(blocks))
	for i := range blocks {
		if blocks[i].weight > 0 && blocks[i].body < 0 && isTeaser(blocks, elems, i) {
			teaser[i] = true
			blocks[i].weight = -0.5 * blocks[i].weight
		}
	}
	// A block JSON-LD's articleBody also contains is article text.
	ab := ""
	if len(md.ArticleBody) >= 200 {
		ab = normalizeSpace(md.ArticleBody)
		for i := range blocks {
			b := &blocks[i]
			if b.runes < 20 || b.kind == kindCaption {
				continue
			}
			probe := b.text
			if len(probe) > 60 {
				probe = probe[:60]
				probe = strings.ToValidUTF8(probe, "")
			}
			if strings.Contains(ab, probe) {
				b.weight = abs(b.weight) + float64(b.runes)
			}
		}
	}
	// Declared body containers weigh double; when they hold a good part of
	// the prose, prose elsewhere (teasers, bios) weighs little.
	bodyPos := 0.0
	for i := range blocks {
		if blocks[i].body >= 0 && blocks[i].weight > 0 {
			blocks[i].weight *= 2
			bodyPos += blocks[i].weight
		}
	}
	if bodyPos > 0.4*total {
		for i := range blocks {
			if blocks[i].body < 0 && blocks[i].weight > 0 {
				blocks[i].weight *= outsideBody
			}
		}
	}
	// Boilerplate marks count unless the marked element holds most of the
	// page's prose (a wrapper named "content-with-sidebar", say).
	pos := make([]float64, len(blocks)+1)
	for i := range blocks {
		pos[i+1] = pos[i]
		if blocks[i].weight > 0 {
			pos[i+1] += blocks[i].weight
		}
	}
	effective := make([]bool, len(elems))
	for i, e := range elems {
		if e.hint == hintBoiler && (pos[e.end]-pos[e.start] < 0.5*pos[len(blocks)] || isFurnitureTag(e.node)) {
			effective[i] = true
		}
	}
	for i := range blocks {
		if b := &blocks[i]; b.boiler > b.body && effective[b.boiler] {
			b.weight = -abs(b.weight)
		}
	}
	// The container: the element whose block range weighs most; among
	// equal weights, the innermost.
	sum := make([]float64, len(blocks)+1)
	for i := range blocks {
		sum[i+1] = sum[i] + blocks[i].weight
	}
	best, bestW := 0, sum[len(blocks)]
	for i := 1; i < len(elems); i++ {
		e := elems[i]
		f := sum[e.end] - sum[e.start]
		switch {
		case f > bestW+1e-9:
			best, bestW = i, f
		case f > bestW-1e-9 && e.start >= elems[best].start && e.end <= elems[best].end:
			best, bestW = i, f
		}
	}
	c := elems[best]

	var paras []string
	var kept []int // block index of each paragraph
	for i := c.start; i < c.end; i++ {
		b := &blocks[i]
		switch {
		case b.kind == kindCaption, b.byline, b.h1, teaser[i]:
			continue
		case b.boiler > best && b.boiler > b.body && effective[b.boiler]:
			continue
		case b.linkRunes*2 > b.runes && !(b.kind == kindCell && b.linkRunes*5 <= b.runes*4):
			// Link lists go; a table row may name a link or two.
			continue
		case isBoilerText(b.text), looksLikeMarkup(b.text):
			continue
		case b.timeOnly && b.runes <= maxStampRunes && b.kind != kindCell && b.kind != kindPre:
			// A bare <time> ("8 Feb", a live blog's "21:00") labels the
			// text; it is not text. Tables of dates are data.
			continue
		}
		if len(paras) > 0 && paras[len(paras)-1] == b.text {
			continue
		}
		paras = append(paras, b.text)
		kept = append(kept, i)
	}
	// Fragments at the end of the container ("Advert", "Tell us what you
	// think", a dangling heading) are furniture. (Leading fragments are
	// kept: they are as often a short first paragraph as a dateline.)
	for len(kept) > 0 && blocks[kept[len(kept)-1]].weight <= 0 && blocks[kept[len(kept)-1]].runes < 25 {
		kept, paras = kept[:len(kept)-1], paras[:len(paras)-1]
	}
	_, paras = dropStampEnds(blocks, kept, paras)

	res := bodyResult{paragraphs: paras}

	// JSON-LD articleBody is sometimes the whole text of a page whose
	// HTML holds only a teaser (or is rendered by script): when it is
	// much longer than what the page shows, it is the better body.
	got := 0
	prose := 0
	for _, p := range paras {
		n := utf8.RuneCountInString(p)
		got += n
		if n >= 200 || (n >= 80 && endsSentence(p)) {
			prose++
		}
	}
	if ab != "" && utf8.RuneCountInString(ab) > 2*got+200 {
		res.paragraphs = splitArticleBody(md.ArticleBody)
		res.note = "body taken from JSON-LD articleBody (the page shows less)"
		return res
	}
	// A page that declares no article type, shows teasers and has no
	// paragraph of prose outside them is a listing or index page: no body
	// rather than a heap of headlines.
	teasers := 0
	for _, t := range teaser {
		if t {
			teasers++
		}
	}
	switch {
	case !isArticleType(md.Type) && prose == 0 && teasers >= 3:
		res.paragraphs = nil
		res.note = "no article body: the page looks like a listing or index page"
	case bestW <= 0 && !isArticleType(md.Type):
		// No element holds more prose than furniture: whatever is left
		// (a footer line, a menu label) is not an article.
		res.paragraphs = nil
		res.note = "no article body: the page has no prose outside navigation and boilerplate"
	case len(res.paragraphs) == 0:
		res.note = "no article body found"
	}
	return res
}

// resolvePaywalls decides, for every element named "paywall", whether it
// holds the article text (a body) or a subscription pitch (boilerplate):
// a pitch is short and asks the reader to subscribe or log in. The blocks
// of a pitch lose its body mark and gain its boilerplate mark.
func resolvePaywalls(blocks []block, elems []elem) {
	for i := range elems {
		e := &elems[i]
		if e.hint != hintPaywall {
			continue
		}
		if !isPitch(blocks[e.start:e.end]) {
			e.hint = hintBody
			continue
		}
		e.hint = hintBoiler
		outer := -1 // the body element around the pitch, if any
		for p := e.parent; p >= 0; p = elems[p].parent {
			if elems[p].hint == hintBody {
				outer = p
				break
			}
		}
		for j := e.start; j < e.end; j++ {
			b := &blocks[j]
			if b.body == i {
				b.body = outer
			}
			if b.boiler < i {
				b.boiler = i
			}
		}
	}
}

// maxPitchRunes bounds the text of a subscription pitch: a paywall box
// with more text than this holds the article.
const maxPitchRunes = 600

// pitchWords mark the text of a subscription pitch (lower case).
var pitchWords = []string{
	"subscribe", "subscription", "subscriber", "log in", "login", "sign in", "sign up",
	"abonn", "suscr", "assin", "abbona",
}

// isPitch reports whether blocks read as a subscription pitch rather than
// article text.
func isPitch(blocks []block) bool {
	n := 0
	for i := range blocks {
		n += blocks[i].runes
	}
	if n == 0 || n > maxPitchRunes {
		return false
	}
	for i := range blocks {
		l := strings.ToLower(blocks[i].text)
		for _, w := range pitchWords {
			if strings.Contains(l, w) {
				return true
			}
		}
	}
	return false
}

// outsideBody scales prose outside a declared body container when that
// container holds most of the page's prose (0.1 measured best on the
// ScrapingHub set: 0.979 against 0.977 at 0.5 and 0.25).
const outsideBody = 0.1

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// isBoilerText reports short blocks whose words alone mark them as page
// furniture rather than article text.
func isBoilerText(s string) bool {
	if len(s) > 120 {
		return false
	}
	l := strings.ToLower(s)
	if boilerBlocks[strings.TrimRight(l, " .:!…")] {
		return true
	}
	for _, p := range boilerPhrases {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	// Photo credit lines: "Jane Doe | Bloomberg | Getty Images".
	if len(s) < 100 && !endsSentence(s) {
		for _, p := range photoAgencies {
			if strings.Contains(l, p) {
				return true
			}
		}
	}
	// Photo captions and credits written as text: "… (Image: GETTY)".
	if strings.HasSuffix(l, ")") {
		for _, p := range captionCredits {
			if strings.Contains(l, p) {
				return true
			}
		}
	}
	return false
}

// boilerBlocks are whole blocks (lower case, without trailing
// punctuation) that are page furniture.
var boilerBlocks = map[string]bool{
	"advert": true, "ad": true, "comments": true, "comment": true, "learn more": true, "more": true,
	"share": true, "print": true, "email": true, "tweet": true, "close": true, "menu": true,
	"loading": true, "play video": true, "watch video": true, "skip ad": true, "sponsored": true,
}

// boilerPhrases start blocks that are page furniture.
var boilerPhrases = []string{
	"advertisement", "story continues below", "if you enjoyed this article",
	"this slideshow requires javascript", "tell us what you think", "leave a comment", "continue reading", "read more", "read next",
	"related:", "related articles", "related stories", "sign up", "subscribe to", "follow us",
	"share this", "share on", "click here", "image copyright", "image caption", "photo:",
	"getty images", "copyright ©", "© ", "all rights reserved", "recommended:", "most read",
	"you may also like", "also read", "see also:", "more on this", "watch:", "listen:",
}

// looksLikeMarkup reports text that is escaped HTML (a tracking pixel
// inside <noscript>, say) rather than prose.
func looksLikeMarkup(s string) bool {
	if len(s) < 3 || s[0] != '<' {
		return false
	}
	c := s[1]
	if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '/' || c == '!') {
		return false
	}
	return strings.IndexByte(s, '>') > 0
}

// isTeaser reports whether block i sits in a small unit (at most four
// blocks) together with a linked headline: the shape of a teaser in a
// "related" or "more from" list.
func isTeaser(blocks []block, elems []elem, i int) bool {
	e := blocks[i].owner
	for e > 0 && elems[e].end-elems[e].start < 2 {
		e = elems[e].parent
	}
	if e <= 0 {
		return false
	}
	u := elems[e]
	if u.end-u.start > 4 {
		return false
	}
	for j := u.start; j < u.end; j++ {
		b := &blocks[j]
		// The page's own headline (<h1>) is often a link to itself.
		if j != i && !b.h1 && b.runes >= 15 && b.linkRunes*5 >= b.runes*4 {
			return true
		}
	}
	return false
}

var captionCredits = []string{"(image:", "(photo:", "(picture:", "(pictured:", "(credit:", "(foto:", "(photo by", "(image credit"}

// splitArticleBody turns a JSON-LD articleBody into paragraphs: one per
// non-empty line, white space collapsed.
func splitArticleBody(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if line = normalizeSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// isArticleType reports whether a declared page type (schema.org or
// og:type) says the page is one article.
func isArticleType(t string) bool {
	if t == "" {
		return false
	}
	l := strings.ToLower(t)
	return strings.Contains(l, "article") || strings.Contains(l, "posting") || strings.Contains(l, "report") || l == "review"
}

// demoteMinorBodies drops the body hint of "body" elements that hold
// little prose compared with the largest one: teaser cards often reuse
// the article-body class of the site's templates.
func demoteMinorBodies(blocks []block, elems []elem) {
	var sums map[int]float64
	for i := range blocks {
		if b := &blocks[i]; b.body >= 0 && b.weight > 0 {
			if sums == nil {
				sums = map[int]float64{}
			}
			sums[b.body] += b.weight
		}
	}
	if len(sums) < 2 {
		return
	}
	// A body element nested in another counts toward the outer one.
	top := func(e int) int {
		t := e
		for p := elems[e].parent; p >= 0; p = elems[p].parent {
			if elems[p].hint == hintBody {
				t = p
			}
		}
		return t
	}
	outer := map[int]float64{}
	for e, w := range sums {
		outer[top(e)] += w
	}
	best := 0.0
	for _, w := range outer {
		best = max(best, w)
	}
	for i := range blocks {
		if b := &blocks[i]; b.body >= 0 && outer[top(b.body)] < 0.1*best {
			b.body = -1
		}
	}
}

var photoAgencies = []string{"getty images", "shutterstock", "ap photo", "afp photo", "reuters/", "/ reuters", "| reuters", "epa-efe", "/ afp", "| afp", "/ ap", "| ap", "photo credit", "image credit", "photograph:"}

// isFurnitureTag reports <nav>, <footer> and <aside>: unlike a class name,
// these never wrap an article, however much of the page's prose they hold.
func isFurnitureTag(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Nav, atom.Footer, atom.Aside:
		return true
	}
	return false
}

// dropStampEnds drops paragraphs written as a bare date or time stamp
// ("Updated: 9 February 2022 10:30 CET") that open the text (after any
// headings) or close it: datelines. Inside the text, a stamp written as
// text rather than as a <time> element structures it (the "4:14 p.m." of
// a news agency's running story) and stays, as the ScrapingHub
// annotators keep it.
func dropStampEnds(blocks []block, kept []int, paras []string) ([]int, []string) {
	stamp := func(i int) bool {
		b := &blocks[kept[i]]
		return b.kind != kindCell && b.kind != kindPre && isDateStamp(b.text)
	}
	var k2 []int
	var p2 []string
	lead := true
	for i := range kept {
		if lead && stamp(i) {
			continue
		}
		if blocks[kept[i]].kind != kindHeading {
			lead = false
		}
		k2, p2 = append(k2, kept[i]), append(p2, paras[i])
	}
	for len(k2) > 0 && isDateStamp(p2[len(p2)-1]) && blocks[k2[len(k2)-1]].kind != kindCell && blocks[k2[len(k2)-1]].kind != kindPre {
		k2, p2 = k2[:len(k2)-1], p2[:len(p2)-1]
	}
	return k2, p2
}
