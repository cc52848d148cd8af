package fetch

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestOptionsDefaults(t *testing.T) {
	o := Options{}.withDefaults()
	if o.MinDelay != time.Second || o.MaxConcurrency != 8 || o.PerHost != 1 || o.Retries != 3 ||
		o.MaxRedirects != 10 || o.MaxBodyBytes != 16<<20 || o.Timeout != time.Minute ||
		o.DialTimeout != 10*time.Second || o.TLSTimeout != 10*time.Second || o.HeaderTimeout != 20*time.Second ||
		o.RobotsTTL != 24*time.Hour || o.MaxHosts != 100_000 {
		t.Errorf("defaults: %+v", o)
	}
	if !strings.HasPrefix(o.UserAgent, "Herald/") {
		t.Errorf("user agent %q", o.UserAgent)
	}
	off := Options{MinDelay: -1, Retries: -1, MaxRedirects: -1, PauseAfter: -1, Timeout: -1}.withDefaults()
	if off.MinDelay != 0 || off.Retries != 0 || off.MaxRedirects != 0 || off.PauseAfter != 0 {
		t.Errorf("negative should switch off: %+v", off)
	}
	if off.Timeout != DefaultTimeout {
		t.Errorf("a timeout cannot be switched off: %v", off.Timeout)
	}
}

func TestHostKey(t *testing.T) {
	tests := map[string]string{
		"http://Example.COM/a":         "example.com:80",
		"https://example.com/a":        "example.com:443",
		"http://example.com:8080/":     "example.com:8080",
		"https://[2001:db8::1]/":       "[2001:db8::1]:443",
		"http://[2001:db8::1]:81/":     "[2001:db8::1]:81",
		"https://news.example.org:443": "news.example.org:443",
	}
	for in, want := range tests {
		u, err := url.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := hostKey(u); got != want {
			t.Errorf("hostKey(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  error
		want string
		is   error
	}{
		{&StatusError{URL: "http://x/", Code: 503, RetryAfter: time.Minute}, "fetch http://x/: http status 503 Service Unavailable (retry after 1m0s)", nil},
		{&StatusError{URL: "http://x/", Code: 404}, "fetch http://x/: http status 404 Not Found", nil},
		{&ContentError{URL: "http://x/a.pdf", ContentType: "application/pdf", Err: ErrNotHTML}, `fetch http://x/a.pdf: not html (content type "application/pdf")`, ErrNotHTML},
		{&ContentError{URL: "http://x/big", Limit: 10, Err: ErrTooLarge}, "fetch http://x/big: body too large (limit 10 bytes)", ErrTooLarge},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
		if tc.is != nil && !errors.Is(tc.err, tc.is) {
			t.Errorf("%v does not match %v", tc.err, tc.is)
		}
	}
	for a, want := range map[Accept]string{AcceptPage: "page", AcceptFeed: "feed", AcceptSitemap: "sitemap", AcceptAny: "any", Accept(9): "Accept(9)"} {
		if a.String() != want {
			t.Errorf("%d: %q", int(a), a.String())
		}
	}
}
