package extract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/herald-archive/herald/article"
)

// The Readability.js regression fixtures (title, byline, language,
// published time, site name per page) live outside the repository; these
// tests and benchmarks skip when they are absent. See
// ../shared/bench/README.md.
const readabilityDir = "../../shared/bench/readability"

// readabilityURL is the page URL Readability's own tests use.
const readabilityURL = "http://fakehost/test/page.html"

type readabilityCase struct {
	name string
	src  []byte
	want struct {
		Title         *string `json:"title"`
		Byline        *string `json:"byline"`
		Lang          *string `json:"lang"`
		SiteName      *string `json:"siteName"`
		PublishedTime *string `json:"publishedTime"`
	}
}

func loadReadability(tb testing.TB) []readabilityCase {
	tb.Helper()
	dirs, err := filepath.Glob(filepath.Join(readabilityDir, "*", "expected-metadata.json"))
	if err != nil || len(dirs) == 0 {
		tb.Skipf("readability fixtures not found in %s", readabilityDir)
	}
	var cases []readabilityCase
	for _, m := range dirs {
		dir := filepath.Dir(m)
		var c readabilityCase
		c.name = filepath.Base(dir)
		raw, err := os.ReadFile(m)
		if err != nil {
			tb.Fatal(err)
		}
		if err := json.Unmarshal(raw, &c.want); err != nil {
			tb.Fatalf("%s: %v", m, err)
		}
		if c.src, err = os.ReadFile(filepath.Join(dir, "source.html")); err != nil {
			tb.Fatal(err)
		}
		cases = append(cases, c)
	}
	return cases
}

// bylineKey is the comparison form of a byline: Readability keeps the
// visible text ("By Erin Cunningham", "JOE HILDEBRAND"), Herald keeps
// cleaned names joined with ", ". We compare case-insensitively, after a
// leading "By", with " and " and " & " read as list commas. A byline that
// is an organisation is, by design, not an author for Herald; those
// disagreements are counted apart.
func bylineKey(s string) string {
	s = strings.ToLower(normalizeSpace(s))
	s = strings.TrimPrefix(s, "by ")
	s = strings.NewReplacer(" and ", ", ", " & ", ", ").Replace(s)
	return s
}

// hasSeparatorAt reports whether s continues at i with a title separator
// (" | Site", " - Site").
func hasSeparatorAt(s string, i int) bool {
	rest := s[i:]
	for _, sep := range append(titleSeparators, ": ") {
		if strings.HasPrefix(rest, sep) {
			return true
		}
	}
	return false
}

// namesIn reports whether every name appears in the byline text (ignoring
// case and spacing), with both empty counting as agreement: a lenient
// comparison that accepts "By Nathan Willis March 25, 2015" for
// "Nathan Willis".
func namesIn(names []string, byline string) bool {
	b := strings.ToLower(normalizeSpace(byline))
	if len(names) == 0 {
		return b == ""
	}
	for _, n := range names {
		if !strings.Contains(b, strings.ToLower(n)) {
			return false
		}
	}
	return true
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// TestReadabilityMetadata reports agreement rates with the Readability
// fixtures; run with -v to read the disagreements.
func TestReadabilityMetadata(t *testing.T) {
	cases := loadReadability(t)
	page, _ := url.Parse(readabilityURL)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type tally struct{ ok, n int }
	var title, titleSuffix, byline, bylineNames, lang, langDeclared, pub, pubDeclared, site tally
	orgBylines := 0
	for _, c := range cases {
		doc, err := html.Parse(bytes.NewReader(c.src))
		if err != nil {
			t.Fatal(err)
		}
		md := readMetadata(doc, page, now)
		logf := func(field, want, got string) {
			t.Logf("%-40s %-9s want %q\n%52s got  %q", c.name, field, want, "", got)
		}

		title.n++
		titleSuffix.n++
		wt := normalizeSpace(str(c.want.Title))
		if wt == md.Title || (md.Title != "" && strings.HasPrefix(wt, md.Title) && hasSeparatorAt(wt, len(md.Title))) {
			titleSuffix.ok++
		}
		if wt == md.Title {
			title.ok++
		} else {
			logf("title", normalizeSpace(str(c.want.Title)), md.Title)
		}

		byline.n++
		bylineNames.n++
		wb, gb := bylineKey(str(c.want.Byline)), bylineKey(strings.Join(md.Authors, ", "))
		if namesIn(md.Authors, str(c.want.Byline)) {
			bylineNames.ok++
		}
		if wb == gb {
			byline.ok++
		} else {
			if _, orgs := cleanAuthors(str(c.want.Byline), false, md.SiteName); len(orgs) > 0 && gb == "" {
				orgBylines++
			}
			logf("byline", str(c.want.Byline), strings.Join(md.Authors, ", "))
		}

		lang.n++
		wl := article.NormalizeLanguage(str(c.want.Lang))
		if wl == md.Language {
			lang.ok++
		} else {
			logf("language", str(c.want.Lang), md.Language)
		}
		if wl != "" {
			langDeclared.n++
			if wl == md.Language {
				langDeclared.ok++
			}
		}

		pub.n++
		var wp time.Time
		if s := str(c.want.PublishedTime); s != "" {
			var ok bool
			if wp, ok = parseDate(s, time.Time{}); !ok {
				t.Logf("%s: cannot parse expected publishedTime %q", c.name, s)
			}
		}
		if wp.Equal(md.Published) {
			pub.ok++
		} else {
			got := ""
			if !md.Published.IsZero() {
				got = md.Published.Format(time.RFC3339) + " (" + md.Sources["published"] + ")"
			}
			logf("published", str(c.want.PublishedTime), got)
		}
		if !wp.IsZero() {
			pubDeclared.n++
			if wp.Equal(md.Published) {
				pubDeclared.ok++
			}
		}

		site.n++
		if normalizeSpace(str(c.want.SiteName)) == md.SiteName {
			site.ok++
		} else {
			logf("site_name", str(c.want.SiteName), md.SiteName)
		}
	}
	rate := func(t tally) string { return formatRate(t.ok, t.n) }
	t.Logf("pages: %d", len(cases))
	t.Logf("title      %s; equal or the fixture keeps a suffix Herald strips: %s", rate(title), rate(titleSuffix))
	t.Logf("byline     %s (%d disagreements are organisations Herald keeps out of authors); every Herald name in the fixture's byline text (or both empty): %s",
		rate(byline), orgBylines, rate(bylineNames))
	t.Logf("language   %s; where the fixture has one: %s", rate(lang), rate(langDeclared))
	t.Logf("published  %s; where the fixture has one: %s", rate(pub), rate(pubDeclared))
	t.Logf("site name  %s", rate(site))
}

func formatRate(ok, n int) string {
	if n == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%d/%d = %.3f", ok, n, float64(ok)/float64(n))
}

// BenchmarkReadMetadata measures readMetadata alone (documents parsed
// beforehand) over the Readability pages; bytes are the HTML sizes. The
// "parse" sub-benchmark parses the same pages with x/net/html, the floor
// any extraction stands on, so the two can be compared in one run on a
// busy machine.
func BenchmarkReadMetadata(b *testing.B) {
	cases := loadReadability(b)
	page, _ := url.Parse(readabilityURL)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	docs := make([]*html.Node, len(cases))
	total := 0
	for i, c := range cases {
		doc, err := html.Parse(bytes.NewReader(c.src))
		if err != nil {
			b.Fatal(err)
		}
		docs[i] = doc
		total += len(c.src)
	}
	perPage := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(docs)), "µs/page")
	}
	b.Run("metadata", func(b *testing.B) {
		b.SetBytes(int64(total))
		b.ReportAllocs()
		for b.Loop() {
			for _, d := range docs {
				readMetadata(d, page, now)
			}
		}
		perPage(b)
	})
	b.Run("parse", func(b *testing.B) {
		b.SetBytes(int64(total))
		b.ReportAllocs()
		for b.Loop() {
			for _, c := range cases {
				if _, err := html.Parse(bytes.NewReader(c.src)); err != nil {
					b.Fatal(err)
				}
			}
		}
		perPage(b)
	})
}
