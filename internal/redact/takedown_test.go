package redact

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// prefixNamed names the page with any query (a tracking parameter), as
// herald's canonical URLs do.
func prefixNamed(u string) bool { return strings.HasPrefix(u, gone) && !strings.HasPrefix(u, gone+"-") }

// Teasers on section fronts, in several common markups: the teaser that
// holds only the taken-down story goes as a unit (its headline link, its
// image, its kicker, standfirst and date); a container holding another
// story's link keeps it, and loses only the links.
func TestBlankPageTeasers(t *testing.T) {
	doc := `<!DOCTYPE html><html><head><title>Front</title></head><body><main>
<section class="top"><h2>Top stories</h2>
<article class="teaser"><a href="/2026/jane-doe-story"><img src="/i/jane.jpg" alt="Jane Doe"></a><h3><a href="/2026/jane-doe-story">Jane Doe speaks</a></h3><p class="standfirst">Jane Doe told the council about her debts.</p><time>3 Jan</time></article>
<article class="teaser"><a href="/2026/ferry"><img src="/i/ferry.jpg" alt="Ferry"></a><h3><a href="/2026/ferry">Ferry terminal widened</a></h3><p class="standfirst">The ferry terminal is wider.</p></article>
</section>
<ul class="latest">
<li><h3><a href="/2026/jane-doe-story?utm_source=latest">Jane Doe, in a list</a></h3><p>Her debts, in a list item's summary.</p></li>
<li><h3><a href="/2026/harbour">Harbour budget</a></h3><p>Kept summary.</p></li>
</ul>
<div class="c-card c-card--small"><div class="c-card__media"><img src="/i/jane-card.jpg"></div><div class="c-card__body"><span class="kicker">Local</span><h2 class="c-card__title"><a href="https://news.example/2026/jane-doe-story">Jane Doe in a card</a></h2><p>Debts, a card's standfirst.</p></div></div>
<div class="promo-item"><h4><a href="/2026/jane-doe-story">Jane Doe in a promo</a></h4><p>Jane Doe told the council of her debts. <a href="/2026/jane-doe-story#more">Read more</a></p></div>
<div class="story-list"><article class="story"><h3><a href="/2026/jane-doe-story">Jane Doe beside another</a></h3><p>Debts beside another.</p></article><article class="story"><h3><a href="/2026/harbour">Harbour kept beside</a></h3></article></div>
<div class="card"><a class="kicker" href="/section/local/">Local</a><h3><a href="/2026/jane-doe-story">Jane Doe under a section link</a></h3><p>Summary that stays.</p></div>
<div class="wrapper"><h3><a href="/2026/jane-doe-story">Jane Doe in a plain div</a></h3><p>Plain div summary stays.</p></div>
</main></body></html>`
	out := checkPageNamed(t, doc, "https://news.example/", prefixNamed, 9,
		[]string{`<section class="top"><h2>Top stories</h2>`,
			`<article class="teaser"><a href="/2026/ferry"><img src="/i/ferry.jpg" alt="Ferry"></a><h3><a href="/2026/ferry">Ferry terminal widened</a></h3><p class="standfirst">The ferry terminal is wider.</p></article>`,
			`<li><h3><a href="/2026/harbour">Harbour budget</a></h3><p>Kept summary.</p></li>`,
			`<div class="story-list">`, `<article class="story"><h3><a href="/2026/harbour">Harbour kept beside</a></h3></article></div>`,
			`<div class="card"><a class="kicker" href="/section/local/">Local</a><h3>`, `</h3><p>Summary that stays.</p></div>`,
			`<div class="wrapper"><h3>`, `</h3><p>Plain div summary stays.</p></div>`},
		[]string{"jane", "Jane", "debts", "Debts", "3 Jan", "a list item's summary", "Local</span>", "Read more"})
	for tag, want := range map[string]int{`<article class="teaser">`: 1, `<li>`: 1, `c-card`: 0, `promo-item`: 0, `<article class="story">`: 1} {
		if strings.Count(out, tag) != want {
			t.Errorf("the teaser %s was not blanked as a unit:\n%s", tag, out)
		}
	}
}

// A page's own article is not a teaser, however short: a container with
// a top-level heading, or with more than a kicker's text before the link,
// or more text than a teaser holds, or a paragraph with words of its own
// before the link (a live blog's entry, a brief whose h1 is outside its
// article), or a link with words beside it (a sentence in a list item
// outside an article's body) keeps its words: only the links go. Nor is
// a list holding another story's headline, with no link, a teaser.
func TestBlankPageNotTeasers(t *testing.T) {
	long := strings.Repeat("The council met and voted on the harbour. ", 15)
	doc := `<html><body>
<article><h1>Ferry delayed</h1><p>Fog.</p><aside><a href="/2026/jane-doe-story">Jane Doe speaks</a></aside></article>
<article class="story"><p>The ferry was delayed by fog this morning, the port said.</p><p>Related: <a href="/2026/jane-doe-story">Jane Doe speaks</a></p></article>
<li class="story"><a href="/2026/jane-doe-story">Jane Doe speaks</a><p>` + long + `</p></li>
<main><h1>Live: the storm</h1><article class="entry"><time>10:02</time><p>Police confirm two arrests.</p><p><a href="/2026/jane-doe-story">Jane Doe charged</a></p></article>
<ul><li>The council, which <a href=/2026/jane-doe-story>Jane Doe</a> criticised, voted.</li></ul>
<h1>Ferry late</h1><article><p>Fog held the ferry.</p><a href="/2026/jane-doe-story">Jane Doe speaks</a></article>
<h1>Harbour at dawn</h1><article><figure><img src="/i/dawn.jpg"></figure><p>The harbour at dawn.</p><ul><li><a href="/2026/jane-doe-story">Jane Doe speaks</a></li></ul></article></main>
<div class="story-list"><article class="story"><h3><a href="/2026/jane-doe-story">Jane Doe listed</a></h3></article><article class="story"><h3>Harbour, no link</h3></article></div>
<ol><li><h3><a href="/2026/jane-doe-story">Jane Doe ranked</a></h3><h3>Ferry, unlinked</h3></li></ol>
</body></html>`
	checkPage(t, doc, "https://news.example/", 9,
		[]string{`<article><h1>Ferry delayed</h1><p>Fog.</p><aside>`, `</aside></article>`,
			`<article class="story"><p>The ferry was delayed by fog this morning, the port said.</p><p>Related: <a href="`,
			`<li class="story">`, "<p>" + long + "</p></li>",
			`<article class="entry"><time>10:02</time><p>Police confirm two arrests.</p><p>`, `</p></article>`,
			`<ul><li>The council, which `, ` criticised, voted.</li></ul>`,
			`<h1>Ferry late</h1><article><p>Fog held the ferry.</p>`,
			`<h1>Harbour at dawn</h1><article><figure><img src="/i/dawn.jpg"></figure><p>The harbour at dawn.</p><ul>`, `</ul></article></main>`,
			`<div class="story-list">`, `<article class="story"><h3>Harbour, no link</h3></article></div>`,
			`<ol><li><h3>`, `</h3><h3>Ferry, unlinked</h3></li></ol>`},
		[]string{"jane-doe-story", "Jane Doe speaks</a></aside>", "Jane Doe charged", "Jane Doe</a>", "Jane Doe listed", "Jane Doe ranked"})
}

// ldScripts returns the texts of a page's JSON-LD scripts.
func ldScripts(doc []byte) []string {
	var texts []string
	for _, s := range ldSpans(doc) {
		texts = append(texts, string(doc[s[0]:s[1]]))
	}
	return texts
}

// JSON-LD in other pages: the ItemList entry, the NewsArticle of a
// graph, the relatedLink and mentions, the member naming the page go,
// with their headlines; what remains is valid JSON of the same length,
// every other entry kept. A page's own description of the page (a
// top-level object) becomes {}. A script that does not parse as JSON
// and names the page is blanked whole; one that does not name it stays.
// A script of other JSON data describing the page is emptied too.
func TestBlankPageJSONLD(t *testing.T) {
	scripts := []string{
		`{"@context":"https://schema.org","@type":"ItemList","numberOfItems":3,"itemListElement":[
  {"@type":"ListItem","position":1,"item":{"@id":"https://news.example/2026/jane-doe-story","name":"Jane Doe speaks"}},
  {"@type":"ListItem","position":2,"url":"https://news.example/2026/harbour","name":"Harbour budget"},
  {"@type":"ListItem","position":3,"url":"https:\/\/news.example\/2026\/jane-doe-story","name":"Jane Doe, escaped"}]}`,
		`{"@context":"https://schema.org","@graph":[{"@type":"WebPage","@id":"https://news.example/2026/ferry#page"},{"@type":"NewsArticle","headline":"Ferry terminal widened","url":"https://news.example/2026/ferry",
 "relatedLink":["https://news.example/2026/harbour","/2026/jane-doe-story"],
 "mentions":[{"@type":"NewsArticle","url":"https://news.example/2026/jane-doe-story","headline":"Jane Doe speaks"},{"@type":"Place","name":"Harbour"}],
 "isBasedOn":"https://news.example/2026/jane-doe-story","about":{"@type":"Thing","name":"Ferries"}},
 {"@type":"NewsArticle","mainEntityOfPage":{"@type":"WebPage","@id":"https://news.example/2026/jane-doe-story"},"headline":"Jane Doe speaks"}]}`,
		`{"@type":"NewsArticle","mainEntityOfPage":"https://news.example/2026/jane-doe-story","headline":"Jane Doe, the page's own"}`,
		`[{"@type":"NewsArticle","url":"https://news.example/2026/jane-doe-story","headline":"Jane Doe all"}]`,
		`<!-- {"@type":"NewsArticle","url":"https://news.example/2026/jane-doe-story","headline":"Jane Doe broken"} -->`,
		`{"@type":"Organization","url":"https://news.example/", broken}`,
	}
	doc := `<html><head>`
	for _, s := range scripts {
		doc += `<script type="application/ld+json">` + s + "</script>\n"
	}
	doc += `<script type="application/json">{"url":"https://news.example/2026/jane-doe-story"}</script></head><body><p>Body</p></body></html>`
	out := checkPage(t, doc, "https://news.example/2026/ferry", 10,
		[]string{`"relatedLink":["https://news.example/2026/harbour"`, `{"@type":"Place","name":"Harbour"}]`, `"about":{"@type":"Thing","name":"Ferries"}}`,
			`{"@type":"ListItem","position":2,"url":"https://news.example/2026/harbour","name":"Harbour budget"}`,
			`{"@type":"Organization","url":"https://news.example/", broken}`,
			`<script type="application/json">{`, `}</script></head>`},
		[]string{`{"url":"https://news.example/2026/jane-doe-story"}`})
	got := ldScripts([]byte(out))
	if len(got) != len(scripts) {
		t.Fatalf("%d scripts, want %d", len(got), len(scripts))
	}
	for i, s := range got {
		if strings.Contains(s, "jane-doe-story") || strings.Contains(s, "Jane Doe") {
			t.Errorf("script %d still names the page: %s", i, s)
		}
		if json.Valid([]byte(scripts[i])) && !json.Valid([]byte(s)) {
			t.Errorf("script %d is no longer JSON: %s", i, s)
		}
	}
	squeeze := func(s string) string { return strings.Join(strings.Fields(s), "") }
	if squeeze(got[2]) != "{}" || squeeze(got[3]) != "[]" || squeeze(got[4]) != "" {
		t.Errorf("scripts 2 to 4: %q %q %q", got[2], got[3], got[4])
	}
	var list struct {
		Items []struct{ Position int } `json:"itemListElement"`
	}
	if err := json.Unmarshal([]byte(got[0]), &list); err != nil || len(list.Items) != 1 || list.Items[0].Position != 2 {
		t.Errorf("the item list: %+v %v", list, err)
	}
}

// <meta> and <link> elements of other pages naming the page lose the
// URL (the attribute's value becomes spaces); others stay.
func TestBlankPageMetaLink(t *testing.T) {
	doc := `<html><head><title>Ferry</title>
<meta property="og:url" content="https://news.example/2026/jane-doe-story">
<meta property="og:see_also" content="/2026/jane-doe-story?utm_source=og">
<meta name="twitter:url" content='https://news.example/2026/jane-doe-story'>
<meta name="description" content="Jane Doe speaks">
<meta property="og:see_also" content="https://news.example/2026/harbour">
<link rel="alternate" type="application/rss+xml" href="https://news.example/2026/jane-doe-story">
<link rel="amphtml" href="/amp/../2026/jane-doe-story">
<link rel=prev href=/2026/jane-doe-story>
<link rel="next" href="https://news.example/2026/harbour">
<link rel="canonical" href="https://news.example/2026/ferry">
</head><body><p>Body</p></body></html>`
	checkPageNamed(t, doc, "https://news.example/2026/ferry", prefixNamed, 6,
		[]string{`<meta name="description" content="Jane Doe speaks">`, `<meta property="og:see_also" content="https://news.example/2026/harbour">`,
			`<link rel="next" href="https://news.example/2026/harbour">`, `<link rel="canonical" href="https://news.example/2026/ferry">`,
			`<meta property="og:url" content="`, `<link rel="amphtml" href="`, `<link rel=prev href=`},
		[]string{"jane-doe-story"})
}

// Running text beyond <p>: a blockquote's words, and in an article's
// body (itemprop articleBody) a list item's or a table cell's, keep
// their words and lose only the link's target; a list item or a cell
// outside an article's body is a listing, blanked whole.
func TestBlankPageRunningBlocks(t *testing.T) {
	doc := `<html><body><article><h1>Harbour</h1><div itemprop="articleBody">
<blockquote>As the mayor <a href="/2026/jane-doe-story">said last week</a>, we pay.</blockquote>
<ul><li>Last week <a href="/2026/jane-doe-story">a resident spoke</a> to the council.</li><li><a href="/2026/jane-doe-story">Jane Doe speaks</a></li></ul>
<table><tr><td>Debts <a href="/2026/jane-doe-story">reported</a> in January</td><td>3</td></tr></table>
</div></article>
<ul class="related"><li><a href="/2026/jane-doe-story">Jane Doe, related</a> <small>3 Jan</small></li></ul>
<table><tr><td><a href="/2026/jane-doe-story">Jane Doe, a cell</a> (3 Jan)</td></tr></table>
</body></html>`
	out := checkPage(t, doc, "https://news.example/2026/harbour", 6,
		[]string{`<blockquote>As the mayor <a href="`, `">said last week</a>, we pay.</blockquote>`,
			`<ul><li>Last week <a href="`, `">a resident spoke</a> to the council.</li>`,
			`<td>Debts <a href="`, `">reported</a> in January</td><td>3</td>`, `<ul class="related">`, `</ul>`, `<table><tr><td>`, ` (3 Jan)</td></tr></table>`},
		[]string{"Jane Doe", "jane-doe-story"})
	if strings.Contains(out, "3 Jan</small>") {
		t.Errorf("the related list item was not blanked whole:\n%s", out)
	}
}

// JSON-LD that parses but holds "<!--" in a string is not cut into: one
// naming the page is blanked whole, one naming it not is left.
func TestBlankPageJSONLDCommentOpener(t *testing.T) {
	naming := `[{"@type":"NewsArticle","url":"https://news.example/2026/harbour","headline":"<!-- harbour"},{"@type":"NewsArticle","url":"https://news.example/2026/jane-doe-story"}]`
	other := `{"@type":"NewsArticle","url":"https://news.example/2026/ferry","headline":"<!-- ferry"}`
	doc := `<html><head><script type="application/ld+json">` + naming + `</script><script type="application/ld+json">` + other + `</script></head><body><p>Body</p></body></html>`
	out := checkPage(t, doc, "https://news.example/", 1, []string{other}, []string{"harbour", "jane-doe-story"})
	if got := ldScripts([]byte(out)); len(got) != 2 || strings.TrimSpace(got[0]) != "" {
		t.Errorf("the script naming the page was not blanked whole: %q", got)
	}
}

// dataScripts returns the texts of a page's scripts of JSON data other
// than JSON-LD (isDataScript), in the page's order.
func dataScripts(doc []byte) []string {
	var texts []string
	z := html.NewTokenizer(bytes.NewReader(doc))
	data := false
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return texts
		}
		if tt == html.TextToken && data {
			texts = append(texts, string(z.Raw()))
		}
		data = false
		if tt == html.StartTagToken {
			if name, _ := z.TagName(); string(name) == "script" {
				for {
					k, v, more := z.TagAttr()
					if string(k) == "type" && isDataScript(string(v)) {
						data = true
					}
					if !more {
						break
					}
				}
			}
		}
	}
}

// JSON data islands (a Next.js page's __NEXT_DATA__, speculation rules,
// a store's state): the object describing the page (its title, teaser
// and image) is emptied in place, as is a link to it in a list of
// strings or beside a list of other stories; the JSON stays valid, of
// its length and shape (no element removed: an app reads by index),
// other stories kept. In a payload that refers to its values by position
// (Nuxt's), the title and teaser the story's object refers to go with
// its URL, a string others refer to too stays. JSON that does not parse
// and links to the page is blanked whole; a slug or title is not a link.
func TestBlankPageDataIslands(t *testing.T) {
	next := `{"props":{"pageProps":{"section":"Local","stories":[{"id":1,"title":"Jane Doe speaks","teaser":"Jane Doe told the council","url":"/2026/jane-doe-story","image":{"src":"https://cdn.example/jane.jpg"}},{"id":2,"title":"Harbour budget","url":"/2026/harbour"}],"featured":"https:\/\/news.example\/2026\/jane-doe-story"}},"page":"/section/[slug]","query":{"slug":"local"}}`
	spec := `{"prefetch":[{"source":"list","urls":["/2026/jane-doe-story?from=spec","/2026/harbour"]}]}`
	state := `[{"id":"a1","headline":"Jane Doe in the store","link":"https://news.example/2026/jane-doe-story#top"},{"id":"a2","headline":"Ferry","link":"https://news.example/2026/ferry"}]`
	broken := `{"url":"/2026/jane-doe-story","title":"Jane Doe broken",}`
	slug := `{"slug":"jane-doe-story","title":"Harbour"}`
	nuxt := `[["ShallowReactive",1],{"data":2},{"stories":3},[4,8],{"title":5,"teaser":6,"url":7,"kicker":11},"Jane Doe speaks","Jane Doe told the council","https://news.example/2026/jane-doe-story",{"title":9,"url":10,"kicker":11},"Harbour budget","https://news.example/2026/harbour","Local"]`
	doc := `<html><head><script id="__NEXT_DATA__" type="application/json">` + next + `</script>
<script type="speculationrules">` + spec + `</script>
<script type="application/vnd.store+json; charset=utf-8">` + state + `</script>
<script type="application/json">` + broken + `</script>
<script type="text/json">` + slug + `</script>
<script type="application/json" id="__NUXT_DATA__" data-ssr="true">` + nuxt + `</script>
<script type="application/ld+json">{"@type":"WebPage","url":"https://news.example/section/local/"}</script>
</head><body><h1>Local</h1></body></html>`
	out := checkPageNamed(t, doc, "https://news.example/section/local/", prefixNamed, 7,
		[]string{`{"id":2,"title":"Harbour budget","url":"/2026/harbour"}],"featured":"`, `"page":"/section/[slug]","query":{"slug":"local"}}`,
			`"/2026/harbour"]}]}`, `{"id":"a2","headline":"Ferry","link":"https://news.example/2026/ferry"}]`, slug},
		[]string{"Jane Doe speaks", "Jane Doe told", "jane.jpg", "Jane Doe in the store", "Jane Doe broken", "/2026/jane-doe-story"})
	got := dataScripts([]byte(out))
	want := dataScripts([]byte(doc))
	if len(got) != 6 || len(want) != 6 {
		t.Fatalf("%d data scripts in the copy, %d in the page, want 6", len(got), len(want))
	}
	squeeze := func(s string) string { return strings.Join(strings.Fields(s), "") }
	for i, s := range got {
		if json.Valid([]byte(want[i])) && !json.Valid([]byte(s)) {
			t.Errorf("script %d is no longer JSON: %s", i, s)
		}
	}
	if squeeze(got[3]) != "" {
		t.Errorf("the broken script was not blanked whole: %q", got[3])
	}
	var page struct {
		Props struct {
			PageProps struct {
				Stories  []map[string]any
				Featured string
			}
		}
	}
	if err := json.Unmarshal([]byte(got[0]), &page); err != nil || len(page.Props.PageProps.Stories) != 2 ||
		len(page.Props.PageProps.Stories[0]) != 0 || page.Props.PageProps.Stories[1]["title"] != "Harbour budget" || strings.TrimSpace(page.Props.PageProps.Featured) != "" {
		t.Errorf("__NEXT_DATA__ after: %+v %v", page, err)
	}
	var payload []any
	if err := json.Unmarshal([]byte(got[5]), &payload); err != nil || len(payload) != 12 {
		t.Fatalf("the Nuxt payload after: %v %v", payload, err)
	}
	for i, want := range map[int]string{5: "", 6: "", 7: "", 9: "Harbour budget", 10: "https://news.example/2026/harbour", 11: "Local"} {
		if s, _ := payload[i].(string); strings.TrimSpace(s) != want {
			t.Errorf("the Nuxt payload's value %d is %q, want %q", i, s, want)
		}
	}
	var rules struct{ Prefetch []struct{ URLs []string } }
	if err := json.Unmarshal([]byte(got[1]), &rules); err != nil || len(rules.Prefetch) != 1 || len(rules.Prefetch[0].URLs) != 2 ||
		strings.TrimSpace(rules.Prefetch[0].URLs[0]) != "" || rules.Prefetch[0].URLs[1] != "/2026/harbour" {
		t.Errorf("speculation rules after: %+v %v", rules, err)
	}
}

// References that are not a elements: links in a noscript element
// (text to the tokenizer, markup to a reader without scripts) go as
// other links do, teasers with them; an image map's area naming the
// page goes whole; an iframe's src, a meta refresh's content,
// data-href, data-url and an onclick naming it lose their value. Those
// naming another page stay.
func TestBlankPageOtherReferences(t *testing.T) {
	doc := `<html><head><meta http-equiv="refresh" content="5; URL='/2026/jane-doe-story'">
<meta http-equiv="Refresh" content="30;url=https://news.example/2026/harbour">
<noscript><link rel="next" href="/2026/jane-doe-story"></noscript></head><body>
<noscript><ul class="fallback"><li><a href="/2026/jane-doe-story">Jane Doe, no script</a> <small>1 Dec</small></li><li><a href="/2026/harbour">Harbour, no script</a></li></ul></noscript>
<div class="lazy"><img data-src="/i/x.jpg"><noscript><p>As the council <a href="https://news.example/2026/jane-doe-story">heard</a>, it voted.</p></noscript></div>
<map name="m"><area shape="rect" coords="0,0,10,10" href="/2026/jane-doe-story" alt="Jane Doe"><area shape="rect" coords="10,0,20,10" href="/2026/harbour" alt="Harbour"></map>
<iframe src="https://news.example/2026/jane-doe-story?embed=1" title="Embedded"></iframe><iframe src="/2026/harbour?embed=1"></iframe>
<div class="share" data-url="https://news.example/2026/jane-doe-story" data-title="Share"></div><span data-href="/2026/jane-doe-story#c">Comments</span>
<button onclick="location.href='/2026/jane-doe-story'">Read it</button><button onclick="window.open(&quot;/2026/harbour&quot;)">Harbour</button>
</body></html>`
	out := checkPageNamed(t, doc, "https://news.example/section/local/", prefixNamed, 9,
		[]string{`<meta http-equiv="Refresh" content="30;url=https://news.example/2026/harbour">`, `<noscript><link rel="next" href="`,
			`<li><a href="/2026/harbour">Harbour, no script</a></li></ul></noscript>`,
			`<noscript><p>As the council <a href="`, `">heard</a>, it voted.</p></noscript>`,
			`<area shape="rect" coords="10,0,20,10" href="/2026/harbour" alt="Harbour"></map>`,
			`" title="Embedded"></iframe><iframe src="/2026/harbour?embed=1"></iframe>`,
			`<div class="share" data-url="`, `" data-title="Share"></div><span data-href="`, `">Comments</span>`,
			`<button onclick="`, `">Read it</button><button onclick="window.open(&quot;/2026/harbour&quot;)">Harbour</button>`},
		[]string{"jane-doe-story", "Jane Doe", "1 Dec"})
	if !strings.Contains(out, `<meta http-equiv="refresh" content="`+strings.Repeat(" ", len(`5; URL='/2026/jane-doe-story'`))+`">`) {
		t.Errorf("the meta refresh was not blanked:\n%s", out)
	}
}

// A container that reaches another story only through a reference that
// is not a link (a card a script sends there by its data-href or
// data-url, a button's onclick, an image map's area) holds another
// story, and is not a teaser of the page's: it keeps that story, and
// loses only the links to the page. One whose only other reference is
// to the page itself still goes whole.
func TestBlankPageTeaserOtherReferences(t *testing.T) {
	doc := `<html><body><main>
<div class="story-list"><article class="story"><h3><a href="/2026/jane-doe-story">Jane Doe listed</a></h3></article>
<div class="story-item" data-href="/2026/harbour"><span>Harbour budget</span></div></div>
<ul><li class="promo"><a href="/2026/jane-doe-story">Jane Doe promo</a> <button onclick="location.href='/2026/ferry'">More: the ferry</button></li></ul>
<section class="tile"><a href="/2026/jane-doe-story">Jane Doe tile</a><map name="t"><area href="/2026/harbour" alt="Harbour"></map></section>
<div class="card" data-url="https://news.example/2026/ferry?from=card"><a href="/2026/jane-doe-story">Jane Doe card</a></div>
<div class="card"><a href="/2026/jane-doe-story">Jane Doe own card</a><button onclick="location.href='/2026/jane-doe-story#comments'">Comments</button></div>
</main></body></html>`
	checkPageNamed(t, doc, "https://news.example/section/local/", prefixNamed, 6,
		[]string{`<div class="story-list">`, `<div class="story-item" data-href="/2026/harbour"><span>Harbour budget</span></div></div>`,
			`<ul><li class="promo">`, ` <button onclick="location.href='/2026/ferry'">More: the ferry</button></li></ul>`,
			`<section class="tile">`, `<map name="t"><area href="/2026/harbour" alt="Harbour"></map></section>`,
			`<div class="card" data-url="https://news.example/2026/ferry?from=card">`},
		[]string{"Jane Doe", "Comments", "jane-doe-story"})
}

// Other stories' objects in JSON data keep their words: an object is
// emptied whole only when the link naming the page is its own address
// (url, link…), it links to no other page (an image is not one) and it
// holds no other story (a list of authors or tags without addresses
// does not make it a list); one that is the page's but for holding
// other stories (a related list) loses its own title and the link, and
// keeps what it holds. Another story's object whose "nextUrl" or
// "next" names the page loses that link only, in plain JSON and in a
// payload by position (Nuxt's); a top-level array that is not such a
// payload is not read by position.
func TestBlankPageDataOtherStories(t *testing.T) {
	next := `{"article":{"title":"Ferry fares rise","body":"The ferry board voted.","url":"/2026/ferry","nextUrl":"/2026/jane-doe-story"}}`
	nuxt := `[["ShallowReactive",1],{"article":2},{"title":3,"body":4,"url":5,"next":6},"Ferry fares rise","The ferry board voted.","https://news.example/2026/ferry","https://news.example/2026/jane-doe-story"]`
	flat := `["/2026/jane-doe-story","Harbour budget",{"featured":0,"rank":1}]`
	both := `{"link":"/2026/jane-doe-story","title":"Ferry or Jane","canonicalUrl":"/2026/ferry"}`
	lists := `{"story":{"title":"Jane Doe speaks","teaser":"Jane Doe told the council","url":"/2026/jane-doe-story","image":"https://cdn.example/jane.jpg","authors":[{"name":"Ann Writer"}],"tags":[{"name":"Local","slug":"local"}],"images":[{"src":"https://cdn.example/jane2.jpg"}]}}`
	related := `{"url":"/2026/jane-doe-story","title":"Jane Doe related","related":[{"title":"Harbour budget","url":"/2026/harbour"}]}`
	doc := `<html><head>`
	for _, s := range []string{next, nuxt, flat, both, lists, related} {
		doc += `<script type="application/json">` + s + "</script>\n"
	}
	doc += `</head><body><h1>Ferry fares rise</h1></body></html>`
	out := checkPage(t, doc, "https://news.example/2026/ferry", 7,
		[]string{`{"article":{"title":"Ferry fares rise","body":"The ferry board voted.","url":"/2026/ferry","nextUrl":"`,
			`{"title":3,"body":4,"url":5,"next":6},"Ferry fares rise","The ferry board voted.","https://news.example/2026/ferry","`,
			`","Harbour budget",{"featured":0,"rank":1}]`, `","title":"Ferry or Jane","canonicalUrl":"/2026/ferry"}`,
			`","related":[{"title":"Harbour budget","url":"/2026/harbour"}]}`},
		[]string{"jane-doe-story", "Jane Doe speaks", "Jane Doe told", "Ann Writer", "jane.jpg", "jane2.jpg", "Jane Doe related"})
	for i, s := range dataScripts([]byte(out)) {
		if !json.Valid([]byte(s)) {
			t.Errorf("script %d is no longer JSON: %s", i, s)
		}
	}
}

// With a test of the bytes a text naming the page holds (a takedown's
// needles), a JSON-LD or data script without them is not parsed: none
// of its links is resolved; one with them is, and loses its link to the
// page, as are the page's links.
func TestBlankPageMentioningSkipsScripts(t *testing.T) {
	doc := `<html><head><script id="__NEXT_DATA__" type="application/json">{"stories":[{"url":"/2026/harbour","title":"Harbour budget"},{"url":"/2026/ferry"}]}</script>
<script type="application/ld+json">{"@type":"ItemList","itemListElement":[{"@type":"ListItem","url":"/2026/council"}]}</script>
<script type="application/json">{"next":"/2026/jane-doe-story","prev":"/2026/library"}</script></head>
<body><p><a href="/2026/jane-doe-story">Jane Doe</a> and <a href="/2026/parks">parks</a>.</p></body></html>`
	var asked []string
	count := func(u string) bool { asked = append(asked, u); return named(u) }
	mentioned := func(b []byte) bool { return bytes.Contains(b, []byte("jane-doe-story")) }
	out, n, err := BlankPageMentioning([]byte(doc), "https://news.example/section/", count, mentioned)
	if err != nil || n != 2 {
		t.Fatalf("BlankPageMentioning: %d blanked, %v; want 2", n, err)
	}
	if strings.Contains(string(out), "jane-doe-story") || !strings.Contains(string(out), `"prev":"/2026/library"`) {
		t.Errorf("after:\n%s", out)
	}
	for _, u := range asked {
		if strings.Contains(u, "harbour") || strings.Contains(u, "ferry") || strings.Contains(u, "council") {
			t.Errorf("%s, in a script without the page's needle, was resolved", u)
		}
	}
}

// A JSON-LD script whose type has a parameter (a charset) or another
// case is JSON-LD still: its entry naming the page is dropped, the
// others kept.
func TestBlankPageJSONLDTypeParameter(t *testing.T) {
	ld := `{"@type":"ItemList","itemListElement":[{"@type":"ListItem","url":"/2026/jane-doe-story","name":"Jane Doe"},{"@type":"ListItem","url":"/2026/harbour","name":"Harbour"}]}`
	doc := `<html><head><script type="application/ld+json; charset=utf-8">` + ld + `</script>
<script type=" Application/LD+JSON ">` + ld + `</script></head><body></body></html>`
	checkPage(t, doc, "https://news.example/section/", 2,
		[]string{`{"@type":"ListItem","url":"/2026/harbour","name":"Harbour"}]}</script>`},
		[]string{"Jane Doe", "jane-doe-story"})
}

// A srcset lists an image's files, never a page: one whose URL happens
// to be the page's is left, as are the image's other attributes.
func TestBlankPageSrcsetLeft(t *testing.T) {
	img := `<img src="/i/pic.jpg" srcset="/i/pic-2x.jpg 2x, https://news.example/2026/jane-doe-story 3x" alt="Harbour">`
	checkPage(t, `<html><body><figure>`+img+`</figure></body></html>`, "https://news.example/section/", 0, []string{img}, nil)
}

// In a payload by position, a story listed twice (its top story and in a
// list, two objects) refers to its title once (devalue writes a repeated
// string once): the title goes, with the teaser and the URL; the section
// name another story refers to too stays, as does that story.
func TestBlankPageNuxtStoryTwice(t *testing.T) {
	nuxt := `[["ShallowReactive",1],{"top":2,"latest":3,"more":8},{"title":4,"url":5},{"title":4,"teaser":6,"url":5,"kicker":7},"Jane Doe speaks","https://news.example/2026/jane-doe-story","Jane Doe told the council","Local",{"title":9,"url":10,"kicker":7},"Harbour budget","https://news.example/2026/harbour"]`
	doc := `<html><head><script type="application/json" id="__NUXT_DATA__" data-ssr="true">` + nuxt + `</script></head><body><h1>Local</h1></body></html>`
	out := checkPage(t, doc, "https://news.example/section/local/", 3,
		[]string{`"Local",{"title":9,"url":10,"kicker":7},"Harbour budget","https://news.example/2026/harbour"]`},
		[]string{"Jane Doe", "jane-doe-story"})
	var payload []any
	if err := json.Unmarshal([]byte(dataScripts([]byte(out))[0]), &payload); err != nil || len(payload) != 11 {
		t.Fatalf("the payload after: %v %v", payload, err)
	}
}

// The deleted story's own object in JSON data is emptied whole when it
// also says what it says of itself: its AMP page, its section's page, a
// Next.js route's pattern beside its path, an author's page, a picture
// whose URL has no extension (an image service's, a CDN's), its address
// in a nested {"link":{"url":…}}, Arc XP's canonical_url and
// website_url. Another story's object that links to it keeps all but
// that link: its own address is another page (under url, under a name
// that is no address, an AMP page of another story). One that holds
// another story (an author's latest) loses only its title and the link.
func TestBlankPageDataStoryOwnLinks(t *testing.T) {
	jane := []string{
		`{"title":"Jane A","url":"/2026/jane-doe-story","ampUrl":"/amp/2026/jane-doe-story"}`,
		`{"title":"Jane B","url":"/2026/jane-doe-story","sectionUrl":"/local"}`,
		`{"title":"Jane C","href":"/[section]/[slug]","as":"/2026/jane-doe-story"}`,
		`{"title":"Jane D","url":"/2026/jane-doe-story","author":{"name":"Ann","url":"/author/ann"}}`,
		`{"title":"Jane E","url":"/2026/jane-doe-story","image":"/_next/image?url=%2Fj.jpg&w=640","thumbnail":{"url":"https://cdn.example/abc?w=800"}}`,
		`{"title":"Jane F","link":{"url":"/2026/jane-doe-story"}}`,
		`{"headline":"Jane G","canonical_url":"/2026/jane-doe-story","website_url":"/2026/jane-doe-story","promo_items":{"basic":{"type":"image","url":"https://cdn.example/xyz"}}}`,
	}
	others := []string{
		`{"title":"Harbour","url":"/2026/harbour","nextUrl":"`,
		`{"title":"Ferry","articleUrl":"/2026/ferry","link":"`,
		`{"title":"Maple","ampUrl":"/amp/2026/maple","url":"`,
		`","author":{"name":"Ann","latest":{"title":"Pine","url":"/2026/pine"}},"url":"`,
	}
	items := slices.Clone(jane)
	for _, o := range others[:3] {
		items = append(items, o+`/2026/jane-doe-story"}`)
	}
	items = append(items, `{"title":"Jane H`+others[3]+`/2026/jane-doe-story"}`)
	doc := `<html><head><script type="application/json">{"stories":[` + strings.Join(items, ",") + `]}</script></head><body></body></html>`
	out := checkPage(t, doc, "https://news.example/section/local/", len(jane)+len(others)+1, others,
		[]string{"Jane A", "Jane B", "Jane C", "Jane D", "Jane E", "Jane F", "Jane G", "Jane H", "jane-doe-story"})
	if s := dataScripts([]byte(out))[0]; !json.Valid([]byte(s)) {
		t.Errorf("the script is no longer JSON: %s", s)
	}
}

// A payload by position whose object refers to itself as its address
// (or through another) is read to its end: it is not the story.
func TestBlankPageDataSelfAddress(t *testing.T) {
	doc := `<script type=application/json>["/x",["R",1],{"a":2,"b":1},{"url":3,"x":1},{"link":5},{"url":4},"/2026/jane-doe-story"]</script>`
	checkPage(t, doc, "https://news.example/section/", 1, []string{`{"url":3,"x":1},{"link":5},{"url":4},"`}, []string{"jane-doe-story"})
}
