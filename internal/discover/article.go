package discover

import (
	"path"
	"strconv"
	"strings"
	"unicode"
)

// LooksLikeArticle guesses from the shape of a URL alone whether it leads
// to an article, and says why in a short reason ("date in path",
// "tag page", "asset (.jpg)", ...).
//
// The rules, in the order they are tried:
//
//  1. Not an absolute http(s) URL: no.
//  2. Assets (images, audio, video, documents, archives, scripts, styles,
//     fonts) and feeds or sitemaps by their extension: no.
//  3. Pagination (/page/N, ?page=N, ?paged=N, ?pg=N), search by query
//     (?s=, ?q=, ?query=, ...) and listings by query (?tag=, ?cat=,
//     ?category=, ?author=): no.
//  4. The home page ("/", "/index.html", a language root such as "/en/"),
//     unless an id in the query names an article (rule 10): no.
//  5. Feeds by path (/feed, /rss, /atom as the last segment, /feeds/...): no.
//  6. Listing segments anywhere in the path (/tag/, /tags/, /topic/,
//     /topics/, /category/, /categories/, /section/, /sections/, /label/,
//     /author/, /authors/, /contributor/, /user/, /search/, ...): no.
//  7. Site pages as the first segment, or the first after a language root
//     (/about, /contact, /privacy, /terms, /login, /subscribe, /newsletter,
//     /account, /advertise, /careers, /faq, ...): no. Deeper down such
//     words are news sections (/business/jobs/...) and are not judged.
//  8. A date in the path (/2024/05/01/, /2024/05/, /2024-05-01/,
//     /20240501/, or a slug starting with 2024-05-01-) followed by more
//     path: yes; with nothing after it, it is a date archive: no.
//  9. A numeric id of five or more digits in the last two segments
//     (-1092846822.html, /a/30279001.html, /news/123456/slug): yes.
//  10. A numeric id in the query (?p=123, ?id=123, ?article=123,
//     ?story=123, ...): yes.
//  11. A path segment article(s), story, stories or post(s) followed by
//     another segment: yes.
//  12. A long slug: four or more words joined by hyphens or underscores,
//     at least three of them alphabetic (any script): yes.
//  13. A .html, .htm or .shtml name with a hyphen, an underscore or a digit
//     in it: yes (a one-word name such as /sport.html is usually a
//     section).
//  14. Anything else: no ("no article signal"): short paths such as
//     /politics or /world/europe are sections.
//
// Segment names are matched whole and case-insensitively, so
// /news/about-the-new-ferry.html is not an "about" page. A trailing /amp,
// /print or index file is looked through, so /2024/05/01/slug/amp is
// judged as its article.
//
// These are guesses from the URL only; see the package documentation for
// what only the fetched page can tell.
func LooksLikeArticle(u string) (bool, string) {
	pu, ok := parseHTTP(u)
	if !ok {
		return false, "not an http(s) URL"
	}
	p := strings.ToLower(pu.Path)
	segs := splitPath(p)
	q := pu.Query()

	last := ""
	if len(segs) > 0 {
		last = segs[len(segs)-1]
	}
	_, ext := splitExt(last)
	if assetExts[ext] {
		return false, "asset (." + ext + ")"
	}
	if feedExts[ext] {
		return false, "feed or sitemap (." + ext + ")"
	}

	if pagePath.MatchString(p) {
		return false, "pagination"
	}
	// Query parameters, by priority (map order is random).
	var search, listing string
	for k, vs := range q {
		k = strings.ToLower(k)
		switch {
		case paginationParams[k] && len(vs) > 0 && isDigits(vs[0]):
			return false, "pagination"
		case searchParams[k]:
			search = "search page"
		case listingParams[k] && (listing == "" || k < listing):
			listing = k
		}
	}
	if search != "" {
		return false, search
	}
	if listing != "" {
		return false, listingReason(listing)
	}

	// Look through variant suffixes: /slug/amp, /slug/print, /dir/index.html.
	core := segs
	for len(core) > 0 {
		n, _ := splitExt(core[len(core)-1])
		if !variantNames[n] {
			break
		}
		core = core[:len(core)-1]
	}
	if len(core) == 0 || (len(core) == 1 && isLangCode(core[0])) {
		if !hasQueryID(q) {
			return false, "home page"
		}
	}

	switch last {
	case "feed", "rss", "atom", "feeds":
		return false, "feed"
	}
	for _, s := range segs {
		if s == "feeds" {
			return false, "feed"
		}
	}

	for _, s := range segs {
		if r, ok := listingSegments[s]; ok {
			return false, r
		}
	}
	// Site pages sit at the top of the site (or of a language root):
	// deeper down, /business/jobs/ or /world/help/ are news sections.
	if top := segs; len(top) > 0 {
		if len(top) > 1 && isLangCode(top[0]) {
			top = top[1:]
		}
		if sitePages[top[0]] {
			return false, "site page"
		}
	}

	if i, n := findDate(core); n > 0 {
		if i+n < len(core) || hasDatedSlug(core[i]) {
			return true, "date in path"
		}
		return false, "date archive"
	}

	tail := core
	if len(tail) > 2 {
		tail = tail[len(tail)-2:]
	}
	for _, s := range tail {
		n, _ := splitExt(s)
		if longestDigitRun(n) >= 5 {
			return true, "numeric id"
		}
	}

	if hasQueryID(q) {
		return true, "id in query"
	}

	for i, s := range core[:max(len(core)-1, 0)] {
		if articleSegments[s] && i+1 < len(core) {
			return true, "article path"
		}
	}

	if len(core) > 0 {
		n, e := splitExt(core[len(core)-1])
		if isLongSlug(n) {
			return true, "long slug"
		}
		if htmlExts[e] && n != "index" && n != "default" && strings.ContainsAny(n, "-_0123456789") {
			return true, "html page with a slug"
		}
	}
	return false, "no article signal"
}

// listingReason names the listing a query parameter selects.
func listingReason(k string) string {
	switch k {
	case "author":
		return "author page"
	case "tag":
		return "tag page"
	}
	return "category page"
}

var assetExts = setOf(
	// images
	"jpg", "jpeg", "png", "gif", "webp", "avif", "svg", "bmp", "ico", "tif", "tiff", "heic",
	// documents and archives
	"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "epub", "zip", "gz", "tgz",
	"tar", "rar", "7z", "csv", "ics", "vcf",
	// audio and video
	"mp3", "m4a", "aac", "wav", "flac", "ogg", "oga", "opus", "mp4", "m4v", "mov", "avi", "wmv",
	"flv", "webm", "ogv", "mkv", "m3u8", "mpd",
	// code, styles, fonts, binaries
	"js", "mjs", "css", "map", "json", "txt", "woff", "woff2", "ttf", "otf", "eot", "swf",
	"exe", "dmg", "apk", "msi", "bin",
)

var feedExts = setOf("rss", "atom", "xml", "rdf")

var htmlExts = setOf("html", "htm", "shtml", "xhtml")

// variantNames are last segments that name a variant or the index of the
// path before them.
var variantNames = setOf("amp", "print", "index", "default", "home", "main")

var listingSegments = map[string]string{
	"tag": "tag page", "tags": "tag page", "label": "tag page", "labels": "tag page",
	"topic": "topic page", "topics": "topic page", "theme": "topic page", "themes": "topic page",
	"category": "category page", "categories": "category page",
	"section": "section page", "sections": "section page", "rubric": "section page",
	"author": "author page", "authors": "author page", "contributor": "author page",
	"contributors": "author page", "byline": "author page", "user": "author page", "users": "author page",
	"search": "search page", "suche": "search page", "recherche": "search page", "buscar": "search page",
}

// sitePages are the segments of the site's own pages, all reported as
// "site page".
var sitePages = setOf(
	"about", "about-us", "aboutus", "who-we-are", "contact", "contact-us", "contacts", "imprint",
	"impressum", "privacy", "privacy-policy", "privacy-notice", "cookies", "cookie-policy",
	"terms", "terms-of-service", "terms-of-use", "terms-and-conditions", "tos", "legal",
	"disclaimer", "accessibility", "faq", "faqs", "help", "advertise", "advertising", "careers",
	"jobs", "corrections", "login", "log-in", "signin", "sign-in", "logout", "register", "signup",
	"sign-up", "subscribe", "subscription", "subscriptions", "newsletter", "newsletters",
	"account", "my-account", "cart", "checkout", "donate", "shop", "store", "sitemap",
	"wp-admin", "wp-login.php", "cdn-cgi",
)

var paginationParams = setOf("page", "paged", "pg")

var searchParams = setOf("s", "q", "query", "search", "keyword", "keywords", "term")

var listingParams = setOf("tag", "cat", "category", "author")

// queryIDParams name a query parameter whose numeric value identifies an
// article (?p=123 is WordPress's default permalink).
var queryIDParams = setOf("p", "id", "article", "articleid", "article_id", "story", "storyid",
	"story_id", "newsid", "news_id", "post", "postid", "post_id", "nid", "aid", "itemid", "item_id", "contentid")

var articleSegments = setOf("article", "articles", "story", "stories", "post", "posts")

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

func hasQueryID(q map[string][]string) bool {
	for k, vs := range q {
		if queryIDParams[strings.ToLower(k)] && len(vs) > 0 && isDigits(vs[0]) {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// splitPath returns the non-empty segments of a path.
func splitPath(p string) []string {
	var segs []string
	for s := range strings.SplitSeq(p, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	return segs
}

// splitExt splits a segment into name and extension; the extension is
// lower-case letters and digits, one to five of them, or empty.
func splitExt(seg string) (name, ext string) {
	e := path.Ext(seg)
	if len(e) < 2 || len(e) > 6 {
		return seg, ""
	}
	for _, r := range e[1:] {
		if !('a' <= r && r <= 'z') && !('0' <= r && r <= '9') {
			return seg, ""
		}
	}
	return strings.TrimSuffix(seg, e), e[1:]
}

// isLangCode reports whether a segment is a language root: "en", "pt-br",
// "zh_cn".
func isLangCode(s string) bool {
	lang, region, hasRegion := strings.Cut(strings.ReplaceAll(s, "_", "-"), "-")
	if len(lang) != 2 || !isLetters(lang) {
		return false
	}
	return !hasRegion || (len(region) >= 2 && len(region) <= 4 && isLetters(region))
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return s != ""
}

// findDate looks for a date in the path's segments and returns the index
// of its first segment and how many segments it spans (0 if none): year and
// month as two or three segments (/2024/05/, /2024/05/01/), or one segment
// 2024-05-01, 20240501 or a slug starting with 2024-05-01-.
func findDate(segs []string) (start, n int) {
	for i, s := range segs {
		if isYear(s) && i+1 < len(segs) && isMonth(segs[i+1]) {
			if i+2 < len(segs) && isDay(segs[i+2]) {
				return i, 3
			}
			return i, 2
		}
		if isDateSegment(s) || hasDatedSlug(s) {
			return i, 1
		}
	}
	return 0, 0
}

func isYear(s string) bool {
	if len(s) != 4 || !isDigits(s) {
		return false
	}
	y, _ := strconv.Atoi(s)
	return y >= 1990 && y <= 2099
}

func isMonth(s string) bool { return isNumIn(s, 1, 12) }
func isDay(s string) bool   { return isNumIn(s, 1, 31) }

func isNumIn(s string, lo, hi int) bool {
	if len(s) == 0 || len(s) > 2 || !isDigits(s) {
		return false
	}
	n, _ := strconv.Atoi(s)
	return n >= lo && n <= hi
}

// isDateSegment matches 2024-05-01 and 20240501.
func isDateSegment(s string) bool {
	s, _ = splitExt(s)
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		return isYear(s[:4]) && isMonth(s[5:7]) && isDay(s[8:])
	}
	if len(s) == 8 && isDigits(s) {
		return isYear(s[:4]) && isMonth(s[4:6]) && isDay(s[6:])
	}
	return false
}

// hasDatedSlug matches a segment that starts with a date and goes on with
// words: 2024-05-01-harbour-reopens.
func hasDatedSlug(s string) bool {
	return len(s) > 11 && isDateSegment(s[:10]) && (s[10] == '-' || s[10] == '_') && isLongSlugWords(s[11:], 1)
}

func longestDigitRun(s string) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

// isLongSlug reports whether name reads as a headline slug: four or more
// words joined by hyphens or underscores, at least three of them made of
// letters (of any script).
func isLongSlug(name string) bool {
	words := strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' })
	return len(words) >= 4 && isLongSlugWords(name, 3)
}

// isLongSlugWords reports whether s has at least min alphabetic words.
func isLongSlugWords(s string, min int) bool {
	n := 0
	for w := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == '-' || r == '_' }) {
		alpha := true
		for _, r := range w {
			if !unicode.IsLetter(r) && !unicode.IsMark(r) {
				alpha = false
				break
			}
		}
		if alpha {
			n++
		}
	}
	return n >= min
}
