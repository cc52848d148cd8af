package discover

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func showLinks(ls []Link) string {
	var b strings.Builder
	for _, l := range ls {
		mark := " "
		if l.Pagination {
			mark = "P"
		}
		fmt.Fprintf(&b, "%s %s %q\n", mark, l.URL, l.Text)
	}
	return b.String()
}

func TestLinks(t *testing.T) {
	const h = "https://www.harbourtimes.example"
	tests := []struct {
		name, page, pageURL, want string
	}{
		{
			name:    "section page",
			page:    string(fixture(t, "section.html")),
			pageURL: h + "/local/",
			// The page itself (#main, /local/ links) is left out; the
			// article linked three times keeps its first place and its
			// first text (the image's alt); <link rel=next> has no text, so
			// its URL takes the text of the first <a> to it; both are
			// pagination, and so is ?page=3.
			want: `P ` + h + `/local/page/2/ "2"
  ` + h + `/ "The Harbour Times"
  ` + h + `/world/ "World"
  https://shop.harbourtimes.example/ "Shop"
  ` + h + `/2024/05/01/harbour-reopens-after-storm-repairs.html "Cranes on the quay"
  ` + h + `/local/2024/05/02/ferry-timetable-changes "Ferry timetable changes"
  ` + h + `/author/anna-lind/ "Anna Lind"
  ` + h + `/tag/ferries/ "Ferries"
P ` + h + `/local/?page=3 "3"
P ` + h + `/local/archive?before=2024-05-01 "Older posts ›"
  ` + h + `/local/map-of-the-harbour-works "Map of the works"
  ` + h + `/about "About us"
  ` + h + `/privacy "Privacy policy"
`,
		},
		{
			name:    "base href",
			page:    `<base href="https://cdn.harbourtimes.example/mirror/"><a href="a.html">A</a><a href="/b">B</a><a href="https://www.harbourtimes.example/c">C</a>`,
			pageURL: h + "/x/y",
			want: `  https://cdn.harbourtimes.example/mirror/a.html "A"
  https://cdn.harbourtimes.example/b "B"
  https://www.harbourtimes.example/c "C"
`,
		},
		{
			name: "pagination texts",
			page: `<a href="/n1">Next</a><a href="/n2">Next page →</a><a href="/n3">« Older Entries</a><a href="/n4">Page 4</a>` +
				`<a href="/n5">Suivant</a><a href="/n6">Следующая страница</a><a href="/n7">次へ</a><a href="/n8" rel="next nofollow">x</a>` +
				`<a href="/n9/page/9">9</a><a href="/n10?paged=10">10</a>` +
				`<a href="/c1">Next week's ferry timetable</a><a href="/c2">2</a><a href="/c3?page=last">Last</a><a href="/c4">Older people and the harbour</a>`,
			pageURL: h + "/",
			want: `P ` + h + `/n1 "Next"
P ` + h + `/n2 "Next page →"
P ` + h + `/n3 "« Older Entries"
P ` + h + `/n4 "Page 4"
P ` + h + `/n5 "Suivant"
P ` + h + `/n6 "Следующая страница"
P ` + h + `/n7 "次へ"
P ` + h + `/n8 "x"
P ` + h + `/n9/page/9 "9"
P ` + h + `/n10?paged=10 "10"
  ` + h + `/c1 "Next week's ferry timetable"
  ` + h + `/c2 "2"
  ` + h + `/c3?page=last "Last"
  ` + h + `/c4 "Older people and the harbour"
`,
		},
		{
			name:    "unclosed and nested anchors",
			page:    `<p><a href="/one">One <a href="/two">Two</a> tail<a href="/three">Three`,
			pageURL: h + "/",
			want: `  ` + h + `/one "One"
  ` + h + `/two "Two"
  ` + h + `/three "Three"
`,
		},
		{
			name:    "entities, tabs and newlines in href",
			page:    "<a href=\"/a?x=1&amp;y=2\">Fish &amp; chips</a><a href=\"/b\tc\nd\">split</a>",
			pageURL: h + "/",
			want: `  ` + h + `/a?x=1&y=2 "Fish & chips"
  ` + h + `/bcd "split"
`,
		},
		{
			name:    "scripts are not links",
			page:    `<script>document.write('<a href="/fake">fake</a>')</script><a href="/real">real</a>`,
			pageURL: h + "/",
			want:    `  ` + h + "/real \"real\"\n",
		},
		{
			name:    "no usable page URL keeps absolute links only",
			page:    `<a href="/rel">rel</a><a href="https://abs.example/x">abs</a>`,
			pageURL: "not a url",
			want:    "  https://abs.example/x \"abs\"\n",
		},
		{name: "empty", page: "", pageURL: h + "/", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := showLinks(Links([]byte(tt.page), tt.pageURL)); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestLinksLongText(t *testing.T) {
	page := `<a href="/long">` + strings.Repeat("é", 2000) + `</a>`
	ls := Links([]byte(page), "https://www.harbourtimes.example/")
	if len(ls) != 1 {
		t.Fatalf("got %d links", len(ls))
	}
	if n := len(ls[0].Text); n > maxTextLen || n < maxTextLen-1 {
		t.Errorf("text of %d bytes, want about %d", n, maxTextLen)
	}
	if !strings.HasSuffix(ls[0].Text, "é") {
		t.Errorf("text cut inside a character: %q", ls[0].Text[len(ls[0].Text)-4:])
	}
}
