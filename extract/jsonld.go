package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	stdhtml "html"
	"io"
	"net/url"
	"strings"

	"golang.org/x/net/html/atom"
)

// JSON-LD.
//
// Pages declare schema.org data in <script type="application/ld+json">
// blocks: a single object, an array, an object with an "@graph", several
// blocks per page, objects nested inside others (author, publisher, image)
// or referenced by "@id". Real sites also ship blocks that are not quite
// JSON: trailing commas, raw newlines inside strings, invalid escapes,
// comments, CDATA or HTML-comment wrappers, HTML-entity-encoded text, two
// objects back to back. parseJSONLD repairs those with one string-aware
// pass before decoding with encoding/json; a block that still does not
// decode is reported in a note.

// ldInfo is what a page's JSON-LD declares about its article.
type ldInfo struct {
	Type                string
	Headline, Name      string
	Description         string
	ArticleBody         string
	Section             string
	Language            string
	URL                 string
	Image               string
	Published, Modified string
	Authors             []ldAuthor
	Publisher           string
	WebSiteName         string
	Keywords            []string
	Free                *bool
	Breadcrumb          []string
	PageName            string // name of the WebPage, a title fallback
	PagePublished       string // WebPage dates, fallbacks
	PageModified        string
	PageURL             string
	PageLanguage        string
	PageDescription     string
	found               bool // an article or page object was found
}

// ldAuthor is one author entry: a name and whether a type said it is a
// person or an organisation.
type ldAuthor struct {
	name   string
	person bool // @type Person
	org    bool // @type Organization (or a subtype)
}

// articleTypes are the schema.org types of articles, most specific first
// within each rank. The rank orders candidates when a page has several.
var articleTypes = map[string]int{
	"NewsArticle": 1, "ReportageNewsArticle": 1, "AnalysisNewsArticle": 1, "OpinionNewsArticle": 1,
	"BackgroundNewsArticle": 1, "ReviewNewsArticle": 1, "AskPublicNewsArticle": 1,
	"LiveBlogPosting": 2, "BlogPosting": 2, "Article": 3, "SatiricalArticle": 3, "ScholarlyArticle": 3,
	"TechArticle": 3, "Report": 3, "SocialMediaPosting": 4, "DiscussionForumPosting": 4, "Review": 4,
	"Recipe": 5, "HowTo": 5, "VideoObject": 6, "CreativeWork": 7,
}

// pageTypes are schema.org web page types that may point at the article
// with mainEntity.
var pageTypes = map[string]bool{
	"WebPage": true, "ItemPage": true, "AboutPage": true, "CollectionPage": true, "ProfilePage": true,
	"QAPage": true, "FAQPage": true, "MediaGallery": true, "SearchResultsPage": true, "CheckoutPage": true,
}

// orgTypes are schema.org organisation types.
var orgTypes = map[string]bool{
	"Organization": true, "NewsMediaOrganization": true, "Corporation": true, "LocalBusiness": true,
	"EducationalOrganization": true, "GovernmentOrganization": true, "NGO": true, "OnlineBusiness": true,
	"Brand": true, "WebSite": true, "Project": true, "PerformingGroup": true, "SportsOrganization": true,
}

// ldType returns the schema.org type names of an object, without vocabulary
// prefixes.
func ldTypes(o map[string]any) []string {
	var out []string
	add := func(v any) {
		if s, ok := v.(string); ok {
			if s = shortType(s); s != "" {
				out = append(out, s)
			}
		}
	}
	switch t := o["@type"].(type) {
	case string:
		add(t)
	case []any:
		for _, v := range t {
			add(v)
		}
	}
	return out
}

// shortType strips "http://schema.org/", "https://schema.org/" and
// "schema:" from a type name.
func shortType(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexAny(s, "/#:"); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// articleRank returns the best article rank among an object's types (0 if
// it is not an article) and the type name that gave it.
func articleRank(types []string) (int, string) {
	best, name := 0, ""
	for _, t := range types {
		if r := articleTypes[t]; r > 0 && (best == 0 || r < best) {
			best, name = r, t
		}
	}
	return best, name
}

// hasType returns the first of types that is in set, or "".
func hasType(types []string, set map[string]bool) string {
	for _, t := range types {
		if set[t] {
			return t
		}
	}
	return ""
}

// ldDoc is the decoded JSON-LD of a page: every object reachable from the
// top level (not nested inside others), and an index by @id.
type ldDoc struct {
	top  []map[string]any
	byID map[string]map[string]any
}

// add records the values decoded from one block.
func (d *ldDoc) add(v any, depth int) {
	if depth > 8 {
		return
	}
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			d.add(e, depth+1)
		}
	case map[string]any:
		if g, ok := t["@graph"]; ok {
			d.add(g, depth+1)
			if len(t) <= 2 { // {"@context", "@graph"}
				return
			}
		}
		d.top = append(d.top, t)
		d.index(t, 0)
	}
}

// index records every object with an @id, however deep.
func (d *ldDoc) index(v any, depth int) {
	if depth > 12 {
		return
	}
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			d.index(e, depth+1)
		}
	case map[string]any:
		if id, ok := t["@id"].(string); ok && len(t) > 1 {
			if d.byID == nil {
				d.byID = map[string]map[string]any{}
			}
			if old, ok := d.byID[id]; !ok || len(old) < len(t) {
				d.byID[id] = t
			}
		}
		for k, e := range t {
			if k == "articleBody" || k == "text" {
				continue
			}
			switch e.(type) {
			case map[string]any, []any:
				d.index(e, depth+1)
			}
		}
	}
}

// resolve follows an {"@id": …} reference to the full object.
func (d *ldDoc) resolve(v any) any {
	o, ok := v.(map[string]any)
	if !ok {
		return v
	}
	id, ok := o["@id"].(string)
	if !ok {
		return v
	}
	if full, ok := d.byID[id]; ok {
		if _, hasType := o["@type"]; len(o) == 1 || (len(o) == 2 && hasType) {
			return full
		}
	}
	return v
}

// ldPage is what a page says about itself outside its JSON-LD: it picks
// the page's own article when the JSON-LD describes several (a "most
// popular" list before the story, say).
type ldPage struct {
	// URLs are the page's URLs (its rel=canonical, the URL it was fetched
	// from), absolute.
	URLs []string
	// Titles are the headlines it shows (the <h1>, og:title, <title>).
	Titles []string
}

// parseJSONLD decodes the JSON-LD blocks of a page and reads the article
// they describe. Unparsable blocks are described in notes.
func parseJSONLD(blocks []string, page ldPage) (info ldInfo, notes []string) {
	var d ldDoc
	for i, b := range blocks {
		v, err := decodeJSONLD(b)
		if err != nil {
			notes = append(notes, fmt.Sprintf("json-ld block %d unparsable: %v", i+1, err))
			continue
		}
		d.add(v, 0)
	}
	if len(d.top) == 0 {
		return info, notes
	}
	info = d.read(page)
	return info, notes
}

// decodeJSONLD decodes one block, repairing it if it does not decode as is.
func decodeJSONLD(s string) (any, error) {
	var v any
	src := []byte(strings.TrimSpace(s))
	if len(src) == 0 {
		return nil, fmt.Errorf("empty block")
	}
	err := json.Unmarshal(src, &v)
	if err == nil {
		return v, nil
	}
	fixed := repairJSON(src)
	if err2 := decodeAll(fixed, &v); err2 == nil {
		return v, nil
	}
	// Two objects back to back, with or without a comma: read as a list.
	wrapped := make([]byte, 0, len(fixed)+2)
	wrapped = append(wrapped, '[')
	wrapped = append(wrapped, fixed...)
	wrapped = append(wrapped, ']')
	if err2 := json.Unmarshal(repairJSON(wrapped), &v); err2 == nil {
		return v, nil
	}
	return nil, err
}

// decodeAll decodes a stream of JSON values; several become a list.
func decodeAll(b []byte, out *any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	var vals []any
	for {
		var v any
		err := dec.Decode(&v)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		vals = append(vals, v)
	}
	switch len(vals) {
	case 0:
		return errors.New("no value")
	case 1:
		*out = vals[0]
	default:
		*out = vals
	}
	return nil
}

// repairJSON fixes what sites get wrong in JSON-LD: wrappers (CDATA,
// HTML comments), an entity-encoded block, comments, trailing commas, raw
// control characters in strings and invalid escapes.
func repairJSON(b []byte) []byte {
	b = bytes.TrimSpace(b)
	for {
		n := len(b)
		for _, p := range []string{"//<![CDATA[", "<![CDATA[", "<!--", "/*<![CDATA[*/"} {
			b = bytes.TrimSpace(bytes.TrimPrefix(b, []byte(p)))
		}
		for _, p := range []string{"//]]>", "]]>", "-->", "/*]]>*/"} {
			b = bytes.TrimSpace(bytes.TrimSuffix(b, []byte(p)))
		}
		b = bytes.TrimSuffix(b, []byte(";"))
		if len(b) == n {
			break
		}
	}
	if bytes.Contains(b, []byte("&quot;")) && !bytes.Contains(b, []byte(`"`)) {
		b = []byte(stdhtml.UnescapeString(string(b)))
	}
	out := make([]byte, 0, len(b))
	inStr := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inStr {
			switch {
			case c == '\\':
				if i+1 < len(b) && strings.IndexByte(`"\/bfnrtu`, b[i+1]) >= 0 {
					out = append(out, c, b[i+1])
					i++
				} else if i+1 < len(b) {
					// invalid escape (\' \x): keep the character
					out = append(out, b[i+1])
					i++
				}
			case c == '"':
				inStr = false
				out = append(out, c)
			case c == '\n':
				out = append(out, '\\', 'n')
			case c == '\r':
				out = append(out, '\\', 'r')
			case c == '\t':
				out = append(out, '\\', 't')
			case c < 0x20:
				out = append(out, fmt.Sprintf(`\u%04x`, c)...)
			default:
				out = append(out, c)
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
			out = append(out, c)
		case ',':
			j := i + 1
			for j < len(b) && isJSONSpace(b[j]) {
				j++
			}
			if j < len(b) && (b[j] == '}' || b[j] == ']') {
				continue // trailing comma
			}
			if j < len(b) && b[j] == ',' {
				continue // doubled comma
			}
			out = append(out, c)
		case '/':
			if i+1 < len(b) && b[i+1] == '/' {
				for i < len(b) && b[i] != '\n' {
					i++
				}
				continue
			}
			if i+1 < len(b) && b[i+1] == '*' {
				end := bytes.Index(b[i+2:], []byte("*/"))
				if end < 0 {
					i = len(b)
				} else {
					i += 2 + end + 1
				}
				continue
			}
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return out
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// read picks the main article object and reads its fields. Among several
// articles, the one whose URL is the page's wins, then the one the page's
// mainEntity names, then the one whose headline the page shows, then the
// first of the most specific type.
func (d *ldDoc) read(pg ldPage) ldInfo {
	var info ldInfo
	var main, page, site map[string]any
	var articles []map[string]any
	mainRank := 0
	for _, o := range d.top {
		types := ldTypes(o)
		if r, _ := articleRank(types); r > 0 {
			articles = append(articles, o)
			if main == nil || r < mainRank {
				main, mainRank = o, r
			}
		}
		if pt := hasType(types, pageTypes); pt != "" && page == nil {
			page = o
		}
		if site == nil && hasTypeName(types, "WebSite") {
			site = o
		}
	}
	byURL := len(articles) > 1 && d.pickArticle(articles, func(o map[string]any) bool { return d.isPageArticle(o, pg.URLs) }, &main)
	// A page's mainEntity names the article outright.
	if page != nil && !byURL {
		if me, ok := d.resolve(page["mainEntity"]).(map[string]any); ok {
			if r, _ := articleRank(ldTypes(me)); r > 0 {
				main = me
				byURL = true
			}
		}
	}
	if len(articles) > 1 && !byURL {
		d.pickArticle(articles, func(o map[string]any) bool { return showsHeadline(o, pg.Titles) }, &main)
	}
	if main == nil && page == nil {
		// Untyped or other objects: nothing to read as an article, but a
		// lone object with a headline still counts.
		for _, o := range d.top {
			if _, ok := o["headline"]; ok {
				main = o
				break
			}
		}
	}
	if site != nil {
		info.WebSiteName = ldString(site["name"])
	}
	if page != nil {
		info.PageName = ldString(page["name"])
		info.PagePublished = ldString(page["datePublished"])
		info.PageModified = ldString(page["dateModified"])
		info.PageURL = ldURL(d, page["url"])
		info.PageLanguage = ldLanguage(page["inLanguage"])
		info.PageDescription = ldString(page["description"])
		info.Breadcrumb = d.breadcrumb(page["breadcrumb"])
		if info.Type == "" {
			info.Type = hasType(ldTypes(page), pageTypes)
		}
		info.found = true
	}
	if info.Breadcrumb == nil {
		for _, o := range d.top {
			if hasTypeName(ldTypes(o), "BreadcrumbList") {
				info.Breadcrumb = d.breadcrumb(o)
				break
			}
		}
	}
	if main == nil {
		return info
	}
	info.found = true
	if _, name := articleRank(ldTypes(main)); name != "" {
		info.Type = name
	}
	info.Headline = ldString(main["headline"])
	if info.Headline == "" {
		info.Headline = ldString(main["alternativeHeadline"])
	}
	info.Name = ldString(main["name"])
	info.Description = ldString(main["description"])
	info.ArticleBody = ldText(main["articleBody"])
	info.Section = ldString(main["articleSection"])
	info.Language = ldLanguage(main["inLanguage"])
	info.URL = ldURL(d, main["url"])
	if info.URL == "" {
		// mainEntityOfPage: a URL, or the WebPage (inline or by @id),
		// whose url is the page's; an @id alone is a URL minus its
		// fragment ("…/harbour/#page").
		me := main["mainEntityOfPage"]
		if o, ok := d.resolve(me).(map[string]any); ok {
			if u := ldURL(d, o["url"]); u != "" {
				me = u
			}
		}
		info.URL = ldURL(d, me)
		if i := strings.IndexByte(info.URL, '#'); i >= 0 {
			info.URL = info.URL[:i]
		}
	}
	info.Image = d.image(main["image"])
	if info.Image == "" {
		info.Image = d.image(main["thumbnailUrl"])
	}
	info.Published = ldString(main["datePublished"])
	if info.Published == "" {
		info.Published = ldString(main["dateCreated"])
	}
	info.Modified = ldString(main["dateModified"])
	info.Authors = d.authors(main["author"])
	if len(info.Authors) == 0 {
		info.Authors = d.authors(main["creator"])
	}
	info.Publisher = d.orgName(main["publisher"])
	if info.Publisher == "" {
		if p, ok := d.resolve(main["isPartOf"]).(map[string]any); ok {
			info.Publisher = d.orgName(p["publisher"])
		}
	}
	info.Keywords = ldKeywords(main["keywords"])
	for _, a := range ldList(main["about"]) {
		if o, ok := d.resolve(a).(map[string]any); ok {
			if n := ldString(o["name"]); n != "" {
				info.Keywords = append(info.Keywords, n)
			}
		}
	}
	info.Free = ldBool(main["isAccessibleForFree"])
	if info.Free == nil && page != nil {
		info.Free = ldBool(page["isAccessibleForFree"])
	}
	return info
}

// pickArticle sets *main to the first of articles that match accepts, and
// reports whether there was one.
func (d *ldDoc) pickArticle(articles []map[string]any, match func(map[string]any) bool, main *map[string]any) bool {
	for _, o := range articles {
		if match(o) {
			*main = o
			return true
		}
	}
	return false
}

// isPageArticle reports whether an article's url, mainEntityOfPage or @id
// is one of the page's URLs.
func (d *ldDoc) isPageArticle(o map[string]any, urls []string) bool {
	if len(urls) == 0 {
		return false
	}
	cands := []string{ldURL(d, o["url"]), ldURL(d, o["mainEntityOfPage"])}
	if me, ok := d.resolve(o["mainEntityOfPage"]).(map[string]any); ok {
		cands = append(cands, ldURL(d, me["url"]))
	}
	if id, ok := o["@id"].(string); ok {
		cands = append(cands, id)
	}
	for _, c := range cands {
		k := pageURLKey(c)
		if k == "" {
			continue
		}
		for _, u := range urls {
			if pageURLKey(u) == k {
				return true
			}
		}
	}
	return false
}

// pageURLKey is the comparison form of an absolute page URL: host without
// "www.", and path without a trailing slash; scheme, query and fragment
// are ignored. It is "" for a relative or unparsable URL.
func pageURLKey(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.") + strings.TrimRight(u.EscapedPath(), "/")
}

// showsHeadline reports whether an article's headline (or name) is one of
// the page's titles, or begins one followed by a separator ("Headline |
// Site").
func showsHeadline(o map[string]any, titles []string) bool {
	h := ldString(o["headline"])
	if h == "" {
		h = ldString(o["name"])
	}
	k := titleKey(h)
	if k == "" {
		return false
	}
	for _, t := range titles {
		t = titleKey(t)
		if t == k || strings.HasPrefix(t, k+" ") {
			return true
		}
	}
	return false
}

// hasTypeName reports whether types contains name.
func hasTypeName(types []string, name string) bool {
	for _, t := range types {
		if t == name {
			return true
		}
	}
	return false
}

// ldString returns a plain string value: a string, the "@value" of a
// value object, or the first string of a list. Entities and tags are
// removed and white space collapsed.
func ldString(v any) string {
	s := ldRaw(v)
	if s == "" {
		return ""
	}
	if strings.IndexByte(s, '<') >= 0 {
		s = stripTags(s)
	}
	s = unescapeEntities(s)
	return normalizeSpace(s)
}

// ldText is ldString for long texts, keeping them as they are apart from
// entities.
func ldText(v any) string {
	return unescapeEntities(ldRaw(v))
}

// ldRaw returns the raw string of a value (see ldString).
func ldRaw(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case map[string]any:
		return ldRaw(t["@value"])
	case []any:
		for _, e := range t {
			if s := ldRaw(e); s != "" {
				return s
			}
		}
	case float64:
		if t == float64(int64(t)) {
			return fmt.Sprint(int64(t))
		}
	}
	return ""
}

// ldList returns v as a list.
func ldList(v any) []any {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		return t
	}
	return []any{v}
}

// ldURL reads a URL given as a string or as an object with @id or url.
func ldURL(d *ldDoc, v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case map[string]any:
		if s, ok := t["@id"].(string); ok {
			return strings.TrimSpace(s)
		}
		if s, ok := t["url"].(string); ok {
			return strings.TrimSpace(s)
		}
	case []any:
		for _, e := range t {
			if s := ldURL(d, e); s != "" {
				return s
			}
		}
	}
	return ""
}

// image reads an image given as a URL, an ImageObject (url, contentUrl)
// or a list of either; the first wins.
func (d *ldDoc) image(v any) string {
	switch t := d.resolve(v).(type) {
	case string:
		return strings.TrimSpace(t)
	case map[string]any:
		for _, k := range []string{"url", "contentUrl", "@id"} {
			if s, ok := t[k].(string); ok && strings.TrimSpace(s) != "" {
				if k == "@id" && !strings.Contains(s, "://") {
					continue
				}
				return strings.TrimSpace(s)
			}
		}
	case []any:
		for _, e := range t {
			if s := d.image(e); s != "" {
				return s
			}
		}
	}
	return ""
}

// ldLanguage reads inLanguage: a code, or a Language object.
func ldLanguage(v any) string {
	switch t := v.(type) {
	case map[string]any:
		if s := ldString(t["alternateName"]); s != "" {
			return s
		}
		return ldString(t["name"])
	}
	return ldString(v)
}

// ldKeywords reads keywords given as a comma-separated string or a list.
func ldKeywords(v any) []string {
	var out []string
	for _, e := range ldList(v) {
		switch t := e.(type) {
		case string:
			out = append(out, splitKeywords(t)...)
		case map[string]any:
			if n := ldString(t["name"]); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}

// ldBool reads true/false given as a JSON boolean or a string.
func ldBool(v any) *bool {
	var b bool
	switch t := v.(type) {
	case bool:
		b = t
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "true", "yes", "1", "http://schema.org/true", "https://schema.org/true":
			b = true
		case "false", "no", "0", "http://schema.org/false", "https://schema.org/false":
			b = false
		default:
			return nil
		}
	case []any:
		if len(t) > 0 {
			return ldBool(t[0])
		}
		return nil
	default:
		return nil
	}
	return &b
}

// authors reads an author value: a string, a Person or Organization object,
// an @id reference, or a list of those.
func (d *ldDoc) authors(v any) []ldAuthor {
	var out []ldAuthor
	for _, e := range ldList(v) {
		switch t := d.resolve(e).(type) {
		case string:
			if s := strings.TrimSpace(t); s != "" {
				out = append(out, ldAuthor{name: s})
			}
		case map[string]any:
			types := ldTypes(t)
			a := ldAuthor{name: ldString(t["name"])}
			if a.name == "" {
				a.name = normalizeSpace(ldString(t["givenName"]) + " " + ldString(t["familyName"]))
			}
			if a.name == "" {
				if u := ldURL(d, t["url"]); u != "" {
					a.name = u
				}
			}
			a.person = hasTypeName(types, "Person")
			a.org = hasType(types, orgTypes) != ""
			if a.name != "" {
				out = append(out, a)
			}
		}
		if len(out) > 20 {
			break
		}
	}
	return out
}

// orgName reads the name of a publisher given as a string or an object.
func (d *ldDoc) orgName(v any) string {
	switch t := d.resolve(v).(type) {
	case string:
		if isURLLike(t) {
			return ""
		}
		return normalizeSpace(t)
	case map[string]any:
		return ldString(t["name"])
	case []any:
		for _, e := range t {
			if s := d.orgName(e); s != "" {
				return s
			}
		}
	}
	return ""
}

// breadcrumb reads the item names of a BreadcrumbList, in position order
// as listed.
func (d *ldDoc) breadcrumb(v any) []string {
	o, ok := d.resolve(v).(map[string]any)
	if !ok {
		return nil
	}
	var out []string
	for _, e := range ldList(o["itemListElement"]) {
		item, ok := d.resolve(e).(map[string]any)
		if !ok {
			continue
		}
		name := ldString(item["name"])
		if name == "" {
			if it, ok := d.resolve(item["item"]).(map[string]any); ok {
				name = ldString(it["name"])
			}
		}
		if name != "" {
			out = append(out, name)
		}
	}
	return out
}

// stripTags removes HTML tags from a short metadata string. Block tags
// (<p>, <br>, <li>) become a space; inline ones (<b>, <a>) vanish, so
// "beat <b>expectations</b>." stays "beat expectations.".
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '<' && i+1 < len(s) && (isLetter(s[i+1]) || s[i+1] == '/' || s[i+1] == '!'):
			in = true
			j := i + 1
			if s[j] == '/' {
				j++
			}
			k := j
			for k < len(s) && isLetter(s[k]) || k > j && k < len(s) && '0' <= s[k] && s[k] <= '9' {
				k++
			}
			if kindOfTag(atom.Lookup([]byte(strings.ToLower(s[j:k])))) != tagInline {
				b.WriteByte(' ')
			}
		case c == '>' && in:
			in = false
		case !in:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// splitKeywords splits a keyword list on commas (and semicolons when there
// are no commas).
func splitKeywords(s string) []string {
	sep := ","
	if !strings.Contains(s, ",") && strings.Contains(s, ";") {
		sep = ";"
	}
	var out []string
	for _, k := range strings.Split(s, sep) {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}
