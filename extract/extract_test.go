package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// fixedNow is the fetch time used by the golden tests, so that "dates
// after the fetch time are rejected" is deterministic.
var fixedNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// golden is the part of a Result a case folder pins down.
// Metadata has golden tests of its own (testdata/meta).
type golden struct {
	Paras []string `json:"paragraphs"`
	Notes []string `json:"notes,omitempty"`
}

// TestGolden runs every folder in testdata/cases: source.html (and an
// optional url.txt) in, want.json out. Run with -update to rewrite the
// want files, then review the diff.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/cases/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(dir, "source.html"))
			if err != nil {
				t.Fatal(err)
			}
			u, _ := os.ReadFile(filepath.Join(dir, "url.txt"))
			res, err := Extract(src, Options{URL: strings.TrimSpace(string(u)), FetchedAt: fixedNow, NoLanguageDetection: true})
			if err != nil {
				t.Fatal(err)
			}
			got := golden{Paras: res.Article.Paragraphs(), Notes: bodyNotes(res.Notes)}
			if got.Paras == nil {
				got.Paras = []string{}
			}
			b, _ := json.MarshalIndent(got, "", "  ")
			b = append(b, '\n')
			wantFile := filepath.Join(dir, "want.json")
			if *updateGolden { // the -update flag, declared in metadata_test.go
				if err := os.WriteFile(wantFile, b, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(b, want) {
				t.Errorf("result differs from %s:\n got: %s\nwant: %s", wantFile, b, want)
			}
		})
	}
}

// TestBoilerplateNeverInText checks, independently of the golden files,
// that no boilerplate phrase of the fixtures reaches the text and that all
// article paragraphs do.
func TestBoilerplateNeverInText(t *testing.T) {
	src, err := os.ReadFile("testdata/cases/boilerplate-kinds/source.html")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Extract(src, Options{FetchedAt: fixedNow, NoLanguageDetection: true})
	if err != nil {
		t.Fatal(err)
	}
	text := res.Article.Text
	for _, bad := range []string{"cookies", "Share on", "Photo:", "Read more", "Advertisement", "newsletter",
		"Council approves", "great day for the town", "All rights reserved", "Politics", "Weather"} {
		if strings.Contains(text, bad) {
			t.Errorf("text contains boilerplate %q:\n%s", bad, text)
		}
	}
	if n := len(res.Article.Paragraphs()); n != 5 {
		t.Errorf("got %d paragraphs, want the 5 of the article:\n%s", n, text)
	}
}

func TestNeverGluesParagraphs(t *testing.T) {
	cases := []struct{ name, html string }{
		{"p", "<p>The first sentence is here, with enough words.</p><p>The second sentence follows it, also complete.</p>"},
		{"div-in-div", "<div>The first sentence is here, with enough words.<div>The second sentence follows it, also complete.</div></div>"},
		{"br", "The first sentence is here, with enough words.<br>The second sentence follows it, also complete."},
		{"li", "<ul><li>The first sentence is here, with enough words.</li><li>The second sentence follows it, also complete.</li></ul>"},
		{"custom-element", "<story-p>The first sentence is here, with enough words.</story-p><story-p>The second sentence follows it, also complete.</story-p>"},
		{"heading", "<h2>The first sentence is here, with enough words.</h2>The second sentence follows it, also complete."},
		{"unclosed-p", "<p>The first sentence is here, with enough words.<p>The second sentence follows it, also complete."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page := `<html><head><meta property="og:type" content="article"></head><body><div class="article-body">` + c.html + `</div></body></html>`
			res, err := Extract([]byte(page), Options{NoLanguageDetection: true})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := res.Article.Text, "The first sentence is here, with enough words.\n\nThe second sentence follows it, also complete."; got != want {
				t.Errorf("text = %q, want %q", got, want)
			}
		})
	}
}

func TestInlineTextJoinsAsRendered(t *testing.T) {
	page := `<html><body><article><p>Un<b>believ</b>able  news:
	the <a href="/x">council</a>&nbsp;voted&#160;yes, <em>again</em>.</p></article></body></html>`
	res, err := Extract([]byte(page), Options{NoLanguageDetection: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Article.Text, "Unbelievable news: the council voted yes, again."; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
}

func TestBadInput(t *testing.T) {
	deep := strings.Repeat("<div>", 100_000) + "deep text" + strings.Repeat("</div>", 100_000)
	cases := []struct {
		name    string
		src     []byte
		opts    Options
		wantErr error
	}{
		{"empty", nil, Options{}, ErrEmpty},
		{"whitespace", []byte(" \n\t "), Options{}, ErrEmpty},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), Options{}, ErrNotHTML},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), Options{}, ErrNotHTML},
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"), Options{}, ErrNotHTML},
		{"gzip", []byte("\x1f\x8b\x08\x00\x00\x00"), Options{}, ErrNotHTML},
		{"binary", []byte("abc\x00\x01\x02\x03 <html>"), Options{}, ErrNotHTML},
		{"NULs in a file header", []byte("SQLite format 3\x00\x10\x00\x01\x01\x00@  \x00\x00\x00\x02" + strings.Repeat("\x00", 40) + "<html><body><p>Some text that is not a page.</p></body></html>"), Options{}, ErrNotHTML},
		{"stray NULs in a small page", []byte("<html><head><title>Harbour\x00 reopens</title></head><body><p>The harbour reopened on Monday after three weeks of repairs\x00 to the quay.</p></body></html>"), Options{}, nil},
		{"plain text", []byte("just some words, no markup at all"), Options{}, ErrNotHTML},
		{"over cap", bytes.Repeat([]byte("<p>x</p>"), 2000), Options{MaxBytes: 1000}, ErrTooLarge},
		{"invalid utf-8", []byte("<html><body><p>caf\xc3 \xff\xfe ok, this paragraph continues with enough words to count.</p></body></html>"), Options{}, nil},
		{"deep nesting", []byte(deep), Options{}, nil},
		{"unterminated comment", []byte("<html><body><p>before the comment</p><!-- never closed <p>hidden</p>"), Options{}, nil},
		{"unterminated script", []byte("<html><body><p>before the script</p><script>var x = '<p>not text</p>';"), Options{}, nil},
		{"unterminated style", []byte("<html><body><p>before</p><style>p { color: red }"), Options{}, nil},
		{"only markup", []byte("<html><head></head><body></body></html>"), Options{}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.NoLanguageDetection = true
			res, err := Extract(c.src, c.opts)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("err = %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !utf8.ValidString(res.Article.Text) {
				t.Errorf("text is not valid UTF-8: %q", res.Article.Text)
			}
			if strings.Contains(res.Article.Text, "not text") || strings.Contains(res.Article.Text, "hidden") {
				t.Errorf("script or comment content leaked into text: %q", res.Article.Text)
			}
		})
	}
}

func TestDeepNestingKeepsText(t *testing.T) {
	deep := "<html><body>" + strings.Repeat("<div>", 100_000) + "<p>The text at the bottom of a very deep tree still counts as the article.</p>" + strings.Repeat("</div>", 100_000)
	res, err := Extract([]byte(deep), Options{NoLanguageDetection: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Article.Text, "The text at the bottom") {
		t.Errorf("deep text lost: %q", res.Article.Text)
	}
}

func TestLargePageUnderCap(t *testing.T) {
	para := strings.Repeat("A sentence that repeats to make a very large page body. ", 20)
	var b strings.Builder
	b.WriteString("<html><body><article>")
	for i := 0; b.Len() < 50<<20; i++ {
		fmt.Fprintf(&b, "<p>%d. %s</p>\n", i, para)
	}
	b.WriteString("</article></body></html>")
	src := []byte(b.String())
	if _, err := Extract(src, Options{NoLanguageDetection: true}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("50 MB page with the default cap: err = %v, want ErrTooLarge", err)
	}
	res, err := Extract(src, Options{MaxBytes: -1, NoLanguageDetection: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Article.WordCount < 1_000_000 {
		t.Errorf("word count %d, want the whole page", res.Article.WordCount)
	}
}

func TestCharsetFromContentType(t *testing.T) {
	// ISO-8859-1 bytes for "café" with the charset only in the header.
	src := []byte("<html><body><article><p>Le caf\xe9 du port rouvre ses portes apr\xe8s les travaux de l'hiver dernier.</p></article></body></html>")
	res, err := Extract(src, Options{ContentType: "text/html; charset=ISO-8859-1", NoLanguageDetection: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Article.Text, "café du port rouvre ses portes après") {
		t.Errorf("text = %q", res.Article.Text)
	}
}

func TestFromReader(t *testing.T) {
	src := "<html><body><article><p>The reader path gives the same result as the bytes path does.</p></article></body></html>"
	res, err := FromReader(strings.NewReader(src), Options{NoLanguageDetection: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Article.Text != "The reader path gives the same result as the bytes path does." {
		t.Errorf("text = %q", res.Article.Text)
	}
	if _, err := FromReader(strings.NewReader(src), Options{MaxBytes: 10}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v, want ErrTooLarge", err)
	}
}

func FuzzExtract(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/cases/*/source.html")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("<p>a<p>b</span></div><li>c"))
	f.Add([]byte("<script type=application/ld+json>{\"@type\":\"NewsArticle\",}</script>"))
	f.Fuzz(func(t *testing.T, src []byte) {
		res, err := Extract(src, Options{NoLanguageDetection: true, FetchedAt: fixedNow})
		if err != nil {
			return
		}
		a := res.Article
		if !utf8.ValidString(a.Text) || !utf8.ValidString(a.Title) {
			t.Fatalf("invalid UTF-8 in output")
		}
		if strings.Contains(a.Text, "\n\n\n") || strings.HasPrefix(a.Text, "\n") || strings.HasSuffix(a.Text, "\n") {
			t.Fatalf("text has broken paragraph separators: %q", a.Text)
		}
		if a.Published.After(fixedNow) {
			t.Fatalf("published %v after fetch time", a.Published)
		}
	})
}

// bodyNotes keeps the notes body extraction makes.
func bodyNotes(notes []string) []string {
	var out []string
	for _, n := range notes {
		if strings.Contains(n, "body") {
			out = append(out, n)
		}
	}
	return out
}

// TestHeadingTextStaysOutOfBody checks that a headline wrapped in a block
// inside its <h1> is not taken for a paragraph, while blocks after the
// heading's text inside an unclosed <h1> are (testdata/cases/unclosed-h1).
func TestHeadingTextStaysOutOfBody(t *testing.T) {
	page := `<html><head><meta property="og:type" content="article"></head><body><article>` +
		`<h1><div class="headline">Bridge closed after lorry strike</div></h1>` +
		`<p>The old stone bridge on the valley road was closed on Friday after a lorry hit its parapet.</p>` +
		`</article></body></html>`
	res, err := Extract([]byte(page), Options{NoLanguageDetection: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Article.Text, "The old stone bridge on the valley road was closed on Friday after a lorry hit its parapet."; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
}

// TestRelativeImageWithoutPageURL: with no page URL, a relative lead image
// resolves against the page's declared absolute canonical URL, and never
// against a relative one.
func TestRelativeImageWithoutPageURL(t *testing.T) {
	page := func(head string) []byte {
		return []byte(`<!doctype html><html lang="en"><head><title>Harbour reopens</title>` + head +
			`</head><body><article><h1>Harbour reopens</h1><p>The harbour reopened on Thursday after three weeks of repairs to the breakwater.</p></article></body></html>`)
	}
	ldImage := `<script type="application/ld+json">{"@type":"NewsArticle","headline":"Harbour reopens","image":{"@type":"ImageObject","url":"/img/harbour.jpg"}}</script>`
	tests := []struct {
		name, head, url, want string
	}{
		{"rel=canonical", `<link rel="canonical" href="https://www.gazette.example/news/harbour-reopens">` + ldImage,
			"", "https://www.gazette.example/img/harbour.jpg"},
		{"og:url, og:image", `<meta property="og:url" content="https://www.gazette.example/news/harbour-reopens"><meta property="og:image" content="img/a.jpg">`,
			"", "https://www.gazette.example/news/img/a.jpg"},
		{"relative canonical, absolute og:url", `<link rel="canonical" href="/news/harbour-reopens"><meta property="og:url" content="https://m.gazette.example/news/harbour-reopens">` + ldImage,
			"", "https://m.gazette.example/img/harbour.jpg"},
		{"relative canonical only", `<link rel="canonical" href="/news/harbour-reopens">` + ldImage,
			"", ""},
		{"page URL wins", `<link rel="canonical" href="https://www.gazette.example/news/harbour-reopens">` + ldImage,
			"https://mirror.example/harbour", "https://mirror.example/img/harbour.jpg"},
		{"base href wins", `<base href="https://static.gazette.example/"><link rel="canonical" href="https://www.gazette.example/news/harbour-reopens">` + ldImage,
			"", "https://static.gazette.example/img/harbour.jpg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Extract(page(tt.head), Options{URL: tt.url, FetchedAt: fixedNow, NoLanguageDetection: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Article.Image; got != tt.want {
				t.Errorf("image = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCanonicalSourceIsWhatWasUsed: when a declared canonical URL is not
// followed (a syndicated copy pointing at the original paper), the record
// keeps the page URL, the sources credit the page URL rather than the
// declaration, and a note says what was declared and why it was refused.
// A declaration refused because it is on another site is the original
// the copy republishes (original_url); one refused for another reason is
// a publisher's mistake, not an original.
func TestCanonicalSourceIsWhatWasUsed(t *testing.T) {
	page := func(canonical string) []byte {
		return []byte(`<!doctype html><html lang="en"><head><title>Dam inspection ordered</title>
<link rel="canonical" href="` + canonical + `"></head><body><article><h1>Dam inspection ordered</h1>
<p>Engineers were ordered on Monday to inspect the old dam above the valley after cracks were reported by walkers.</p>
<p>This story first appeared in the Valley Echo.</p></article></body></html>`)
	}
	const copyURL = "https://wire.example.net/stories/dam-inspection-ordered"
	tests := []struct {
		name, url, canonical, want, source, note string
		original                                 string
	}{
		{"cross-site refused", copyURL, "https://www.valley-echo.example/2024/05/06/dam-inspection/",
			copyURL, "url", "declared canonical URL https://www.valley-echo.example/2024/05/06/dam-inspection/ (link:canonical) not followed: it is on another site than the page",
			"https://www.valley-echo.example/2024/05/06/dam-inspection/"},
		{"cross-site with tracking", copyURL, "HTTPS://WWW.Valley-Echo.example:443/2024/05/06/dam-inspection/?utm_source=wire#top",
			copyURL, "url", "not followed: it is on another site than the page",
			"https://www.valley-echo.example/2024/05/06/dam-inspection/"},
		{"section refused", "https://www.valley-echo.example/news/2024/dam-inspection-ordered", "https://www.valley-echo.example/news/",
			"https://www.valley-echo.example/news/2024/dam-inspection-ordered", "url", "not followed: it is a section page above the article", ""},
		{"same site followed", "https://m.valley-echo.example/news/dam-inspection-ordered?utm_source=x", "https://www.valley-echo.example/news/dam-inspection-ordered",
			"https://www.valley-echo.example/news/dam-inspection-ordered", "link:canonical", "", ""},
		{"no page URL", "", "https://www.valley-echo.example/2024/05/06/dam-inspection/",
			"https://www.valley-echo.example/2024/05/06/dam-inspection/", "link:canonical", "", ""},
		{"unusable without page URL", "", "/2024/05/06/dam-inspection/", "", "", "", ""},
		{"none declared", copyURL + "?utm_medium=rss", "", copyURL, "url", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Extract(page(tt.canonical), Options{URL: tt.url, FetchedAt: fixedNow, NoLanguageDetection: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Article.CanonicalURL; got != tt.want {
				t.Errorf("canonical_url = %q, want %q", got, tt.want)
			}
			if got := res.Sources["canonical_url"]; got != tt.source {
				t.Errorf("sources.canonical_url = %q, want %q", got, tt.source)
			}
			if got := res.Article.OriginalURL; got != tt.original {
				t.Errorf("original_url = %q, want %q", got, tt.original)
			}
			if got, want := res.Sources["original_url"], map[bool]string{true: "link:canonical"}[tt.original != ""]; got != want {
				t.Errorf("sources.original_url = %q, want %q", got, want)
			}
			noted := ""
			for _, n := range res.Notes {
				if strings.Contains(n, "canonical") {
					noted = n
				}
			}
			if (tt.note == "") != (noted == "") || !strings.Contains(noted, tt.note) {
				t.Errorf("notes = %q, want one containing %q", res.Notes, tt.note)
			}
		})
	}
}
