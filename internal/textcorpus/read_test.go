package textcorpus

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

const testHeader = " date 2022-02-08 https://example.com/world/2022/02/08/story\n\nTitle Of Story\n\n"

// want is what a Read of testHeader + body gives. Zero fields must be
// empty in the result too, except pub, which defaults to the header date.
type want struct {
	text, desc, site, lang, image, canonical string
	tags, authors                            []string
	pub, mod                                 string // RFC 3339
	note                                     string // a substring of one Recovered entry
}

func checkDoc(t *testing.T, d *Document, w want) {
	t.Helper()
	a := d.Article
	if w.pub == "" {
		w.pub = "2022-02-08T00:00:00Z"
	}
	fmtTime := func(tm time.Time) string {
		if tm.IsZero() {
			return ""
		}
		return tm.Format(time.RFC3339Nano)
	}
	for _, c := range []struct{ field, got, want string }{
		{"text", a.Text, w.text},
		{"description", a.Description, w.desc},
		{"site name", a.SiteName, w.site},
		{"language", a.Language, w.lang},
		{"image", a.Image, w.image},
		{"canonical URL", a.CanonicalURL, w.canonical},
		{"published", fmtTime(a.Published), w.pub},
		{"modified", fmtTime(a.Modified), w.mod},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if !slices.Equal(a.Authors, w.authors) {
		t.Errorf("authors = %q, want %q", a.Authors, w.authors)
	}
	if !slices.Equal(a.Tags, w.tags) {
		t.Errorf("tags = %q, want %q", a.Tags, w.tags)
	}
	if w.note != "" && !slices.ContainsFunc(d.Recovered, func(s string) bool { return strings.Contains(s, w.note) }) {
		t.Errorf("Recovered %q lacks %q", d.Recovered, w.note)
	}
	if w.note == "" && len(d.Recovered) > 0 {
		t.Errorf("Recovered = %q, want nothing", d.Recovered)
	}
}

func TestReadHeuristics(t *testing.T) {
	tests := []struct {
		name, body string
		want
	}{
		{"plain paragraphs", "One.\n\nTwo.", want{text: "One.\n\nTwo."}},
		{"multi-line paragraph kept", "One line\nand the next.", want{text: "One line\nand the next."}},

		// title
		{"repeated title", "Title Of Story\n\nOne.", want{text: "One.", note: "line 5: dropped repeated title"}},
		{"repeated title after whitespace normalisation", "Title   Of\nStory\n\nOne.", want{text: "One.", note: "dropped repeated title"}},
		{"title with site suffix", "Title Of Story - Example News\n\nOne.", want{text: "One.", site: "Example News", note: "from title suffix"}},
		{"title with prose suffix kept", "Title Of Story - and what it means.\n\nOne.", want{text: "Title Of Story - and what it means.\n\nOne."}},

		// timestamps
		{"timestamp without colon offset", "2022-02-08T10:30+0000\n\nOne.", want{text: "One.", pub: "2022-02-08T10:30:00Z", note: "published 2022-02-08T10:30:00Z from ISO timestamp"}},
		{"timestamp with seconds and Z", "2022-02-08T10:30:15Z\n\nOne.", want{text: "One.", pub: "2022-02-08T10:30:15Z", note: "published"}},
		{"timestamp with colon offset keeps zone", "2022-02-08T13:30:00+03:00\n\nOne.", want{text: "One.", pub: "2022-02-08T13:30:00+03:00", note: "published"}},
		{"timestamp with fraction", "2022-02-08T10:30:15.250+01:00\n\nOne.", want{text: "One.", pub: "2022-02-08T10:30:15.25+01:00", note: "published"}},
		{"timestamp with space and no zone", "2022-02-08 10:30:00\n\nOne.", want{text: "One.", pub: "2022-02-08T10:30:00Z", note: "published"}},
		{"timestamp on UTC day", "2022-02-07T22:30:00-05:00\n\nOne.", want{text: "One.", pub: "2022-02-07T22:30:00-05:00", note: "published"}},
		{"published and modified", "2022-02-08T10:30+0000\n\n2022-02-09T08:00:00Z\n\nOne.",
			want{text: "One.", pub: "2022-02-08T10:30:00Z", mod: "2022-02-09T08:00:00Z", note: "modified 2022-02-09T08:00:00Z"}},
		{"modified before published order", "2022-02-09T08:00:00Z\n\n2022-02-08T10:30+0000\n\nOne.",
			want{text: "One.", pub: "2022-02-08T10:30:00Z", mod: "2022-02-09T08:00:00Z", note: "modified"}},
		{"same instant twice", "2022-02-08T10:30+0000\n\n2022-02-08T13:30+03:00\n\nOne.",
			want{text: "One.", pub: "2022-02-08T10:30:00Z", note: "dropped ISO timestamp 2022-02-08T13:30+03:00"}},
		{"other day only: later is modified", "2022-02-10T10:00:00Z\n\nOne.",
			want{text: "One.", mod: "2022-02-10T10:00:00Z", note: "modified"}},
		{"earlier timestamp dropped", "2022-01-01T10:00:00Z\n\nOne.",
			want{text: "One.", note: "dropped ISO timestamp 2022-01-01T10:00:00Z"}},
		{"invalid timestamp is text", "2022-02-30T10:00:00Z\n\nOne.", want{text: "2022-02-30T10:00:00Z\n\nOne."}},
		{"timestamp line in a block", "2022-02-08T10:30+0000\nOne line of text.", want{text: "One line of text.", pub: "2022-02-08T10:30:00Z", note: "published"}},

		// xpath
		{"xpath", "/html/head/meta[@name='og:title']/@content\n\nOne.", want{text: "One.", note: "dropped xpath"}},
		{"relative xpath with spaces", "//div[@class='article body']/p/text()\n\nOne.", want{text: "One.", note: "dropped xpath"}},
		{"url path is text", "/world/europe\n\nOne.", want{text: "/world/europe\n\nOne."}},

		// locale
		{"locale en_EN", "en_EN\n\nOne.", want{text: "One.", lang: "en", note: "language en from locale code"}},
		{"locale ru_RU", "ru_RU\n\nOne.", want{text: "One.", lang: "ru", note: "language ru"}},
		{"locale en-US", "en-US\n\nOne.", want{text: "One.", lang: "en", note: "language en"}},
		{"locale pt_BR keeps region", "pt_BR\n\nOne.", want{text: "One.", lang: "pt-BR", note: "language pt-BR"}},
		{"bare code", "de\n\nOne.", want{text: "One.", lang: "de", note: "language de"}},
		{"second locale dropped", "en_GB\n\nfr_FR\n\nOne.", want{text: "One.", lang: "en", note: "dropped locale code fr"}},
		{"unknown code is text", "xx_XX\n\nOne.", want{text: "xx_XX\n\nOne."}},
		{"capitalised word is text", "It\n\nOne.", want{text: "It\n\nOne."}},

		// images
		{"image URL", "https://cdn.example.com/a/b.jpg\n\nOne.", want{text: "One.", image: "https://cdn.example.com/a/b.jpg", note: "image from image URL"}},
		{"image URL with query", "https://cdn.example.com/b.WEBP?w=1200&h=630\n\nOne.", want{text: "One.", image: "https://cdn.example.com/b.WEBP?w=1200&h=630", note: "image"}},
		{"second image dropped", "https://cdn.example.com/1.png\n\nhttps://cdn.example.com/2.gif\n\nOne.", want{text: "One.", image: "https://cdn.example.com/1.png", note: "dropped image URL https://cdn.example.com/2.gif"}},
		{"size line with flag", "1920 1080 true\n\nOne.", want{text: "One.", note: "dropped metadata fields"}},
		{"size line", "252 60\n\nOne.", want{text: "One.", note: "dropped image size line"}},
		{"lone flag", "false\n\nOne.", want{text: "One.", note: "dropped metadata fields"}},
		{"small numbers are text", "2 3\n\nOne.", want{text: "2 3\n\nOne."}},
		{"a year is text", "2022\n\nOne.", want{text: "2022\n\nOne."}},

		// URLs
		{"own URL dropped", "https://example.com/world/2022/02/08/story\n\nOne.", want{text: "One.", note: "dropped repeated URL"}},
		{"canonical URL", "https://www.example.com/world/story\n\nOne.", want{text: "One.", canonical: "https://www.example.com/world/story", note: "canonical URL from URL block"}},
		{"other site's URL is text", "https://other.example.org/x\n\nOne.", want{text: "https://other.example.org/x\n\nOne."}},

		// contact lines
		{"full contact line", "Example News feedback@example-news.com +74950000000 252 60 1920 1080 true en_EN\n\nOne.",
			want{text: "One.", site: "Example News", lang: "en", note: "dropped contact fields"}},
		{"e-mail alone", "desk@example.com\n\nOne.", want{text: "One.", note: "dropped contact fields"}},
		{"mailto", "mailto:desk@example.com\n\nOne.", want{text: "One.", note: "dropped contact fields"}},
		{"phone alone", "+74950000000\n\nOne.", want{text: "One.", note: "dropped contact fields"}},
		{"phone in pieces", "+44 20 7946 0000\n\nOne.", want{text: "One.", note: "dropped contact fields"}},
		{"name above contacts", "Example Daily\ndesk@example.com\n+1 212 555 0100\n\nOne.", want{text: "One.", site: "Example Daily", note: "from contact block"}},
		{"name with locale", "Example News en_GB\n\nOne.", want{text: "One.", site: "Example News", lang: "en", note: "site name"}},
		{"sentence with e-mail is text", "Readers can write to desk@example.com with questions.\n\nOne.",
			want{text: "Readers can write to desk@example.com with questions.\n\nOne."}},
		{"sentence ending in e-mail is text", "Write to desk@example.com\n\nOne.", want{text: "Write to desk@example.com\n\nOne."}},
		{"phone with prose is text", "Call 0800 555 0199\n\nOne.", want{text: "Call 0800 555 0199\n\nOne."}},
		{"plus number in prose", "+3 points\n\nOne.", want{text: "+3 points\n\nOne."}},

		// description and dateline
		{"repeated description with dateline",
			"The talks ended without a deal.\n\nThe talks ended without a deal. 08.02.2022, Example News\n\nOne.",
			want{text: "One.", desc: "The talks ended without a deal.", site: "Example News", note: "description from repeated description"}},
		{"description with dateline, no copy",
			"The talks ended without a deal. 08.02.2022, Example News\n\nOne.",
			want{text: "One.", desc: "The talks ended without a deal.", site: "Example News", note: "dropped dateline"}},
		{"description with ISO dateline and time",
			"The talks ended without a deal.\n\nThe talks ended without a deal. 2022-02-08 10:30\n\nOne.",
			want{text: "One.", desc: "The talks ended without a deal.", note: "dropped dateline \"2022-02-08 10:30\""}},
		{"description copy after the dateline kept",
			"The talks ended without a deal. 08.02.2022, Example News\n\nThe talks ended without a deal.",
			want{text: "The talks ended without a deal.", desc: "The talks ended without a deal.", site: "Example News", note: "description"}},
		{"lone dateline", "8.2.2022, Example News\n\nOne.", want{text: "One.", site: "Example News", note: "dropped dateline"}},
		{"prose ending in a date is text", "The law takes effect on 01.03.2022\n\nOne.", want{text: "The law takes effect on 01.03.2022\n\nOne."}},
		{"prose after a date is text", "On 08.02.2022, the talks ended without a deal.\n\nOne.", want{text: "On 08.02.2022, the talks ended without a deal.\n\nOne."}},

		// tags
		{"comma tag list", "Politics, Europe, Diplomacy\n\nOne.", want{text: "One.", tags: []string{"Politics", "Europe", "Diplomacy"}, note: "tags"}},
		{"two tags", "climate change, energy\n\nOne.", want{text: "One.", tags: []string{"climate change", "energy"}, note: "tags"}},
		{"one tag per line", "Politics\nEurope\nEuropean Union\n\nOne.", want{text: "One.", tags: []string{"Politics", "Europe", "European Union"}, note: "tags"}},
		{"tags deduplicated", "Politics, Europe\n\nEurope, Trade\n\nOne.", want{text: "One.", tags: []string{"Politics", "Europe", "Trade"}, note: "tags"}},
		{"prose list is text", "Prices, wages and rents\n\nOne.", want{text: "Prices, wages and rents\n\nOne."}},
		{"sentence with commas is text", "However, the talks, which began on Monday, ended.\n\nOne.", want{text: "However, the talks, which began on Monday, ended.\n\nOne."}},
		{"long items are text", "The delegations met again on Monday, but the talks ended\n\nOne.", want{text: "The delegations met again on Monday, but the talks ended\n\nOne."}},
		{"single short line is text", "What changes\n\nOne.", want{text: "What changes\n\nOne."}},
		// bylines
		{"byline", "By Jane Doe and John Smith\n\nOne.", want{text: "One.", authors: []string{"Jane Doe", "John Smith"}, note: "from byline"}},
		{"byline with role", "One.\n\nBy Jane Doe, Foreign Correspondent\n\nTwo.", want{text: "One.\n\nTwo.", authors: []string{"Jane Doe"}, note: "from byline"}},
		{"second byline is text", "By Jane Doe\n\nBy John Smith\n\nOne.", want{text: "By John Smith\n\nOne.", authors: []string{"Jane Doe"}, note: "from byline"}},
		{"byline far down is text", "One.\n\nTwo.\n\nThree.\n\nBy Jane Doe", want{text: "One.\n\nTwo.\n\nThree.\n\nBy Jane Doe"}},
		{"by-sentence is text", "By then the harbour was closed.\n\nOne.", want{text: "By then the harbour was closed.\n\nOne."}},
		{"byline with commas is not tags", "By Jane Doe, John Smith\n\nOne.", want{text: "One.", authors: []string{"Jane Doe", "John Smith"}, note: "from byline"}},
		{"byline block is text", "By Jane Doe\nReporter\n\nOne.", want{text: "By Jane Doe\nReporter\n\nOne."}},
		{"question lines are text", "Why now?\nWhat next?\n\nOne.", want{text: "Why now?\nWhat next?\n\nOne."}},

		// glued paragraphs
		{"glued paragraph", "The talks ended on the issue.The spokesman said more talks would follow.",
			want{text: "The talks ended on the issue.\n\nThe spokesman said more talks would follow.", note: "split glued paragraph in 2"}},
		{"not glued", "The U.S. said it was 3.5 per cent, e.g. on example.com.",
			want{text: "The U.S. said it was 3.5 per cent, e.g. on example.com."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Read(strings.NewReader(testHeader + tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if d.Article.Title != "Title Of Story" {
				t.Errorf("title = %q", d.Article.Title)
			}
			checkDoc(t, d, tt.want)
		})
	}
}

func TestReadHeader(t *testing.T) {
	tests := []struct {
		name, in, url, pub, title string
	}{
		{"clean", " date 2021-06-03 https://example.com/a\n\nT\n\nText.", "https://example.com/a", "2021-06-03T00:00:00Z", "T"},
		{"no leading space", "date 2021-06-03 https://example.com/a\n\nT", "https://example.com/a", "2021-06-03T00:00:00Z", "T"},
		{"unknown date", " date 0000-00-00 https://example.com/a\n\nT", "https://example.com/a", "", "T"},
		{"no URL", " date 2021-06-03\n\nT", "", "2021-06-03T00:00:00Z", "T"},
		{"blank lines and BOM first", "\uFEFF\n\n date 2021-06-03 https://example.com/a\n\nT", "https://example.com/a", "2021-06-03T00:00:00Z", "T"},
		{"CRLF", " date 2021-06-03 https://example.com/a\r\n\r\nT\r\n\r\nText.\r\n", "https://example.com/a", "2021-06-03T00:00:00Z", "T"},
		{"title right after header", " date 2021-06-03 https://example.com/a\nT\n\nText.", "https://example.com/a", "2021-06-03T00:00:00Z", "T"},
		{"header only", " date 2021-06-03 https://example.com/a\n", "https://example.com/a", "2021-06-03T00:00:00Z", ""},
		{"metadata before title", " date 2021-06-03 https://example.com/a\n\n2021-06-03T09:00:00Z\n\nT\n\nText.", "https://example.com/a", "2021-06-03T09:00:00Z", "T"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Read(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			a := d.Article
			pub := ""
			if !a.Published.IsZero() {
				pub = a.Published.Format(time.RFC3339)
			}
			if a.URL != tt.url || pub != tt.pub || a.Title != tt.title {
				t.Errorf("got url %q, published %q, title %q; want %q, %q, %q", a.URL, pub, a.Title, tt.url, tt.pub, tt.title)
			}
		})
	}

	d, err := Read(strings.NewReader(" date 2021-13-45 https://example.com/a\n\nT"))
	if err != nil || !d.Article.Published.IsZero() || len(d.Recovered) != 1 || !strings.Contains(d.Recovered[0], "line 1: header date is not a valid date") {
		t.Errorf("invalid header date: %v, %v, %q", err, d.Article.Published, d.Recovered)
	}
}

func TestReadErrors(t *testing.T) {
	for _, in := range []string{"", "\n\n", "Title\n\nText.", "date\n", "date 2021/06/03 https://example.com/a", "dated 2021-06-03 https://example.com/a"} {
		_, err := Read(strings.NewReader(in))
		if !errors.Is(err, ErrNoHeader) {
			t.Errorf("Read(%q) error %v, want ErrNoHeader", in, err)
		}
	}
	// An empty file, or one of blank lines, says so: "line 1: no header
	// line" sent the user looking for a line that is not there.
	for _, in := range []string{"", "\n\n", " \r\n\t\n"} {
		_, err := Read(strings.NewReader(in))
		if err == nil || err.Error() != "read text corpus: the file is empty" {
			t.Errorf("Read(%q) error %v, want the file is empty", in, err)
		}
	}
	_, err := Read(iotest.ErrReader(errors.New("boom")))
	if err == nil || !strings.Contains(err.Error(), "read text corpus: boom") {
		t.Errorf("Read of a failing reader: %v", err)
	}
	_, err = Read(strings.NewReader(" date 2021-06-03 x\n\n" + strings.Repeat("a", MaxSize)))
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Read of an oversized input: %v", err)
	}
}

func TestReadInvalidUTF8(t *testing.T) {
	d, err := Read(strings.NewReader(" date 2021-06-03 https://example.com/a\n\nT\xff\n\nText \xfe here."))
	if err != nil {
		t.Fatal(err)
	}
	if d.Article.Title != "T\uFFFD" || d.Article.Text != "Text \uFFFD here." {
		t.Errorf("got %q / %q", d.Article.Title, d.Article.Text)
	}
}

func TestReadManyRecoveries(t *testing.T) {
	in := testHeader + strings.Repeat("2022-02-09T10:30+0000\n\n", 500) + "One."
	d, err := Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Recovered) != maxNotes+1 || !strings.HasSuffix(d.Recovered[maxNotes], ": and 300 more") {
		t.Errorf("%d entries, last %q", len(d.Recovered), d.Recovered[len(d.Recovered)-1])
	}
	if d.Article.Text != "One." {
		t.Errorf("text %q", d.Article.Text)
	}
}

// TestOneTitle: a first block of several lines is one wrapped title only
// while it looks like one; otherwise its lines are blocks of their own.
func TestOneTitle(t *testing.T) {
	long := strings.Repeat("Word ", 30)
	for _, c := range []struct {
		lines []string
		want  bool
	}{
		{[]string{"Harbour Reopens"}, true},
		{[]string{"Harbour Reopens After", "Storm Repairs"}, true},
		{[]string{"Bridge To Close", "2019-10-21T07:15:00+01:00"}, true}, // a timestamp under it, lifted later
		{[]string{"Why Did The", "Harbour Close?"}, true},
		{[]string{"Harbour Reopens", "harbour  reopens"}, false},                  // repeated title
		{[]string{"Harbour Reopens", "The harbour reopened on Thursday."}, false}, // a sentence
		{[]string{"Harbour Reopens", "He said: \"It is open.\""}, false},          // a sentence in quotes
		{[]string{"Harbour", "Reopens", "After", "Repairs"}, false},               // too many lines
		{[]string{long, long}, false},                                             // too long
	} {
		if got := oneTitle(c.lines); got != c.want {
			t.Errorf("oneTitle(%q) = %v, want %v", c.lines, got, c.want)
		}
	}
}

// TestReadNoBlankLines: a dump without blank lines reads as if each line
// were a block, while a wrapped title stays one.
func TestReadNoBlankLines(t *testing.T) {
	d, err := Read(strings.NewReader(" date 2022-02-08 https://example.com/a\nTalks Helped Avoid Escalation\nTalks Helped Avoid Escalation\n2022-02-08T10:30+0000\nThe talks went on for five hours.\nBoth sides said progress was made.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Article.Title != "Talks Helped Avoid Escalation" {
		t.Errorf("title = %q", d.Article.Title)
	}
	checkDoc(t, d, want{
		text: "The talks went on for five hours.\n\nBoth sides said progress was made.",
		pub:  "2022-02-08T10:30:00Z", note: "no blank line after the title",
	})
	d, err = Read(strings.NewReader(" date 2022-02-08 https://example.com/a\n\nHarbour Reopens After\nStorm Repairs\n\nThe harbour reopened.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Article.Title != "Harbour Reopens After Storm Repairs" {
		t.Errorf("wrapped title = %q", d.Article.Title)
	}
	checkDoc(t, d, want{text: "The harbour reopened."})
}
