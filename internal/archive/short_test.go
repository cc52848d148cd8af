package archive_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/dedupe"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
)

// backends opens a fresh archive of each kind: the rule lives in this
// package, and both stores must see it kept. PostgreSQL is skipped
// without $HERALD_TEST_PG (see pgtest).
var backends = []struct {
	name string
	open func(*testing.T) store.Store
}{
	{"sqlite", func(t *testing.T) store.Store { return mustOpen(t) }},
	{"postgres", func(t *testing.T) store.Store { return pgtest.Open(t) }},
}

// opening returns the first n words of story, as a brief or a teaser
// would have them.
func opening(n int) string { return strings.Join(strings.Fields(story)[:n], " ") }

func page(url, title, text string) *store.Record {
	return &store.Record{Article: article.Article{URL: url, Title: title, Text: text}}
}

// shortPages are the audit's reproduction and its neighbours: different
// sites, titles and URLs whose texts are equal once normalised but too
// short to identify an article. Each must stay alone in its cluster.
func shortPages() []*store.Record {
	return []*store.Record{
		page("https://school.example/2024/05/reopens", "School reopens after repairs", ""),
		page("https://vote.example.org/election-called", "Election called for June", ""),
		page("https://port.example.net/harbour", "Harbour closes for the winter", ""),
		page("https://paper.example/news/1", "Council borrows twelve million", "Subscribe to read."),
		page("https://gazette.example/a/2", "Ferry terminal to be widened", "Subscribe  to read!"),
		page("https://brief.example/1", "Budget brief", opening(dedupe.MinWords-1)),
		page("https://wire.example/1", "Harbour budget brief", opening(dedupe.MinWords-1)),
	}
}

// alone checks that each result is a new article in a cluster of its own,
// and that the store agrees.
func alone(t *testing.T, st store.Store, what string, res []archive.Result) {
	t.Helper()
	for i, r := range res {
		if r.Err != nil || r.Outcome != store.New || r.ClusterID != r.ID {
			t.Errorf("%s %d: %v in cluster %s (err %v), want new in its own cluster", what, i, r.Outcome, r.ClusterID, r.Err)
			continue
		}
		members, err := st.Cluster(context.Background(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(members) != 1 {
			t.Errorf("%s %d: cluster of %d articles, want 1", what, i, len(members))
		}
	}
}

// The boundary the tests rely on: a text one word short of
// dedupe.MinWords has no bands, one of exactly MinWords has.
func TestOpeningBands(t *testing.T) {
	for n, want := range map[int]bool{dedupe.MinWords - 1: false, dedupe.MinWords: true} {
		e, err := archive.Prepare(page("https://a.example/", "", opening(n)), storetestNow)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(e.Bands) > 0; got != want {
			t.Errorf("%d words: bands %v, want %v", n, got, want)
		}
	}
}

// Empty texts and equal short texts on different URLs are not copies of
// each other, whether they arrive in one batch or one at a time; long
// equal texts still are; the same pages again are unchanged, and a new
// short text at a known URL is a new version of that article alone.
func TestShortTextsStayAlone(t *testing.T) {
	for _, bk := range backends {
		for _, oneBatch := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/one batch %v", bk.name, oneBatch), func(t *testing.T) {
				shortTextsStayAlone(t, bk.open(t), oneBatch)
			})
		}
	}
}

func shortTextsStayAlone(t *testing.T, st store.Store, oneBatch bool) {
	pages := shortPages()
	var res []archive.Result
	if oneBatch {
		res = ingest(t, st, pages...)
	} else {
		for _, p := range pages {
			res = append(res, ingest(t, st, p)...)
		}
	}
	alone(t, st, "short page", res)

	// Long enough: exact copies, at the minimum and well above it.
	long := ingest(t, st,
		page("https://brief.example/2", "Budget brief", opening(dedupe.MinWords)),
		page("https://wire.example/2", "Harbour budget brief", opening(dedupe.MinWords)),
		page("https://news.example.com/harbour-budget", "Council approves harbour budget", story),
		page("https://syndicate.example.org/h", "Harbour budget approved", story))
	for _, pair := range [][2]int{{0, 1}, {2, 3}} {
		first, dup := long[pair[0]], long[pair[1]]
		if first.Outcome != store.New || dup.Outcome != store.Duplicate || dup.ClusterID != first.ID {
			t.Errorf("long equal texts: %v and %v in cluster %s, want new and a duplicate in %s",
				first.Outcome, dup.Outcome, dup.ClusterID, first.ID)
		}
	}

	// The same pages again, one with tracking parameters: the same
	// articles, unchanged, still alone.
	again := shortPages()
	again[0].URL += "?utm_source=feed"
	for i, r := range ingest(t, st, again...) {
		if r.Err != nil || r.Outcome != store.Unchanged || r.ID != res[i].ID || r.ClusterID != r.ID || r.Version != 1 {
			t.Errorf("re-import %d: %+v, want unchanged version 1 in its own cluster %s", i, r, res[i].ID)
		}
	}

	// A stub where the empty text was: version 2 of that article,
	// which joins no other stub.
	upd := ingest(t, st, page(pages[0].URL, pages[0].Title, "Subscribe to read."))[0]
	if upd.Outcome != store.Updated || upd.Version != 2 || upd.ClusterID != res[0].ID {
		t.Errorf("new short text at a known URL: %+v, want updated version 2 in cluster %s", upd, res[0].ID)
	}
	if members, err := st.Cluster(context.Background(), res[3].ID); err != nil || len(members) != 1 {
		t.Errorf("the first stub's cluster: %d articles (err %v), want 1", len(members), err)
	}
	if s, _ := st.Stats(context.Background()); s.Articles != len(pages)+4 {
		t.Errorf("articles = %d, want %d", s.Articles, len(pages)+4)
	}
}

// Bulk keeps the same rule within a batch and across batches.
func TestBulkShortTextsStayAlone(t *testing.T) {
	for _, bk := range backends {
		t.Run(bk.name, func(t *testing.T) { bulkShortTextsStayAlone(t, bk.open(t)) })
	}
}

func bulkShortTextsStayAlone(t *testing.T, st store.Store) {
	ctx := context.Background()
	b := archive.NewBulk(ctx, st)
	var got [][]archive.Result
	done := func(res []archive.Result) { got = append(got, res) }
	first := append(shortPages(),
		page("https://news.example.com/harbour-budget", "Council approves harbour budget", story),
		page("https://syndicate.example.org/h", "Harbour budget approved", story),
		page("https://school.example/2024/05/reopens", "School reopens after repairs", "")) // twice in one batch
	second := []*store.Record{
		page("https://sport.example/match-report", "Match report", ""),
		page("https://ledger.example/p/9", "Rates to rise", "Subscribe to read."),
		page("https://third.example.net/harbour", "Harbour vote", story),
		page("https://vote.example.org/election-called", "Election called for June", ""),
		page("https://paper.example/news/1", "Council borrows twelve million", "Subscribe to read."),
	}
	for _, batch := range [][]*store.Record{first, second} {
		if err := b.Add(batch, done); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	n := len(shortPages())
	b1, b2 := got[0], got[1]
	alone(t, st, "short page in the first batch", b1[:n])
	storyID := b1[n].ID
	if b1[n].Outcome != store.New || b1[n+1].Outcome != store.Duplicate || b1[n+1].ClusterID != storyID {
		t.Errorf("long copy in the same batch: %+v, want a duplicate in cluster %s", b1[n+1], storyID)
	}
	if r := b1[n+2]; r.Outcome != store.Unchanged || r.ID != b1[0].ID || r.ClusterID != r.ID {
		t.Errorf("same empty page twice in a batch: %+v, want unchanged in its own cluster", r)
	}
	alone(t, st, "short page in the second batch", b2[:2])
	if r := b2[2]; r.Outcome != store.Duplicate || r.ClusterID != storyID {
		t.Errorf("long copy in a later batch: %+v, want a duplicate in cluster %s", r, storyID)
	}
	for i, r := range b2[3:] {
		// the second and fourth short pages of the first batch
		if want := b1[[]int{1, 3}[i]]; r.Outcome != store.Unchanged || r.ID != want.ID || r.ClusterID != r.ID {
			t.Errorf("short page again in a later batch: %+v, want unchanged, alone as %s", r, want.ID)
		}
	}
	if s, _ := st.Stats(ctx); s.Articles != n+5 {
		t.Errorf("articles = %d, want %d", s.Articles, n+5)
	}
}

// A Chinese brief and its syndicated copy (a reporter's credit added)
// join one cluster on both backends; a Chinese paywall teaser on two
// sites stays two articles. Before each Han character counted as a
// word, the brief had a dozen "words" and was matched with nothing.
func TestChineseCopiesCluster(t *testing.T) {
	const brief = "市政府今天宣布，城西老港区改造工程将于下月正式启动，总投资约四十亿元。" +
		"改造完成后，港区将新建滨水公园、文化中心和两座人行桥，原有仓库将改建为展览空间。" +
		"项目负责人表示，施工期间渡轮码头照常运营，周边道路将分阶段封闭。" +
		"附近居民对工程普遍表示欢迎，但也担心施工噪音影响日常生活。"
	for _, bk := range backends {
		t.Run(bk.name, func(t *testing.T) {
			st := bk.open(t)
			res := ingest(t, st,
				page("https://news.example.cn/port", "老港区改造下月启动", brief),
				page("https://wire.example.com/zh/1", "老港区改造工程将启动", brief+"（记者 李华）"),
				page("https://paper.example.cn/a/1", "港区新闻", "订阅后阅读全文。"),
				page("https://daily.example.cn/b/2", "港口消息", "订阅后阅读全文。"))
			if res[1].Outcome != store.Duplicate || res[1].ClusterID != res[0].ID {
				t.Errorf("the copy: %v in cluster %s, want a duplicate in %s", res[1].Outcome, res[1].ClusterID, res[0].ID)
			}
			if res[0].Outcome != store.New {
				t.Errorf("the brief: %v, want new", res[0].Outcome)
			}
			alone(t, st, "teaser", res[2:])
		})
	}
}
