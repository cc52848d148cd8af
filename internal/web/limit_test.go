package web

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// blockingStore holds Stats and Scan until release is closed, telling
// entered when a call has begun.
type blockingStore struct {
	store.Store
	entered chan struct{}
	release chan struct{}
}

func (b *blockingStore) Stats(ctx context.Context) (*store.Stats, error) {
	b.entered <- struct{}{}
	<-b.release
	return b.Store.Stats(ctx)
}

func (b *blockingStore) Scan(ctx context.Context, q *query.Query, fn func(*store.Record) error) error {
	b.entered <- struct{}{}
	<-b.release
	return b.Store.Scan(ctx, q, fn)
}

// TestBusyServerAnswers503 fills the work slots and the export slots and
// checks that the next request is refused with 503 "busy" rather than
// left hanging, and that the slots free up afterwards.
func TestBusyServerAnswers503(t *testing.T) {
	f := sharedArchive(t)
	bs := &blockingStore{Store: f.db, entered: make(chan struct{}, 4), release: make(chan struct{})}
	h := New(bs, Options{MaxInFlight: 1, MaxExports: 1, QueryTimeout: 200 * time.Millisecond})

	type reply struct{ status int }
	first := make(chan reply, 2)
	go func() {
		res, _ := do(t, h, "GET", "/api/export", nil)
		first <- reply{res.StatusCode}
	}()
	<-bs.entered // the export holds its slot
	res, body := do(t, h, "GET", "/api/export?format=csv", nil)
	var e apiError
	decode(t, body, &e)
	if res.StatusCode != http.StatusServiceUnavailable || e.Error.Code != "busy" || res.Header.Get("Retry-After") == "" {
		t.Errorf("second export: %d %+v", res.StatusCode, e)
	}

	// Stats blocks past the 200 ms timeout, holding the one work slot
	// meanwhile; a second request cannot get it in time.
	go func() {
		res, _ := do(t, h, "GET", "/api/stats", nil)
		first <- reply{res.StatusCode}
	}()
	<-bs.entered
	if res, _ := do(t, h, "GET", "/api/health", nil); res.StatusCode != 200 {
		t.Errorf("health check while busy: %d", res.StatusCode)
	}
	res, body = do(t, h, "GET", "/api/top?field=site", nil)
	decode(t, body, &e)
	if res.StatusCode != http.StatusServiceUnavailable || e.Error.Code != "busy" {
		t.Errorf("request while the slot is held: %d %+v", res.StatusCode, e)
	}
	close(bs.release)
	for range 2 {
		<-first
	}
	if res, _ := do(t, h, "GET", "/api/top?field=site", nil); res.StatusCode != 200 {
		t.Errorf("after release: %d", res.StatusCode)
	}
}

// TestCaptureDoesNotWaitForExports checks that raw captures are ordinary
// requests: with every export slot taken they are still served, and an
// unknown article is still a 404.
func TestCaptureDoesNotWaitForExports(t *testing.T) {
	f := sharedArchive(t)
	bs := &blockingStore{Store: f.db, entered: make(chan struct{}, 1), release: make(chan struct{})}
	h := New(bs, Options{MaxExports: 1, CaptureDir: f.dir})
	done := make(chan struct{})
	go func() {
		defer close(done)
		do(t, h, "GET", "/api/export", nil)
	}()
	<-bs.entered // the export holds the only export slot
	if res, body := do(t, h, "GET", "/api/articles/"+f.harbour+"/capture", nil); res.StatusCode != 200 || !strings.Contains(body, "Harbour reopens") {
		t.Errorf("capture while exporting: %d %s", res.StatusCode, clip(body))
	}
	if res, _ := do(t, h, "GET", "/api/articles/nope/capture", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown article's capture while exporting: %d, want 404", res.StatusCode)
	}
	close(bs.release)
	<-done
}

// scanCounter counts the store's Scan calls.
type scanCounter struct {
	store.Store
	scans atomic.Int32
}

func (c *scanCounter) Scan(ctx context.Context, q *query.Query, fn func(*store.Record) error) error {
	c.scans.Add(1)
	return c.Store.Scan(ctx, q, fn)
}

// TestHeadExportDoesNotExport checks that HEAD /api/export answers with
// the export's headers without scanning the archive, and still checks
// the parameters.
func TestHeadExportDoesNotExport(t *testing.T) {
	sc := &scanCounter{Store: sharedArchive(t).db}
	h := New(sc, Options{})
	res, body := do(t, h, "HEAD", "/api/export?format=csv", nil)
	if res.StatusCode != 200 || body != "" || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "herald-export.csv") {
		t.Errorf("HEAD: %d %q %v", res.StatusCode, clip(body), res.Header)
	}
	if n := sc.scans.Load(); n != 0 {
		t.Errorf("HEAD ran %d scans", n)
	}
	if res, _ := do(t, h, "HEAD", "/api/export?format=xml", nil); res.StatusCode != 400 {
		t.Errorf("HEAD with a bad format: %d", res.StatusCode)
	}
}

// TestShutdownCutsOffSlowRequests checks that a request still running
// when the shutdown time is up (a slow export) has its context cancelled,
// and that Run says it was cut off.
func TestShutdownCutsOffSlowRequests(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	entered, stopped := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-r.Context().Done() // a request that would run on and on
		close(stopped)
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, ln, h, nil, 200*time.Millisecond) }()
	go func() {
		res, err := http.Get("http://" + ln.Addr().String() + "/")
		if err == nil {
			res.Body.Close()
		}
	}()
	<-entered
	cancel()
	err = <-done
	if err == nil || !strings.Contains(err.Error(), "requests still running after 160ms were cut off") {
		t.Errorf("Run = %v, want the requests cut off", err)
	}
	<-stopped // the request's context was cancelled
}
