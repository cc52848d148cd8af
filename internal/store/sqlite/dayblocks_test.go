package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// checkDayBlocks compares day_blocks with article_keys: the day of every
// article, and no day where there is no article.
func checkDayBlocks(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	want := map[int64]int32{}
	rows, err := db.r.QueryContext(ctx, `SELECT n, date FROM article_keys`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n, date int64
		if err := rows.Scan(&n, &date); err != nil {
			t.Fatal(err)
		}
		want[n] = dayOf(date)
	}
	rows.Close()
	got := map[int64]int32{}
	rows, err = db.r.QueryContext(ctx, `SELECT block, days FROM day_blocks`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var block int64
		var b []byte
		if err := rows.Scan(&block, &b); err != nil {
			t.Fatal(err)
		}
		if len(b) != 4*blockRows {
			t.Fatalf("block %d has %d bytes", block, len(b))
		}
		for i := range int64(blockRows) {
			if d := int32(binary.LittleEndian.Uint32(b[4*i:])); d != noDay {
				got[block<<blockBits|i] = d
			}
		}
	}
	rows.Close()
	if len(got) != len(want) {
		t.Errorf("day blocks hold %d days, article_keys %d articles", len(got), len(want))
	}
	for n, d := range want {
		if got[n] != d {
			t.Errorf("row %d: day %d in its block, %d in article_keys", n, got[n], d)
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
	if _, err := raw.ExecContext(ctx, `DROP TABLE day_blocks; DELETE FROM schema_migrations WHERE version = 9`); err != nil {
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
