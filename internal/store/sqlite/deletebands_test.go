package sqlite_test

import (
	"context"
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
			mk := func(id, text string) store.Entry {
				e := storetest.Fixture()[1]
				url := "https://bands.example/" + id
				e.Record.ID, e.Record.URL, e.Record.CanonicalURL, e.Record.ClusterID = id, url, url, ""
				e.Record.Text, e.Record.ContentHash = text, storetest.Hash(text)
				_, sig := dedupe.Fingerprint(text)
				e.Bands = sig.Bands()
				return e
			}
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
			tx, err := db.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if err := tx.(store.Deleter).Delete(ctx, "gone"); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
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
