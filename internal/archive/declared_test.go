package archive_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
)

// rewrite is the harbour story retold in other words: far below the
// near-duplicate threshold, as a partner's rewrite of a wire story is.
const rewrite = `Councillors backed the harbour district budget this week after months of argument about paying for the damaged breakwater.

The money, borrowed over two years, rebuilds the outer wall and the ferry terminal. Critics said schools would pay the price, while fishing crews asked to keep their moorings during the works.`

// declared is a page that names original as its original: its
// rel=canonical points there, on another site.
func declared(url, original, text string) *store.Record {
	r := page(url, "Harbour budget approved", text)
	r.OriginalURL = original
	return r
}

// A copy that names an archived article as its original joins that
// article's cluster whatever its text (a teaser, a rewrite, an empty
// body); copies of an original not archived yet join each other, and the
// original, archived after them, joins them; in one batch or across
// batches, on both backends. What the
// text says still comes first: a near duplicate of another story joins
// that one. A copy of an original the archive does not hold, and an
// unrelated article, stay alone.
func TestDeclaredCopiesCluster(t *testing.T) {
	for _, bk := range backends {
		for _, oneBatch := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/one batch %v", bk.name, oneBatch), func(t *testing.T) {
				declaredCopiesCluster(t, bk.open(t), oneBatch)
			})
		}
	}
}

func declaredCopiesCluster(t *testing.T, st store.Store, oneBatch bool) {
	ctx := context.Background()
	const (
		wire    = "https://wire.example/2024/05/harbour-budget"
		late    = "https://agency.example/2024/05/ferry-fares"
		missing = "https://gone.example/2024/05/never-archived"
	)
	fares := `Ferry fares will rise by a tenth from June, the operator said on Wednesday, blaming fuel costs and the delayed harbour works.

Season tickets are spared until the autumn, and children under twelve still travel free on every crossing of the bay.`
	steps := []struct {
		name string
		rec  *store.Record
		// joins is the URL of the article whose cluster it must join
		// ("" for its own).
		joins string
	}{
		{"original", page(wire, "Council approves harbour budget", story), ""},
		{"teaser", declared("https://partner.example/harbour", wire, opening(12)), wire},
		{"rewrite", declared("https://paper.example/news/harbour", wire, rewrite), wire},
		{"empty body", declared("https://portal.example/h", wire, ""), wire},
		{"copy of an original not archived", declared("https://reader.example/x", missing, "Letters to the editor about the weekend market, the new bus timetable and the library's opening hours, which readers want longer in winter."), ""},
		{"copy before its original", declared("https://first.example/fares", late, opening(15)+" Ferry fares rise."), ""},
		{"second copy before its original", declared("https://second.example/fares", late, "Fares up by a tenth from June."), "https://first.example/fares"},
		{"original after its copies", page(late, "Ferry fares to rise", fares), "https://first.example/fares"},
		{"near duplicate naming another original", declared("https://mirror.example/fares", wire, fares), "https://first.example/fares"},
		{"unrelated", page("https://sport.example.com/match", "Match report", strings.Repeat("The home side won the derby in extra time. ", 6)), ""},
	}
	recs := make([]*store.Record, len(steps))
	for i, s := range steps {
		recs[i] = s.rec
	}
	var res []archive.Result
	if oneBatch {
		res = ingest(t, st, recs...)
	} else {
		for _, r := range recs {
			res = append(res, ingest(t, st, r)...)
		}
	}
	idOf := map[string]string{}
	for i, s := range steps {
		if res[i].Err != nil {
			t.Fatalf("%s: %v", s.name, res[i].Err)
		}
		idOf[s.rec.URL] = res[i].ID
	}
	for i, s := range steps {
		want, outcome := res[i].ID, store.New
		if s.joins != "" {
			want, outcome = res[slices.IndexFunc(steps, func(x struct {
				name  string
				rec   *store.Record
				joins string
			}) bool {
				return x.rec.URL == s.joins
			})].ClusterID, store.Duplicate
		}
		if res[i].ClusterID != want || res[i].Outcome != outcome {
			t.Errorf("%s: %v in cluster %s, want %v in %s", s.name, res[i].Outcome, res[i].ClusterID, outcome, want)
		}
	}
	// The store agrees: the wire story's cluster holds its three copies.
	members, err := st.Cluster(ctx, idOf[wire])
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 4 {
		t.Errorf("the wire story's cluster has %d articles, want 4", len(members))
	}
	// Importing it all again changes nothing.
	for i, r := range ingest(t, st, recs...) {
		if r.Outcome != store.Unchanged || r.ClusterID != res[i].ClusterID {
			t.Errorf("re-import of %s: %v in %s, want unchanged in %s", steps[i].name, r.Outcome, r.ClusterID, res[i].ClusterID)
		}
	}
}
