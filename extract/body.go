package extract

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The body extractor works on a flat list of text blocks rather than on
// the tree. One walk over the document turns every run of inline content
// between two block boundaries into a block (a paragraph, heading, list
// item, quote line, table cell …) and records, for every block-level
// element, the contiguous range of blocks it contains. Choosing the
// article container then becomes choosing the element whose range has the
// largest total weight, where good prose weighs positive and link lists,
// fragments and marked boilerplate weigh negative — a maximum-sum range
// over the tree, computed in one pass with prefix sums. Text inside the
// chosen element is then filtered block by block.

// maxDepth bounds recursion: deeper content is read as flat text of its
// ancestor at that depth (real pages never come near it).
const maxDepth = 256

type blockKind uint8

const (
	kindPara blockKind = iota
	kindHeading
	kindItem
	kindQuote
	kindPre
	kindCell
	kindCaption
)

type block struct {
	text      string
	runes     int
	linkRunes int
	kind      blockKind
	h1        bool // inside an <h1>
	byline    bool // inside an element the metadata reader took as a byline
	timeOnly  bool // all its text comes from <time> elements
	boiler    int  // index in elems of the innermost boilerplate ancestor, or -1
	body      int  // index in elems of the innermost body-hint ancestor, or -1
	owner     int  // index in elems of the innermost block element
	weight    float64
}

type elem struct {
	node       *html.Node
	start, end int // block range [start, end)
	parent     int // index in elems, -1 for the root
	hint       hint
	articleTag bool
}

type walker struct {
	blocks []block
	elems  []elem
	tb     textBuilder
	link   int
	kind   blockKind
	h1     bool
	// h1Start is the first block of the innermost open <h1>.
	h1Start int
	byline  int
	boiler  int
	body    int
	cur     int // index in elems of the innermost open element
	// hintCache memoises classHint per class string for this page.
	hintCache map[string]hint
	// dataTable > 0 inside a table whose cells hold only inline content.
	dataTable int
	bylines   map[*html.Node]bool
	// inTime > 0 inside a <time> element; timeBytes counts the bytes of
	// the current block written there.
	inTime    int
	timeBytes int
}

func (w *walker) flush() {
	timeBytes := w.timeBytes
	w.timeBytes = 0
	if len(w.tb.b) == 0 {
		w.tb.reset()
		return
	}
	text := string(w.tb.b)
	if w.tb.pre > 0 {
		text = strings.TrimRight(text, "\n ")
	}
	runes := textWidth(text)
	lr := 0
	if w.tb.linkBytes > 0 {
		if w.tb.linkBytes >= len(w.tb.b) {
			lr = runes
		} else {
			lr = runes * w.tb.linkBytes / len(w.tb.b)
		}
	}
	w.blocks = append(w.blocks, block{
		text: text, runes: runes, linkRunes: lr, kind: w.kind, h1: w.h1,
		byline: w.byline > 0, timeOnly: timeBytes >= len(w.tb.b), boiler: w.boiler, body: w.body, owner: w.cur,
	})
	w.tb.reset()
}

func (w *walker) walk(n *html.Node, depth int) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			if w.inTime > 0 {
				before := len(w.tb.b)
				w.tb.write(c.Data, w.link > 0)
				w.timeBytes += len(w.tb.b) - before
				continue
			}
			w.tb.write(c.Data, w.link > 0)
		case html.ElementNode:
			w.element(c, depth+1)
		}
	}
}

func (w *walker) element(n *html.Node, depth int) {
	tk := kindOfTag(n.DataAtom)
	switch tk {
	case tagSkip:
		return
	case tagBreak:
		w.flush()
		return
	}
	h := hintNone
	if tk == tagInline {
		// Inside running text only hidden things and hover pop-ups are
		// dropped; other hints ("tag-link") would cut words out of
		// sentences.
		if len(n.Attr) > 0 && inlineHidden(n) {
			return
		}
	} else if len(n.Attr) > 0 || n.DataAtom == atom.Nav || n.DataAtom == atom.Aside || n.DataAtom == atom.Footer || n.DataAtom == atom.Header || n.DataAtom == atom.Menu {
		h = elementHint(n, w.hintCache)
	}
	if h == hintSkip {
		return
	}
	if w.bylines[n] {
		w.byline++
		defer func() { w.byline-- }()
	}
	if n.DataAtom == atom.Time {
		w.inTime++
		defer func() { w.inTime-- }()
	}
	// In a data table (cells hold only inline content) a row is one block
	// and its cells are words in it: "3 Kevin Harvick 5033 4", not five
	// paragraphs.
	if w.dataTable > 0 && (n.DataAtom == atom.Td || n.DataAtom == atom.Th) {
		w.tb.space()
		w.walk(n, depth)
		w.tb.space()
		return
	}
	if tk == tagInline && h == hintNone {
		if n.DataAtom == atom.A {
			w.link++
			w.walk(n, depth)
			w.link--
			return
		}
		w.walk(n, depth)
		return
	}
	if depth > maxDepth {
		w.walk(n, depth)
		return
	}
	// A block-level element (or an inline one carrying a hint, handled as
	// a block so its hint has a range).
	w.flush()
	idx := len(w.elems)
	w.elems = append(w.elems, elem{node: n, start: len(w.blocks), parent: w.cur, hint: h, articleTag: n.DataAtom == atom.Article})
	saveKind, saveBoiler, saveBody, saveH1, saveH1Start, saveCur := w.kind, w.boiler, w.body, w.h1, w.h1Start, w.cur
	w.cur = idx
	switch h {
	case hintBoiler:
		w.boiler = idx
	case hintBody, hintPaywall:
		w.body = idx
	}
	switch n.DataAtom {
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Main:
		if w.kind != kindQuote && w.kind != kindItem {
			w.kind = kindPara
		}
		// An <h1> left open swallows the paragraphs after it (the
		// parser nests them in it, as HTML requires); browsers still
		// show them as paragraphs. Blocks after the heading's own text
		// are body; a block holding the heading text itself
		// (<h1><div>Headline</div></h1>) is not.
		if w.h1 && len(w.blocks) > w.h1Start {
			w.h1 = false
		}
	case atom.H1:
		w.kind, w.h1, w.h1Start = kindHeading, true, len(w.blocks)
	case atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		w.kind = kindHeading
	case atom.Li, atom.Dt, atom.Dd:
		w.kind = kindItem
	case atom.Blockquote:
		w.kind = kindQuote
	case atom.Pre:
		w.kind = kindPre
		w.tb.pre++
	case atom.Td, atom.Th, atom.Tr:
		w.kind = kindCell
	case atom.Figcaption, atom.Caption:
		w.kind = kindCaption
	}
	if n.DataAtom == atom.A {
		w.link++
	}
	dataTable := n.DataAtom == atom.Table && isDataTable(n)
	if dataTable {
		w.dataTable++
	}
	w.walk(n, depth)
	if dataTable {
		w.dataTable--
	}
	if n.DataAtom == atom.A {
		w.link--
	}
	w.flush()
	if n.DataAtom == atom.Pre {
		w.tb.pre--
	}
	w.kind, w.boiler, w.body, w.h1, w.h1Start, w.cur = saveKind, saveBoiler, saveBody, saveH1, saveH1Start, saveCur
	w.elems[idx].end = len(w.blocks)
}

// textWidth measures text in "Latin character equivalents": a CJK
// ideograph, kana or Hangul syllable carries about as much text as three
// Latin letters, so thresholds in runes work for both.
func textWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if (r >= 0x3040 && r <= 0x9fff) || (r >= 0xac00 && r <= 0xd7a3) || (r >= 0xf900 && r <= 0xfaff) {
			n += 3
		} else {
			n++
		}
	}
	return n
}

// isDataTable reports whether a table's cells hold only short inline
// content (a table of figures) rather than blocks, line breaks or long
// text (a layout table).
func isDataTable(table *html.Node) bool {
	stack := []*html.Node{table}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode && len(c.Data) > 200 {
				return false
			}
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Table, atom.Div, atom.P, atom.Ul, atom.Ol, atom.Section, atom.Article,
				atom.Blockquote, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Form,
				atom.Br, atom.Hr:
				return false
			}
			stack = append(stack, c)
		}
	}
	return true
}
