package feed

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// show prints a feed compactly, times in RFC 3339 (so their offsets are
// compared too), one item a line, for comparison with a want string.
func show(f *Feed) string {
	var b strings.Builder
	fmt.Fprintf(&b, "title=%q site=%s skipped=%d dups=%d\n", f.Title, f.SiteURL, f.Skipped, f.Duplicates)
	for _, it := range f.Items {
		fmt.Fprintf(&b, "%s\n  title=%q published=%s updated=%s\n  authors=%q tags=%q\n  image=%s guid=%q\n  summary=%q\n",
			it.URL, it.Title, rfc(it.Published), rfc(it.Updated), it.Authors, it.Tags, it.ImageURL, it.GUID, it.Summary)
	}
	return b.String()
}

func rfc(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.RFC3339)
}

func TestParse(t *testing.T) {
	tests := []struct {
		file, feedURL, want string
	}{
		{
			// dc:creator (several), categories, media:content image,
			// relative links, guid isPermaLink, FeedBurner origLink,
			// fragment dropped, duplicate, mailto: link.
			"rss2.xml", "https://www.harbourtimes.example/local/rss", `title="The Harbour Times — Local" site=https://www.harbourtimes.example/local/ skipped=2 dups=1
https://www.harbourtimes.example/2024/05/01/harbour-reopens-after-storm-repairs.html
  title="Harbour reopens after storm repairs" published=2024-05-01T09:30:00+02:00 updated=-
  authors=["Anna Lind" "Tomas Berg"] tags=["Local" "Harbour"]
  image=https://www.harbourtimes.example/img/2024/harbour.jpg guid="ht-2024-0501-001"
  summary="The city harbour reopened on Thursday after three weeks of repairs. Officials said the breakwater was rebuilt."
https://www.harbourtimes.example/2024/05/02/ferry-timetable-questions.html
  title="Ferry timetable: Q&A" published=2024-05-02T07:00:00Z updated=-
  authors=["Harbour Desk"] tags=[]
  image=https://cdn.harbourtimes.example/thumbs/ferry.jpg guid="https://www.harbourtimes.example/2024/05/02/ferry-timetable-questions.html"
  summary=""
https://www.harbourtimes.example/sport/regatta-results-2024
  title="Regatta results" published=- updated=-
  authors=[] tags=[]
  image=https://cdn.harbourtimes.example/img/regatta.png guid=""
  summary=""
`,
		},
		{
			// xml:base on feed and entry, several authors, an e-mail
			// "author", published and updated, an id as the last resort, a
			// self link that is not the page.
			"atom.xml", "https://science.harbourtimes.example/atom.xml", `title="Harbour Times Science" site=https://science.harbourtimes.example/ skipped=1 dups=0
https://science.harbourtimes.example/2024/05/04/tides-rising-faster
  title="Tides rising faster than expected" published=2024-05-04T08:00:00+01:00 updated=2024-05-04T11:15:00+01:00
  authors=["Mira Okafor" "Lars Eng"] tags=["Climate" "oceans"]
  image= guid="tag:harbourtimes.example,2024:991"
  summary="Gauges along the quay show a steady rise."
https://science.harbourtimes.example/2024/05/03/seal-pup-count
  title="Seal pup count" published=- updated=2024-05-03T17:00:00Z
  authors=[] tags=[]
  image= guid="tag:harbourtimes.example,2024:990"
  summary=""
https://science.harbourtimes.example/2024/05/02/only-an-id
  title="Only an id" published=- updated=2024-05-02T10:00:00Z
  authors=[] tags=[]
  image= guid="https://science.harbourtimes.example/2024/05/02/only-an-id"
  summary=""
`,
		},
		{
			// JSON Feed 1.1: relative url and image, authors, tags that
			// differ in case, id as URL, external_url, an item without URL.
			"feed.json", "https://culture.harbourtimes.example/feed.json", `title="Harbour Times Culture" site=https://culture.harbourtimes.example/ skipped=1 dups=0
https://culture.harbourtimes.example/2024/05/04/festival-returns-to-old-town
  title="Festival returns to the old town" published=2024-05-04T18:05:00+01:00 updated=2024-05-05T09:00:00+01:00
  authors=["Jon Dale" "Eva Holm"] tags=["festival" "music"]
  image=https://culture.harbourtimes.example/img/festival.jpg guid="c-2024-0504"
  summary="Three days of music on the quay."
https://culture.harbourtimes.example/2024/05/03/gallery-opening
  title="Gallery opening" published=2024-05-03T00:00:00Z updated=-
  authors=[] tags=[]
  image= guid="https://culture.harbourtimes.example/2024/05/03/gallery-opening"
  summary=""
https://elsewhere.example.org/review-of-the-harbour-play
  title="Elsewhere: a review of the harbour play" published=- updated=-
  authors=[] tags=[]
  image= guid="c-2024-0501"
  summary=""
`,
		},
		{
			// Unreadable dates leave the time zero and keep the item.
			"broken-dates.xml", "https://www.harbourtimes.example/archive.rss", `title="Harbour Times — Archive" site=https://www.harbourtimes.example/ skipped=0 dups=0
https://www.harbourtimes.example/archive/a-1.html
  title="Date is prose" published=- updated=-
  authors=[] tags=[]
  image= guid=""
  summary=""
https://www.harbourtimes.example/archive/a-2.html
  title="Date is empty" published=- updated=-
  authors=[] tags=[]
  image= guid=""
  summary=""
https://www.harbourtimes.example/archive/a-3.html
  title="Impossible date" published=- updated=-
  authors=[] tags=[]
  image= guid=""
  summary=""
https://www.harbourtimes.example/archive/a-4.html
  title="ISO date in an RSS feed" published=2024-05-01T10:00:00Z updated=-
  authors=[] tags=[]
  image= guid=""
  summary=""
`,
		},
		{
			// RSS 1.0 (RDF) with Dublin Core date, creator and subject.
			"rss1.xml", "https://www.harbourtimes.example/rss1.rdf", `title="Harbour Times (RSS 1.0)" site=https://www.harbourtimes.example/ skipped=0 dups=0
https://www.harbourtimes.example/2024/04/30/lighthouse-repainted.html
  title="Lighthouse repainted" published=2024-04-30T15:00:00+02:00 updated=2024-04-30T15:00:00+02:00
  authors=["Anna Lind"] tags=["Heritage"]
  image= guid=""
  summary=""
`,
		},
		{
			// RSS 0.91 in ISO-8859-1 with a character reference.
			"rss091.xml", "http://www.harbourtimes.example/rss.xml", `title="Harbour Times 0.91" site=http://www.harbourtimes.example/ skipped=0 dups=0
http://www.harbourtimes.example/1999/cafe-closes.html
  title="Café on the quay closes" published=- updated=-
  authors=[] tags=[]
  image= guid=""
  summary="After forty years."
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := Parse(fixture(t, tt.file), tt.feedURL)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := show(f); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestParseNotFeed(t *testing.T) {
	tests := []struct {
		name string
		data string
	}{
		{"empty", ""},
		{"whitespace", " \n\t "},
		{"html page", string(fixture(t, "page.html"))},
		{"xhtml page", `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>x</p></body></html>`},
		{"sitemap", `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.example/</loc></url></urlset>`},
		{"plain text", "https://www.harbourtimes.example/a\nhttps://www.harbourtimes.example/b\n"},
		{"other json", `{"status": "ok", "articles": []}`},
		{"binary", "\x00\x01\x02\xff\xfe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.data), "https://www.harbourtimes.example/feed")
			if !errors.Is(err, ErrNotFeed) {
				t.Fatalf("err = %v (feed %v), want ErrNotFeed", err, f)
			}
			if f != nil {
				t.Error("a feed returned with the error")
			}
			if !strings.HasPrefix(err.Error(), "parse feed https://www.harbourtimes.example/feed: ") {
				t.Errorf("error %q lacks its context", err)
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	tests := []struct {
		name string
		data string
	}{
		// Cut in its first item: nothing to salvage (a cut after a
		// complete item is read up to it: TestParseCut).
		{"truncated rss", `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a</title><link>https://a.example/1</link><tit`},
		{"truncated json feed", `{"version": "https://jsonfeed.org/version/1.1", "items": [{"url": "https://a.example/1"`},
		{"json feed with wrong types", `{"version": "https://jsonfeed.org/version/1.1", "items": "none"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.data), "https://a.example/feed")
			if err == nil {
				t.Fatalf("Parse succeeded with %d items, want an error", len(f.Items))
			}
			if errors.Is(err, ErrNotFeed) {
				t.Errorf("err = %v: a broken feed is still a feed, not ErrNotFeed", err)
			}
		})
	}
}

func TestParseRelativeNeedsBase(t *testing.T) {
	data := []byte(`<rss version="2.0"><channel><title>t</title>
<item><link>/relative</link></item>
<item><link>https://www.harbourtimes.example/absolute</link></item>
<item><guid>12345</guid></item>
</channel></rss>`)
	for _, base := range []string{"", "feed.xml", "::"} {
		f, err := Parse(data, base)
		if err != nil {
			t.Fatalf("base %q: %v", base, err)
		}
		if len(f.Items) != 1 || f.Items[0].URL != "https://www.harbourtimes.example/absolute" || f.Skipped != 2 {
			t.Errorf("base %q: %s", base, show(f))
		}
	}
	// A bare guid is never resolved against the feed URL: "12345" is not a path.
	f, err := Parse(data, "https://www.harbourtimes.example/feed.xml")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 2 || f.Skipped != 1 {
		t.Errorf("with a base: %s", show(f))
	}
}

func TestHTMLToText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Plain  title\n", "Plain title"},
		{"Q&amp;A", "Q&A"},
		{"Fish &amp; chips", "Fish & chips"},
		{"5 < 6 and 7 > 3", "5 < 6 and 7 > 3"},
		{"<p>One.</p><p>Two.</p>", "One. Two."},
		{"un<b>believ</b>able", "unbelievable"},
		{"line<br>break", "line break"},
		{"<p>Text<script>alert(1)</script> more</p>", "Text more"},
		{"<style>p{}</style>Styled", "Styled"},
		{"<!-- note -->Commented", "Commented"},
		{"<img src=x>", ""},
		{"Caf&eacute;", "Café"},
		{"&lt;em&gt;escaped twice&lt;/em&gt;", "<em>escaped twice</em>"},
	}
	for _, tt := range tests {
		if got := htmlToText(tt.in); got != tt.want {
			t.Errorf("htmlToText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDeclared(t *testing.T) {
	utc := func(s string) *time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		tm = tm.UTC()
		return &tm
	}
	tests := []struct {
		raw    string
		parsed *time.Time
		want   string
	}{
		{"Wed, 01 May 2024 09:30:00 +0200", utc("2024-05-01T07:30:00Z"), "2024-05-01T09:30:00+02:00"},
		{"Wed, 1 May 2024 09:30:00 -0500", utc("2024-05-01T14:30:00Z"), "2024-05-01T09:30:00-05:00"},
		{"2024-05-01T09:30:00+05:30", utc("2024-05-01T04:00:00Z"), "2024-05-01T09:30:00+05:30"},
		// An instant gofeed read differently (here: a named zone that
		// time.Parse cannot place) keeps gofeed's reading.
		{"Wed, 01 May 2024 09:30:00 EST", utc("2024-05-01T14:30:00Z"), "2024-05-01T14:30:00Z"},
		{"1 May 2024", utc("2024-05-01T00:00:00Z"), "2024-05-01T00:00:00Z"},
		{"garbage", nil, "-"},
	}
	for _, tt := range tests {
		if got := rfc(declared(tt.raw, tt.parsed)); got != tt.want {
			t.Errorf("declared(%q) = %s, want %s", tt.raw, got, tt.want)
		}
	}
}
