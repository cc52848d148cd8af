// Package demo is a small news site bundled with Herald, so that the whole
// pipeline can be tried (and tested) offline: "The Harbour Gazette", twenty
// articles in five sections written for Herald, with a home page, section
// pages with pagination, an RSS feed, a sitemap, robots.txt, AMP variants
// of two articles and syndicated near-copies of two others.
//
// Handler serves the site; Start serves it on a loopback port. The pages
// are rendered from the embedded site/articles.txt with html/template, and
// every absolute URL (feed, sitemap, canonical links) is built from the
// request's Host, so the site works on whatever address it is served.
//
// The package does not harvest or store anything; herald demo wires it to
// the harvester and the web UI.
package demo

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

//go:embed site
var siteFS embed.FS

// Article is one article of the demo site.
type Article struct {
	Section string
	Slug    string
	Title   string
	Author  string
	Date    time.Time
	Tags    []string
	Summary string
	Paras   []string
}

// Path is the article's path on the site.
func (a *Article) Path() string {
	return "/news/" + a.Date.Format("2006/01/02") + "/" + a.Slug + ".html"
}

// The demo site's variants: which articles have an AMP page, which a
// syndicated copy.
var (
	ampSlugs  = []string{"harbour-reopens-after-storm-repairs", "storm-warning-for-weekend"}
	wireSlugs = []string{"ferry-fares-to-rise-in-june", "wettest-february-on-record"}
)

// Articles returns the site's articles, newest first. The slice is shared:
// do not modify it.
func Articles() []*Article { return loadArticles() }

// Expected says what a complete harvest of the site stores.
type Expected struct {
	// Articles is the number of distinct article URLs: the articles plus
	// the syndicated copies (AMP variants share their article's URL).
	Articles int
	// Duplicates is the number of syndicated copies, which join their
	// original's near-duplicate cluster.
	Duplicates int
}

// Expect returns what a complete harvest of the site stores.
func Expect() Expected {
	return Expected{Articles: len(Articles()) + len(wireSlugs), Duplicates: len(wireSlugs)}
}

var loadArticles = sync.OnceValue(func() []*Article {
	b, err := siteFS.ReadFile("site/articles.txt")
	if err != nil {
		panic(fmt.Sprintf("demo: embedded articles: %v", err)) // the embed is part of the build
	}
	arts, err := parseArticles(b)
	if err != nil {
		panic(fmt.Sprintf("demo: embedded articles: %v", err))
	}
	return arts
})

// parseArticles reads the articles file format: "=== section/slug", header
// lines "name: value", a blank line, paragraphs separated by blank lines.
// Lines starting with # outside an article are comments.
func parseArticles(b []byte) ([]*Article, error) {
	var out []*Article
	var cur *Article
	var para []string
	inBody := false
	flush := func() {
		if cur != nil && len(para) > 0 {
			cur.Paras = append(cur.Paras, strings.Join(para, " "))
		}
		para = para[:0]
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \t")
		switch {
		case strings.HasPrefix(line, "=== "):
			flush()
			section, slug, ok := strings.Cut(strings.TrimPrefix(line, "=== "), "/")
			if !ok {
				return nil, fmt.Errorf("line %d: want === section/slug", n)
			}
			cur = &Article{Section: section, Slug: slug}
			out = append(out, cur)
			inBody = false
		case cur == nil:
			if line != "" && !strings.HasPrefix(line, "#") {
				return nil, fmt.Errorf("line %d: text outside an article", n)
			}
		case !inBody && line == "":
			inBody = true
		case !inBody:
			name, value, ok := strings.Cut(line, ": ")
			if !ok {
				return nil, fmt.Errorf("line %d: want name: value", n)
			}
			switch name {
			case "title":
				cur.Title = value
			case "author":
				cur.Author = value
			case "summary":
				cur.Summary = value
			case "tags":
				for _, t := range strings.Split(value, ",") {
					cur.Tags = append(cur.Tags, strings.TrimSpace(t))
				}
			case "date":
				t, err := time.Parse(time.RFC3339, value)
				if err != nil {
					return nil, fmt.Errorf("line %d: %w", n, err)
				}
				cur.Date = t
			default:
				return nil, fmt.Errorf("line %d: unknown field %q", n, name)
			}
		case line == "":
			flush()
		default:
			para = append(para, line)
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, a := range out {
		if a.Title == "" || a.Date.IsZero() || len(a.Paras) == 0 {
			return nil, fmt.Errorf("article %s/%s: title, date and text are required", a.Section, a.Slug)
		}
	}
	// Newest first.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Date.After(out[j-1].Date); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// Server is the demo site served on a loopback port.
type Server struct {
	// URL is the site's base URL, e.g. "http://127.0.0.1:41234".
	URL  string
	srv  *http.Server
	done chan error
}

// Start serves the site on addr (e.g. "127.0.0.1:0" for any free port)
// until Close.
func Start(addr string, opts Options) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("demo site: %w", err)
	}
	s := &Server{
		URL: "http://" + ln.Addr().String(),
		srv: &http.Server{
			Handler:           Handler(opts),
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       time.Minute,
		},
		done: make(chan error, 1),
	}
	go func() {
		err := s.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	return s, nil
}

// Close stops the server, waiting up to a few seconds for requests in
// progress, and returns the serving error, if any.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if serr := <-s.done; err == nil {
		err = serr
	}
	return err
}
