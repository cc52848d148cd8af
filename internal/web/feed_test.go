package web

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/feed"
	"github.com/herald-archive/herald/internal/store"
)

// feedOf fetches the feed at target and parses it as a feed reader (and
// Herald's own harvester) would, after checking it is well-formed Atom.
func feedOf(t *testing.T, h http.Handler, target string, header ...string) (*http.Response, *feed.Feed, atomFeed) {
	t.Helper()
	res, body := do(t, h, "GET", target, nil, header...)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
		t.Fatalf("GET %s: %d %s\n%s", target, res.StatusCode, res.Header.Get("Content-Type"), clip(body))
	}
	var raw atomFeed
	if err := xml.Unmarshal([]byte(body), &raw); err != nil || raw.XMLName.Space != atomNS {
		t.Fatalf("GET %s: not Atom (%v, namespace %q)\n%s", target, err, raw.XMLName.Space, clip(body))
	}
	f, err := feed.Parse([]byte(body), "http://example.com"+target)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	return res, f, raw
}

// TestFeed: the Atom feed of a search lists what the API's search sorted
// by archiving (latest archived first) lists, in that order, copies collapsed, each entry with the
// article's own URL, its canonical URL as id, byline, tags and dates, and
// a link to the archived copy; hostile titles are text.
func TestFeed(t *testing.T) {
	f := sharedArchive(t)
	s := testServer(f, Options{})
	_, got, raw := feedOf(t, s, "/feed?q=harbour")
	var api SearchResponse
	_, body := do(t, s, "GET", "/api/search?q=harbour&sort=archived&collapse=true&limit=50", nil)
	decode(t, body, &api)
	if len(api.Hits) < 3 || len(got.Items) != len(api.Hits) {
		t.Fatalf("%d entries, the API finds %d", len(got.Items), len(api.Hits))
	}
	for i, it := range got.Items {
		rec := api.Hits[i].Record
		// The title as sent: Herald's feed reader takes titles for
		// markup, as many feeds need, and would drop the hostile ones.
		story := "http://example.com/articles/" + rec.ClusterID
		if it.URL != rec.URL || it.GUID != story || raw.Entries[i].Title != rec.Title {
			t.Errorf("entry %d: %q %q %q, want the API's %q %q %q", i, it.URL, it.GUID, raw.Entries[i].Title, rec.URL, story, rec.Title)
		}
		if links := raw.Entries[i].Links; len(links) < 2 || links[1].Rel != "related" || links[1].Href != "http://example.com/articles/"+rec.ID {
			t.Errorf("entry %d links %+v", i, links)
		}
	}
	if got.Title != "Herald: harbour" || got.SiteURL != "http://example.com/?q=harbour&sort=archived" {
		t.Errorf("feed %q at %q", got.Title, got.SiteURL)
	}
	// The story once, by its latest archived copy (the syndicated one), under the
	// id of its first.
	i := slices.IndexFunc(got.Items, func(it feed.Item) bool { return it.Title == "Harbour reopens after storm repairs" })
	if i < 0 || got.Items[i].URL != "https://syndicator.example.org/harbour" || got.Items[i].GUID != "http://example.com/articles/"+f.harbour {
		t.Fatalf("no harbour entry, or not the latest archived copy under the story's id: %+v", got.Items)
	}
	h := got.Items[i]
	if !slices.Equal(h.Authors, []string{"Jane Doe"}) || !slices.Equal(h.Tags, []string{"Weather", "Climate Change"}) ||
		h.Published.Format("2006-01-02T15:04:05Z07:00") != "2021-06-04T06:00:00+02:00" || h.Summary != "The breakwater is whole again." ||
		h.ImageURL != "https://news.example.com/harbour.jpg" {
		t.Errorf("harbour entry %+v", h)
	}
	if c := raw.Entries[i].Content; c == nil || !strings.Contains(c.Body, "(and 1 copy of this story)") {
		t.Errorf("harbour content %+v", c)
	}
	if slices.ContainsFunc(got.Items, func(it feed.Item) bool { return strings.Contains(it.URL, "harbour-reopens") }) {
		t.Error("the story has two entries")
	}
	if !slices.ContainsFunc(raw.Entries, func(e atomEntry) bool { return e.Title == xssScript }) {
		t.Error("the hostile title is not an entry's text")
	}
	for _, e := range raw.Entries {
		if len(e.Authors) == 0 || e.Updated == "" {
			t.Errorf("entry %s lacks an author or updated", e.ID)
		}
	}

	// Not collapsed, the copy has its entry; limit bounds the entries.
	_, all, _ := feedOf(t, s, "/feed?q=harbour&collapse=false")
	// Not collapsed, each copy is its own entry, under its own id; the
	// original, in a second version, says it was updated when fetched.
	j := slices.IndexFunc(all.Items, func(it feed.Item) bool { return strings.Contains(it.URL, "harbour-reopens") })
	if j < 0 || all.Items[j].GUID != "http://example.com/articles/"+f.harbour ||
		!all.Items[j].Updated.Equal(time.Date(2021, 6, 5, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("collapse=false: the original's entry %+v", all.Items)
	}
	if k := slices.IndexFunc(all.Items, func(it feed.Item) bool { return strings.Contains(it.URL, "syndicator") }); k < 0 || all.Items[k].GUID != "http://example.com/articles/"+f.copy {
		t.Errorf("collapse=false: the copy's entry %+v", all.Items)
	}
	if _, two, _ := feedOf(t, s, "/feed?q=harbour&limit=2"); len(two.Items) != 2 || two.Items[0].URL != got.Items[0].URL {
		t.Errorf("limit=2: %d entries", len(two.Items))
	}
	// Behind a proxy speaking https, the links are https.
	if _, tls, _ := feedOf(t, s, "/feed?q=harbour", "X-Forwarded-Proto", "https"); !strings.HasPrefix(tls.SiteURL, "https://example.com/") {
		t.Errorf("behind https: %q", tls.SiteURL)
	}
}

// TestFeedConditional: a reader polling with the ETag it was given gets
// 304 and no body until the feed changes; another query has another.
func TestFeedConditional(t *testing.T) {
	s := testServer(sharedArchive(t), Options{})
	res, _, _ := feedOf(t, s, "/feed?q=harbour")
	etag := res.Header.Get("ETag")
	if etag == "" || res.Header.Get("Last-Modified") != "" {
		t.Fatalf("headers %v", res.Header)
	}
	for _, inm := range []string{etag, "W/" + etag, `"x", ` + etag, "*"} {
		again, body := do(t, s, "GET", "/feed?q=harbour", nil, "If-None-Match", inm)
		if again.StatusCode != http.StatusNotModified || body != "" {
			t.Errorf("If-None-Match %s: %d %q", inm, again.StatusCode, clip(body))
		}
	}
	if other, _, _ := feedOf(t, s, "/feed?q=breakwater", "If-None-Match", etag); other.Header.Get("ETag") == etag {
		t.Error("two queries share an ETag")
	}
	// A feed nothing matches is valid and stable.
	res, empty, raw := feedOf(t, s, "/feed?q=nothingmatchesthis")
	if len(empty.Items) != 0 || raw.Updated != "1970-01-01T00:00:00Z" || raw.Author.Name == "" {
		t.Errorf("empty feed: %d entries, updated %s, author %q (Atom wants one)", len(empty.Items), raw.Updated, raw.Author.Name)
	}
	if again, _, _ := feedOf(t, s, "/feed?q=nothingmatchesthis"); again.Header.Get("ETag") != res.Header.Get("ETag") {
		t.Error("the empty feed's ETag changes between polls")
	}
}

// TestFeedBadRequests: a malformed query or limit is a 400 with the API's
// error shape, not an empty feed.
func TestFeedBadRequests(t *testing.T) {
	s := testServer(sharedArchive(t), Options{})
	for target, code := range map[string]string{
		"/feed?q=" + url.QueryEscape(`"harbour`): "bad_query",
		"/feed?q=harbour&limit=0":                "bad_request",
		"/feed?q=harbour&limit=101":              "bad_request",
		"/feed?q=harbour&collapse=maybe":         "bad_request",
		"/feed?q=%ZZ":                            "bad_request",
	} {
		res, body := do(t, s, "GET", target, nil)
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		decode(t, body, &e)
		if res.StatusCode != http.StatusBadRequest || e.Error.Code != code {
			t.Errorf("%s: %d %s, want 400 %s", target, res.StatusCode, e.Error.Code, code)
		}
	}
}

// TestSearchPageOffersFeed: the search page names its feed, for readers
// (a <link rel=alternate>) and people (a link), collapsed as the page is.
func TestSearchPageOffersFeed(t *testing.T) {
	s := testServer(sharedArchive(t), Options{})
	for target, want := range map[string]string{
		"/?q=harbour":           `href="/feed?q=harbour"`,
		"/?q=harbour&dups=show": `href="/feed?collapse=false&amp;q=harbour"`,
	} {
		_, body := do(t, s, "GET", target, nil)
		if !strings.Contains(body, `<link rel="alternate" type="application/atom+xml" title="Atom feed of this search" `+want+`>`) ||
			!strings.Contains(body, `<a `+want+` type="application/atom+xml"`) {
			t.Errorf("%s does not offer %s", target, want)
		}
	}
}

// TestFeedLatestArchivedFirst: the feed lists what the archive got last
// first, whatever its date. An old article harvested today tops the
// feed: by date it would sit below every newer match, past the feed's
// end on a busy query, and a reader following the search would never
// see it.
func TestFeedLatestArchivedFirst(t *testing.T) {
	f := newArchive(t)
	ctx := context.Background()
	put := func(path, title string, published time.Time) {
		t.Helper()
		rec := &store.Record{Article: article.Article{
			URL: "https://quay.example/" + path, Title: title, Published: published,
			Text: title + ". The lighthouse keeper said the lamp would stay lit through the winter storms, whatever the council decides.",
		}}
		if _, err := archive.Ingest(ctx, f.db, []*store.Record{rec}); err != nil {
			t.Fatal(err)
		}
	}
	put("2026/11/lamp", "Lighthouse lamp to stay lit", time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	s := testServer(f, Options{})
	before, _, _ := feedOf(t, s, "/feed?q=lighthouse+lamp&limit=1")
	put("2019/04/lamp", "Lighthouse lamp first lit", time.Date(2019, 4, 2, 9, 0, 0, 0, time.UTC))
	_, got, _ := feedOf(t, s, "/feed?q=lighthouse+lamp&limit=1")
	if len(got.Items) != 1 || got.Items[0].Title != "Lighthouse lamp first lit" {
		t.Errorf("feed of one entry: %+v, want the 2019 article archived last", got.Items)
	}
	// A reader polling with what it was told before sees the change,
	// whichever validator it sends.
	for _, h := range [][2]string{{"If-None-Match", before.Header.Get("ETag")}, {"If-Modified-Since", time.Now().UTC().Format(http.TimeFormat)}} {
		if res, _ := do(t, s, "GET", "/feed?q=lighthouse+lamp&limit=1", nil, h[0], h[1]); res.StatusCode != http.StatusOK {
			t.Errorf("poll with %s after a new entry: %d, want 200", h[0], res.StatusCode)
		}
	}
}
