package web

import (
	"context"
	"errors"
	"net/netip"
	"testing"
)

func TestIsPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.216.34":        true,
		"2606:2800:220:1::248": true,
		"127.0.0.1":            false,
		"10.0.0.1":             false,
		"172.16.5.4":           false,
		"192.168.1.1":          false,
		"169.254.169.254":      false, // cloud metadata
		"100.64.0.1":           false,
		"0.0.0.0":              false,
		"224.0.0.1":            false,
		"255.255.255.255":      false,
		"::1":                  false,
		"fe80::1":              false,
		"fc00::1":              false,
		"::ffff:10.0.0.1":      false,
		"::ffff:93.184.216.34": true,
		"64:ff9b::a00:1":       false, // NAT64 of 10.0.0.1
		"64:ff9b::5db8:d822":   true,  // NAT64 of 93.184.216.34
		"2002:c0a8:101::1":     false, // 6to4 of 192.168.1.1
		"2001:db8::1":          false,
		"2001:0:4136:e378::1":  false, // Teredo
	} {
		if got := isPublic(netip.MustParseAddr(addr)); got != want {
			t.Errorf("isPublic(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestCheckSubmittedURL(t *testing.T) {
	s := New(nil, Options{})
	ctx := context.Background()
	for raw, wantErr := range map[string]error{
		"http://93.184.216.34/feed.xml":  nil,
		"  https://93.184.216.34/a  ":    nil,
		"http://127.0.0.1/":              errURLRefused,
		"http://[::1]:8080/":             errURLRefused,
		"http://localhost./":             errURLRefused,
		"http://a.b.localhost/":          errURLRefused,
		"http://169.254.169.254/latest/": errURLRefused,
	} {
		_, err := s.checkSubmittedURL(ctx, raw)
		if !errors.Is(err, wantErr) && !(wantErr == nil && err == nil) {
			t.Errorf("checkSubmittedURL(%q) = %v, want %v", raw, err, wantErr)
		}
	}
	for _, raw := range []string{"", "ftp://93.184.216.34/", "javascript:alert(1)", "/relative", "http:///x", "http://u:p@93.184.216.34/", "http://%zz/"} {
		_, err := s.checkSubmittedURL(ctx, raw)
		var e *Error
		if !errors.As(err, &e) || e.Status != 400 {
			t.Errorf("checkSubmittedURL(%q) = %v, want a 400", raw, err)
		}
	}
	// A name that does not resolve is refused too.
	if _, err := s.checkSubmittedURL(ctx, "http://localtest.invalid/"); !errors.Is(err, errURLRefused) {
		t.Errorf("unresolvable host: %v", err)
	}
	allow := New(nil, Options{AllowPrivate: true})
	if _, err := allow.checkSubmittedURL(ctx, "http://127.0.0.1:8080/feed"); err != nil {
		t.Errorf("AllowPrivate: %v", err)
	}
}
