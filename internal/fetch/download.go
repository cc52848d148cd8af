package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Download is a large file being streamed (see Client.Download).
type Download struct {
	// Body is the file from From on. Close it when done.
	Body io.ReadCloser
	// From is the offset in the file of Body's first byte: the offset
	// asked for when the server sent that range, else 0 (the server sent
	// the whole file, or had nothing after the offset: then Body is
	// empty and Size is From).
	From int64
	// Size is the file's length, or -1 when the server did not say.
	Size int64
	// URL is where the file came from, after redirects.
	URL string
}

// DownloadIdleTimeout is how long a download may receive nothing before
// it fails with ErrTimeout.
const DownloadIdleTimeout = 60 * time.Second

// downloadIdle is DownloadIdleTimeout, but for tests.
var downloadIdle = DownloadIdleTimeout

// Download starts a GET of a large file that the user named, such as a
// WARC file of Common Crawl's CC-NEWS, whose body is streamed to the
// caller rather than read whole: there is no size cap and no time limit
// on the whole body (only DownloadIdleTimeout between bytes), and
// robots.txt is not asked (it governs crawling, not fetching a file by
// its address, as wget does). The client's address guard, User-Agent,
// TLS configuration, connect, handshake and header timeouts and redirect
// cap apply, on its connections (Close closes those left idle); the raw
// exchange is not recorded. from > 0 asks for the file from that offset, to resume a
// download that stopped: a server that ignores the Range sends the whole
// file, with From 0. A status other than 200 or 206 is a *StatusError.
func (c *Client) Download(ctx context.Context, rawURL string, from int64) (*Download, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, ErrInvalidURL)
	}
	if err := c.checkAddress(u); err != nil {
		return nil, err
	}
	client := c.downloadClient()
	ctx, cancel := context.WithCancel(ctx)
	req, err := http.NewRequestWithContext(noCapture(ctx), http.MethodGet, u.String(), nil)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("fetch %s: %w", rawURL, ErrInvalidURL)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept-Encoding", "identity")
	if from > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", from))
	}
	resp, err := client.Do(req)
	if err != nil {
		err = c.downloadError(ctx, u, err) // before cancel: said as the failure it was
		cancel()
		return nil, err
	}
	d := &Download{From: 0, Size: resp.ContentLength, URL: resp.Request.URL.String()}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusPartialContent:
		start, size, ok := contentRange(resp.Header.Get("Content-Range"))
		if !ok || start != from {
			resp.Body.Close()
			cancel()
			return nil, fmt.Errorf("fetch %s: the server sent bytes %q for a range from %d", rawURL, resp.Header.Get("Content-Range"), from)
		}
		d.From, d.Size = start, size
	case http.StatusRequestedRangeNotSatisfiable:
		// Nothing after from: the file ends there (or is shorter, which
		// the caller finds out by its size).
		_, size, ok := contentRange(resp.Header.Get("Content-Range"))
		resp.Body.Close()
		cancel()
		if !ok || size != from {
			return nil, &StatusError{URL: d.URL, Code: resp.StatusCode}
		}
		return &Download{Body: io.NopCloser(strings.NewReader("")), From: from, Size: from, URL: d.URL}, nil
	default:
		resp.Body.Close()
		cancel()
		return nil, &StatusError{URL: d.URL, Code: resp.StatusCode}
	}
	d.Body = newIdleBody(resp.Body, cancel, downloadIdle)
	return d, nil
}

// downloadError is err, from starting a download of u, said as a fetch's
// would be (attemptError; a download has no attempt limit of its own).
func (c *Client) downloadError(ctx context.Context, u *url.URL, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return c.attemptError(ctx, ctx, u, err)
}

// contentRange parses "bytes START-END/SIZE" (or "bytes */SIZE"), giving
// SIZE -1 for "*".
func contentRange(v string) (start, size int64, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !found {
		return 0, 0, false
	}
	span, total, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, false
	}
	size = -1
	if total != "*" {
		n, err := strconv.ParseInt(total, 10, 64)
		if err != nil || n < 0 {
			return 0, 0, false
		}
		size = n
	}
	if span == "*" {
		return 0, size, true
	}
	first, _, found := strings.Cut(span, "-")
	n, err := strconv.ParseInt(first, 10, 64)
	if !found || err != nil || n < 0 {
		return 0, 0, false
	}
	return n, size, true
}

// downloadClient is the HTTP client of Download: on the client's own
// transport, so its address guard, TLS configuration and timeouts apply
// and Close closes its idle connections, following redirects up to the
// client's cap. Nothing is recorded: Download's requests attach no
// capture to their connections (see noCapture).
func (c *Client) downloadClient() *http.Client {
	max := c.opts.MaxRedirects
	return &http.Client{Transport: c.transport, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) > max {
			return ErrTooManyRedirects
		}
		return nil
	}}
}

// noCapture makes ctx's requests detach any capture from the connection
// they are given (a fetch's, which detaches its own only after its body
// is closed, and so after the connection went back to the pool): a
// download is not recorded, and its bytes must not go to another
// exchange's capture.
func noCapture(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			if rc, ok := info.Conn.(*recordingConn); ok {
				rc.attach(nil)
			}
		},
	})
}

// idleBody is a response body whose request is cancelled when no byte
// has arrived for a while.
type idleBody struct {
	body  io.ReadCloser
	timer *time.Timer
	idle  time.Duration
	mu    sync.Mutex
	fired bool
	stop  context.CancelFunc
}

func newIdleBody(body io.ReadCloser, cancel context.CancelFunc, idle time.Duration) *idleBody {
	b := &idleBody{body: body, idle: idle, stop: cancel}
	b.timer = time.AfterFunc(idle, func() {
		b.mu.Lock()
		b.fired = true
		b.mu.Unlock()
		cancel()
	})
	return b
}

func (b *idleBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	if n > 0 {
		b.timer.Reset(b.idle)
	}
	if err != nil && err != io.EOF {
		b.mu.Lock()
		fired := b.fired
		b.mu.Unlock()
		if fired {
			return n, fmt.Errorf("nothing received for %s: %w", b.idle, ErrTimeout)
		}
	}
	return n, err
}

func (b *idleBody) Close() error {
	b.timer.Stop()
	err := b.body.Close()
	b.stop()
	return err
}
