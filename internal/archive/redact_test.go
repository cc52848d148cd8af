package archive_test

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/harvest"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// The documents a harvest polled, naming the page to delete (jane)
// among others.
const (
	janeItem = `<item><title>Jane Doe's story</title><link>/jane?utm_source=rss</link><description>Jane Doe told the council</description><content:encoded><![CDATA[<p>Jane Doe told the council about her debts.</p>]]></content:encoded></item>`
	rssFeed  = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>News</title><link>https://news.example/</link>
<item><title>Council approves harbour budget</title><link>https://news.example/harbour</link><description>The harbour</description></item>
` + janeItem + `
<item><title>Ferry terminal widened</title><link>https://news.example/ferry</link><description>The ferry</description></item>
</channel></rss>`
	janeURL     = `<url><loc>https://news.example/jane</loc><news:news><news:title>Jane Doe's story</news:title></news:news></url>`
	newsMapHead = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example/harbour</loc><news:news><news:title>Council approves harbour budget</news:title></news:news></url>
` + janeURL + `
<url><loc>https://news.example/ferry</loc></url>
`
	jsonFeed = `{"version":"https://jsonfeed.org/version/1.1","title":"News","items":[{"id":"1","url":"https://news.example/harbour","title":"Council approves harbour budget"},{"id":"2","url":"https://news.example/jane","title":"Jane Doe's story"}]}`
)

// newsMap is a news sitemap of a few dozen pages, jane's among them.
var newsMap = func() string {
	m := newsMapHead
	for i := range 40 {
		m += fmt.Sprintf("<url><loc>https://news.example/2026/12/%02d/story-%d</loc><news:news><news:publication_date>2026-12-%02dT08:00:00Z</news:publication_date><news:title>Story number %d of the day</news:title></news:news></url>\n", i%28+1, i, i%28+1, i)
	}
	return m + "</urlset>"
}()

// captureWriter opens a WARC writer in base where a harvest into the
// archive herald.db there would write.
func captureWriter(t *testing.T, base string) *warc.Writer {
	t.Helper()
	w, err := warc.NewWriter(filepath.Join(base, "herald.db.warc"), warc.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// eraseDelete deletes the articles ids from st with their captures erased
// (herald delete --erase-captures on an archive in base) and returns the
// summary.
func eraseDelete(t *testing.T, st store.Store, base string, ids ...string) *archive.DeleteSummary {
	t.Helper()
	opts := archive.DeleteOptions{EraseCaptures: true, CaptureBase: base, CaptureOwner: harvest.CaptureArticleID}
	sum, err := archive.Delete(context.Background(), st, nil, ids, opts)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// payloadsAre checks that the records of wfile at the refs given hold the
// payloads given.
func payloadsAre(t *testing.T, wfile string, want map[warc.Ref]string) {
	t.Helper()
	for ref, payload := range want {
		rec, err := warc.ReadAt(wfile, ref.Offset)
		if err != nil {
			t.Fatal(err)
		}
		if string(rec.Payload) != payload {
			t.Errorf("%s after the delete:\n%s\nwant\n%s", rec.TargetURI, rec.Payload, payload)
		}
	}
}

// polled writes a polled document's exchange with w; the response's body
// is sent as is, with the headers given.
func polled(t *testing.T, w *warc.Writer, url, contentType string, body []byte, headers ...string) warc.Ref {
	t.Helper()
	resp := "HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\n"
	for _, h := range headers {
		resp += h + "\r\n"
	}
	resp += "Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + string(body)
	ref, err := w.WriteExchange(context.Background(), warc.Exchange{
		TargetURI:   url,
		Date:        time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
		RequestRaw:  []byte("GET / HTTP/1.1\r\nHost: news.example\r\n\r\n"),
		ResponseRaw: []byte(resp),
	})
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// TestDeleteRedactsFeeds: deleting a page with EraseCaptures blanks, in
// place, the entries naming it in the captures of the feeds and sitemaps
// harvests polled (by its URL as the feed spells it: relative, with a
// tracking parameter), keeping their other entries byte for byte and
// every record's offset, whatever the body's content coding (none, gzip,
// deflate as zlib or bare, br, zstd); a feed whose body is in codings
// that cannot be rewritten to its length (two stacked) is erased whole.
// A dry run counts the same, changing nothing.
func TestDeleteRedactsFeeds(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st := b.open(t)
			base := t.TempDir()
			w := captureWriter(t, base)
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			zw.Write([]byte(rssFeed))
			zw.Close()
			var gzbr bytes.Buffer // gzip, then br
			bw := brotli.NewWriter(&gzbr)
			zw = gzip.NewWriter(bw)
			zw.Write([]byte(jsonFeed))
			zw.Close()
			bw.Close()
			var zl, fl, br bytes.Buffer
			zlw := zlib.NewWriter(&zl)
			zlw.Write([]byte(rssFeed))
			zlw.Close()
			flw, _ := flate.NewWriter(&fl, 5)
			flw.Write([]byte(rssFeed))
			flw.Close()
			bw = brotli.NewWriterLevel(&br, 4)
			bw.Write([]byte(rssFeed))
			bw.Close()
			zsw, _ := zstd.NewWriter(nil)
			zs := zsw.EncodeAll([]byte(rssFeed), nil)
			zsw.Close()
			feed := polled(t, w, "https://news.example/feed.xml", "application/rss+xml", []byte(rssFeed))
			feedGz := polled(t, w, "https://news.example/feed.xml?gz", "application/rss+xml", gz.Bytes(), "Content-Encoding: gzip")
			// Feeds a server sends as pages.
			feedHTML := polled(t, w, "https://news.example/feed.xml?html", "text/html; charset=utf-8", []byte(rssFeed))
			feedHTMLGz := polled(t, w, "https://news.example/feed.xml?htmlgz", "text/html", gz.Bytes(), "Content-Encoding: gzip")
			jane := captured(t, w, base, "https://news.example/jane", "Jane Doe's story", "Jane Doe told the council about her debts. "+story, "https://news.example/feed.xml")
			smap := polled(t, w, "https://news.example/news-sitemap.xml", "text/xml", []byte(newsMap))
			other := captured(t, w, base, "https://news.example/harbour", "Council approves harbour budget", story, "https://news.example/feed.xml")
			jsonRef := polled(t, w, "https://news.example/feed.json", "application/feed+json", gzbr.Bytes(), "Content-Encoding: gzip, br")
			feedZlib := polled(t, w, "https://news.example/feed.xml?zlib", "application/rss+xml", zl.Bytes(), "Content-Encoding: deflate")
			feedFlate := polled(t, w, "https://news.example/feed.xml?flate", "application/rss+xml", fl.Bytes(), "Content-Encoding: deflate")
			feedBr := polled(t, w, "https://news.example/feed.xml?br", "application/rss+xml", br.Bytes(), "Content-Encoding: br")
			feedZstd := polled(t, w, "https://news.example/feed.xml?zstd", "application/rss+xml", zs, "Content-Encoding: zstd")
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			ingest(t, st, jane, other)
			wfile := filepath.Join(base, jane.Capture.File)
			before, err := os.ReadFile(wfile)
			if err != nil {
				t.Fatal(err)
			}
			opts := archive.DeleteOptions{EraseCaptures: true, CaptureBase: base, CaptureOwner: harvest.CaptureArticleID}

			dry := opts
			dry.DryRun = true
			sum, err := archive.Delete(ctx, st, nil, []string{jane.ID}, dry)
			if err != nil {
				t.Fatal(err)
			}
			if c := sum.Captures; c.Redacted != 9 || c.Entries != 9 || c.ErasedWhole != 1 || c.Files != 1 {
				t.Errorf("dry run: %+v, want 9 captures to redact (9 entries), 1 to erase whole, in 1 file", c)
			}
			wantWhole := []archive.WholeCapture{{URL: "https://news.example/feed.json", File: wfile, Offset: jsonRef.Offset, Why: warc.WhyEncoding}}
			if c := sum.Captures; !slices.Equal(c.Whole, wantWhole) {
				t.Errorf("dry run: erased whole %+v, want %+v", c.Whole, wantWhole)
			}
			if after, _ := os.ReadFile(wfile); !bytes.Equal(after, before) {
				t.Fatal("the dry run changed the file")
			}

			sum, err = archive.Delete(ctx, st, nil, []string{jane.ID}, opts)
			if err != nil {
				t.Fatal(err)
			}
			c := sum.Captures
			if c.Erased != 1 || c.Redacted != 9 || c.Entries != 9 || c.ErasedWhole != 1 || c.Files != 1 {
				t.Errorf("summary %+v, want 1 capture erased, 9 redacted (9 entries), 1 erased whole, in 1 file", c)
			}
			if !slices.Equal(c.Whole, wantWhole) {
				t.Errorf("erased whole %+v, want %+v", c.Whole, wantWhole)
			}
			// The page, the JSON feed (response and request each).
			if c.Records != 4 {
				t.Errorf("%d records overwritten, want 4", c.Records)
			}
			if info, _ := os.Stat(wfile); info.Size() != int64(len(before)) {
				t.Errorf("the file went from %d to %d bytes", len(before), info.Size())
			}
			all := readAll(t, wfile)
			for _, gone := range []string{"Jane Doe", "her debts", "/jane"} {
				if strings.Contains(all, gone) {
					t.Errorf("the WARC file still holds %q", gone)
				}
			}
			for _, c := range []struct {
				ref        warc.Ref
				doc, blank string
			}{{feed, rssFeed, janeItem}, {feedGz, rssFeed, janeItem}, {feedHTML, rssFeed, janeItem}, {feedHTMLGz, rssFeed, janeItem}, {smap, newsMap, janeURL},
				{feedZlib, rssFeed, janeItem}, {feedFlate, rssFeed, janeItem}, {feedBr, rssFeed, janeItem}, {feedZstd, rssFeed, janeItem}} {
				rec, err := warc.ReadAt(wfile, c.ref.Offset)
				if err != nil {
					t.Fatal(err)
				}
				want := strings.Replace(c.doc, c.blank, strings.Repeat(" ", len(c.blank)), 1)
				if rec.RecordID != c.ref.RecordID || string(rec.Payload) != want || rec.Header.Get(warc.RedactedField) != "1 entry" {
					t.Errorf("%s after the delete: %s %q\n%s", rec.TargetURI, rec.RecordID, rec.Header.Get(warc.RedactedField), rec.Payload)
				}
				if rec.PayloadErr != nil {
					t.Errorf("%s after the delete: %v", rec.TargetURI, rec.PayloadErr)
				}
				if ce := rec.HTTPHeader.Get("Content-Encoding"); ce != "" && bytes.Contains(rec.Block, []byte("harbour budget")) {
					t.Errorf("%s after the delete: its %s body is not encoded", rec.TargetURI, ce)
				}
				if err := rec.CheckBlockDigest(); err != nil {
					t.Error(err)
				}
			}
			if rec, err := warc.ReadAt(wfile, jsonRef.Offset); err != nil || !rec.IsErased() {
				t.Errorf("the gzip and br JSON feed: %v, want it erased", err)
			}
			if got, err := warc.ReadAt(wfile, other.Capture.Offset); err != nil || got.RecordID != other.Capture.RecordID {
				t.Errorf("the other page's capture: %v", err)
			}
			// Every record reads, whole.
			f, _ := os.Open(wfile)
			defer f.Close()
			rd := warc.NewReader(f)
			for {
				rec, err := rd.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if err := rec.CheckBlockDigest(); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// Pages that link to the deleted page, as a site crawl captures them: a
// section front (gzip), the home page (br), another article whose
// related list links to it and whose text cites it. Deleting the page
// with EraseCaptures blanks each link to it whole (its headline with
// it), and the list items that hold only it (a teaser: the date beside
// the headline goes too), but in the other article's running text, where only the link's
// target goes and the sentence stays; every other byte stays, each
// record at its offset with true digests; the other article's capture
// still reads.
func TestDeleteRedactsPages(t *testing.T) {
	const (
		janeLink  = `<a href="/jane?utm_source=front"><h3>Jane Doe's story</h3><img src="/jane.jpg" alt="Jane Doe"></a>`
		front     = `<!DOCTYPE html><html><head><title>Local</title></head><body><ul>` + "\n" + `<li><a href="/harbour">Council approves harbour budget</a></li>` + "\n<li>" + janeLink + `<small>1 Dec</small></li>` + "\n" + `<li><a href="https://news.example/ferry">Ferry terminal widened</a></li></ul></body></html>`
		related   = `<a href="https://news.example/jane">Jane Doe's story</a>`
		citing    = `As we <a href="/jane">reported last week</a>, the council met.`
		otherPage = `<!DOCTYPE html><html><head><title>Ferry</title></head><body><article><h1>Ferry terminal widened</h1><p>` + citing + `</p><p>The ferry terminal is wider.</p></article>` + "\n" + `<aside><h2>Related</h2><ul><li>` + related + `</li><li><a href="/harbour">Council approves harbour budget</a></li></ul></aside></body></html>`
	)
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st := b.open(t)
			base := t.TempDir()
			w := captureWriter(t, base)
			var gz, br bytes.Buffer
			zw := gzip.NewWriter(&gz)
			zw.Write([]byte(front))
			zw.Close()
			bw := brotli.NewWriterLevel(&br, 5)
			bw.Write([]byte(front))
			bw.Close()
			section := polled(t, w, "https://news.example/section/local/", "text/html; charset=utf-8", gz.Bytes(), "Content-Encoding: gzip")
			home := polled(t, w, "https://news.example/", "text/html", br.Bytes(), "Content-Encoding: br")
			plain := polled(t, w, "https://news.example/section/plain", "text/html", []byte(front))
			jane := captured(t, w, base, "https://news.example/jane", "Jane Doe's story", "Jane Doe told the council about her debts. "+story, "https://news.example/")
			ferry := polled(t, w, "https://news.example/ferry", "text/html", []byte(otherPage))
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			ingest(t, st, jane)
			wfile := filepath.Join(base, jane.Capture.File)
			sum := eraseDelete(t, st, base, jane.ID)
			if c := sum.Captures; c.Erased != 1 || c.Redacted != 4 || c.Entries != 5 || c.ErasedWhole != 0 {
				t.Errorf("summary %+v, want 1 capture erased, 4 redacted (5 links), none erased whole", c)
			}
			// The list items holding only the page's story go whole (a
			// teaser: its date with it).
			janeItem := "<li>" + janeLink + "<small>1 Dec</small></li>"
			blankFront := strings.Replace(front, janeItem, strings.Repeat(" ", len(janeItem)), 1)
			relatedItem := "<li>" + related + "</li>"
			blankOther := strings.Replace(otherPage, relatedItem, strings.Repeat(" ", len(relatedItem)), 1)
			blankOther = strings.Replace(blankOther, `<a href="/jane">`, `<a href="     ">`, 1)
			for _, c := range []struct {
				ref     warc.Ref
				want    string
				entries string
			}{{section, blankFront, "1 entry"}, {home, blankFront, "1 entry"}, {plain, blankFront, "1 entry"},
				{ferry, blankOther, "2 entries"}} {
				rec, err := warc.ReadAt(wfile, c.ref.Offset)
				if err != nil {
					t.Fatal(err)
				}
				// A small record may have no room left for the field (how
				// small its member is depends on its random record ids).
				if got := rec.Header.Get(warc.RedactedField); rec.RecordID != c.ref.RecordID || string(rec.Payload) != c.want || got != c.entries && got != "" || rec.PayloadErr != nil {
					t.Errorf("%s after the delete: %s %q %v\n%s", rec.TargetURI, rec.RecordID, rec.Header.Get(warc.RedactedField), rec.PayloadErr, rec.Payload)
				}
				if err := rec.CheckBlockDigest(); err != nil {
					t.Error(err)
				}
			}
			if rec, _ := warc.ReadAt(wfile, ferry.Offset); !strings.Contains(string(rec.Payload), "reported last week</a>, the council met.") {
				t.Error("the other article's sentence was not kept")
			}
		})
	}
}

// redirected writes a page reached through a redirect from hop (a 301,
// its exchange written first, as a harvest writes a chain) and returns
// the record a harvest would store, with where its chain starts when
// recorded, else without (a capture from before chain offsets were).
func redirected(t *testing.T, w *warc.Writer, base, hop, url, title, text string, recorded bool) *store.Record {
	t.Helper()
	return redirectedBy(t, w, base, []redirectHop{{"301 Moved Permanently", hop}}, url, title, text, recorded)
}

// redirectHop is a hop of a redirect chain: its status line (its code
// and reason) and its URL.
type redirectHop struct{ status, url string }

// redirectedBy is redirected through a chain of hops, each sending to
// the next and the last to url.
func redirectedBy(t *testing.T, w *warc.Writer, base string, hops []redirectHop, url, title, text string, recorded bool) *store.Record {
	t.Helper()
	html := "<html><head><title>" + title + "</title></head><body><article><h1>" + title + "</h1><p>" + text + "</p></article></body></html>"
	date := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var exchanges []warc.Exchange
	for i, h := range hops {
		next := url
		if i+1 < len(hops) {
			next = hops[i+1].url
		}
		exchanges = append(exchanges, warc.Exchange{TargetURI: h.url, Date: date, RequestRaw: []byte("GET / HTTP/1.1\r\nHost: news.example\r\n\r\n"),
			ResponseRaw: []byte("HTTP/1.1 " + h.status + "\r\nLocation: " + next + "\r\nContent-Length: 0\r\n\r\n")})
	}
	refs, err := w.WriteExchanges(context.Background(), append(exchanges, warc.Exchange{TargetURI: url, Date: date, RequestRaw: []byte("GET / HTTP/1.1\r\nHost: news.example\r\n\r\n"),
		ResponseRaw: []byte("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " + strconv.Itoa(len(html)) + "\r\n\r\n" + html)}))
	if err != nil {
		t.Fatal(err)
	}
	last := refs[len(refs)-1]
	file, err := filepath.Rel(base, filepath.Join(w.Dir(), last.File))
	if err != nil {
		t.Fatal(err)
	}
	c := &store.Capture{File: file, Offset: last.Offset, RecordID: last.RecordID}
	if recorded {
		c.ChainOffset = refs[0].Offset
	}
	return &store.Record{
		Article:   article.Article{URL: url, Title: title, Text: text},
		FetchedAt: date,
		Source:    "https://news.example/feed.xml",
		Capture:   c,
	}
}

// TestDeleteRedactsRedirectHops: a feed and a section front that link
// to the first hop of a redirect chain whose final response is a
// deleted article's capture (a short link, a feed proxy's URL) are
// redacted as if they linked to the article: by the chain its capture
// records, or, where the capture says nothing of it, by the one found
// walking back from its response. The other entries stay.
func TestDeleteRedactsRedirectHops(t *testing.T) {
	const (
		janeItem  = `<item><title>Jane Doe's story</title><link>https://news.example/s/x7Kq2</link><description>Jane Doe told the council</description></item>`
		ferryItem = `<item><title>Ferry fares</title><link>https://news.example/s/f3Rt9</link><description>Fares rise</description></item>`
		keptItem  = `<item><title>Council approves harbour budget</title><link>https://news.example/harbour</link></item>`
		feedDoc   = `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>News</title>` + "\n" + janeItem + "\n" + keptItem + "\n" + ferryItem + "\n</channel></rss>"
		janeLi    = `<li><a href="/s/x7Kq2">Jane Doe's story</a></li>`
		ferryLi   = `<li><a href="https://news.example/s/f3Rt9">Ferry fares</a></li>`
		keptLi    = `<li><a href="/harbour">Council approves harbour budget</a></li>`
		front     = `<!DOCTYPE html><html><body><ul>` + janeLi + keptLi + ferryLi + `</ul></body></html>`
	)
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st := b.open(t)
			base := t.TempDir()
			w := captureWriter(t, base)
			feed := polled(t, w, "https://news.example/feed.xml", "application/rss+xml", []byte(feedDoc))
			section := polled(t, w, "https://news.example/section/local/", "text/html", []byte(front))
			jane := redirected(t, w, base, "https://news.example/s/x7Kq2", "https://news.example/jane", "Jane Doe's story", "Jane Doe told the council about her debts. "+story, true)
			ferry := redirected(t, w, base, "https://news.example/s/f3Rt9", "https://news.example/ferry-fares", "Ferry fares", "Ferry fares rise. "+strings.Replace(story, "council", "ferry board", -1), false)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			ingest(t, st, jane, ferry)
			sum := eraseDelete(t, st, base, jane.ID, ferry.ID)
			if c := sum.Captures; c.Erased != 2 || c.Redacted != 2 || c.Entries != 4 || c.ErasedWhole != 0 {
				t.Errorf("summary %+v, want 2 captures erased, 2 redacted (4 entries), none erased whole", c)
			}
			wfile := filepath.Join(base, jane.Capture.File)
			blank := func(doc string, gone ...string) string {
				for _, g := range gone {
					doc = strings.Replace(doc, g, strings.Repeat(" ", len(g)), 1)
				}
				return doc
			}
			payloadsAre(t, wfile, map[warc.Ref]string{feed: blank(feedDoc, janeItem, ferryItem), section: blank(front, janeLi, ferryLi)})
		})
	}
}

// Hops that are not the deleted article's own URL keep the links to
// them: a temporary redirect (/live, 302, sends to the day's story, and
// every page's navigation links to it), a permanent one to it (a short
// link sending to /live: it reaches the day's story too), and a
// permanent one from a URL
// that is another stored article's (a story the publisher removed and
// sent to the deleted one, still in the archive): the pages linking to
// them are left byte for byte; the links to the article's own URL go.
func TestDeleteKeepsOtherRedirectHops(t *testing.T) {
	const (
		liveLi  = `<li><a href="/live">Live</a></li>`
		ferryLi = `<li><a href="/2026/ferry">Ferry fares</a></li>`
		janeLi  = `<li><a href="/2026/jane">Jane Doe's story</a></li>`
		shortLi = `<li><a href="/s/j4ne">Today</a></li>`
		front   = `<!DOCTYPE html><html><body><nav><ul>` + liveLi + shortLi + `</ul></nav><ul>` + ferryLi + `</ul></body></html>`
		home    = `<!DOCTYPE html><html><body><nav><ul>` + liveLi + `</ul></nav><ul>` + janeLi + ferryLi + `</ul></body></html>`
	)
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st := b.open(t)
			base := t.TempDir()
			w := captureWriter(t, base)
			section := polled(t, w, "https://news.example/section/local/", "text/html", []byte(front))
			homePage := polled(t, w, "https://news.example/", "text/html", []byte(home))
			jane := redirectedBy(t, w, base, []redirectHop{{"301 Moved Permanently", "https://news.example/s/j4ne"}, {"302 Found", "https://news.example/live"}}, "https://news.example/2026/jane", "Jane Doe's story", "Jane Doe told the council about her debts. "+story, true)
			maple := redirectedBy(t, w, base, []redirectHop{{"301 Moved Permanently", "https://news.example/2026/ferry"}}, "https://news.example/2026/maple", "Maple Street", "Maple Street closes. "+strings.Replace(story, "council", "roads board", -1), false)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			ferry := rec("https://news.example/2026/ferry", "Ferry fares rise. "+strings.Replace(story, "council", "ferry board", -1))
			ingest(t, st, jane, maple, ferry)
			sum := eraseDelete(t, st, base, jane.ID, maple.ID)
			if c := sum.Captures; c.Erased != 2 || c.Redacted != 1 || c.Entries != 1 {
				t.Errorf("summary %+v, want 2 captures erased, 1 redacted (1 entry)", c)
			}
			wfile := filepath.Join(base, jane.Capture.File)
			payloadsAre(t, wfile, map[warc.Ref]string{section: front, homePage: strings.Replace(home, janeLi, strings.Repeat(" ", len(janeLi)), 1)})
			if _, err := st.Get(ctx, ferry.ID); err != nil {
				t.Errorf("the ferry story: %v", err)
			}
		})
	}
}
