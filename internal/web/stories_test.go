package web

import (
	"context"
	"html"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
)

// A story whose first archived article names an original the archive
// does not hold says so on the attention page and in /api/stories: the
// story began there. Its copies share no text (a teaser and a rewrite)
// and are one story because they name one original.
func TestStoryNamesItsOriginal(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	day := time.Date(2024, 5, 2, 8, 0, 0, 0, time.UTC)
	copyOf := func(url, text string, at time.Time) *store.Record {
		return &store.Record{Article: article.Article{URL: url, Title: "Ferry strike ends", Published: at, Language: "en",
			OriginalURL: "https://wire.example/2024/05/ferry-strike-ends", Text: text}}
	}
	res, err := archive.Ingest(ctx, db, []*store.Record{
		copyOf("https://partner.example/ferry", "The ferry strike ended overnight after talks at the port.", day),
		copyOf("https://reader.example/news/ferry", "Crews returned to the ferries this morning, ending a week of cancelled crossings across the bay.", day.Add(3*time.Hour)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[1].Outcome != store.Duplicate || res[1].ClusterID != res[0].ClusterID {
		t.Fatalf("second copy: %v in %s, want a duplicate in %s", res[1].Outcome, res[1].ClusterID, res[0].ClusterID)
	}
	h := New(db, Options{})
	resp, body := do(t, h, "GET", "/timeline?q=ferry", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `names <span dir="auto">wire.example</span> as the original`) ||
		!strings.Contains(body, "2 articles on 2") {
		t.Errorf("attention page: status %d, no story naming its original:\n%s", resp.StatusCode, clip(body))
	}
	resp, body = do(t, h, "GET", "/api/stories?q=ferry", nil)
	var sr StoriesResponse
	decode(t, body, &sr)
	if resp.StatusCode != 200 || len(sr.Stories) != 1 || sr.Stories[0].First.OriginalURL != "https://wire.example/2024/05/ferry-strike-ends" ||
		sr.Stories[0].First.ID != res[0].ID {
		t.Errorf("/api/stories: %d %+v", resp.StatusCode, sr)
	}
}

// Every top-list row of the attention page links to a search that finds
// as many articles as the row counts: the lists count articles, copies
// included, so their links show every copy (the search page collapses
// them by default, and a row of 2 opened "1 story").
func TestTopListLinksFindTheirCount(t *testing.T) {
	f := sharedArchive(t)
	h := testServer(f, Options{})
	_, body := do(t, h, "GET", "/timeline?q=harbour", nil)
	rows := regexp.MustCompile(`<li><a href="([^"]+)" dir="auto">[^<]*</a><span class="n">([0-9,]+)</span>`).FindAllStringSubmatch(body, -1)
	if len(rows) < 5 {
		t.Fatalf("%d top-list rows on the attention page, want some to follow", len(rows))
	}
	for _, row := range rows {
		href := html.UnescapeString(row[1])
		_, page := do(t, h, "GET", href, nil)
		count, _ := textOfPage(page, "result-count")
		want := " of " + row[2] + " article"
		if !strings.Contains(count, want) {
			t.Errorf("%s: the list counts %s, the search says %q", href, row[2], count)
		}
	}
}

// textOfPage returns the text of the element with id in the HTML page.
func textOfPage(page, id string) (string, bool) {
	doc, err := xhtml.Parse(strings.NewReader(page))
	if err != nil {
		return "", false
	}
	return textOf(doc, id)
}
