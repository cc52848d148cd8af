package sqlite

import (
	"context"
	"reflect"
	"testing"

	"github.com/herald-archive/herald/internal/store/storetest"
)

// Candidates outside a transaction (herald recluster --dry-run asks it
// for every lone article) prepares its band lookup once, and answers
// what a transaction's Candidates answers.
func TestCandidatesPreparedOnce(t *testing.T) {
	ctx := context.Background()
	db, _ := cacheArchive(t, 60)
	gen := storetest.NewGenerator(11) // the archive's own articles
	for i := range 20 {
		e := gen.Next()
		got, err := db.Candidates(ctx, e.Bands, 10)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want, err := tx.Candidates(ctx, e.Bands, 10)
		tx.Rollback()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("article %d: Candidates %v, in a transaction %v", i, got, want)
		}
		if len(got) == 0 && len(e.Bands) > 0 {
			t.Errorf("article %d: no candidates, not even itself", i)
		}
	}
	n := 0
	db.stmts.Range(func(any, any) bool { n++; return true })
	if n != 1 {
		t.Errorf("%d statements prepared, want the band lookup once", n)
	}
}
