package archive_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
)

const football = `The national football team won its opening match of the tournament on Saturday, beating the hosts by two goals to one in front of a sold-out crowd.

The winning goal came in the final minute, when the substitute striker headed in a corner at the far post.`

// Bulk stores batches in order, reports each batch's results to its own
// done function in that order, and decides as Ingest does: a copy in a
// later batch joins the cluster of an article stored by an earlier one,
// and a bad record is reported without stopping its batch.
func TestBulkStoresInOrder(t *testing.T) {
	st := mustOpen(t)
	ctx := context.Background()
	b := archive.NewBulk(ctx, st)
	var order []int
	var got [][]archive.Result
	batches := [][]*store.Record{
		{rec("https://a.example/story", story), rec("https://b.example/other", football)},
		{rec("not a url", story), rec("https://c.example/copy", story)},
		{rec("https://a.example/story", story)},
	}
	for i, batch := range batches {
		if err := b.Add(batch, func(res []archive.Result) {
			order = append(order, i)
			got = append(got, res)
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Add(nil, nil); err != nil {
		t.Fatalf("an empty batch: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(order, []int{0, 1, 2}) {
		t.Fatalf("batches reported in order %v", order)
	}
	first := got[0][0]
	if first.Outcome != store.New || got[0][1].Outcome != store.New {
		t.Errorf("first batch: %+v", got[0])
	}
	if !errors.Is(got[1][0].Err, archive.ErrNoURL) {
		t.Errorf("bad record: %+v, want ErrNoURL", got[1][0])
	}
	if c := got[1][1]; c.Outcome != store.Duplicate || c.ClusterID != first.ID {
		t.Errorf("copy in a later batch: %+v, want a duplicate in cluster %s", c, first.ID)
	}
	if again := got[2][0]; again.Outcome != store.Unchanged || again.ID != first.ID {
		t.Errorf("same article again: %+v, want unchanged", again)
	}
	if s, _ := st.Stats(ctx); s.Articles != 3 {
		t.Errorf("articles = %d, want 3", s.Articles)
	}
}

// failingBegin is a real store whose transactions fail from the nth on,
// as a full disk or a lost server would make them.
type failingBegin struct {
	store.Store
	n, calls int
}

func (f *failingBegin) Begin(ctx context.Context) (store.Tx, error) {
	f.calls++
	if f.calls >= f.n {
		return nil, fmt.Errorf("begin %d: disk full", f.calls)
	}
	return f.Store.Begin(ctx)
}

// After a batch fails, Bulk stores nothing more, Add and Close say so,
// and the batches before it stay stored.
func TestBulkStopsAtFirstFailure(t *testing.T) {
	st := mustOpen(t)
	fs := &failingBegin{Store: st, n: 2}
	ctx := context.Background()
	b := archive.NewBulk(ctx, fs)
	stored := 0
	var addErr error
	for i := range 5 {
		r := rec(fmt.Sprintf("https://a.example/%d", i), fmt.Sprintf("Story number %d. %s", i, story))
		if addErr = b.Add([]*store.Record{r}, func([]archive.Result) { stored++ }); addErr != nil {
			break
		}
	}
	err := b.Close()
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Close = %v, want the store failure", err)
	}
	if addErr != nil && !strings.Contains(addErr.Error(), "disk full") {
		t.Errorf("Add = %v, want the store failure", addErr)
	}
	if stored != 1 || fs.calls != 2 {
		t.Errorf("%d batches stored, %d transactions begun; want 1 and 2", stored, fs.calls)
	}
	if s, _ := st.Stats(ctx); s.Articles != 1 {
		t.Errorf("articles = %d, want 1", s.Articles)
	}
	if err2 := b.Close(); err2 == nil {
		t.Error("a second Close forgot the failure")
	}
}

// A cancelled context stops Add, and Close still returns.
func TestBulkCancelled(t *testing.T) {
	st := mustOpen(t)
	ctx, cancel := context.WithCancel(context.Background())
	b := archive.NewBulk(ctx, st)
	cancel()
	err := b.Add([]*store.Record{rec("https://a.example/story", story)}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Add after cancel = %v", err)
	}
	b.Close()
	if s, _ := st.Stats(context.Background()); s.Articles != 0 {
		t.Errorf("articles = %d after a cancelled import", s.Articles)
	}
}
