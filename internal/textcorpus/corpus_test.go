package textcorpus

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
)

// TestCorpusFiles reads the hand-written noisy dumps in testdata and checks
// every field, what must and must not be in the text, and that writing the
// result and reading it again changes nothing.
func TestCorpusFiles(t *testing.T) {
	tests := []struct {
		file                        string
		title, url, canonical       string
		pub, mod                    string
		desc, site, lang, image     string
		tags                        []string
		paragraphs                  int
		firstParagraph              string
		mustContain, mustNotContain []string
		notes                       int
	}{
		{
			file: "clean.txt", title: "Harbour Reopens After Storm Repairs",
			url: "https://news.example.org/2021/06/03/harbour-reopens.html", pub: "2021-06-03T00:00:00Z",
			paragraphs: 3, firstParagraph: "The city harbour reopened on Thursday after three weeks of repairs.",
		},
		{
			file: "noisy_talks.txt", title: "Border Talks End Without Deal",
			url: "https://example-news.com/world/2022/02/08/border-talks-end-without-deal.html",
			pub: "2022-02-08T10:30:00Z", mod: "2022-02-08T16:45:12Z",
			desc: "Negotiators left the capital on Tuesday without an agreement on the disputed border crossings.",
			site: "Example News", lang: "en", image: "https://cdn.example-news.com/images/2022/02/08/talks-1920.jpg?w=1920",
			tags: []string{"Politics", "Europe", "Diplomacy"}, paragraphs: 6,
			firstParagraph: "The third round of talks between the two delegations ended on Tuesday evening without a joint statement, officials on both sides said.",
			mustContain:    []string{"\n\nThe foreign ministry spokesman said", "reporters.\n\n\"The remaining three", "the U.S. and the E.U.", "3.5 per cent", "example-news.com."},
			mustNotContain: []string{"/html", "@", "+7495", "1920", "en_EN", "08.02.2022", "2022-02-08T", "Diplomacy", "Border Talks"},
			notes:          16,
		},
		{
			file: "noisy_ru.txt", title: "Переговоры завершились без соглашения",
			url: "https://novosti.example.ru/politics/2022/02/08/peregovory", pub: "2022-02-08T13:30:00+03:00",
			site: "Пример Новостей", lang: "ru", tags: []string{"Политика", "Европа", "Дипломатия"}, paragraphs: 3,
			firstParagraph: "Делегации покинули столицу во вторник, так и не договорившись о спорных пунктах пропуска.",
			mustNotContain: []string{"//meta", "ru_RU", "+7", "@", "Политика"},
			notes:          8,
		},
		{
			file: "noisy_nodate.txt", title: "Central Bank Raises Rates Again",
			url:       "https://www.example.com.br/economia/2023/03/14/juros-sobem?utm_source=rss",
			canonical: "https://www.example.com.br/economia/2023/03/14/juros-sobem",
			pub:       "2023-03-14T09:00:00-03:00", mod: "2023-03-15T08:00:00Z",
			site: "Example Noticias", lang: "pt-BR", image: "https://img.example.com.br/2023/03/juros.webp", paragraphs: 5,
			firstParagraph: "The central bank raised its benchmark rate by half a point on Tuesday, the third increase this year.",
			mustContain:    []string{"\n\nEconomists had expected the move.", "J.R.R. Partners", "the U.S. decision", "e.g. the committee", "bank.example.com.br", "Node.js", "No.1", "Mr.Smith"},
			mustNotContain: []string{"juros-thumb", "pt_BR", "18:20"},
			notes:          10,
		},
		{
			file: "prose_lookalikes.txt", title: "New Rules for Landlords",
			url: "https://example.org/city/2020/11/30/new-rules-for-landlords", pub: "2020-11-30T00:00:00Z",
			paragraphs: 9, firstParagraph: "Prices, wages and rents",
			mustContain: []string{"housing@example.org", "01.03.2021", "What changes", "Call 0800 555 0199", "2 3"},
		},
		{
			file: "noisy_packed.txt", title: "Bridge To Close For Six Months",
			url: "http://www.example-gazette.co.uk/local/2019/10/21/bridge-closure",
			pub: "2019-10-21T07:15:00+01:00", mod: "2019-10-22T09:00:00+01:00",
			site: "Example Gazette", lang: "en", image: "http://img.example-gazette.co.uk/bridge.jpeg",
			tags: []string{"Transport", "Roads", "Local council"}, paragraphs: 3,
			firstParagraph: "The old river bridge will close to all traffic from next Monday while engineers replace its supporting cables, the council said.",
			mustNotContain: []string{"Example Gazette", "1632", "1200 630", "og:title"},
			notes:          13,
		},
	}
	// The talks dump again with no blank lines at all, every line a
	// block: it reads the same, with one more note (the lines read one by
	// one).
	for _, tt := range tests {
		if tt.file == "noisy_talks.txt" {
			tt.file, tt.notes = "noisy_lines.txt", tt.notes+1
			tests = append(tests, tt)
			break
		}
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			d, err := Read(f)
			if err != nil {
				t.Fatal(err)
			}
			a := d.Article
			ts := func(tm time.Time) string {
				if tm.IsZero() {
					return ""
				}
				return tm.Format(time.RFC3339)
			}
			for _, c := range []struct{ field, got, want string }{
				{"title", a.Title, tt.title}, {"url", a.URL, tt.url}, {"canonical_url", a.CanonicalURL, tt.canonical},
				{"published", ts(a.Published), tt.pub}, {"modified", ts(a.Modified), tt.mod},
				{"description", a.Description, tt.desc}, {"site_name", a.SiteName, tt.site},
				{"language", a.Language, tt.lang}, {"image", a.Image, tt.image},
			} {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
				}
			}
			if !slices.Equal(a.Tags, tt.tags) {
				t.Errorf("tags = %q, want %q", a.Tags, tt.tags)
			}
			paras := a.Paragraphs()
			if len(paras) != tt.paragraphs {
				t.Errorf("%d paragraphs, want %d:\n%s", len(paras), tt.paragraphs, a.Text)
			} else if paras[0] != tt.firstParagraph {
				t.Errorf("first paragraph %q, want %q", paras[0], tt.firstParagraph)
			}
			for _, s := range tt.mustContain {
				if !strings.Contains(a.Text, s) {
					t.Errorf("text lacks %q", s)
				}
			}
			for _, s := range tt.mustNotContain {
				if strings.Contains(a.Text, s) {
					t.Errorf("text contains %q", s)
				}
			}
			if a.WordCount == 0 || a.WordCount != article.CountWords(a.Text) {
				t.Errorf("word_count = %d", a.WordCount)
			}
			if len(d.Recovered) != tt.notes {
				t.Errorf("%d recovery notes, want %d: %q", len(d.Recovered), tt.notes, d.Recovered)
			}

			// The recovered record written cleanly reads back the same.
			var buf bytes.Buffer
			if err := Write(&buf, &a); err != nil {
				t.Fatal(err)
			}
			d2, err := Read(&buf)
			if err != nil {
				t.Fatal(err)
			}
			b := d2.Article
			wantURL := a.URL
			if a.CanonicalURL != "" {
				wantURL = a.CanonicalURL
			}
			y1, m1, d1 := a.Published.UTC().Date()
			y2, m2, dd2 := b.Published.Date()
			if b.Title != a.Title || b.Text != a.Text || b.URL != wantURL || y1 != y2 || m1 != m2 || d1 != dd2 {
				t.Errorf("clean rewrite reads back differently:\n%s", buf.String())
			}
			if len(d2.Recovered) != 0 {
				t.Errorf("clean rewrite reports recoveries %q", d2.Recovered)
			}
		})
	}
}
