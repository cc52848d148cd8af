package web

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// windowServer serves an archive where one word matches more articles
// than relevance ranking considers (store.RankWindow).
func windowServer(t *testing.T) (*Server, int) {
	return windowServerCopies(t, false)
}

// windowServerCopies is windowServer; with copies, the articles after the
// first 30 come in pairs of near-duplicates (one cluster each), so the
// rank window holds half as many clusters as matches.
func windowServerCopies(t *testing.T, copies bool) (*Server, int) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	n := store.RankWindow + 30
	var entries []store.Entry
	for i := range n {
		entries = append(entries, store.Entry{Record: &store.Record{
			ID: fmt.Sprintf("w%05d", i), ContentHash: fmt.Sprintf("hash-w%05d", i),
			Article: article.Article{
				URL: fmt.Sprintf("https://window.example/a/%d", i), Title: fmt.Sprintf("Report %d", i),
				Published: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
				Text:      fmt.Sprintf("The lighthouse keeper wrote entry %d.", i),
			}}})
		if copies && i >= 30 && (i-30)%2 == 1 {
			entries[i].Record.ClusterID = entries[i-1].Record.ID
		}
	}
	storetest.Load(t, db, entries)
	return New(db, Options{}), n
}

// TestPagingStopsAtTheRankWindow checks that the API's next link and the
// search page's pager stop where hits can be had: relevance ranking of
// words alone sees store.RankWindow matches though the total counts all.
func TestPagingStopsAtTheRankWindow(t *testing.T) {
	h, n := windowServer(t)
	get := func(target string) searchBody {
		t.Helper()
		res, body := do(t, h, "GET", target, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%s: status %d: %s", target, res.StatusCode, clip(body))
		}
		var sb searchBody
		decode(t, body, &sb)
		return sb
	}
	last := get(fmt.Sprintf("/api/search?q=lighthouse&offset=%d", store.RankWindow-20))
	if last.Total != n || len(last.Hits) != 20 || last.Next != "" {
		t.Errorf("last ranked page: total %d, %d hits, next %q; want %d, 20 and no next", last.Total, len(last.Hits), last.Next, n)
	}
	if past := get(fmt.Sprintf("/api/search?q=lighthouse&offset=%d", store.RankWindow)); len(past.Hits) != 0 || past.Next != "" {
		t.Errorf("past the window: %d hits, next %q", len(past.Hits), past.Next)
	}
	// A filter sees every match, and pages to the end (date order too:
	// TestReach).
	p := get(fmt.Sprintf("/api/search?q=lighthouse+site:window.example&offset=%d", store.RankWindow-20))
	if len(p.Hits) != 20 || p.Next == "" {
		t.Errorf("with a filter: %d hits, next %q; want 20 and a next page", len(p.Hits), p.Next)
	}
	if p = get(p.Next); len(p.Hits) != 20 {
		t.Errorf("with a filter: next page has %d hits", len(p.Hits))
	}

	lastPage := store.RankWindow / pageSize
	for _, dups := range []string{"", "&dups=show"} {
		_, body := do(t, h, "GET", "/?q=lighthouse"+dups, nil)
		if !strings.Contains(body, fmt.Sprintf(`page=%d&amp;q=lighthouse">%d</a>`, lastPage, lastPage)) ||
			strings.Contains(body, fmt.Sprintf(`page=%d&`, lastPage+1)) {
			t.Errorf("pager%s: want links up to page %d and no further: %s", dups, lastPage, between(body, `class="pages"`, 600))
		}
		_, body = do(t, h, "GET", fmt.Sprintf("/?q=lighthouse%s&page=%d", dups, lastPage), nil)
		doc := checkSafeHTML(t, "last page", body)
		if c, _ := textOf(doc, "result-count"); !strings.HasPrefix(c, "1,981–2,000 of 2,030") || strings.Contains(body, "Next page") {
			t.Errorf("last page%s: count %q, next link %v", dups, c, strings.Contains(body, "Next page"))
		}
		if _, ok := textOf(doc, "window-note"); !ok {
			t.Errorf("last page%s: no note on the ranking window", dups)
		}
		_, body = do(t, h, "GET", fmt.Sprintf("/?q=lighthouse%s&page=%d", dups, lastPage+1), nil)
		doc = checkSafeHTML(t, "past the end", body)
		want := fmt.Sprintf("2,030 %s match, but page %d is past the last (%d).", map[string]string{"": "stories", "&dups=show": "articles"}[dups], lastPage+1, lastPage)
		if c, _ := textOf(doc, "result-count"); c != want {
			t.Errorf("past the last page%s: count %q, want %q", dups, c, want)
		}
	}
}

// TestPagingStopsAtTheClustersOfTheRankWindow checks the pager and the
// API's next link of a collapsed search of words alone whose rank window
// holds fewer clusters than the total counts: its 2,000 matches in pairs
// of copies are 1,000 clusters, 50 pages, though 1,030 clusters match.
func TestPagingStopsAtTheClustersOfTheRankWindow(t *testing.T) {
	h, _ := windowServerCopies(t, true)
	const clusters, lastPage = store.RankWindow / 2, store.RankWindow / 2 / pageSize
	for _, page := range []int{lastPage - 3, lastPage} {
		_, body := do(t, h, "GET", fmt.Sprintf("/?q=lighthouse&page=%d", page), nil)
		doc := checkSafeHTML(t, "pager", body)
		if c, _ := textOf(doc, "result-count"); !strings.Contains(c, "of 1,030 stories") {
			t.Errorf("page %d: count %q", page, c)
		}
		for p := lastPage + 1; p <= lastPage+4; p++ {
			if strings.Contains(body, fmt.Sprintf(`page=%d&`, p)) {
				t.Errorf("page %d links to page %d, past the last (%d): %s", page, p, lastPage, between(body, `class="pager"`, 900))
			}
		}
		if page == lastPage && strings.Contains(body, "Next page") {
			t.Errorf("last page %d has a next page link", page)
		}
		if page < lastPage && !strings.Contains(body, fmt.Sprintf(`page=%d&amp;q=lighthouse">%d</a>`, lastPage, lastPage)) {
			t.Errorf("page %d: no link to the last page %d: %s", page, lastPage, between(body, `class="pager"`, 900))
		}
	}
	_, body := do(t, h, "GET", fmt.Sprintf("/?q=lighthouse&page=%d", lastPage+1), nil)
	want := fmt.Sprintf("1,030 stories match, but page %d is past the last (%d).", lastPage+1, lastPage)
	if c, _ := textOf(checkSafeHTML(t, "past the end", body), "result-count"); c != want {
		t.Errorf("past the last page: count %q, want %q", c, want)
	}
	// The API's next link stops at the window's last cluster too, also
	// where a page ends exactly there.
	_, raw := do(t, h, "GET", fmt.Sprintf("/api/search?q=lighthouse&collapse=true&limit=100&offset=%d", clusters-100), nil)
	var sb searchBody
	decode(t, raw, &sb)
	if len(sb.Hits) != 100 || sb.Next != "" {
		t.Errorf("API, last page of the window: %d hits, next %q; want 100 and no next", len(sb.Hits), sb.Next)
	}
}

// TestPagePastTheEnd checks that a page past the last says so, and links
// back to the last.
func TestPagePastTheEnd(t *testing.T) {
	h := testServer(sharedArchive(t), Options{})
	_, body := do(t, h, "GET", "/?q=harbour&page=5", nil)
	doc := checkSafeHTML(t, "past the end", body)
	if c, _ := textOf(doc, "result-count"); c != "3 stories match, but page 5 is past the last (1)." {
		t.Errorf("count %q", c)
	}
	if !strings.Contains(body, `href="/?q=harbour" rel="prev"`) {
		t.Errorf("no link back to the last page: %s", between(body, `class="pager"`, 400))
	}
	// One story takes the singular verb.
	_, body = do(t, h, "GET", "/?q=breakwater&page=3", nil)
	if c, _ := textOf(checkSafeHTML(t, "past the end", body), "result-count"); c != "1 story matches, but page 3 is past the last (1)." {
		t.Errorf("count %q", c)
	}
}

// TestReach checks how far paging goes: the total, or the store's reach
// when it is smaller (the rank window), and no further than a short page.
func TestReach(t *testing.T) {
	opts := store.SearchOptions{Sort: query.SortRelevance, Limit: 20}
	for _, tc := range []struct {
		total, reach, want int
	}{
		{5000, 0, 5000},
		{5000, store.RankWindow, store.RankWindow},
		{1500, store.RankWindow / 2, store.RankWindow / 2},
		{900, 900, 900},
	} {
		res := &store.SearchResult{Total: tc.total, Reach: tc.reach, Hits: make([]store.Hit, 20)}
		if got := reach(opts, res); got != tc.want {
			t.Errorf("reach with total %d, store's reach %d = %d, want %d", tc.total, tc.reach, got, tc.want)
		}
	}
	// A short page is the last, an empty one past it.
	opts = store.SearchOptions{Sort: query.SortNewest, Limit: 20, Offset: 40}
	if got := reach(opts, &store.SearchResult{Total: 90, Hits: make([]store.Hit, 5)}); got != 45 {
		t.Errorf("short page: reach %d, want 45", got)
	}
	if got := reach(opts, &store.SearchResult{Total: 90}); got != 40 {
		t.Errorf("empty page: reach %d, want 40", got)
	}
}
