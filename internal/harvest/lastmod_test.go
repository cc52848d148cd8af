package harvest

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// futureLastmodSite serves one story in a sitemap whose lastmod is ahead
// of the clock by ahead (a server clock or zone that is off), and counts
// the story's fetches.
func futureLastmodSite(t *testing.T, ahead time.Duration) (ts *testSite, path string, setLastmod func(time.Time)) {
	ts = newTestSite(t)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	path = "/news/2026/05/04/story-0.html"
	ts.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, gazettePage("Story 0", "", gazetteDay, gazetteText("future", 5)))
	})
	var mu sync.Mutex
	lastmod := time.Now().Add(ahead)
	ts.mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		lm := lastmod
		mu.Unlock()
		fmt.Fprintf(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+
			`<url><loc>%s</loc><lastmod>%s</lastmod></url></urlset>`, ts.url(path), lm.Format(time.RFC3339Nano))
	})
	return ts, path, func(t time.Time) {
		mu.Lock()
		lastmod = t
		mu.Unlock()
	}
}

// repoll makes src due and polls it.
func repoll(t *testing.T, h *Harvester, st store.Store, srcID int64) *Summary {
	t.Helper()
	ctx := context.Background()
	s, err := st.Source(ctx, srcID)
	if err != nil {
		t.Fatal(err)
	}
	s.NextPoll = time.Time{}
	if err := st.UpdateSource(ctx, s); err != nil {
		t.Fatal(err)
	}
	sum, err := h.RunDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// A sitemap lastmod a few hours in the future (under a day: believed) is
// later than every fetch until that time passes. It must not make the
// page be fetched again at every poll: the lastmod was already listed
// when the page was fetched.
func TestHarvestFutureLastmodFetchedOnce(t *testing.T) {
	ts, path, _ := futureLastmodSite(t, 6*time.Hour)
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	src := addSource(t, st, ts.url("/sitemap.xml"), store.KindSitemap)
	if sum := repoll(t, h, st, src.ID); sum.New != 1 {
		t.Fatalf("first poll: %+v", sum)
	}
	for i := range 2 {
		if sum := repoll(t, h, st, src.ID); sum.Requeued != 0 || sum.Fetched != 0 {
			t.Errorf("poll %d: %+v; want nothing fetched", i+2, sum)
		}
	}
	if n := ts.hit(path); n != 1 {
		t.Errorf("story fetched %d times, want once", n)
	}
	// A new process (a restart, a harvest run from cron) reads from the
	// archive that the page was fetched after the lastmod was listed:
	// it does not act on it either.
	h2 := newTestHarvester(t, st, testOptions(dir))
	for i := range 2 {
		if sum := repoll(t, h2, st, src.ID); sum.Requeued != 0 || sum.Fetched != 0 {
			t.Errorf("new harvester, poll %d: %+v; want nothing fetched", i+1, sum)
		}
	}
	if n := ts.hit(path); n != 1 {
		t.Errorf("story fetched %d times after a restart, want once", n)
	}
}

// A lastmod that moves after the page was archived marks a change, even
// when the new value is slightly in the future: the page is fetched again
// at once, and once only.
func TestHarvestFutureLastmodChangeFetchedOnce(t *testing.T) {
	fetchedOnceAfterNewLastmod(t, inThreeHours, false, sameHarvester)
}

// A page fetched again for a lastmod keeps its first fetch time when its
// text had not changed, so that lastmod stays later than the archived
// copy: it must not have the page fetched at every later poll.
func TestHarvestPastLastmodUnchangedTextFetchedOnce(t *testing.T) {
	fetchedOnceAfterNewLastmod(t, time.Now, true, sameHarvester)
}

// Harvests run one after another (from cron), each in a new process,
// decide about a lastmod as one long run would: what a run saw of a
// URL's lastmod is kept in the archive's frontier. Here a lastmod
// later than the archived copy has the page fetched again once; the
// text had not changed, so the archived fetch time stays earlier than
// the lastmod, and the runs after must not fetch it again.
func TestHarvestLastmodKeptAcrossRuns(t *testing.T) {
	fetchedOnceAfterNewLastmod(t, time.Now, true, newHarvester(t))
}

// The next poll's harvester, for fetchedOnceAfterNewLastmod: the same one
// (one long run), or a new one each time (a new process: nothing
// remembered but the archive).
func sameHarvester(h *Harvester) *Harvester { return h }

func newHarvester(t *testing.T) func(*Harvester) *Harvester {
	return func(h *Harvester) *Harvester { return newTestHarvester(t, h.st, h.opts) }
}

// inThreeHours is a lastmod in the near future (under a day: believed).
func inThreeHours() time.Time { return time.Now().Add(3 * time.Hour) }

// fetchedOnceAfterNewLastmod polls a sitemap whose story gets a new
// lastmod (lastmod, at the time) after its first fetch, through the
// harvester next gives for each poll: the story is fetched again once
// (unchanged, when unchanged is set: the text is the same), and not at
// the polls after.
func fetchedOnceAfterNewLastmod(t *testing.T, lastmod func() time.Time, unchanged bool, next func(*Harvester) *Harvester) {
	ts, path, setLastmod := futureLastmodSite(t, 0)
	setLastmod(gazetteDay)
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	src := addSource(t, st, ts.url("/sitemap.xml"), store.KindSitemap)
	if sum := repoll(t, h, st, src.ID); sum.New != 1 {
		t.Fatalf("first poll: %+v", sum)
	}
	setLastmod(lastmod()) // after the fetch
	h = next(h)
	if sum := repoll(t, h, st, src.ID); sum.Requeued != 1 || sum.Fetched != 1 || (unchanged && sum.Unchanged != 1) {
		t.Errorf("poll after the new lastmod: %+v; want the story fetched again (unchanged: %v)", sum, unchanged)
	}
	for i := range 2 {
		h = next(h)
		if sum := repoll(t, h, st, src.ID); sum.Requeued != 0 || sum.Fetched != 0 {
			t.Errorf("poll %d after the new lastmod: %+v; want nothing fetched", i+1, sum)
		}
	}
	if n := ts.hit(path); n != 2 {
		t.Errorf("story fetched %d times, want twice", n)
	}
}

// A lastmod slightly in the future when the page was first fetched is
// not a change once it is past, for a later run either.
func TestHarvestFutureLastmodKeptAcrossRuns(t *testing.T) {
	ts, path, setLastmod := futureLastmodSite(t, 0)
	lm := time.Now().Add(700 * time.Millisecond)
	setLastmod(lm)
	st, dir := testArchive(t)
	src := addSource(t, st, ts.url("/sitemap.xml"), store.KindSitemap)
	if sum := repoll(t, newTestHarvester(t, st, testOptions(dir)), st, src.ID); sum.New != 1 {
		t.Fatalf("first run: %+v", sum)
	}
	rec, err := st.Get(context.Background(), storedID(t, st))
	if err != nil {
		t.Fatal(err)
	}
	if !rec.FetchedAt.Before(lm) {
		t.Skipf("the first run fetched the page at %v, after the lastmod %v: nothing to test", rec.FetchedAt, lm)
	}
	time.Sleep(time.Until(lm) + 10*time.Millisecond) // the lastmod is past
	if sum := repoll(t, newTestHarvester(t, st, testOptions(dir)), st, src.ID); sum.Requeued != 0 || sum.Fetched != 0 {
		t.Errorf("run after the lastmod passed: %+v; want nothing fetched", sum)
	}
	if n := ts.hit(path); n != 1 {
		t.Errorf("story fetched %d times, want once", n)
	}
}

// A lastmod that moves into the near future after the page was archived
// is a change for the next run as for the next poll of a long run: the
// page is fetched again at once, and once only.
func TestHarvestFutureLastmodChangeKeptAcrossRuns(t *testing.T) {
	fetchedOnceAfterNewLastmod(t, inThreeHours, false, newHarvester(t))
}

// storedID returns the id of the one article in st.
func storedID(t *testing.T, st store.Store) string {
	t.Helper()
	var ids []string
	if err := st.Scan(context.Background(), &query.Query{}, func(r *store.Record) error { ids = append(ids, r.ID); return nil }); err != nil || len(ids) != 1 {
		t.Fatalf("archive holds %v (%v); want one article", ids, err)
	}
	return ids[0]
}
