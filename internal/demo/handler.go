package demo

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SiteName is the demo site's name.
const SiteName = "The Harbour Gazette"

// sectionPage is how many articles a section page lists before it links
// to the next page.
const sectionPage = 3

// Options adjust the demo site. The zero value serves it as fast as it can.
type Options struct {
	// Delay is added before every article page is answered (a slow site,
	// for tests that need a harvest to take a while).
	Delay time.Duration
}

// Handler serves the demo site.
func Handler(opts Options) http.Handler {
	s := &site{opts: opts, arts: Articles(), bySlug: map[string]*Article{}}
	for _, a := range s.arts {
		s.bySlug[a.Slug] = a
		if !slices.Contains(s.sections, a.Section) {
			s.sections = append(s.sections, a.Section)
		}
	}
	slices.Sort(s.sections)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /section/{name}/{$}", s.section)
	mux.HandleFunc("GET /news/{y}/{m}/{d}/{file}", s.article)
	mux.HandleFunc("GET /amp/news/{y}/{m}/{d}/{file}", s.amp)
	mux.HandleFunc("GET /wire/{file}", s.wire)
	mux.HandleFunc("GET /about.html", s.about)
	mux.HandleFunc("GET /feed.xml", s.feed)
	mux.HandleFunc("GET /sitemap.xml", s.sitemap)
	mux.HandleFunc("GET /robots.txt", s.robots)
	return mux
}

type site struct {
	opts     Options
	arts     []*Article // newest first
	bySlug   map[string]*Article
	sections []string
}

func base(r *http.Request) string { return "http://" + r.Host }

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{"title": title}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} | The Harbour Gazette</title>
{{- if .Description}}
<meta name="description" content="{{.Description}}">{{end}}
{{- if .Canonical}}
<link rel="canonical" href="{{.Canonical}}">{{end}}
{{- if .AMP}}
<link rel="amphtml" href="{{.AMP}}">{{end}}
<link rel="alternate" type="application/rss+xml" title="The Harbour Gazette" href="/feed.xml">
{{- if .Article}}
<meta property="og:type" content="article">
<meta property="og:title" content="{{.Title}}">
<meta property="og:site_name" content="The Harbour Gazette">
<meta property="article:section" content="{{title .Article.Section}}">
<script type="application/ld+json">{{.JSONLD}}</script>
{{- end}}
<style>
body{font-family:Georgia,serif;max-width:44rem;margin:0 auto;padding:0 1rem;color:#222}
header,footer{font-family:sans-serif;font-size:.9rem}header nav a{margin-right:.8rem}
.kicker{text-transform:uppercase;font:bold .8rem sans-serif;color:#036}.byline{color:#555}
aside{border-top:1px solid #ccc;font-family:sans-serif;font-size:.9rem}
</style>
</head>
<body>
<header>
<p><a href="/"><strong>The Harbour Gazette</strong></a></p>
<nav>{{range .Sections}}<a href="/section/{{.}}/">{{title .}}</a>{{end}}<a href="/about.html">About</a></nav>
</header>
<main>
{{- with .Article}}
<article>
<p class="kicker">{{title .Section}}</p>
<h1>{{.Title}}</h1>
{{- if .Summary}}
<p class="standfirst"><strong>{{.Summary}}</strong></p>{{end}}
<p class="byline">By <span class="author">{{.Author}}</span> · <time datetime="{{.Date.Format "2006-01-02T15:04:05Z07:00"}}">{{.Date.Format "2 January 2006"}}</time></p>
{{- range .Paras}}
<p>{{.}}</p>
{{- end}}
{{- if $.Credit}}
<p><em>{{$.Credit}}</em></p>{{end}}
</article>
{{- end}}
{{- if .Heading}}
<h1>{{.Heading}}</h1>{{end}}
{{- if .Intro}}
<p>{{.Intro}}</p>{{end}}
{{- if .List}}
<ul class="stories">
{{- range .List}}
<li><a href="{{.Path}}">{{.Title}}</a> <small>{{.Date.Format "2 Jan"}}</small></li>
{{- end}}
</ul>{{end}}
{{- if .Next}}
<p class="pagination"><a rel="next" href="{{.Next}}">Older stories</a></p>{{end}}
{{- if .Related}}
<aside class="related"><h2>More from the Gazette</h2><ul>
{{- range .Related}}
<li><a href="{{.Path}}">{{.Title}}</a></li>
{{- end}}
</ul></aside>{{end}}
</main>
<footer><p>The Harbour Gazette, 4 Quay Street. A sample site bundled with Herald; every story is made up.</p></footer>
</body>
</html>
`))

// page is what pageTmpl renders.
type page struct {
	Title, Description string
	Canonical, AMP     string
	Sections           []string
	Article            *Article
	JSONLD             template.JS
	Credit             string
	Heading, Intro     string
	List, Related      []*Article
	Next               string
}

func (s *site) render(w http.ResponseWriter, p page) {
	p.Sections = s.sections
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pageTmpl.Execute(w, p); err != nil {
		// Headers are gone; the client sees a truncated page.
		return
	}
}

func (s *site) home(w http.ResponseWriter, r *http.Request) {
	n := min(len(s.arts), 8)
	s.render(w, page{Title: "News from the harbour", Heading: "Latest news", List: s.arts[:n], Canonical: base(r) + "/"})
}

func (s *site) section(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var list []*Article
	for _, a := range s.arts {
		if a.Section == name {
			list = append(list, a)
		}
	}
	if len(list) == 0 {
		http.NotFound(w, r)
		return
	}
	pageNo := 1
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || (n-1)*sectionPage >= len(list) {
			http.NotFound(w, r)
			return
		}
		pageNo = n
	}
	from := (pageNo - 1) * sectionPage
	to := min(from+sectionPage, len(list))
	p := page{Title: title(name), Heading: title(name), List: list[from:to]}
	if to < len(list) {
		p.Next = fmt.Sprintf("/section/%s/?page=%d", name, pageNo+1)
	}
	s.render(w, p)
}

// find returns the article a /news/y/m/d/slug.html path names.
func (s *site) find(r *http.Request) *Article {
	slug, ok := strings.CutSuffix(r.PathValue("file"), ".html")
	if !ok {
		return nil
	}
	a := s.bySlug[slug]
	if a == nil || a.Date.Format("2006/01/02") != r.PathValue("y")+"/"+r.PathValue("m")+"/"+r.PathValue("d") {
		return nil
	}
	return a
}

// slow waits the configured delay, or until the client goes away.
func (s *site) slow(r *http.Request) bool {
	if s.opts.Delay <= 0 {
		return true
	}
	t := time.NewTimer(s.opts.Delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func (s *site) jsonLD(a *Article, url string) template.JS {
	ld := map[string]any{
		"@context":         "https://schema.org",
		"@type":            "NewsArticle",
		"headline":         a.Title,
		"description":      a.Summary,
		"datePublished":    a.Date.Format(time.RFC3339),
		"author":           map[string]string{"@type": "Person", "name": a.Author},
		"publisher":        map[string]string{"@type": "Organization", "name": SiteName},
		"articleSection":   title(a.Section),
		"keywords":         strings.Join(a.Tags, ", "),
		"mainEntityOfPage": url,
		"inLanguage":       "en",
	}
	b, _ := json.Marshal(ld) // a map of strings always marshals; <, > and & come out escaped
	return template.JS(b)
}

// related lists the other articles of a's section.
func (s *site) related(a *Article) []*Article {
	var out []*Article
	for _, o := range s.arts {
		if o != a && o.Section == a.Section && len(out) < 3 {
			out = append(out, o)
		}
	}
	return out
}

func (s *site) article(w http.ResponseWriter, r *http.Request) {
	a := s.find(r)
	if a == nil {
		http.NotFound(w, r)
		return
	}
	if !s.slow(r) {
		return
	}
	url := base(r) + a.Path()
	p := page{Title: a.Title, Description: a.Summary, Canonical: url, Article: a, JSONLD: s.jsonLD(a, url), Related: s.related(a)}
	if slices.Contains(ampSlugs, a.Slug) {
		p.AMP = base(r) + "/amp" + a.Path()
	}
	s.render(w, p)
}

// amp serves the AMP variant of an article: the same text, rel=canonical
// pointing at the article.
func (s *site) amp(w http.ResponseWriter, r *http.Request) {
	a := s.find(r)
	if a == nil || !slices.Contains(ampSlugs, a.Slug) {
		http.NotFound(w, r)
		return
	}
	if !s.slow(r) {
		return
	}
	url := base(r) + a.Path()
	s.render(w, page{Title: a.Title, Description: a.Summary, Canonical: url, Article: a, JSONLD: s.jsonLD(a, url)})
}

// wire serves a syndicated copy of an article as a news agency would
// distribute it: the same story under its own URL with a credit line.
func (s *site) wire(w http.ResponseWriter, r *http.Request) {
	slug, ok := strings.CutSuffix(r.PathValue("file"), ".html")
	a := s.bySlug[slug]
	if !ok || a == nil || !slices.Contains(wireSlugs, slug) {
		http.NotFound(w, r)
		return
	}
	if !s.slow(r) {
		return
	}
	cp := *a
	cp.Author = "Coast News Agency"
	url := base(r) + "/wire/" + slug + ".html"
	s.render(w, page{Title: a.Title, Description: a.Summary, Canonical: url, Article: &cp, JSONLD: s.jsonLD(&cp, url),
		Credit: "Distributed by the Coast News Agency."})
}

func (s *site) about(w http.ResponseWriter, r *http.Request) {
	s.render(w, page{Title: "About", Heading: "About the Gazette",
		Intro: "The Harbour Gazette is a sample news site bundled with Herald so that harvesting, search and the web interface can be tried without a network."})
}

func (s *site) robots(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "User-agent: *\nDisallow: /search\n\nSitemap: %s/sitemap.xml\n", base(r))
}

// The feed and sitemap are written with encoding/xml.

type rssItem struct {
	Title       string   `xml:"title"`
	Link        string   `xml:"link"`
	GUID        string   `xml:"guid"`
	PubDate     string   `xml:"pubDate"`
	Description string   `xml:"description"`
	Creator     string   `xml:"dc:creator"`
	Categories  []string `xml:"category"`
}

type rssDoc struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	DC      string   `xml:"xmlns:dc,attr"`
	Channel struct {
		Title       string    `xml:"title"`
		Link        string    `xml:"link"`
		Description string    `xml:"description"`
		Items       []rssItem `xml:"item"`
	} `xml:"channel"`
}

// feed is RSS 2.0 with every article; every third link carries tracking
// parameters, as feeds often do.
func (s *site) feed(w http.ResponseWriter, r *http.Request) {
	doc := rssDoc{Version: "2.0", DC: "http://purl.org/dc/elements/1.1/"}
	doc.Channel.Title = SiteName
	doc.Channel.Link = base(r) + "/"
	doc.Channel.Description = "News from the harbour"
	for i, a := range s.arts {
		link := base(r) + a.Path()
		if i%3 == 0 {
			link += "?utm_source=rss&utm_medium=feed"
		}
		doc.Channel.Items = append(doc.Channel.Items, rssItem{
			Title: a.Title, Link: link, GUID: base(r) + a.Path(), PubDate: a.Date.Format(time.RFC1123Z),
			Description: a.Summary, Creator: a.Author, Categories: a.Tags,
		})
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	fmt.Fprint(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	_ = enc.Encode(doc) // a write error means the client went away
}

type smURL struct {
	Loc     string  `xml:"loc"`
	LastMod string  `xml:"lastmod"`
	News    *smNews `xml:"news:news,omitempty"`
}

type smNews struct {
	Name     string `xml:"news:publication>news:name"`
	Language string `xml:"news:publication>news:language"`
	Date     string `xml:"news:publication_date"`
	Title    string `xml:"news:title"`
}

type smDoc struct {
	XMLName xml.Name `xml:"urlset"`
	NS      string   `xml:"xmlns,attr"`
	NewsNS  string   `xml:"xmlns:news,attr"`
	URLs    []smURL  `xml:"url"`
}

// sitemap is a Google News sitemap of the articles, their AMP variants and
// the syndicated copies.
func (s *site) sitemap(w http.ResponseWriter, r *http.Request) {
	doc := smDoc{NS: "http://www.sitemaps.org/schemas/sitemap/0.9", NewsNS: "http://www.google.com/schemas/sitemap-news/0.9"}
	for _, a := range s.arts {
		d := a.Date.Format(time.RFC3339)
		doc.URLs = append(doc.URLs, smURL{Loc: base(r) + a.Path(), LastMod: d,
			News: &smNews{Name: SiteName, Language: "en", Date: d, Title: a.Title}})
		if slices.Contains(ampSlugs, a.Slug) {
			doc.URLs = append(doc.URLs, smURL{Loc: base(r) + "/amp" + a.Path(), LastMod: d})
		}
		if slices.Contains(wireSlugs, a.Slug) {
			doc.URLs = append(doc.URLs, smURL{Loc: base(r) + "/wire/" + a.Slug + ".html", LastMod: d})
		}
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	fmt.Fprint(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	_ = enc.Encode(doc) // a write error means the client went away
}
