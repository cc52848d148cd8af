package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// Timelines keep every article's date in a cache that a change of
// counters.dates_version makes them reload whole (35 ms from the day
// blocks on a million articles). A write must bump it when it changes a stored
// article's date, and only then: re-harvesting a page whose metadata
// changed but whose date did not is common and must not cost that.
func TestDatesVersionOnlyForChangedDates(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	defer db.Close()
	day := func(d int) time.Time { return time.Date(2024, 5, d, 9, 0, 0, 0, time.UTC) }
	e := storetest.Fixture()[0]
	e.Record.Published = day(1)
	storetest.Load(t, db, []store.Entry{e})
	version := func() int64 {
		t.Helper()
		v, err := sqlite.DatesVersion(db)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	put := func(mod func(r *store.Record)) {
		t.Helper()
		e := storetest.Fixture()[0]
		e.Record.Published = day(1)
		mod(e.Record)
		e.Record.ContentHash = storetest.Hash(e.Record.Text)
		storetest.Load(t, db, []store.Entry{e})
	}
	may := func() int {
		t.Helper()
		q, _ := query.Parse("after:2024-05-01 before:2024-05-02")
		res, err := db.Search(ctx, q, store.SearchOptions{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	v0 := version()
	steps := []struct {
		name    string
		mod     func(r *store.Record)
		bump    bool
		onFirst int // articles dated 1 May afterwards
	}{
		{"refresh, same date", func(r *store.Record) { r.Title += " (updated)" }, false, 1},
		{"new text, same date", func(r *store.Record) { r.Text += "\n\nA late paragraph." }, false, 1},
		{"refresh, new date", func(r *store.Record) { r.Text += "\n\nA late paragraph."; r.Published = day(2) }, true, 0},
		{"new text, new date", func(r *store.Record) { r.Text += "\n\nAnother."; r.Published = day(3) }, true, 0},
	}
	for _, s := range steps {
		put(s.mod)
		v := version()
		if bumped := v != v0; bumped != s.bump {
			t.Errorf("%s: dates_version %d → %d, want a bump: %v", s.name, v0, v, s.bump)
		}
		v0 = v
		if got := may(); got != s.onFirst {
			t.Errorf("%s: %d articles dated 1 May, want %d", s.name, got, s.onFirst)
		}
	}
}
