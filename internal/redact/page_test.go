package redact

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// checkPage runs BlankPage and asserts the copy's length, that every
// snippet of kept is still at its offset, that none of lost is left, and
// that the copy parses to the same elements as the page but for those
// blanked (tags are never cut).
func checkPage(t *testing.T, doc, pageURL string, wantN int, kept, lost []string) string {
	t.Helper()
	return checkPageNamed(t, doc, pageURL, named, wantN, kept, lost)
}

// checkPageNamed is checkPage with the URLs named names; a byte may
// also become { or } in the text of a JSON-LD script (one emptied to
// {}), and nowhere else.
func checkPageNamed(t *testing.T, doc, pageURL string, named func(string) bool, wantN int, kept, lost []string) string {
	t.Helper()
	out, n, err := BlankPage([]byte(doc), pageURL, named)
	if err != nil {
		t.Fatalf("BlankPage: %v", err)
	}
	checkCopy(t, doc, out, n, wantN, kept, lost)
	inLD := func(i int) bool {
		return slices.ContainsFunc(ldSpans([]byte(doc)), func(s [2]int) bool { return s[0] <= i && i < s[1] })
	}
	for i := range out {
		if c := out[i]; c != doc[i] && c != ' ' && (c != '{' && c != '}' || !inLD(i)) {
			t.Fatalf("byte %d changed to %q", i, out[i])
		}
	}
	if _, err := html.Parse(bytes.NewReader(out)); err != nil {
		t.Errorf("the copy does not parse: %v", err)
	}
	return string(out)
}

// A section front: the list item's link to the page, headline and all,
// becomes spaces, and with it the item (a teaser: its date goes too);
// the other items stay.
func TestBlankPageFront(t *testing.T) {
	doc := `<!DOCTYPE html><html><head><title>Local news</title></head><body>
<ul class="stories">
<li><a href="/2026/other">Council approves harbour budget</a> <small>2 Jan</small></li>
<li><a class="headline" href="/2026/jane-doe-story?utm_source=front"
   >Jane Doe speaks <em>about her debts</em></a> <small>3 Jan</small></li>
<li><a href="https://news.example/2026/ferry">Ferry terminal widened</a></li>
</ul>
<p><a href="../../2026/jane-doe-story">Jane Doe speaks, a headline alone</a></p>
</body></html>`
	named := func(u string) bool { return strings.HasPrefix(u, gone) }
	out, n, err := BlankPage([]byte(doc), "https://news.example/section/local/", named)
	if err != nil || n != 2 {
		t.Fatalf("BlankPage: %d, %v", n, err)
	}
	for _, l := range []string{"Jane Doe", "her debts", "jane-doe-story", "headline alone", "3 Jan"} {
		if strings.Contains(string(out), l) {
			t.Errorf("%q is still there:\n%s", l, out)
		}
	}
	for _, k := range []string{`<li><a href="/2026/other">Council approves harbour budget</a> <small>2 Jan</small></li>`,
		"\n<li><a href=\"https://news.example/2026/ferry\">Ferry terminal widened</a></li>", `<li><a href="https://news.example/2026/ferry">Ferry terminal widened</a></li>`, "<p>", "</p>"} {
		if i := strings.Index(doc, k); string(out[i:i+len(k)]) != k {
			t.Errorf("%q was not kept", k)
		}
	}
	if strings.Count(string(out), "\n") != strings.Count(doc, "\n") {
		t.Error("line ends were lost")
	}
}

// A teaser card whose link wraps the headline and image, blanked whole
// with its summary; relative links resolved against <base href>; a link
// as an element's only content.
func TestBlankPageCards(t *testing.T) {
	doc := `<html><head><base href="https://news.example/2026/"></head><body>
<article class="card"><a href="jane-doe-story"><img src="/i/jane.jpg" alt="Jane Doe at the council"><h3>Jane Doe speaks</h3><div>a teaser</div></a><p>Summary kept</p></article>
<article class="card"><a href="ferry"><h3>Ferry</h3></a></article>
<aside><h2>Most read</h2><ol><li><a href=jane-doe-story>Jane Doe, unquoted</a></ol></aside>
</body></html>`
	checkPage(t, doc, "https://news.example/", 2,
		[]string{`<article class="card"><a href="ferry"><h3>Ferry</h3></a></article>`, `</ol></aside>`},
		[]string{"Jane Doe", "jane-doe-story", "a teaser", "jane.jpg", "Summary"})
}

// A link in another article's running text (a paragraph with words of
// its own): the words stay, only the link's target goes.
func TestBlankPageRunningText(t *testing.T) {
	doc := `<html><body><article><h1>Harbour budget</h1>
<p>As we <a title="x" href="https://news.example/2026/jane-doe-story" class="inline">reported last week</a>, the council met &amp; voted.</p>
<p>Other <a href="https://news.example/b">words</a>.</p>
</article></body></html>`
	out := checkPage(t, doc, "https://news.example/harbour", 1,
		[]string{`<p>As we <a title="x" href="`, `" class="inline">reported last week</a>, the council met &amp; voted.</p>`, `<p>Other <a href="https://news.example/b">words</a>.</p>`},
		[]string{"jane-doe-story"})
	if !strings.Contains(out, `href="                                        "`) {
		t.Errorf("the href was not blanked in place:\n%s", out)
	}
}

// Markup that is not a link is not read as one: a script's string, a
// comment, an attribute that is not a reference (a title); a link left open ends
// where its list item does (the item, a teaser, goes with it); no link
// named, no copy changed.
func TestBlankPageMarkup(t *testing.T) {
	doc := `<html><head><script>var s = "<a href='/2026/jane-doe-story'>in a script</a>";</script>
<!-- <a href="/2026/jane-doe-story">in a comment</a> --></head><body>
<img title="/2026/jane-doe-story" alt="kept image">
<ul><li><a href="/2026/jane-doe-story">Jane Doe left open</li><li>kept item</li></ul>
<a href="/2026/jane-doe-story">Jane Doe at the end`
	out := checkPage(t, doc, "https://news.example/", 2,
		[]string{`<script>var s = "<a href='/2026/jane-doe-story'>in a script</a>";</script>`, `<!-- <a href="/2026/jane-doe-story">in a comment</a> -->`,
			`<img title="/2026/jane-doe-story" alt="kept image">`, `<li>kept item</li></ul>`},
		[]string{"left open", "at the end"})
	_ = out
	plain := `<html><body><a href="/a">A</a></body></html>`
	checkPage(t, plain, "https://news.example/", 0, []string{plain}, nil)
	for _, doc := range []string{`{"items":[]}`, ``, "https://news.example/2026/jane-doe-story\n", "\x89PNG"} {
		if _, _, err := BlankPage([]byte(doc), "https://news.example/", named); !errors.Is(err, ErrNotPage) {
			t.Errorf("%.30q: %v, want ErrNotPage", doc, err)
		}
	}
}
