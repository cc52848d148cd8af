package sitemap

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

const site = "https://www.harbourtimes.example"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t *testing.T, data []byte, base string) *Sitemap {
	t.Helper()
	sm, err := Parse(bytes.NewReader(data), base)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return sm
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// date parses an RFC 3339 time for a want value. Tests compare times
// through their printed form (instant and offset), as a "+00:00" zone and
// UTC are the same to a reader but not to reflect.DeepEqual.
func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseURLSet(t *testing.T) {
	sm := mustParse(t, readFixture(t, "urlset.xml"), site+"/sitemap.xml")
	if sm.Index || len(sm.Sitemaps) != 0 || sm.Truncated {
		t.Errorf("Index=%v Sitemaps=%d Truncated=%v, want a plain urlset", sm.Index, len(sm.Sitemaps), sm.Truncated)
	}
	want := []URL{
		{
			Loc:     site + "/2024/05/01/harbour-reopens-after-storm-repairs.html",
			LastMod: date("2024-05-01T09:30:00+02:00"),
			ImageLocs: []string{
				"https://cdn.harbourtimes.example/img/harbour-1.jpg",
				site + "/img/harbour-2.jpg",
			},
		},
		{Loc: site + "/local/council-votes-on-ferry-timetable-1092846.html", LastMod: date("2024-05-02T00:00:00Z")},
		{Loc: site + "/search?q=ferry&page=2", LastMod: date("2024-05-01T00:00:00Z")},
		{Loc: site + "/sport/regatta", LastMod: date("2024-01-01T00:00:00Z")},
		{Loc: "https://partner.example.net/syndicated/harbour-story"},
		{Loc: site + "/culture/festival-returns?id=7&lang=en", LastMod: date("2024-05-04T18:05:00Z")},
	}
	if got, want := dump(sm.URLs), dump(want); got != want {
		t.Errorf("URLs:%s\nwant:%s", got, want)
	}
	// javascript:, empty loc, missing loc, repeated loc.
	if sm.Skipped != 4 {
		t.Errorf("Skipped = %d, want 4", sm.Skipped)
	}
}

func TestParseIndex(t *testing.T) {
	sm := mustParse(t, readFixture(t, "index.xml"), site+"/sitemap_index.xml")
	if !sm.Index || len(sm.URLs) != 0 {
		t.Fatalf("Index=%v URLs=%d, want an index without URLs", sm.Index, len(sm.URLs))
	}
	want := []Ref{
		{Loc: site + "/sitemaps/news.xml.gz", LastMod: date("2024-05-04T18:05:00Z")},
		{Loc: site + "/sitemaps/2024-04.xml", LastMod: date("2024-04-30T23:59:59.123Z")},
		{Loc: site + "/sitemaps/2024-03.xml"},
	}
	if got, want := dumpRefs(sm.Sitemaps), dumpRefs(want); got != want {
		t.Errorf("Sitemaps:\n got %s\nwant %s", got, want)
	}
	if sm.Skipped != 1 { // the ftp: one; the stray <url> is not an entry of an index
		t.Errorf("Skipped = %d, want 1", sm.Skipped)
	}
}

func wantNews() []URL {
	return []URL{
		{
			Loc: "https://news.harbourtimes.example/2024/05/04/festival-returns-to-old-town",
			News: &News{
				PublicationName: "The Harbour Times",
				Language:        "en",
				PublicationDate: date("2024-05-04T18:05:00+01:00"),
				Title:           "Festival returns to the old town & the quay",
				Keywords:        []string{"festival", "culture", "old town"},
			},
			ImageLocs: []string{"https://cdn.harbourtimes.example/img/festival.jpg"},
		},
		{
			Loc:     "https://news.harbourtimes.example/2024/05/04/ferry-strike-called-off",
			LastMod: date("2024-05-04T20:00:00Z"),
			News: &News{
				PublicationName: "The Harbour Times",
				Language:        "en-GB",
				PublicationDate: date("2024-05-04T00:00:00Z"),
				Title:           "Ferry strike called off",
			},
		},
		{Loc: "https://news.harbourtimes.example/2024/05/03/no-news-block"},
	}
}

func TestParseNews(t *testing.T) {
	raw := readFixture(t, "news.xml")
	for name, data := range map[string][]byte{"plain": raw, "gzip": gz(t, raw)} {
		t.Run(name, func(t *testing.T) {
			sm := mustParse(t, data, "https://news.harbourtimes.example/news-sitemap.xml")
			if got, want := dump(sm.URLs), dump(wantNews()); got != want {
				t.Errorf("URLs:%s\nwant:%s", got, want)
			}
		})
	}
}

func dumpRefs(rs []Ref) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "\n  %s lastmod=%s", r.Loc, r.LastMod.Format(time.RFC3339Nano))
	}
	return b.String()
}

// dump prints URLs one a line, times as RFC 3339, for comparison.
func dump(us []URL) string {
	var b strings.Builder
	for _, u := range us {
		fmt.Fprintf(&b, "\n  %s lastmod=%s images=%q", u.Loc, u.LastMod.Format(time.RFC3339Nano), u.ImageLocs)
		if n := u.News; n != nil {
			fmt.Fprintf(&b, "\n    news: name=%q lang=%q date=%s title=%q keywords=%q",
				n.PublicationName, n.Language, n.PublicationDate.Format(time.RFC3339Nano), n.Title, n.Keywords)
		}
	}
	return b.String()
}

func TestParseGzipIndex(t *testing.T) {
	sm := mustParse(t, gz(t, readFixture(t, "index.xml")), site+"/sitemap_index.xml.gz")
	if !sm.Index || len(sm.Sitemaps) != 3 {
		t.Errorf("Index=%v Sitemaps=%d, want an index of 3", sm.Index, len(sm.Sitemaps))
	}
}

func TestParseText(t *testing.T) {
	for name, data := range map[string][]byte{
		"plain": readFixture(t, "list.txt"),
		"gzip":  gz(t, readFixture(t, "list.txt")),
		"bom":   append([]byte{0xef, 0xbb, 0xbf}, readFixture(t, "list.txt")...),
	} {
		t.Run(name, func(t *testing.T) {
			sm := mustParse(t, data, site+"/urls.txt")
			want := []URL{
				{Loc: site + "/2024/05/01/harbour-reopens.html"},
				{Loc: site + "/2024/05/02/ferry-timetable.html"},
				{Loc: "http://other.example.org/page"},
			}
			if got, want := dump(sm.URLs), dump(want); got != want {
				t.Errorf("URLs:%s\nwant:%s", got, want)
			}
			// The comment-like line, the relative path, mailto:, the repeat.
			if sm.Skipped != 4 {
				t.Errorf("Skipped = %d, want 4", sm.Skipped)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name  string
		data  []byte
		isNot bool // errors.Is(err, ErrNotSitemap)
	}{
		{"empty", nil, true},
		{"whitespace", []byte(" \n\t\r\n "), true},
		{"html page", []byte("<!DOCTYPE html>\n<html><head><title>Harbour Times</title></head><body><p>Hello</p></body></html>"), true},
		{"rss feed", []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>`), true},
		{"only a comment", []byte(`<?xml version="1.0"?><!-- nothing -->`), true},
		{"json", []byte(`{"urls": ["https://www.harbourtimes.example/a"]}`), true},
		{"cut in its first entry", []byte(`<urlset><url><loc>https://www.harbourtimes.example/a</loc></url`), false},
		{"cut before its first entry", []byte(`<sitemapindex><sitemap><loc>https://www.harb`), false},
		{"stray end tag", []byte(`<urlset></url></urlset>`), false},
		{"bad gzip", append([]byte{0x1f, 0x8b}, "not really gzip at all"...), false},
		{"truncated gzip", gz(t, readFixture(t, "news.xml"))[:200], false},
		{"bad attribute", []byte(`<urlset a="></urlset>`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sm, err := Parse(bytes.NewReader(tt.data), site+"/sitemap.xml")
			if err == nil {
				t.Fatalf("Parse succeeded with %d URLs, want an error", len(sm.URLs))
			}
			if sm != nil {
				t.Errorf("Parse returned a sitemap with its error")
			}
			if got := errors.Is(err, ErrNotSitemap); got != tt.isNot {
				t.Errorf("errors.Is(%v, ErrNotSitemap) = %v, want %v", err, got, tt.isNot)
			}
			if !strings.HasPrefix(err.Error(), "parse sitemap "+site+"/sitemap.xml: ") {
				t.Errorf("error %q lacks the parse context", err)
			}
		})
	}
}

func urlset(n int, news bool) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">` + "\n")
	for i := range n {
		fmt.Fprintf(&b, "<url><loc>https://www.harbourtimes.example/2024/05/%02d/story-number-%d-about-the-harbour.html</loc><lastmod>2024-05-%02dT10:%02d:00+00:00</lastmod>", i%28+1, i, i%28+1, i%60)
		if news {
			fmt.Fprintf(&b, "<news:news><news:publication><news:name>The Harbour Times</news:name><news:language>en</news:language></news:publication><news:publication_date>2024-05-%02dT10:%02d:00Z</news:publication_date><news:title>Story number %d about the harbour</news:title><news:keywords>harbour, ferries</news:keywords></news:news>", i%28+1, i%60, i)
		}
		b.WriteString("</url>\n")
	}
	b.WriteString("</urlset>\n")
	return b.Bytes()
}

// textList is a plain-text sitemap of n URLs: the cheapest way to test the
// default cap, which the XML path shares (see "small cap").
func textList(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "https://www.harbourtimes.example/story-%d.html\n", i)
	}
	return b.Bytes()
}

func TestParseEntryCap(t *testing.T) {
	list := textList(DefaultMaxEntries + 5)
	t.Run("default cap", func(t *testing.T) {
		sm := mustParse(t, list, site+"/urls.txt")
		if len(sm.URLs) != DefaultMaxEntries || !sm.Truncated {
			t.Fatalf("URLs=%d Truncated=%v, want %d and true", len(sm.URLs), sm.Truncated, DefaultMaxEntries)
		}
		if last, want := sm.URLs[len(sm.URLs)-1].Loc, fmt.Sprintf("%s/story-%d.html", site, DefaultMaxEntries-1); last != want {
			t.Errorf("last URL %s, want %s", last, want)
		}
	})
	t.Run("no cap", func(t *testing.T) {
		sm, err := Options{MaxEntries: -1}.Parse(bytes.NewReader(list), site+"/urls.txt")
		if err != nil || len(sm.URLs) != DefaultMaxEntries+5 || sm.Truncated {
			t.Fatalf("err=%v URLs=%d Truncated=%v, want all entries", err, len(sm.URLs), sm.Truncated)
		}
	})
	t.Run("exactly at the cap", func(t *testing.T) {
		sm, err := Options{MaxEntries: 3}.Parse(bytes.NewReader(urlset(3, false)), site+"/sitemap.xml")
		if err != nil || len(sm.URLs) != 3 || sm.Truncated {
			t.Fatalf("err=%v URLs=%d Truncated=%v, want 3 URLs, not truncated", err, len(sm.URLs), sm.Truncated)
		}
	})
	t.Run("small cap", func(t *testing.T) {
		sm, err := Options{MaxEntries: 3}.Parse(bytes.NewReader(urlset(10, true)), site+"/sitemap.xml")
		if err != nil || len(sm.URLs) != 3 || !sm.Truncated {
			t.Fatalf("err=%v URLs=%d Truncated=%v, want 3 URLs, truncated", err, len(sm.URLs), sm.Truncated)
		}
		if sm.URLs[2].News == nil || sm.URLs[2].News.Title != "Story number 2 about the harbour" {
			t.Errorf("third entry %+v lost its news block", sm.URLs[2])
		}
	})
	t.Run("index", func(t *testing.T) {
		sm, err := Options{MaxEntries: 2}.Parse(bytes.NewReader(readFixture(t, "index.xml")), site+"/sitemap_index.xml")
		if err != nil || len(sm.Sitemaps) != 2 || !sm.Truncated {
			t.Fatalf("err=%v Sitemaps=%d Truncated=%v, want 2, truncated", err, len(sm.Sitemaps), sm.Truncated)
		}
	})
	t.Run("text", func(t *testing.T) {
		sm, err := Options{MaxEntries: 1}.Parse(bytes.NewReader(readFixture(t, "list.txt")), site+"/urls.txt")
		if err != nil || len(sm.URLs) != 1 || !sm.Truncated {
			t.Fatalf("err=%v URLs=%d Truncated=%v, want 1, truncated", err, len(sm.URLs), sm.Truncated)
		}
	})
}

// bomb returns a gzip stream that decompresses to head and then mib MiB of
// spaces. It repeats one compressed 1 MiB member (a valid multi-member gzip
// file), so building a 1 GiB bomb costs one small compression.
func bomb(t testing.TB, head string, mib int) []byte {
	t.Helper()
	out := gz(t, []byte(head))
	member := gz(t, bytes.Repeat([]byte(" "), 1<<20))
	for range mib {
		out = append(out, member...)
	}
	return out
}

func TestParseGzipBomb(t *testing.T) {
	// Each bomb is ~1 MiB compressed, 1 GiB decompressed.
	const xmlHead = `<?xml version="1.0"?><urlset><url><loc>https://www.harbourtimes.example/a</loc></url>`
	const textHead = "https://www.harbourtimes.example/a\n"
	tests := []struct {
		name     string
		data     []byte
		opts     Options
		maxAlloc uint64
	}{
		// The default cap on the text path, which reads in small chunks;
		// on the XML path it costs the same allocations but decoding 50 MiB
		// through encoding/xml is too slow for a unit test under -race.
		{"default cap", bomb(t, textHead, 1024), Options{}, 16 << 20},
		// A whitespace run is one text token, which encoding/xml buffers
		// whole: memory is bounded by the size cap, not by the input.
		{"xml", bomb(t, xmlHead, 1024), Options{MaxBytes: 1 << 20}, 16 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := tt.opts.Parse(bytes.NewReader(tt.data), site+"/sitemap.xml.gz")
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > tt.maxAlloc {
				t.Errorf("allocated %d MiB parsing a bomb, want at most %d MiB", alloc>>20, tt.maxAlloc>>20)
			}
		})
	}
}

func TestParseSizeCap(t *testing.T) {
	doc := urlset(100, false)
	if _, err := (Options{MaxBytes: int64(len(doc))}).Parse(bytes.NewReader(doc), site+"/s.xml"); err != nil {
		t.Errorf("a document exactly at the size cap: %v", err)
	}
	_, err := Options{MaxBytes: int64(len(doc)) - 1}.Parse(bytes.NewReader(doc), site+"/s.xml")
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("a document one byte over the cap: err = %v, want ErrTooLarge", err)
	}
	if _, err := (Options{MaxBytes: -1}).Parse(bytes.NewReader(doc), site+"/s.xml"); err != nil {
		t.Errorf("no size cap: %v", err)
	}
}

func TestParseEncodings(t *testing.T) {
	const title = "Гавань снова открыта"
	const jaTitle = "港が再開"
	doc := func(label, title string) string {
		return `<?xml version="1.0" encoding="` + label + `"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://www.harbourtimes.example/a</loc><news:news><news:title>` + title + `</news:title></news:news></url>
</urlset>`
	}
	encode := func(e encoding.Encoding, s string) []byte {
		b, err := e.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name, want string
		data       []byte
	}{
		{"utf-8 bom", title, append([]byte{0xef, 0xbb, 0xbf}, doc("UTF-8", title)...)},
		{"windows-1251", title, encode(charmap.Windows1251, doc("windows-1251", title))},
		{"koi8-r lower-case label", title, encode(charmap.KOI8R, doc("koi8-r", title))},
		{"iso-8859-1", "Café du port", encode(charmap.ISO8859_1, doc("ISO-8859-1", "Café du port"))},
		{"shift_jis", jaTitle, encode(japanese.ShiftJIS, doc("Shift_JIS", jaTitle))},
		{"utf-16le bom", title, encode(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), doc("UTF-16", title))},
		{"utf-16be bom", title, encode(unicode.UTF16(unicode.BigEndian, unicode.UseBOM), doc("UTF-16", title))},
		{"unknown label read as utf-8", title, []byte(doc("x-made-up", title))},
		{"gzip windows-1251", title, gz(t, encode(charmap.Windows1251, doc("windows-1251", title)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sm := mustParse(t, tt.data, site+"/s.xml")
			if len(sm.URLs) != 1 || sm.URLs[0].News == nil {
				t.Fatalf("URLs = %s, want one with news", dump(sm.URLs))
			}
			if got := sm.URLs[0].News.Title; got != tt.want {
				t.Errorf("title = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2024", "2024-01-01T00:00:00Z"},
		{"2024-05", "2024-05-01T00:00:00Z"},
		{"2024-05-07", "2024-05-07T00:00:00Z"},
		{"2024-05-07T10:30+02:00", "2024-05-07T10:30:00+02:00"},
		{"2024-05-07T10:30Z", "2024-05-07T10:30:00Z"},
		{"2024-05-07T10:30:15+05:30", "2024-05-07T10:30:15+05:30"},
		{"2024-05-07T10:30:15.25Z", "2024-05-07T10:30:15.25Z"},
		{"2024-05-07T10:30:15.123456-07:00", "2024-05-07T10:30:15.123456-07:00"},
		{"  2024-05-07T10:30:15Z\n", "2024-05-07T10:30:15Z"},
		{"2024-05-07T10:30:15+0200", "2024-05-07T10:30:15+02:00"},
		{"2024-05-07T10:30:15", "2024-05-07T10:30:15Z"},
		{"2024-05-07 10:30:15", "2024-05-07T10:30:15Z"},
		{"2024-05-07 10:30:15 +0000", "2024-05-07T10:30:15Z"},
		{"2024-05-07 10:30:15+03:00", "2024-05-07T10:30:15+03:00"},
		{"Tue, 07 May 2024 10:30:15 +0000", "2024-05-07T10:30:15Z"},
		{"", ""},
		{"yesterday", ""},
		{"2024-13-01", ""},
		{"2024-02-30", ""},
		{"0000-00-00", ""},
		{"0001-01-01T00:00:00Z", ""},
		{"20240507", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := parseDate(tt.in)
			if tt.want == "" {
				if !got.IsZero() {
					t.Errorf("parseDate(%q) = %v, want zero", tt.in, got)
				}
				return
			}
			if want := date(tt.want); !got.Equal(want) || got.Format(time.RFC3339Nano) != tt.want {
				t.Errorf("parseDate(%q) = %s, want %s", tt.in, got.Format(time.RFC3339Nano), tt.want)
			}
		})
	}
}

func TestParseRelativeNeedsBase(t *testing.T) {
	data := []byte(`<urlset><url><loc>/a</loc></url><url><loc>https://www.harbourtimes.example/b</loc></url></urlset>`)
	for _, base := range []string{"", "not a url", "/sitemap.xml", "://"} {
		sm := mustParse(t, data, base)
		if len(sm.URLs) != 1 || sm.URLs[0].Loc != site+"/b" || sm.Skipped != 1 {
			t.Errorf("base %q: URLs=%+v Skipped=%d, want only the absolute one", base, sm.URLs, sm.Skipped)
		}
	}
}

// A reader that fails must surface as an error, not as an empty sitemap.
func TestParseReadError(t *testing.T) {
	boom := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader("<urlset><url><loc>https://x.example/a</loc></url>"), errReader{boom})
	if _, err := Parse(r, site+"/s.xml"); !errors.Is(err, boom) {
		t.Errorf("err = %v, want it to wrap %v", err, boom)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestFromRobots(t *testing.T) {
	robots := "\ufeffUser-agent: *\r\nDisallow: /search\r\n" +
		"Sitemap: https://www.harbourtimes.example/sitemap_index.xml\r\n" +
		"sitemap:https://www.harbourtimes.example/news-sitemap.xml # the news one\n" +
		"  SITEMAP  :   https://cdn.harbourtimes.example/sitemaps/images.xml.gz   \n" +
		"Sitemap: /relative-sitemap.xml\n" +
		"Sitemap: ftp://www.harbourtimes.example/s.xml\n" +
		"Sitemap:\n" +
		"# Sitemap: https://www.harbourtimes.example/commented-out.xml\n" +
		"Sitemaps: https://www.harbourtimes.example/wrong-field.xml\n" +
		"Sitemap: https://www.harbourtimes.example/sitemap_index.xml\r" +
		"Allow: /"
	want := []string{
		"https://www.harbourtimes.example/sitemap_index.xml",
		"https://www.harbourtimes.example/news-sitemap.xml",
		"https://cdn.harbourtimes.example/sitemaps/images.xml.gz",
	}
	if got := FromRobots([]byte(robots)); !reflect.DeepEqual(got, want) {
		t.Errorf("FromRobots:\n got %q\nwant %q", got, want)
	}
	if got := FromRobots(nil); got != nil {
		t.Errorf("FromRobots(nil) = %q, want nil", got)
	}
}

// A sitemap cut off mid-document gives its complete entries, marked Cut;
// the entry the cut fell in is dropped, since its <loc> may be cut short.
func TestParseCut(t *testing.T) {
	news := readFixture(t, "news.xml")
	whole, err := Parse(bytes.NewReader(news), site+"/sitemap.xml")
	if err != nil || len(whole.URLs) < 2 {
		t.Fatalf("news.xml: %v, %d URLs", err, len(whole.URLs))
	}
	var many bytes.Buffer
	many.WriteString(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for i := range 300 {
		fmt.Fprintf(&many, "<url><loc>%s/%d-%x</loc></url>\n", site, i, i*7919)
	}
	many.WriteString("</urlset>")
	manyWhole, err := Parse(bytes.NewReader(many.Bytes()), site+"/sitemap.xml")
	if err != nil {
		t.Fatal(err)
	}
	zipped := gz(t, many.Bytes())
	// Cut inside the second entry's <loc>.
	i := bytes.Index(news, []byte(whole.URLs[1].Loc))
	second := bytes.LastIndex(news[:i], []byte("<loc>"))
	cutLoc := news[:second+len("<loc>")+len(whole.URLs[1].Loc)-3]
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"in a loc", cutLoc, []string{whole.URLs[0].Loc}},
		{"gzipped", zipped[:len(zipped)/2], nil}, // checked below: a prefix
		{"unclosed root", []byte(`<urlset><url><loc>https://www.harbourtimes.example/a</loc></url>`), []string{site + "/a"}},
		{"index", []byte(`<sitemapindex><sitemap><loc>/s1.xml</loc></sitemap><sitemap><loc>/s2.x`), []string{site + "/s1.xml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sm, err := Parse(bytes.NewReader(tt.data), site+"/sitemap.xml")
			if err != nil {
				t.Fatal(err)
			}
			if !sm.Cut || sm.Truncated {
				t.Errorf("Cut %v Truncated %v, want a cut", sm.Cut, sm.Truncated)
			}
			var got []string
			for _, u := range sm.URLs {
				got = append(got, u.Loc)
			}
			for _, r := range sm.Sitemaps {
				got = append(got, r.Loc)
			}
			if tt.want == nil {
				if len(got) == 0 || len(got) >= len(manyWhole.URLs) {
					t.Fatalf("%d URLs, want some but not all %d", len(got), len(manyWhole.URLs))
				}
				for i, u := range got {
					if u != manyWhole.URLs[i].Loc {
						t.Errorf("URL %d = %s, want %s", i, u, manyWhole.URLs[i].Loc)
					}
				}
				return
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	// A whole sitemap is not cut.
	if whole.Cut {
		t.Error("whole news.xml marked Cut")
	}
}
