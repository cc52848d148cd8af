package fetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestDownload: a download streams the whole file; one from an offset
// asks for the rest with Range and says where the body starts; a server
// that ignores ranges gives the whole file (From 0); an offset at the
// end is an empty body; a Content-Range that does not start at the
// offset, and an error status, are errors.
func TestDownload(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 1000)
	mux := http.NewServeMux()
	mux.HandleFunc("/f", func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "f", time.Time{}, bytes.NewReader(data))
	})
	mux.HandleFunc("/norange", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10000")
		w.Write(data)
	})
	mux.HandleFunc("/wrong", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Range", "bytes 0-9999/10000")
		w.WriteHeader(http.StatusPartialContent)
		w.Write(data)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := New(Options{AllowPrivate: true})
	defer c.Close()
	read := func(d *Download) []byte {
		t.Helper()
		defer d.Body.Close()
		b, err := io.ReadAll(d.Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		path       string
		from, want int64
		size       int64
	}{
		{"/f", 0, 0, 10000},
		{"/f", 4321, 4321, 10000},
		{"/norange", 4321, 0, 10000},
		{"/f", 10000, 10000, 10000},
	} {
		d, err := c.Download(t.Context(), srv.URL+tc.path, tc.from)
		if err != nil {
			t.Fatalf("%s from %d: %v", tc.path, tc.from, err)
		}
		if d.From != tc.want || d.Size != tc.size || !bytes.Equal(read(d), data[tc.want:]) {
			t.Errorf("%s from %d: From %d Size %d, want %d %d and the bytes from there", tc.path, tc.from, d.From, d.Size, tc.want, tc.size)
		}
	}
	if _, err := c.Download(t.Context(), srv.URL+"/wrong", 5); err == nil || !strings.Contains(err.Error(), `the server sent bytes "bytes 0-9999/10000" for a range from 5`) {
		t.Errorf("a range that does not start at the offset: %v", err)
	}
	var se *StatusError
	if _, err := c.Download(t.Context(), srv.URL+"/missing", 0); !errors.As(err, &se) || se.Code != 404 {
		t.Errorf("a 404: %v", err)
	}
	if _, err := c.Download(t.Context(), "ftp://example.org/f", 0); !errors.Is(err, ErrInvalidURL) {
		t.Errorf("an ftp URL: %v", err)
	}
	guarded := New(Options{})
	defer guarded.Close()
	if _, err := guarded.Download(t.Context(), srv.URL+"/f", 0); !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("a loopback URL without AllowPrivate: %v", err)
	}
}

// TestDownloadIdle: a server that stops sending without closing fails the
// read with ErrTimeout once nothing has come for the idle time.
func TestDownloadIdle(t *testing.T) {
	old := downloadIdle
	downloadIdle = 200 * time.Millisecond
	defer func() { downloadIdle = old }()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.Write([]byte("half"))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := New(Options{AllowPrivate: true})
	defer c.Close()
	d, err := c.Download(t.Context(), srv.URL+"/f", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Body.Close()
	got, err := io.ReadAll(d.Body)
	if string(got) != "half" || !errors.Is(err, ErrTimeout) {
		t.Errorf("read %q, %v; want \"half\" and ErrTimeout", got, err)
	}
}

// TestDownloadTLSAndClose: a download over TLS trusts what the client's
// TLSConfig trusts (a private CA), as a fetch does, and Close closes the
// idle connection it leaves, as it closes a fetch's. Downloads used to
// run on a transport of their own that ignored TLSConfig (the handshake
// failed: unknown authority) and that Close did not close; and any
// error starting a download read "context canceled".
func TestDownloadTLSAndClose(t *testing.T) {
	data := bytes.Repeat([]byte("WARC/1.1 "), 500)
	closed := make(chan struct{}, 8)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "f", time.Time{}, bytes.NewReader(data))
	}))
	var mu sync.Mutex
	served := map[net.Conn]bool{} // connections that carried a request
	srv.Config.ConnState = func(conn net.Conn, s http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case s == http.StateActive:
			served[conn] = true
		case s == http.StateClosed && served[conn]:
			closed <- struct{}{}
		}
	}
	srv.StartTLS()
	defer srv.Close()
	// Without the CA: the handshake's error, not a cancelled context.
	plain := New(Options{AllowPrivate: true})
	defer plain.Close()
	if _, err := plain.Download(t.Context(), srv.URL+"/f", 0); err == nil || errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("download over TLS without the client's CA: %v, want the certificate refused", err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	c := New(Options{AllowPrivate: true, TLSConfig: &tls.Config{RootCAs: roots}})
	d, err := c.Download(t.Context(), srv.URL+"/f", 0)
	if err != nil {
		t.Fatalf("download over TLS with the client's CA: %v", err)
	}
	body, err := io.ReadAll(d.Body)
	d.Body.Close()
	if err != nil || !bytes.Equal(body, data) {
		t.Fatalf("download: %d bytes, %v", len(body), err)
	}
	select {
	case <-closed:
		t.Fatal("the connection closed before Close: the test cannot tell what Close did")
	default:
	}
	c.Close()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Error("Close left the download's idle connection open")
	}
}
