package web

import (
	"context"
	"errors"
	"testing"
)

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
	for _, raw := range []string{"", "ftp://93.184.216.34/", "javascript:alert(1)", "/relative", "http:///x", "http://u:p@93.184.216.34/", "http://%zz/",
		"http://93.184.216.38:99999/", "http://93.184.216.38:0/", "https://93.184.216.38:65536/feed"} {
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
	if _, err := allow.checkSubmittedURL(ctx, "http://127.0.0.1:99999/feed"); err == nil {
		t.Error("AllowPrivate: a port out of range accepted")
	}
	if _, err := s.checkSubmittedURL(ctx, "http://93.184.216.38:65535/"); err != nil {
		t.Errorf("port 65535: %v", err)
	}
}
