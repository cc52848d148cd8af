package fetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"
)

// nonPublic lists ranges refused besides those netip classifies (loopback,
// private, link-local, multicast, unspecified).
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),          // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),      // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),       // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),      // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),        // reserved
	netip.MustParsePrefix("255.255.255.255/32"), // broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),     // local-use NAT64
	netip.MustParsePrefix("100::/64"),           // discard-only
	netip.MustParsePrefix("2001::/32"),          // Teredo: hides an IPv4 address
	netip.MustParsePrefix("2001:db8::/32"),      // documentation
	netip.MustParsePrefix("fec0::/10"),          // deprecated site-local
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// IsPublic reports whether ip may be dialled when private addresses are
// refused. IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4) are
// judged by that IPv4 address, so they work on NAT64 networks and cannot
// smuggle a private target. Code that accepts URLs from users checks them
// with it up front; the fetcher checks again at dial time, after every DNS
// resolution.
func IsPublic(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	ip = ip.Unmap()
	if b := ip.As16(); nat64.Contains(ip) {
		return IsPublic(netip.AddrFrom4([4]byte(b[12:16])))
	} else if sixToFour.Contains(ip) {
		return IsPublic(netip.AddrFrom4([4]byte(b[2:6])))
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() ||
		ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// guardControl is a net.Dialer.Control that refuses non-public addresses.
// It runs after DNS resolution, on the address actually being dialled, so
// a name that resolves (or re-resolves) to a private address is caught.
func guardControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, ErrPrivateAddress)
	}
	if !IsPublic(ap.Addr()) {
		return fmt.Errorf("dial %s: %w", address, ErrPrivateAddress)
	}
	return nil
}

// dialer makes the connections of one Client: plain TCP with the address
// guard, TLS with a handshake timeout, each wrapped in a recordingConn so
// the exact bytes sent and received can be captured for WARC.
type dialer struct {
	net        net.Dialer
	tlsConfig  *tls.Config
	tlsTimeout time.Duration
	rawLimit   int
}

func newDialer(o Options) *dialer {
	d := &dialer{tlsTimeout: o.TLSTimeout, rawLimit: int(max(o.MaxBodyBytes, o.MaxSitemapBytes)) + maxResponseHeaderBytes}
	d.net.Timeout = o.DialTimeout
	d.net.KeepAlive = 30 * time.Second
	if !o.AllowPrivate {
		d.net.Control = guardControl
	}
	if o.TLSConfig != nil {
		d.tlsConfig = o.TLSConfig.Clone()
	} else {
		d.tlsConfig = &tls.Config{}
	}
	// WARC records HTTP/1.1 messages as transferred; HTTP/2 frames have no
	// faithful HTTP/1.1 rendering, so only HTTP/1.1 is offered.
	d.tlsConfig.NextProtos = []string{"http/1.1"}
	return d
}

func (d *dialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := d.net.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &recordingConn{Conn: c, limit: d.rawLimit}, nil
}

func (d *dialer) dialTLS(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := d.net.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("dial tls %s: %w", addr, err)
	}
	cfg := d.tlsConfig.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	tc := tls.Client(c, cfg)
	hctx, cancel := context.WithTimeout(ctx, d.tlsTimeout)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		c.Close()
		return nil, fmt.Errorf("tls handshake %s: %w", addr, err)
	}
	return &recordingConn{Conn: tc, limit: d.rawLimit}, nil
}

// capture holds the bytes of one exchange as they crossed the connection
// (after TLS): the request as written and the response as read, including
// chunked framing and content encoding.
type capture struct {
	req, resp bytes.Buffer
	truncated bool
}

// recordingConn copies the bytes of the exchange currently attached to it.
// The transport reuses connections (keep-alive, one request at a time on
// HTTP/1.1), so the capture is attached when the transport hands the
// connection to a request (httptrace GotConn) and detached when that
// request's body has been read. The transport's read loop may block in Read
// between exchanges; a response's bytes only arrive after its request was
// written, which is after the attach, so they are attributed correctly.
type recordingConn struct {
	net.Conn
	limit int

	mu  sync.Mutex
	cap *capture
}

func (c *recordingConn) attach(cp *capture) {
	c.mu.Lock()
	c.cap = cp
	c.mu.Unlock()
}

func (c *recordingConn) detach(cp *capture) {
	c.mu.Lock()
	if c.cap == cp {
		c.cap = nil
	}
	c.mu.Unlock()
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		if c.cap != nil {
			c.cap.appendLimited(&c.cap.resp, p[:n], c.limit)
		}
		c.mu.Unlock()
	}
	return n, err
}

// Write records the bytes before sending them: once they are sent the
// answer can arrive, be read and the exchange detached before the write
// returns, and the request would be lost from the capture. What was not
// sent after all is taken off again.
func (c *recordingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	cp, before := c.cap, 0
	if cp != nil {
		before = cp.req.Len()
		cp.appendLimited(&cp.req, p, c.limit)
	}
	c.mu.Unlock()
	n, err := c.Conn.Write(p)
	if n < len(p) && cp != nil {
		c.mu.Lock()
		if c.cap == cp && cp.req.Len() > before+n {
			cp.req.Truncate(before + n)
		}
		c.mu.Unlock()
	}
	return n, err
}

func (cp *capture) appendLimited(b *bytes.Buffer, p []byte, limit int) {
	if room := limit - b.Len(); len(p) > room {
		cp.truncated = true
		if room <= 0 {
			return
		}
		p = p[:room]
	}
	b.Write(p)
}
