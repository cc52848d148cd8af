package archive_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// oldArchive stores recs as an archive made under older duplicate rules
// would hold them: each alone in its cluster, except those whose
// ClusterID names another's. It returns their ids by URL.
func oldArchive(t *testing.T, st store.Store, recs []*store.Record) map[string]string {
	t.Helper()
	ids := map[string]string{}
	var entries []store.Entry
	for _, r := range recs {
		cluster := r.ClusterID
		e, err := archive.Prepare(r, time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		e.Record.ClusterID = ids[cluster] // "" for its own
		ids[r.URL] = e.Record.ID
		entries = append(entries, e)
	}
	storetest.Load(t, st, entries)
	return ids
}

// Recluster joins the articles an older archive left alone to the
// clusters today's rules give them (the same text, a near duplicate, a
// declared copy), newer ones to the oldest's, leaves clusters of several
// as they are, stores nothing on a dry run, and finds nothing more the
// second time; on both backends.
func TestRecluster(t *testing.T) {
	for _, bk := range backends {
		t.Run(bk.name, func(t *testing.T) { recluster(t, bk.open(t)) })
	}
}

func recluster(t *testing.T, st store.Store) {
	ctx := context.Background()
	edited := strings.Replace(story, "twelve million", "fourteen million", 1)
	at := func(day int, r *store.Record) *store.Record {
		r.Published = time.Date(2024, 5, day, 9, 0, 0, 0, time.UTC)
		return r
	}
	clustered := page("https://pair.example/2", "Harbour brief", opening(40))
	clustered.ClusterID = "https://pair.example/1"
	ids := oldArchive(t, st, []*store.Record{
		at(1, page("https://wire.example/2024/05/harbour", "Council approves harbour budget", story)),
		at(2, declared("https://partner.example/h", "https://wire.example/2024/05/harbour", rewrite)),
		at(3, page("https://same.example/1", "Harbour budget", story)),
		at(4, page("https://edited.example/1", "Harbour budget", edited)),
		at(5, page("https://pair.example/1", "Harbour brief", opening(40))),
		at(6, clustered),
		at(7, page("https://sport.example/match", "Match report", strings.Repeat("The home side won the derby in extra time. ", 6))),
	})
	clusterOf := func() map[string]string {
		t.Helper()
		out := map[string]string{}
		for url, id := range ids {
			r, err := st.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			out[url] = r.ClusterID
		}
		return out
	}
	before := clusterOf()
	all := &query.Query{}

	var listed []archive.Joined
	sum, err := archive.Recluster(ctx, st, all, archive.ReclusterOptions{DryRun: true, Report: func(j archive.Joined) { listed = append(listed, j) }})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Articles != 7 || sum.Alone != 5 || sum.Joined != 3 || len(listed) != 3 {
		t.Errorf("dry run: %+v, %d listed; want 7 articles, 5 alone, 3 joined", sum, len(listed))
	}
	for url, c := range clusterOf() {
		if c != before[url] {
			t.Errorf("dry run moved %s from %s to %s", url, before[url], c)
		}
	}

	sum, err = archive.Recluster(ctx, st, all, archive.ReclusterOptions{BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Joined != 3 {
		t.Errorf("recluster: %+v, want 3 joined", sum)
	}
	after := clusterOf()
	story := after["https://wire.example/2024/05/harbour"]
	if story != ids["https://wire.example/2024/05/harbour"] {
		t.Errorf("the original joined %s: newer copies should join the oldest article's cluster", story)
	}
	for _, url := range []string{"https://partner.example/h", "https://same.example/1", "https://edited.example/1"} {
		if after[url] != story {
			t.Errorf("%s in cluster %s, want the harbour story's %s", url, after[url], story)
		}
	}
	if after["https://pair.example/1"] != before["https://pair.example/1"] || after["https://pair.example/2"] != before["https://pair.example/1"] {
		t.Errorf("the pair moved: %s and %s, want both in %s", after["https://pair.example/1"], after["https://pair.example/2"], before["https://pair.example/1"])
	}
	if c := after["https://sport.example/match"]; c != ids["https://sport.example/match"] {
		t.Errorf("the unrelated article joined %s", c)
	}
	members, err := st.Cluster(ctx, story)
	if err != nil || len(members) != 4 {
		t.Errorf("the harbour story has %d articles (%v), want 4", len(members), err)
	}

	sum, err = archive.Recluster(ctx, st, all, archive.ReclusterOptions{})
	if err != nil || sum.Joined != 0 || sum.Alone != 1 {
		t.Errorf("second run: %+v, %v; want nothing joined, 1 alone", sum, err)
	}
}

// Word-for-word Chinese copies that an older Herald stored without bands
// (it split Chinese text into too few words to compare it) join one
// cluster: the content hash finds them.
func TestReclusterOldChineseCopies(t *testing.T) {
	for _, bk := range backends {
		t.Run(bk.name, func(t *testing.T) {
			st := bk.open(t)
			metro := "本市第三条地铁线路今天上午正式开通运营，全长二十四公里，沿线设有十八座车站。\n\n市民可以在各站购买车票，首班车早上六点发车，末班车晚上十一点发车。"
			var entries []store.Entry
			for i, url := range []string{"https://news.example.cn/metro", "https://paper.example.cn/metro"} {
				e, err := archive.Prepare(page(url, "地铁三号线今天开通", metro), time.Date(2024, 5, 1+i, 0, 0, 0, 0, time.UTC))
				if err != nil {
					t.Fatal(err)
				}
				if len(e.Bands) == 0 {
					t.Fatal("the text is too short to identify an article today; the test needs a longer one")
				}
				e.Bands = nil // as stored before
				entries = append(entries, e)
			}
			storetest.Load(t, st, entries)
			sum, err := archive.Recluster(context.Background(), st, &query.Query{}, archive.ReclusterOptions{})
			if err != nil || sum.Joined != 1 {
				t.Fatalf("recluster: %+v, %v; want 1 joined", sum, err)
			}
			r, err := st.Get(context.Background(), entries[1].Record.ID)
			if err != nil || r.ClusterID != entries[0].Record.ID {
				t.Errorf("the newer copy is in %v (%v), want %s", r, err, entries[0].Record.ID)
			}
		})
	}
}

// textCounter is a store that counts the texts read through it: by Scan
// and ScanMeta (records handed over with their text), by Get (on the
// store and in its transactions), and the calls to Cluster.
type textCounter struct {
	store.Store
	scanned, gets, clusters int
}

func (c *textCounter) counted(fn func(*store.Record) error) func(*store.Record) error {
	return func(r *store.Record) error {
		if r.Text != "" {
			c.scanned++
		}
		return fn(r)
	}
}

func (c *textCounter) Scan(ctx context.Context, q *query.Query, fn func(*store.Record) error) error {
	return c.Store.Scan(ctx, q, c.counted(fn))
}

func (c *textCounter) ScanMeta(ctx context.Context, q *query.Query, fn func(*store.Record) error) error {
	return store.ScanMeta(ctx, c.Store, q, c.counted(fn))
}

func (c *textCounter) SharedClusters(ctx context.Context) (map[string]bool, error) {
	return c.Store.(store.ClusterLister).SharedClusters(ctx)
}

func (c *textCounter) Get(ctx context.Context, id string) (*store.Record, error) {
	c.gets++
	return c.Store.Get(ctx, id)
}

func (c *textCounter) Cluster(ctx context.Context, id string) ([]*store.Record, error) {
	c.clusters++
	return c.Store.Cluster(ctx, id)
}

func (c *textCounter) Begin(ctx context.Context) (store.Tx, error) {
	tx, err := c.Store.Begin(ctx)
	return &countedTx{tx, c}, err
}

type countedTx struct {
	store.Tx
	c *textCounter
}

func (t *countedTx) Get(ctx context.Context, id string) (*store.Record, error) {
	t.c.gets++
	return t.Tx.Get(ctx, id)
}

func (t *countedTx) JoinCluster(ctx context.Context, id, cluster string) error {
	return t.Tx.(store.ClusterMover).JoinCluster(ctx, id, cluster)
}

// Recluster reads the text of each article it decides once, when it
// decides it (and those of the candidates it compares it with): listing
// the matches reads none, and a query's lone matches are told from the
// clusters of several at once, not by reading each one's cluster. On
// both backends.
func TestReclusterReadsTextsOnce(t *testing.T) {
	for _, bk := range backends {
		t.Run(bk.name, func(t *testing.T) {
			ctx := context.Background()
			st := &textCounter{Store: bk.open(t)}
			clustered := page("https://pair.example/2", "Harbour brief", opening(40))
			clustered.ClusterID = "https://pair.example/1"
			oldArchive(t, st, []*store.Record{
				page("https://wire.example/2024/05/harbour", "Council approves harbour budget", story),
				page("https://same.example/1", "Harbour budget", story),
				page("https://pair.example/1", "Harbour brief", opening(40)),
				clustered,
				page("https://sport.example/match", "Match report", strings.Repeat("The home side won the derby in extra time. ", 6)),
			})
			for _, q := range []string{"", "harbour OR derby"} {
				for _, dry := range []bool{true, false} {
					*st = textCounter{Store: st.Store}
					sum, err := archive.Recluster(ctx, st, mustQuery(t, q), archive.ReclusterOptions{DryRun: dry})
					if err != nil {
						t.Fatal(err)
					}
					if st.scanned != 0 || st.clusters != 0 {
						t.Errorf("%q, dry run %v: %d texts read listing the matches, %d clusters read, want none", q, dry, st.scanned, st.clusters)
					}
					if st.gets < sum.Alone {
						t.Errorf("%q, dry run %v: %d articles read for %d alone", q, dry, st.gets, sum.Alone)
					}
				}
			}
		})
	}
}

func mustQuery(t *testing.T, s string) *query.Query {
	t.Helper()
	q, err := query.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}
