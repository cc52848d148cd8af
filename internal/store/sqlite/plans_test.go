package sqlite_test

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// Words with selective filters have two plans: walk the words' matches,
// or read the filtered articles and probe the index for each. On texts
// full of near misses — case, diacritics, substrings, punctuation inside
// words, other scripts — both must find the same articles.
func TestProbePlanFindsWhatTheWalkFinds(t *testing.T) {
	vocab := strings.Fields(`harbour Harbour HARBOUR harbours hárbour harbour-master harbourmaster
		co-operation cooperation co operation naïve naive NAIVE Straße strasse café cafe CAFÉ l'été ete
		Москва москва МОСКВА x X x-ray 2024 covid19 covid-19 the wall walls wallet storm Storm storms
		prime minister prime-minister ministers e\u0301te fjörd fjord ﬁsh fish ǅemal dzemal`)
	r := rand.New(rand.NewSource(7))
	words := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteString([]string{" ", " ", ", ", ". ", "\n", "—", " “"}[r.Intn(7)])
			}
			b.WriteString(vocab[r.Intn(len(vocab))])
		}
		return b.String()
	}
	var entries []store.Entry
	for i := range 600 {
		rec := &store.Record{ID: fmt.Sprintf("p%03d", i), ContentHash: fmt.Sprintf("hash-p%03d", i),
			Article: article.Article{
				URL:       fmt.Sprintf("https://site%d.example/a/%d", i%3, i),
				Title:     words(1 + r.Intn(2)),
				Text:      words(1 + r.Intn(6)),
				Published: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour),
			}}
		if r.Intn(3) == 0 {
			rec.Description = words(3)
		}
		if r.Intn(4) == 0 {
			rec.Tags = []string{words(2)}
		}
		if r.Intn(4) == 0 {
			rec.Authors = []string{words(2)}
		}
		entries = append(entries, store.Entry{Record: rec})
	}
	open := func(ratio int) *sqlite.DB {
		db := mustOpen(t)
		t.Cleanup(func() { db.Close() })
		sqlite.SetProbeRatio(db, ratio)
		storetest.Load(t, db, entries)
		return db
	}
	probe, walk := open(0), open(1<<30)
	queries := []string{`harbour`, `HARBOUR`, `harbo*`, `harbourmaster`, `"harbour master"`, `harbour-master`,
		`naive`, `naïve`, `strasse`, `straße`, `cafe`, `CAFÉ`, `ete`, `été`, `москва`, `x`, `ray`, `"x ray"`,
		`covid19`, `covid`, `19`, `wall`, `wal*`, `walls -wall`, `storm OR fjord`, `(storm OR fish) wall`,
		`"prime minister"`, `prime -minister`, `fjord`, `fish`, `ﬁsh`, `dzemal`, `ǆemal`, `the`, `2024`,
		`nothinghere`, `storm -"harbour master"`}
	ctx := context.Background()
	for _, qs := range queries {
		for site := range 3 {
			q := query.MustParse(fmt.Sprintf("%s site:site%d.example", qs, site))
			var got [2][]string
			var totals [2]int
			for i, db := range []*sqlite.DB{probe, walk} {
				res, err := db.Search(ctx, q, store.SearchOptions{Limit: store.MaxLimit})
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range res.Hits {
					got[i] = append(got[i], h.Record.ID)
				}
				slices.Sort(got[i])
				totals[i] = res.Total
			}
			if !slices.Equal(got[0], got[1]) || totals[0] != totals[1] {
				t.Errorf("%s: probing found %d %v, walking %d %v", q, totals[0], got[0], totals[1], got[1])
			}
		}
	}
}
