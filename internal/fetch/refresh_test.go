package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRefreshTarget(t *testing.T) {
	base, _ := url.Parse("https://a.example/old/page.html?x=1")
	for _, tt := range []struct{ content, want string }{
		{"0; url=/new.html", "https://a.example/new.html"},
		{"0;URL='https://b.example/amp/story'", "https://b.example/amp/story"},
		{` 1.5 , url = "next.html#top" `, "https://a.example/old/next.html"},
		{"5;https://b.example/", "https://b.example/"},
		{"0; url=https://a.example/old/page.html?x=1", ""}, // the page itself
		{"6; url=/new.html", ""},                           // a reload now and then, not a hop
		{"0", ""},
		{"0; url=", ""},
		{"; url=/new.html", ""},
		{"0; url=javascript:go()", ""},
		{"0; url=mailto:desk@a.example", ""},
	} {
		got, ok := refreshTarget(tt.content, base)
		if s := ""; ok {
			s = got.String()
			if s != tt.want {
				t.Errorf("refreshTarget(%q) = %s, want %q", tt.content, s, tt.want)
			}
		} else if tt.want != "" {
			t.Errorf("refreshTarget(%q) = none, want %s", tt.content, tt.want)
		}
	}
}

func interstitial(to string, delay int) string {
	return fmt.Sprintf(`<!DOCTYPE html><html><head><META HTTP-EQUIV="Refresh" CONTENT="%d; URL=%s"><title>Moved</title></head>`+
		`<body><p>This page has moved. <a href="%s">Continue</a>.</p></body></html>`, delay, to, to)
}

// A page's meta refresh is followed as a redirect when Request.Refresh
// says the page is only a hop: relative URLs, another host (its robots.txt
// obeyed), the hop limit and loops as for HTTP redirects.
func TestFollowMetaRefresh(t *testing.T) {
	s := newSite(t, nil)
	other := newSite(t, nil)
	s.robots("")
	other.robots("User-agent: *\nDisallow: /private/\n")
	s.html("/old", interstitial("/new", 0))
	s.html("/new", "<html><body><p>the article</p></body></html>")
	s.html("/slow", interstitial("/new", 30))
	s.html("/away", interstitial(other.URL+"/story", 1))
	s.html("/hidden", interstitial(other.URL+"/private/story", 0))
	other.html("/story", "<html><body><p>elsewhere</p></body></html>")
	other.html("/private/story", "<html><body><p>no</p></body></html>")
	s.html("/loop1", interstitial("/loop2", 0))
	s.html("/loop2", interstitial("/loop1", 0))
	for i := range 4 {
		s.html(fmt.Sprintf("/chain%d", i), interstitial(fmt.Sprintf("/chain%d", i+1), 0))
	}
	s.html("/chain4", "<html><body>end</body></html>")
	s.handle("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/old", http.StatusFound) })
	s.html("/feed", interstitial("/new", 0))

	hop := func(*Response) bool { return true }
	c := testClient(t, Options{MaxRedirects: 3})
	ctx := context.Background()
	get := func(path string, accept Accept, refresh func(*Response) bool) (*Response, error) {
		return c.Fetch(ctx, Request{URL: s.URL + path, Accept: accept, Refresh: refresh})
	}

	resp, err := get("/old", AcceptPage, hop)
	if err != nil || resp.URL != s.URL+"/new" || len(resp.Redirects) != 1 || resp.Redirects[0] != s.URL+"/old" {
		t.Fatalf("/old: %v, %+v", err, resp)
	}
	if h := resp.Hops[0]; h.Status != http.StatusOK || h.Location != s.URL+"/new" || !strings.Contains(string(h.RawResponse), "Refresh") {
		t.Errorf("hop %+v, want the interstitial with status 200 and its target", h)
	}
	resp, err = get("/redirect", AcceptPage, hop)
	if err != nil || resp.URL != s.URL+"/new" || len(resp.Hops) != 2 || resp.Hops[0].Status != http.StatusFound || resp.Hops[1].Status != http.StatusOK {
		t.Errorf("HTTP redirect then refresh: %v, %+v", err, resp)
	}
	for _, tt := range []struct {
		path    string
		accept  Accept
		refresh func(*Response) bool
	}{
		{"/old", AcceptPage, nil},                                   // not asked for
		{"/old", AcceptPage, func(*Response) bool { return false }}, // the page is an article
		{"/slow", AcceptPage, hop},                                  // a long delay
		{"/feed", AcceptFeed, hop},                                  // not a page fetch
	} {
		resp, err := get(tt.path, tt.accept, tt.refresh)
		if err != nil || resp.URL != s.URL+tt.path || len(resp.Redirects) != 0 {
			t.Errorf("%s: %v, URL %s; want the page itself", tt.path, err, resp.URL)
		}
	}
	if resp, err := get("/away", AcceptPage, hop); err != nil || resp.URL != other.URL+"/story" {
		t.Errorf("/away: %v, %v; want the other host's page", err, resp)
	}
	for path, want := range map[string]error{"/hidden": ErrDisallowed, "/loop1": ErrRedirectLoop, "/chain0": ErrTooManyRedirects} {
		if _, err := get(path, AcceptPage, hop); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", path, err, want)
		}
	}
}

// The pre-check before tokenising a page finds "refresh" in any case and
// nothing else, so a page it passes over has no meta refresh.
func TestHasRefresh(t *testing.T) {
	for in, want := range map[string]bool{
		`<meta http-equiv="refresh" content="0; url=/a">`: true,
		`<META HTTP-EQUIV="REFRESH" CONTENT="0;URL=/a">`:  true,
		`<meta http-equiv=ReFrEsH content=0>`:             true,
		`refresh`:                                         true,
		`refres`:                                          false,
		`<meta http-equiv="content-type">`:                false,
		"\x12EFRESH r\x05fresh r-fresh":                   false,
		"":                                                false,
	} {
		if got := hasRefresh([]byte(in)); got != want {
			t.Errorf("hasRefresh(%q) = %v, want %v", in, got, want)
		}
	}
	base, _ := url.Parse("https://news.example.com/old")
	if u, ok := metaRefresh([]byte(`<html><head><META HTTP-EQUIV="Refresh" CONTENT="1; URL=/new"></head></html>`), base); !ok || u.String() != "https://news.example.com/new" {
		t.Errorf("mixed-case refresh: %v %v", u, ok)
	}
}

// A meta refresh is refused when it points at a loopback or private
// address and private addresses are not allowed, as an HTTP redirect
// there is, and nothing is sent to that address: by an IP literal before
// dialling, by a name when dialling what it resolves to. The page that
// refreshes stands for a public site: the address guard lets its one
// address through and no other.
func TestMetaRefreshToPrivateAddressRefused(t *testing.T) {
	pub := newSite(t, nil)
	private := newSite(t, nil)
	pub.robots("")
	private.robots("")
	private.html("/story", "<html><body><p>inside</p></body></html>")
	pubPort := pub.URL[strings.LastIndex(pub.URL, ":")+1:]
	privPort := private.URL[strings.LastIndex(private.URL, ":")+1:]
	pubAddr := strings.TrimPrefix(pub.URL, "http://")

	c := New(Options{MinDelay: -1, RetryBackoff: 5 * time.Millisecond}) // AllowPrivate false
	t.Cleanup(c.Close)
	d := newDialer(c.opts)
	d.net.Control = func(network, address string, rc syscall.RawConn) error {
		if address == pubAddr {
			return nil // the "public" site
		}
		return guardControl(network, address, rc)
	}
	c.transport.DialContext = d.dial
	base := "http://localhost:" + pubPort

	pub.html("/ok", interstitial(base+"/new", 0))
	pub.html("/new", "<html><body><p>the article</p></body></html>")
	hop := func(*Response) bool { return true }
	if resp, err := c.Fetch(context.Background(), Request{URL: base + "/ok", Accept: AcceptPage, Refresh: hop}); err != nil || resp.URL != base+"/new" {
		t.Fatalf("a refresh on the public site: %v, %+v; want it followed", err, resp)
	}
	for i, target := range []string{
		private.URL + "/story",                    // an IP literal
		"http://localhost:" + privPort + "/story", // a name for a loopback address
		"http://[::1]:" + privPort + "/story",
		"http://[::ffff:127.0.0.1]:" + privPort + "/story", // IPv4 in IPv6
	} {
		pub.html(fmt.Sprintf("/refresh%d", i), interstitial(target, 0))
		pub.handle(fmt.Sprintf("/redirect%d", i), func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target, http.StatusFound)
		})
		for _, path := range []string{fmt.Sprintf("/refresh%d", i), fmt.Sprintf("/redirect%d", i)} {
			resp, err := c.Fetch(context.Background(), Request{URL: base + path, Accept: AcceptPage, Refresh: hop})
			if !errors.Is(err, ErrPrivateAddress) {
				t.Errorf("%s to %s: %v, URL %v; want ErrPrivateAddress", path, target, err, resp)
			}
		}
	}
	if n := len(private.hitsFor("")); n != 0 {
		t.Errorf("the private address saw %d requests, want none", n)
	}
}
