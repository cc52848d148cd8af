package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/demo"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// The commands work on a PostgreSQL archive as on a SQLite one.
func TestPostgresCommands(t *testing.T) {
	pg := pgtest.Schema(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(archiveLines(30)), 0o644)
	if _, stderr, code := herald(t, "", "--db", pg, "import", "jsonl", in); code != 0 || !strings.Contains(stderr, "30 new") {
		t.Fatalf("import: exit %d\n%s", code, stderr)
	}
	out, _, code := herald(t, "", "--db", pg, "search", "--json", "harbour site:site1.example")
	var res store.SearchResult
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Total != 10 {
		t.Errorf("search: exit %d, %d hits\n%s", code, res.Total, out)
	}
	out, stderr, code := herald(t, "", "--db", pg, "stats")
	if code != 0 || !strings.Contains(out, "articles            30") && !strings.Contains(out, "30") {
		t.Errorf("stats: exit %d\n%s%s", code, out, stderr)
	}
	if strings.Contains(out, "password") {
		t.Errorf("stats shows the connection string's password:\n%s", out)
	}
	out, stderr, code = herald(t, "", "--db", pg, "migrate")
	if code != 0 || !strings.Contains(out, "0001_init.sql") {
		t.Errorf("migrate: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = herald(t, "", "--db", pg, "optimize") // vacuums and analyses
	if code != 0 || !strings.Contains(out, "optimized") {
		t.Errorf("optimize: exit %d\n%s%s", code, out, stderr)
	}
	// The export imported into SQLite exports the same bytes again.
	e2, _, _ := herald(t, "", "--db", pg, "export")
	lite := filepath.Join(dir, "a.db")
	if _, stderr, code := herald(t, e2, "--db", lite, "import", "jsonl", "-"); code != 0 {
		t.Fatalf("import: exit %d\n%s", code, stderr)
	}
	e1, _, _ := herald(t, "", "--db", lite, "export")
	if e1 != e2 || e1 == "" {
		t.Errorf("exports differ:\nsqlite   %.300s\npostgres %.300s", e1, e2)
	}
	for _, args := range [][]string{
		{"--by", "week", "harbour"},
		{"--by", "day", "tag1", "--compare", "harbour", "--share"},
		{"--by", "month", "tag:tag1", "--split", "site", "--share"},
	} {
		t1, _, _ := herald(t, "", append([]string{"--db", lite, "timeline", "--json"}, args...)...)
		t2, _, _ := herald(t, "", append([]string{"--db", pg, "timeline", "--json"}, args...)...)
		if t1 != t2 || !strings.Contains(t1, `"count"`) {
			t.Errorf("timelines %v differ:\n%s\n%s", args, t1, t2)
		}
	}
}

// A PostgreSQL location that cannot be reached, or is malformed, is a
// clear error and a non-zero exit, for every command that opens it.
func TestPostgresUnreachable(t *testing.T) {
	for _, args := range [][]string{
		{"--db", "postgres://herald:secret@127.0.0.1:1/herald?connect_timeout=5", "stats"},
		{"--db", "postgresql://herald:secret@127.0.0.1:1/herald?connect_timeout=5", "migrate"},
		{"--db", "postgres://%zz", "search", "x"},
		{"migrate-archive", "--from", "postgres://herald:secret@127.0.0.1:1/h?connect_timeout=5", "--to", filepath.Join(t.TempDir(), "x.db")},
	} {
		_, stderr, code := herald(t, "", args...)
		if code == 0 || !strings.Contains(stderr, "herald:") {
			t.Errorf("%v: exit %d\n%s", args, code, stderr)
		}
		if strings.Contains(stderr, "secret") {
			t.Errorf("%v: the password is shown:\n%s", args, stderr)
		}
	}
}

// fill gives an archive articles with versions and clusters, sources, a
// fetch log and a frontier in every state.
func fill(t *testing.T, st store.Store) {
	t.Helper()
	ctx := context.Background()
	storetest.Load(t, st, storetest.Fixture())
	g := storetest.NewGenerator(3)
	var more []store.Entry
	for range 300 {
		more = append(more, g.Next())
	}
	storetest.Load(t, st, more)
	for i, e := range storetest.Fixture()[:3] {
		e.Record.Text += fmt.Sprintf("\n\nUpdate %d.", i)
		e.Record.ContentHash = storetest.Hash(e.Record.Text)
		storetest.Load(t, st, []store.Entry{e})
	}
	src := &store.Source{URL: "https://news.example.com/feed.xml", Kind: store.KindFeed, Interval: time.Hour}
	if err := st.AddSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	if err := st.AddSource(ctx, &store.Source{URL: "https://example.org/sitemap.xml", Kind: store.KindSitemap, Paused: true}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		f := &store.Fetch{SourceID: src.ID, URL: fmt.Sprintf("https://news.example.com/%d", i), Status: 200, Bytes: int64(1000 * i),
			Duration: time.Duration(i) * time.Millisecond, At: time.Date(2024, 5, 1, 0, i, 0, 0, time.UTC)}
		if i == 3 {
			f.SourceID, f.Error, f.Status = 0, "robots", 0
		}
		if err := st.LogFetch(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	var items []store.FrontierItem
	for i := range 6 {
		items = append(items, store.FrontierItem{URL: fmt.Sprintf("https://q.example/%d", i), Host: "q.example",
			SourceID: src.ID, Depth: i % 2, Added: time.Date(2024, 5, 1, 0, 0, i, 0, time.UTC)})
	}
	if _, err := st.Enqueue(ctx, items); err != nil {
		t.Fatal(err)
	}
	claimed, err := st.Claim(ctx, time.Now(), 4)
	if err != nil {
		t.Fatal(err)
	}
	st.Done(ctx, claimed[0].URL)
	st.Fail(ctx, claimed[1].URL, "HTTP 404")
	st.Retry(ctx, claimed[2].URL, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), "HTTP 503")
	for u, v := range keptValidators {
		if err := st.(store.ValidatorKeeper).KeepSitemapValidators(ctx, u, v); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := tx.(store.Withholder).Withhold(ctx, store.WithheldArticle{ID: "0123456789abcdef", URL: "https://gone.example/story",
		At: time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC), Reason: "takedown request 17"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// keptValidators are the child sitemap validators fill keeps: the
// harvest's memory of which children it read whole.
var keptValidators = map[string]store.Validators{
	"https://example.org/sitemap-2024-05.xml": {ETag: `"m5"`, LastModified: "Fri, 31 May 2024 23:00:00 GMT"},
	"https://example.org/sitemap-2024-06.xml": {ETag: `W/"m6"`},
}

// dumpAll is everything an archive holds, as comparable text: every
// article's versions in stored order, sources, fetches, frontier, stats.
func dumpAll(t *testing.T, loc string) string {
	t.Helper()
	ctx := context.Background()
	st, err := openLocation(ctx, loc, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	d := st.(store.Dumper)
	if err := d.History(ctx, func(vs []*store.Record) error {
		c, err := st.Cluster(ctx, vs[len(vs)-1].ClusterID)
		if err != nil {
			return err
		}
		var members []string
		for _, r := range c {
			members = append(members, r.ID)
		}
		return enc.Encode(map[string]any{"versions": vs, "cluster": members})
	}); err != nil {
		t.Fatal(err)
	}
	srcs, err := st.ListSources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	enc.Encode(srcs)
	if err := d.DumpFetches(ctx, func(f *store.Fetch) error { return enc.Encode(f) }); err != nil {
		t.Fatal(err)
	}
	if err := d.DumpFrontier(ctx, func(it store.FrontierItem) error { return enc.Encode(it) }); err != nil {
		t.Fatal(err)
	}
	for _, u := range slices.Sorted(maps.Keys(keptValidators)) {
		v, err := st.(store.ValidatorKeeper).SitemapValidators(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		enc.Encode(map[string]any{"sitemap": u, "validators": v})
	}
	withheld, err := st.(store.WithheldLister).ListWithheld(ctx)
	if err != nil {
		t.Fatal(err)
	}
	enc.Encode(withheld)
	s, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Bytes = 0
	enc.Encode(s)
	return b.String()
}

// SQLite → PostgreSQL → SQLite keeps everything: the same export bytes,
// versions, clusters, sources, fetch log and frontier.
func TestMigrateArchiveRoundTrip(t *testing.T) {
	pg := pgtest.Schema(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	st, err := sqlite.Open(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, st)
	st.Close()

	out, stderr, code := herald(t, "", "migrate-archive", "--from", a, "--to", pg)
	if code != 0 || !strings.Contains(out, "308 articles (311 versions) copied") {
		t.Fatalf("to postgres: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = herald(t, "", "migrate-archive", "--from", pg, "--to", "sqlite:"+b)
	if code != 0 || !strings.Contains(out, "308 articles (311 versions) copied, 0 already there, 0 conflicts; 2 sources, 5 fetches, 6 frontier URLs, 2 sitemap validators, 1 withheld") {
		t.Fatalf("back to sqlite: exit %d\n%s%s", code, out, stderr)
	}
	e1, _, _ := herald(t, "", "--db", a, "export", "--format", "jsonl")
	e2, _, _ := herald(t, "", "--db", pg, "export", "--format", "jsonl")
	e3, _, _ := herald(t, "", "--db", b, "export", "--format", "jsonl")
	if e1 == "" || e1 != e2 || e1 != e3 {
		t.Errorf("exports differ: %d, %d, %d bytes", len(e1), len(e2), len(e3))
	}
	d1, d2, d3 := dumpAll(t, a), dumpAll(t, pg), dumpAll(t, b)
	if d1 != d2 || d1 != d3 {
		t.Errorf("archives differ after the round trip:\n%s", firstLineDiff(d1, d2, d3))
	}
	// Searches that break ties by archiving order agree too.
	s1, _, _ := herald(t, "", "--db", a, "search", "--json", "--limit", "50", "the")
	s3, _, _ := herald(t, "", "--db", b, "search", "--json", "--limit", "50", "the")
	if s1 != s3 {
		t.Errorf("search of the copy differs")
	}

	// A destination with data is refused, unless merging, which is
	// idempotent.
	if _, stderr, code := herald(t, "", "migrate-archive", "--from", a, "--to", pg); code == 0 || !strings.Contains(stderr, "not empty") {
		t.Errorf("copy into a full archive: exit %d\n%s", code, stderr)
	}
	out, stderr, code = herald(t, "", "migrate-archive", "--merge", "--from", a, "--to", pg)
	if code != 0 || !strings.Contains(out, "0 articles (0 versions) copied, 308 already there, 0 conflicts; 0 sources, 0 fetches, 0 frontier URLs, 0 sitemap validators, 0 withheld") {
		t.Errorf("merge again: exit %d\n%s%s", code, out, stderr)
	}
	if d := dumpAll(t, pg); d != d1 {
		t.Errorf("merging again changed the archive:\n%s", firstLineDiff(d1, d))
	}
	// A merge where the destination's history differs (here it has a
	// version the source lacks) reports the conflict and leaves the
	// article alone; a source with more versions adds them.
	dst, err := openLocation(context.Background(), pg, false)
	if err != nil {
		t.Fatal(err)
	}
	e := storetest.Fixture()[4]
	e.Record.Text = "A different story."
	e.Record.ContentHash = storetest.Hash(e.Record.Text)
	storetest.Load(t, dst, []store.Entry{e})
	dst.Close()
	before := dumpAll(t, pg)
	_, stderr, code = herald(t, "", "migrate-archive", "--merge", "--from", a, "--to", pg)
	if code != 1 || !strings.Contains(stderr, "1 articles differ") || !strings.Contains(stderr, "a5") {
		t.Errorf("conflicting merge: exit %d\n%s", code, stderr)
	}
	if d := dumpAll(t, pg); d != before {
		t.Errorf("a conflicting merge changed the destination:\n%s", firstLineDiff(before, d))
	}
	out, stderr, code = herald(t, "", "migrate-archive", "--merge", "--from", pg, "--to", b)
	if code != 0 || !strings.Contains(out, "1 articles (1 versions) copied, 307 already there") {
		t.Errorf("merge of a newer version: exit %d\n%s%s", code, out, stderr)
	}
	if d := dumpAll(t, b); d != before {
		t.Errorf("after merging the new version:\n%s", firstLineDiff(before, d))
	}
	// Bad usage.
	for _, args := range [][]string{
		{"migrate-archive", "--from", a},
		{"migrate-archive", "--from", a, "--to", "sqlite:" + a},
		{"migrate-archive", "--from", filepath.Join(dir, "missing.db"), "--to", filepath.Join(dir, "c.db")},
	} {
		if _, stderr, code := herald(t, "", args...); code == 0 || stderr == "" {
			t.Errorf("%v: exit %d\n%s", args, code, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "c.db")); err == nil {
		t.Error("a failed migrate-archive created its destination")
	}
}

func firstLineDiff(docs ...string) string {
	split := make([][]string, len(docs))
	for i, d := range docs {
		split[i] = strings.Split(d, "\n")
	}
	for i := range split[0] {
		for j := 1; j < len(split); j++ {
			if i >= len(split[j]) || split[j][i] != split[0][i] {
				other := ""
				if i < len(split[j]) {
					other = split[j][i]
				}
				return fmt.Sprintf("line %d:\n %.400s\n %.400s", i+1, split[0][i], other)
			}
		}
	}
	if !slices.Equal(split[0], split[len(split)-1]) {
		return "lengths differ"
	}
	return ""
}

// herald demo harvests into a PostgreSQL archive when --db names one, its
// WARC files in ./herald.warc as for herald harvest.
func TestDemoOnPostgres(t *testing.T) {
	pg := pgtest.Schema(t)
	dir := t.TempDir()
	t.Chdir(dir)
	out, stderr, code := herald(t, "", "--db", pg, "demo", "--no-serve")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, stderr)
	}
	if n, _ := archiveStats(t, pg); n != demo.Expect().Articles {
		t.Errorf("demo archive holds %d articles, want %d:\n%s", n, demo.Expect().Articles, out)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "herald.warc", "*.warc.gz")); len(files) == 0 {
		t.Errorf("no WARC files in %s", filepath.Join(dir, "herald.warc"))
	}
	if !strings.Contains(out, "Archive at postgres://") {
		t.Errorf("output:\n%s", out)
	}
}
