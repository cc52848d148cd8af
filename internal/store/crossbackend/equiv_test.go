package crossbackend

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/export"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// tricky are records whose words test the tokenisation: diacritics,
// letters that fold unusually, combining marks, scripts without case,
// punctuation inside words, numbers.
func tricky() []*store.Record {
	texts := []string{
		"Ǡ ǡ Ǣ µ ſ ß İstanbul ΣΊΣΥΦΟΣ ς — naïve café déjà vu, A\u0301 e\u0308 o\u0305x.",
		"Don't stop: l'été à São Paulo; U.S. officials said 3.14% of co-operation e-mail at http://example.com/a-b?c=d.",
		"東京で会議。北京 上海 — مرحبا بالعالم — नमस्ते दुनिया — Привет, мир! Ёлка ёлка.",
		"Emoji 🎉 party🎉time, tabs\tand\nnewlines; ＦＵＬＬＷＩＤＴＨ ｆｕｌｌ; ﬁne ligature; Ⅻ roman.",
		"The harbour reopened. Harbours, HARBOUR-side, harbour's wall; prime minister met the Prime-Minister.",
	}
	var out []*store.Record
	for i, text := range texts {
		out = append(out, &store.Record{Article: article.Article{
			URL:       fmt.Sprintf("https://tricky%d.example/story-%d", i%2, i),
			Title:     strings.Fields(text)[0] + " " + strings.Fields(text)[1],
			Authors:   []string{"Zoë Ünal", "Ali Khan"},
			Tags:      []string{"Ümlaut", "Climate Change"},
			Published: time.Date(2024, 2, 28+i, 23, 30, 0, 0, time.FixedZone("", 3600*(i-2))),
			Language:  []string{"en", "fr", "ja", "en-GB", "en"}[i],
			Section:   []string{"World", "ÉCONOMIE", "world", "Tech", "Économie"}[i],
			Text:      text,
		}, FetchedAt: time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC)})
	}
	return out
}

// records returns the test archive's input: the suite's fixture, the
// tricky records and n generated ones (with their syndicated copies).
func records(n int) []*store.Record {
	var out []*store.Record
	for _, e := range storetest.Fixture() {
		r := *e.Record
		r.ID, r.ContentHash, r.ClusterID = "", "", ""
		out = append(out, &r)
	}
	out = append(out, tricky()...)
	g := storetest.NewGenerator(11)
	for range n {
		r := g.Next().Record
		r.ID, r.ContentHash = "", ""
		out = append(out, r)
	}
	return out
}

func clone(recs []*store.Record) []*store.Record {
	out := make([]*store.Record, len(recs))
	for i, r := range recs {
		c := *r
		c.Authors = slices.Clone(r.Authors)
		c.Tags = slices.Clone(r.Tags)
		out[i] = &c
	}
	return out
}

// openBoth returns an empty SQLite archive and an empty PostgreSQL one.
func openBoth(t *testing.T) (store.Store, store.Store) {
	t.Helper()
	return openBothIn(t, pgtest.DSN(t))
}

// openBothIn is openBoth with the PostgreSQL archive in the database dsn
// names.
func openBothIn(t *testing.T, dsn string) (store.Store, store.Store) {
	t.Helper()
	lite, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	pg := pgtest.OpenIn(t, dsn)
	t.Cleanup(func() { pg.Close() })
	return lite, pg
}

// ingestBoth ingests recs into both stores in batches and checks that
// both decide the same outcome, cluster and version for each record.
func ingestBoth(t *testing.T, lite, pg store.Store, recs []*store.Record) {
	t.Helper()
	ctx := context.Background()
	for lo := 0; lo < len(recs); lo += 400 {
		batch := recs[lo:min(lo+400, len(recs))]
		a, err := archive.Ingest(ctx, lite, clone(batch))
		if err != nil {
			t.Fatal(err)
		}
		b, err := archive.Ingest(ctx, pg, clone(batch))
		if err != nil {
			t.Fatal(err)
		}
		for i := range a {
			x, y := a[i], b[i]
			if x.ID != y.ID || x.Outcome != y.Outcome || x.ClusterID != y.ClusterID || x.Version != y.Version || (x.Err == nil) != (y.Err == nil) {
				t.Fatalf("record %d: sqlite %+v, postgres %+v", lo+i, x, y)
			}
		}
	}
}

// TestEquivalence loads the same records (a few hundred: it runs every
// query several ways on both, under the race detector in CI), updates and refreshes into
// SQLite and PostgreSQL and compares what every read returns.
func TestEquivalence(t *testing.T) {
	lite, pg := openBoth(t)
	equivalence(t, lite, pg, 1)
}

// TestEquivalenceICU is TestEquivalence with the PostgreSQL archive in a
// database whose default collation is not C but ICU's en-US, as on many
// installations: every order and comparison must still be SQLite's (the
// schema and queries say COLLATE "C" where it matters). A third of the
// generated records is enough: orders differ on the fixture's and the
// tricky records' names and on ties among the generated ones.
func TestEquivalenceICU(t *testing.T) {
	lite, pg := openBothIn(t, pgtest.ICUDatabase(t))
	equivalence(t, lite, pg, 3)
}

// equivalence is TestEquivalence on the stores given, both empty, with a
// part (1/part) of the generated records.
func equivalence(t *testing.T, lite, pg store.Store, part int) {
	ctx := context.Background()
	n := 400
	if raceEnabled {
		n = 120
	}
	recs := records(n / part)
	ingestBoth(t, lite, pg, recs)
	updated := recs[:min(60, len(recs))]
	// New texts (versions) and new metadata (refreshes) for some.
	var again []*store.Record
	for i, r := range clone(updated) {
		switch i % 3 {
		case 0:
			r.Text += "\n\nUpdate: the harbour authority said more later."
		case 1:
			r.Title += " (updated)"
			r.Tags = append(r.Tags, "Corrections")
		}
		again = append(again, r)
	}
	ingestBoth(t, lite, pg, again)

	queries := []string{
		``, `harbour`, `HARBOUR`, `the`, `minister`, `"prime minister"`, `"climate change"`, `prime minister`,
		`"minister prime"`, `storm OR flood OR vaccine`, `harbour -storm`, `-the`, `-"prime minister" -harbour`,
		`pre*`, `ka*`, `har* -harbour`, `"city cou*"`, `cafe`, `café`, `CAFÉ`, `ǡ`, `µ`, `μ`, `ſ`, `s`, `ss`, `ß`,
		`istanbul`, `i̇stanbul`, `σισυφος`, `σίσυφος`, `ς`, `naive`, `deja`, `a`, `o̅x`, `ox`, `dont`, `don't`,
		`l'été`, `"l ete"`, `u.s.`, `"u s"`, `3.14`, `"co operation"`, `e-mail`, `http://example.com/a-b?c=d`,
		`example.com`, `東京で会議`, `北京`, `мир`, `ёлка`, `елка`, `नमस्ते`, `مرحبا`, `🎉`, `party`, `time`,
		`ｆｕｌｌ`, `full`, `ﬁne`, `fine`, `xii`, `ⅻ`, `!!!`, `"..."`, `harbour "---"`, `-"???"`, `harbour -"..."`, `"..." -harbour`,
		`-("..." harbour)`, `("..." harbour) OR site:com`,
		`site:example.com`, `site:example.org`, `site:com`, `site:TRICKY0.EXAMPLE`, `-site:com`,
		`author:doe`, `author:"jane doe"`, `author:zoë`, `author:ZOË`, `author:ünal`, `author:khan`,
		`tag:weather`, `tag:"climate change"`, `tag:ümlaut`, `tag:ÜMLAUT`, `tag:corrections`,
		`lang:en`, `lang:EN-gb`, `lang:fr`, `lang:en-gb`, `section:world`, `section:économie`, `section:ÉCONOMIE`,
		`after:2022-01-01`, `before:2021-01-01`, `after:2021-06-01 before:2022-06-01`,
		`harbour site:com`, `minister after:2023-01-01 before:2023-07-01`, `"prime minister" site:org`,
		`(storm OR flood) lang:en`, `harbour OR site:news.ru`, `minister -author:khan`,
		`(tag:storms OR tag:food) storm`, `-(storm OR flood) harbour`, `the sort:oldest`, `the sort:date`,
		`harbour sort:relevance`, `nothingmatchesthis`, `the sort:archived`,
	}
	g := storetest.NewGenerator(11)
	for i := range 5 {
		queries = append(queries, "site:"+g.Site(i*37), "the site:"+g.Site(i*37)+" after:2021-01-01")
	}
	optsList := []store.SearchOptions{
		{Limit: store.MaxLimit},
		{Sort: query.SortNewest, Limit: 7, Offset: 3},
		{Sort: query.SortOldest, Collapse: true, Limit: store.MaxLimit},
		{Collapse: true, Limit: store.MaxLimit},
		{Sort: query.SortOldest, Offset: 100000},
		{Sort: query.SortArchived, Collapse: true, Limit: 50, Offset: 5},
	}
	for _, qs := range queries {
		q, err := store.ParseQuery(qs)
		if err != nil {
			t.Fatalf("%q: %v", qs, err)
		}
		for _, o := range optsList {
			a, err1 := lite.Search(ctx, q, o)
			b, err2 := pg.Search(ctx, q, o)
			if err1 != nil || err2 != nil {
				t.Fatalf("Search(%q, %+v): sqlite %v, postgres %v", qs, o, err1, err2)
			}
			compareResults(t, qs, o, q, a, b)
		}
		for _, by := range []store.Interval{store.Day, store.Week, store.Month} {
			for _, split := range []store.TopField{"", store.TopSite} {
				o := store.TimelineOptions{By: by, Split: split}
				a, err1 := lite.Timeline(ctx, q, o)
				b, err2 := pg.Timeline(ctx, q, o)
				if err1 != nil || err2 != nil || !slices.EqualFunc(a, b, func(x, y store.Bucket) bool {
					return x.Start.Equal(y.Start) && x.Key == y.Key && x.Count == y.Count
				}) {
					t.Errorf("Timeline(%q, %+v): sqlite %v %v, postgres %v %v", qs, o, len(a), err1, len(b), err2)
				}
			}
		}
		for _, f := range store.TopFields {
			a, err1 := lite.Top(ctx, q, f, 25)
			b, err2 := pg.Top(ctx, q, f, 25)
			if err1 != nil || err2 != nil || !slices.Equal(a, b) {
				t.Errorf("Top(%q, %s): sqlite %v %v, postgres %v %v", qs, f, a, err1, b, err2)
			}
		}
		if ea, eb := exportBytes(t, lite, q), exportBytes(t, pg, q); !bytes.Equal(ea, eb) {
			t.Errorf("export of %q differs: sqlite %d bytes, postgres %d bytes\n%s", qs, len(ea), len(eb), firstDiff(ea, eb))
		}
	}
	sa, err1 := lite.Stats(ctx)
	sb, err2 := pg.Stats(ctx)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	sa.Bytes, sb.Bytes = 0, 0
	if *sa != *sb {
		t.Errorf("Stats: sqlite %+v, postgres %+v", sa, sb)
	}
	// Versions and clusters of every updated article.
	for _, r := range updated {
		e, err := archive.Prepare(clone([]*store.Record{r})[0], time.Now())
		if err != nil {
			continue
		}
		id := e.Record.ID
		va, err1 := lite.Versions(ctx, id)
		vb, err2 := pg.Versions(ctx, id)
		if err1 != nil || err2 != nil || jsonOf(t, va) != jsonOf(t, vb) {
			t.Errorf("Versions(%s) differ: %v %v", id, err1, err2)
		}
		cur, err := lite.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		ca, err1 := lite.Cluster(ctx, cur.ClusterID)
		cb, err2 := pg.Cluster(ctx, cur.ClusterID)
		if err1 != nil || err2 != nil || jsonOf(t, ca) != jsonOf(t, cb) {
			t.Errorf("Cluster(%s) differs: %v %v", cur.ClusterID, err1, err2)
		}
	}
}

// compareResults compares two pages of one search. Orders by date are
// compared hit by hit; relevance orders may differ (the scores are each
// backend's own), so for them the sets of hits are compared, which is
// exact when the page holds every match.
func compareResults(t *testing.T, qs string, o store.SearchOptions, q *query.Query, a, b *store.SearchResult) {
	t.Helper()
	if a.Total != b.Total || a.TotalCapped != b.TotalCapped || len(a.Hits) != len(b.Hits) {
		t.Errorf("Search(%q, %+v): sqlite %d (capped %v) total, %d hits; postgres %d (capped %v), %d hits",
			qs, o, a.Total, a.TotalCapped, len(a.Hits), b.Total, b.TotalCapped, len(b.Hits))
		return
	}
	norm, _ := o.Normalize(q)
	ids := func(r *store.SearchResult) []string {
		var out []string
		for _, h := range r.Hits {
			s := h.Record.ID
			if o.Collapse && norm.Sort == query.SortRelevance {
				// The best ranked member stands for its cluster, and the
				// rankings differ: compare the clusters.
				s = fmt.Sprintf("%s+%d", h.Record.ClusterID, h.Duplicates)
			}
			if norm.Sort != query.SortRelevance {
				s += fmt.Sprintf("+%d", h.Duplicates)
			}
			out = append(out, s)
		}
		return out
	}
	ia, ib := ids(a), ids(b)
	if norm.Sort == query.SortRelevance {
		if len(a.Hits) < a.Total {
			return // a page of a ranked order: nothing backend-neutral to compare
		}
		slices.Sort(ia)
		slices.Sort(ib)
	}
	if !slices.Equal(ia, ib) {
		t.Errorf("Search(%q, %+v):\nsqlite   %v\npostgres %v", qs, o, ia, ib)
	}
	for i := range a.Hits {
		if norm.Sort != query.SortRelevance && jsonOf(t, a.Hits[i].Record) != jsonOf(t, b.Hits[i].Record) {
			t.Errorf("Search(%q): hit %s records differ", qs, a.Hits[i].Record.ID)
		}
	}
}

func exportBytes(t *testing.T, st store.Store, q *query.Query) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := export.NewWriter(&buf, "jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Scan(context.Background(), q, w.Write); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func firstDiff(a, b []byte) string {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range min(len(la), len(lb)) {
		if !bytes.Equal(la[i], lb[i]) {
			return fmt.Sprintf("line %d:\n sqlite   %.300s\n postgres %.300s", i+1, la[i], lb[i])
		}
	}
	return "one is a prefix of the other"
}
