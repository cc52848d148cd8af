package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// cacheArchive returns an archive of n generated articles, among
// them stories of two and three (some copies word for word, so that
// their scores tie), and queries of words and filters, some of which the
// caches can answer and some not.
func cacheArchive(t *testing.T, n int) (*DB, []string) {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	g := storetest.NewGenerator(11)
	var entries []store.Entry
	for i := range n {
		e := g.Next()
		// Stories of two and three articles: the cluster of an article
		// stored before; a third of them its very words.
		if i%10 == 1 || i%30 == 2 {
			first := entries[i-i%10].Record
			e.Record.ClusterID = first.ID
			if i%30 == 2 {
				e.Record.Title, e.Record.Text, e.Record.ContentHash = first.Title, first.Text, first.ContentHash
			}
		}
		if i%97 == 5 {
			e.Record.Section = "Économie" // compared by Go's case folding
		}
		entries = append(entries, e)
	}
	storetest.Load(t, db, entries)

	// Words of the first article, and two of its site's names.
	words := strings.Fields(strings.ToLower(entries[0].Record.Title))
	w1, w2 := strings.Trim(words[0], ".,;:'\""), strings.Trim(words[len(words)-1], ".,;:'\"")
	var host, news string
	if err := db.r.QueryRow(`SELECT host FROM sites WHERE host NOT LIKE 'news.%' ORDER BY id LIMIT 1`).Scan(&host); err != nil {
		t.Fatal(err)
	}
	if err := db.r.QueryRow(`SELECT host FROM sites WHERE host LIKE 'news.%' ORDER BY id LIMIT 1`).Scan(&news); err != nil {
		t.Fatal(err)
	}
	// A common tag and a common author's names.
	var tag, author string
	for _, e := range entries {
		if tag == "" && len(e.Record.Tags) > 0 {
			tag = e.Record.Tags[0]
		}
		if author == "" && len(e.Record.Authors) > 0 {
			author = e.Record.Authors[0]
		}
	}
	if tag == "" || author == "" {
		t.Fatal("no tags or no authors generated")
	}
	surname := strings.Fields(author)[len(strings.Fields(author))-1]
	return db, []string{
		"", w1, w1 + " " + w2, `"` + w1 + ` ` + w2 + `"`, w1 + " -" + w2, "-" + w1,
		w1 + " after:2021-01-01 before:2022-06-15", "after:2023-02-03", "before:2020-03-01",
		"site:" + host, "site:" + host + " " + w1, "site:" + strings.TrimPrefix(news, "news."),
		"site:" + host + " site:" + news, "site:nowhere.example", "site:" + news + " after:2022-01-01 " + w2,
		w1 + " after:2030-01-01", "(site:" + host + " OR site:" + news + ") " + w1, "lang:en " + w1,
		"lang:de", "-lang:en " + w1, "section:World " + w1, "section:ÉCONOMIE", "(lang:fr OR section:sport) " + w1,
		"lang:en section:politics after:2021-01-01", w1 + " lang:en site:" + host, "lang:xx " + w1,
		w1 + " OR lang:de", "tag:" + w2 + " " + w1, "-(lang:en section:world) " + w2,
		`tag:"` + tag + `"`, `tag:"` + strings.ToUpper(tag) + `" ` + w1, `-tag:"` + tag + `" ` + w1,
		"author:" + surname, `author:"` + author + `" ` + w2, `(tag:"` + tag + `" OR lang:de) ` + w1,
		`-(author:` + surname + ` section:politics) after:2021-01-01`, "author:nobody " + w1,
		w1 + ` OR tag:"` + tag + `"`,
	}
}

// Timelines, top sites, tags and authors and top stories counted from
// the day, site, facet and cluster caches (words, after:, before:, site:, lang:, section:,
// split by site) give what counting in SQL gives, and queries the caches
// cannot answer still count right.
func TestCachedTimelines(t *testing.T) {
	db, queries := cacheArchive(t, 3000)
	cached := 0
	for _, s := range queries {
		if compareCachedReads(t, db, s) {
			cached++
		}
	}
	if cached != 34 {
		t.Errorf("the caches answer %d of the %d queries, want 34", cached, len(queries))
	}
}

// After deletes, reads from caches filled before them give what SQL
// gives: first members of stories of two and three (their cluster's
// mark), copies, lone articles and the newest article (whose row number
// the next article takes) are deleted; then new articles, one taking that
// row number and one joining a story whose first member went.
func TestCachedAfterDeletes(t *testing.T) {
	ctx := context.Background()
	db, all := cacheArchive(t, 700)
	// Words, a phrase, filters alone and with words (site, date, language,
	// section, tag, author): each cache and the SQL it stands for.
	var queries []string
	for _, i := range []int{0, 1, 3, 6, 9, 10, 18, 20, 27, 30, 33} {
		queries = append(queries, all[i])
	}
	// Fill the caches (each loads whole at its first use).
	cachedBefore := 0
	for _, s := range queries {
		q := mustParse(t, s)
		if _, ok, err := keyFilterOf(ctx, db.r, mustTranslate(t, db, q)); err != nil {
			t.Fatal(err)
		} else if ok {
			cachedBefore++
		}
		if _, err := db.Timeline(ctx, q, store.TimelineOptions{By: store.Month}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Top(ctx, q, store.TopTag, 5); err != nil {
			t.Fatal(err)
		}
		if _, err := db.TopStories(ctx, q, 5); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Search(ctx, q, store.SearchOptions{Collapse: true, Limit: 5}); err != nil {
			t.Fatal(err)
		}
	}
	if cachedBefore < 6 {
		t.Fatalf("the caches answer %d of the %d queries, want most", cachedBefore, len(queries))
	}
	var ids []string
	rows, err := db.r.QueryContext(ctx, `SELECT id FROM articles ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deleted := 0
	for i, id := range ids {
		if i%20 == 0 || i%60 == 31 || i%7 == 3 || i == len(ids)-1 {
			if err := tx.(store.Deleter).Delete(ctx, id); err != nil {
				t.Fatal(err)
			}
			deleted++
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		cached := 0
		for _, s := range queries {
			if compareCachedReads(t, db, s) {
				cached++
			}
			q := mustParse(t, s)
			for _, opts := range []store.SearchOptions{{Limit: 30}, {Limit: 30, Collapse: true}, {Limit: 30, Collapse: true, Sort: query.SortNewest}} {
				db.noCaches = false
				got, err := db.Search(ctx, q, opts)
				if err != nil {
					t.Fatalf("%s: %q %+v: %v", when, s, opts, err)
				}
				db.noCaches = true
				want, err := db.Search(ctx, q, opts)
				if err != nil {
					t.Fatalf("%s: %q %+v in SQL: %v", when, s, opts, err)
				}
				if !reflect.DeepEqual(got, want) {
					at := diffAt(got, want)
					t.Errorf("%s: %q %+v: from the caches %d of %d hits, at %d %v, in SQL %d of %d %v", when, s, opts,
						len(got.Hits), got.Total, at, hitKeys(got, at), len(want.Hits), want.Total, hitKeys(want, at))
				}
			}
		}
		db.noCaches = false
		if cached != cachedBefore {
			t.Errorf("%s: the caches answer %d of the %d queries, want %d as before", when, cached, len(queries), cachedBefore)
		}
	}
	check("after deletes")
	var stats store.Stats
	if s, err := db.Stats(ctx); err != nil || s.Articles != len(ids)-deleted {
		t.Fatalf("stats after deleting %d of %d: %+v, %v", deleted, len(ids), s, err)
	} else {
		stats = *s
	}

	// New articles: the first takes the last deleted row number; copies
	// join a story whose first member went, and a new story of two.
	g := storetest.NewGenerator(99)
	var news []store.Entry
	for i := range 6 {
		e := g.Next()
		switch i {
		case 1:
			e.Record.ClusterID = news[0].Record.ID
		case 2, 3:
			e.Record.ClusterID = ids[20] // the story of ids[20] and ids[21]; ids[20] went
		}
		news = append(news, e)
	}
	storetest.Load(t, db, news)
	var n int64
	if err := db.r.QueryRowContext(ctx, `SELECT n FROM articles WHERE id = ?`, news[0].Record.ID).Scan(&n); err != nil || n != int64(len(ids)) {
		t.Errorf("the first new article's row number %d, %v; want %d (the deleted newest one's)", n, err, len(ids))
	}
	check("after new articles")
	if s, err := db.Stats(ctx); err != nil || s.Articles != stats.Articles+6 || s.Clusters < stats.Clusters+1 {
		t.Errorf("stats after 6 new articles: %+v, %v; before %+v", s, err, stats)
	}
}

func mustParse(t *testing.T, s string) *query.Query {
	t.Helper()
	q, err := query.Parse(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return q
}

// compareCachedReads makes the reads of s that the caches may answer
// (stories, every top list, timelines by day, week and month, split by
// site and not) with the caches and in SQL, and reports a difference;
// cached is whether the caches can answer s.
func compareCachedReads(t *testing.T, db *DB, s string) (cached bool) {
	t.Helper()
	ctx := context.Background()
	q, err := query.Parse(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	_, cached, err = keyFilterOf(ctx, db.r, mustTranslate(t, db, q))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{3, store.MaxLimit} {
		db.noCaches = false
		gotStories, err := db.TopStories(ctx, q, n)
		if err != nil {
			t.Fatalf("%q: top stories: %v", s, err)
		}
		db.noCaches = true
		wantStories, err := db.TopStories(ctx, q, n)
		if err != nil {
			t.Fatalf("%q: top stories in SQL: %v", s, err)
		}
		if !reflect.DeepEqual(gotStories, wantStories) {
			t.Errorf("%q: top %d stories from the caches %d, in SQL %d; first %+v, %+v", s, n,
				len(gotStories), len(wantStories), gotStories[:min(1, len(gotStories))], wantStories[:min(1, len(wantStories))])
		}
		if s == "" && n == store.MaxLimit && len(gotStories) < 10 {
			t.Errorf("the archive has %d stories, want some to compare", len(gotStories))
		}
		for _, field := range store.TopFields {
			db.noCaches = false
			got, err := db.Top(ctx, q, field, n)
			if err != nil {
				t.Fatalf("%q: top %s: %v", s, field, err)
			}
			db.noCaches = true
			want, err := db.Top(ctx, q, field, n)
			if err != nil {
				t.Fatalf("%q: top %s in SQL: %v", s, field, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%q: top %d %s from the caches %v, in SQL %v", s, n, field, got[:min(len(got), 5)], want[:min(len(want), 5)])
			}
			if s == "" && n == store.MaxLimit && len(got) < 5 {
				t.Errorf("the archive has %d values of %s, want some to compare", len(got), field)
			}
		}
	}
	for _, split := range []store.TopField{"", store.TopSite} {
		for _, by := range []store.Interval{store.Day, store.Week, store.Month} {
			opts := store.TimelineOptions{By: by, Split: split}
			db.noCaches = false
			got, err := db.Timeline(ctx, q, opts)
			if err != nil {
				t.Fatalf("%q %+v: %v", s, opts, err)
			}
			db.noCaches = true
			want, err := db.Timeline(ctx, q, opts)
			if err != nil {
				t.Fatalf("%q %+v in SQL: %v", s, opts, err)
			}
			if len(got) == 0 && len(want) == 0 {
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%q by %s split %q: %d buckets from the caches, %d in SQL; first %+v, %+v",
					s, by, split, len(got), len(want), first(got), first(want))
			}
		}
	}
	return cached
}

func first(b []store.Bucket) any {
	if len(b) == 0 {
		return nil
	}
	return b[0]
}

// Searches answered from the caches (words with after:, before:, site:,
// lang: and section: filters, filters alone) give what the SQL plans
// give, hit for hit, in every order, collapsed or not, on every page;
// and they are the ones the caches answer.
func TestCachedSearch(t *testing.T) {
	ctx := context.Background()
	db, queries := cacheArchive(t, 1500)
	answered := 0
	for _, probe := range []int{defaultProbeRatio, 1 << 30} {
		// With the default, a site: filter makes Search probe the full
		// text index for each of the site's articles instead; with a
		// ratio that high, never.
		db.probeRatio = probe
		for _, s := range queries {
			if probe != defaultProbeRatio && !strings.Contains(s, "site:") {
				continue
			}
			q, err := query.Parse(s)
			if err != nil {
				t.Fatalf("%q: %v", s, err)
			}
			for _, sort := range []query.Sort{query.SortRelevance, query.SortNewest, query.SortOldest, query.SortArchived} {
				for _, collapse := range []bool{false, true} {
					// Every page in one order; the first and a long
					// one in the others.
					pages := [][2]int{{10, 0}, {60, 0}}
					if sort == query.SortRelevance || sort == query.SortArchived {
						pages = append(pages, [2]int{7, 14}, [2]int{5, 4000})
					}
					for _, page := range pages {
						opts := store.SearchOptions{Sort: sort, Collapse: collapse, Limit: page[0], Offset: page[1]}
						norm, err := opts.Normalize(q)
						if err != nil {
							t.Fatal(err)
						}
						w := mustTranslate(t, db, q)
						if norm.Sort == query.SortRelevance && w.match == "" {
							norm.Sort = query.SortNewest
						}
						db.noCaches = false
						if !db.useCachedSearch(w, norm) {
							continue // no different from SQL
						}
						if _, ok, err := keyFilterOf(ctx, db.r, w); err != nil || !ok {
							continue
						}
						answered++
						got, err := db.Search(ctx, q, opts)
						if err != nil {
							t.Fatalf("%q %+v: %v", s, opts, err)
						}
						db.noCaches = true
						want, err := db.Search(ctx, q, opts)
						if err != nil {
							t.Fatalf("%q %+v in SQL: %v", s, opts, err)
						}
						if !reflect.DeepEqual(got, want) {
							at := diffAt(got, want)
							t.Errorf("%q %+v: from the caches %d of %d hits, at %d %v, in SQL %d of %d %v", s, opts,
								len(got.Hits), got.Total, at, hitKeys(got, at), len(want.Hits), want.Total, hitKeys(want, at))
						}
					}
				}
			}
		}
	}
	// The queries with filters the caches answer, most in every order,
	// page and way of collapsing (not filters alone in date or archiving
	// order uncollapsed, which walk an index instead), and the four of
	// words alone collapsed in date or archiving order.
	if answered != 908 {
		t.Errorf("the caches answered %d searches, want 908", answered)
	}
}

// diffAt returns the first hit where a and b differ.
func diffAt(a, b *store.SearchResult) int {
	i := 0
	for i < min(len(a.Hits), len(b.Hits)) && reflect.DeepEqual(a.Hits[i], b.Hits[i]) {
		i++
	}
	return i
}

// hitKeys lists three hits of res from the at-th: id, score, duplicates.
func hitKeys(res *store.SearchResult, at int) []string {
	var out []string
	for _, h := range res.Hits[min(at, len(res.Hits)):min(len(res.Hits), at+3)] {
		out = append(out, fmt.Sprintf("%s/%.17g/%d", h.Record.ID, h.Score, h.Duplicates))
	}
	return out
}

// attention is what the web attention page reads for one query: the
// timeline split and not, every top list and the stories.
type attention struct {
	timeline, split []store.Bucket
	tops            [][]store.Count
	stories         []store.Story
}

// readAttention makes the attention page's reads of q, side by side as
// the page does, under ctx.
func readAttention(ctx context.Context, t *testing.T, db *DB, q *query.Query) attention {
	t.Helper()
	a := attention{tops: make([][]store.Count, len(store.TopFields))}
	errs := make([]error, len(store.TopFields)+3)
	var wg sync.WaitGroup
	wg.Go(func() { a.timeline, errs[0] = db.Timeline(ctx, q, store.TimelineOptions{By: store.Month}) })
	wg.Go(func() {
		a.split, errs[1] = db.Timeline(ctx, q, store.TimelineOptions{By: store.Week, Split: store.TopSite})
	})
	wg.Go(func() { a.stories, errs[2] = db.TopStories(ctx, q, 5) })
	for i, f := range store.TopFields {
		wg.Go(func() { a.tops[i], errs[i+3] = db.Top(ctx, q, f, 10) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("%q: %v", q.String(), err)
	}
	return a
}

// Reads that share their work (store.WithSharedWork, as the attention
// page makes them) give what each gives alone, and walk a query's
// matches once: the walk is in the shared work afterwards.
func TestSharedWalk(t *testing.T) {
	db, queries := cacheArchive(t, 1500)
	shared := 0
	for _, s := range queries {
		q, err := query.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		alone := readAttention(context.Background(), t, db, q)
		ctx := store.WithSharedWork(context.Background())
		together := readAttention(ctx, t, db, q)
		if !reflect.DeepEqual(alone, together) {
			t.Errorf("%q: reads sharing their work differ from reads alone:\nalone    %+v\ntogether %+v", s, alone, together)
		}
		w := mustTranslate(t, db, q)
		if _, ok, _ := keyFilterOf(context.Background(), db.r, w); !ok || w.match == "" {
			continue
		}
		shared++
		sw := store.SharedWorkOf(ctx)
		v, err := sw.Do(ctx, db.sharedMatchesKey(w.match), func() (any, error) { return nil, errors.New("not walked before") })
		if ns, ok := v.([]int64); err != nil || !ok || len(ns) == 0 && len(alone.timeline) > 0 {
			t.Errorf("%q: shared matches %v, %v", s, v, err)
		}
	}
	if shared < 10 {
		t.Errorf("%d queries shared a walk, want more to test", shared)
	}
}

// mustTranslate is db.translate of q, which fails t on an error.
func mustTranslate(t testing.TB, db *DB, q *query.Query) *where {
	t.Helper()
	w, err := db.translate(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return w
}
