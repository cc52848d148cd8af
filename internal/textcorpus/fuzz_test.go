package textcorpus

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-archive/herald/article"
)

// FuzzRead checks that Read never panics, that what it returns is well
// formed, and that writing the result and reading it back changes nothing:
// Read is idempotent on its own clean output.
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	for _, s := range []string{
		"", " date 0000-00-00\n\nT", " date 2022-02-08 https://e.com/a\n\nT\n\nT\n\nx.Y",
		" date 2022-02-08 https://e.com/a\n\nT\n\nA b. 08.02.2022, Example News\n\nA b.",
		" date 2022-02-08 https://e.com/a\n\nT\n\n\"a.\"B \"c.\"D",
		" date 2022-02-08 https://e.com/a\n\nT\n\nExample News a@b.co +74950000000 252 60 1920 1080 true en_EN",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := Read(strings.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrNoHeader) {
				t.Fatalf("Read error %v is not ErrNoHeader", err)
			}
			return
		}
		a := d.Article
		if a.WordCount != article.CountWords(a.Text) {
			t.Fatalf("word_count %d, CountWords %d", a.WordCount, article.CountWords(a.Text))
		}
		if strings.Contains(a.Title, "\n") || a.Title != strings.TrimSpace(a.Title) {
			t.Fatalf("title %q is not one trimmed line", a.Title)
		}
		if a.Text != strings.TrimSpace(a.Text) || strings.Contains(a.Text, "\n\n\n") {
			t.Fatalf("text %q is not trimmed blocks", a.Text)
		}
		for _, n := range d.Recovered {
			if !strings.HasPrefix(n, "line ") {
				t.Fatalf("recovery note %q has no line", n)
			}
		}
		if a.Title == "" {
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, &a); err != nil {
			t.Fatal(err)
		}
		d2, err := Read(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("Read of Write output %q: %v", buf.String(), err)
		}
		b := d2.Article
		if b.Title != a.Title || b.Text != a.Text {
			t.Fatalf("rewrite reads back differently\nfirst  %q / %q\nsecond %q / %q\nfile %q", a.Title, a.Text, b.Title, b.Text, buf.String())
		}
		if !a.Published.IsZero() && b.Published.Format("2006-01-02") != a.Published.UTC().Format("2006-01-02") {
			t.Fatalf("date %v read back as %v", a.Published, b.Published)
		}
	})
}
