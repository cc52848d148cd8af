package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"html"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/herald-archive/herald/extract"
	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// An Atom feed of a search (GET /feed): the matches of a query the
// archive stored last, for following it in any feed reader while
// harvests add articles, as media monitors follow alerts. They come in
// the order the archive got them (query.SortArchived), not by date: an
// article published last week and harvested today is news to the reader. An entry is identified by the archive's
// page of its article, or of its story's first article when copies are
// collapsed, so a reader shows a story once however many copies join
// it, and a new version as an update; the response carries an ETag, so
// polls that find nothing new get 304 Not Modified.

// defaultFeedLimit is how many entries a feed holds unless limit says.
const defaultFeedLimit = 50

// atomNS is the Atom 1.0 namespace (RFC 4287).
const atomNS = "http://www.w3.org/2005/Atom"

type atomFeed struct {
	XMLName   xml.Name      `xml:"feed"`
	NS        string        `xml:"xmlns,attr"`
	Title     string        `xml:"title"`
	Subtitle  string        `xml:"subtitle"`
	ID        string        `xml:"id"`
	Updated   string        `xml:"updated"`
	Author    atomPerson    `xml:"author"`
	Links     []atomLink    `xml:"link"`
	Generator atomGenerator `xml:"generator"`
	Entries   []atomEntry   `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomGenerator struct {
	URI     string `xml:"uri,attr"`
	Version string `xml:"version,attr"`
	Name    string `xml:",chardata"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Links      []atomLink     `xml:"link"`
	Published  string         `xml:"published,omitempty"`
	Updated    string         `xml:"updated"`
	Authors    []atomPerson   `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    string         `xml:"summary,omitempty"`
	Content    *atomContent   `xml:"content"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomContent struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// feed answers GET /feed?q=QUERY[&collapse=][&limit=]: the matches
// archived last, copies of one story collapsed unless collapse=false
// (not collapsed by default for the whole archive, q empty, as on the
// search page), at most limit (default 50, up to 100).
func (s *Server) feed(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	raw, err := value(v, "q")
	if err != nil {
		return err
	}
	if len(raw) > maxQueryLen {
		return badRequest("query longer than %d bytes", maxQueryLen)
	}
	limit, err := intParam(v, "limit", defaultFeedLimit, 1, maxPageSize)
	if err != nil {
		return err
	}
	collapse, err := boolParam(v, "collapse", strings.TrimSpace(raw) != "")
	if err != nil {
		return err
	}
	res, err := s.search(r.Context(), &searchRequest{raw: raw,
		opts: store.SearchOptions{Sort: query.SortArchived, Limit: limit, Collapse: collapse}})
	if err != nil {
		return err
	}
	base := requestBase(r)
	self := url.Values{"q": {raw}}
	if collapse != (strings.TrimSpace(raw) != "") {
		self.Set("collapse", fmt.Sprint(collapse))
	}
	if limit != defaultFeedLimit {
		self.Set("limit", fmt.Sprint(limit))
	}
	search := url.Values{"q": {raw}, "sort": {"archived"}}
	if !collapse && raw != "" {
		search.Set("dups", "show")
	}
	// The feed's author stands for entries without one, which Atom
	// requires of a feed with no entries at all.
	f := atomFeed{NS: atomNS, Title: feedTitle(raw), ID: base + "/feed?" + self.Encode(), Author: atomPerson{Name: "Herald"},
		Subtitle: fmt.Sprintf("The latest archived of %s in the Herald archive at %s.", plural(res.Total, matchNoun(collapse)), r.Host),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: base + "/feed?" + self.Encode()},
			{Rel: "alternate", Type: "text/html", Href: base + "/?" + search.Encode()},
		},
		Generator: atomGenerator{URI: "https://github.com/herald-archive/herald", Version: extract.Version, Name: "Herald"}}
	var newest time.Time
	for _, h := range res.Hits {
		e, updated := feedEntry(base, h, collapse)
		if updated.After(newest) {
			newest = updated
		}
		f.Entries = append(f.Entries, e)
	}
	// A feed with no entries was never updated: the epoch, not the time
	// of the request, so that the ETag holds while nothing matches.
	f.Updated = newest.UTC().Format(time.RFC3339)
	if newest.IsZero() {
		f.Updated = time.Unix(0, 0).UTC().Format(time.RFC3339)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("encode feed: %w", err)
	}
	buf.WriteByte('\n')
	sum := sha256.Sum256(buf.Bytes())
	h := w.Header()
	h.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Type", "application/atom+xml; charset=utf-8")
	// If-None-Match and HEAD as for any content. No Last-Modified: the
	// entries' dates say nothing of when the feed changed (an article
	// dated last year, archived now, tops it), so If-Modified-Since
	// would answer 304 to a feed with a new entry; the ETag decides.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(buf.Bytes()))
	return nil
}

// feedEntry is the entry of hit h, and the time it says it was last
// updated: modified, published or fetched, whichever is latest (fetched
// counting only for a later version, whose text changed). Collapsed, its
// id is the story's (its cluster's first article), not the copy's.
func feedEntry(base string, h store.Hit, collapse bool) (atomEntry, time.Time) {
	rec := h.Record
	archived := base + "/articles/" + url.PathEscape(rec.ID)
	e := atomEntry{ID: archived, Title: rec.Title}
	if collapse && rec.ClusterID != "" {
		e.ID = base + "/articles/" + url.PathEscape(rec.ClusterID)
	}
	if e.Title == "" {
		e.Title = rec.URL
	}
	if link := httpURL(rec.URL); link != "" {
		e.Links = append(e.Links, atomLink{Rel: "alternate", Type: "text/html", Href: link})
	}
	e.Links = append(e.Links, atomLink{Rel: "related", Type: "text/html", Href: archived})
	if img := httpURL(rec.Image); img != "" {
		e.Links = append(e.Links, atomLink{Rel: "enclosure", Type: imageType(img), Href: img})
	}
	updated := rec.Date()
	if rec.Modified.After(updated) {
		updated = rec.Modified
	}
	if rec.Version > 1 && rec.FetchedAt.After(updated) {
		updated = rec.FetchedAt
	}
	e.Updated = updated.Format(time.RFC3339)
	if !rec.Published.IsZero() {
		e.Published = rec.Published.Format(time.RFC3339)
	}
	for _, a := range rec.Authors {
		e.Authors = append(e.Authors, atomPerson{Name: a})
	}
	if len(e.Authors) == 0 {
		// Atom wants an author for each entry (or the feed): without a
		// byline, the publisher.
		name := rec.SiteName
		if name == "" {
			name = canon.DisplaySite(rec.CanonicalURL)
		}
		e.Authors = append(e.Authors, atomPerson{Name: name})
	}
	for _, t := range rec.Tags {
		e.Categories = append(e.Categories, atomCategory{Term: t})
	}
	e.Summary = rec.Description
	if e.Summary == "" {
		var b strings.Builder
		for _, p := range store.SnippetParts(h.Snippet) {
			b.WriteString(p.Text)
		}
		e.Summary = b.String()
	}
	var c strings.Builder
	if e.Summary != "" {
		fmt.Fprintf(&c, "<p>%s</p>", html.EscapeString(e.Summary))
	}
	fmt.Fprintf(&c, `<p><a href="%s">The archived copy</a>`, html.EscapeString(archived))
	if h.Duplicates > 0 {
		fmt.Fprintf(&c, " (and %s of this story)", plural(h.Duplicates, "copy"))
	}
	c.WriteString("</p>")
	e.Content = &atomContent{Type: "html", Body: c.String()}
	return e, updated
}

// imageType is the media type an image URL's extension names, "" when
// it names none (readers then guess).
func imageType(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	if t := mime.TypeByExtension(strings.ToLower(path.Ext(u.Path))); strings.HasPrefix(t, "image/") {
		return t
	}
	return ""
}

// feedTitle is the title of the feed of query raw.
func feedTitle(raw string) string {
	if strings.TrimSpace(raw) == "" {
		return "Herald: the latest articles archived"
	}
	return "Herald: " + raw
}

// matchNoun is what a feed's matches are counted in.
func matchNoun(collapse bool) string {
	if collapse {
		return "story"
	}
	return "article"
}

// requestBase is the scheme and host the client reached the server at,
// for the absolute links a feed needs: https when the connection is TLS
// or a proxy in front says so (X-Forwarded-Proto).
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
