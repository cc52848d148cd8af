package sqlite_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/herald-archive/herald/internal/dedupe"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// TestDeleteDropsBands: deleting an article deletes its LSH band rows,
// those of its text and of its earlier version, from article_lsh and
// from article_lsh_recent, and the row counters follow. They stayed:
// space for nothing, and, since the next article stored takes the row
// number of a deleted newest one, they became that article's bands, a
// false candidate for every later near duplicate of the deleted text.
// That article, a near duplicate here, is in a cluster of its own.
func TestDeleteDropsBands(t *testing.T) {
	for _, tc := range []struct {
		name        string
		directBelow int64
	}{{"article_lsh", 1 << 40}, {"article_lsh_recent", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			defer sqlite.SetLSHMerge(tc.directBelow, 1<<40, 0)() // never merged here
			ctx := context.Background()
			db := mustOpen(t)
			mk := func(id, text string) store.Entry { return bandEntry("bands", id, text) }
			earlier := "Earlier: the lighthouse keeper said the lamp would be switched off in the spring, " +
				"after more than a century of guiding the ferries and fishing boats past the rocks of the northern breakwater."
			storetest.Load(t, db, []store.Entry{mk("keep", "The fish market opens an hour earlier on Fridays from next month, the traders said, "+
				"and the car park by the quay will be free for the first hour for shoppers and visitors alike.")})
			storetest.Load(t, db, []store.Entry{mk("gone", earlier)})
			storetest.Load(t, db, []store.Entry{mk("gone", storetest.DeletedText)}) // a second version
			n, err := sqlite.RowOf(db, "gone")
			if err != nil {
				t.Fatal(err)
			}
			if rows, err := sqlite.BandRowsOf(db, n); err != nil || rows == 0 {
				t.Fatalf("before the delete: %d band rows (%v), want some", rows, err)
			}
			if err := storetest.DeleteIDs(t, db, "gone"); err != nil {
				t.Fatal(err)
			}
			if rows, err := sqlite.BandRowsOf(db, n); err != nil || rows != 0 {
				t.Errorf("after the delete: %d band rows of its row number %d (%v), want none", rows, n, err)
			}
			r, rr, cr, crr, err := sqlite.LSHRows(db)
			if err != nil || r != cr || rr != crr {
				t.Errorf("counters say %d + %d rows, the tables hold %d + %d (%v)", r, rr, cr, crr, err)
			}
			// The next article takes row number n again; a near duplicate
			// of the earlier text then finds no candidate in it.
			other := mk("next", "A new crane was lifted onto the container terminal on Tuesday, the port said, "+
				"and it will start work in the autumn once the rails and the power supply are ready for it.")
			storetest.Load(t, db, []store.Entry{other})
			if m, err := sqlite.RowOf(db, "next"); err != nil || m != n {
				t.Logf("the next article has row %d, not the deleted %d (%v)", m, n, err)
			}
			for _, text := range []string{earlier, storetest.DeletedText} {
				_, sig := dedupe.Fingerprint(text + " More to follow.")
				if cs, err := db.Candidates(ctx, sig.Bands(), 16); err != nil || len(cs) != 0 {
					t.Errorf("candidates of a near duplicate of the deleted text = %v (%v), want none", cs, err)
				}
			}
			near := mk("near", earlier+" More to follow.")
			if out := storetest.Load(t, db, []store.Entry{near})[0]; out != store.New || near.Record.ClusterID != "near" {
				t.Errorf("a near duplicate of the deleted article = %v in cluster %q, want new, in its own", out, near.Record.ClusterID)
			}
		})
	}
}

// TestDeleteListsBandsGone: once article_lsh is large, a delete leaves
// its rows where they are (a deleted article's rows lie on twenty-odd
// pages of it, each rewritten for one row) and lists them in
// article_lsh_gone instead; lookups, read ahead or not, leave them out,
// as if deleted, and the next merge deletes them. A new article that
// takes the row number and shares a band with the deleted text keeps
// that band row.
func TestDeleteListsBandsGone(t *testing.T) {
	restore := sqlite.SetLSHMerge(1<<40, 1<<40, 0) // straight into article_lsh
	defer func() { restore() }()
	ctx := context.Background()
	db := mustOpen(t)
	mk := func(id, text string) store.Entry { return bandEntry("gone", id, text) }
	text := "The lighthouse keeper said the lamp would be switched off in the spring, " +
		"after more than a century of guiding the ferries and fishing boats past the rocks of the northern breakwater."
	storetest.Load(t, db, []store.Entry{mk("keep", "The fish market opens an hour earlier on Fridays from next month, the traders said, "+
		"and the car park by the quay will be free for the first hour for shoppers and visitors alike.")})
	storetest.Load(t, db, []store.Entry{mk("gone", text)})
	n, err := sqlite.RowOf(db, "gone")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := sqlite.BandRowsOf(db, n)
	if err != nil || rows == 0 {
		t.Fatalf("before the delete: %d band rows (%v), want some", rows, err)
	}
	restore()
	restore = sqlite.SetLSHMerge(0, 1<<40, 0) // article_lsh counts as large; no merge yet
	if err := storetest.DeleteIDs(t, db, "gone"); err != nil {
		t.Fatal(err)
	}
	listed, counter, mainRows, err := sqlite.ListedGone(db, n)
	if err != nil || mainRows != rows || listed != rows || counter != listed {
		t.Errorf("after the delete: article_lsh holds %d of its %d rows, %d listed gone (counter %d) (%v); want all left and listed",
			mainRows, rows, listed, counter, err)
	}
	near := text + " More to follow."
	_, sig := dedupe.Fingerprint(near)
	if cs, err := db.Candidates(ctx, sig.Bands(), 16); err != nil || len(cs) != 0 {
		t.Errorf("candidates of a near duplicate of the deleted text = %v (%v), want none", cs, err)
	}
	// Read ahead in a transaction: left out too.
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.(store.CandidatePrefetcher).PrefetchCandidates(ctx, [][]uint64{sig.Bands()}); err != nil {
		t.Fatal(err)
	}
	if cs, err := tx.Candidates(ctx, sig.Bands(), 16); err != nil || len(cs) != 0 {
		t.Errorf("candidates read ahead = %v (%v), want none", cs, err)
	}
	tx.Rollback()
	// The next article takes row number n, with the deleted text: its
	// band rows are its own, found, and no longer listed.
	again := mk("again", text)
	storetest.Load(t, db, []store.Entry{again})
	if m, err := sqlite.RowOf(db, "again"); err != nil || m != n {
		t.Fatalf("the next article has row %d, want the deleted %d (%v)", m, n, err)
	}
	if cs, err := db.Candidates(ctx, sig.Bands(), 16); err != nil || len(cs) != 1 || cs[0].ID != "again" {
		t.Errorf("candidates of a near duplicate = %v (%v), want the article that took the row", cs, err)
	}
	if listed, counter, _, err := sqlite.ListedGone(db, n); err != nil || listed != 0 || counter != 0 {
		t.Errorf("listed gone after the row was taken: %d (counter %d, %v), want none", listed, counter, err)
	}
	// Deleted again (a newer article keeps its row number from being
	// taken), then merged: the rows go from article_lsh.
	storetest.Load(t, db, []store.Entry{mk("other", "A new crane was lifted onto the container terminal on Tuesday, the port said, "+
		"and it will start work in the autumn once the rails and the power supply are ready for it.")})
	if err := storetest.DeleteIDs(t, db, "again"); err != nil {
		t.Fatal(err)
	}
	restore()
	restore = sqlite.SetLSHMerge(0, 1, 0) // merged at the next write
	storetest.Load(t, db, []store.Entry{mk("third", "The bridge over the estuary closes for repairs for two weeks in March, "+
		"and the ferry will run every half hour instead of every hour until it opens again.")})
	if listed, counter, mainRows, err := sqlite.ListedGone(db, n); err != nil || listed != 0 || counter != 0 || mainRows != 0 {
		t.Errorf("after the merge: %d listed gone (counter %d), article_lsh holds %d rows of row %d (%v); want none",
			listed, counter, mainRows, n, err)
	}
	if r, rr, cr, crr, err := sqlite.LSHRows(db); err != nil || r != cr || rr != crr {
		t.Errorf("counters say %d + %d rows, the tables hold %d + %d (%v)", r, rr, cr, crr, err)
	}
}

// TestLookAhead: the Lookup LookAhead returns answers Candidates as the
// archive does, from rows read ahead: those of article_lsh, of
// article_lsh_recent, less those listed in article_lsh_gone; for bands
// it did not read, from the archive.
func TestLookAhead(t *testing.T) {
	restore := sqlite.SetLSHMerge(1<<40, 1<<40, 0) // straight into article_lsh
	defer func() { restore() }()
	ctx := context.Background()
	db := mustOpen(t)
	mk := func(id, text string) store.Entry { return bandEntry("ahead", id, text) }
	texts := []string{
		"The lighthouse keeper said the lamp would be switched off in the spring, after more than a century of guiding the ferries past the rocks.",
		"The fish market opens an hour earlier on Fridays from next month, the traders said, and the car park by the quay will be free for an hour.",
		"A new crane was lifted onto the container terminal on Tuesday, the port said, and it will start work in the autumn once the rails are ready.",
	}
	storetest.Load(t, db, []store.Entry{mk("main", texts[0])}) // in article_lsh
	storetest.Load(t, db, []store.Entry{mk("gone", texts[1])})
	restore()
	restore = sqlite.SetLSHMerge(0, 1<<40, 0)
	storetest.Load(t, db, []store.Entry{mk("recent", texts[2])}) // in article_lsh_recent
	storetest.Load(t, db, []store.Entry{mk("last", "The bridge over the estuary closes for repairs for two weeks in March, and the ferry runs every half hour.")})
	if err := storetest.DeleteIDs(t, db, "gone"); err != nil { // listed gone
		t.Fatal(err)
	}
	var lists [][]uint64
	for _, text := range texts {
		_, sig := dedupe.Fingerprint(text + " More to follow.")
		lists = append(lists, sig.Bands())
	}
	look, err := db.LookAhead(ctx, lists[:2])
	if err != nil {
		t.Fatal(err)
	}
	for i, bands := range lists {
		want, err := db.Candidates(ctx, bands, 16)
		if err != nil {
			t.Fatal(err)
		}
		got, err := look.Candidates(ctx, bands, 16)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("text %d: read ahead %v, the archive says %v", i, got, want)
		}
		if wantN := []int{1, 0, 1}[i]; len(got) != wantN {
			t.Errorf("text %d: %d candidates %v, want %d", i, len(got), got, wantN)
		}
	}
}

// TestDropDeletedBandsUnlists: herald optimize's sweep deletes the rows
// listed as gone whose row number no article has, and the list with
// them; and a delete that lists enough rows merges at its commit, as a
// write of enough new rows does.
func TestDropDeletedBandsUnlists(t *testing.T) {
	for _, merge := range []bool{false, true} {
		t.Run(fmt.Sprintf("merge=%v", merge), func(t *testing.T) { testDropDeletedBandsUnlists(t, merge) })
	}
}

func testDropDeletedBandsUnlists(t *testing.T, merge bool) {
	restore := sqlite.SetLSHMerge(1<<40, 1<<40, 0) // straight into article_lsh
	defer func() { restore() }()
	ctx := context.Background()
	db := mustOpen(t)
	mk := func(id, text string) store.Entry { return bandEntry("sweep", id, text) }
	storetest.Load(t, db, []store.Entry{mk("gone", "The lighthouse keeper said the lamp would be switched off in the spring, after more than a century of guiding the ferries.")})
	storetest.Load(t, db, []store.Entry{mk("keep", "The fish market opens an hour earlier on Fridays from next month, the traders said, and parking by the quay is free.")})
	n, err := sqlite.RowOf(db, "gone")
	if err != nil {
		t.Fatal(err)
	}
	restore()
	restore = sqlite.SetLSHMerge(0, 1<<40, 0) // listed gone, not merged
	if merge {
		restore()
		restore = sqlite.SetLSHMerge(0, 1, 0) // merged at the commit
	}
	if err := storetest.DeleteIDs(t, db, "gone"); err != nil {
		t.Fatal(err)
	}
	if merge {
		if listed, counter, mainRows, err := sqlite.ListedGone(db, n); err != nil || listed != 0 || counter != 0 || mainRows != 0 {
			t.Errorf("after the delete and its merge: %d listed gone (counter %d), article_lsh holds %d rows of row %d (%v); want none",
				listed, counter, mainRows, n, err)
		}
		if r, rr, cr, crr, err := sqlite.LSHRows(db); err != nil || r != cr || rr != crr {
			t.Errorf("counters say %d + %d rows, the tables hold %d + %d (%v)", r, rr, cr, crr, err)
		}
		return
	}
	if listed, _, _, err := sqlite.ListedGone(db, n); err != nil || listed == 0 {
		t.Fatalf("after the delete: %d listed gone (%v), want its rows", listed, err)
	}
	if _, err := db.DropDeletedBands(ctx); err != nil {
		t.Fatal(err)
	}
	if listed, counter, mainRows, err := sqlite.ListedGone(db, n); err != nil || listed != 0 || counter != 0 || mainRows != 0 {
		t.Errorf("after the sweep: %d listed gone (counter %d), article_lsh holds %d rows of row %d (%v); want none",
			listed, counter, mainRows, n, err)
	}
}

// bandEntry is an entry of the fixture's second record at
// https://HOST.example/ID with text, and its bands.
func bandEntry(host, id, text string) store.Entry {
	e := storetest.Fixture()[1]
	url := "https://" + host + ".example/" + id
	e.Record.ID, e.Record.URL, e.Record.CanonicalURL, e.Record.ClusterID = id, url, url, ""
	e.Record.Text, e.Record.ContentHash = text, storetest.Hash(text)
	_, sig := dedupe.Fingerprint(text)
	e.Bands = sig.Bands()
	return e
}
