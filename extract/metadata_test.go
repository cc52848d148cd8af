package extract

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// updateGolden rewrites golden files instead of comparing with them:
// go test ./extract -run TestMetadataGolden -update. Review the diff.
var updateGolden = flag.Bool("update", false, "rewrite golden files in testdata")

// defaultCaseURL is the page URL of a metadata case without a url.txt.
const defaultCaseURL = "https://news.example.com/story"

// goldenMeta is the reviewable form of metadata in expected.json.
type goldenMeta struct {
	Title               string            `json:"title,omitempty"`
	Description         string            `json:"description,omitempty"`
	Authors             []string          `json:"authors,omitempty"`
	Published           string            `json:"published,omitempty"`
	Modified            string            `json:"modified,omitempty"`
	SiteName            string            `json:"site_name,omitempty"`
	Section             string            `json:"section,omitempty"`
	Tags                []string          `json:"tags,omitempty"`
	Language            string            `json:"language,omitempty"`
	Image               string            `json:"image,omitempty"`
	CanonicalURL        string            `json:"canonical_url,omitempty"`
	IsAccessibleForFree *bool             `json:"is_accessible_for_free,omitempty"`
	Type                string            `json:"type,omitempty"`
	ArticleBody         string            `json:"article_body,omitempty"`
	Bylines             []string          `json:"bylines,omitempty"`
	Sources             map[string]string `json:"sources,omitempty"`
	Notes               []string          `json:"notes,omitempty"`
}

func toGolden(md *metadata) goldenMeta {
	g := goldenMeta{
		Title: md.Title, Description: md.Description, Authors: md.Authors, SiteName: md.SiteName,
		Section: md.Section, Tags: md.Tags, Language: md.Language, Image: md.Image,
		CanonicalURL: md.CanonicalURL, IsAccessibleForFree: md.IsAccessibleForFree, Type: md.Type,
		ArticleBody: md.ArticleBody, Notes: md.Notes,
	}
	if len(md.Sources) > 0 {
		g.Sources = md.Sources
	}
	if !md.Published.IsZero() {
		g.Published = md.Published.Format(time.RFC3339Nano)
	}
	if !md.Modified.IsZero() {
		g.Modified = md.Modified.Format(time.RFC3339Nano)
	}
	for _, n := range md.BylineNodes {
		g.Bylines = append(g.Bylines, "<"+n.Data+"> "+nodeText(n, 200))
	}
	return g
}

// readCase parses testdata/meta/<name> and reads its metadata.
func readCase(t *testing.T, dir string) *metadata {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(dir, "source.html"))
	if err != nil {
		t.Fatal(err)
	}
	raw := defaultCaseURL
	if b, err := os.ReadFile(filepath.Join(dir, "url.txt")); err == nil {
		raw = strings.TrimSpace(string(b))
	}
	page, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	return readMetadata(doc, page, testNow)
}

// TestMetadataGolden reads each testdata/meta/<case>/source.html and
// compares the metadata with expected.json.
func TestMetadataGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "meta", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no metadata cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			got, err := json.MarshalIndent(toGolden(readCase(t, dir)), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join(dir, "expected.json")
			if *updateGolden {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("metadata differs from %s:\n--- got\n%s\n--- want\n%s", path, got, want)
			}
		})
	}
}

// TestMetadataFields checks a few facts directly, independent of the
// golden files, so that an -update cannot silently accept a regression.
func TestMetadataFields(t *testing.T) {
	tests := []struct {
		dir   string
		check func(md *metadata) string
	}{
		{"jsonld-graph", func(md *metadata) string {
			switch {
			case md.Title != "Harbour reopens after storm repairs":
				return "title " + md.Title
			case strings.Join(md.Authors, "|") != "Ann Poe|Bob Roe":
				return "authors " + strings.Join(md.Authors, "|")
			case md.Image != "https://news.example.org/images/harbour.jpg":
				return "image " + md.Image
			case md.IsAccessibleForFree == nil || *md.IsAccessibleForFree:
				return "is_accessible_for_free should be false"
			case md.Section != "Local":
				return "section " + md.Section
			case md.Sources["published"] != "json-ld:datePublished":
				return "published source " + md.Sources["published"]
			case md.Modified.IsZero():
				return "modified missing"
			}
			return ""
		}},
		{"jsonld-broken", func(md *metadata) string {
			switch {
			case md.Title != "Council & mayor agree budget":
				return "title " + md.Title
			case strings.Join(md.Authors, "|") != "Jane Doe":
				return "authors " + strings.Join(md.Authors, "|")
			case md.Published.Format(time.RFC3339) != "2024-03-12T22:15:00+01:00":
				return "published " + md.Published.Format(time.RFC3339)
			case len(md.Notes) != 1:
				return "want one note for the unparsable block"
			}
			return ""
		}},
		{"organisation-author", func(md *metadata) string {
			if len(md.Authors) != 0 || md.SiteName != "Reuters" {
				return "authors " + strings.Join(md.Authors, "|") + " site " + md.SiteName
			}
			return ""
		}},
		{"implausible-dates", func(md *metadata) string {
			if md.Published.Format(time.RFC3339) != "2020-05-05T10:00:00+02:00" || !md.Modified.IsZero() {
				return "published " + md.Published.String() + " modified " + md.Modified.String()
			}
			return ""
		}},
		{"byline-visible", func(md *metadata) string {
			if strings.Join(md.Authors, "|") != "Jane Doe|John Roe" || len(md.BylineNodes) == 0 {
				return "authors " + strings.Join(md.Authors, "|")
			}
			return ""
		}},
		{"listing-page", func(md *metadata) string {
			if len(md.Authors) != 0 || !md.Published.IsZero() || md.Type != "CollectionPage" {
				return "listing page took a teaser's byline or date, or lost its type " + md.Type
			}
			return ""
		}},
	}
	for _, tt := range tests {
		md := readCase(t, filepath.Join("testdata", "meta", tt.dir))
		if msg := tt.check(md); msg != "" {
			t.Errorf("%s: %s", tt.dir, msg)
		}
	}
}

// FuzzReadMetadata feeds arbitrary HTML to readMetadata: it must not
// panic, and dates must respect the bounds.
func FuzzReadMetadata(f *testing.F) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "meta", "*", "source.html"))
	for _, p := range dirs {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`<script type="application/ld+json">{"@graph":[{"@id":"a","author":{"@id":"a"}},{"@type":"Article","author":{"@id":"a"}}]}</script>`))
	f.Add([]byte(`<div itemscope itemtype="NewsArticle"><div itemprop="author" itemscope><span itemprop="name">X`))
	page, _ := url.Parse("https://news.example.com/2022/02/08/x")
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, err := html.Parse(bytes.NewReader(src))
		if err != nil {
			return
		}
		md := readMetadata(doc, page, testNow)
		for _, d := range []time.Time{md.Published, md.Modified} {
			if !d.IsZero() && (d.Year() < minYear || d.After(testNow.Add(futureSlack))) {
				t.Errorf("date out of bounds: %v", d)
			}
		}
		if !md.Modified.IsZero() && !md.Published.IsZero() && !md.Modified.After(md.Published) {
			t.Errorf("modified %v not after published %v", md.Modified, md.Published)
		}
	})
}

// TestVisibleDateFallbacks: a Unix time in data-timestamp/data-epoch and
// a visible "Updated: …" line fill published and modified only when
// nothing is declared, and never with a time after the fetch (testNow).
func TestVisibleDateFallbacks(t *testing.T) {
	const (
		past   = "1644329100" // 2022-02-08T14:05:00Z
		future = "1748786400" // testNow + 2h: within parseDate's slack, still refused
	)
	page := func(head, byline string) string {
		return `<html lang="en"><head><title>Night buses return</title>` + head + `</head><body><article><h1>Night buses return</h1>` +
			byline + `<p>Night buses will run again between the valley towns from Friday, the transport authority said.</p></article></body></html>`
	}
	tests := []struct {
		name, src                 string
		published, modified, pSrc string
	}{
		{"data-epoch on a date element", page("", `<span class="date" data-epoch="`+past+`">2 hours ago</span>`),
			"2022-02-08T14:05:00Z", "", "dateline"},
		{"data-timestamp in milliseconds", page("", `<div class="timestamp" data-timestamp="`+past+`000">Tuesday</div>`),
			"2022-02-08T14:05:00Z", "", "dateline"},
		{"data-timestamp on <time>", page("", `<time data-timestamp="`+past+`">2 hours ago</time>`),
			"2022-02-08T14:05:00Z", "", "time"},
		{"epoch after the fetch refused", page("", `<span class="date" data-epoch="`+future+`">just now</span>`),
			"", "", ""},
		{"epoch on an element that is not a date", page("", `<div class="card" data-timestamp="`+past+`"></div>`),
			"", "", ""},
		{"declared date wins over epoch", page(`<meta property="article:published_time" content="2022-02-07T09:00:00Z">`, `<span class="date" data-epoch="`+past+`">2 hours ago</span>`),
			"2022-02-07T09:00:00Z", "", "meta:article:published_time"},
		{"updated line", page(`<meta property="article:published_time" content="2022-02-08T14:05:00+01:00">`, `<p>Updated: 9 February 2022 10:30 CET</p>`),
			"2022-02-08T14:05:00+01:00", "2022-02-09T10:30:00+01:00", "meta:article:published_time"},
		{"last updated line", page(`<meta property="article:published_time" content="2022-02-08T14:05:00Z">`, `<div>Last updated 9 Feb 2022, 10:30 GMT</div>`),
			"2022-02-08T14:05:00Z", "2022-02-09T10:30:00Z", "meta:article:published_time"},
		{"declared modified wins over updated line", page(`<meta property="article:published_time" content="2022-02-08T14:05:00Z"><meta property="article:modified_time" content="2022-02-08T18:00:00Z">`, `<p>Updated: 9 February 2022 10:30 CET</p>`),
			"2022-02-08T14:05:00Z", "2022-02-08T18:00:00Z", "meta:article:published_time"},
		{"updated line after the fetch refused", page(`<meta property="article:published_time" content="2025-06-01T08:00:00Z">`, `<p>Updated: 1 June 2025 14:00 GMT</p>`),
			"2025-06-01T08:00:00Z", "", "meta:article:published_time"},
		{"updated line before published dropped", page(`<meta property="article:published_time" content="2022-02-08T14:05:00Z">`, `<p>Updated: 7 February 2022 10:30 GMT</p>`),
			"2022-02-08T14:05:00Z", "", "meta:article:published_time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := html.Parse(strings.NewReader(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			md := readMetadata(doc, nil, testNow)
			str := func(d time.Time) string {
				if d.IsZero() {
					return ""
				}
				return d.Format(time.RFC3339)
			}
			if got := str(md.Published); got != tt.published || md.Sources["published"] != tt.pSrc {
				t.Errorf("published = %q (%s), want %q (%s)", got, md.Sources["published"], tt.published, tt.pSrc)
			}
			if got := str(md.Modified); got != tt.modified {
				t.Errorf("modified = %q (%s), want %q", got, md.Sources["modified"], tt.modified)
			}
		})
	}
}
