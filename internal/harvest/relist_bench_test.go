package harvest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
)

// countingStore counts the store calls a re-listed URL costs. Embedding
// keeps every other method, and the optional interfaces, of the archive.
type countingStore struct {
	*sqlite.DB
	get, seen, revive, frontier atomic.Int64
}

func (c *countingStore) Get(ctx context.Context, id string) (*store.Record, error) {
	c.get.Add(1)
	return c.DB.Get(ctx, id)
}

func (c *countingStore) Seen(ctx context.Context, u string) (bool, error) {
	c.seen.Add(1)
	return c.DB.Seen(ctx, u)
}

func (c *countingStore) Revive(ctx context.Context, u string, nb time.Time, reasons []string) (bool, error) {
	c.revive.Add(1)
	return c.DB.Revive(ctx, u, nb, reasons)
}

func (c *countingStore) FrontierItems(ctx context.Context, urls []string) ([]store.FrontierItem, error) {
	c.frontier.Add(1)
	return c.DB.FrontierItems(ctx, urls)
}

func (c *countingStore) reset() {
	c.get.Store(0)
	c.seen.Store(0)
	c.revive.Store(0)
	c.frontier.Store(0)
}

// relistedSitemap starts a site whose sitemap lists n article pages, each
// with a lastmod, archives them all with one harvest, and returns the
// archive and the source.
func relistedSitemap(tb testing.TB, n int) (*countingStore, *store.Source, Options) {
	tb.Helper()
	ts := newTestSiteTB(tb)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	lastmod := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for i := range n {
		fmt.Fprintf(&b, "<url><loc>%s</loc><lastmod>%s</lastmod></url>\n", ts.url(fmt.Sprintf("/news/%d.html", i)), lastmod)
	}
	b.WriteString("</urlset>")
	sitemap := b.String()
	ts.mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, sitemap)
	})
	ts.mux.HandleFunc("/news/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, gazettePage("Story "+r.URL.Path, "", gazetteDay, benchText(r.URL.Path, 3)))
	})
	dir := tb.TempDir()
	db, err := sqlite.Open(context.Background(), dir+"/herald.db")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	st := &countingStore{DB: db}
	opts := Options{Delay: -1, AllowPrivate: true, RetryBackoff: 10 * time.Millisecond, CaptureBase: dir}
	src := &store.Source{URL: ts.url("/sitemap.xml"), Kind: store.KindSitemap}
	if err := st.AddSource(context.Background(), src); err != nil {
		tb.Fatal(err)
	}
	h, err := New(st, opts)
	if err != nil {
		tb.Fatal(err)
	}
	defer h.Close()
	sum, err := h.RunDue(context.Background())
	if err != nil || sum.New != n {
		tb.Fatalf("first harvest: %v, %d new of %d", err, sum.New, n)
	}
	return st, src, opts
}

// BenchmarkRelistedSitemap re-polls a sitemap of 3,000 archived URLs whose
// lastmods have not changed: the cost of URLs re-listed, poll after poll.
// "cold" is a new process (a harvest from cron: nothing in memory), "warm"
// a long-running one. It reports the store calls per re-listed URL.
func BenchmarkRelistedSitemap(b *testing.B) {
	const n = 3000
	st, src, opts := relistedSitemap(b, n)
	ctx := context.Background()
	for _, warm := range []bool{false, true} {
		name := "cold"
		if warm {
			name = "warm"
		}
		b.Run(name, func(b *testing.B) {
			var h *Harvester
			if warm {
				h = mustHarvester(b, st, opts)
			}
			var polls int64
			st.reset()
			for b.Loop() {
				if !warm {
					h = mustHarvester(b, st, opts)
				}
				src.NextPoll = time.Time{}
				if err := st.UpdateSource(ctx, src); err != nil {
					b.Fatal(err)
				}
				sum, err := h.RunDue(ctx)
				if err != nil || sum.Skipped[ReasonUnchanged] != n {
					b.Fatalf("re-poll: %v, skipped %v", err, sum.Skipped)
				}
				if !warm {
					h.Close()
				}
				polls++
			}
			if warm {
				h.Close()
			}
			per := float64(polls * n)
			b.ReportMetric(float64(st.get.Load())/per, "get/url")
			b.ReportMetric(float64(st.frontier.Load())/per, "frontier/url")
			b.ReportMetric(float64(st.seen.Load()+st.revive.Load())/per, "seen+revive/url")
		})
	}
}

func mustHarvester(tb testing.TB, st store.Store, opts Options) *Harvester {
	tb.Helper()
	h, err := New(st, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// A URL re-listed with the lastmod it was already fetched for costs no
// read of its archived record (it cost one per URL, poll after poll).
func TestRelistedURLSkipsRecordRead(t *testing.T) {
	const n = 20
	st, src, opts := relistedSitemap(t, n)
	ctx := context.Background()
	for _, fresh := range []bool{true, false} { // a new process, then the same one again
		h := newTestHarvester(t, st, opts)
		for range 2 {
			src.NextPoll = time.Time{}
			if err := st.UpdateSource(ctx, src); err != nil {
				t.Fatal(err)
			}
			st.reset()
			sum, err := h.RunDue(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Skipped[ReasonUnchanged] != n || sum.Fetched != 0 || sum.Requeued != 0 {
				t.Errorf("re-poll (fresh %v): skipped %v, fetched %d, requeued %d; want %d unchanged", fresh, sum.Skipped, sum.Fetched, sum.Requeued, n)
			}
			if got := st.get.Load(); got != 0 {
				t.Errorf("re-poll (fresh %v): %d archived records read for %d re-listed URLs, want none", fresh, got, n)
			}
		}
	}
}

// A URL re-listed with the lastmod it was queued for but with no archived
// copy (here a 404) is skipped as unchanged: its lastmod was acted on.
// (Before the archived record was read first, it was counted as "seen".)
func TestRelistedFailedURLCountsUnchanged(t *testing.T) {
	ts := newTestSite(t)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	ts.html("/news/a.html", gazettePage("Story a", "", gazetteDay, gazetteText("a", 6)))
	lastmod := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	ts.mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+
			`<url><loc>%s</loc><lastmod>%s</lastmod></url><url><loc>%s</loc><lastmod>%s</lastmod></url><url><loc>%s</loc></url></urlset>`,
			ts.url("/news/a.html"), lastmod, ts.url("/news/gone.html"), lastmod, ts.url("/news/undated-gone.html"))
	})
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	src := addSource(t, st, ts.url("/sitemap.xml"), store.KindSitemap)
	if sum := repoll(t, h, st, src.ID); sum.New != 1 || sum.Skipped["http 404"] != 2 {
		t.Fatalf("first poll: %d new, skipped %v", sum.New, sum.Skipped)
	}
	sum := repoll(t, h, st, src.ID)
	if sum.Skipped[ReasonUnchanged] != 2 || sum.Skipped[ReasonSeen] != 1 || sum.Fetched != 0 {
		t.Errorf("re-poll: skipped %v, fetched %d; want 2 unchanged (the archived page and the 404 listed with a lastmod), 1 seen (the 404 without)",
			sum.Skipped, sum.Fetched)
	}
}
