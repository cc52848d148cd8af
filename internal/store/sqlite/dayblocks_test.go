package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// checkDayBlocks compares day_blocks and site_blocks with article_keys,
// and facet_blocks with the articles: the day, the site and the facet of
// every article, and nothing where there is no article.
func checkDayBlocks(t *testing.T, db *DB) {
	t.Helper()
	checkBlocks(t, db, "day_blocks", "days", `SELECT n, date / 86400 - (date % 86400 < 0) FROM article_keys`)
	checkBlocks(t, db, "site_blocks", "sites", `SELECT n, site_id FROM article_keys`)
	checkBlocks(t, db, "facet_blocks", "facets", `SELECT a.n, f.id FROM articles a
		JOIN facets f ON f.language = a.language AND f.section = a.section`)
	checkLinkBlocks(t, db, "tag_blocks", "tags", `SELECT n, tag_id FROM article_tags`)
	checkLinkBlocks(t, db, "author_blocks", "authors", `SELECT n, author_id FROM article_authors`)
}

// eachBlock calls fn with every block of table (its blob column col).
func eachBlock(t *testing.T, db *DB, table, col string, fn func(block int64, b []byte)) {
	t.Helper()
	rows, err := db.r.QueryContext(context.Background(), `SELECT block, `+col+` FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var block int64
		var b []byte
		if err := rows.Scan(&block, &b); err != nil {
			t.Fatal(err)
		}
		fn(block, b)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// rowValues returns the values by row number that sqlq (row number,
// value) gives.
func rowValues(t *testing.T, db *DB, sqlq string) map[int64][]int32 {
	t.Helper()
	rows, err := db.r.QueryContext(context.Background(), sqlq)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]int32{}
	for rows.Next() {
		var n int64
		var v int32
		if err := rows.Scan(&n, &v); err != nil {
			t.Fatal(err)
		}
		out[n] = append(out[n], v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkLinkBlocks compares the link blocks of table with the links by
// row number that sqlq gives, and the link cache with both.
func checkLinkBlocks(t *testing.T, db *DB, table, col, sqlq string) {
	t.Helper()
	ctx := context.Background()
	want := rowValues(t, db, sqlq)
	for _, ids := range want {
		slices.Sort(ids)
	}
	got := map[int64][]int32{}
	eachBlock(t, db, table, col, func(block int64, b []byte) {
		if err := decodeLinks(b, func(i int, ids []int32) { got[block<<blockBits|int64(i)] = slices.Clone(ids) }); err != nil {
			t.Fatalf("%s %d: %v", table, block, err)
		}
	})
	if len(got) != len(want) {
		t.Errorf("%s hold the links of %d articles, the links table of %d", table, len(got), len(want))
	}
	for n, ids := range want {
		if !slices.Equal(got[n], ids) {
			t.Errorf("%s: row %d: %v in its block, %v in the links table", table, n, got[n], ids)
		}
	}
	cache := &db.tagLinks
	if table == "author_blocks" {
		cache = &db.authorLinks
	}
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	view, err := cache.current(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	for n := range view.maxN + 1 {
		if ids := view.of(n); !slices.Equal(ids, want[n]) && len(ids)+len(want[n]) > 0 {
			t.Errorf("%s cache: row %d: %v, want %v", table, n, ids, want[n])
		}
	}
}

// checkBlocks compares the blocks of table with the values by row
// number that sqlq gives.
func checkBlocks(t *testing.T, db *DB, table, col, sqlq string) {
	t.Helper()
	want := map[int64]int32{}
	for n, vs := range rowValues(t, db, sqlq) {
		if len(vs) != 1 {
			t.Fatalf("%s: row %d has %d values", table, n, len(vs))
		}
		want[n] = vs[0]
	}
	got := map[int64]int32{}
	eachBlock(t, db, table, col, func(block int64, b []byte) {
		if len(b) != 4*blockRows {
			t.Fatalf("%s: block %d has %d bytes", table, block, len(b))
		}
		for i := range int64(blockRows) {
			if d := int32(binary.LittleEndian.Uint32(b[4*i:])); d != noValue {
				got[block<<blockBits|i] = d
			}
		}
	})
	if len(got) != len(want) {
		t.Errorf("%s hold %d values, article_keys %d articles", table, len(got), len(want))
	}
	for n, d := range want {
		if got[n] != d {
			t.Errorf("%s: row %d: %d in its block, %d in article_keys", table, n, got[n], d)
		}
	}
}

// Write transactions keep day_blocks in step with article_keys: new
// articles in more than one block, re-dated ones (by a refresh and by a
// new text), none from a rolled-back transaction; migration 0009 builds
// the same blocks for an archive that had none; timelines read them.
func TestDayBlocks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	g := storetest.NewGenerator(3)
	var entries []store.Entry
	for range blockRows + 300 {
		entries = append(entries, g.Next())
	}
	for i := 0; i < len(entries); i += 1000 {
		storetest.Load(t, db, entries[i:min(i+1000, len(entries))])
	}
	checkDayBlocks(t, db)

	redate := func(e store.Entry, date time.Time, newText bool) store.Entry {
		r := *e.Record
		r.Published = date
		if newText {
			r.Text += "\n\nA correction was added."
			r.ContentHash = storetest.Hash(r.Text)
		}
		e.Record = &r
		return e
	}
	when := time.Date(2019, 3, 4, 5, 6, 7, 0, time.UTC)
	storetest.Load(t, db, []store.Entry{
		redate(entries[5], when, false),
		redate(entries[blockRows+10], when.AddDate(0, 0, 1), true),
		redate(entries[7], entries[7].Record.Published, false), // same date
	})
	checkDayBlocks(t, db)

	// A new text of a stored article, now on another site.
	moved := redate(entries[11], entries[11].Record.Published, true)
	moved.Record.URL = "https://moved.example/story.html"
	moved.Record.CanonicalURL = moved.Record.URL
	storetest.Load(t, db, []store.Entry{moved})
	checkDayBlocks(t, db)

	// A refresh to another language, a new text in a new section: the
	// facet cache, loaded before, reloads.
	inLang := func(lang string) int {
		q, err := query.Parse("lang:" + lang)
		if err != nil {
			t.Fatal(err)
		}
		res, err := db.Search(ctx, q, store.SearchOptions{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	eus := inLang("eu")
	relang := redate(entries[12], entries[12].Record.Published, false)
	relang.Record.Language = "eu"
	resection := redate(entries[blockRows+20], entries[blockRows+20].Record.Published, true)
	resection.Record.Section = "Bertsoak"
	storetest.Load(t, db, []store.Entry{relang, resection})
	checkDayBlocks(t, db)
	if got := inLang("eu"); eus != 0 || got != 1 {
		t.Errorf("lang:eu matched %d articles before the refresh, %d after; want 0, 1", eus, got)
	}
	// New tags by a refresh (the same text), new authors with a new
	// text: the tag and author caches, loaded before, reload.
	relang.Record.Tags = []string{"Basque poetry", "basque POETRY", "Festivals"}
	reauthor := redate(resection, resection.Record.Published, true)
	reauthor.Record.Authors = []string{"Amaia Etxeberria"}
	storetest.Load(t, db, []store.Entry{relang})
	checkDayBlocks(t, db)
	storetest.Load(t, db, []store.Entry{reauthor})
	checkDayBlocks(t, db)
	split, err := db.Timeline(ctx, &query.Query{}, store.TimelineOptions{By: store.Month, Split: store.TopSite})
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(split, func(b store.Bucket) bool { return b.Key == "moved.example" }); i < 0 || split[i].Count != 1 {
		t.Errorf("timeline by site after the move: moved.example at %d of %d buckets, want once", i, len(split))
	}

	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Put(ctx, g.Next()); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Put(ctx, redate(entries[9], when, false)); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	checkDayBlocks(t, db)
	// New articles only: the caches load the rows above those they hold.
	var more []store.Entry
	for range 40 {
		more = append(more, g.Next())
	}
	storetest.Load(t, db, more)
	was := db.tagLinks.view
	checkDayBlocks(t, db)
	if now := db.tagLinks.view; was == nil || now.version != was.version || now.maxN <= was.maxN {
		t.Errorf("the tag cache did not add the new rows to its view: %v, then %v", was, now)
	}

	timeline := func(db *DB) []store.Bucket {
		b, err := db.Timeline(ctx, &query.Query{}, store.TimelineOptions{By: store.Month})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	before := timeline(db)
	var march2019 int
	for _, b := range before {
		if b.Start.Equal(time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC)) {
			march2019 = b.Count
		}
	}
	if march2019 != 2 {
		t.Errorf("March 2019 has %d articles, want the 2 re-dated there", march2019)
	}

	// The archive as it was before migration 0009.
	db.Close()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, `DROP TABLE day_blocks; DROP TABLE site_blocks; DROP TABLE facet_blocks; DROP TABLE facets;
		DROP TABLE tag_blocks; DROP TABLE author_blocks;
		DELETE FROM schema_migrations WHERE version IN (9, 15, 17, 18)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkDayBlocks(t, db)
	after := timeline(db)
	if len(after) != len(before) {
		t.Fatalf("timeline after migrating: %d buckets, %d before", len(after), len(before))
	}
	for i := range after {
		if after[i] != before[i] {
			t.Errorf("bucket %d: %+v after migrating, %+v before", i, after[i], before[i])
		}
	}
}
