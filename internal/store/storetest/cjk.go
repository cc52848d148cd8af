package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// CJK returns a small archive of Chinese and Japanese articles, written
// without spaces between words, with one English article beside them: z1
// (a metro line opens), z2 (the same text on another site, in z1's
// cluster, with a title of its own), z3 (Chinese with the characters 地
// and 铁 but not the word 地铁), j1 (Japanese: kanji, hiragana and
// katakana), m1 (Chinese with Latin words inside, "Apple发布了新iPhone")
// and e1 (English). Load the first entry in a transaction of its own and
// the others after it, so that z2's joining z1's cluster takes z1 out of
// the index and puts it back.
func CJK() []store.Entry {
	metro := "本市第三条地铁线路今天上午正式开通运营，全长二十四公里。\n\n市民可以在各站购买车票。"
	recs := []*store.Record{
		{ID: "z1", Article: article.Article{URL: "https://news.example.cn/metro",
			Title: "地铁三号线今天开通", Authors: []string{"王小明"}, Tags: []string{"交通"},
			Published: date("2024-05-01T08:00:00+08:00"), Language: "zh", Text: metro}},
		{ID: "z2", ClusterID: "z1", Article: article.Article{URL: "https://paper.example.cn/metro",
			Title: "本市地铁新线路开通", Tags: []string{"交通"},
			Published: date("2024-05-01T10:00:00+08:00"), Language: "zh-CN", Text: metro}},
		{ID: "z3", Article: article.Article{URL: "https://news.example.cn/weather",
			Title: "上海天气", Published: date("2024-05-02T08:00:00+08:00"), Language: "zh",
			Text: "上海今天多云，地方气象台预计明天有雨。铁路运输正常。"}},
		{ID: "j1", Article: article.Article{URL: "https://news.example.jp/metro",
			Title: "東京で新しい地下鉄が開業", Published: date("2024-05-03T08:00:00+09:00"), Language: "ja",
			Text: "東京メトロは十日、新しい路線の営業を始めた。駅には多くの人が集まった。"}},
		{ID: "m1", Article: article.Article{URL: "https://news.example.cn/apple",
			Title: "新品发布会", Published: date("2024-05-04T08:00:00+08:00"), Language: "zh",
			Text: "Apple发布了新iPhone，售价与去年相同。"}},
		{ID: "e1", Article: article.Article{URL: "https://news.example.com/apple",
			Title: "Apple shares rise", Published: date("2024-05-04T12:00:00Z"), Language: "en",
			Text: "Apple shares rose after the launch of the new iPhone."}},
	}
	entries := make([]store.Entry, len(recs))
	for i, r := range recs {
		r.CanonicalURL = r.URL
		r.WordCount = article.CountWords(r.Text)
		r.ContentHash = Hash(r.Text)
		r.FetchedAt = date("2024-06-01T00:00:00Z")
		bands := []uint64{uint64(500 + i), uint64(600 + i)}
		if r.ID == "z1" || r.ID == "z2" {
			bands = []uint64{50, 51, 52}
		}
		entries[i] = store.Entry{Record: r, Bands: bands}
	}
	return entries
}

// LoadCJK loads CJK into st as its comment says.
func LoadCJK(t testing.TB, st store.Store) {
	t.Helper()
	entries := CJK()
	Load(t, st, entries[:1])
	Load(t, st, entries[1:])
}

// cjkMatches are the searches CheckCJKSearch makes, and what they find.
var cjkMatches = []struct {
	q    string
	want []string
}{
	{`地铁`, []string{"z1", "z2"}},                               // a word inside a run of characters
	{`铁`, []string{"z1", "z2", "z3"}},                          // one character is a word too
	{`地铁 开通`, []string{"z1", "z2"}},                            // both words
	{`地铁 上海`, nil},                                             // z3 has 地 and 铁, not 地铁
	{`"地铁线路"`, []string{"z1", "z2"}},                           // a phrase
	{`"线路地铁"`, nil},                                            // in its order
	{`地铁线*`, []string{"z1", "z2"}},                             // a prefix
	{`三号线`, []string{"z1"}},                                    // in z1's title only
	{`地铁 -三号线`, []string{"z2"}},                                // exclusion
	{`-地铁 after:2024-01-01`, []string{"z3", "j1", "m1", "e1"}}, // exclusion alone (the filter leaves out other fixtures)
	{`上海 OR 東京`, []string{"z3", "j1"}},                         // either word
	{`王小明`, []string{"z1"}},                                    // authors
	{`交通`, []string{"z1", "z2"}},                               // tags
	{`地下鉄`, []string{"j1"}},                                    // a Japanese title: kanji
	{`メトロ`, []string{"j1"}},                                    // katakana
	{`"新しい路線"`, []string{"j1"}},                                // kanji and hiragana
	{`東京 営業`, []string{"j1"}},                                  // two words
	{`東京 -メトロ`, nil},                                           // exclusion
	{`iphone`, []string{"m1", "e1"}},                           // a Latin word beside Chinese ones
	{`Apple发布`, []string{"m1"}},                                // a word across the scripts: a phrase
	{`"发布了新iPhone"`, []string{"m1"}},                           // a phrase across them
	{`新iPh*`, []string{"m1"}},                                  // a prefix after Chinese
	{`apple -发布`, []string{"e1"}},                              // exclusion across scripts
	{`地铁 site:paper.example.cn`, []string{"z2"}},               // with a filter
	{`地铁 lang:zh`, []string{"z1", "z2"}},
	{`x`, nil}, // the SQLite dup marker stays out of reach
}

// CheckCJKSearch checks the searches of an archive holding CJK (LoadCJK):
// words of Chinese and Japanese characters are found inside the runs of
// characters they are written in, and the snippets mark the characters
// matched, and only those.
func CheckCJKSearch(t *testing.T, st store.Store) {
	t.Helper()
	for _, tt := range cjkMatches {
		t.Run(tt.q, func(t *testing.T) { assertIDs(t, st, tt.q, tt.want...) })
	}
	for _, c := range []struct {
		q, id  string
		marked []string // what is marked, in order
	}{
		{`地铁`, "z1", []string{"地铁"}},
		{`地铁 开通`, "z1", []string{"地铁", "开通"}},
		{`"地铁线路"`, "z2", []string{"地铁线路"}},
		{`地铁线*`, "z1", []string{"地铁线"}},
		// z3 has 地 (地方) and 铁 (铁路), which 地铁 does not mark.
		{`上海 OR 地铁`, "z3", []string{"上海"}},
		{`地`, "z3", []string{"地"}},
		{`メトロ`, "j1", []string{"メトロ"}},
		{`"新しい路線"`, "j1", []string{"新しい路線"}},
		{`iphone`, "m1", []string{"iPhone"}},
		{`Apple发布`, "m1", []string{"Apple发布"}},
	} {
		res := search(t, st, c.q, store.SearchOptions{Limit: store.MaxLimit})
		i := slices.IndexFunc(res.Hits, func(h store.Hit) bool { return h.Record.ID == c.id })
		if i < 0 {
			t.Errorf("Search(%q): no hit %s in %v", c.q, c.id, hitIDs(res))
			continue
		}
		var marked []string
		for _, p := range store.SnippetParts(res.Hits[i].Snippet) {
			if p.Match {
				marked = append(marked, p.Text)
			}
		}
		if !slices.Equal(marked, c.marked) {
			t.Errorf("Search(%q): snippet of %s %q marks %q, want %q", c.q, c.id, res.Hits[i].Snippet, marked, c.marked)
		}
	}
}

// CJKWrites rewrites articles of an archive holding CJK (LoadCJK) and
// checks that the searches follow: a refresh of z1's title (same text),
// a new version of m1's text, and a new member of z1's cluster.
func CJKWrites(t *testing.T, st store.Store) {
	t.Helper()
	entries := CJK()
	z1, m1 := entries[0], entries[4]
	z1.Record.Title = "地铁四号线今天开通"
	if out := put(t, st, z1); out != store.Refreshed {
		t.Fatalf("put of z1 with a new title = %v, want refreshed", out)
	}
	m1.Record.Text = "Apple推出了新款手表，售价与去年相同。"
	m1.Record.ContentHash = Hash(m1.Record.Text)
	if out := put(t, st, m1); out != store.Updated {
		t.Fatalf("put of m1 with a new text = %v, want updated", out)
	}
	z4 := CJK()[1]
	z4.Record.ID, z4.Record.URL, z4.Record.CanonicalURL = "z4", "https://radio.example.cn/metro", "https://radio.example.cn/metro"
	z4.Record.Title = "广播：地铁开通"
	put(t, st, z4)
	for _, c := range []struct {
		q    string
		want []string
	}{
		{`四号线`, []string{"z1"}},
		{`三号线`, nil},
		{`地铁`, []string{"z1", "z2", "z4"}},
		{`广播`, []string{"z4"}},
		{`手表`, []string{"m1"}},
		{`iphone`, []string{"e1"}},
		{`"发布了"`, nil},
	} {
		assertIDs(t, st, c.q, c.want...)
	}
	res, err := st.Search(context.Background(), query.MustParse(`地铁`), store.SearchOptions{Collapse: true, Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || len(res.Hits) != 1 {
		t.Errorf("collapsed 地铁: total %d, hits %v, want z1's cluster alone", res.Total, hitIDs(res))
	}
}

func testCJK(t *testing.T, st store.Store) {
	LoadCJK(t, st)
	t.Run("Search", func(t *testing.T) { CheckCJKSearch(t, st) })
	t.Run("Writes", func(t *testing.T) { CJKWrites(t, st) })
}
