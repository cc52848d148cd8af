package harvest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/fetch"
	"github.com/herald-archive/herald/internal/store"
)

// serveCut writes body, declaring its full length but hanging up after
// the first n bytes (a server dying mid-body), or, with short set, as a
// whole response of its first n bytes (a proxy cutting at a size).
func serveCut(t *testing.T, w http.ResponseWriter, ctype, body string, n int, short bool) {
	w.Header().Set("Content-Type", ctype)
	if short {
		w.Header().Set("Content-Length", fmt.Sprint(n))
		fmt.Fprint(w, body[:n])
		return
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	fmt.Fprint(w, body[:n])
	w.(http.Flusher).Flush()
	if err := hangUp(w); err != nil {
		t.Errorf("hijack: %v", err)
	}
}

// hangUp closes w's connection: what was flushed has gone out, nothing
// else will (a server dying mid-response, or before answering at all).
func hangUp(w http.ResponseWriter) error {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return err
	}
	return conn.Close()
}

// A feed cut off mid-document gives the items before the cut, and says so
// in the summary and on the source; it is no clean poll: its validators
// are not kept, so the next poll fetches it whole (not a 304 for the copy
// that was cut) and gets the items after the cut.
func TestHarvestCutFeed(t *testing.T) {
	for _, short := range []bool{false, true} {
		name := "connection dies mid-body"
		if short {
			name = "document cut at a size"
		}
		t.Run(name, func(t *testing.T) {
			ts := newTestSite(t)
			ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
			var items strings.Builder
			for _, slug := range []string{"a", "b", "c"} {
				path := "/news/" + slug + ".html"
				ts.html(path, gazettePage("Story "+slug, "", gazetteDay, gazetteText(slug, 6)))
				fmt.Fprintf(&items, "<item><title>Story %s</title><link>%s</link></item>\n", slug, ts.url(path))
			}
			feed := `<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title>` + "\n" + items.String() + "</channel></rss>"
			cutAt := strings.Index(feed, "<title>Story c") + 10
			var (
				mu       sync.Mutex
				cut      = true
				inm, ims []string // If-None-Match, If-Modified-Since of each request
			)
			ts.mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				inm, ims = append(inm, r.Header.Get("If-None-Match")), append(ims, r.Header.Get("If-Modified-Since"))
				c := cut
				mu.Unlock()
				w.Header().Set("ETag", `"v1"`)
				w.Header().Set("Last-Modified", "Mon, 04 May 2026 09:30:00 GMT")
				if r.Header.Get("If-None-Match") == `"v1"` {
					w.WriteHeader(http.StatusNotModified)
					return
				}
				if c {
					serveCut(t, w, "application/rss+xml", feed, cutAt, short)
					return
				}
				w.Header().Set("Content-Type", "application/rss+xml")
				fmt.Fprint(w, feed)
			})
			st, dir := testArchive(t)
			opts := testOptions(dir)
			h := newTestHarvester(t, st, opts)
			src := addSource(t, st, ts.url("/feed.xml"), store.KindFeed)
			ctx := context.Background()

			sum := repoll(t, h, st, src.ID)
			if sum.New != 2 || stored(t, st, ts.url("/news/a.html")) == nil || stored(t, st, ts.url("/news/b.html")) == nil {
				t.Errorf("first poll: %d new, want the 2 items before the cut; summary %+v", sum.New, sum)
			}
			msg := sum.Cut[ts.url("/feed.xml")]
			if !strings.Contains(msg, "cut off") || !strings.Contains(msg, "2 entries") || len(sum.PollErrors) != 0 {
				t.Errorf("first poll: Cut %q, PollErrors %v; want the feed reported cut after 2 entries", sum.Cut, sum.PollErrors)
			}
			got, err := st.Source(ctx, src.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ETag != "" || got.LastModified != "" || !strings.Contains(got.LastError, "cut off") || !got.LastPolled.IsZero() {
				t.Errorf("source after a cut poll: ETag %q LastModified %q LastError %q LastPolled %v; want no validators, the cut as its error, not polled whole",
					got.ETag, got.LastModified, got.LastError, got.LastPolled)
			}

			mu.Lock()
			cut = false
			mu.Unlock()
			sum = repoll(t, h, st, src.ID)
			if sum.New != 1 || stored(t, st, ts.url("/news/c.html")) == nil || len(sum.Cut) != 0 || sum.NotModified != 0 {
				t.Errorf("second poll: %d new, %d not modified, Cut %v; want the item after the cut", sum.New, sum.NotModified, sum.Cut)
			}
			mu.Lock()
			if len(inm) < 2 || inm[len(inm)-1] != "" || ims[len(ims)-1] != "" {
				t.Errorf("the poll after a cut sent If-None-Match %q If-Modified-Since %q; want an unconditional request", inm, ims)
			}
			mu.Unlock()
			got, _ = st.Source(ctx, src.ID)
			if got.ETag != `"v1"` || got.LastError != "" || got.LastPolled.IsZero() {
				t.Errorf("source after a whole poll: ETag %q LastError %q LastPolled %v", got.ETag, got.LastError, got.LastPolled)
			}
			// And now it is a clean, conditional poll.
			if sum = repoll(t, h, st, src.ID); sum.NotModified != 1 {
				t.Errorf("third poll: %d not modified, want 1", sum.NotModified)
			}
		})
	}
}

// A child sitemap of an index cut off mid-document gives the URLs before
// the cut; the poll does not count as the last one, so the next poll
// reads that child again although its lastmod is older than the poll,
// and gets the URLs after the cut.
func TestHarvestCutChildSitemap(t *testing.T) {
	ts := newTestSite(t)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	day := time.Now().Add(-48 * time.Hour).UTC().Format(time.RFC3339)
	ts.mux.HandleFunc("/index.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+
			`<sitemap><loc>%s</loc><lastmod>%s</lastmod></sitemap></sitemapindex>`, ts.url("/news.xml"), day)
	})
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">`)
	for _, slug := range []string{"a", "b", "c"} {
		path := "/news/" + slug + ".html"
		ts.html(path, gazettePage("Story "+slug, "", gazetteDay, gazetteText(slug, 6)))
		fmt.Fprintf(&b, "<url><loc>%s</loc><news:news><news:title>Story %s</news:title></news:news></url>\n", ts.url(path), slug)
	}
	b.WriteString("</urlset>")
	sitemap := b.String()
	cutAt := strings.Index(sitemap, "/news/c.htm")
	var cut atomic.Bool
	cut.Store(true)
	ts.mux.HandleFunc("/news.xml", func(w http.ResponseWriter, r *http.Request) {
		if cut.Load() {
			serveCut(t, w, "application/xml", sitemap, cutAt, true)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, sitemap)
	})
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	src := addSource(t, st, ts.url("/index.xml"), store.KindSitemap)

	sum := repoll(t, h, st, src.ID)
	if sum.New != 2 || stored(t, st, ts.url("/news/c.html")) != nil || !strings.Contains(sum.Cut[ts.url("/news.xml")], "cut off") {
		t.Errorf("first poll: %d new, Cut %v; want the 2 URLs before the cut, and the cut reported", sum.New, sum.Cut)
	}
	cut.Store(false)
	sum = repoll(t, h, st, src.ID)
	if ts.hit("/news.xml") != 2 || sum.New != 1 || stored(t, st, ts.url("/news/c.html")) == nil {
		t.Errorf("second poll: child read %d times, %d new; want it read again and the URL after the cut stored", ts.hit("/news.xml"), sum.New)
	}
	// Once read whole, the child, older than the last poll, is left alone.
	repoll(t, h, st, src.ID)
	if ts.hit("/news.xml") != 2 {
		t.Errorf("child read %d times after a whole poll, want it skipped as unchanged", ts.hit("/news.xml"))
	}
}

// TestHarvestWARCTruncatedReason: a response kept in part is marked
// WARC-Truncated with the reason the WARC 1.1 spec gives for it, read
// back from the written WARC: "disconnect" for a body whose connection
// broke (a feed, an error page), "time" for one the attempt's time limit
// cut, "length" for a body past our own cap (an error page's beyond
// fetch.RedirectBodyBytes). Every cut used to be marked "length", and an
// error page whose connection broke was kept as if whole.
func TestHarvestWARCTruncatedReason(t *testing.T) {
	feed := `<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title>` + "\n" +
		strings.Repeat("<item><title>Story</title><link>https://elsewhere.example/x</link></item>\n", 40) + "</channel></rss>"
	stall := make(chan struct{})
	t.Cleanup(func() { close(stall) })
	for _, tc := range []struct {
		name, want string
		handler    func(w http.ResponseWriter, r *http.Request)
	}{
		{"feed cut by a disconnect", "disconnect", func(w http.ResponseWriter, r *http.Request) {
			serveCut(t, w, "application/rss+xml", feed, len(feed)/2, false)
		}},
		{"feed cut by the time limit", "time", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Header().Set("Content-Length", fmt.Sprint(len(feed)))
			fmt.Fprint(w, feed[:len(feed)/2])
			w.(http.Flusher).Flush()
			select { // the rest never comes
			case <-r.Context().Done():
			case <-stall:
			}
		}},
		{"error page cut by a disconnect", "disconnect", func(w http.ResponseWriter, r *http.Request) {
			page := strings.Repeat("Server error. ", 200)
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Length", fmt.Sprint(len(page)))
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, page[:100])
			w.(http.Flusher).Flush()
			hangUp(w)
		}},
		{"error page past our cap", "length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, strings.Repeat("Not here. ", 2*fetch.RedirectBodyBytes/10))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestSite(t)
			ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
			ts.mux.HandleFunc("/feed.xml", tc.handler)
			st, dir := testArchive(t)
			opts := testOptions(dir)
			// Short only where the time limit is what cuts the
			// response: elsewhere a slow machine would cut it too.
			opts.Timeout = 10 * time.Second
			if tc.want == "time" {
				opts.Timeout = 300 * time.Millisecond
			}
			h := newTestHarvester(t, st, opts)
			addSource(t, st, ts.url("/feed.xml"), store.KindFeed)
			if _, err := h.RunDue(context.Background()); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, rec := range warcResponses(t, dir) {
				if rec.TargetURI == ts.url("/feed.xml") {
					got = append(got, rec.Header.Get("WARC-Truncated"))
				}
			}
			if len(got) == 0 {
				t.Fatal("no response record for the feed")
			}
			for _, g := range got {
				if g != tc.want {
					t.Errorf("WARC-Truncated %q, want %q (records: %q)", g, tc.want, got)
				}
			}
		})
	}
}
