package extract

import (
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/herald-archive/herald/article"
)

// metadata is what a page declares about itself, read before (and
// independently of) body extraction.
type metadata struct {
	// Fields of the record: CanonicalURL, Title, Description, Authors,
	// Published, Modified, SiteName, Section, Tags, Language, Image,
	// IsAccessibleForFree. Language is already normalised to BCP 47.
	Title, Description, SiteName, Section, Language, Image, CanonicalURL string
	Authors, Tags                                                        []string
	Published, Modified                                                  time.Time
	IsAccessibleForFree                                                  *bool

	// Sources maps a record field name ("published", "authors", ...) to
	// where its value came from: "json-ld:<property>" (or
	// "json-ld:WebPage.<property>"), "meta:<key>" (lower case, "dc." and
	// "dcterms." prefixes), "microdata:<property>" (microdata or RDFa),
	// "link:canonical", "link:author", "html:lang", "html:title",
	// "html:h1", "title" (a site name cut from the title), "byline",
	// "time", "dateline" or "url". Tags list their sources joined by ",".
	Sources map[string]string
	// Notes are remarks for the user (e.g. "json-ld unparsable: ...").
	Notes []string

	// ArticleBody is JSON-LD articleBody (or microdata itemprop=articleBody
	// text), if declared: a body signal, sometimes truncated or wrong.
	ArticleBody string
	// Type is the most specific declared page type: a schema.org type from
	// JSON-LD or microdata ("NewsArticle", "WebPage", ...) or else og:type
	// ("article", "website"). Empty when nothing is declared.
	Type string
	// BylineNodes are the elements identified as visible bylines or
	// datelines; body extraction drops them from the text.
	BylineNodes []*html.Node
}

// Source names used in metadata.Sources, beside "meta:<key>" and
// "json-ld:<property>".
const (
	srcTitleTag = "html:title"
	srcH1       = "html:h1"
	srcHTMLLang = "html:lang"
	srcURL      = "url"
)

// maxMicroBody bounds the text read from a microdata articleBody element.
const maxMicroBody = 4000

// collector gathers every metadata source in one walk over the document.
type collector struct {
	htmlLang  string
	title     string
	canonical string
	base      string
	authorRel []string // <link rel=author> / <a rel=author> hrefs
	imageSrc  string
	metas     metaList
	ldBlocks  []string
	h1s       []*html.Node // the first few <h1>
	h1Order   int
	micro     microData
	bylines   []bylineCand
	times     []timeCand
	order     int
	inByline  int // open byline/dateline candidate elements
	inBody    bool
	// by is the judged visible byline, computed at most once.
	by *bylineResult
	// open tracks elements whose leaving needs work: scopes and bylines.
	open []openElem
}

type openElem struct {
	node   *html.Node
	scope  bool
	byline bool
}

// readMetadata reads every metadata source of doc. page is the page URL
// (may be nil); now bounds plausible dates (dates after it are rejected).
func readMetadata(doc *html.Node, page *url.URL, now time.Time) *metadata {
	c := collector{
		h1Order: -1,
		metas:   make(metaList, 0, 64),
		bylines: make([]bylineCand, 0, 32),
		times:   make([]timeCand, 0, 16),
		open:    make([]openElem, 0, 32),
	}
	c.walk(doc)
	return c.assemble(page, now)
}

// walk visits every node once, without recursion (pages may nest
// arbitrarily deep).
func (c *collector) walk(root *html.Node) {
	n := root.FirstChild
	for n != nil {
		descend := true
		switch n.Type {
		case html.ElementNode:
			descend = c.element(n)
		case html.TextNode:
			if c.inBody && len(n.Data) >= 5 && n.Parent != nil && n.Parent.Type == html.ElementNode &&
				isBylineTextParent(n.Parent) && len(c.bylines) < maxBylineCands {
				if startsWithBy(n.Data) {
					c.bylines = append(c.bylines, bylineCand{node: n.Parent, kind: bylineBy, order: c.order})
				} else if startsWithUpdated(n.Data) {
					c.bylines = append(c.bylines, bylineCand{node: n.Parent, kind: bylineUpdated, order: c.order})
				}
			}
			descend = false
		default:
			descend = n.Type == html.DocumentNode
		}
		if descend && n.FirstChild != nil {
			n = n.FirstChild
			continue
		}
		c.leave(n)
		for n != nil && n.NextSibling == nil {
			n = n.Parent
			if n == root || n == nil {
				return
			}
			c.leave(n)
		}
		n = n.NextSibling
	}
}

// leave closes what n opened.
func (c *collector) leave(n *html.Node) {
	if k := len(c.open); k > 0 && c.open[k-1].node == n {
		o := c.open[k-1]
		c.open = c.open[:k-1]
		if o.scope {
			c.micro.leave(n)
		}
		if o.byline {
			c.inByline--
		}
	}
}

// element handles one element and reports whether to visit its children.
func (c *collector) element(n *html.Node) bool {
	c.order++
	switch n.DataAtom {
	case atom.Html:
		if v, ok := attr(n, "lang"); ok {
			c.htmlLang = v
		} else if v, ok := attr(n, "xml:lang"); ok {
			c.htmlLang = v
		}
	case atom.Body:
		c.inBody = true
	case atom.Title:
		if c.title == "" && n.Namespace == "" {
			c.title = nodeText(n, 1000)
		}
		return false
	case atom.Meta:
		c.meta(n)
		return false
	case atom.Link:
		c.link(n)
		return false
	case atom.Base:
		if v, ok := attr(n, "href"); ok && c.base == "" {
			c.base = v
		}
		return false
	case atom.Script:
		if t, _ := attr(n, "type"); containsFold(t, "ld+json") && n.FirstChild != nil && len(c.ldBlocks) < 32 {
			c.ldBlocks = append(c.ldBlocks, n.FirstChild.Data)
		}
		return false
	case atom.Style, atom.Noscript, atom.Template, atom.Svg, atom.Math, atom.Iframe, atom.Textarea, atom.Select:
		return false
	case atom.H1:
		if len(c.h1s) == 0 {
			c.h1Order = c.order
		}
		if len(c.h1s) < 3 {
			c.h1s = append(c.h1s, n)
		}
	case atom.Time:
		if len(c.times) < maxBylineCands {
			_, pub := attr(n, "pubdate")
			if v, ok := attr(n, "datetime"); ok {
				c.times = append(c.times, timeCand{node: n, value: v, pubdate: pub, inByline: c.inByline > 0, order: c.order})
			} else {
				for _, k := range epochAttrs {
					if v, ok := attr(n, k); ok {
						c.times = append(c.times, timeCand{node: n, value: v, pubdate: pub, inByline: c.inByline > 0, order: c.order, epoch: true})
						break
					}
				}
			}
		}
	}
	if len(n.Attr) == 0 {
		return true
	}
	var ma microAttrs
	var class, id, rel string
	hasMicro := false
	for _, a := range n.Attr {
		switch a.Key {
		case "itemprop":
			ma.itemprop, hasMicro = a.Val, true
		case "itemscope":
			ma.itemscope, hasMicro = true, true
		case "itemtype":
			ma.itemtype = a.Val
		case "property":
			ma.property, hasMicro = a.Val, true
		case "typeof":
			ma.typeOf, hasMicro = a.Val, true
		case "class":
			class = a.Val
		case "id":
			id = a.Val
		case "rel":
			rel = a.Val
		}
	}
	var o openElem
	if hasMicro {
		o.scope = c.micro.enter(n, ma)
	}
	if c.inBody && len(c.bylines) < maxBylineCands {
		kind := bylineKind(0)
		if rel != "" && n.DataAtom == atom.A && containsFold(rel, "author") {
			kind = bylineAuthor
			if href, ok := attr(n, "href"); ok && len(c.authorRel) < 8 {
				c.authorRel = append(c.authorRel, href)
			}
		} else if class != "" || id != "" {
			kind = classBylineKind(class, id)
		}
		if kind == 0 && ma.itemprop != "" && (containsFold(ma.itemprop, "author") || containsFold(ma.itemprop, "datepublished")) {
			if containsFold(ma.itemprop, "author") {
				kind = bylineAuthor
			} else {
				kind = bylineDate
			}
		}
		if kind != 0 {
			c.bylines = append(c.bylines, bylineCand{node: n, kind: kind, order: c.order})
			o.byline = true
			c.inByline++
		}
	}
	if o.scope || o.byline {
		o.node = n
		c.open = append(c.open, o)
	}
	return true
}

// judge judges the visible byline candidates once.
func (c *collector) judge(now time.Time, siteNames []string) *bylineResult {
	if c.by == nil {
		r := judgeBylines(c.bylines, c.times, c.h1Order, now, siteNames)
		c.by = &r
	}
	return c.by
}

// meta records a <meta> element.
func (c *collector) meta(n *html.Node) {
	var name, property, itemprop, equiv, content string
	hasContent := false
	for _, a := range n.Attr {
		switch a.Key {
		case "name":
			name = a.Val
		case "property":
			property = a.Val
		case "itemprop":
			itemprop = a.Val
		case "http-equiv":
			equiv = a.Val
		case "content":
			content, hasContent = a.Val, true
		}
	}
	if !hasContent {
		return
	}
	if itemprop != "" {
		c.micro.enter(n, microAttrs{itemprop: itemprop})
	}
	if len(c.metas) >= 512 {
		return
	}
	switch {
	case name != "":
		c.metas.add(name, content)
	case equiv != "":
		c.metas.add(equiv, content)
	}
	if property != "" {
		c.metas.add(property, content)
	}
	if itemprop != "" && name == "" && property == "" && c.micro.mainScope == nil && len(c.micro.stack) == 0 {
		// <meta itemprop> in the head, outside any scope, as many CMSs emit
		c.metas.add(itemprop, content)
	}
}

// link records <link rel=canonical|author|image_src>.
func (c *collector) link(n *html.Node) {
	var rel, href string
	for _, a := range n.Attr {
		switch a.Key {
		case "rel":
			rel = a.Val
		case "href":
			href = a.Val
		case "itemprop":
			c.micro.enter(n, microAttrs{itemprop: a.Val})
		}
	}
	if href == "" || rel == "" {
		return
	}
	for _, r := range strings.Fields(rel) {
		switch strings.ToLower(r) {
		case "canonical":
			if c.canonical == "" {
				c.canonical = href
			}
		case "author":
			if len(c.authorRel) < 8 {
				c.authorRel = append(c.authorRel, href)
			}
		case "image_src":
			if c.imageSrc == "" {
				c.imageSrc = href
			}
		}
	}
}

// assemble chooses each field from the gathered sources, in priority
// order: JSON-LD, then meta tags, then microdata, then visible bylines and
// <time>, then the URL.
func (c *collector) assemble(page *url.URL, now time.Time) *metadata {
	md := &metadata{Sources: map[string]string{}}
	c.metas.expandParsely()
	mi := &c.micro
	base := page
	if c.base != "" {
		if b := resolveURL(page, c.base); b != "" {
			base, _ = url.Parse(b)
		}
	}
	if base == nil {
		base = c.declaredBase()
	}
	ld, notes := parseJSONLD(c.ldBlocks, c.ldPage(page, base))
	md.Notes = append(md.Notes, notes...)
	set := func(dst *string, field, val, src string) bool {
		if *dst != "" || val == "" {
			return false
		}
		if (field == "site_name" || field == "section") && !plausibleName(val) {
			return false
		}
		if field == "section" && isDomainName(val) {
			return false
		}
		*dst = val
		md.Sources[field] = src
		return true
	}

	// Type
	switch {
	case ld.Type != "":
		md.Type = ld.Type
	case mi.Type != "":
		md.Type = mi.Type
	default:
		md.Type, _ = c.metas.first("og:type")
	}

	// Site name: og:site_name, JSON-LD publisher, application-name, …
	if v, k := c.metas.first("og:site_name"); v != "" {
		set(&md.SiteName, "site_name", normalizeSpace(v), "meta:"+k)
	}
	set(&md.SiteName, "site_name", ld.Publisher, "json-ld:publisher")
	set(&md.SiteName, "site_name", ld.WebSiteName, "json-ld:WebSite.name")
	// application-name is sometimes the page title: then it names nothing.
	appName, _ := c.metas.first("application-name")
	if ogt, _ := c.metas.first("og:title"); appName != "" && (titleKey(appName) == titleKey(ogt) || titleKey(appName) == titleKey(c.title) || len(strings.Fields(appName)) > 5) {
		appName = ""
	}
	set(&md.SiteName, "site_name", normalizeSpace(appName), "meta:application-name")
	if v, k := c.metas.first(metaSiteKeys[2:]...); v != "" {
		set(&md.SiteName, "site_name", normalizeSpace(v), "meta:"+k)
	}
	set(&md.SiteName, "site_name", normalizeSpace(mi.Publisher), "microdata:publisher")
	md.SiteName = cleanSiteName(md.SiteName)
	siteNames := []string{md.SiteName, ld.Publisher, ld.WebSiteName, appName}
	host := ""
	if page != nil {
		host = page.Hostname()
	}

	// Authors
	c.assembleAuthors(md, &ld, siteNames, now)

	// Title
	var cands []titleCandidate
	if ld.Headline != "" {
		cands = append(cands, titleCandidate{ld.Headline, "json-ld:headline"})
	}
	for _, k := range metaTitleKeys {
		if v, _ := c.metas.first(k); v != "" {
			cands = append(cands, titleCandidate{v, "meta:" + k})
		}
	}
	if mi.Headline != "" {
		cands = append(cands, titleCandidate{mi.Headline, "microdata:headline"})
	}
	if ld.Headline == "" && ld.Name != "" {
		cands = append(cands, titleCandidate{ld.Name, "json-ld:name"})
	}
	if c.title != "" {
		cands = append(cands, titleCandidate{c.title, srcTitleTag})
	}
	if ld.PageName != "" {
		cands = append(cands, titleCandidate{ld.PageName, "json-ld:WebPage.name"})
	}
	for _, h := range c.h1s {
		if t := strings.TrimRight(nodeText(h, 500), " ¶#§🔗"); t != "" {
			cands = append(cands, titleCandidate{t, srcH1})
		}
	}
	// Author names decorate titles too: "Headline | Jane Doe".
	stripNames := append(siteNames[:len(siteNames):len(siteNames)], md.Authors...)
	if title, src, site := chooseTitle(cands, stripNames, host); title != "" {
		set(&md.Title, "title", title, src)
		if site != "" && md.SiteName == "" {
			set(&md.SiteName, "site_name", site, "title")
			siteNames = append(siteNames, site)
		}
	}

	// Description
	set(&md.Description, "description", ld.Description, "json-ld:description")
	if v, k := c.metas.first(metaDescriptionKeys...); v != "" {
		set(&md.Description, "description", cleanText(v), "meta:"+k)
	}
	set(&md.Description, "description", normalizeSpace(mi.Description), "microdata:description")
	set(&md.Description, "description", ld.PageDescription, "json-ld:WebPage.description")

	// Dates
	var published, modified time.Time
	pubSrc, modSrc := "", ""
	// A date without a time of day ("2019-11-18") yields to a later
	// source giving the same day with its time.
	try := func(dst *time.Time, dstSrc *string, v, src string) {
		if v == "" || (!dst.IsZero() && !dayOnly(*dst)) {
			return
		}
		t, ok := parseDate(v, now)
		if !ok {
			return
		}
		if dst.IsZero() {
			*dst, *dstSrc = t, src
		} else if !dayOnly(t) && sameDate(*dst, t) {
			*dst, *dstSrc = t, src
		}
	}
	tryPub := func(v, src string) { try(&published, &pubSrc, v, src) }
	tryMod := func(v, src string) { try(&modified, &modSrc, v, src) }
	tryPub(ld.Published, "json-ld:datePublished")
	tryPub(ld.PagePublished, "json-ld:WebPage.datePublished")
	for _, k := range metaPublishedKeys {
		for _, v := range c.metas.all(k) {
			tryPub(v, "meta:"+k)
		}
	}
	tryPub(mi.Published, "microdata:datePublished")
	tryMod(ld.Modified, "json-ld:dateModified")
	tryMod(ld.PageModified, "json-ld:WebPage.dateModified")
	for _, k := range metaModifiedKeys {
		for _, v := range c.metas.all(k) {
			tryMod(v, "meta:"+k)
		}
	}
	tryMod(mi.Modified, "microdata:dateModified")
	if published.IsZero() || modified.IsZero() || dayOnly(published) {
		by := c.judge(now, siteNames)
		if !by.published.IsZero() && (published.IsZero() || (dayOnly(published) && !dayOnly(by.published) && sameDate(published, by.published))) {
			published, pubSrc = by.published, by.pubSource
		}
		if modified.IsZero() && !by.modified.IsZero() {
			modified, modSrc = by.modified, by.modSource
		}
	}
	if published.IsZero() && page != nil {
		if t, ok := dateFromURL(page.EscapedPath(), now); ok {
			published, pubSrc = t, srcURL
		}
	}
	if !published.IsZero() {
		md.Published = published
		md.Sources["published"] = pubSrc
	}
	if !modified.IsZero() && (published.IsZero() || modified.After(published)) {
		md.Modified = modified
		md.Sources["modified"] = modSrc
	}

	// Visible bylines and datelines that say what was chosen (whatever
	// the source) are marked for the body extractor to leave out.
	by := c.judge(now, siteNames)
	if by.authorNode != nil && sharesName(by.people, md.Authors) {
		md.BylineNodes = append(md.BylineNodes, by.authorNode)
	}
	if len(by.dateNodes) > 0 && !md.Published.IsZero() && sameDay(by.published, md.Published) {
		md.BylineNodes = appendNodes(md.BylineNodes, by.dateNodes)
	}

	// Section
	if v, k := c.metas.first("article:section"); v != "" {
		set(&md.Section, "section", normalizeSpace(v), "meta:"+k)
	}
	set(&md.Section, "section", ld.Section, "json-ld:articleSection")
	if v, k := c.metas.first(metaSectionKeys[1:]...); v != "" {
		set(&md.Section, "section", normalizeSpace(v), "meta:"+k)
	}
	set(&md.Section, "section", normalizeSpace(mi.Section), "microdata:articleSection")
	if n := len(ld.Breadcrumb); n >= 2 {
		// The last crumb is often the article itself; the one before it
		// is its section.
		last := ld.Breadcrumb[n-1]
		sec := last
		if titleKey(last) == titleKey(md.Title) || n >= 3 {
			sec = ld.Breadcrumb[n-2]
		}
		if !strings.EqualFold(sec, "home") && !isSiteName(sec, siteNames, host) {
			set(&md.Section, "section", sec, "json-ld:breadcrumb")
		}
	}

	// Tags
	c.assembleTags(md, &ld)

	// Image
	if v, k := c.metas.first(metaImageKeys[:3]...); v != "" {
		set(&md.Image, "image", resolveURL(base, v), "meta:"+k)
	}
	set(&md.Image, "image", resolveURL(base, ld.Image), "json-ld:image")
	if v, k := c.metas.first(metaImageKeys[3:]...); v != "" {
		set(&md.Image, "image", resolveURL(base, v), "meta:"+k)
	}
	set(&md.Image, "image", resolveURL(base, mi.Image), "microdata:image")
	set(&md.Image, "image", resolveURL(base, c.imageSrc), "link:image_src")

	// Canonical URL
	set(&md.CanonicalURL, "canonical_url", resolveURL(base, c.canonical), "link:canonical")
	if v, k := c.metas.first(metaURLKeys...); v != "" {
		set(&md.CanonicalURL, "canonical_url", resolveURL(base, v), "meta:"+k)
	}
	set(&md.CanonicalURL, "canonical_url", resolveURL(base, ld.URL), "json-ld:url")
	set(&md.CanonicalURL, "canonical_url", resolveURL(base, ld.PageURL), "json-ld:WebPage.url")
	set(&md.CanonicalURL, "canonical_url", resolveURL(base, mi.URL), "microdata:url")

	// Language: the first declaration in priority order, unless two
	// later ones agree on another language (a template's lang="en" on a
	// French site whose og:locale and JSON-LD both say fr).
	type langDecl struct{ code, src string }
	var langs []langDecl
	addLang := func(v, src string) {
		if code := article.NormalizeLanguage(v); code != "" {
			langs = append(langs, langDecl{code, src})
		}
	}
	addLang(c.htmlLang, srcHTMLLang)
	for _, k := range metaLanguageKeys[:2] {
		if v, _ := c.metas.first(k); v != "" {
			addLang(v, "meta:"+k)
		}
	}
	addLang(ld.Language, "json-ld:inLanguage")
	addLang(ld.PageLanguage, "json-ld:WebPage.inLanguage")
	for _, k := range metaLanguageKeys[2:] {
		if v, _ := c.metas.first(k); v != "" {
			addLang(v, "meta:"+k)
		}
	}
	addLang(mi.Language, "microdata:inLanguage")
	if len(langs) > 0 {
		pick := langs[0]
		primary := func(code string) string {
			if i := strings.IndexByte(code, '-'); i > 0 {
				return code[:i]
			}
			return code
		}
		for i := 1; i < len(langs) && pick == langs[0]; i++ {
			if primary(langs[i].code) == primary(langs[0].code) {
				continue
			}
			agree := 0
			for j := 1; j < len(langs); j++ {
				if primary(langs[j].code) == primary(langs[i].code) {
					agree++
				}
			}
			if agree >= 2 {
				pick = langs[i]
			}
		}
		set(&md.Language, "language", pick.code, pick.src)
	}

	// Accessibility
	switch {
	case ld.Free != nil:
		md.IsAccessibleForFree = ld.Free
		md.Sources["is_accessible_for_free"] = "json-ld:isAccessibleForFree"
	case mi.Free != nil:
		md.IsAccessibleForFree = mi.Free
		md.Sources["is_accessible_for_free"] = "microdata:isAccessibleForFree"
	}

	// Body signal
	md.ArticleBody = ld.ArticleBody
	if md.ArticleBody == "" && mi.BodyNode != nil {
		// The element itself is already a body hint for the extractor;
		// its opening text is enough of a signal.
		md.ArticleBody = nodeText(mi.BodyNode, maxMicroBody)
	}
	return md
}

// assembleAuthors fills Authors (people) and, from organisations given as
// authors, SiteName when it is still empty.
func (c *collector) assembleAuthors(md *metadata, ld *ldInfo, siteNames []string, now time.Time) {
	var orgs []string
	orgSrc := ""
	take := func(people, o []string, src string) bool {
		if len(o) > 0 && len(orgs) == 0 {
			orgs, orgSrc = o, src
		}
		if len(people) == 0 {
			return false
		}
		md.Authors = people
		md.Sources["authors"] = src
		return true
	}
	fromList := func(list []ldAuthor) (people, o []string) {
		for _, a := range list {
			if a.org {
				if n := normalizeSpace(a.name); n != "" && !isURLLike(n) {
					_, oo := cleanAuthors(n, false, siteNames...)
					if len(oo) == 0 {
						oo = []string{n}
					}
					for _, x := range oo {
						o = appendUnique(o, x)
					}
				}
				continue
			}
			p, oo := cleanAuthors(a.name, a.person, siteNames...)
			for _, x := range p {
				people = appendUnique(people, x)
			}
			for _, x := range oo {
				o = appendUnique(o, x)
			}
		}
		return people, o
	}
	done := false
	if p, o := fromList(ld.Authors); take(p, o, "json-ld:author") {
		done = true
	}
	if !done {
		for _, k := range metaAuthorKeys {
			var people, o []string
			for _, v := range c.metas.all(k) {
				p, oo := cleanAuthors(v, false, siteNames...)
				for _, x := range p {
					people = appendUnique(people, x)
				}
				for _, x := range oo {
					o = appendUnique(o, x)
				}
			}
			if take(people, o, "meta:"+k) {
				done = true
				break
			}
		}
	}
	if !done {
		if p, o := fromList(c.micro.Authors); take(p, o, "microdata:author") {
			done = true
		}
	}
	if !done {
		r := c.judge(now, siteNames)
		// Organisations in visible bylines ("WebMD Health News") are
		// too loosely cut to name the site.
		if take(r.people, nil, "byline") {
			done = true
		}
	}
	if !done {
		for _, href := range c.authorRel {
			if p, _ := cleanAuthors(href, false, siteNames...); len(p) > 0 {
				take(p, nil, "link:author")
				break
			}
		}
	}
	if md.SiteName == "" && len(orgs) > 0 {
		o := orgs[0]
		if !placeholderAuthors[strings.ToLower(o)] {
			md.SiteName = o
			md.Sources["site_name"] = orgSrc
		}
	}
}

// assembleTags merges the declared tags: JSON-LD keywords and about, meta
// article:tag, news_keywords, keywords, parsely and sailthru tags, then
// microdata keywords; trimmed and deduplicated ignoring case, in order.
func (c *collector) assembleTags(md *metadata, ld *ldInfo) {
	var tags []string
	seen := map[string]bool{}
	var srcs []string
	add := func(t, src string) {
		t = normalizeSpace(t)
		if t == "" || len(t) > 100 || len(tags) >= 100 {
			return
		}
		k := strings.ToLower(t)
		if seen[k] {
			return
		}
		seen[k] = true
		tags = append(tags, t)
		for _, s := range srcs {
			if s == src {
				return
			}
		}
		srcs = append(srcs, src)
	}
	for _, t := range ld.Keywords {
		add(unescapeEntities(t), "json-ld:keywords")
	}
	mt, ms := c.metas.tags()
	for i, t := range mt {
		add(t, "meta:"+ms[i])
	}
	for _, t := range c.micro.Keywords {
		add(t, "microdata:keywords")
	}
	if len(tags) > 0 {
		md.Tags = tags
		md.Sources["tags"] = strings.Join(srcs, ",")
	}
}

// dayOnly reports whether t looks like a date without a time of day:
// midnight UTC, as parseDate returns for "2019-11-18".
func dayOnly(t time.Time) bool {
	return t.Location() == time.UTC && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// sameDate reports whether day (a date without time, in UTC) is the
// calendar date of t in t's own zone.
func sameDate(day, t time.Time) bool {
	y1, m1, d1 := day.Date()
	y2, m2, d2 := t.Date()
	return y1 == y2 && m1 == m2 && d1 == d2
}

// sharesName reports whether the lists have a name in common (ignoring
// case).
func sharesName(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if strings.EqualFold(x, y) {
				return true
			}
		}
	}
	return false
}

// sameDay reports whether two instants fall on the same calendar day in
// either one's zone (a dateline shows local dates).
func sameDay(a, b time.Time) bool {
	if a.IsZero() || b.IsZero() {
		return false
	}
	y1, m1, d1 := a.Date()
	y2, m2, d2 := b.In(a.Location()).Date()
	y3, m3, d3 := b.Date()
	return (y1 == y2 && m1 == m2 && d1 == d2) || (y1 == y3 && m1 == m3 && d1 == d3)
}

// appendNodes appends the nodes of src that dst does not hold yet.
func appendNodes(dst, src []*html.Node) []*html.Node {
	for _, n := range src {
		dup := false
		for _, d := range dst {
			if d == n {
				dup = true
				break
			}
		}
		if !dup {
			dst = append(dst, n)
		}
	}
	return dst
}

// cleanSiteName drops a tagline from a declared site name: "Example.cz -
// Víte, co se právě děje" → "Example.cz". Only a short name before a
// longer tagline is cut.
func cleanSiteName(s string) string {
	for _, sep := range []string{" - ", " | ", " – ", " — ", " : "} {
		if i := strings.Index(s, sep); i > 0 {
			head, tail := s[:i], s[i+len(sep):]
			if len(strings.Fields(head)) <= 3 && (len(strings.Fields(tail)) >= 3 || isDomainName(tail)) {
				return strings.TrimSpace(head)
			}
		}
	}
	return s
}

// plausibleName reports whether a declared site name or section is a name
// rather than a URL or a path ("https://x.example", "/news/"). Domain-like
// brands ("Space.com") are names.
func plausibleName(s string) bool {
	return len(s) <= 200 && !isURLLike(s) && !strings.HasPrefix(s, "/")
}

// isDomainName reports whether s looks like a host name ("JPost.com").
func isDomainName(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	i := strings.LastIndexByte(s, '.')
	return i > 0 && !strings.ContainsAny(s, " /") && topLevelDomains[s[i+1:]]
}

// cleanText collapses white space and decodes leftover entities in a
// declared text (some sites double-encode their meta content).
func cleanText(s string) string {
	return normalizeSpace(unescapeEntities(s))
}

// ldPage gathers what picks the page's own article among several JSON-LD
// articles: its canonical and fetched URLs, and the headlines it shows.
func (c *collector) ldPage(page, base *url.URL) ldPage {
	var p ldPage
	if len(c.ldBlocks) == 0 {
		return p
	}
	if u := resolveURL(base, c.canonical); u != "" {
		p.URLs = append(p.URLs, u)
	}
	if page != nil && page.Host != "" {
		p.URLs = append(p.URLs, page.String())
	}
	for _, h := range c.h1s {
		if t := nodeText(h, 500); t != "" {
			p.Titles = append(p.Titles, t)
		}
	}
	if v, _ := c.metas.first("og:title"); v != "" {
		p.Titles = append(p.Titles, v)
	}
	if c.title != "" {
		p.Titles = append(p.Titles, c.title)
	}
	return p
}

// declaredBase is the base for relative links when neither the page URL
// nor <base href> is known: the page's declared canonical URL
// (rel=canonical, else og:url) when it is an absolute http(s) URL. A
// relative declaration could only be resolved against the page URL, which
// is what is missing, so it is never used.
func (c *collector) declaredBase() *url.URL {
	og, _ := c.metas.first("og:url")
	for _, v := range [...]string{c.canonical, og} {
		u, err := url.Parse(strings.TrimSpace(v))
		if err == nil && u.IsAbs() && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return u
		}
	}
	return nil
}

// resolveURL resolves ref against base and returns it as an absolute
// http(s) URL, or "" when that is impossible.
func resolveURL(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || len(ref) > 4096 {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if !u.IsAbs() {
		if base == nil {
			if strings.HasPrefix(ref, "//") {
				u.Scheme = "https"
			} else {
				return ""
			}
		} else {
			u = base.ResolveReference(u)
		}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	if u.Host == "" {
		return ""
	}
	return u.String()
}
