package harvest

import (
	"context"

	"net/http"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/store"
)

// frontierItem returns the frontier entry of a page URL.
func frontierItem(t *testing.T, st store.Store, rawURL string) store.FrontierItem {
	t.Helper()
	items, err := st.FrontierItems(context.Background(), []string{rawURL})
	if err != nil || len(items) != 1 {
		t.Fatalf("frontier item %s: %v, %v", rawURL, items, err)
	}
	return items[0]
}

// TestHeldHostKeepsTries: URLs of a host that asked (Retry-After) to be
// left alone for an hour are put back without a request, and that claim
// does not count as one of their tries: they used to fail for good, with
// "host asked to wait", after MaxAttempts runs that had not asked the
// host anything, and a feed listing them again did not bring them back.
func TestHeldHostKeepsTries(t *testing.T) {
	ts := newTestSite(t)
	ts.mux.HandleFunc("/news/a.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	for _, p := range []string{"/news/b.html", "/news/c.html"} {
		ts.html(p, gazettePage("Quay "+p, "", gazetteDay, gazetteText(p, 6)))
	}
	st, dir := testArchive(t)
	opts := testOptions(dir)
	opts.MaxAttempts = 1
	h := newTestHarvester(t, st, opts)
	a, b, c := ts.url("/news/a.html"), ts.url("/news/b.html"), ts.url("/news/c.html")
	sum, err := h.HarvestPages(context.Background(), []string{a, b, c}, "list")
	if err != nil {
		t.Fatal(err)
	}
	if hits := ts.hit("/news/b.html") + ts.hit("/news/c.html"); hits != 0 {
		t.Fatalf("held host asked %d times for b and c", hits)
	}
	for _, u := range []string{b, c} {
		it := frontierItem(t, st, u)
		if it.State != store.Queued || it.Attempts != 0 || it.Reason != ReasonHeld {
			t.Errorf("%s: %+v, want queued with no try counted, held", u, it)
		}
	}
	if sum.Deferred != 3 {
		t.Errorf("summary %+v, want b and c deferred, and a (queued just now)", sum)
	}
}

// TestInterruptedClaimKeepsTries: a URL whose fetch the user interrupted
// (Ctrl-C) goes back to the queue without a try counted: two interrupted
// runs and one server error used to fail it for good.
func TestInterruptedClaimKeepsTries(t *testing.T) {
	ts := newTestSite(t)
	started := make(chan struct{}, 1)
	ts.mux.HandleFunc("/news/slow.html", func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-r.Context().Done()
	})
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	u := ts.url("/news/slow.html")
	if _, err := h.HarvestPages(ctx, []string{u}, "list"); err == nil {
		t.Fatal("interrupted harvest returned no error")
	}
	it := frontierItem(t, st, u)
	if it.State != store.Queued || it.Attempts != 0 || it.Reason != ReasonInterrupted {
		t.Errorf("%+v, want queued with no try counted, interrupted", it)
	}

}

// TestOutageDoesNotLoseURLs: a URL that keeps failing for a passing reason
// (a site down for maintenance) is tried again at growing intervals for
// RetryWindow after it was queued, however many tries that takes; only an
// older one is failed for good after MaxAttempts. Three failures ten
// minutes apart used to fail every URL queued during a half-hour outage,
// and a feed listing them again afterwards did not bring them back.
func TestOutageDoesNotLoseURLs(t *testing.T) {
	ts := newTestSite(t)
	ts.mux.HandleFunc("/news/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	st, dir := testArchive(t)
	opts := testOptions(dir)
	opts.MaxAttempts = 1
	h := newTestHarvester(t, st, opts)
	ctx := context.Background()
	fresh, old := ts.url("/news/fresh.html"), ts.url("/news/old.html")
	now := time.Now()
	if _, err := st.Enqueue(ctx, []store.FrontierItem{
		{URL: fresh, Host: hostOf(fresh), NotBefore: now, Added: now.Add(-time.Hour)},
		{URL: old, Host: hostOf(old), NotBefore: now, Added: now.Add(-DefaultRetryWindow - time.Hour)},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	it := frontierItem(t, st, fresh)
	if it.State != store.Queued || it.Attempts != 1 || it.Reason != "http 503" || it.NotBefore.Before(now.Add(DefaultRetryAfter-time.Minute)) {
		t.Errorf("URL queued an hour ago: %+v, want queued again in %v", it, DefaultRetryAfter)
	}
	if it := frontierItem(t, st, old); it.State != store.Failed || it.Reason != "http 503" {
		t.Errorf("URL queued over a day ago: %+v, want failed for good after its tries", it)
	}
}

// TestRetryWaitGrows: the wait before another try doubles with each try,
// from RetryAfter, up to a day.
func TestRetryWaitGrows(t *testing.T) {
	for _, tc := range []struct {
		attempts int
		want     time.Duration
	}{{0, 10 * time.Minute}, {1, 10 * time.Minute}, {2, 20 * time.Minute}, {4, 80 * time.Minute}, {9, 24 * time.Hour}, {80, 24 * time.Hour}} {
		if got := retryWait(10*time.Minute, tc.attempts); got != tc.want {
			t.Errorf("retryWait(10m, %d) = %v, want %v", tc.attempts, got, tc.want)
		}
	}
}
