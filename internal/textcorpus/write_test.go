package textcorpus

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
)

func TestWrite(t *testing.T) {
	moscow := time.FixedZone("MSK", 3*3600)
	tests := []struct {
		name string
		a    article.Article
		want string
	}{
		{
			name: "canonical URL and paragraphs",
			a: article.Article{
				URL:          "https://example.com/a?utm_source=x",
				CanonicalURL: "https://example.com/a",
				Title:        "A Title",
				Published:    time.Date(2021, 6, 3, 9, 30, 0, 0, time.UTC),
				Text:         "First paragraph.\n\nSecond paragraph.",
			},
			want: " date 2021-06-03 https://example.com/a\n\nA Title\n\nFirst paragraph.\n\nSecond paragraph.\n",
		},
		{
			// The archive's day (UTC), not the publisher's: read back
			// at midnight UTC, the article stays on the day after: and
			// before: and timelines put it on.
			name: "date in UTC, not the article's own zone",
			a: article.Article{
				URL:       "https://example.ru/b",
				Title:     "B",
				Published: time.Date(2022, 2, 8, 1, 30, 0, 0, moscow), // 2022-02-07 in UTC
				Text:      "Text.",
			},
			want: " date 2022-02-07 https://example.ru/b\n\nB\n\nText.\n",
		},
		{
			name: "unknown date, URL without canonical",
			a:    article.Article{URL: "https://example.com/c", Title: "C", Text: "Text."},
			want: " date 0000-00-00 https://example.com/c\n\nC\n\nText.\n",
		},
		{
			name: "no URL",
			a:    article.Article{Title: "D", Text: "Text."},
			want: " date 0000-00-00\n\nD\n\nText.\n",
		},
		{
			name: "space in URL escaped",
			a:    article.Article{URL: " https://example.com/a b\n", Title: "E"},
			want: " date 0000-00-00 https://example.com/a%20b\n\nE\n",
		},
		{
			name: "title on one line",
			a:    article.Article{URL: "https://example.com/f", Title: "  Two\nLines \t Title ", Text: "Text."},
			want: " date 0000-00-00 https://example.com/f\n\nTwo Lines Title\n\nText.\n",
		},
		{
			name: "blank and whitespace lines separate blocks",
			a: article.Article{URL: "https://example.com/g", Title: "G",
				Text: "\n\n  One.  \n \t \nTwo,\nstill two.\n\n\n\nThree.\n\n"},
			want: " date 0000-00-00 https://example.com/g\n\nG\n\nOne.\n\nTwo,\nstill two.\n\nThree.\n",
		},
		{
			name: "empty text",
			a:    article.Article{URL: "https://example.com/h", Title: "H"},
			want: " date 0000-00-00 https://example.com/h\n\nH\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, &tt.a); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("Write\n got %q\nwant %q", got, tt.want)
			}
			var again bytes.Buffer
			if err := Write(&again, &tt.a); err != nil || !bytes.Equal(again.Bytes(), buf.Bytes()) {
				t.Error("Write is not deterministic")
			}
		})
	}
}

func TestWriteClean(t *testing.T) {
	want, err := os.ReadFile("testdata/clean.txt")
	if err != nil {
		t.Fatal(err)
	}
	a := article.Article{
		URL:       "https://news.example.org/2021/06/03/harbour-reopens.html",
		Title:     "Harbour Reopens After Storm Repairs",
		Published: time.Date(2021, 6, 3, 14, 0, 0, 0, time.UTC),
		Text: "The city harbour reopened on Thursday after three weeks of repairs.\n\n" +
			"Officials said the breakwater had been rebuilt to withstand stronger storms.\n\n" +
			`"We are open for business again," the harbour master said.`,
	}
	var buf bytes.Buffer
	if err := Write(&buf, &a); err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(want) {
		t.Errorf("Write\n got %q\nwant %q", buf.String(), want)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrors(t *testing.T) {
	for _, title := range []string{"", "  \n\t"} {
		err := Write(&bytes.Buffer{}, &article.Article{URL: "https://example.com/x", Title: title, Text: "Text."})
		if !errors.Is(err, ErrNoTitle) {
			t.Errorf("Write with title %q: %v, want ErrNoTitle", title, err)
		}
	}
	err := Write(failWriter{}, &article.Article{URL: "https://example.com/x", Title: "T"})
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "https://example.com/x") {
		t.Errorf("Write to a failing writer: %v", err)
	}
}

// TestRoundTrip checks Read(Write(a)) == a for the fields the format
// carries: URL, publication date, title, text and word count.
func TestRoundTrip(t *testing.T) {
	articles := []article.Article{
		{
			URL: "https://news.example.org/2021/06/03/harbour-reopens.html", Title: "Harbour Reopens After Storm Repairs",
			Published: time.Date(2021, 6, 3, 0, 0, 0, 0, time.UTC),
			Text:      "The city harbour reopened on Thursday.\n\nOfficials said the breakwater had been rebuilt.\n\n\"We are open,\" she said.",
		},
		{
			URL: "https://example.com/world/2022/02/08/talks", Title: "Talks: What Happens Next?",
			Published: time.Date(2022, 2, 8, 0, 0, 0, 0, time.UTC),
			Text: "Observers said the U.S. and the E.U. had urged the parties to keep talking.\n\n" +
				"Trade fell by 3.5 per cent, according to figures on example.com and in the Node.js app.\n\n" +
				"Mr.Smith, No.1 on the list, e.g. the chair, spoke to J.R.R. Partners.\n\n" +
				"What happens next\n\n" +
				"A list:\n- first item\n- second item\n\n" +
				"Readers can write to desk@example.com with questions.",
		},
		{
			URL: "https://example.ru/2022/02/08/a", Title: "Переговоры завершились без соглашения",
			Published: time.Date(2022, 2, 8, 0, 0, 0, 0, time.UTC),
			Text:      "Делегации покинули столицу во вторник.\n\nПредставитель министерства заявил, что раунд пройдет в марте.",
		},
		{URL: "https://example.com/no-date", Title: "No Date", Text: "Only one paragraph."},
		{URL: "https://example.com/no-text", Title: "No Text"},
		{Title: "No URL", Text: "Some text."},
	}
	for _, a := range articles {
		t.Run(a.Title, func(t *testing.T) {
			a.WordCount = article.CountWords(a.Text)
			var buf bytes.Buffer
			if err := Write(&buf, &a); err != nil {
				t.Fatal(err)
			}
			d, err := Read(&buf)
			if err != nil {
				t.Fatal(err)
			}
			got := d.Article
			if got.URL != a.URL || got.Title != a.Title || got.Text != a.Text ||
				got.WordCount != a.WordCount || !got.Published.Equal(a.Published) {
				t.Errorf("round trip\n got %+v\nwant %+v", got, a)
			}
			if len(d.Recovered) != 0 {
				t.Errorf("clean input reported recoveries: %q", d.Recovered)
			}
		})
	}
}

// An exporter writes Untitled for an article without a title; reading it
// back gives no title, and the first paragraph stays text.
func TestUntitledRoundTrip(t *testing.T) {
	a := article.Article{URL: "https://example.com/untitled", Title: Untitled, Text: "First paragraph.\n\nSecond paragraph."}
	var buf bytes.Buffer
	if err := Write(&buf, &a); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), " date 0000-00-00 https://example.com/untitled\n\n(untitled)\n\n") {
		t.Fatalf("written:\n%s", buf.String())
	}
	d, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if d.Article.Title != "" || d.Article.Text != a.Text || !d.Article.Published.IsZero() {
		t.Errorf("read back title %q, text %q, published %v; want no title, the text, no date", d.Article.Title, d.Article.Text, d.Article.Published)
	}
}
