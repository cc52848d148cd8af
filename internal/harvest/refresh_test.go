package harvest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A page that is only a meta refresh interstitial (an old CMS's redirect,
// a mobile hop) is followed like a redirect, and the article it leads to
// is stored under its own URL with the interstitial in the capture chain;
// a page with an article and a refresh keeps its article; a refresh loop
// fails as a redirect loop does.
func TestHarvestMetaRefresh(t *testing.T) {
	ts := newTestSite(t)
	other := newTestSite(t)
	for _, s := range []*testSite{ts, other} {
		s.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	}
	hop := func(to string) string {
		return fmt.Sprintf(`<!DOCTYPE html><html><head><meta http-equiv="refresh" content="0; url=%s"><title>Redirecting</title></head>`+
			`<body><p>You are being redirected to the new address of this story. <a href="%s">Click here</a>.</p></body></html>`, to, to)
	}
	ts.html("/2019/05/04/harbour-story.html", hop("/news/harbour-story"))
	ts.html("/news/harbour-story", gazettePage("Harbour story", "", gazetteDay, gazetteText("harbour", 6)))
	ts.html("/m/ferry.html", hop(other.url("/news/ferry")))
	other.html("/news/ferry", gazettePage("Ferry story", "", gazetteDay, gazetteText("ferry", 6)))
	withRefresh := strings.Replace(gazettePage("Seals story", "", gazetteDay, gazetteText("seals", 6)),
		"<title>", `<meta http-equiv="refresh" content="0; url=/news/elsewhere"><title>`, 1)
	ts.html("/news/seals", withRefresh)
	ts.html("/news/elsewhere", gazettePage("Elsewhere", "", gazetteDay, gazetteText("elsewhere", 6)))
	ts.html("/loop/a.html", hop("/loop/b.html"))
	ts.html("/loop/b.html", hop("/loop/a.html"))

	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	urls := []string{ts.url("/2019/05/04/harbour-story.html"), ts.url("/m/ferry.html"), ts.url("/news/seals"), ts.url("/loop/a.html")}
	sum, err := h.HarvestPages(context.Background(), urls, "list")
	if err != nil {
		t.Fatal(err)
	}
	if sum.New != 3 {
		t.Errorf("%d new, want 3; summary %+v", sum.New, sum)
	}
	for _, u := range []string{ts.url("/news/harbour-story"), other.url("/news/ferry"), ts.url("/news/seals")} {
		rec := stored(t, st, u)
		if rec == nil {
			t.Errorf("%s not stored", u)
			continue
		}
		checkCapture(t, dir, rec)
	}
	for _, u := range []string{ts.url("/2019/05/04/harbour-story.html"), ts.url("/m/ferry.html")} {
		if stored(t, st, u) != nil {
			t.Errorf("the interstitial %s was stored as an article", u)
		}
	}
	if ts.hit("/news/elsewhere") != 0 {
		t.Error("the refresh of a page with an article was followed")
	}
	if got := sum.PollErrors[ts.url("/loop/a.html")]; got != ReasonRedirectLoop {
		t.Errorf("refresh loop: %q, want %q", got, ReasonRedirectLoop)
	}
	// The WARC holds the interstitial before the article, as for a redirect.
	var chain []string
	for _, rec := range warcResponses(t, dir) {
		chain = append(chain, rec.TargetURI)
	}
	joined := strings.Join(chain, " ")
	if i, j := strings.Index(joined, "/2019/05/04/harbour-story.html"), strings.Index(joined, "/news/harbour-story"); i < 0 || j < i {
		t.Errorf("WARC responses %q: want the interstitial, then the article", chain)
	}
	// The fetch log has the URL asked for, with the final answer.
	logs, err := st.Fetches(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range logs {
		if f.URL == ts.url("/2019/05/04/harbour-story.html") && f.Status == http.StatusOK && f.ArticleID != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("no fetch log entry for the interstitial's URL with the article: %+v", logs)
	}
}
