package fetch

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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
