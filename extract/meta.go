package extract

import (
	"encoding/json"
	"strings"
)

// <meta> tags: OpenGraph (og:*, article:*), Twitter cards, Dublin Core
// (DC.*, dcterms.*), the standard names (author, description, keywords,
// news_keywords, date, pubdate …), Parse.ly (parsely-* and the JSON
// parsely-page) and Sailthru (sailthru.*).
//
// Keys are the name, property, itemprop or http-equiv attribute, lower
// case; a property list ("og:title twitter:title", valid RDFa) gives one
// key per entry; "dc:title" and "DC.Title" are both "dc.title".

// metaTag is one <meta> key and its content.
type metaTag struct {
	key, val string
}

// metaList holds the meta tags of a page in document order.
type metaList []metaTag

// add records a meta tag under every key of a space-separated list.
func (m *metaList) add(keys, val string) {
	val = strings.TrimSpace(val)
	if val == "" || keys == "" {
		return
	}
	for keys != "" {
		k := keys
		if i := strings.IndexAny(keys, " \t\n"); i >= 0 {
			k, keys = keys[:i], keys[i+1:]
		} else {
			keys = ""
		}
		if k == "" {
			continue
		}
		*m = append(*m, metaTag{key: metaKey(k), val: val})
	}
}

// metaKey normalises a meta key.
func metaKey(k string) string {
	k = strings.ToLower(strings.TrimSpace(k))
	switch {
	case strings.HasPrefix(k, "dc:"):
		k = "dc." + k[3:]
	case strings.HasPrefix(k, "dcterms:"):
		k = "dcterms." + k[8:]
	case strings.HasPrefix(k, "dcterm:"), strings.HasPrefix(k, "dcterm."):
		k = "dcterms." + k[7:]
	case strings.HasPrefix(k, "schema:"):
		k = k[7:]
	}
	return k
}

// first returns the first non-empty value among keys (in key order) and
// the key that gave it.
func (m metaList) first(keys ...string) (string, string) {
	for _, k := range keys {
		for _, t := range m {
			if t.key == k {
				return t.val, k
			}
		}
	}
	return "", ""
}

// all returns every value of key, in document order.
func (m metaList) all(key string) []string {
	var out []string
	for _, t := range m {
		if t.key == key {
			out = append(out, t.val)
		}
	}
	return out
}

// Meta keys for each field, in priority order.
var (
	metaTitleKeys = []string{"og:title", "twitter:title", "dc.title", "dcterms.title", "parsely-title",
		"sailthru.title", "headline", "title", "citation_title"}
	metaDescriptionKeys = []string{"og:description", "description", "twitter:description", "dc.description",
		"dcterms.description", "dcterms.abstract", "sailthru.description"}
	metaAuthorKeys = []string{"author", "article:author", "dc.creator", "dcterms.creator", "parsely-author",
		"sailthru.author", "citation_author", "byl", "og:article:author", "article:author_name", "author_name"}
	metaPublishedKeys = []string{"article:published_time", "og:article:published_time", "og:published_time",
		"published_time", "article:published", "datepublished", "article.published", "publishdate",
		"publish-date", "publish_date", "publication_date", "pubdate", "date", "dc.date.issued", "dc.date",
		"dcterms.issued", "dcterms.created", "dcterms.date", "parsely-pub-date", "sailthru.date",
		"originalpublicationdate", "citation_publication_date", "citation_date", "date.available", "created"}
	metaModifiedKeys = []string{"article:modified_time", "og:article:modified_time", "article:modified",
		"og:updated_time", "article:updated_time", "modified_time", "datemodified", "dcterms.modified",
		"dc.date.modified", "last-modified", "lastmod", "updated", "revised"}
	metaSiteKeys     = []string{"og:site_name", "application-name", "dc.publisher", "dcterms.publisher"}
	metaSectionKeys  = []string{"article:section", "parsely-section", "sailthru.section", "section", "category"}
	metaImageKeys    = []string{"og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src", "parsely-image-url", "sailthru.image.full", "thumbnail"}
	metaLanguageKeys = []string{"content-language", "og:locale", "dc.language", "dcterms.language", "language"}
	metaURLKeys      = []string{"og:url", "twitter:url", "parsely-link"}
)

// metaTags returns the tag values of the page: article:tag, news_keywords,
// keywords, parsely-tags, sailthru.tags and dc.subject, split on commas,
// with the key each came from.
func (m metaList) tags() (tags []string, sources []string) {
	for _, key := range []string{"article:tag", "news_keywords", "keywords", "parsely-tags", "sailthru.tags", "dc.subject", "dcterms.subject"} {
		for _, v := range m.all(key) {
			for _, k := range splitKeywords(v) {
				tags = append(tags, k)
				sources = append(sources, key)
			}
		}
	}
	return tags, sources
}

// parselyPage is the JSON of <meta name="parsely-page">.
type parselyPage struct {
	Title    string   `json:"title"`
	Link     string   `json:"link"`
	PubDate  string   `json:"pub_date"`
	Section  string   `json:"section"`
	Author   any      `json:"author"`
	Authors  []string `json:"authors"`
	Tags     []string `json:"tags"`
	ImageURL string   `json:"image_url"`
}

// expandParsely turns a parsely-page JSON value into parsely-* tags so the
// usual lookups find them. Invalid JSON is ignored.
func (m *metaList) expandParsely() {
	var raw string
	for _, t := range *m {
		if t.key == "parsely-page" {
			raw = t.val
			break
		}
	}
	if raw == "" {
		return
	}
	var p parselyPage
	if err := json.Unmarshal([]byte(unescapeEntities(raw)), &p); err != nil {
		return
	}
	m.add("parsely-title", p.Title)
	m.add("parsely-link", p.Link)
	m.add("parsely-pub-date", p.PubDate)
	m.add("parsely-section", p.Section)
	m.add("parsely-image-url", p.ImageURL)
	switch a := p.Author.(type) {
	case string:
		m.add("parsely-author", a)
	case []any:
		for _, e := range a {
			if s, ok := e.(string); ok {
				m.add("parsely-author", s)
			}
		}
	}
	for _, a := range p.Authors {
		m.add("parsely-author", a)
	}
	if len(p.Tags) > 0 {
		m.add("parsely-tags", strings.Join(p.Tags, ","))
	}
}
